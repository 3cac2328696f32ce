//! How members get tokens: minted for the operator's back end (`POST /api/member-tokens`, with the
//! operator key), exchanged for an invitation code (`POST /api/invitations/redeem`, by anyone who
//! holds the code), or, in development only, minted for the example portal's demo member.

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::{JsonObject, code_to_redeem, typed};
use crate::error::GatewayError;
use crate::invitations;
use crate::member::{self, DEFAULT_TOKEN_SECONDS, MAX_TOKEN_SECONDS, Member, Operator};
use crate::state::AppState;

pub fn router(demo_portal: bool) -> Router<AppState> {
    let router = Router::new()
        .route("/api/member-tokens", post(mint))
        .route("/api/invitations/redeem", post(redeem));
    if demo_portal {
        router.route("/portal/member-token", post(demo_portal_token))
    } else {
        router
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MintRequest {
    coworker_id: Option<i64>,
    business_id: Option<i64>,
    expires_in_seconds: Option<i64>,
}

/// The member a body names by `CoworkerId` and `BusinessId`, both required and positive.
pub fn named_member(
    coworker_id: Option<i64>,
    business_id: Option<i64>,
) -> Result<Member, GatewayError> {
    let id = |property: &str, id: Option<i64>| match id {
        Some(id) if id > 0 => Ok(id),
        Some(id) => Err(GatewayError::Validation(vec![
            idcheck_core::violation::Violation::not_positive(property, id),
        ])),
        None => Err(GatewayError::Validation(vec![
            idcheck_core::violation::Violation::required(property, serde_json::Value::Null),
        ])),
    };
    Ok(Member {
        coworker_id: id("CoworkerId", coworker_id)?,
        business_id: id("BusinessId", business_id)?,
    })
}

async fn mint(
    State(state): State<AppState>,
    _operator: Operator,
    JsonObject(body): JsonObject,
) -> Result<Response, GatewayError> {
    let request: MintRequest = typed(&body)?;
    let member = named_member(request.coworker_id, request.business_id)?;
    let seconds = member::token_lifetime(request.expires_in_seconds)?;
    let minted = member::mint(&state.db, member, seconds).await?;
    Ok(Json(minted).into_response())
}

async fn redeem(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    JsonObject(body): JsonObject,
) -> Result<Response, GatewayError> {
    let now = Instant::now();
    let code = code_to_redeem(&state, client.ip(), &body, now)?;
    let Some(redeemed) = invitations::redeem(&state.db, &code).await? else {
        return Err(state.lockouts.wrong_written_code(client.ip(), now, &code));
    };
    state.lockouts.forgive(client.ip(), now);
    // No token provider renews it (the code was single-use), so it lasts the longest a member
    // token may: time for a member to find their documents and finish.
    let minted = member::mint(&state.db, redeemed.member, MAX_TOKEN_SECONDS).await?;
    Ok(Json(json!({
        "access_token": minted.access_token,
        "token_type": minted.token_type,
        "expires_in": minted.expires_in,
        "CoworkerId": redeemed.member.coworker_id,
        "BusinessId": redeemed.member.business_id,
        "Verify": redeemed.verify.name(),
        "Checks": redeemed.checks,
    }))
    .into_response())
}

/// Development only (`--demo-portal`): stands in for the example portal's back end, which would
/// call `POST /api/member-tokens` with the operator key for the member signed in to the portal.
async fn demo_portal_token(State(state): State<AppState>) -> Result<Response, GatewayError> {
    let (coworker_id, business_id) = state.demo_portal.ok_or(GatewayError::RouteNotFound)?;
    let member = Member {
        coworker_id,
        business_id,
    };
    let minted = member::mint(&state.db, member, DEFAULT_TOKEN_SECONDS).await?;
    Ok(Json(minted).into_response())
}
