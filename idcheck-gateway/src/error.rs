//! The gateway's one error type and the one place that turns it into a status and a body, in the
//! contract of the path it answers: Nexudus' write envelope under `/api`, MasStack's
//! `ErrorsResponse` under `/v1`. Messages are written for the member and never carry an upstream
//! detail (an address, a credential, another member's data).

use std::sync::Arc;

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use idcheck_core::masstack::{ErrorsResponse, MasViolation};
use idcheck_core::model::{ApiValidationError, WriteEnvelope};
use idcheck_core::rules::Violation;
use serde_json::Value;

/// The paths of the MasStack contract.
pub const MASSTACK_PREFIX: &str = "/v1/";

#[derive(Debug, Clone)]
pub enum GatewayError {
    /// The member rules (or Nexudus' own) refused the request: 400, in seed 002's shape.
    Validation(Vec<Violation>),
    /// MasStack's rules refused the request: 400 listing every violation.
    MasValidation(Vec<MasViolation>),
    /// A body that is not what the route reads.
    BadRequest {
        property: Option<String>,
        message: String,
    },
    Unauthorized(&'static str),
    /// Also the answer for another member's record: ids are not revealed.
    NotFound {
        entity: &'static str,
        id: String,
    },
    RouteNotFound,
    MethodNotAllowed,
    PayloadTooLarge {
        limit: usize,
    },
    /// The queue in front of the upstream is full: 409 + `Retry-After`, Nexudus' throttling shape.
    Busy {
        retry_after_secs: u64,
    },
    /// A create with the same `Idempotency-Key` is still being carried out: wait and send again.
    InProgress,
    /// Too many wrong invitation codes from one client.
    LockedOut {
        retry_after_secs: u64,
    },
    /// The upstream did not answer (or answered nothing readable). Nothing is known of whether it
    /// carried the request out.
    Upstream,
    Internal(String),
}

impl GatewayError {
    pub fn not_found(entity: &'static str, id: impl ToString) -> Self {
        GatewayError::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    pub fn bad_request(property: &str, message: impl Into<String>) -> Self {
        GatewayError::BadRequest {
            property: Some(property.to_string()),
            message: message.into(),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            GatewayError::Validation(_)
            | GatewayError::MasValidation(_)
            | GatewayError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            GatewayError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            GatewayError::NotFound { .. } | GatewayError::RouteNotFound => StatusCode::NOT_FOUND,
            GatewayError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            GatewayError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            GatewayError::Busy { .. } | GatewayError::InProgress => StatusCode::CONFLICT,
            GatewayError::LockedOut { .. } => StatusCode::TOO_MANY_REQUESTS,
            GatewayError::Upstream => StatusCode::BAD_GATEWAY,
            GatewayError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn message(&self) -> String {
        match self {
            GatewayError::Validation(violations) => idcheck_core::rules::joined_message(violations),
            GatewayError::MasValidation(violations) => violations
                .iter()
                .map(MasViolation::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
            GatewayError::BadRequest {
                property: Some(property),
                message,
            } => format!("{property}: {message}"),
            GatewayError::BadRequest {
                property: None,
                message,
            } => message.clone(),
            GatewayError::Unauthorized(message) => (*message).to_string(),
            GatewayError::NotFound { entity, id } => format!("{entity} {id} was not found."),
            GatewayError::RouteNotFound => "There is no such route.".into(),
            GatewayError::MethodNotAllowed => "This route does not accept this method.".into(),
            GatewayError::PayloadTooLarge { limit } => {
                format!("The request body is larger than the {limit} bytes allowed.")
            }
            GatewayError::Busy { .. } => "You must wait before accessing this url again.".into(),
            GatewayError::InProgress => {
                "A request with this Idempotency-Key is still being carried out: wait and send it again."
                    .into()
            }
            GatewayError::LockedOut { retry_after_secs } => format!(
                "Too many wrong codes: try again in {} minutes.",
                retry_after_secs.div_ceil(60)
            ),
            GatewayError::Upstream => {
                "The service behind this gateway did not answer; please try again.".into()
            }
            GatewayError::Internal(_) => "An internal error occurred.".into(),
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            GatewayError::Busy { retry_after_secs }
            | GatewayError::LockedOut { retry_after_secs } => Some(*retry_after_secs),
            GatewayError::InProgress => Some(1),
            _ => None,
        }
    }

    fn nexudus_body(&self) -> Value {
        let mut envelope = WriteEnvelope::<Value>::failure(&[]);
        envelope.message = self.message();
        match self {
            GatewayError::Validation(violations) => {
                envelope.errors = Some(violations.iter().map(Violation::to_api).collect());
            }
            GatewayError::BadRequest {
                property: Some(property),
                message,
            } => {
                envelope.errors = Some(vec![ApiValidationError {
                    attempted_value: Value::Null,
                    message: message.clone(),
                    property_name: property.clone(),
                }]);
            }
            _ => {
                envelope.status = Some(self.status().as_u16());
                envelope.errors = None;
            }
        }
        serde_json::to_value(envelope).unwrap_or(Value::Null)
    }

    fn masstack_body(&self) -> ErrorsResponse {
        match self {
            GatewayError::MasValidation(violations) => ErrorsResponse::from_violations(violations),
            GatewayError::BadRequest {
                property: Some(property),
                message,
            } => ErrorsResponse::single(property, "invalid_format", message.clone()),
            _ => {
                let (field, code) = match self {
                    GatewayError::Unauthorized(_) => ("authorization", "unauthenticated"),
                    GatewayError::NotFound { entity, .. } => (*entity, "not_found"),
                    GatewayError::RouteNotFound => ("path", "not_found"),
                    GatewayError::MethodNotAllowed => ("method", "method_not_allowed"),
                    GatewayError::PayloadTooLarge { .. } => ("body", "payload_too_large"),
                    GatewayError::Busy { .. } | GatewayError::LockedOut { .. } => {
                        ("request", "rate_limited")
                    }
                    GatewayError::InProgress => ("idempotency_key", "in_progress"),
                    GatewayError::Upstream => ("server", "upstream_unavailable"),
                    GatewayError::Internal(_) => ("server", "internal_error"),
                    _ => ("body", "invalid"),
                };
                ErrorsResponse::single(field, code, self.message())
            }
        }
    }

    fn render(&self, masstack: bool) -> Response {
        let status = self.status();
        let mut response = if masstack {
            (status, Json(self.masstack_body())).into_response()
        } else {
            (status, Json(self.nexudus_body())).into_response()
        };
        if let Some(seconds) = self.retry_after() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        }
        response
    }
}

/// The error an answer was rendered from, so [`path_form`] can render it again.
#[derive(Clone)]
struct RenderedError(Arc<GatewayError>);

impl IntoResponse for GatewayError {
    /// The Nexudus form; [`path_form`] swaps it for MasStack's on MasStack's paths.
    fn into_response(self) -> Response {
        if let GatewayError::Internal(detail) = &self {
            // The member gets a generic message; the detail (never a secret) goes to the log.
            eprintln!("idcheck-gateway: internal error: {detail}");
        }
        let mut response = self.render(false);
        response
            .extensions_mut()
            .insert(RenderedError(Arc::new(self)));
        response
    }
}

/// Middleware: errors on MasStack's paths answer in MasStack's form, whoever raised them.
pub async fn path_form(request: Request, next: Next) -> Response {
    let masstack = request.uri().path().starts_with(MASSTACK_PREFIX);
    let response = next.run(request).await;
    match response.extensions().get::<RenderedError>() {
        Some(RenderedError(error)) if masstack => error.render(true),
        _ => response,
    }
}
