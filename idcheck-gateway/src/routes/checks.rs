//! `/api/spaces/coworkeridentitychecks` for a member: create their own check, fill in the one the
//! operator requested (PUT), read and list only their own.

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use idcheck_core::model::{VerificationStatus, VerificationType};
use idcheck_core::rules::{self, Violation};
use serde_json::{Map, Value};

use super::{JsonObject, load_own, parse_id, relay, today, typed};
use crate::error::GatewayError;
use crate::member::Member;
use crate::scope;
use crate::state::AppState;
use crate::upstream::Body;

pub const ENTITY: &str = "CoworkerIdentityCheck";
const PATH: &str = "/api/spaces/coworkeridentitychecks";
/// The upstream path (after the API base).
pub const UPSTREAM: &str = "/spaces/coworkeridentitychecks";
/// The list filter that names the coworker.
const COWORKER_FILTER: &str = "CoworkerIdentityCheck_Coworker";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(PATH, get(list).post(create).put(update))
        .route(&format!("{PATH}/{{id}}"), get(get_one))
}

async fn create(
    State(state): State<AppState>,
    member: Member,
    JsonObject(body): JsonObject,
) -> Result<Response, GatewayError> {
    let body = scope::check_body(member, &body);
    member_rules(&body)?;
    let answer = state
        .upstream
        .nexudus(Method::POST, UPSTREAM, Body::Json(Value::Object(body)))
        .await?;
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
    let record = load_own(&state, member, &format!("{UPSTREAM}/{id}"))
        .await?
        .and_then(|record| record.as_object().cloned())
        .ok_or_else(|| GatewayError::not_found(ENTITY, id))?;
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
        .nexudus(Method::PUT, UPSTREAM, Body::Json(Value::Object(merged)))
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
    let id = parse_id(ENTITY, &id)?;
    let record = load_own(&state, member, &format!("{UPSTREAM}/{id}"))
        .await?
        .ok_or_else(|| GatewayError::not_found(ENTITY, id))?;
    Ok(super::private(
        axum::Json(scope::readable(member, record)).into_response(),
    ))
}

async fn list(
    State(state): State<AppState>,
    member: Member,
    RawQuery(query): RawQuery,
) -> Result<Response, GatewayError> {
    let path = format!(
        "{UPSTREAM}?{}",
        scoped_query(query.as_deref(), COWORKER_FILTER, member)
    );
    let answer = state
        .upstream
        .nexudus(Method::GET, &path, Body::None)
        .await?;
    Ok(super::private(relay(member, answer)))
}

/// The member's query with the coworker filter forced to the member, whatever they asked for.
pub fn scoped_query(query: Option<&str>, filter: &str, member: Member) -> String {
    let mut url = reqwest::Url::parse("http://query.invalid/").expect("a valid URL");
    {
        let mut pairs = url.query_pairs_mut();
        for (key, value) in
            reqwest::Url::parse(&format!("http://query.invalid/?{}", query.unwrap_or("")))
                .map(|u| u.query_pairs().into_owned().collect::<Vec<_>>())
                .unwrap_or_default()
        {
            if !key.eq_ignore_ascii_case(filter) {
                pairs.append_pair(&key, &value);
            }
        }
        pairs.append_pair(filter, &member.coworker_id.to_string());
    }
    url.query().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_coworker_filter_is_always_the_members() {
        let member = Member {
            coworker_id: 2,
            business_id: 1,
        };
        assert_eq!(
            scoped_query(
                Some("CoworkerIdentityCheck_Coworker=1&size=100&orderBy=Id"),
                COWORKER_FILTER,
                member
            ),
            "size=100&orderBy=Id&CoworkerIdentityCheck_Coworker=2"
        );
        assert_eq!(
            scoped_query(None, COWORKER_FILTER, member),
            "CoworkerIdentityCheck_Coworker=2"
        );
        assert_eq!(
            scoped_query(
                Some("coworkeridentitycheck_coworker=1"),
                COWORKER_FILTER,
                member
            ),
            "CoworkerIdentityCheck_Coworker=2"
        );
    }
}
