//! Users, roles, salted password hashes and bearer tokens, and the middleware that turns a request's
//! `Authorization` header into the user handlers see.
//!
//! Tokens are opaque random strings; only their SHA-256 digest is stored, so a copy of the database
//! does not hand out live tokens.

use std::marker::PhantomData;
use std::net::SocketAddr;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::{Method, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use pbkdf2::pbkdf2_hmac;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, MASSTACK_PREFIX};
use crate::faults::TEST_PREFIX;
use crate::ratelimit::retry_after_secs;
use crate::state::AppState;

/// Seconds an access token lives, as Nexudus answers in `expires_in`.
pub const ACCESS_TOKEN_SECONDS: i64 = 604_799;
/// A refresh token outlives its access token so a client can renew after a week away.
pub const REFRESH_TOKEN_SECONDS: i64 = 30 * 24 * 60 * 60;

/// PBKDF2-HMAC-SHA256 iterations. Modest because the server runs unoptimised (dev profile) and the
/// tests log in often; the count is stored in each hash, so raising it later needs no migration.
const PBKDF2_ROUNDS: u32 = 10_000;

/// The roles the seeds name; a full unrestricted administrator holds them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    CheckCreate,
    CheckRead,
    CheckList,
    CheckEdit,
    CheckDelete,
    DocumentCreate,
    DocumentRead,
    DocumentList,
    DocumentEdit,
    DocumentDelete,
}

impl Role {
    pub const ALL: &'static [Role] = &[
        Role::CheckCreate,
        Role::CheckRead,
        Role::CheckList,
        Role::CheckEdit,
        Role::CheckDelete,
        Role::DocumentCreate,
        Role::DocumentRead,
        Role::DocumentList,
        Role::DocumentEdit,
        Role::DocumentDelete,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::CheckCreate => "CoworkerIdentityCheck-Create",
            Role::CheckRead => "CoworkerIdentityCheck-Read",
            Role::CheckList => "CoworkerIdentityCheck-List",
            Role::CheckEdit => "CoworkerIdentityCheck-Edit",
            Role::CheckDelete => "CoworkerIdentityCheck-Delete",
            Role::DocumentCreate => "CoworkerIdentityCheckDocument-Create",
            Role::DocumentRead => "CoworkerIdentityCheckDocument-Read",
            Role::DocumentList => "CoworkerIdentityCheckDocument-List",
            Role::DocumentEdit => "CoworkerIdentityCheckDocument-Edit",
            Role::DocumentDelete => "CoworkerIdentityCheckDocument-Delete",
        }
    }
}

/// The user a valid bearer token belongs to.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: i64,
    pub email: String,
    pub is_admin: bool,
    pub roles: Vec<String>,
}

impl AuthUser {
    pub fn has(&self, role: Role) -> bool {
        self.is_admin || self.roles.iter().any(|r| r == role.name())
    }

    /// 403 naming the missing role.
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.has(role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden {
                user: self.email.clone(),
                role: role.name(),
            })
        }
    }

    /// 403 unless the user holds at least one of `roles` (naming the first).
    pub fn require_any(&self, roles: &[Role]) -> Result<(), ApiError> {
        match roles.iter().find(|role| self.has(**role)) {
            Some(_) => Ok(()),
            None => Err(ApiError::Forbidden {
                user: self.email.clone(),
                role: roles[0].name(),
            }),
        }
    }
}

/// What an endpoint demands of its user; see [`can`].
pub trait NeedsRole {
    /// Any one of these roles will do.
    const ROLES: &'static [Role];
}

/// The request's user, holding a role `R` accepts: an extractor, so the 401 and 403 are decided
/// before the body is read, and a handler cannot forget the check.
pub struct Authorized<R: NeedsRole>(pub AuthUser, pub PhantomData<R>);

impl<S: Send + Sync, R: NeedsRole> FromRequestParts<S> for Authorized<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = AuthUser::from_request_parts(parts, state).await?;
        user.require_any(R::ROLES)?;
        Ok(Authorized(user, PhantomData))
    }
}

/// The role markers of the endpoints, named after what they allow.
pub mod can {
    use super::{NeedsRole, Role};

    macro_rules! markers {
        ($($(#[$doc:meta])* $name:ident => [$($role:ident),+];)+) => {
            $(
                $(#[$doc])*
                pub struct $name;
                impl NeedsRole for $name {
                    const ROLES: &'static [Role] = &[$(Role::$role),+];
                }
            )+
        };
    }

    markers! {
        CreateCheck => [CheckCreate];
        ReadCheck => [CheckRead];
        ListChecks => [CheckList];
        EditCheck => [CheckEdit];
        DeleteCheck => [CheckDelete];
        CreateDocument => [DocumentCreate];
        ReadDocument => [DocumentRead];
        ListDocuments => [DocumentList];
        EditDocument => [DocumentEdit];
        DeleteDocument => [DocumentDelete];
        /// Uploading is the first step of creating either record.
        Upload => [CheckCreate, DocumentCreate];
    }
}

/// What the middleware learnt from the `Authorization` header, kept in the request's extensions.
#[derive(Debug, Clone)]
enum Authentication {
    Missing,
    Invalid,
    User(AuthUser),
}

impl<S: Send + Sync> FromRequestParts<S> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Authentication>() {
            Some(Authentication::User(user)) => Ok(user.clone()),
            Some(Authentication::Invalid) => Err(ApiError::Unauthorized(
                "The access token is invalid or has expired.",
            )),
            Some(Authentication::Missing) | None => Err(ApiError::Unauthorized(
                "Authorization has been denied for this request: send Authorization: Bearer <access_token>.",
            )),
        }
    }
}

/// Resolves the bearer token, then applies the rate limits keyed by that user (or by the client's
/// address when there is no user, which is how `/api/token` is keyed).
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let is_api = path.starts_with("/api/") || path.starts_with(MASSTACK_PREFIX);
    if !is_api || path.starts_with(TEST_PREFIX) || request.method() == Method::OPTIONS {
        return next.run(request).await;
    }
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, token) = value.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_string())
        });
    let authentication = match token {
        None => Authentication::Missing,
        Some(token) => match state
            .db
            .call(move |c| user_for_token(c, &token, "access"))
            .await
        {
            Ok(Some(user)) => Authentication::User(user),
            Ok(None) => Authentication::Invalid,
            Err(err) => return err.into_response(),
        },
    };

    let key = match &authentication {
        Authentication::User(user) => format!("user:{}", user.id),
        _ => {
            let address = request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip().to_string())
                .unwrap_or_else(|| "unknown".into());
            format!("ip:{address}")
        }
    };
    let is_write = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::DELETE | Method::PATCH
    );
    if let Err(wait) = state.limiter.check(&key, is_write, Instant::now()) {
        return ApiError::RateLimited {
            retry_after_secs: retry_after_secs(wait),
        }
        .into_response();
    }

    request.extensions_mut().insert(authentication);
    next.run(request).await
}

/// A salted hash in the form `pbkdf2-sha256$ROUNDS$SALT$HASH` (hex).
pub fn hash_password(password: &str) -> String {
    let salt = random_bytes::<16>();
    let hash = derive(password, &salt, PBKDF2_ROUNDS);
    format!(
        "pbkdf2-sha256${PBKDF2_ROUNDS}${}${}",
        hex(&salt),
        hex(&hash)
    )
}

pub fn verify_password(password: &str, stored: &str) -> bool {
    let mut parts = stored.split('$');
    let (Some("pbkdf2-sha256"), Some(rounds), Some(salt), Some(hash), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let (Ok(rounds), Some(salt), Some(hash)) = (rounds.parse::<u32>(), unhex(salt), unhex(hash))
    else {
        return false;
    };
    let derived = derive(password, &salt, rounds);
    // Compare every byte so the time taken does not tell how much of the hash matched.
    derived.len() == hash.len()
        && derived
            .iter()
            .zip(&hash)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

fn derive(password: &str, salt: &[u8], rounds: u32) -> [u8; 32] {
    let mut out = [0u8; 32];
    pbkdf2_hmac::<Sha256>(password.as_bytes(), salt, rounds, &mut out);
    out
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system has no random source");
    bytes
}

/// A new opaque token: 256 random bits, hex.
pub fn new_token() -> String {
    hex(&random_bytes::<32>())
}

fn digest(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Stores a token of `kind` for `user_id`, valid `seconds` from now.
pub fn store_token(
    c: &Connection,
    token: &str,
    kind: &str,
    user_id: i64,
    seconds: i64,
) -> rusqlite::Result<()> {
    let now = unix_now();
    // Expired tokens are useless; dropping them here keeps the table from growing forever.
    c.execute("DELETE FROM tokens WHERE expires_at <= ?1", [now])?;
    c.execute(
        "INSERT INTO tokens (digest, kind, user_id, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![digest(token), kind, user_id, now + seconds],
    )?;
    Ok(())
}

/// Removes a refresh token once used, so each one renews exactly once.
pub fn revoke_token(c: &Connection, token: &str) -> rusqlite::Result<()> {
    c.execute("DELETE FROM tokens WHERE digest = ?1", [digest(token)])?;
    Ok(())
}

/// The user a live token of `kind` belongs to.
pub fn user_for_token(
    c: &mut Connection,
    token: &str,
    kind: &str,
) -> Result<Option<AuthUser>, ApiError> {
    let user_id: Option<i64> = c
        .query_row(
            "SELECT user_id FROM tokens WHERE digest = ?1 AND kind = ?2 AND expires_at > ?3",
            params![digest(token), kind, unix_now()],
            |row| row.get(0),
        )
        .optional()?;
    match user_id {
        Some(id) => load_user(c, id),
        None => Ok(None),
    }
}

pub fn load_user(c: &Connection, id: i64) -> Result<Option<AuthUser>, ApiError> {
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

/// The user whose e-mail and password match.
pub fn user_for_password(
    c: &Connection,
    email: &str,
    password: &str,
) -> Result<Option<AuthUser>, ApiError> {
    let found = c
        .query_row(
            "SELECT id, password_hash FROM users WHERE email = ?1",
            [email],
            |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)),
        )
        .optional()?;
    match found {
        Some((id, stored)) if verify_password(password, &stored) => load_user(c, id),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_salted_hash_only() {
        let stored = hash_password("secret");
        assert!(verify_password("secret", &stored));
        assert!(!verify_password("Secret", &stored));
        assert_ne!(
            stored,
            hash_password("secret"),
            "each hash has its own salt"
        );
        assert!(!verify_password("secret", "plain"));
        assert!(!verify_password("secret", "pbkdf2-sha256$x$00$00"));
    }

    #[test]
    fn tokens_are_long_and_distinct() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(unhex(&hex(&[0, 1, 254])), Some(vec![0, 1, 254]));
        assert_eq!(unhex("0"), None);
    }

    #[test]
    fn administrators_hold_every_role() {
        let admin = AuthUser {
            id: 1,
            email: "a".into(),
            is_admin: true,
            roles: vec![],
        };
        assert!(Role::ALL.iter().all(|r| admin.has(*r)));
        let member = AuthUser {
            id: 2,
            email: "m".into(),
            is_admin: false,
            roles: vec![Role::CheckRead.name().into()],
        };
        assert!(member.require(Role::CheckRead).is_ok());
        assert!(member.require(Role::CheckEdit).is_err());
        assert!(
            member
                .require_any(&[Role::DocumentCreate, Role::CheckRead])
                .is_ok()
        );
    }
}
