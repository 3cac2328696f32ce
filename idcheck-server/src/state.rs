//! The one state every handler and middleware shares.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::http::{HeaderMap, header};

use crate::config::Config;
use crate::db::Db;
use crate::faults::Faults;
use crate::files::{FETCH_TIMEOUT, FileStore};
use crate::ratelimit::RateLimiter;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub files: Arc<FileStore>,
    pub limiter: Arc<RateLimiter>,
    pub faults: Arc<Faults>,
    /// Fetches `New…Url` files.
    pub http: reqwest::Client,
    /// The address the server is bound to, to recognise URLs that point back at it.
    pub bound: SocketAddr,
    /// The built component served at `/`.
    pub dist: Option<PathBuf>,
    pub cors_origins: Vec<String>,
    pub fault_injection: bool,
}

impl AppState {
    pub fn new(
        config: &Config,
        db: Db,
        files: FileStore,
        bound: SocketAddr,
    ) -> Result<AppState, String> {
        let http = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .user_agent(concat!("idcheck-server/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| format!("cannot build the HTTP client: {err}"))?;
        Ok(AppState {
            db,
            files: Arc::new(files),
            limiter: Arc::new(RateLimiter::new(config.rate_limits)),
            faults: Arc::new(Faults::default()),
            http,
            bound,
            dist: config.dist.clone(),
            cors_origins: config.cors_origins.clone(),
            fault_injection: config.fault_injection,
        })
    }

    /// The `host:port` forms under which a client reaches this server: the request's `Host`, and
    /// the bound address under its loopback names.
    pub fn own_authorities(&self, headers: &HeaderMap) -> Vec<String> {
        let port = self.bound.port();
        let mut own = vec![
            self.bound.to_string(),
            format!("localhost:{port}"),
            format!("127.0.0.1:{port}"),
            format!("[::1]:{port}"),
        ];
        if let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
            // A Host without a port means the scheme's default; we only speak plain http.
            let has_port = host
                .rsplit_once(':')
                .is_some_and(|(_, p)| p.chars().all(|c| c.is_ascii_digit()))
                && !host.ends_with(']');
            own.push(if has_port {
                host.to_string()
            } else {
                format!("{host}:80")
            });
        }
        own
    }

    /// `http://host:port` as the client addressed us, for the absolute URLs we hand out.
    pub fn base_url(&self, headers: &HeaderMap) -> String {
        match headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
            Some(host) if !host.is_empty() => format!("http://{host}"),
            _ => format!("http://{}", self.bound),
        }
    }
}
