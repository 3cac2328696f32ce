//! The one state every handler shares.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::config::{Config, Secret};
use crate::invitations::Lockouts;
use crate::store::Db;
use crate::upstream::Upstream;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub upstream: Arc<Upstream>,
    pub operator_key: Secret,
    /// How Nexudus reaches this gateway (`http://host:port`), for the image URLs it fetches.
    pub public_url: String,
    /// Name images as `data:` URLs instead of stored uploads (only where Nexudus accepts them).
    pub inline_images: bool,
    pub upload_lifetime: Duration,
    pub invitation_lifetime: Duration,
    pub dist: Option<PathBuf>,
    pub demo_portal: Option<(i64, i64)>,
    pub lockouts: Arc<Lockouts>,
    pub cors_origins: Vec<String>,
    /// The `frame-ancestors` sources of the served pages' Content-Security-Policy.
    pub frame_ancestors: String,
    pub request_timeout: Duration,
    pub max_concurrent_requests: usize,
}

impl AppState {
    pub fn new(config: &Config, db: Db, public_url: String) -> Result<AppState, String> {
        Ok(AppState {
            db,
            upstream: Arc::new(Upstream::new(config)?),
            operator_key: config.secrets.operator_key.clone(),
            public_url,
            inline_images: config.inline_images,
            upload_lifetime: config.upload_lifetime,
            invitation_lifetime: config.invitation_lifetime,
            dist: config.dist.clone(),
            demo_portal: config.demo_portal,
            lockouts: Arc::new(Lockouts::default()),
            cors_origins: config.cors_origins.clone(),
            frame_ancestors: config.frame_ancestors.clone(),
            request_timeout: config.request_timeout,
            max_concurrent_requests: config.max_concurrent_requests,
        })
    }
}
