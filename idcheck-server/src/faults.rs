//! Test-only fault injection, enabled by `--fault-injection`: fail, delay or break the answer of the
//! Nth request of a route, and count requests per route, so the component's retry logic can be
//! proven against a real server.
//!
//! The layer sits outside authentication and rate limiting, so an armed fault fires whatever the
//! request carries; the endpoints that arm faults need no token because they exist only for tests.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::ApiError;
use crate::extract::JsonBody;

/// The prefix of the test endpoints; requests to them are neither counted nor faulted.
pub const TEST_PREFIX: &str = "/api/test/";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultAction {
    /// Answer 500 without running the handler: nothing is written.
    Error500,
    /// Wait `delay_ms`, then handle the request normally.
    Delay,
    /// Run the handler (so the write commits), then break the answer's body, so the client sees a
    /// failure although the write happened: the case a retry must not duplicate.
    DropAfterWrite,
    /// Break the answer without running the handler (the head of a 500, then the connection
    /// drops): the client has sent its request and gets no whole answer, as when a call times out
    /// on the way, but nothing was written. What a look-up after a lost answer must settle as "not
    /// written".
    DropBeforeWrite,
    /// Answer 400 naming `property` with `message`, as a validation the client does not know would:
    /// proves the client shows the server's word on the right field. Nothing is written.
    Reject,
}

/// What `POST /api/test/faults` takes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FaultSpec {
    /// `GET`, `POST`, …, or `*` for any.
    pub method: String,
    /// The request path without the query; a trailing `*` matches any path with that prefix.
    pub path: String,
    /// Which matching request, counted from when the fault is armed, fires it (1 = the next one).
    #[serde(default = "one")]
    pub nth: u32,
    pub action: FaultAction,
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// For `reject`: the property the 400 names, and its message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

fn one() -> u32 {
    1
}

impl FaultSpec {
    fn matches(&self, method: &Method, path: &str) -> bool {
        let method_matches =
            self.method == "*" || self.method.eq_ignore_ascii_case(method.as_str());
        let path_matches = match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == self.path || path.strip_suffix('/') == Some(self.path.as_str()),
        };
        method_matches && path_matches
    }
}

#[derive(Debug, Clone, Serialize)]
struct ArmedFault {
    #[serde(flatten)]
    spec: FaultSpec,
    /// Matching requests seen since arming.
    seen: u32,
}

/// The armed faults and the request counts.
#[derive(Default)]
pub struct Faults {
    armed: Mutex<Vec<ArmedFault>>,
    counts: Mutex<BTreeMap<String, u64>>,
}

impl Faults {
    pub fn arm(&self, spec: FaultSpec) {
        lock(&self.armed).push(ArmedFault { spec, seen: 0 });
    }

    pub fn clear(&self) {
        lock(&self.armed).clear();
    }

    /// Counts this request against every matching fault and returns the first one it fires; a fired
    /// fault is disarmed, so it fires once.
    fn fire(&self, method: &Method, path: &str) -> Option<FaultSpec> {
        let mut armed = lock(&self.armed);
        let mut fired = None;
        for fault in armed.iter_mut().filter(|f| f.spec.matches(method, path)) {
            fault.seen += 1;
            if fired.is_none() && fault.seen == fault.spec.nth {
                fired = Some(fault.spec.clone());
            }
        }
        armed.retain(|f| f.seen < f.spec.nth);
        fired
    }

    fn count(&self, method: &Method, path: &str) {
        *lock(&self.counts)
            .entry(format!("{method} {path}"))
            .or_default() += 1;
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

/// The middleware: counts the request, then applies a fault if one fires.
pub async fn inject(State(faults): State<Arc<Faults>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    if path.starts_with(TEST_PREFIX) {
        return next.run(request).await;
    }
    let method = request.method().clone();
    faults.count(&method, &path);
    let Some(fault) = faults.fire(&method, &path) else {
        return next.run(request).await;
    };
    match fault.action {
        // This layer sits outside `error::path_form`, so it picks the path's error form itself.
        FaultAction::Error500 => ApiError::InjectedFault.response_for_path(&path),
        FaultAction::Reject => ApiError::bad_request(
            fault.property.as_deref().unwrap_or("Name"),
            fault
                .message
                .unwrap_or_else(|| "was rejected by the server".into()),
            serde_json::Value::Null,
        )
        .response_for_path(&path),
        FaultAction::Delay => {
            tokio::time::sleep(Duration::from_millis(fault.delay_ms.unwrap_or(0))).await;
            next.run(request).await
        }
        FaultAction::DropAfterWrite => {
            let response = next.run(request).await;
            let (mut parts, _body) = response.into_parts();
            // The real length would let a client notice nothing; the body now ends in an error.
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::new(BrokenBody::new()))
        }
        FaultAction::DropBeforeWrite => {
            let (mut parts, _body) = ApiError::InjectedFault
                .response_for_path(&path)
                .into_parts();
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::new(BrokenBody::new()))
        }
    }
}

/// A body that sends its first byte, pauses so hyper flushes the head and that byte, and then
/// fails, which makes hyper abort the connection mid-answer. The flush matters: with nothing
/// received, a browser silently resends the request on a fresh connection (which would write
/// twice); with the head and a byte received, it reports the failure to the page, as a real
/// connection lost mid-answer does.
struct BrokenBody {
    started: bool,
    pause: Pin<Box<tokio::time::Sleep>>,
}

impl BrokenBody {
    fn new() -> BrokenBody {
        BrokenBody {
            started: false,
            pause: Box::pin(tokio::time::sleep(Duration::from_millis(200))),
        }
    }
}

impl http_body::Body for BrokenBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        if !self.started {
            self.started = true;
            return Poll::Ready(Some(Ok(http_body::Frame::data(Bytes::from_static(b"{")))));
        }
        if self.pause.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        Poll::Ready(Some(Err(std::io::Error::other(
            "connection dropped by fault injection",
        ))))
    }
}

/// `/api/test/faults` and `/api/test/requests`, on `faults` (the one the [`inject`] layer uses).
pub fn router<S: Clone + Send + Sync + 'static>(faults: Arc<Faults>) -> Router<S> {
    Router::new()
        .route(
            "/api/test/faults",
            get(list_faults).post(arm_fault).delete(clear_faults),
        )
        .route(
            "/api/test/requests",
            get(request_counts).delete(reset_counts),
        )
        .with_state(faults)
}

async fn arm_fault(
    State(faults): State<Arc<Faults>>,
    JsonBody(spec): JsonBody<FaultSpec>,
) -> Result<Json<serde_json::Value>, ApiError> {
    if spec.nth == 0 {
        return Err(ApiError::bad_request(
            "nth",
            "must be 1 or more",
            json!(spec.nth),
        ));
    }
    if spec.method != "*" && Method::from_bytes(spec.method.as_bytes()).is_err() {
        return Err(ApiError::bad_request(
            "method",
            "is not an HTTP method",
            json!(spec.method),
        ));
    }
    if !spec.path.starts_with('/') {
        return Err(ApiError::bad_request(
            "path",
            "must start with /",
            json!(spec.path),
        ));
    }
    if spec.action == FaultAction::Reject && spec.property.is_none() {
        return Err(ApiError::bad_request(
            "property",
            "is a required field for the reject action",
            serde_json::Value::Null,
        ));
    }
    if spec.action == FaultAction::Delay && spec.delay_ms.is_none() {
        return Err(ApiError::bad_request(
            "delay_ms",
            "is a required field for the delay action",
            serde_json::Value::Null,
        ));
    }
    faults.arm(spec.clone());
    Ok(Json(json!({ "Armed": spec })))
}

async fn list_faults(State(faults): State<Arc<Faults>>) -> Json<serde_json::Value> {
    let armed = lock(&faults.armed).clone();
    Json(json!({ "Faults": armed }))
}

async fn clear_faults(State(faults): State<Arc<Faults>>) -> Json<serde_json::Value> {
    faults.clear();
    Json(json!({ "Faults": [] }))
}

async fn request_counts(State(faults): State<Arc<Faults>>) -> Json<serde_json::Value> {
    let counts = lock(&faults.counts).clone();
    let total: u64 = counts.values().sum();
    Json(json!({ "Requests": counts, "Total": total }))
}

async fn reset_counts(State(faults): State<Arc<Faults>>) -> Json<serde_json::Value> {
    lock(&faults.counts).clear();
    Json(json!({ "Requests": {}, "Total": 0 }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(method: &str, path: &str, nth: u32) -> FaultSpec {
        FaultSpec {
            method: method.into(),
            path: path.into(),
            nth,
            action: FaultAction::Error500,
            delay_ms: None,
            property: None,
            message: None,
        }
    }

    #[test]
    fn fires_on_the_nth_matching_request_once() {
        let faults = Faults::default();
        faults.arm(spec("POST", "/api/x", 2));
        assert!(faults.fire(&Method::POST, "/api/x").is_none());
        assert!(
            faults.fire(&Method::GET, "/api/x").is_none(),
            "another method does not count"
        );
        assert!(
            faults.fire(&Method::POST, "/api/y").is_none(),
            "another path does not count"
        );
        assert!(faults.fire(&Method::POST, "/api/x").is_some());
        assert!(
            faults.fire(&Method::POST, "/api/x").is_none(),
            "a fired fault is disarmed"
        );
    }

    #[test]
    fn prefix_and_any_method() {
        let faults = Faults::default();
        faults.arm(spec("*", "/api/spaces/*", 1));
        assert!(
            faults
                .fire(&Method::DELETE, "/api/spaces/coworkeridentitychecks/5")
                .is_some()
        );
    }

    #[test]
    fn action_names_are_the_documented_ones() {
        let parsed: FaultSpec = serde_json::from_str(
            r#"{"method":"POST","path":"/p","nth":1,"action":"drop_after_write","delay_ms":5}"#,
        )
        .unwrap();
        assert_eq!(parsed.action, FaultAction::DropAfterWrite);
        let parsed: FaultSpec =
            serde_json::from_str(r#"{"method":"POST","path":"/p","action":"drop_before_write"}"#)
                .unwrap();
        assert_eq!(parsed.action, FaultAction::DropBeforeWrite);
        let parsed: FaultSpec =
            serde_json::from_str(r#"{"method":"GET","path":"/p","action":"error500"}"#).unwrap();
        assert_eq!((parsed.action, parsed.nth), (FaultAction::Error500, 1));
    }
}
