//! `POST /api/check-requests` (the operator key): the operator asks a member for an identity check,
//! a proof of address, or both, as the Nexudus portal does. The Pending checks are created upstream
//! at once, and the answer is a single-use invitation (a link and a short code) for the member,
//! who then completes those checks instead of creating new ones.

use axum::extract::State;
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing::post};
use idcheck_core::model::{IdentityCheckProvider, VerificationType};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::tokens::named_member;
use super::{JsonObject, canonical, checks, relay, typed, unexpected};
use crate::error::GatewayError;
use crate::idempotency::{self, OPERATOR_SCOPE};
use crate::invitations::{self, RequestedCheck, Verify};
use crate::member::Operator;
use crate::state::AppState;
use crate::upstream::Body;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/check-requests", post(request))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CheckRequest {
    coworker_id: Option<i64>,
    business_id: Option<i64>,
    verify: Option<String>,
}

/// Requests the checks, once per `Idempotency-Key`.
async fn request(
    State(state): State<AppState>,
    _operator: Operator,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Response, GatewayError> {
    let key = idempotency::key(
        &headers,
        OPERATOR_SCOPE,
        "check-requests",
        &canonical(&body),
    )?;
    idempotency::once(&state.db, key, request_once(&state, body)).await
}

async fn request_once(
    state: &AppState,
    body: Map<String, Value>,
) -> Result<Response, GatewayError> {
    let request: CheckRequest = typed(&body)?;
    let member = named_member(request.coworker_id, request.business_id)?;
    let verify = match request.verify.as_deref() {
        Some("identity") => Verify::Identity,
        Some("address") => Verify::Address,
        Some("both") => Verify::Both,
        other => {
            let mut violation = idcheck_core::violation::Violation::invalid_choice(
                "Verify",
                other.map_or(Value::Null, Value::from),
            );
            violation.message = "must be identity, address or both".into();
            return Err(GatewayError::Validation(vec![violation]));
        }
    };
    let types: &[(VerificationType, &str)] = match verify {
        Verify::Identity => &[(VerificationType::IdDocument, "Identity check")],
        Verify::Address => &[(VerificationType::Address, "Proof of address")],
        Verify::Both => &[
            (VerificationType::IdDocument, "Identity check"),
            (VerificationType::Address, "Proof of address"),
        ],
    };
    let mut checks = Vec::new();
    for &(verification_type, name) in types {
        let body = json!({
            "BusinessId": member.business_id,
            "CoworkerId": member.coworker_id,
            "Name": name,
            "VerificationType": verification_type.code(),
            "IdentityCheckProvider": IdentityCheckProvider::Manual.code(),
            "Description": "Requested by the operator; the member completes it with idcheck.",
        });
        let answer = state
            .upstream
            .nexudus(Method::POST, checks::RESOURCE.upstream, Body::Json(body))
            .await?;
        if answer.status.as_u16() == 400 {
            // The upstream's own refusal (an unknown coworker…) is the operator's to read.
            return Ok(relay(member, answer));
        }
        let id = answer
            .is_success()
            .then(|| answer.json())
            .flatten()
            .and_then(|value| value.pointer("/Value/Id").and_then(Value::as_i64))
            .ok_or_else(|| unexpected(&answer))?;
        checks.push(RequestedCheck {
            id,
            verification_type: verification_type.code(),
        });
    }
    let (code, expires_at) = invitations::create(
        &state.db,
        member,
        verify,
        checks.clone(),
        state.invitation_lifetime,
    )
    .await?;
    Ok(Json(json!({
        "Checks": checks,
        "Invitation": {
            "Code": code,
            "Url": format!("{}/?invitation={code}", state.public_url),
            "ExpiresOn": idcheck_core::date::format_unix_seconds(expires_at),
        },
    }))
    .into_response())
}
