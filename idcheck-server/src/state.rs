//! The one state every handler and middleware shares, and the handlers' form of a database call.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, header};
use rusqlite::Connection;

use crate::config::Config;
use crate::db::Db;
use crate::error::ApiError;
use crate::faults::Faults;
use crate::fetch::{AddressPolicy, Fetcher};
use crate::files::FileStore;
use crate::ratelimit::RateLimiter;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub files: Arc<FileStore>,
    pub limiter: Arc<RateLimiter>,
    pub faults: Arc<Faults>,
    /// Fetches `New…Url` files, with the address policy.
    pub fetcher: Arc<Fetcher>,
    /// How long an upload no document used is kept.
    pub upload_ttl: Duration,
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
        let policy = if config.allow_private_fetch {
            AddressPolicy::AllowPrivate
        } else {
            AddressPolicy::PublicOnly
        };
        Ok(AppState {
            db,
            files: Arc::new(files),
            limiter: Arc::new(RateLimiter::new(config.rate_limits)),
            faults: Arc::new(Faults::default()),
            fetcher: Arc::new(Fetcher::new(policy)?),
            upload_ttl: config.upload_ttl,
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

impl Db {
    /// Runs `work` on the connection (see [`Db::run`]) with the handlers' error type, so a
    /// handler's `?` works on either side. Defined here rather than in `db`, which knows nothing
    /// of HTTP.
    pub async fn call<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, ApiError> + Send + 'static,
    {
        self.run(work)
            .await
            .map_err(|err| ApiError::Internal(err.to_string()))?
    }
}
