//! idcheck-server: the local API server. It implements the Nexudus `CoworkerIdentityCheck` and
//! `CoworkerIdentityCheckDocument` contract (`shared/seeds` 000–003, `shared/API-NOTES.md`) and,
//! beside it, MasStack's identification with identity document (seed 004) on SQLite, so the
//! browser component and its end-to-end tests run on one machine.
//!
//! Architecture invariant: every rule (required fields, formats, file slots, accepted images) comes
//! from `idcheck-core`; this crate only adds what needs I/O: storage, tokens and roles, fetching
//! files, rate limits and test faults. It applies the API's own rules, as lenient as the seeds
//! (`check_identity_check_record`, `check_stored_file`); the member rules built from the same
//! helpers (conditional groups, an expiry ahead, complete slots, a 100-byte minimum) are the
//! gateway's and the component's.
//!
//! - [`config`]: the command line.
//! - [`db`] and [`store`]: the schema, migrations, demo data and the SQL of each resource; they
//!   know nothing of HTTP.
//! - [`auth`]: password hashes, bearer tokens, roles, and the request extractor, one module each;
//!   [`ratelimit`]: Nexudus's 409s.
//! - [`routes`]: one router per resource; [`error`]: the one error type and its two body forms
//!   (Nexudus's envelope under `/api`, MasStack's `ErrorsResponse` under `/v1`).
//! - [`files`]: stored images; [`fetch`]: the one outbound fetcher, with its address policy;
//!   [`lifecycle`]: how long uploads are kept; [`faults`]: test-only fault injection.
//!
//! No module imports one that imports it back (`tests/modules.rs` checks).

pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod extract;
pub mod faults;
pub mod fetch;
pub mod files;
pub mod lifecycle;
pub mod ratelimit;
pub mod routes;
pub mod state;
pub mod store;

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Extension, Router, middleware};
use idcheck_core::files::MAX_FILE_BYTES;
use tokio::sync::Semaphore;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::timeout::TimeoutLayer;

use crate::config::{Config, DatabaseLocation};
use crate::error::ApiError;
use crate::extract::{BodyLimit, limit_body};
use crate::files::FileStore;
use crate::state::AppState;

pub use crate::config::{Command, parse_args};

/// The largest record body: three images as base64 `data:` URLs, plus the record's own fields.
pub const RECORD_BODY_LIMIT: usize = 3 * (4 * MAX_FILE_BYTES.div_ceil(3) + 64) + 64 * 1024;
/// Uploads carry one raw image.
pub const UPLOAD_BODY_LIMIT: usize = MAX_FILE_BYTES;
/// The token form and the test endpoints carry a few fields.
pub const SMALL_BODY_LIMIT: usize = 16 * 1024;

/// The layers' limits beyond the body: how long a request may take and how many run at once.
#[derive(Debug, Clone, Copy)]
pub struct RequestLimits {
    pub timeout: Duration,
    pub max_concurrent: usize,
    pub log_requests: bool,
}

impl Default for RequestLimits {
    fn default() -> Self {
        RequestLimits {
            timeout: config::DEFAULT_REQUEST_TIMEOUT,
            max_concurrent: config::DEFAULT_MAX_CONCURRENT_REQUESTS,
            log_requests: false,
        }
    }
}

impl RequestLimits {
    pub fn from_config(config: &Config) -> RequestLimits {
        RequestLimits {
            timeout: config.request_timeout,
            max_concurrent: config.max_concurrent_requests,
            log_requests: config.log_requests,
        }
    }
}

/// The whole application with the default request limits (see [`app_with`]).
pub fn app(state: AppState) -> Router {
    app_with(state, RequestLimits::default())
}

/// The whole application: every resource's router, the static component, and the layers.
pub fn app_with(state: AppState, limits: RequestLimits) -> Router {
    let body_limit = |limit: usize| middleware::from_fn_with_state(BodyLimit(limit), limit_body);
    let records = Router::new()
        .merge(routes::checks::router())
        .merge(routes::documents::router())
        .layer(body_limit(RECORD_BODY_LIMIT));
    let uploads = routes::uploads::router().layer(body_limit(UPLOAD_BODY_LIMIT));
    let mut small = routes::token::router()
        .merge(routes::lookups::router())
        .merge(routes::masstack::router());
    if state.fault_injection {
        small = small.merge(faults::router(state.faults.clone()));
    }
    let small = small.layer(body_limit(SMALL_BODY_LIMIT));
    let api = Router::new().merge(records).merge(uploads).merge(small);
    let mut router = api
        .route("/api/{*rest}", any(api_not_found))
        .route("/v1/{*rest}", any(api_not_found))
        .method_not_allowed_fallback(method_not_allowed);
    router = match &state.dist {
        Some(dist) => {
            let index = ServeFile::new(dist.join("index.html"));
            let files = ServeDir::new(dist)
                .precompressed_br()
                .precompressed_gzip()
                .fallback(index);
            let files = Router::new()
                .fallback_service(files)
                .layer(middleware::from_fn(asset_caching));
            router.fallback_service(files)
        }
        None => router.fallback(no_component),
    };

    // Layers wrap what is above them: the last added runs first on a request.
    let mut router = router
        // A bug in a handler must cost one request a 500 envelope, not the connection.
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::Internal("a handler panicked".into()).into_response()
        }))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::request::authenticate,
        ))
        // Routes that set no limit get the small one: a route's own `Extension` runs later and wins.
        .layer(Extension(BodyLimit(SMALL_BODY_LIMIT)))
        // Outside authentication and the handlers, so their errors on MasStack's paths get its form.
        .layer(middleware::from_fn(error::path_form));
    if state.fault_injection {
        router = router.layer(middleware::from_fn_with_state(
            state.faults.clone(),
            faults::inject,
        ));
    }
    // Every route: a bounded number at once (beyond it, 503 at once), each within a time limit
    // (408), both answered in the path's error form.
    router = router
        .layer(middleware::from_fn_with_state(
            Arc::new(Semaphore::new(limits.max_concurrent)),
            limit_concurrency,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.timeout,
        ))
        .layer(middleware::from_fn(error::bare_statuses));
    if limits.log_requests {
        router = router.layer(middleware::from_fn(log_request));
    }
    if let Some(cors) = cors_layer(&state.cors_origins) {
        router = router.layer(cors);
    }
    router.with_state(state)
}

/// Answers 503 at once when `permits` are all taken, so a flood queues nowhere.
async fn limit_concurrency(
    State(permits): State<Arc<Semaphore>>,
    request: Request,
    next: Next,
) -> Response {
    let Ok(_permit) = permits.try_acquire() else {
        return ApiError::Busy.response_for_path(request.uri().path());
    };
    next.run(request).await
}

/// One line per request on stderr: method, path (never the query, which may carry a secret),
/// status and time. Headers and bodies, where tokens and passwords travel, are never logged.
async fn log_request(request: Request, next: Next) -> Response {
    let (method, path) = (request.method().clone(), request.uri().path().to_string());
    let started = Instant::now();
    let response = next.run(request).await;
    eprintln!(
        "idcheck-server: {method} {path} {} {} ms",
        response.status().as_u16(),
        started.elapsed().as_millis()
    );
    response
}

async fn api_not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::RouteNotFound {
        method: method.to_string(),
        path: uri.path().to_string(),
    }
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

async fn no_component() -> (axum::http::StatusCode, &'static str) {
    (
        axum::http::StatusCode::NOT_FOUND,
        "idcheck-server: no component is served here; start the server with --dist DIR to serve one.\n",
    )
}

/// CORS for the configured origins (`*` for any); none configured means same-origin only.
fn cors_layer(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok()),
        )
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::DELETE,
                Method::OPTIONS,
            ])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::ACCEPT,
                // What MasStack's actor side sends with `validate`.
                HeaderName::from_static("x-installation_id"),
                HeaderName::from_static("x-fingerprint"),
                HeaderName::from_static("x-location"),
            ])
            // A throttled browser client must be able to read how long to wait.
            .expose_headers([header::RETRY_AFTER, header::CONTENT_DISPOSITION])
            .max_age(Duration::from_secs(600)),
    )
}

/// Where stored images go when `--files` is not given: a temporary folder for an in-memory
/// database (nothing of it outlives the process), else `files` beside the database file.
fn files_dir(config: &Config) -> Option<PathBuf> {
    match (&config.files, &config.database) {
        (Some(dir), _) => Some(dir.clone()),
        (None, DatabaseLocation::Memory) => None,
        (None, DatabaseLocation::File(path)) => Some(
            path.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("files"), |p| p.join("files")),
        ),
    }
}

/// Opens everything, announces the demo users and the address, and serves until Ctrl-C/SIGTERM.
pub async fn run(config: Config) -> Result<(), String> {
    for origin in &config.cors_origins {
        if origin != "*" && HeaderValue::from_str(origin).is_err() {
            return Err(format!("--cors-origin `{origin}` is not a valid origin"));
        }
    }
    let db = db::Db::open(&config.database)?;
    let files = FileStore::open(files_dir(&config))?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|err| format!("cannot listen on {}: {err}", config.listen))?;
    let bound = listener.local_addr().map_err(|err| err.to_string())?;
    let state = AppState::new(&config, db, files, bound)?;
    lifecycle::spawn_upload_sweeper(state.db.clone(), state.files.clone(), config.upload_ttl);

    // Other programs (xtask, the end-to-end tests) parse these lines: keep their form exact.
    let mut out = std::io::stdout().lock();
    for user in db::DEMO_USERS {
        let _ = writeln!(
            out,
            "demo user: {} password: {} roles: {}",
            user.email,
            user.password,
            user.role_names().join(",")
        );
    }
    let _ = writeln!(out, "listening on http://{bound}");
    let _ = out.flush();
    drop(out);

    let service = app_with(state.clone(), RequestLimits::from_config(&config))
        .into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|err| format!("the server stopped: {err}"))
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

/// The component's static files: the `.br` or `.gz` the build wrote beside a file when the browser
/// accepts it, and how long the browser may keep it: for ever when its address names its version
/// (`?v=`, which changes with the content, as the translations' addresses do), otherwise only after
/// asking again (a host imports `idcheck.js` by a fixed name, so a new build must be seen at once;
/// an unchanged file then costs a 304). Pages are always asked for again.
pub async fn asset_caching(request: Request, next: Next) -> Response {
    let versioned = request
        .uri()
        .query()
        .is_some_and(|query| query.split('&').any(|pair| pair.starts_with("v=")));
    let mut response = next.run(request).await;
    // An unknown path is answered with the page itself: that must never be kept as the file.
    let page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|kind| kind.as_bytes().starts_with(b"text/html"));
    let policy = if versioned && response.status().is_success() && !page {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}
