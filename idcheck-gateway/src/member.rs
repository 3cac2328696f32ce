//! Who is calling: a member, by a short-lived token bound to one coworker and business, or the
//! operator's back end, by the operator key. The two never stand in for each other: member tokens
//! live only in the database (by digest), the operator key only in the configuration.
//!
//! Handlers take a [`Member`] or an [`Operator`] as an argument, so a route without one does not
//! compile into something that reaches the upstream.

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::GatewayError;
use crate::state::AppState;
use crate::store::{Db, unix_now};

/// The default and the longest life of a member token, in seconds.
pub const DEFAULT_TOKEN_SECONDS: i64 = 900;
pub const MAX_TOKEN_SECONDS: i64 = 3600;
const MIN_TOKEN_SECONDS: i64 = 60;

/// A member, as their token says: every upstream call is scoped to these two ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    pub coworker_id: i64,
    pub business_id: i64,
}

/// The operator's back end, which presented the operator key.
#[derive(Debug, Clone, Copy)]
pub struct Operator;

/// A freshly minted member token, as the token endpoints answer it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MintedToken {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
}

/// The life a mint request asks for, within the allowed range.
pub fn token_lifetime(requested: Option<i64>) -> Result<i64, GatewayError> {
    match requested {
        None => Ok(DEFAULT_TOKEN_SECONDS),
        Some(seconds) if (MIN_TOKEN_SECONDS..=MAX_TOKEN_SECONDS).contains(&seconds) => Ok(seconds),
        Some(_) => Err(GatewayError::bad_request(
            "ExpiresInSeconds",
            format!("must be from {MIN_TOKEN_SECONDS} to {MAX_TOKEN_SECONDS} seconds"),
        )),
    }
}

/// Mints a token for `member`, valid `seconds`. Only its digest is stored.
pub async fn mint(db: &Db, member: Member, seconds: i64) -> Result<MintedToken, GatewayError> {
    let token = random_hex::<32>();
    let digest = digest(&token);
    db.call(move |c| {
        let now = unix_now();
        // Expired tokens are of no use; dropping them here keeps the table small.
        c.execute("DELETE FROM member_tokens WHERE expires_at <= ?1", [now])?;
        c.execute(
            "INSERT INTO member_tokens (digest, coworker_id, business_id, expires_at) VALUES (?1, ?2, ?3, ?4)",
            params![digest, member.coworker_id, member.business_id, now + seconds],
        )?;
        Ok(())
    })
    .await?;
    Ok(MintedToken {
        access_token: token,
        token_type: "bearer",
        expires_in: seconds,
    })
}

async fn member_for(db: &Db, token: String) -> Result<Option<Member>, GatewayError> {
    let digest = digest(&token);
    db.call(move |c| {
        Ok(c.query_row(
            "SELECT coworker_id, business_id FROM member_tokens WHERE digest = ?1 AND expires_at > ?2 AND revoked = 0",
            params![digest, unix_now()],
            |row| {
                Ok(Member {
                    coworker_id: row.get(0)?,
                    business_id: row.get(1)?,
                })
            },
        )
        .optional()?)
    })
    .await
}

fn bearer(parts: &Parts) -> Option<String> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
        .filter(|token| !token.is_empty())
}

impl FromRequestParts<AppState> for Member {
    type Rejection = GatewayError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or(GatewayError::Unauthorized(
            "Authorization has been denied for this request: send Authorization: Bearer <member token>.",
        ))?;
        member_for(&state.db, token)
            .await?
            .ok_or(GatewayError::Unauthorized(
                "The access token is invalid or has expired.",
            ))
    }
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = GatewayError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let given = bearer(parts).unwrap_or_default();
        if is_operator_key(state, &given) {
            Ok(Operator)
        } else {
            Err(GatewayError::Unauthorized(
                "This route needs the operator key: Authorization: Bearer <operator key>.",
            ))
        }
    }
}

/// Whether `given` is the operator key. Digests are compared in constant time: neither the key's
/// length nor a matching prefix shows in the time taken.
pub fn is_operator_key(state: &AppState, given: &str) -> bool {
    let expected = Sha256::digest(state.operator_key.expose().as_bytes());
    let presented = Sha256::digest(given.as_bytes());
    bool::from(expected.ct_eq(&presented))
}

/// Revokes `token` if it is a member token (nothing happens otherwise): its member is refused from
/// now on, as after it expired.
pub async fn revoke(db: &Db, token: &str) -> Result<(), GatewayError> {
    let digest = digest(token);
    db.call(move |c| {
        c.execute(
            "UPDATE member_tokens SET revoked = 1 WHERE digest = ?1",
            [digest],
        )?;
        Ok(())
    })
    .await
}

pub fn digest(text: &str) -> String {
    digest_bytes(text.as_bytes())
}

/// SHA-256, hex.
pub fn digest_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub fn random_hex<const N: usize>() -> String {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system has no random source");
    hex(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_are_bounded() {
        assert_eq!(token_lifetime(None).unwrap(), 900);
        assert_eq!(token_lifetime(Some(3600)).unwrap(), 3600);
        assert!(token_lifetime(Some(3601)).is_err());
        assert!(token_lifetime(Some(0)).is_err());
    }

    #[tokio::test]
    async fn a_minted_token_names_its_member_until_it_expires() {
        let db = Db::open(&crate::config::Database::Memory).unwrap();
        let member = Member {
            coworker_id: 7,
            business_id: 3,
        };
        let minted = mint(&db, member, 60).await.unwrap();
        assert_eq!(minted.access_token.len(), 64);
        assert_eq!(
            member_for(&db, minted.access_token.clone()).await.unwrap(),
            Some(member)
        );
        assert_eq!(member_for(&db, "forged".into()).await.unwrap(), None);
        let digest = digest(&minted.access_token);
        db.call(move |c| {
            c.execute(
                "UPDATE member_tokens SET expires_at = 0 WHERE digest = ?1",
                [digest],
            )?;
            Ok(())
        })
        .await
        .unwrap();
        assert_eq!(member_for(&db, minted.access_token).await.unwrap(), None);
    }
}
