//! `/api/spaces/coworkeridentitychecks`: create, get one, list, update (PUT with `Id` in the body)
//! and delete, with the envelopes, messages and roles of the seeds.
//!
//! Bodies are checked with the API's own rules (`check_identity_check_record`), not the member
//! rules: like Nexudus, this server stores a check with only its `VerificationType` (its document
//! types default to `Other`) and a record of an expired document. The gateway and the component
//! apply the member rules before anything reaches it.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use idcheck_core::model::{
    CoworkerIdentityCheck, CreatedValue, ListEnvelope, NewCoworkerIdentityCheck,
    VerificationStatus, WriteEnvelope,
};
use idcheck_core::rules;
use idcheck_core::violation::Violation;
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::Value;

use crate::auth::request::Authorized;
use crate::auth::roles::can;
use crate::clock;
use crate::db;
use crate::error::ApiError;
use crate::extract::{JsonBody, QueryParams, parse_value};
use crate::routes::{parse_id, sort_in_field_order, status_move_violation};
use crate::state::AppState;
use crate::store::{self, checks::CheckFields};

pub const ENTITY: &str = "CoworkerIdentityCheck";
const PATH: &str = "/api/spaces/coworkeridentitychecks";

/// The order the rules report fields in; server-side violations are merged into it.
const FIELD_ORDER: &[&str] = &[
    "Id",
    "BusinessId",
    "CoworkerId",
    "Name",
    "IdentityDocumentType",
    "IdentityDocumentNumber",
    "IdentityDocumentIssuedBy",
    "IdentityDocumentExpirationDate",
    "AddressDocumentType",
    "VerificationStatus",
    "LastError",
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route(PATH, get(list).post(create).put(update))
        .route(&format!("{PATH}/{{id}}"), get(get_one).delete(delete))
}

async fn create(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<can::CreateCheck>,
    JsonBody(body): JsonBody<NewCoworkerIdentityCheck>,
) -> Result<Json<WriteEnvelope<CreatedValue>>, ApiError> {
    let mut violations = rules::check_identity_check_record(&body);
    let now = clock::now_iso();
    let (now_copy, email) = (now.clone(), user.email.clone());
    let id = state
        .db
        .call(move |c| {
            let transaction = c.transaction()?;
            violations.extend(reference_violations(&transaction, &body, &violations)?);
            if !violations.is_empty() {
                sort_in_field_order(&mut violations, FIELD_ORDER);
                return Err(ApiError::Validation(violations));
            }
            let id = store::checks::insert(
                &transaction,
                &CheckFields::from_body(&body),
                &now_copy,
                &email,
            )?;
            transaction.commit()?;
            Ok(id)
        })
        .await?;
    Ok(Json(WriteEnvelope::success(
        format!("{ENTITY} was successfully created."),
        CreatedValue { id },
        now,
        user.email,
    )))
}

/// A PUT body: the create fields, plus what only an update carries.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct CheckUpdate {
    id: Option<i64>,
    verification_status: Option<VerificationStatus>,
    last_error: Option<String>,
}

async fn update(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<can::EditCheck>,
    JsonBody(value): JsonBody<Value>,
) -> Result<Json<WriteEnvelope<CreatedValue>>, ApiError> {
    let body: NewCoworkerIdentityCheck = parse_value(&value)?;
    let extra: CheckUpdate = parse_value(&value)?;
    let id = super::update_id(extra.id)?;
    let now = clock::now_iso();
    let (now_copy, email) = (now.clone(), user.email.clone());
    state
        .db
        .call(move |c| {
            let transaction = c.transaction()?;
            let existing = store::checks::load(&transaction, id)?
                .ok_or_else(|| ApiError::not_found(ENTITY, id))?;
            let mut violations = rules::check_identity_check_record(&body);
            violations.extend(reference_violations(&transaction, &body, &violations)?);

            let status = extra
                .verification_status
                .unwrap_or(existing.verification_status);
            if let Some(violation) = status_move_violation(existing.verification_status, status) {
                violations.push(violation);
            }
            let last_error = extra
                .last_error
                .as_deref()
                .map(str::trim)
                .filter(|e| !e.is_empty());
            if status == VerificationStatus::Failed && last_error.is_none() {
                let mut violation = Violation::required(
                    "LastError",
                    extra.last_error.clone().map_or(Value::Null, Value::from),
                );
                violation.message = "is a required field when VerificationStatus is Failed".into();
                violations.push(violation);
            }
            if !violations.is_empty() {
                sort_in_field_order(&mut violations, FIELD_ORDER);
                return Err(ApiError::Validation(violations));
            }
            let fields = CheckFields::from_body(&body);
            store::checks::update(
                &transaction,
                id,
                &fields,
                status,
                last_error,
                &now_copy,
                &email,
            )?;
            if status != existing.verification_status {
                carry_decision_to_documents(&transaction, id, status, &now_copy, &email)?;
            }
            transaction.commit()?;
            Ok(())
        })
        .await?;
    Ok(Json(WriteEnvelope::success(
        format!("{ENTITY} was successfully updated."),
        CreatedValue { id },
        now,
        user.email,
    )))
}

/// The reviewer's decision on a check applies to the documents it was based on.
fn carry_decision_to_documents(
    c: &Connection,
    check_id: i64,
    status: VerificationStatus,
    now: &str,
    user: &str,
) -> rusqlite::Result<()> {
    use VerificationStatus::*;
    let from: &[VerificationStatus] = match status {
        Successful | Failed => &[Submitted],
        Cancelled => &[Pending, Submitted],
        None | Pending | Submitted => &[],
    };
    store::documents::move_statuses(c, check_id, from, status, now, user)
}

/// `BusinessId` and `CoworkerId` must name seeded records, the coworker one of that business.
/// Ids the rules already refused are not looked up again.
fn reference_violations(
    c: &Connection,
    body: &NewCoworkerIdentityCheck,
    already: &[Violation],
) -> Result<Vec<Violation>, ApiError> {
    let refused = |property: &str| already.iter().any(|v| v.property == property);
    let mut violations = Vec::new();
    let business = body.business_id.filter(|_| !refused("BusinessId"));
    let mut business_found = false;
    if let Some(id) = business {
        business_found = db::exists(c, "businesses", id)?;
        if !business_found {
            violations.push(Violation::unknown_reference("BusinessId", id));
        }
    }
    if let Some(id) = body.coworker_id.filter(|_| !refused("CoworkerId")) {
        match store::lookups::coworker_business(c, id)? {
            None => violations.push(Violation::unknown_reference("CoworkerId", id)),
            Some(coworker_business) => {
                if let Some(business) = business
                    && business_found
                    && business != coworker_business
                {
                    let mut violation = Violation::unknown_reference("CoworkerId", id);
                    violation.message = format!("is not a coworker of business {business}");
                    violations.push(violation);
                }
            }
        }
    }
    Ok(violations)
}

async fn get_one(
    State(state): State<AppState>,
    Authorized(_user, _): Authorized<can::ReadCheck>,
    Path(id): Path<String>,
) -> Result<Json<CoworkerIdentityCheck>, ApiError> {
    let id = parse_id(ENTITY, &id)?;
    let record = state
        .db
        .call(move |c| Ok(store::checks::load(c, id)?))
        .await?;
    record
        .map(Json)
        .ok_or_else(|| ApiError::not_found(ENTITY, id))
}

async fn list(
    State(state): State<AppState>,
    Authorized(_user, _): Authorized<can::ListChecks>,
    query: QueryParams,
) -> Result<Json<ListEnvelope<CoworkerIdentityCheck>>, ApiError> {
    use store::checks::{FILTERS, ORDER_FIELDS, TEXT_FILTERS};
    let query = super::list_query(&query, FILTERS, TEXT_FILTERS, ORDER_FIELDS)?;
    super::list_page(&state, query, store::checks::list).await
}

async fn delete(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<can::DeleteCheck>,
    Path(id): Path<String>,
) -> Result<Json<WriteEnvelope<CreatedValue>>, ApiError> {
    let id = parse_id(ENTITY, &id)?;
    let files = state
        .db
        .call(move |c| {
            let transaction = c.transaction()?;
            let files = store::documents::file_names_of_check(&transaction, id)?;
            if !store::checks::delete(&transaction, id)? {
                return Err(ApiError::not_found(ENTITY, id));
            }
            transaction.commit()?;
            Ok(files)
        })
        .await?;
    // Only after the commit: a failed delete must leave the documents' files in place.
    super::documents::remove_document_files(&state.files, files).await;
    Ok(Json(WriteEnvelope::success(
        format!("{ENTITY} was successfully deleted."),
        CreatedValue { id },
        clock::now_iso(),
        user.email,
    )))
}
