//! The one error type of every handler, and the one place that turns errors into status codes and
//! bodies, so no handler formats an error body by hand.
//!
//! The server speaks two contracts that report errors differently: Nexudus's write envelope
//! (`/api/…`) and MasStack's `ErrorsResponse` (`/v1/…`). An error does not know which path it
//! answers, so [`IntoResponse`] renders the Nexudus form and keeps the error in the response; the
//! [`path_form`] middleware renders it again in MasStack's form on MasStack's paths. Extractors,
//! middleware and handlers therefore return `ApiError` alike, whichever API they serve.

use std::sync::Arc;

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use idcheck_core::masstack::{ErrorItem, ErrorsResponse, MasCode};
use idcheck_core::model::{ApiValidationError, WriteEnvelope};
use idcheck_core::violation::{self, Violation};
use serde_json::{Value, json};

use crate::auth::roles::MissingRole;

/// The paths of the MasStack contract; everything else answers errors as Nexudus does.
pub const MASSTACK_PREFIX: &str = "/v1/";

/// Which contract's error body an answer carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorForm {
    /// Nexudus's write envelope, seed 002.
    Nexudus,
    /// MasStack's `ErrorsResponse`, seed 004.
    MasStack,
}

impl ErrorForm {
    pub fn for_path(path: &str) -> ErrorForm {
        if path.starts_with(MASSTACK_PREFIX) {
            ErrorForm::MasStack
        } else {
            ErrorForm::Nexudus
        }
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// Rules broken: 400 in exactly the shape of seed 002's 400 answer.
    #[error("validation failed")]
    Validation(Vec<Violation>),
    /// MasStack's rules broken: 400 listing every violation.
    #[error("validation failed")]
    MasValidation(Vec<Violation<MasCode>>),
    /// The record's state forbids the change (MasStack's 409), `field` naming what is in the way.
    #[error("{message}")]
    Conflict {
        field: &'static str,
        message: String,
    },
    /// A body that is not what the endpoint reads (malformed JSON, a wrong type): 400, naming the
    /// property when one is to blame.
    #[error("{message}")]
    BadRequest {
        property: Option<String>,
        message: String,
        attempted: Value,
    },
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("{user} lacks {role}")]
    Forbidden { user: String, role: &'static str },
    #[error("{entity} {id} was not found.")]
    NotFound { entity: &'static str, id: String },
    #[error("no such route")]
    RouteNotFound { method: String, path: String },
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("body too large")]
    PayloadTooLarge { limit: usize },
    #[error("unsupported media type")]
    UnsupportedMediaType(&'static str),
    /// Nexudus answers a throttled request with 409, not 429. MasStack's paths share the limits
    /// and the 409: its `Retry-After` (and the `rate_limited` code) tell it from a state conflict,
    /// which is how the component already tells the two apart.
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    /// The token endpoint speaks OAuth2, not the envelope: `{"error": …, "error_description": …}`.
    #[error("{error}")]
    OAuth {
        status: StatusCode,
        error: &'static str,
        description: &'static str,
    },
    /// The request was not handled within the server's time limit (408).
    #[error("request timeout")]
    Timeout,
    /// Too many requests in progress at once (503, with `Retry-After`).
    #[error("busy")]
    Busy,
    /// A 500 armed through `/api/test/faults`.
    #[error("injected fault")]
    InjectedFault,
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn bad_request(property: &str, message: impl Into<String>, attempted: Value) -> Self {
        ApiError::BadRequest {
            property: Some(property.to_string()),
            message: message.into(),
            attempted,
        }
    }

    pub fn not_found(entity: &'static str, id: impl ToString) -> Self {
        ApiError::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Validation(_) | ApiError::MasValidation(_) | ApiError::BadRequest { .. } => {
                StatusCode::BAD_REQUEST
            }
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound { .. } | ApiError::RouteNotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::RateLimited { .. } => StatusCode::CONFLICT,
            ApiError::OAuth { status, .. } => *status,
            ApiError::Timeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::InjectedFault | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The envelope's `Message`, and the message of a MasStack error that is not a violation.
    fn message(&self) -> String {
        match self {
            ApiError::Validation(_) | ApiError::OAuth { .. } => String::new(),
            ApiError::MasValidation(violations) => violation::joined_message(violations),
            ApiError::Conflict { message, .. } => message.clone(),
            ApiError::BadRequest {
                property: Some(property),
                message,
                ..
            } => format!("{property}: {message}"),
            ApiError::BadRequest {
                property: None,
                message,
                ..
            } => message.clone(),
            ApiError::Unauthorized(message) => (*message).to_string(),
            ApiError::Forbidden { user, role } => {
                format!("The user {user} does not have the {role} role needed for this request.")
            }
            ApiError::NotFound { entity, id } => format!("{entity} {id} was not found."),
            ApiError::RouteNotFound { method, path } => {
                format!("There is no API route {method} {path}.")
            }
            ApiError::MethodNotAllowed => "This API route does not accept this method.".to_string(),
            ApiError::PayloadTooLarge { limit } => {
                format!(
                    "The request body is larger than the {} limit.",
                    describe_bytes(*limit)
                )
            }
            ApiError::UnsupportedMediaType(expected) => {
                format!("The request body must be {expected}.")
            }
            ApiError::RateLimited { .. } => {
                "You must wait before accessing this url again.".to_string()
            }
            ApiError::Timeout => {
                "The request was not handled in time; nothing was written.".to_string()
            }
            ApiError::Busy => "The server is busy; try again shortly.".to_string(),
            ApiError::InjectedFault => {
                "An error was injected by the test fault endpoint.".to_string()
            }
            ApiError::Internal(_) => "An internal error occurred; nothing was written.".to_string(),
        }
    }
}

fn describe_bytes(bytes: usize) -> String {
    const MB: usize = 1024 * 1024;
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else if bytes >= MB {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    } else {
        format!("{bytes} bytes")
    }
}

impl From<MissingRole> for ApiError {
    fn from(missing: MissingRole) -> Self {
        ApiError::Forbidden {
            user: missing.user,
            role: missing.role,
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(err: rusqlite::Error) -> Self {
        ApiError::Internal(format!("database: {err}"))
    }
}

impl From<std::io::Error> for ApiError {
    fn from(err: std::io::Error) -> Self {
        ApiError::Internal(format!("file store: {err}"))
    }
}

impl ApiError {
    /// The answer in `form`, the one place a status and a body are chosen for an error.
    pub fn render(&self, form: ErrorForm) -> Response {
        let status = self.status();
        let mut response = match form {
            ErrorForm::Nexudus => self.nexudus_body(status),
            ErrorForm::MasStack => (status, Json(self.errors_response())).into_response(),
        };
        match self {
            ApiError::RateLimited { retry_after_secs } => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            ApiError::Busy => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(1u64));
            }
            _ => {}
        }
        response
    }

    /// The answer for a request to `path`, for middleware that knows the path.
    pub fn response_for_path(self, path: &str) -> Response {
        self.log();
        self.render(ErrorForm::for_path(path))
    }

    fn log(&self) {
        if let ApiError::Internal(detail) = self {
            // The client gets a generic message; the detail belongs in the server's log.
            eprintln!("idcheck-server: internal error: {detail}");
        }
    }

    fn nexudus_body(&self, status: StatusCode) -> Response {
        match self {
            ApiError::Validation(violations) => {
                (status, Json(WriteEnvelope::<Value>::failure(violations))).into_response()
            }
            ApiError::OAuth {
                error, description, ..
            } => (
                status,
                Json(json!({ "error": error, "error_description": description })),
            )
                .into_response(),
            _ => {
                let errors = match self {
                    ApiError::BadRequest {
                        property: Some(property),
                        message,
                        attempted,
                    } => Some(vec![ApiValidationError {
                        attempted_value: attempted.clone(),
                        message: message.clone(),
                        property_name: property.clone(),
                    }]),
                    _ => None,
                };
                let mut envelope = WriteEnvelope::<Value>::failure(&[]);
                envelope.status = Some(status.as_u16());
                envelope.message = self.message();
                envelope.errors = errors;
                (status, Json(envelope)).into_response()
            }
        }
    }

    /// MasStack's body: every violation of a 400, else one entry naming what failed.
    fn errors_response(&self) -> ErrorsResponse {
        match self {
            ApiError::MasValidation(violations) => ErrorsResponse::from_violations(violations),
            // Nexudus's rules never answer a MasStack path; kept total so no error is lost.
            ApiError::Validation(violations) => ErrorsResponse {
                errors: violations
                    .iter()
                    .map(|v| ErrorItem {
                        field: v.property.clone(),
                        code: "invalid".into(),
                        message: v.message.clone(),
                    })
                    .collect(),
            },
            ApiError::BadRequest {
                property: Some(property),
                message,
                ..
            } => ErrorsResponse::single(property, "invalid_format", message.clone()),
            _ => {
                let (field, code) = self.field_and_code();
                ErrorsResponse::single(field, code, self.message())
            }
        }
    }

    /// The `field` and `code` of a MasStack error that is not about one body field.
    fn field_and_code(&self) -> (&str, &str) {
        match self {
            ApiError::Validation(_) | ApiError::MasValidation(_) => ("body", "invalid"),
            ApiError::BadRequest { .. } => ("body", "bad_request"),
            ApiError::Conflict { field, .. } => (field, "conflict"),
            ApiError::Unauthorized(_) => ("authorization", "unauthenticated"),
            ApiError::Forbidden { .. } => ("authorization", "forbidden"),
            ApiError::NotFound { entity, .. } => (entity, "not_found"),
            ApiError::RouteNotFound { .. } => ("path", "not_found"),
            ApiError::MethodNotAllowed => ("method", "method_not_allowed"),
            ApiError::PayloadTooLarge { .. } => ("body", "payload_too_large"),
            ApiError::UnsupportedMediaType(_) => ("content_type", "unsupported_media_type"),
            ApiError::RateLimited { .. } => ("request", "rate_limited"),
            ApiError::OAuth { error, .. } => ("authorization", error),
            ApiError::Timeout => ("request", "timeout"),
            ApiError::Busy => ("server", "busy"),
            ApiError::InjectedFault => ("server", "injected_fault"),
            ApiError::Internal(_) => ("server", "internal_error"),
        }
    }
}

/// The error an answer was rendered from, kept so [`path_form`] can render it again.
#[derive(Clone)]
struct RenderedError(Arc<ApiError>);

impl IntoResponse for ApiError {
    /// The Nexudus form; [`path_form`] swaps it for MasStack's on MasStack's paths.
    fn into_response(self) -> Response {
        self.log();
        let mut response = self.render(ErrorForm::Nexudus);
        response
            .extensions_mut()
            .insert(RenderedError(Arc::new(self)));
        response
    }
}

/// Middleware, outside the layers that answer with a bare status (the timeout): gives such an
/// answer the body of the path's contract, like every other error.
pub async fn bare_statuses(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    if response.status() == StatusCode::REQUEST_TIMEOUT
        && response.extensions().get::<RenderedError>().is_none()
    {
        return ApiError::Timeout.response_for_path(&path);
    }
    response
}

/// Middleware: answers the errors of MasStack's paths in MasStack's form, whoever raised them
/// (an extractor, a handler, authentication or the rate limit inside this layer).
pub async fn path_form(request: Request, next: Next) -> Response {
    let form = ErrorForm::for_path(request.uri().path());
    let response = next.run(request).await;
    match response.extensions().get::<RenderedError>() {
        Some(RenderedError(error)) if form != ErrorForm::Nexudus => error.render(form),
        _ => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(error: ApiError) -> (StatusCode, Value, Option<String>) {
        let response = error.into_response();
        let status = response.status();
        let retry = response
            .headers()
            .get(header::RETRY_AFTER)
            .map(|v| v.to_str().unwrap().to_string());
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap(), retry)
    }

    #[tokio::test]
    async fn validation_is_the_seed_400_shape() {
        let (status, json, _) = body(ApiError::Validation(vec![Violation::required(
            "Name",
            Value::Null,
        )]))
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            json,
            json!({
                "Message": "Name: is a required field",
                "Value": null,
                "Errors": [{"AttemptedValue": null, "Message": "is a required field", "PropertyName": "Name"}],
                "WasSuccessful": false
            })
        );
    }

    #[tokio::test]
    async fn rate_limit_is_409_with_retry_after() {
        let (status, json, retry) = body(ApiError::RateLimited {
            retry_after_secs: 3,
        })
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(
            json["Message"],
            "You must wait before accessing this url again."
        );
        assert_eq!(json["Status"], 409);
        assert_eq!(json["WasSuccessful"], false);
        assert_eq!(retry.as_deref(), Some("3"));
    }

    #[tokio::test]
    async fn not_found_and_bad_request_name_what_is_wrong() {
        let (status, json, _) = body(ApiError::not_found("CoworkerIdentityCheck", 123)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(json["Message"], "CoworkerIdentityCheck 123 was not found.");
        assert_eq!(json["Errors"], Value::Null);
        let (status, json, _) = body(ApiError::bad_request(
            "BusinessId",
            "expected a whole number",
            json!("x"),
        ))
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(json["Message"], "BusinessId: expected a whole number");
        assert_eq!(json["Errors"][0]["AttemptedValue"], "x");
    }

    #[tokio::test]
    async fn the_masstack_form_names_a_field_and_a_code() {
        use idcheck_core::masstack::{self, field};
        let cases = [
            (
                ApiError::MasValidation(vec![
                    masstack::required(field::REASON),
                    masstack::too_long(field::NAME, 100),
                ]),
                StatusCode::BAD_REQUEST,
                vec![("reason", "required"), ("name", "too_long")],
            ),
            (
                ApiError::bad_request("expires_in", "invalid type", json!(3)),
                StatusCode::BAD_REQUEST,
                vec![("expires_in", "invalid_format")],
            ),
            (
                ApiError::BadRequest {
                    property: None,
                    message: "The request body is empty; send a JSON object.".into(),
                    attempted: Value::Null,
                },
                StatusCode::BAD_REQUEST,
                vec![("body", "bad_request")],
            ),
            (
                ApiError::Unauthorized("no token"),
                StatusCode::UNAUTHORIZED,
                vec![("authorization", "unauthenticated")],
            ),
            (
                ApiError::not_found("org_id", "acme"),
                StatusCode::NOT_FOUND,
                vec![("org_id", "not_found")],
            ),
            (
                ApiError::Conflict {
                    field: "state",
                    message: "already CANCELLED".into(),
                },
                StatusCode::CONFLICT,
                vec![("state", "conflict")],
            ),
            (
                ApiError::RateLimited {
                    retry_after_secs: 2,
                },
                StatusCode::CONFLICT,
                vec![("request", "rate_limited")],
            ),
            (
                ApiError::PayloadTooLarge { limit: 16 * 1024 },
                StatusCode::PAYLOAD_TOO_LARGE,
                vec![("body", "payload_too_large")],
            ),
            (
                ApiError::Internal("disk full".into()),
                StatusCode::INTERNAL_SERVER_ERROR,
                vec![("server", "internal_error")],
            ),
        ];
        for (error, expected_status, expected) in cases {
            let label = format!("{error:?}");
            let retries = matches!(error, ApiError::RateLimited { .. });
            let response = error.render(ErrorForm::MasStack);
            assert_eq!(response.status(), expected_status, "{label}");
            assert_eq!(
                response.headers().contains_key(header::RETRY_AFTER),
                retries,
                "{label}"
            );
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            let body: ErrorsResponse = serde_json::from_slice(&bytes).expect(&label);
            let found: Vec<(&str, &str)> = body
                .errors
                .iter()
                .map(|e| (e.field.as_str(), e.code.as_str()))
                .collect();
            assert_eq!(found, expected, "{label}");
            assert!(body.errors.iter().all(|e| !e.message.is_empty()), "{label}");
        }
    }

    #[test]
    fn the_form_follows_the_path() {
        let cases = [
            (
                "/v1/orgs/masmovil/identifications/identity_document",
                ErrorForm::MasStack,
            ),
            ("/v1/", ErrorForm::MasStack),
            ("/api/spaces/coworkeridentitychecks", ErrorForm::Nexudus),
            ("/v1", ErrorForm::Nexudus),
            ("/", ErrorForm::Nexudus),
        ];
        for (path, form) in cases {
            assert_eq!(ErrorForm::for_path(path), form, "{path}");
        }
    }

    #[tokio::test]
    async fn the_token_endpoint_speaks_oauth() {
        let error = ApiError::OAuth {
            status: StatusCode::BAD_REQUEST,
            error: "unsupported_grant_type",
            description: "d",
        };
        let (status, json, _) = body(error).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            json,
            json!({"error": "unsupported_grant_type", "error_description": "d"})
        );
    }
}
