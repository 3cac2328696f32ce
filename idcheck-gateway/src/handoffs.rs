//! Hand-offs: a member who started on a laptop carries on on their phone. The laptop (with the
//! member's token) asks for a hand-off; the phone exchanges its single-use code (the long one in
//! the link, or the short one typed) for a member token of the same member and the progress the
//! laptop left; the laptop follows its state until the phone has sent a document, and may take
//! it back at any time, which revokes the phone's token.
//!
//! Both codes are stored only as SHA-256 digests, like member tokens: reading the database grants
//! nothing. The progress (the component's own snapshot, answers included) is kept only until the
//! hand-off is redeemed, cancelled or expires. A row is forgotten a day after it expired.
//! Guessing codes is bounded by the invitations' per-client lock-out ([`crate::invitations`]).

use std::time::Duration;

use idcheck_core::invitation::normalise;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};

use crate::error::GatewayError;
use crate::invitations::new_code;
use crate::member::{self, Member};
use crate::store::{Db, unix_now};

/// How long a hand-off's codes may be redeemed.
pub const LIFETIME: Duration = Duration::from_secs(15 * 60);
/// The largest progress object (its JSON text), in bytes.
pub const MAX_PROGRESS_BYTES: usize = 16 * 1024;
/// How long a hand-off is remembered after it expired (its state, its `Idempotency-Key`).
const KEEP_AFTER_EXPIRY_SECONDS: i64 = 24 * 60 * 60;

/// Where a hand-off stands, as the laptop follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandoffState {
    /// Not redeemed yet, and still redeemable.
    Waiting,
    /// Redeemed on the phone.
    Opened,
    /// The phone's token created a document through the gateway.
    Submitted,
    /// Never redeemed, and past its time.
    Expired,
    /// Taken back by the laptop before anything was submitted.
    Cancelled,
}

impl HandoffState {
    pub fn name(self) -> &'static str {
        match self {
            HandoffState::Waiting => "Waiting",
            HandoffState::Opened => "Opened",
            HandoffState::Submitted => "Submitted",
            HandoffState::Expired => "Expired",
            HandoffState::Cancelled => "Cancelled",
        }
    }
}

/// A hand-off as its laptop reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub id: String,
    pub state: HandoffState,
    pub expires_at: i64,
    pub opened_at: Option<i64>,
    pub submitted_at: Option<i64>,
    pub check_id: Option<i64>,
    pub document_id: Option<i64>,
}

/// A freshly made hand-off, with its codes in clear: they exist only in this answer.
#[derive(Debug, Clone)]
pub struct Created {
    pub id: String,
    /// The link's long code (64 hex digits).
    pub link_code: String,
    /// The short code to type (8 characters of the invitation alphabet).
    pub code: String,
    pub expires_at: i64,
    /// Whether an earlier create with the same `Idempotency-Key` made it (its codes are new).
    pub replayed: bool,
}

/// What a redeemed code hands over.
#[derive(Debug, Clone)]
pub struct Redeemed {
    pub member: Member,
    pub token: member::MintedToken,
    pub progress: Option<Map<String, Value>>,
}

/// A create's `Idempotency-Key`: the key and the digest of the body it came with.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    pub key: String,
    pub body_digest: String,
}

/// Checks a progress object: at most [`MAX_PROGRESS_BYTES`] of JSON, and no image in it.
pub fn check_progress(progress: &Map<String, Value>) -> Result<String, GatewayError> {
    let text =
        serde_json::to_string(progress).map_err(|e| GatewayError::Internal(e.to_string()))?;
    if text.len() > MAX_PROGRESS_BYTES {
        return Err(GatewayError::bad_request(
            "Progress",
            format!(
                "is {} bytes of JSON; at most {MAX_PROGRESS_BYTES} are kept",
                text.len()
            ),
        ));
    }
    if carries_image(&Value::Object(progress.clone())) {
        return Err(GatewayError::bad_request(
            "Progress",
            "must not carry images (data: URLs): the phone captures its own",
        ));
    }
    Ok(text)
}

fn carries_image(value: &Value) -> bool {
    match value {
        Value::String(text) => text
            .get(..5)
            .is_some_and(|start| start.eq_ignore_ascii_case("data:")),
        Value::Array(items) => items.iter().any(carries_image),
        Value::Object(map) => map.values().any(carries_image),
        _ => false,
    }
}

/// Forgets what is no longer needed: the progress of hand-offs past their time, and hand-offs a
/// day past it.
fn tidy(c: &Connection, now: i64) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE handoffs SET progress = NULL WHERE expires_at <= ?1 AND progress IS NOT NULL",
        [now],
    )?;
    c.execute(
        "DELETE FROM handoffs WHERE expires_at <= ?1",
        [now - KEEP_AFTER_EXPIRY_SECONDS],
    )?;
    Ok(())
}

/// Creates a hand-off for `member`, or, for a key already used by this member with the same
/// body, gives that hand-off new codes (the old ones stop working: only the new ones were ever
/// seen by the one who sent the key again). A key already used with another body, or whose
/// hand-off is no longer waiting, is a 400 naming `Idempotency-Key`.
pub async fn create(
    db: &Db,
    member: Member,
    progress: Option<String>,
    key: Option<IdempotencyKey>,
    lifetime: Duration,
) -> Result<Created, GatewayError> {
    db.call(move |c| {
        let transaction = c.transaction()?;
        let now = unix_now();
        tidy(&transaction, now)?;
        let link_code = member::random_hex::<32>();
        let link_digest = member::digest(&link_code);
        if let Some(key) = &key {
            let found = transaction
                .query_row(
                    "SELECT id, idem_digest, expires_at, redeemed_at IS NULL AND cancelled_at IS NULL AND expires_at > ?4 \
                     FROM handoffs WHERE coworker_id = ?1 AND business_id = ?2 AND idem_key = ?3",
                    params![member.coworker_id, member.business_id, key.key, now],
                    |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, i64>(2)?,
                            row.get::<_, bool>(3)?,
                        ))
                    },
                )
                .optional()?;
            if let Some((id, digest, expires_at, waiting)) = found {
                if digest != key.body_digest {
                    return Err(GatewayError::bad_request(
                        "Idempotency-Key",
                        "was already used for another request: send a new key with a new request",
                    ));
                }
                if !waiting {
                    return Err(GatewayError::bad_request(
                        "Idempotency-Key",
                        "names a hand-off that was opened, cancelled or has expired: send a new key for a new hand-off",
                    ));
                }
                let code = fresh_code(|code| {
                    Ok(transaction.execute(
                        "UPDATE OR IGNORE handoffs SET link_digest = ?1, code_digest = ?2 WHERE id = ?3",
                        params![link_digest, member::digest(code), id],
                    )?)
                })?;
                transaction.commit()?;
                return Ok(Created {
                    id,
                    link_code,
                    code,
                    expires_at,
                    replayed: true,
                });
            }
        }
        let id = member::random_hex::<16>();
        let expires_at = now + lifetime.as_secs() as i64;
        let (idem_key, idem_digest) = match &key {
            Some(key) => (Some(key.key.clone()), Some(key.body_digest.clone())),
            None => (None, None),
        };
        let code = fresh_code(|code| {
            Ok(transaction.execute(
                "INSERT OR IGNORE INTO handoffs (id, link_digest, code_digest, coworker_id, business_id, progress, \
                 created_at, expires_at, idem_key, idem_digest) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    id,
                    link_digest,
                    member::digest(code),
                    member.coworker_id,
                    member.business_id,
                    progress,
                    now,
                    expires_at,
                    idem_key,
                    idem_digest
                ],
            )?)
        })?;
        transaction.commit()?;
        Ok(Created {
            id,
            link_code,
            code,
            expires_at,
            replayed: false,
        })
    })
    .await
}

/// Draws short codes until `write` stores one (a clash with a remembered code writes nothing).
fn fresh_code(
    mut write: impl FnMut(&str) -> Result<usize, GatewayError>,
) -> Result<String, GatewayError> {
    for _ in 0..16 {
        let code = new_code();
        if write(&code)? == 1 {
            return Ok(code);
        }
    }
    Err(GatewayError::Internal(
        "no free hand-off code after 16 draws".into(),
    ))
}

/// The digest a written code is looked up by: the short code as [`normalise`] reads it, or the
/// link's long code (trimmed, any case).
fn lookup(written: &str) -> Option<(&'static str, String)> {
    if let Some(code) = normalise(written) {
        return Some(("code_digest", member::digest(&code)));
    }
    let long = written.trim().to_ascii_lowercase();
    (long.len() == 64 && long.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| ("link_digest", member::digest(&long)))
}

/// Uses up a hand-off: for a live, unused, uncancelled code, a member token of its member (valid
/// `token_seconds`, recorded with the hand-off so cancelling revokes it) and its progress, which
/// the gateway then forgets. `None` for any other code.
pub async fn redeem(
    db: &Db,
    written: &str,
    token_seconds: i64,
) -> Result<Option<Redeemed>, GatewayError> {
    let Some((column, digest)) = lookup(written) else {
        return Ok(None);
    };
    db.call(move |c| {
        let transaction = c.transaction()?;
        let now = unix_now();
        let found = transaction
            .query_row(
                &format!(
                    "SELECT id, coworker_id, business_id, progress FROM handoffs WHERE {column} = ?1 \
                     AND redeemed_at IS NULL AND cancelled_at IS NULL AND expires_at > ?2"
                ),
                params![digest, now],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, i64>(1)?,
                        row.get::<_, i64>(2)?,
                        row.get::<_, Option<String>>(3)?,
                    ))
                },
            )
            .optional()?;
        let Some((id, coworker_id, business_id, progress)) = found else {
            return Ok(None);
        };
        let member = Member {
            coworker_id,
            business_id,
        };
        // Minted in the same transaction that uses the code up: a cancel either comes before
        // (and the code is refused) or after (and finds the token to revoke).
        let token = member::random_hex::<32>();
        let token_digest = member::digest(&token);
        transaction.execute(
            "INSERT INTO member_tokens (digest, coworker_id, business_id, expires_at) VALUES (?1, ?2, ?3, ?4)",
            params![token_digest, coworker_id, business_id, now + token_seconds],
        )?;
        transaction.execute(
            "UPDATE handoffs SET redeemed_at = ?1, token_digest = ?2, progress = NULL WHERE id = ?3",
            params![now, token_digest, id],
        )?;
        transaction.commit()?;
        let progress = progress
            .and_then(|text| serde_json::from_str::<Map<String, Value>>(&text).ok());
        Ok(Some(Redeemed {
            member,
            token: member::MintedToken {
                access_token: token,
                token_type: "bearer",
                expires_in: token_seconds,
            },
            progress,
        }))
    })
    .await
}

/// The member's hand-off `id`, or `None` whether it is another member's or does not exist.
pub async fn status(db: &Db, member: Member, id: &str) -> Result<Option<Status>, GatewayError> {
    let id = id.to_string();
    db.call(move |c| read_status(c, member, &id, unix_now()))
        .await
}

fn read_status(
    c: &Connection,
    member: Member,
    id: &str,
    now: i64,
) -> Result<Option<Status>, GatewayError> {
    Ok(c.query_row(
        "SELECT expires_at, redeemed_at, cancelled_at, submitted_at, check_id, document_id FROM handoffs \
         WHERE id = ?1 AND coworker_id = ?2 AND business_id = ?3",
        params![id, member.coworker_id, member.business_id],
        |row| {
            let expires_at: i64 = row.get(0)?;
            let opened_at: Option<i64> = row.get(1)?;
            let cancelled_at: Option<i64> = row.get(2)?;
            let submitted_at: Option<i64> = row.get(3)?;
            // What the phone did outranks the laptop's taking it back, which outranks the time.
            let state = if submitted_at.is_some() {
                HandoffState::Submitted
            } else if cancelled_at.is_some() {
                HandoffState::Cancelled
            } else if opened_at.is_some() {
                HandoffState::Opened
            } else if expires_at <= now {
                HandoffState::Expired
            } else {
                HandoffState::Waiting
            };
            Ok(Status {
                id: id.to_string(),
                state,
                expires_at,
                opened_at,
                submitted_at,
                check_id: row.get(4)?,
                document_id: row.get(5)?,
            })
        },
    )
    .optional()?)
}

/// Takes the member's hand-off `id` back: its codes are refused from now on and the phone's
/// token, if it was redeemed, is revoked. `None` whether it is another member's or does not exist.
pub async fn cancel(db: &Db, member: Member, id: &str) -> Result<Option<Status>, GatewayError> {
    let id = id.to_string();
    db.call(move |c| {
        let transaction = c.transaction()?;
        let now = unix_now();
        let token_digest = transaction
            .query_row(
                "SELECT token_digest FROM handoffs WHERE id = ?1 AND coworker_id = ?2 AND business_id = ?3",
                params![id, member.coworker_id, member.business_id],
                |row| row.get::<_, Option<String>>(0),
            )
            .optional()?;
        let Some(token_digest) = token_digest else {
            return Ok(None);
        };
        transaction.execute(
            "UPDATE handoffs SET cancelled_at = COALESCE(cancelled_at, ?1), progress = NULL WHERE id = ?2",
            params![now, id],
        )?;
        if let Some(token_digest) = token_digest {
            transaction.execute(
                "UPDATE member_tokens SET revoked = 1 WHERE digest = ?1",
                [token_digest],
            )?;
        }
        let status = read_status(&transaction, member, &id, now)?;
        transaction.commit()?;
        Ok(status)
    })
    .await
}

/// Records that the token with digest `token_digest` created document `document_id` on check
/// `check_id`: if it is a hand-off's phone token, that hand-off is now submitted (the latest
/// document counts).
pub async fn record_document(
    db: &Db,
    token_digest: String,
    check_id: i64,
    document_id: i64,
) -> Result<(), GatewayError> {
    db.call(move |c| {
        c.execute(
            "UPDATE handoffs SET check_id = ?1, document_id = ?2, submitted_at = ?3 \
             WHERE token_digest = ?4 AND cancelled_at IS NULL",
            params![check_id, document_id, unix_now(), token_digest],
        )?;
        Ok(())
    })
    .await
}

/// The digest of the request's bearer token, as member tokens are stored.
pub fn bearer_digest(headers: &axum::http::HeaderMap) -> Option<String> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| member::digest(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member() -> Member {
        Member {
            coworker_id: 2,
            business_id: 1,
        }
    }

    async fn db() -> Db {
        Db::open(&crate::config::Database::Memory).unwrap()
    }

    #[tokio::test]
    async fn either_code_is_redeemed_once_and_not_after_it_expires() {
        let db = db().await;
        for long in [true, false] {
            let created = create(&db, member(), Some("{\"Step\":3}".into()), None, LIFETIME)
                .await
                .unwrap();
            let written = if long {
                created.link_code.to_uppercase()
            } else {
                format!("{}-{}", &created.code[..4], &created.code[4..]).to_lowercase()
            };
            let redeemed = redeem(&db, &written, 3600).await.unwrap().expect("live");
            assert_eq!(redeemed.member, member());
            assert_eq!(redeemed.progress.unwrap()["Step"], 3);
            assert!(
                redeem(&db, &created.link_code, 3600)
                    .await
                    .unwrap()
                    .is_none()
            );
            assert!(redeem(&db, &created.code, 3600).await.unwrap().is_none());
            let status = status(&db, member(), &created.id).await.unwrap().unwrap();
            assert_eq!(status.state, HandoffState::Opened);
        }
        let expired = create(&db, member(), None, None, Duration::ZERO)
            .await
            .unwrap();
        assert!(redeem(&db, &expired.code, 3600).await.unwrap().is_none());
        let status = status(&db, member(), &expired.id).await.unwrap().unwrap();
        assert_eq!(status.state, HandoffState::Expired);
        let other = Member {
            coworker_id: 3,
            business_id: 1,
        };
        assert_eq!(self::status(&db, other, &expired.id).await.unwrap(), None);
    }

    #[tokio::test]
    async fn the_same_key_gives_the_same_hand_off_new_codes() {
        let db = db().await;
        let key = IdempotencyKey {
            key: "k1".into(),
            body_digest: "d1".into(),
        };
        let first = create(&db, member(), None, Some(key.clone()), LIFETIME)
            .await
            .unwrap();
        let again = create(&db, member(), None, Some(key.clone()), LIFETIME)
            .await
            .unwrap();
        assert_eq!(first.id, again.id);
        assert!(again.replayed);
        assert_ne!(first.link_code, again.link_code);
        assert!(redeem(&db, &first.link_code, 60).await.unwrap().is_none());
        assert!(redeem(&db, &again.code, 60).await.unwrap().is_some());
        // Used: the key now names a hand-off that is no longer waiting.
        assert!(
            create(&db, member(), None, Some(key), LIFETIME)
                .await
                .is_err()
        );
        let other_body = IdempotencyKey {
            key: "k2".into(),
            body_digest: "d1".into(),
        };
        create(&db, member(), None, Some(other_body.clone()), LIFETIME)
            .await
            .unwrap();
        let changed = IdempotencyKey {
            body_digest: "d2".into(),
            ..other_body
        };
        assert!(
            create(&db, member(), None, Some(changed), LIFETIME)
                .await
                .is_err()
        );
    }

    #[test]
    fn progress_is_bounded_and_carries_no_image() {
        let small: Map<String, Value> = serde_json::from_str(r#"{"a":[1,"x"]}"#).unwrap();
        assert!(check_progress(&small).is_ok());
        let mut big = Map::new();
        big.insert("a".into(), Value::String("x".repeat(MAX_PROGRESS_BYTES)));
        assert!(check_progress(&big).is_err());
        let image: Map<String, Value> =
            serde_json::from_str(r#"{"a":{"b":["DATA:image/png;base64,AAAA"]}}"#).unwrap();
        assert!(check_progress(&image).is_err());
    }
}
