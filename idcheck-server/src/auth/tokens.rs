//! Bearer tokens: opaque random strings (256 bits), of which only the SHA-256 digest is stored, so
//! a copy of the database hands out no live token.
//!
//! A sign-in starts a *family*: an access token (an hour) and a refresh token (30 days). A refresh
//! token renews once: using it marks it spent and issues a new pair in the same family. A spent
//! refresh token presented again means two parties hold it (one of them stole it), so the whole
//! family is revoked, the successor and its access tokens with it (OAuth 2.0 Security BCP,
//! refresh token rotation). [`revoke`] is RFC 7009's revocation: a refresh token takes its family
//! with it; an access token goes alone.
//!
//! SQL only, on a connection the caller holds: no HTTP here.

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

/// Seconds an access token lives, as answered in `expires_in`.
pub const ACCESS_TOKEN_SECONDS: i64 = 60 * 60;
/// A refresh token outlives its access tokens so a client can renew after a long pause.
pub const REFRESH_TOKEN_SECONDS: i64 = 30 * 24 * 60 * 60;

/// A new opaque token: 256 random bits, hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system has no random source");
    hex(&bytes)
}

fn digest(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unix_now() -> i64 {
    crate::clock::unix_seconds()
}

/// A pair issued together.
#[derive(Debug, Clone)]
pub struct Issued {
    pub access: String,
    pub refresh: String,
}

/// Stores a new access and refresh token for `user_id`, in `family` (a refresh) or in a new one
/// (a sign-in). Expired tokens are dropped on the way, so the table does not grow for ever.
pub fn issue(c: &Connection, user_id: i64, family: Option<&str>) -> rusqlite::Result<Issued> {
    let now = unix_now();
    c.execute("DELETE FROM tokens WHERE expires_at <= ?1", [now])?;
    let family = family.map_or_else(new_token, str::to_string);
    let issued = Issued {
        access: new_token(),
        refresh: new_token(),
    };
    for (token, kind, seconds) in [
        (&issued.access, "access", ACCESS_TOKEN_SECONDS),
        (&issued.refresh, "refresh", REFRESH_TOKEN_SECONDS),
    ] {
        c.execute(
            "INSERT INTO tokens (digest, kind, user_id, expires_at, family, used)
             VALUES (?1, ?2, ?3, ?4, ?5, 0)",
            params![digest(token), kind, user_id, now + seconds, family],
        )?;
    }
    Ok(issued)
}

/// What presenting a refresh token came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refresh {
    /// Live and unspent: now spent; issue the next pair in `family` for `user_id`.
    Renew { user_id: i64, family: String },
    /// Spent before: the family is revoked.
    Reused,
    /// Unknown, expired, revoked, or not a refresh token.
    Invalid,
}

/// Spends a refresh token, or revokes its family when it was spent already.
pub fn use_refresh(c: &Connection, token: &str) -> rusqlite::Result<Refresh> {
    let digest = digest(token);
    let found = c
        .query_row(
            "SELECT user_id, COALESCE(family, digest), used, expires_at FROM tokens
             WHERE digest = ?1 AND kind = 'refresh'",
            [&digest],
            |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, bool>(2)?,
                    row.get::<_, i64>(3)?,
                ))
            },
        )
        .optional()?;
    let Some((user_id, family, used, expires_at)) = found else {
        return Ok(Refresh::Invalid);
    };
    if expires_at <= unix_now() {
        return Ok(Refresh::Invalid);
    }
    if used {
        revoke_family(c, &family)?;
        return Ok(Refresh::Reused);
    }
    c.execute("UPDATE tokens SET used = 1 WHERE digest = ?1", [&digest])?;
    Ok(Refresh::Renew { user_id, family })
}

/// The user a live access token belongs to.
pub fn access_user(c: &Connection, token: &str) -> rusqlite::Result<Option<i64>> {
    c.query_row(
        "SELECT user_id FROM tokens WHERE digest = ?1 AND kind = 'access' AND expires_at > ?2",
        params![digest(token), unix_now()],
        |row| row.get(0),
    )
    .optional()
}

/// RFC 7009: revokes `token`; a refresh token revokes its whole family (the access tokens issued
/// with it too). An unknown token is no error: the goal is reached.
pub fn revoke(c: &Connection, token: &str) -> rusqlite::Result<()> {
    let digest = digest(token);
    let found = c
        .query_row(
            "SELECT kind, COALESCE(family, digest) FROM tokens WHERE digest = ?1",
            [&digest],
            |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)),
        )
        .optional()?;
    match found {
        Some((kind, family)) if kind == "refresh" => revoke_family(c, &family),
        Some(_) => {
            c.execute("DELETE FROM tokens WHERE digest = ?1", [&digest])?;
            Ok(())
        }
        None => Ok(()),
    }
}

fn revoke_family(c: &Connection, family: &str) -> rusqlite::Result<()> {
    c.execute(
        "DELETE FROM tokens WHERE family = ?1 OR (family IS NULL AND digest = ?1)",
        [family],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE TABLE tokens (digest TEXT PRIMARY KEY, kind TEXT NOT NULL, user_id INTEGER NOT NULL,
                 expires_at INTEGER NOT NULL, family TEXT, used INTEGER NOT NULL DEFAULT 0);",
        )
        .unwrap();
        c
    }

    #[test]
    fn tokens_are_long_and_distinct() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }

    #[test]
    fn a_refresh_rotates_and_a_reuse_revokes_the_family() {
        let c = database();
        let first = issue(&c, 7, None).unwrap();
        assert_eq!(access_user(&c, &first.access).unwrap(), Some(7));
        let Refresh::Renew { user_id, family } = use_refresh(&c, &first.refresh).unwrap() else {
            panic!("a fresh refresh token renews");
        };
        assert_eq!(user_id, 7);
        let second = issue(&c, user_id, Some(&family)).unwrap();
        assert_eq!(use_refresh(&c, &first.refresh).unwrap(), Refresh::Reused);
        assert_eq!(use_refresh(&c, &second.refresh).unwrap(), Refresh::Invalid);
        assert_eq!(access_user(&c, &second.access).unwrap(), None);
        assert_eq!(access_user(&c, &first.access).unwrap(), None);
        assert_eq!(use_refresh(&c, &first.access).unwrap(), Refresh::Invalid);
    }

    #[test]
    fn revoking_a_refresh_token_takes_its_family_and_an_access_token_goes_alone() {
        let c = database();
        let one = issue(&c, 1, None).unwrap();
        let other = issue(&c, 1, None).unwrap();
        revoke(&c, &one.access).unwrap();
        assert_eq!(access_user(&c, &one.access).unwrap(), None);
        assert!(matches!(
            use_refresh(&c, &one.refresh).unwrap(),
            Refresh::Renew { .. }
        ));
        revoke(&c, &other.refresh).unwrap();
        assert_eq!(access_user(&c, &other.access).unwrap(), None);
        revoke(&c, "not a token").unwrap();
    }
}
