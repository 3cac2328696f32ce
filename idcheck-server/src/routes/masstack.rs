//! `/v1/orgs/{org_id}/identifications/identity_document`: MasStack's identification with identity
//! document (seed 004, `shared/API-NOTES.md`). The administrator creates one and may cancel it; the
//! actor's side reads it and, once identified, validates it.
//!
//! The rules and the state machine are the core's (`idcheck_core::masstack`); this module adds
//! what needs the database and the clock: organisations, storage, `expires_at` and expiry. Errors
//! are `ApiError`s like everywhere else; `error::path_form` gives them MasStack's `ErrorsResponse`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use idcheck_core::masstack::{
    self, CancelIdentificationRequest, ConfigurationName,
    CreateIdentityDocumentIdentificationRequest, DocumentType, Identification,
    IdentificationAction, MasCode, ScoringProvider, field,
};
use idcheck_core::violation::Violation;
use rusqlite::Connection;
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

use crate::auth::roles::AuthUser;
use crate::clock;
use crate::error::ApiError;
use crate::extract::{JsonBody, parse_value};
use crate::state::AppState;
use crate::store;

const PATH: &str = "/v1/orgs/{org_id}/identifications/identity_document";

/// The names 404s give what was not found, as the seed names the path parameters.
const ORG: &str = "org_id";
const IDENTIFICATION: &str = "admin_identification_id";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(PATH, post(create))
        .route(&format!("{PATH}/{{id}}"), get(get_one).delete(cancel))
        .route(&format!("{PATH}/{{id}}/validate"), post(validate))
}

async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    Path(org_id): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Identification>, ApiError> {
    let request: CreateIdentityDocumentIdentificationRequest = parse_body(&body)?;
    let checked = masstack::validate_create_request(&request);
    let now = clock::unix_seconds();
    let identification = state
        .db
        .call(move |c| {
            let transaction = c.transaction()?;
            require_org(&transaction, &org_id)?;
            let valid = checked.map_err(ApiError::MasValidation)?;
            let lifetime = i64::try_from(valid.expires_in_seconds).unwrap_or(i64::MAX);
            let identification = valid.into_identification(
                Uuid::new_v4().to_string(),
                org_id,
                clock::format_unix(now),
                clock::format_unix(now.saturating_add(lifetime)),
            );
            store::masstack::insert(&transaction, &identification, user.id)?;
            transaction.commit()?;
            Ok(identification)
        })
        .await?;
    Ok(Json(identification))
}

async fn get_one(
    State(state): State<AppState>,
    _user: AuthUser,
    Path((org_id, id)): Path<(String, String)>,
) -> Result<Json<Identification>, ApiError> {
    let now = clock::now_iso();
    let identification = state
        .db
        .call(move |c| load_as_of(c, &org_id, &id, &now))
        .await?;
    Ok(Json(identification))
}

/// The administrator's cancel, with a `reason`: 204, or 409 once the identification is final.
async fn cancel(
    State(state): State<AppState>,
    _user: AuthUser,
    Path((org_id, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<Value>,
) -> Result<StatusCode, ApiError> {
    let request: CancelIdentificationRequest = parse_body(&body)?;
    let reason = masstack::validate_cancel_request(&request);
    let cancel = Transition {
        action: IdentificationAction::Cancel,
        verb: "cancelled",
    };
    cancel.run(&state, org_id, id, Some(reason)).await
}

/// The actor's side: the person has been identified. 204, or 409 unless still pending.
async fn validate(
    State(state): State<AppState>,
    _user: AuthUser,
    Path((org_id, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let validate = Transition {
        action: IdentificationAction::Validate,
        verb: "validated",
    };
    validate.run(&state, org_id, id, None).await
}

/// A change of state, and how its refusal reads.
#[derive(Clone, Copy)]
struct Transition {
    action: IdentificationAction,
    /// The past participle of the action, for the 409's message.
    verb: &'static str,
}

impl Transition {
    /// Applies the transition to identification `id` of `org_id` in one transaction and answers
    /// 204. The order of refusals is 404, then 400 (an invalid `reason`), then 409.
    async fn run(
        self,
        state: &AppState,
        org_id: String,
        id: String,
        reason: Option<Result<String, Vec<Violation<MasCode>>>>,
    ) -> Result<StatusCode, ApiError> {
        state
            .db
            .call(move |c| {
                let transaction = c.transaction()?;
                let now = clock::now_iso();
                let current = load_as_of(&transaction, &org_id, &id, &now)?;
                let reason = reason.transpose().map_err(ApiError::MasValidation)?;
                self.apply(&transaction, &current, reason.as_deref(), &now)?;
                transaction.commit()?;
                Ok(())
            })
            .await?;
        Ok(StatusCode::NO_CONTENT)
    }

    /// Moves `current` on, or answers 409 naming the state that forbids it.
    fn apply(
        self,
        c: &Connection,
        current: &Identification,
        cancel_reason: Option<&str>,
        now: &str,
    ) -> Result<(), ApiError> {
        let Some(next) = current.state.after(self.action) else {
            return Err(ApiError::Conflict {
                field: "state",
                message: format!(
                    "The identification is already {}; it can no longer be {}.",
                    current.state, self.verb
                ),
            });
        };
        store::masstack::set_state(c, &current.id, next, cancel_reason, now)?;
        Ok(())
    }
}

/// 404 unless `org_id` is a known organisation.
fn require_org(c: &Connection, org_id: &str) -> Result<(), ApiError> {
    if store::masstack::org_exists(c, org_id)? {
        Ok(())
    } else {
        Err(ApiError::not_found(ORG, org_id))
    }
}

/// The identification as of `now` (a pending one past `expires_at` reads as expired), or 404 for
/// an unknown organisation, an id that is no uuid, or one of another organisation.
fn load_as_of(
    c: &Connection,
    org_id: &str,
    id: &str,
    now: &str,
) -> Result<Identification, ApiError> {
    require_org(c, org_id)?;
    let not_found = || ApiError::not_found(IDENTIFICATION, id);
    // Ids are stored in the hyphenated lower-case form, whatever spelling a client sends.
    let uuid = Uuid::parse_str(id.trim()).map_err(|_| not_found())?;
    let mut identification =
        store::masstack::load(c, org_id, &uuid.to_string())?.ok_or_else(not_found)?;
    // Both are fixed-width UTC texts, so text order is time order.
    let past_expiry = identification.expires_at.as_str() <= now;
    identification.state = identification.state.as_of(past_expiry);
    Ok(identification)
}

/// Reads the body as `T`; a field serde refuses becomes a violation of that field, so a wrong
/// type or an unknown choice is reported like any broken rule.
fn parse_body<T: DeserializeOwned>(body: &Value) -> Result<T, ApiError> {
    parse_value(body).map_err(|error| match error {
        ApiError::BadRequest {
            property: Some(path),
            message,
            ..
        } => ApiError::MasValidation(vec![json_violation(&path, message)]),
        other => other,
    })
}

/// The violation of a field at `path` that serde could not read (`message` is serde's).
fn json_violation(path: &str, message: String) -> Violation<MasCode> {
    match choices(path) {
        Some(choices) => masstack::invalid_choice(path, &choices),
        None => Violation::new(path, MasCode::InvalidFormat, message),
    }
}

/// The texts an enum field accepts.
fn choices(path: &str) -> Option<Vec<&'static str>> {
    fn texts<E: Copy>(all: &[E], as_str: fn(E) -> &'static str) -> Vec<&'static str> {
        all.iter().map(|value| as_str(*value)).collect()
    }
    match path {
        field::DOCUMENT_TYPE => Some(texts(DocumentType::ALL, DocumentType::as_str)),
        field::CONFIGURATION_NAME => Some(texts(ConfigurationName::ALL, ConfigurationName::as_str)),
        field::SCORING_PROVIDER => Some(texts(ScoringProvider::ALL, ScoringProvider::as_str)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_serde_refuses_are_reported_as_violations() {
        let cases = [
            (
                json!({"identity_document": {"document_type": "DNI"}}),
                field::DOCUMENT_TYPE,
                MasCode::InvalidChoice,
                "must be one of NIF, NIE, PASSPORT",
            ),
            (
                json!({"configuration_name": 2}),
                field::CONFIGURATION_NAME,
                MasCode::InvalidChoice,
                "must be one of LOW, MEDIUM, HIGH",
            ),
            (
                json!({"scoring": {"provider": "OTHER"}}),
                field::SCORING_PROVIDER,
                MasCode::InvalidChoice,
                "must be one of INTERNAL, EXTERNAL",
            ),
            (
                json!({"expires_in": 30}),
                field::EXPIRES_IN,
                MasCode::InvalidFormat,
                "invalid type: integer `30`, expected a string",
            ),
            (
                json!({"identity_document": "12345678Z"}),
                field::IDENTITY_DOCUMENT,
                MasCode::InvalidFormat,
                "invalid type: string \"12345678Z\", expected struct IdentityDocument",
            ),
        ];
        for (body, field, code, message) in cases {
            let error = parse_body::<CreateIdentityDocumentIdentificationRequest>(&body)
                .expect_err("refused");
            let ApiError::MasValidation(violations) = error else {
                panic!("{body}: not a violation: {error:?}");
            };
            let found: Vec<(&str, MasCode, &str)> = violations
                .iter()
                .map(|v| (v.property.as_str(), v.code, v.message.as_str()))
                .collect();
            assert_eq!(found, [(field, code, message)], "{body}");
        }
    }

    #[test]
    fn a_body_that_is_not_an_object_is_not_a_field_violation() {
        let error =
            parse_body::<CancelIdentificationRequest>(&json!(["reason"])).expect_err("refused");
        assert!(
            matches!(error, ApiError::BadRequest { property: None, .. }),
            "{error:?}"
        );
    }
}
