//! The one error type of every handler, and the one place that turns errors into status codes and
//! the seeds' envelope, so no handler formats an error body by hand.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use idcheck_core::model::{ApiValidationError, WriteEnvelope};
use idcheck_core::rules::Violation;
use serde_json::{Value, json};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Rules broken: 400 in exactly the shape of seed 002's 400 answer.
    #[error("validation failed")]
    Validation(Vec<Violation>),
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
    /// Nexudus answers a throttled request with 409, not 429.
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    /// The token endpoint speaks OAuth2, not the envelope: `{"error": …, "error_description": …}`.
    #[error("{error}")]
    OAuth {
        status: StatusCode,
        error: &'static str,
        description: &'static str,
    },
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

    fn status(&self) -> StatusCode {
        match self {
            ApiError::Validation(_) | ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound { .. } | ApiError::RouteNotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::RateLimited { .. } => StatusCode::CONFLICT,
            ApiError::OAuth { status, .. } => *status,
            ApiError::InjectedFault | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The envelope's `Message`.
    fn message(&self) -> String {
        match self {
            ApiError::Validation(_) | ApiError::OAuth { .. } => String::new(),
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

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let ApiError::Internal(detail) = &self {
            // The client gets a generic message; the detail belongs in the server's log.
            eprintln!("idcheck-server: internal error: {detail}");
        }
        let mut response = match &self {
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
                let errors = match &self {
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
        };
        if let ApiError::RateLimited { retry_after_secs } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
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
