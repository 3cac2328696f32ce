//! The gateway's own state in SQLite: member tokens (by digest), invitations, stored uploads,
//! which member owns each MasStack identification, the answers of idempotent creates, and hand-offs
//! to a phone (codes by digest). Nothing here is a copy of an upstream record:
//! Nexudus stays the one place checks and documents live.
//!
//! One connection behind a mutex, used from blocking threads: one gateway serves one operator,
//! whose upstream allows 5,000 requests an hour, far below what one SQLite connection writes.

use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::Connection;

use crate::config::Database;
use crate::error::GatewayError;

/// Each entry moves the schema one version on (`PRAGMA user_version` counts them). Append only.
const MIGRATIONS: &[&str] = &[
    r#"
    CREATE TABLE member_tokens (
        digest      TEXT PRIMARY KEY,
        coworker_id INTEGER NOT NULL,
        business_id INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL,
        revoked     INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE invitations (
        code        TEXT PRIMARY KEY,
        coworker_id INTEGER NOT NULL,
        business_id INTEGER NOT NULL,
        verify      TEXT NOT NULL,
        checks      TEXT NOT NULL,
        expires_at  INTEGER NOT NULL,
        redeemed_at INTEGER
    );
    CREATE TABLE uploads (
        name         TEXT PRIMARY KEY,
        coworker_id  INTEGER NOT NULL,
        content_type TEXT NOT NULL,
        bytes        BLOB NOT NULL,
        expires_at   INTEGER NOT NULL
    );
    CREATE TABLE identifications (
        org         TEXT NOT NULL,
        id          TEXT NOT NULL,
        coworker_id INTEGER NOT NULL,
        PRIMARY KEY (org, id)
    );
"#,
    r#"
    CREATE TABLE idempotency (
        scope        INTEGER NOT NULL,
        route        TEXT NOT NULL,
        key          TEXT NOT NULL,
        digest       TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        status       INTEGER,
        content_type TEXT,
        body         BLOB,
        PRIMARY KEY (scope, route, key)
    );
"#,
    r#"
    CREATE TABLE handoffs (
        id           TEXT PRIMARY KEY,
        link_digest  TEXT NOT NULL UNIQUE,
        code_digest  TEXT NOT NULL UNIQUE,
        coworker_id  INTEGER NOT NULL,
        business_id  INTEGER NOT NULL,
        progress     TEXT,
        created_at   INTEGER NOT NULL,
        expires_at   INTEGER NOT NULL,
        redeemed_at  INTEGER,
        token_digest TEXT,
        cancelled_at INTEGER,
        submitted_at INTEGER,
        check_id     INTEGER,
        document_id  INTEGER,
        idem_key     TEXT,
        idem_digest  TEXT
    );
    CREATE UNIQUE INDEX handoffs_idempotency ON handoffs (coworker_id, business_id, idem_key);
    CREATE INDEX handoffs_token ON handoffs (token_digest);
"#,
];

#[derive(Clone)]
pub struct Db {
    connection: Arc<Mutex<Connection>>,
}

impl Db {
    pub fn open(location: &Database) -> Result<Db, String> {
        let mut connection = match location {
            Database::Memory => Connection::open_in_memory(),
            Database::File(path) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent)
                        .map_err(|err| format!("cannot create {}: {err}", parent.display()))?;
                }
                Connection::open(path)
            }
        }
        .map_err(|err| format!("cannot open the database: {err}"))?;
        migrate(&mut connection).map_err(|err| format!("cannot migrate the database: {err}"))?;
        Ok(Db {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Runs `work` on the connection on a blocking thread, so SQLite never stalls the runtime.
    pub async fn call<T, F>(&self, work: F) -> Result<T, GatewayError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, GatewayError> + Send + 'static,
    {
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || {
            let mut connection = connection
                .lock()
                .unwrap_or_else(|poison| poison.into_inner());
            work(&mut connection)
        })
        .await
        .map_err(|err| GatewayError::Internal(format!("database task: {err}")))?
    }
}

fn migrate(connection: &mut Connection) -> rusqlite::Result<()> {
    connection.pragma_update(None, "journal_mode", "WAL")?;
    // A deleted row's bytes (an identity image) are overwritten, not left in free pages.
    connection.pragma_update(None, "secure_delete", "ON")?;
    let version: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let transaction = connection.transaction()?;
        transaction.execute_batch(migration)?;
        transaction.pragma_update(None, "user_version", index as i64 + 1)?;
        transaction.commit()?;
    }
    Ok(())
}

/// Seconds since 1970-01-01T00:00:00Z.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl From<rusqlite::Error> for GatewayError {
    fn from(err: rusqlite::Error) -> Self {
        GatewayError::Internal(format!("database: {err}"))
    }
}
