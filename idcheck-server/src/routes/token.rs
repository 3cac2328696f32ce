//! `POST /api/token`: the OAuth2 password and refresh-token grants, form-encoded as Nexudus takes
//! them, and `POST /api/token/revoke`, OAuth2 token revocation (RFC 7009) beside it. Errors here
//! are OAuth-shaped (`{"error": …}`), not the envelope, as Nexudus answers.
//!
//! A password is verified (Argon2id, a dummy hash for an unknown login, so both take the same
//! time) on the blocking threads and outside the database lock; so is the upgrade of an older
//! hash after a successful sign-in. A refresh token renews once; presenting a spent one revokes
//! its family (see `auth::tokens`).

use axum::extract::{Form, FromRequest, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::auth::password;
use crate::auth::tokens::{self, ACCESS_TOKEN_SECONDS, Refresh};
use crate::error::ApiError;
use crate::routes::blocking;
use crate::state::AppState;
use crate::store;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/token", post(token))
        .route("/api/token/revoke", post(revoke))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenForm {
    grant_type: Option<String>,
    username: Option<String>,
    password: Option<String>,
    refresh_token: Option<String>,
}

fn unsupported() -> ApiError {
    ApiError::OAuth {
        status: StatusCode::BAD_REQUEST,
        error: "unsupported_grant_type",
        description: "Send grant_type=password or grant_type=refresh_token, form-encoded.",
    }
}

fn invalid_request(description: &'static str) -> ApiError {
    ApiError::OAuth {
        status: StatusCode::BAD_REQUEST,
        error: "invalid_request",
        description,
    }
}

fn invalid_grant(description: &'static str) -> ApiError {
    ApiError::OAuth {
        status: StatusCode::UNAUTHORIZED,
        error: "invalid_grant",
        description,
    }
}

fn is_form(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .trim()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        })
}

async fn token(State(state): State<AppState>, request: Request) -> Result<Response, ApiError> {
    // A JSON body carries no form field, so the grant type is unsupported: Nexudus's answer.
    if !is_form(&request) {
        return Err(unsupported());
    }
    let Form(form) = Form::<TokenForm>::from_request(request, &state)
        .await
        .map_err(|_| invalid_request("The form body could not be read."))?;

    let (user_id, family) = match form.grant_type.as_deref().map(str::trim) {
        Some("password") => {
            let (Some(username), Some(password)) = (form.username, form.password) else {
                return Err(invalid_request(
                    "The password grant needs username and password.",
                ));
            };
            (
                password_grant(&state, username.trim(), password).await?,
                None,
            )
        }
        Some("refresh_token") => {
            let Some(refresh) = form.refresh_token else {
                return Err(invalid_request(
                    "The refresh_token grant needs refresh_token.",
                ));
            };
            let outcome = state
                .db
                .call(move |c| {
                    let transaction = c.transaction()?;
                    let outcome = tokens::use_refresh(&transaction, refresh.trim())?;
                    transaction.commit()?;
                    Ok(outcome)
                })
                .await?;
            match outcome {
                Refresh::Renew { user_id, family } => (user_id, Some(family)),
                Refresh::Reused | Refresh::Invalid => {
                    return Err(invalid_grant(
                        "The refresh token is invalid or has expired.",
                    ));
                }
            }
        }
        _ => return Err(unsupported()),
    };
    issue_tokens(&state, user_id, family).await
}

/// The id of the user `username` names if `password` is theirs. The hash is read under the lock,
/// verified outside it; an unknown login costs the same verification (against a dummy hash).
async fn password_grant(
    state: &AppState,
    username: &str,
    password: String,
) -> Result<i64, ApiError> {
    let login = username.to_string();
    let stored = state
        .db
        .call(move |c| Ok(store::users::credentials(c, &login)?))
        .await?;
    let hash = stored.as_ref().map(|(_, hash)| hash.clone());
    let (verified, password) = blocking(move || {
        let verified = password::verify_or_dummy(&password, hash.as_deref());
        (verified, password)
    })
    .await?;
    let (Some((user_id, old_hash)), true) = (stored, verified) else {
        return Err(invalid_grant("The user name or password is incorrect."));
    };
    if password::needs_rehash(&old_hash) {
        let new_hash = blocking(move || password::hash_password(&password)).await?;
        state
            .db
            .call(move |c| {
                Ok(store::users::replace_password_hash(
                    c, user_id, &old_hash, &new_hash,
                )?)
            })
            .await?;
    }
    Ok(user_id)
}

async fn issue_tokens(
    state: &AppState,
    user_id: i64,
    family: Option<String>,
) -> Result<Response, ApiError> {
    let issued = state
        .db
        .call(move |c| {
            let transaction = c.transaction()?;
            if store::users::load(&transaction, user_id)?.is_none() {
                return Err(invalid_grant("The user no longer exists."));
            }
            let issued = tokens::issue(&transaction, user_id, family.as_deref())?;
            transaction.commit()?;
            Ok(issued)
        })
        .await?;
    let mut response = Json(json!({
        "access_token": issued.access,
        "token_type": "bearer",
        "expires_in": ACCESS_TOKEN_SECONDS,
        "refresh_token": issued.refresh,
    }))
    .into_response();
    no_store(&mut response);
    Ok(response)
}

/// Tokens must not sit in a cache (RFC 6749 §5.1).
fn no_store(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
        .headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RevokeForm {
    token: Option<String>,
    /// `access_token` or `refresh_token`; a hint only (RFC 7009 §2.1): the token says what it is.
    #[allow(dead_code)]
    token_type_hint: Option<String>,
}

/// RFC 7009: `token=…` (form-encoded) is revoked; 200 with an empty body whether or not it was a
/// live token, so the answer tells nothing of it. A refresh token takes its family with it.
async fn revoke(State(state): State<AppState>, request: Request) -> Result<Response, ApiError> {
    if !is_form(&request) {
        return Err(invalid_request(
            "Send token=… form-encoded (application/x-www-form-urlencoded).",
        ));
    }
    let Form(form) = Form::<RevokeForm>::from_request(request, &state)
        .await
        .map_err(|_| invalid_request("The form body could not be read."))?;
    let Some(token) = form.token.filter(|t| !t.trim().is_empty()) else {
        return Err(invalid_request("The revocation request needs token."));
    };
    state
        .db
        .call(move |c| {
            let transaction = c.transaction()?;
            tokens::revoke(&transaction, token.trim())?;
            transaction.commit()?;
            Ok(())
        })
        .await?;
    let mut response = StatusCode::OK.into_response();
    no_store(&mut response);
    Ok(response)
}
