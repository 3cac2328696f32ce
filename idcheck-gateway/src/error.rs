//! The gateway's one error type and the one place that turns it into a status and a body, in the
//! contract of the path it answers: Nexudus' write envelope under `/api`, MasStack's
//! `ErrorsResponse` under `/v1`. Messages are written for the member and never carry an upstream
//! detail (an address, a credential, another member's data).

use std::sync::Arc;
use std::time::SystemTime;

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use idcheck_core::masstack::{ErrorsResponse, MasCode};
use idcheck_core::model::{ApiValidationError, WriteEnvelope};
use idcheck_core::violation::{self, Violation};
use serde_json::Value;

/// The paths of the MasStack contract.
pub const MASSTACK_PREFIX: &str = "/v1/";

#[derive(Debug, Clone)]
pub enum GatewayError {
    /// The member rules (or Nexudus' own) refused the request: 400, in seed 002's shape.
    Validation(Vec<Violation>),
    /// MasStack's rules refused the request: 400 listing every violation.
    MasValidation(Vec<Violation<MasCode>>),
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
    /// The request took longer than the gateway's time limit (`--request-timeout-seconds`).
    Timeout,
    /// Too many wrong invitation codes from one client.
    LockedOut {
        retry_after_secs: u64,
    },
    /// The upstream failed (it could not be reached, or answered with a failure of its own), and
    /// nothing was written there as far as the gateway can tell.
    Upstream,
    /// The request was sent, but its answer was lost (the connection dropped, the body was cut
    /// off, the call timed out): the upstream may have carried it out. Only a look-up can tell;
    /// unsettled, it reads as [`GatewayError::Upstream`].
    AnswerLost {
        /// When the request left, so a look-up can tell the record it wrote from older ones.
        sent_at: SystemTime,
    },
    /// A create's answer was lost and the upstream offers no look-up to tell whether it was
    /// carried out (MasStack). Its `Idempotency-Key` keeps this answer, so sending it again cannot
    /// create a second record blindly.
    Unsettled,
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
            GatewayError::Timeout => StatusCode::REQUEST_TIMEOUT,
            GatewayError::Upstream | GatewayError::AnswerLost { .. } | GatewayError::Unsettled => {
                StatusCode::BAD_GATEWAY
            }
            GatewayError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn message(&self) -> String {
        match self {
            GatewayError::Validation(violations) => violation::joined_message(violations),
            GatewayError::MasValidation(violations) => violation::joined_message(violations),
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
            GatewayError::Timeout => {
                "The request took longer than this gateway allows; please try again.".into()
            }
            GatewayError::LockedOut { retry_after_secs } => format!(
                "Too many wrong codes: try again in {} minutes.",
                retry_after_secs.div_ceil(60)
            ),
            GatewayError::Upstream | GatewayError::AnswerLost { .. } => {
                "The service behind this gateway did not answer; please try again.".into()
            }
            GatewayError::Unsettled => {
                "The service behind this gateway may have carried out this request, but its answer \
                 was lost and cannot be looked up: sending it again with this Idempotency-Key \
                 creates nothing. Check before sending it with a new key."
                    .into()
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
                envelope.errors = Some(violations.iter().map(ApiValidationError::from).collect());
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
                    GatewayError::Timeout => ("request", "timeout"),
                    GatewayError::Upstream | GatewayError::AnswerLost { .. } => {
                        ("server", "upstream_unavailable")
                    }
                    GatewayError::Unsettled => ("server", "upstream_unsettled"),
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
        Some(RenderedError(error)) if masstack => {
            let mut rendered = error.render(true);
            // A kept answer given again says so in either form.
            if let Some(replayed) = response.headers().get(crate::idempotency::REPLAYED) {
                rendered
                    .headers_mut()
                    .insert(crate::idempotency::REPLAYED, replayed.clone());
            }
            rendered
        }
        _ => response,
    }
}
