//! How long identity images are kept. An upload is a copy on its way into a document: the document
//! that uses it deletes it once stored (see `routes::documents`); one that no document used is
//! deleted after the upload time to live (`--upload-ttl-seconds`, default an hour) by a periodic
//! sweep, which removes at most [`SWEEP_BATCH`] uploads per pass, so a pass is short however
//! many there are. A file in the uploads folder without its row (a crash between the two writes)
//! goes the same way once it is as old.
//!
//! Knows the store and the folder, nothing of HTTP.

use std::sync::Arc;
use std::time::Duration;

use crate::clock;
use crate::db::Db;
use crate::files::FileStore;
use crate::store;

/// The most uploads removed in one pass.
pub const SWEEP_BATCH: usize = 200;

/// How often the sweep runs for a time to live: a quarter of it, between 1 s and a minute.
pub fn sweep_interval(ttl: Duration) -> Duration {
    (ttl / 4).clamp(Duration::from_secs(1), Duration::from_secs(60))
}

/// Runs the sweep for ever (the task ends with the runtime).
pub fn spawn_upload_sweeper(
    db: Db,
    files: Arc<FileStore>,
    ttl: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(sweep_interval(ttl));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(err) = sweep_uploads(&db, &files, ttl).await {
                eprintln!("idcheck-server: the upload sweep failed: {err}");
            }
        }
    })
}

/// One pass: forgets up to [`SWEEP_BATCH`] uploads older than `ttl` and removes their files, then
/// as many row-less files; returns how many uploads went.
pub async fn sweep_uploads(
    db: &Db,
    files: &Arc<FileStore>,
    ttl: Duration,
) -> Result<usize, String> {
    let cutoff = clock::unix_seconds() - i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
    let expired = db
        .run(move |c| -> rusqlite::Result<Vec<String>> {
            let transaction = c.transaction()?;
            let names = store::uploads::made_before(&transaction, cutoff, SWEEP_BATCH)?;
            for name in &names {
                store::uploads::delete(&transaction, name)?;
            }
            transaction.commit()?;
            Ok(names)
        })
        .await
        .map_err(|err| err.to_string())?
        .map_err(|err| err.to_string())?;

    // Files outside the lock; a row-less file is one old enough whose name the table lacks.
    let folder = files.clone();
    let candidates =
        tokio::task::spawn_blocking(move || folder.uploads_older_than(ttl, SWEEP_BATCH))
            .await
            .map_err(|err| err.to_string())?;
    let probe = candidates.clone();
    let known = db
        .run(move |c| store::uploads::known(c, &probe))
        .await
        .map_err(|err| err.to_string())?
        .map_err(|err| err.to_string())?;
    let orphans: Vec<String> = candidates
        .into_iter()
        .filter(|name| !known.contains(name))
        .collect();

    let count = expired.len();
    let folder = files.clone();
    tokio::task::spawn_blocking(move || {
        for name in expired.iter().chain(&orphans) {
            folder.remove_upload(name);
        }
    })
    .await
    .map_err(|err| err.to_string())?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sweep_runs_often_enough_and_never_spins() {
        assert_eq!(
            sweep_interval(Duration::from_secs(3600)),
            Duration::from_secs(60)
        );
        assert_eq!(
            sweep_interval(Duration::from_secs(20)),
            Duration::from_secs(5)
        );
        assert_eq!(
            sweep_interval(Duration::from_secs(1)),
            Duration::from_secs(1)
        );
    }
}
