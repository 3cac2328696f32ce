//! MasStack identifications for a member (seed 004). Creating and cancelling are administrator
//! calls upstream, so the gateway makes them with the operator's token, records which member
//! created each identification, and lets only that member read or cancel it. The actor's
//! `validate` is not a member call and is not offered.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use axum::routing::{get, post};
use idcheck_core::masstack::{
    CancelIdentificationRequest, CreateIdentityDocumentIdentificationRequest,
    validate_cancel_request, validate_create_request,
};
use rusqlite::{OptionalExtension, params};
use serde_json::{Map, Value};

use super::{JsonObject, canonical, relay, typed};
use crate::error::GatewayError;
use crate::idempotency;
use crate::member::Member;
use crate::settle;
use crate::state::AppState;
use crate::upstream::Body;

const ENTITY: &str = "identification";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/orgs/{org}/identifications/identity_document",
            post(create),
        )
        .route(
            "/v1/orgs/{org}/identifications/identity_document/{id}",
            get(get_one).delete(cancel),
        )
}

fn upstream_path(org: &str, id: Option<&str>) -> String {
    let base = format!("/orgs/{org}/identifications/identity_document");
    match id {
        Some(id) => format!("{base}/{id}"),
        None => base,
    }
}

/// An org or id as a path segment: anything else names nothing (and must not reach the upstream's
/// path).
fn segment(text: &str) -> Option<&str> {
    (!text.is_empty()
        && text.len() <= 100
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    .then_some(text)
}

/// Creates an identification for the member, once per `Idempotency-Key`.
async fn create(
    State(state): State<AppState>,
    member: Member,
    Path(org): Path<String>,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Response, GatewayError> {
    let key = idempotency::key(
        &headers,
        member.coworker_id,
        "masstack.identifications",
        &canonical(&body),
    )?;
    idempotency::once(&state.db, key, create_once(&state, member, org, body)).await
}

async fn create_once(
    state: &AppState,
    member: Member,
    org: String,
    body: Map<String, Value>,
) -> Result<Response, GatewayError> {
    let org = segment(&org)
        .ok_or_else(|| GatewayError::not_found("org", &org))?
        .to_string();
    let request: CreateIdentityDocumentIdentificationRequest = typed(&body)?;
    validate_create_request(&request).map_err(GatewayError::MasValidation)?;
    let answer = settle::masstack_create(state, &upstream_path(&org, None), body).await?;
    if answer.is_success() {
        let id = settle::identification_id(&answer).ok_or(GatewayError::Unsettled)?;
        let coworker = member.coworker_id;
        state
            .db
            .call(move |c| {
                c.execute(
                    "INSERT OR REPLACE INTO identifications (org, id, coworker_id) VALUES (?1, ?2, ?3)",
                    params![org, id, coworker],
                )?;
                Ok(())
            })
            .await?;
    }
    Ok(relay(member, answer))
}

/// The identification's path upstream, if `member` created it.
async fn own(
    state: &AppState,
    member: Member,
    org: &str,
    id: &str,
) -> Result<String, GatewayError> {
    let (Some(org), Some(id)) = (segment(org), segment(id)) else {
        return Err(GatewayError::not_found(ENTITY, id));
    };
    let (key_org, key_id, coworker) = (org.to_string(), id.to_string(), member.coworker_id);
    let owned = state
        .db
        .call(move |c| {
            Ok(c.query_row(
                "SELECT 1 FROM identifications WHERE org = ?1 AND id = ?2 AND coworker_id = ?3",
                params![key_org, key_id, coworker],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
        })
        .await?;
    if owned {
        Ok(upstream_path(org, Some(id)))
    } else {
        Err(GatewayError::not_found(ENTITY, id))
    }
}

async fn get_one(
    State(state): State<AppState>,
    member: Member,
    Path((org, id)): Path<(String, String)>,
) -> Result<Response, GatewayError> {
    let path = own(&state, member, &org, &id).await?;
    let answer = state
        .upstream
        .masstack(Method::GET, &path, Body::None)
        .await?;
    Ok(super::private(relay(member, answer)))
}

async fn cancel(
    State(state): State<AppState>,
    member: Member,
    Path((org, id)): Path<(String, String)>,
    JsonObject(body): JsonObject,
) -> Result<Response, GatewayError> {
    let path = own(&state, member, &org, &id).await?;
    let request: CancelIdentificationRequest = typed(&body)?;
    validate_cancel_request(&request).map_err(GatewayError::MasValidation)?;
    let answer = state
        .upstream
        .masstack(Method::DELETE, &path, Body::Json(Value::Object(body)))
        .await?;
    Ok(relay(member, answer))
}
