//! Users and their roles: what sign-in and the bearer check read.

use rusqlite::{Connection, OptionalExtension, params};

use crate::auth::roles::AuthUser;

/// The user with this id, with their roles.
pub fn load(c: &Connection, id: i64) -> rusqlite::Result<Option<AuthUser>> {
    let found = c
        .query_row(
            "SELECT email, is_admin FROM users WHERE id = ?1",
            [id],
            |row| Ok((row.get::<_, String>(0)?, row.get::<_, bool>(1)?)),
        )
        .optional()?;
    let Some((email, is_admin)) = found else {
        return Ok(None);
    };
    let mut statement =
        c.prepare("SELECT role FROM user_roles WHERE user_id = ?1 ORDER BY role")?;
    let roles = statement
        .query_map([id], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(AuthUser {
        id,
        email,
        is_admin,
        roles,
    }))
}

/// The id and stored password hash of the user signing in with `email` (case-insensitive).
pub fn credentials(c: &Connection, email: &str) -> rusqlite::Result<Option<(i64, String)>> {
    c.query_row(
        "SELECT id, password_hash FROM users WHERE email = ?1",
        [email],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
    .optional()
}

/// Replaces a user's hash, if it is still `old` (a concurrent change wins).
pub fn replace_password_hash(
    c: &Connection,
    id: i64,
    old: &str,
    new: &str,
) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE users SET password_hash = ?1 WHERE id = ?2 AND password_hash = ?3",
        params![new, id, old],
    )?;
    Ok(())
}
