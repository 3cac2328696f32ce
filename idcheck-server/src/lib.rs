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
//! - [`db`] and [`store`]: the schema, migrations, demo data and the SQL of each resource.
//! - [`auth`]: users, roles, password hashes, bearer tokens; [`ratelimit`]: Nexudus's 409s.
//! - [`routes`]: one router per resource; [`error`]: the one error type and its two body forms
//!   (Nexudus's envelope under `/api`, MasStack's `ErrorsResponse` under `/v1`).
//! - [`files`]: stored images and fetching `New…Url`s; [`faults`]: test-only fault injection.

pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod extract;
pub mod faults;
pub mod files;
pub mod ratelimit;
pub mod routes;
pub mod state;
pub mod store;

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, Method, Uri, header};
use axum::response::IntoResponse;
use axum::routing::any;
use axum::{Extension, Router, middleware};
use idcheck_core::files::MAX_FILE_BYTES;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};

use crate::config::{Config, DatabaseLocation};
use crate::error::ApiError;
use crate::extract::BodyLimit;
use crate::files::FileStore;
use crate::state::AppState;

pub use crate::config::{Command, parse_args};

/// The largest record body: three images as base64 `data:` URLs, plus the record's own fields.
pub const RECORD_BODY_LIMIT: usize = 3 * (4 * MAX_FILE_BYTES.div_ceil(3) + 64) + 64 * 1024;
/// Uploads carry one raw image.
pub const UPLOAD_BODY_LIMIT: usize = MAX_FILE_BYTES;
/// The token form and the test endpoints carry a few fields.
pub const SMALL_BODY_LIMIT: usize = 16 * 1024;

/// The whole application: every resource's router, the static component, and the layers.
pub fn app(state: AppState) -> Router {
    let records = Router::new()
        .merge(routes::checks::router())
        .merge(routes::documents::router())
        .layer(Extension(BodyLimit(RECORD_BODY_LIMIT)));
    let uploads = routes::uploads::router().layer(Extension(BodyLimit(UPLOAD_BODY_LIMIT)));
    let small = routes::token::router()
        .merge(routes::lookups::router())
        .merge(routes::masstack::router());
    let mut api = Router::new().merge(records).merge(uploads).merge(small);
    if state.fault_injection {
        api = api.merge(faults::router());
    }
    let mut router = api
        .route("/api/{*rest}", any(api_not_found))
        .route("/v1/{*rest}", any(api_not_found))
        .method_not_allowed_fallback(method_not_allowed);
    router = match &state.dist {
        Some(dist) => {
            let index = ServeFile::new(dist.join("index.html"));
            router.fallback_service(ServeDir::new(dist).fallback(index))
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
            auth::authenticate,
        ))
        // Routes that set no limit get the small one: a route's own `Extension` runs later and wins.
        .layer(Extension(BodyLimit(SMALL_BODY_LIMIT)))
        // Outside authentication and the handlers, so their errors on MasStack's paths get its form.
        .layer(middleware::from_fn(error::path_form));
    if state.fault_injection {
        router = router.layer(middleware::from_fn_with_state(
            state.clone(),
            faults::inject,
        ));
    }
    if let Some(cors) = cors_layer(&state.cors_origins) {
        router = router.layer(cors);
    }
    router.with_state(state)
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

    let service = app(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
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
