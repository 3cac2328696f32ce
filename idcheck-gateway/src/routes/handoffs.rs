//! `/api/handoffs`: carrying on on a phone. The laptop (the member's token) creates a hand-off
//! and follows or cancels it; the phone redeems its code, without a token, for one of its own.

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use idcheck_core::date::format_unix_seconds;
use serde_json::{Map, Value, json};

use super::{JsonObject, canonical, code_to_redeem, typed};
use crate::error::GatewayError;
use crate::handoffs::{self, IdempotencyKey, Status};
use crate::idempotency;
use crate::member::{self, MAX_TOKEN_SECONDS, Member};
use crate::state::AppState;
use crate::store::unix_now;

const ENTITY: &str = "Handoff";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/handoffs", post(create))
        .route("/api/handoffs/redeem", post(redeem))
        .route("/api/handoffs/{id}", get(read).delete(cancel))
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateRequest {
    #[serde(default)]
    progress: Option<Map<String, Value>>,
}

/// A hand-off for the member; the same `Idempotency-Key` gives the same hand-off (with new codes).
async fn create(
    State(state): State<AppState>,
    member: Member,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Response, GatewayError> {
    let bytes = canonical(&body);
    // Validates the header as every create does; the hand-off keeps the key itself, since the
    // answer holds codes that are stored only as digests.
    let key = idempotency::key(&headers, member.coworker_id, "handoffs", &bytes)?.map(|_| {
        IdempotencyKey {
            key: headers
                .get(idempotency::HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .trim()
                .to_string(),
            body_digest: member::digest_bytes(&bytes),
        }
    });
    let request: CreateRequest = typed(&body)?;
    let progress = request
        .progress
        .as_ref()
        .map(handoffs::check_progress)
        .transpose()?;
    let created = handoffs::create(&state.db, member, progress, key, handoffs::LIFETIME).await?;
    let mut response = Json(json!({
        "Id": created.id,
        // The secret after the `#`: browsers never send a fragment, so no server, proxy or log on
        // the way sees it; the page takes it from there and removes it from the address bar.
        "Url": format!("{}/#handoff={}", state.public_url, created.link_code),
        "Code": created.code,
        "ExpiresAt": format_unix_seconds(created.expires_at),
        "ExpiresInSeconds": (created.expires_at - unix_now()).max(0),
    }))
    .into_response();
    if created.replayed {
        response
            .headers_mut()
            .insert(idempotency::REPLAYED, HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// The phone's side: a code for a token of the same member and the laptop's progress. Wrong codes
/// count towards the invitations' lock-out of the client.
async fn redeem(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    JsonObject(body): JsonObject,
) -> Result<Response, GatewayError> {
    let now = Instant::now();
    let code = code_to_redeem(&state, client.ip(), &body, now)?;
    // Nothing renews the phone's token (no portal signed it in), so it lasts the longest a member
    // token may; the laptop's DELETE revokes it sooner.
    let Some(redeemed) = handoffs::redeem(&state.db, &code, MAX_TOKEN_SECONDS).await? else {
        return Err(
            match state.lockouts.wrong_written_code(client.ip(), now, &code) {
                GatewayError::Validation(mut violations) => {
                    for violation in &mut violations {
                        violation.message =
                        "is not a valid hand-off code, or it was used, cancelled or has expired"
                            .into();
                    }
                    GatewayError::Validation(violations)
                }
                locked => locked,
            },
        );
    };
    state.lockouts.forgive(client.ip(), now);
    Ok(Json(json!({
        "access_token": redeemed.token.access_token,
        "token_type": redeemed.token.token_type,
        "expires_in": redeemed.token.expires_in,
        "CoworkerId": redeemed.member.coworker_id,
        "BusinessId": redeemed.member.business_id,
        "Progress": redeemed.progress,
    }))
    .into_response())
}

async fn read(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Response, GatewayError> {
    let status = handoffs::status(&state.db, member, &id)
        .await?
        .ok_or_else(|| GatewayError::not_found(ENTITY, &id))?;
    Ok(Json(answer(&status)).into_response())
}

async fn cancel(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Response, GatewayError> {
    let status = handoffs::cancel(&state.db, member, &id)
        .await?
        .ok_or_else(|| GatewayError::not_found(ENTITY, &id))?;
    Ok(Json(answer(&status)).into_response())
}

fn answer(status: &Status) -> Value {
    json!({
        "Id": status.id,
        "State": status.state.name(),
        "ExpiresAt": format_unix_seconds(status.expires_at),
        "OpenedAt": status.opened_at.map(format_unix_seconds),
        "SubmittedAt": status.submitted_at.map(format_unix_seconds),
        "CheckId": status.check_id,
        "DocumentId": status.document_id,
    })
}
