//! `POST /api/token`: the OAuth2 password and refresh-token grants, form-encoded as Nexudus takes
//! them. Errors here are OAuth-shaped (`{"error": …}`), not the envelope, as Nexudus answers.

use axum::extract::{Form, FromRequest, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::auth::{self, ACCESS_TOKEN_SECONDS, AuthUser, REFRESH_TOKEN_SECONDS};
use crate::error::ApiError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/token", post(token))
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

async fn token(State(state): State<AppState>, request: Request) -> Result<Response, ApiError> {
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .trim()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    // A JSON body carries no form field, so the grant type is unsupported: Nexudus's answer.
    if !is_form {
        return Err(unsupported());
    }
    let Form(form) = Form::<TokenForm>::from_request(request, &state)
        .await
        .map_err(|_| invalid_request("The form body could not be read."))?;

    let user = match form.grant_type.as_deref().map(str::trim) {
        Some("password") => {
            let (Some(username), Some(password)) = (form.username, form.password) else {
                return Err(invalid_request(
                    "The password grant needs username and password.",
                ));
            };
            state
                .db
                .call(move |c| auth::user_for_password(c, username.trim(), &password))
                .await?
                .ok_or_else(|| invalid_grant("The user name or password is incorrect."))?
        }
        Some("refresh_token") => {
            let Some(refresh) = form.refresh_token else {
                return Err(invalid_request(
                    "The refresh_token grant needs refresh_token.",
                ));
            };
            state
                .db
                .call(move |c| {
                    let user = auth::user_for_token(c, refresh.trim(), "refresh")?;
                    if user.is_some() {
                        auth::revoke_token(c, refresh.trim())?;
                    }
                    Ok(user)
                })
                .await?
                .ok_or_else(|| invalid_grant("The refresh token is invalid or has expired."))?
        }
        _ => return Err(unsupported()),
    };
    issue_tokens(&state, user).await
}

async fn issue_tokens(state: &AppState, user: AuthUser) -> Result<Response, ApiError> {
    let access = auth::new_token();
    let refresh = auth::new_token();
    let (access_copy, refresh_copy) = (access.clone(), refresh.clone());
    state
        .db
        .call(move |c| {
            let transaction = c.transaction()?;
            auth::store_token(
                &transaction,
                &access_copy,
                "access",
                user.id,
                ACCESS_TOKEN_SECONDS,
            )?;
            auth::store_token(
                &transaction,
                &refresh_copy,
                "refresh",
                user.id,
                REFRESH_TOKEN_SECONDS,
            )?;
            transaction.commit()?;
            Ok(())
        })
        .await?;
    let mut response = Json(json!({
        "access_token": access,
        "token_type": "bearer",
        "expires_in": ACCESS_TOKEN_SECONDS,
        "refresh_token": refresh,
    }))
    .into_response();
    // Tokens must not sit in a cache (RFC 6749 §5.1).
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
        .headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(response)
}
