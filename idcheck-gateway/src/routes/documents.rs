//! `/api/spaces/coworkeridentitycheckdocuments` for a member: attach a document to their own
//! check (with every image the check's type requires), read and list their own, and download the
//! files of their own documents.

use axum::Router;
use axum::body::Body as ResponseBody;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use idcheck_core::files::Accepts;
use idcheck_core::model::{
    CoworkerIdentityCheck, NewCoworkerIdentityCheck, NewCoworkerIdentityCheckDocument,
    VerificationStatus,
};
use idcheck_core::rules;
use idcheck_core::slots::Slot;
use idcheck_core::violation::{Violation, ViolationCode};
use serde_json::{Map, Value};

use super::checks;
use super::{
    JsonObject, Resource, canonical, load_own, parse_id, relay, typed, unexpected, uploads,
};
use crate::error::GatewayError;
use crate::handoffs;
use crate::idempotency;
use crate::member::Member;
use crate::scope;
use crate::settle;
use crate::state::AppState;
use crate::upstream::Body;

/// The resource as the member reads it.
pub const RESOURCE: Resource = Resource {
    entity: "CoworkerIdentityCheckDocument",
    upstream: "/spaces/coworkeridentitycheckdocuments",
    coworker_filter: "CoworkerIdentityCheckDocument_Coworker",
    // The `New…Url`s are write-only: a read names the stored files instead.
    read_back: &["CoworkerId", "CoworkerIdentityCheckId", "Name", "Notes"],
};
const PATH: &str = "/api/spaces/coworkeridentitycheckdocuments";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(PATH, get(list).post(create))
        .route(&format!("{PATH}/{{id}}"), get(get_one))
        .route(&format!("{PATH}/{{id}}/files/{{slot}}"), get(download))
}

/// Attaches a document to the member's check, once per `Idempotency-Key`.
async fn create(
    State(state): State<AppState>,
    member: Member,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Response, GatewayError> {
    let key = idempotency::key(&headers, member.coworker_id, "documents", &canonical(&body))?;
    let token = handoffs::bearer_digest(&headers);
    idempotency::once(&state.db, key, create_once(&state, member, token, body)).await
}

async fn create_once(
    state: &AppState,
    member: Member,
    token: Option<String>,
    body: Map<String, Value>,
) -> Result<Response, GatewayError> {
    let mut body = scope::document_body(member, &body);
    let document: NewCoworkerIdentityCheckDocument = typed(&body)?;
    let mut violations = rules::check_identity_check_document(&document);

    // The parent must be the member's own check, still waiting for a document.
    let parent = match document.coworker_identity_check_id.filter(|id| *id > 0) {
        Some(id) => {
            let parent = load_own(
                state,
                member,
                &format!("{}/{id}", checks::RESOURCE.upstream),
            )
            .await?;
            let parent = parent
                .and_then(|record| serde_json::from_value::<CoworkerIdentityCheck>(record).ok());
            match &parent {
                None => {
                    violations.push(Violation::unknown_reference("CoworkerIdentityCheckId", id))
                }
                Some(check)
                    if matches!(
                        check.verification_status,
                        VerificationStatus::Successful | VerificationStatus::Cancelled
                    ) =>
                {
                    let mut violation = Violation::invalid_choice("CoworkerIdentityCheckId", id);
                    violation.message = format!(
                        "refers to a check that is {} and takes no more documents",
                        check.verification_status.api_name()
                    );
                    violations.push(violation);
                }
                Some(check) => violations.extend(unanswered(check, id)),
            }
            parent
        }
        None => None,
    };

    // Each image must be the member's own upload (or a data: URL); it is named by its URL here. A
    // PDF only where the check's document takes one (an address document's pages).
    let kind = parent
        .as_ref()
        .and_then(CoworkerIdentityCheck::document_kind);
    let mut present = Vec::new();
    let mut named_uploads = Vec::new();
    for slot in Slot::ALL {
        let Some(url) = document.new_url(slot) else {
            continue;
        };
        let property = slot.new_url_property();
        let accepts = kind.map_or(Accepts::Images, |kind| Accepts::for_slot(kind, slot));
        match uploads::upstream_url(state, member, property, url, accepts).await? {
            Ok(named) => {
                body.insert(property.to_string(), Value::String(named.url));
                named_uploads.extend(named.upload);
                present.push(slot);
            }
            Err(violation) => violations.push(violation),
        }
    }
    // Every image the check's document type requires, as the member rules say.
    if let Some(kind) = kind {
        let refused: Vec<&str> = violations.iter().map(|v| v.property.as_str()).collect();
        let missing: Vec<Violation> = rules::check_document_files(kind, &present)
            .into_iter()
            .filter(|v| !refused.contains(&v.property.as_str()))
            .collect();
        violations.extend(missing);
    }
    if !violations.is_empty() {
        return Err(GatewayError::Validation(violations));
    }
    // The check narrows the look-up should the answer be lost; it was checked to be set above.
    let check = document.coworker_identity_check_id.unwrap_or_default();
    let filters = [("CoworkerIdentityCheckDocument_CoworkerIdentityCheck", check)];
    let answer = settle::create(state, member, &RESOURCE, &filters, body).await?;
    // Stored: Nexudus has its copies, so the gateway keeps none. A refusal keeps them for the retry.
    if answer.is_success() {
        uploads::delete(&state.db, named_uploads).await?;
        // A phone's token (a hand-off's) marks its hand-off submitted, for the laptop to see.
        let id = answer
            .json()
            .and_then(|value| value.pointer("/Value/Id").and_then(Value::as_i64));
        // The document is stored whatever happens here: a failure is logged, never answered.
        if let (Some(token), Some(id)) = (token, id)
            && let Err(err) = handoffs::record_document(&state.db, token, check, id).await
        {
            eprintln!("idcheck-gateway: a hand-off's document was not recorded: {err:?}");
        }
    }
    Ok(relay(member, answer))
}

/// A check must hold the member's answers before a document completes it: a check the operator
/// requested starts without them. An expiry that has passed since the answers were given does not
/// count here: the check took them when they were valid, and its review decides.
fn unanswered(check: &CoworkerIdentityCheck, id: i64) -> Option<Violation> {
    let as_written = NewCoworkerIdentityCheck {
        business_id: Some(check.business_id),
        coworker_id: Some(check.coworker_id),
        name: Some(check.name.clone()),
        identity_check_provider: Some(check.identity_check_provider),
        identity_document_type: Some(check.identity_document_type),
        identity_document_number: check.identity_document_number.clone(),
        identity_document_issued_by: check.identity_document_issued_by.clone(),
        identity_document_expiration_date: check.identity_document_expiration_date.clone(),
        address_document_type: Some(check.address_document_type),
        verification_type: Some(check.verification_type),
        ..NewCoworkerIdentityCheck::default()
    };
    let missing: Vec<String> = rules::check_identity_check(&as_written, super::today())
        .into_iter()
        .filter(|v| v.code != ViolationCode::DateInPast)
        .map(|v| v.property)
        .collect();
    if missing.is_empty() {
        return None;
    }
    let mut violation = Violation::invalid_choice("CoworkerIdentityCheckId", id);
    violation.message = format!(
        "refers to a check without its answers ({}): complete the check first",
        missing.join(", ")
    );
    Some(violation)
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

/// A stored file of the member's own document, as the upstream serves it.
async fn download(
    State(state): State<AppState>,
    member: Member,
    Path((id, slot)): Path<(String, String)>,
) -> Result<Response, GatewayError> {
    let id = parse_id(RESOURCE.entity, &id)?;
    const SLOTS: [&str; 3] = ["photo", "document", "additionaldocument"];
    let slot = SLOTS
        .into_iter()
        .find(|s| s.eq_ignore_ascii_case(&slot))
        .ok_or_else(|| GatewayError::not_found("File slot", &slot))?;
    RESOURCE.own(&state, member, id).await?;
    let answer = state
        .upstream
        .nexudus(
            Method::GET,
            &format!("{}/{id}/files/{slot}", RESOURCE.upstream),
            Body::None,
        )
        .await?;
    if answer.status.as_u16() == 404 {
        return Err(GatewayError::not_found(
            "File",
            format!("{slot} of {} {id}", RESOURCE.entity),
        ));
    }
    if !answer.is_success() {
        return Err(unexpected(&answer));
    }
    let content_type = answer
        .content_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".into());
    let extension = match content_type.split(';').next().unwrap_or_default().trim() {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "application/pdf" => "pdf",
        _ => "bin",
    };
    Ok(uploads::attachment(
        ResponseBody::from(answer.body).into_response(),
        &content_type,
        &format!("document-{id}-{slot}.{extension}"),
    ))
}
