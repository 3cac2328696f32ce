//! Request extractors whose rejections are [`ApiError`]s, so a malformed body, a wrong type, an
//! oversized body or a bad query parameter is answered with the envelope like every other error.

use std::collections::HashMap;
use std::pin::Pin;

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::{HeaderValue, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::Body as _;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::Semaphore;

use crate::error::ApiError;

/// A JSON body. Unlike `axum::Json`, a body that parses but has a wrong type names the property
/// at fault (`BusinessId: invalid type: string "x", expected i64`) with the attempted value.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, ApiError> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(|value| {
                value
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            });
        // A missing Content-Type is tolerated (some clients send none); a declared non-JSON type
        // is a client mistake worth naming.
        if let Some(content_type) = content_type
            && content_type != "application/json"
            && !content_type.ends_with("+json")
        {
            return Err(ApiError::UnsupportedMediaType(
                "JSON (Content-Type: application/json)",
            ));
        }
        let bytes = read_body(request).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::BadRequest {
                property: None,
                message: "The request body is empty; send a JSON object.".into(),
                attempted: Value::Null,
            });
        }
        let value: Value = serde_json::from_slice(&bytes).map_err(|err| ApiError::BadRequest {
            property: None,
            message: format!("The request body is not valid JSON: {err}."),
            attempted: Value::Null,
        })?;
        parse_value(&value).map(JsonBody)
    }
}

/// Reads `value` as `T`, naming the property at fault when it does not fit. Every body of this
/// API is an object; serde would also read a struct from an array, which no client means.
pub fn parse_value<T: DeserializeOwned>(value: &Value) -> Result<T, ApiError> {
    if !value.is_object() {
        return Err(ApiError::BadRequest {
            property: None,
            message: "The request body must be a JSON object.".into(),
            attempted: Value::Null,
        });
    }
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let message = err.inner().to_string();
        if path == "." || path.is_empty() {
            ApiError::BadRequest {
                property: None,
                message: format!("The request body does not fit: {message}."),
                attempted: Value::Null,
            }
        } else {
            let top = path.split(['.', '[']).next().unwrap_or(&path).to_string();
            let attempted = value.get(&top).cloned().unwrap_or(Value::Null);
            ApiError::BadRequest {
                property: Some(path),
                message,
                attempted,
            }
        }
    })
}

/// The length a request declares in `Content-Length`, if it declares one.
fn declared_length(request: &Request) -> Option<u64> {
    request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok())
}

/// The raw body, refused with a 413 envelope past the route's [`BodyLimit`]: at once when the
/// declared length is over it (nothing is read), else as soon as the bytes read go over it.
pub async fn read_body(request: Request) -> Result<Bytes, ApiError> {
    let limit = request
        .extensions()
        .get::<BodyLimit>()
        .map_or(DEFAULT_BODY_LIMIT, |l| l.0);
    let declared = declared_length(&request);
    if declared.is_some_and(|length| length > limit as u64) {
        discard_in_background(request.into_body());
        return Err(ApiError::PayloadTooLarge { limit });
    }
    let mut body = request.into_body();
    let capacity = declared.map_or(0, |length| length as usize).min(limit);
    let mut bytes = Vec::with_capacity(capacity);
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|err| ApiError::BadRequest {
            property: None,
            message: format!("The request body could not be read: {err}."),
            attempted: Value::Null,
        })?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if bytes.len() + data.len() > limit {
            discard_in_background(body);
            return Err(ApiError::PayloadTooLarge { limit });
        }
        bytes.extend_from_slice(&data);
    }
    Ok(Bytes::from(bytes))
}

/// What a refused body may still cost: at most this many bytes, this long, this many at once.
const DISCARD_BYTES: usize = 16 * 1024 * 1024;
const DISCARD_TIME: Duration = Duration::from_secs(10);
static DISCARDS: Semaphore = Semaphore::const_new(16);

/// The answer to a body that is too large goes out at once, before its bytes are read. A client
/// that sends its whole body before reading the answer (most do) would then see a broken pipe
/// instead of the 413; so the rest of the body is read and dropped here, beside the answer, but
/// only within [`DISCARD_BYTES`] and [`DISCARD_TIME`] and a few at a time: past that, the
/// connection is closed. Nothing read here is kept.
fn discard_in_background(mut body: Body) {
    let Ok(permit) = DISCARDS.try_acquire() else {
        return;
    };
    permit.forget();
    tokio::spawn(async move {
        let _ = tokio::time::timeout(DISCARD_TIME, async {
            let mut seen = 0usize;
            while let Some(Ok(frame)) =
                std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await
            {
                seen += frame.data_ref().map_or(0, |data| data.len());
                if seen > DISCARD_BYTES {
                    break;
                }
            }
        })
        .await;
        drop(body);
        DISCARDS.add_permits(1);
    });
}

/// A layer's middleware (`middleware::from_fn_with_state(BodyLimit(n), limit_body)`): records the
/// routes' body limit for [`read_body`], and refuses a request whose declared `Content-Length` is
/// over it before anything reads the body (a declared gigabyte costs the server nothing).
pub async fn limit_body(
    State(limit): State<BodyLimit>,
    mut request: Request,
    next: Next,
) -> Response {
    if declared_length(&request).is_some_and(|length| length > limit.0 as u64) {
        discard_in_background(request.into_body());
        let mut response = ApiError::PayloadTooLarge { limit: limit.0 }.into_response();
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    request.extensions_mut().insert(limit);
    next.run(request).await
}

/// The limit of routes that set none.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// The body limit of the route, recorded so the 413 message can state it.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// The query string as name → value; the handlers parse the values so errors name the parameter.
pub struct QueryParams(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let pairs = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
            .map_err(|_| ApiError::BadRequest {
                property: None,
                message: "The query string could not be read.".into(),
                attempted: Value::Null,
            })?;
        Ok(QueryParams(pairs.0.into_iter().collect()))
    }
}

impl QueryParams {
    /// A whole-number parameter, looked up case-insensitively (Nexudus's are).
    pub fn number(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(text) if text.trim().is_empty() => Ok(None),
            Some(text) => text.trim().parse().map(Some).map_err(|_| {
                ApiError::bad_request(name, "must be a whole number", Value::String(text.into()))
            }),
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(serde::Deserialize, Debug)]
    #[serde(rename_all = "PascalCase")]
    #[allow(dead_code)] // The fields are only read by serde in these tests.
    struct Body {
        business_id: Option<i64>,
        name: Option<String>,
    }

    #[test]
    fn a_wrong_type_names_the_property_and_the_value() {
        match parse_value::<Body>(&json!({"BusinessId": "one", "Name": "x"})) {
            Err(ApiError::BadRequest {
                property,
                message,
                attempted,
            }) => {
                assert_eq!(property.as_deref(), Some("BusinessId"));
                assert!(message.contains("invalid type"), "{message}");
                assert_eq!(attempted, json!("one"));
            }
            other => panic!("expected a bad request, got {other:?}"),
        }
    }

    #[test]
    fn a_body_that_is_not_an_object_is_refused_whole() {
        assert!(matches!(
            parse_value::<Body>(&json!([1, 2])),
            Err(ApiError::BadRequest { property: None, .. })
        ));
    }

    #[test]
    fn query_numbers_name_the_parameter() {
        let query = QueryParams(
            [
                ("Page".to_string(), "2".to_string()),
                ("size".into(), "x".into()),
            ]
            .into(),
        );
        assert_eq!(query.number("page").unwrap(), Some(2));
        assert!(query.number("size").is_err());
        assert_eq!(query.number("absent").unwrap(), None);
    }
}
