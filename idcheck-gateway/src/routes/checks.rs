//! `/api/spaces/coworkeridentitychecks` for a member: create their own check, fill in the one the
//! operator requested (PUT), read and list only their own.

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use axum::routing::get;
use idcheck_core::model::{VerificationStatus, VerificationType};
use idcheck_core::rules;
use idcheck_core::violation::Violation;
use serde_json::{Map, Value};

use super::{JsonObject, Resource, canonical, relay, today, typed};
use crate::error::GatewayError;
use crate::idempotency;
use crate::member::Member;
use crate::scope;
use crate::settle;
use crate::state::AppState;
use crate::upstream::Body;

/// The resource as the member reads it.
pub const RESOURCE: Resource = Resource {
    entity: "CoworkerIdentityCheck",
    upstream: "/spaces/coworkeridentitychecks",
    coworker_filter: "CoworkerIdentityCheck_Coworker",
    read_back: &[
        "BusinessId",
        "CoworkerId",
        "Name",
        "IdentityCheckProvider",
        "VerificationType",
        "IdentityDocumentType",
        "IdentityDocumentNumber",
        "IdentityDocumentIssuedBy",
        "IdentityDocumentExpirationDate",
        "AddressDocumentType",
        "Description",
    ],
};
const PATH: &str = "/api/spaces/coworkeridentitychecks";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(PATH, get(list).post(create).put(update))
        .route(&format!("{PATH}/{{id}}"), get(get_one))
}

/// Creates the member's check, once per `Idempotency-Key`.
async fn create(
    State(state): State<AppState>,
    member: Member,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Response, GatewayError> {
    let key = idempotency::key(&headers, member.coworker_id, "checks", &canonical(&body))?;
    idempotency::once(&state.db, key, create_once(&state, member, body)).await
}

async fn create_once(
    state: &AppState,
    member: Member,
    body: Map<String, Value>,
) -> Result<Response, GatewayError> {
    let body = scope::check_body(member, &body);
    member_rules(&body)?;
    let answer = settle::create(state, member, &RESOURCE, &[], body).await?;
    Ok(relay(member, answer))
}

/// The member's answers written into their own check while it waits for them: how a member
/// completes a check the operator requested. The record is read whole and written back whole,
/// because Nexudus has no PATCH.
async fn update(
    State(state): State<AppState>,
    member: Member,
    JsonObject(body): JsonObject,
) -> Result<Response, GatewayError> {
    let id = match body.get("Id") {
        Some(value) => value.as_i64().filter(|id| *id > 0).ok_or_else(|| {
            GatewayError::Validation(vec![Violation::invalid_choice("Id", value.clone())])
        })?,
        None => {
            return Err(GatewayError::Validation(vec![Violation::required(
                "Id",
                Value::Null,
            )]));
        }
    };
    let record = RESOURCE
        .own(&state, member, id)
        .await?
        .as_object()
        .cloned()
        .ok_or(GatewayError::Upstream)?;
    let status: VerificationStatus = record
        .get("VerificationStatus")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    if !scope::takes_answers(status) {
        let mut violation = Violation::invalid_choice("Id", id);
        violation.message = format!(
            "refers to a check that is {} and takes no answers now",
            status.api_name()
        );
        return Err(GatewayError::Validation(vec![violation]));
    }
    let requested: VerificationType = record
        .get("VerificationType")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    if let Some(given) = body.get("VerificationType")
        && requested != VerificationType::None
        && given.as_i64() != Some(i64::from(requested.code()))
    {
        let mut violation = Violation::invalid_choice("VerificationType", given.clone());
        violation.message = format!(
            "must stay {}: the check was requested for it",
            requested.api_name()
        );
        return Err(GatewayError::Validation(vec![violation]));
    }
    let merged = scope::merged_check(&record, &body);
    member_rules(&merged)?;
    let answer = state
        .upstream
        .nexudus(
            Method::PUT,
            RESOURCE.upstream,
            Body::Json(Value::Object(merged)),
        )
        .await?;
    Ok(relay(member, answer))
}

/// The member rules of the core: the fields the verification type requires, an expiry ahead.
fn member_rules(body: &Map<String, Value>) -> Result<(), GatewayError> {
    let violations = rules::check_identity_check(&typed(body)?, today());
    if violations.is_empty() {
        Ok(())
    } else {
        Err(GatewayError::Validation(violations))
    }
}

async fn get_one(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Response, GatewayError> {
    RESOURCE.read_one(&state, member, &id).await
}

async fn list(
    State(state): State<AppState>,
    member: Member,
    RawQuery(query): RawQuery,
) -> Result<Response, GatewayError> {
    RESOURCE.list(&state, member, query.as_deref()).await
}
