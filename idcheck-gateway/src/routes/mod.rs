//! The gateway's routers, one per resource, and what their handlers share: reading a JSON body,
//! loading a record only if it is the member's, and relaying an upstream answer as the member may
//! read it. Each handler reads top to bottom: who (the `Member` or `Operator` argument), the scope,
//! the member rules, then one upstream call.

pub mod checks;
pub mod documents;
pub mod handoffs;
pub mod masstack;
pub mod requests;
pub mod tokens;
pub mod uploads;

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use idcheck_core::date::Date;
use serde_json::{Map, Value};

use crate::error::GatewayError;
use crate::member::Member;
use crate::scope;
use crate::state::AppState;
use crate::store::unix_now;
use crate::upstream::{self, Answer};

/// A request body that must be a JSON object.
pub struct JsonObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = GatewayError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_bytes(request, state).await?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(JsonObject(map)),
            Ok(_) => Err(GatewayError::BadRequest {
                property: None,
                message: "The request body must be a JSON object.".into(),
            }),
            Err(err) => Err(GatewayError::BadRequest {
                property: None,
                message: format!("The request body is not valid JSON: {err}"),
            }),
        }
    }
}

/// The body's bytes in one order (serde_json's maps are sorted), for the digest that tells one
/// request from another under the same `Idempotency-Key`.
pub fn canonical(body: &Map<String, Value>) -> Vec<u8> {
    serde_json::to_vec(body).unwrap_or_default()
}

/// The raw body, within the route's `DefaultBodyLimit` (413 past it).
pub async fn read_bytes<S: Send + Sync>(
    request: Request,
    state: &S,
) -> Result<Bytes, GatewayError> {
    let limit = request
        .extensions()
        .get::<BodyLimit>()
        .map_or(0, |limit| limit.0);
    Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                GatewayError::PayloadTooLarge { limit }
            } else {
                GatewayError::BadRequest {
                    property: None,
                    message: "The request body could not be read.".into(),
                }
            }
        })
}

/// The body limit a router set, for the 413's message.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A typed view of a body for the core's rules; a field of the wrong type is a 400 naming it (its
/// top-level property, as the member sent it).
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RedeemRequest {
    #[serde(default)]
    code: Option<String>,
}

/// The `Code` sent to a redeem route (an invitation's or a hand-off's), once the client is known
/// not to be locked out: both routes share the one wrong-code lock-out.
pub fn code_to_redeem(
    state: &crate::state::AppState,
    client: std::net::IpAddr,
    body: &Map<String, Value>,
    now: std::time::Instant,
) -> Result<String, GatewayError> {
    state.lockouts.check(client, now)?;
    let request: RedeemRequest = typed(body)?;
    Ok(request.code.unwrap_or_default())
}

pub fn typed<T: serde::de::DeserializeOwned>(body: &Map<String, Value>) -> Result<T, GatewayError> {
    serde_path_to_error::deserialize(Value::Object(body.clone())).map_err(
        |err: serde_path_to_error::Error<serde_json::Error>| {
            let path = err.path().to_string();
            let top = path.split(['.', '[']).next().unwrap_or_default();
            let message = format!("has the wrong type: {}", err.inner());
            match body.keys().find(|key| key.as_str() == top) {
                Some(key) => GatewayError::bad_request(key, message),
                None => GatewayError::BadRequest {
                    property: None,
                    message: format!(
                        "The request body has a field of the wrong type: {}",
                        err.inner()
                    ),
                },
            }
        },
    )
}

/// Today in UTC, for the rules (the core takes it as an argument).
pub fn today() -> Date {
    Date::of_unix_seconds(unix_now())
}

/// A path id: anything that is not a positive whole number names no record.
pub fn parse_id(entity: &'static str, text: &str) -> Result<i64, GatewayError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| GatewayError::not_found(entity, text))
}

/// Reads `path` upstream and returns the record if it exists and is the member's. Another member's
/// record and a missing one are the same `None`: the member learns nothing of ids not theirs.
pub async fn load_own(
    state: &AppState,
    member: Member,
    path: &str,
) -> Result<Option<Value>, GatewayError> {
    let answer = state
        .upstream
        .nexudus(Method::GET, path, upstream::Body::None)
        .await?;
    if answer.status == StatusCode::NOT_FOUND {
        return Ok(None);
    }
    if !answer.is_success() {
        return Err(unexpected(&answer));
    }
    let record = answer.json().ok_or(GatewayError::Upstream)?;
    Ok(scope::owns(member, &record).then_some(record))
}

/// One of the two Nexudus resources as a member reads it: their own records, one by id or listed.
pub struct Resource {
    /// The entity's name in messages, e.g. `CoworkerIdentityCheck`.
    pub entity: &'static str,
    /// The upstream path after the API base, e.g. `/spaces/coworkeridentitychecks`.
    pub upstream: &'static str,
    /// The list filter that names the coworker.
    pub coworker_filter: &'static str,
    /// The fields a create sends that a read returns (seeds 003 and 001): a record whose create's
    /// answer was lost is recognised by them (see `settle`).
    pub read_back: &'static [&'static str],
}

impl Resource {
    /// The member's record `id`, or a 404 that reads the same whether it is another member's or
    /// does not exist.
    pub async fn own(
        &self,
        state: &AppState,
        member: Member,
        id: i64,
    ) -> Result<Value, GatewayError> {
        load_own(state, member, &format!("{}/{id}", self.upstream))
            .await?
            .ok_or_else(|| GatewayError::not_found(self.entity, id))
    }

    /// `GET …/{id}` for the member.
    pub async fn read_one(
        &self,
        state: &AppState,
        member: Member,
        id: &str,
    ) -> Result<Response, GatewayError> {
        let id = parse_id(self.entity, id)?;
        let record = self.own(state, member, id).await?;
        Ok(private(
            axum::Json(scope::readable(member, record)).into_response(),
        ))
    }

    /// `GET …?…` for the member: the upstream list, filtered to the member whatever the query says.
    pub async fn list(
        &self,
        state: &AppState,
        member: Member,
        query: Option<&str>,
    ) -> Result<Response, GatewayError> {
        let path = format!(
            "{}?{}",
            self.upstream,
            scoped_query(query, self.coworker_filter, member)
        );
        let answer = state
            .upstream
            .nexudus(Method::GET, &path, upstream::Body::None)
            .await?;
        Ok(private(relay(member, answer)))
    }
}

/// The member's query with the coworker filter forced to the member, whatever they asked for.
pub fn scoped_query(query: Option<&str>, filter: &str, member: Member) -> String {
    let mut url = reqwest::Url::parse("http://query.invalid/").expect("a valid URL");
    {
        let mut pairs = url.query_pairs_mut();
        let given = reqwest::Url::parse(&format!("http://query.invalid/?{}", query.unwrap_or("")))
            .map(|u| u.query_pairs().into_owned().collect::<Vec<_>>())
            .unwrap_or_default();
        for (key, value) in given {
            if !key.eq_ignore_ascii_case(filter) {
                pairs.append_pair(&key, &value);
            }
        }
        pairs.append_pair(filter, &member.coworker_id.to_string());
    }
    url.query().unwrap_or_default().to_string()
}

/// An upstream answer the gateway cannot pass on as it is (a 401 of the operator's own account, a
/// 5xx, something unreadable): the member sees that the service behind failed, nothing more.
pub fn unexpected(answer: &Answer) -> GatewayError {
    if answer.status == StatusCode::CONFLICT
        && let Some(seconds) = answer.retry_after
    {
        return GatewayError::Busy {
            retry_after_secs: seconds,
        };
    }
    GatewayError::Upstream
}

/// Passes an upstream answer on to the member: its status and JSON body as the member may read
/// it. The upstream's own refusals (400 with `Errors`, 409 with `Retry-After`) reach the member
/// unchanged; a failure of the operator's account (401, 403) or of the upstream (5xx) does not.
pub fn relay(member: Member, answer: Answer) -> Response {
    match answer.status.as_u16() {
        200..=299 | 400 | 404 | 409 => {}
        _ => return unexpected(&answer).into_response(),
    }
    if answer.status == StatusCode::CONFLICT && answer.retry_after.is_some() {
        return unexpected(&answer).into_response();
    }
    let body = match answer.json() {
        Some(value) => Body::from(scope::readable(member, value).to_string()),
        None if answer.status == StatusCode::NO_CONTENT => Body::empty(),
        None => return GatewayError::Upstream.into_response(),
    };
    let mut response = Response::new(body);
    *response.status_mut() = answer.status;
    if answer.status != StatusCode::NO_CONTENT {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
    }
    response
}

/// Identity images and records: never cached, never sniffed into something else.
pub fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
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
        let filter = "CoworkerIdentityCheck_Coworker";
        assert_eq!(
            scoped_query(
                Some("CoworkerIdentityCheck_Coworker=1&size=100&orderBy=Id"),
                filter,
                member
            ),
            "size=100&orderBy=Id&CoworkerIdentityCheck_Coworker=2"
        );
        assert_eq!(
            scoped_query(None, filter, member),
            "CoworkerIdentityCheck_Coworker=2"
        );
        assert_eq!(
            scoped_query(Some("coworkeridentitycheck_coworker=1"), filter, member),
            "CoworkerIdentityCheck_Coworker=2"
        );
    }
}
