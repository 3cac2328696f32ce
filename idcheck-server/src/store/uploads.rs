//! The `uploads` table: who uploaded which stored file, and when (for the retention sweep).

use rusqlite::{Connection, OptionalExtension, params};

/// Records upload `name` of `user_id`, made at `created_at` (Unix seconds).
pub fn insert(
    c: &Connection,
    name: &str,
    user_id: i64,
    content_type: &str,
    size: usize,
    created_on: &str,
    created_at: i64,
) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO uploads (name, user_id, content_type, size, created_on, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            name,
            user_id,
            content_type,
            size as i64,
            created_on,
            created_at
        ],
    )?;
    Ok(())
}

/// The owner of upload `name`, if there is one.
pub fn owner(c: &Connection, name: &str) -> rusqlite::Result<Option<i64>> {
    c.query_row(
        "SELECT user_id FROM uploads WHERE name = ?1",
        [name],
        |row| row.get(0),
    )
    .optional()
}

/// Forgets upload `name`; its file is the caller's to remove once this is committed.
pub fn delete(c: &Connection, name: &str) -> rusqlite::Result<bool> {
    Ok(c.execute("DELETE FROM uploads WHERE name = ?1", [name])? > 0)
}

/// At most `limit` uploads made before `cutoff` (Unix seconds), oldest first.
pub fn made_before(c: &Connection, cutoff: i64, limit: usize) -> rusqlite::Result<Vec<String>> {
    let mut statement =
        c.prepare("SELECT name FROM uploads WHERE created_at < ?1 ORDER BY created_at LIMIT ?2")?;
    statement
        .query_map(params![cutoff, limit as i64], |row| row.get(0))?
        .collect()
}

/// Which of `names` have a row.
pub fn known(c: &Connection, names: &[String]) -> rusqlite::Result<Vec<String>> {
    let mut found = Vec::new();
    for name in names {
        if owner(c, name)?.is_some() {
            found.push(name.clone());
        }
    }
    Ok(found)
}
