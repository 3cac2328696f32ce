//! idcheck-gateway: the small back end an operator runs beside their member portal. The browser
//! component talks only to it; it talks to Nexudus (and MasStack) with the operator's credentials,
//! which never leave it. Each member holds a short-lived token bound to their coworker and
//! business, and every call is scoped to it: a member reads, lists, downloads and writes only
//! their own records, with the member rules of `idcheck-core` applied before anything is
//! forwarded.
//!
//! A request reads top to bottom: [`member`] says who is calling, [`scope`] what they may touch,
//! the core's rules whether the body is acceptable, and [`upstream`] (with [`pacer`]) makes the one
//! call upstream; [`settle`] looks up the record of a create whose answer was lost. [`routes`]
//! wires them per resource; [`invitations`], [`handoffs`] (carrying on on a phone) and [`store`]
//! keep the gateway's own state; [`error`]
//! is the one error type; [`layers`] holds what every request passes through (headers, limits,
//! no token in a URL).
//!
//! Architecture invariant: no upstream credential appears in an answer, a log line or a URL, and
//! no member's call reaches the upstream without a [`member::Member`] in its handler's arguments.

pub mod config;
pub mod error;
pub mod handoffs;
pub mod idempotency;
pub mod invitations;
pub mod layers;
pub mod member;
pub mod pacer;
pub mod routes;
pub mod scope;
pub mod settle;
pub mod state;
pub mod store;
pub mod upstream;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use idcheck_core::files::MAX_FILE_BYTES;
use tokio::sync::Semaphore;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};

use crate::error::GatewayError;
use crate::routes::BodyLimit;
use crate::state::AppState;

pub use crate::config::{Command, Config, USAGE, parse_args};

/// A document body may carry three images as base64 `data:` URLs, plus its own fields.
pub const RECORD_BODY_LIMIT: usize = 3 * (4 * MAX_FILE_BYTES.div_ceil(3) + 64) + 64 * 1024;
/// An upload carries one raw image.
pub const UPLOAD_BODY_LIMIT: usize = MAX_FILE_BYTES;
/// Everything else carries a few fields.
pub const SMALL_BODY_LIMIT: usize = 16 * 1024;
/// A hand-off carries the component's progress (at most 16 KB of it) and little else.
pub const HANDOFF_BODY_LIMIT: usize = handoffs::MAX_PROGRESS_BYTES + 4 * 1024;

/// `router` with its body limit: a declared length over it is refused before reading, a body
/// without one is cut off at it.
fn limited(router: Router<AppState>, limit: usize) -> Router<AppState> {
    router
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(
            BodyLimit(limit),
            layers::limit_body,
        ))
}

/// The whole gateway: the member API, the operator's routes, the component and the layers.
pub fn app(state: AppState) -> Router {
    let records = Router::new()
        .merge(routes::checks::router())
        .merge(routes::documents::router());
    let small = Router::new()
        .merge(routes::tokens::router(state.demo_portal.is_some()))
        .merge(routes::requests::router())
        .merge(routes::masstack::router());
    let router = Router::new()
        .merge(limited(records, RECORD_BODY_LIMIT))
        .merge(limited(routes::uploads::router(), UPLOAD_BODY_LIMIT))
        .merge(limited(small, SMALL_BODY_LIMIT))
        .merge(limited(routes::handoffs::router(), HANDOFF_BODY_LIMIT))
        .route("/api/{*rest}", any(not_found))
        .route("/v1/{*rest}", any(not_found))
        .method_not_allowed_fallback(method_not_allowed);
    let router = match &state.dist {
        Some(dist) => {
            let index = ServeFile::new(dist.join("index.html"));
            let files = ServeDir::new(dist)
                .precompressed_br()
                .precompressed_gzip()
                .fallback(index);
            let files = Router::new()
                .fallback_service(files)
                .layer(middleware::from_fn(layers::asset_caching));
            router.fallback_service(files)
        }
        None => router.fallback(no_component),
    };
    let cors = cors_layer(&state.cors_origins);
    let permits = Arc::new(Semaphore::new(state.max_concurrent_requests));
    let ancestors: Arc<str> = Arc::from(state.frame_ancestors.as_str());
    // Layers wrap what is above them: the last added sees a request first.
    let router = router
        .layer(CatchPanicLayer::custom(|_| {
            GatewayError::Internal("a handler panicked".into()).into_response()
        }))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            layers::refuse_tokens_in_urls,
        ))
        // Every route: a bounded number at once (beyond, refused at once), each within a time
        // limit that counts the body's arrival too.
        .layer(middleware::from_fn_with_state(
            permits,
            layers::limit_concurrency,
        ))
        .layer(layers::timeout_layer(state.request_timeout))
        .layer(middleware::from_fn(layers::timeout_form))
        // Outside the layers above, so their errors on MasStack's paths take its form too.
        .layer(middleware::from_fn(error::path_form))
        .layer(middleware::from_fn_with_state(
            ancestors,
            layers::security_headers,
        ))
        .layer(middleware::from_fn(log_request));
    match cors {
        Some(cors) => router.layer(cors).with_state(state),
        None => router.with_state(state),
    }
}

/// CORS for the portal origins the operator named; none means same-origin only. Credentials are
/// never allowed: the member token travels in `Authorization`, not in a cookie.
fn cors_layer(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(
                origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()),
            ))
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::ACCEPT,
                header::HeaderName::from_static(idempotency::HEADER),
            ])
            // A throttled client must be able to read how long to wait.
            .expose_headers([
                header::RETRY_AFTER,
                header::CONTENT_DISPOSITION,
                header::HeaderName::from_static(idempotency::REPLAYED),
            ])
            .max_age(std::time::Duration::from_secs(600)),
    )
}

async fn not_found() -> GatewayError {
    GatewayError::RouteNotFound
}

async fn method_not_allowed() -> GatewayError {
    GatewayError::MethodNotAllowed
}

async fn no_component() -> (axum::http::StatusCode, &'static str) {
    (
        axum::http::StatusCode::NOT_FOUND,
        "idcheck-gateway: no component is served here; start the gateway with --dist DIR to serve one.\n",
    )
}

/// One line per API request: the method, the route's pattern (never the path itself, which may
/// hold an upload's secret name) and the status. No header, query or body is ever logged.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_string());
    let response = next.run(request).await;
    if let Some(route) = route
        .filter(|r| r.starts_with("/api/") || r.starts_with("/v1/") || r.starts_with("/portal/"))
    {
        println!("{method} {route} {}", response.status().as_u16());
    }
    response
}

/// Opens everything, announces the address, and serves until Ctrl-C or SIGTERM.
pub async fn run(config: Config) -> Result<(), String> {
    let db = store::Db::open(&config.database)?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|err| format!("cannot listen on {}: {err}", config.listen))?;
    let bound = listener.local_addr().map_err(|err| err.to_string())?;
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{bound}"));
    let state = AppState::new(&config, db, public_url)?;
    // Uploads no document used are deleted once past their time, whether or not anyone asks.
    tokio::spawn(routes::uploads::sweep_forever(
        state.db.clone(),
        state.upload_lifetime,
    ));

    // Other programs (xtask, the tests) read this line: keep its form exact.
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on http://{bound}");
    let _ = out.flush();
    drop(out);

    let service = app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|err| format!("the gateway stopped: {err}"))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
