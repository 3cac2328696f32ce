//! The one client of the upstream APIs. It owns the operator's credentials (Nexudus' password
//! grant, renewed with the refresh token before it expires and after a 401; MasStack's bearer
//! token), the pacing of Nexudus calls, and the waiting-out of Nexudus' own throttling. Nothing
//! outside this module sees a credential, and nothing here logs one.
//!
//! It never sends a write twice on its own: a write whose answer is lost is reported as
//! [`GatewayError::Upstream`], because only a look-up can tell whether it was carried out.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::config::{Config, Secret, Secrets};
use crate::error::GatewayError;
use crate::pacer::{Limits, Pacer};

/// How long one upstream call may take (uploads of three images included).
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// How many of the upstream's own 409s are waited out before the member is told to wait.
const THROTTLE_WAITS: u32 = 3;
/// Renew the access token this long before it expires.
const RENEW_EARLY: Duration = Duration::from_secs(60);

/// An upstream answer, relayed or read by the caller.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub content_type: Option<String>,
    pub retry_after: Option<u64>,
    pub body: Bytes,
}

impl Answer {
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }
}

/// The body of a call.
pub enum Body {
    None,
    Json(Value),
}

struct Session {
    access: Secret,
    refresh: Option<Secret>,
    expires_at: Instant,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
}

pub struct Upstream {
    http: reqwest::Client,
    nexudus: String,
    masstack: Option<String>,
    secrets: Secrets,
    session: Mutex<Option<Session>>,
    pacer: Pacer,
}

impl Upstream {
    pub fn new(config: &Config) -> Result<Upstream, String> {
        let http = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            // An upstream that redirects is misconfigured; following it could carry the bearer
            // token somewhere else.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("idcheck-gateway/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| format!("cannot build the HTTP client: {err}"))?;
        Ok(Upstream {
            http,
            nexudus: config.nexudus.clone(),
            masstack: config.masstack.clone(),
            secrets: config.secrets.clone(),
            session: Mutex::new(None),
            pacer: Pacer::new(Limits::nexudus(config.pace_margin), config.queue),
        })
    }

    /// Calls Nexudus: `path` is what follows the API base (`/spaces/…?…`).
    pub async fn nexudus(
        &self,
        method: Method,
        path: &str,
        body: Body,
    ) -> Result<Answer, GatewayError> {
        let url = format!("{}{path}", self.nexudus);
        let is_write = method != Method::GET;
        let mut renewed = false;
        let mut waits = 0;
        loop {
            let token = self.access_token(renewed).await?;
            drop(self.pacer.turn(is_write).await?);
            let request = self
                .http
                .request(method.clone(), &url)
                .bearer_auth(token.expose());
            let answer = send(with_body(request, &body)).await?;
            if answer.status == StatusCode::UNAUTHORIZED && !renewed {
                // The token was revoked or expired early: renew once and try again.
                self.session.lock().await.take();
                renewed = true;
                continue;
            }
            if answer.status == StatusCode::CONFLICT
                && let Some(seconds) = answer.retry_after
            {
                // Throttled: nothing was carried out, so sending again is safe.
                self.pacer
                    .hold_for(Duration::from_secs(seconds.clamp(1, 60)));
                if waits < THROTTLE_WAITS {
                    waits += 1;
                    continue;
                }
            }
            return Ok(answer);
        }
    }

    /// Calls MasStack with the operator's bearer token: `path` follows its base (`/orgs/…`).
    pub async fn masstack(
        &self,
        method: Method,
        path: &str,
        body: Body,
    ) -> Result<Answer, GatewayError> {
        let (Some(base), Some(token)) = (&self.masstack, &self.secrets.masstack_token) else {
            return Err(GatewayError::RouteNotFound);
        };
        let request = self
            .http
            .request(method, format!("{base}{path}"))
            .bearer_auth(token.expose());
        send(with_body(request, &body)).await
    }

    /// The current access token, signing in (or renewing) when there is none, it is about to
    /// expire, or `fresh` asks for a new one.
    async fn access_token(&self, fresh: bool) -> Result<Secret, GatewayError> {
        let mut session = self.session.lock().await;
        if !fresh
            && let Some(current) = session.as_ref()
            && current.expires_at > Instant::now() + RENEW_EARLY
        {
            return Ok(current.access.clone());
        }
        let refresh = session.as_ref().and_then(|s| s.refresh.clone());
        let renewed = match refresh {
            Some(refresh) => self
                .token_grant(&[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh.expose()),
                ])
                .await
                .ok(),
            None => None,
        };
        let granted = match renewed {
            Some(granted) => granted,
            None => {
                self.token_grant(&[
                    ("grant_type", "password"),
                    ("username", self.secrets.upstream_user.expose()),
                    ("password", self.secrets.upstream_password.expose()),
                ])
                .await?
            }
        };
        let access = granted.access.clone();
        *session = Some(granted);
        Ok(access)
    }

    async fn token_grant(&self, form: &[(&str, &str)]) -> Result<Session, GatewayError> {
        drop(self.pacer.turn(true).await?);
        let response = self
            .http
            .post(format!("{}/token", self.nexudus))
            .form(form)
            .send()
            .await
            .map_err(|_| GatewayError::Upstream)?;
        if !response.status().is_success() {
            // Never the answer's body: it may echo what was sent.
            eprintln!(
                "idcheck-gateway: the upstream refused the gateway's credentials (HTTP {})",
                response.status().as_u16()
            );
            return Err(GatewayError::Upstream);
        }
        let answer: TokenAnswer = response.json().await.map_err(|_| GatewayError::Upstream)?;
        Ok(Session {
            access: Secret::new(answer.access_token),
            refresh: answer.refresh_token.map(Secret::new),
            expires_at: Instant::now() + Duration::from_secs(answer.expires_in.unwrap_or(3600)),
        })
    }
}

fn with_body(request: reqwest::RequestBuilder, body: &Body) -> reqwest::RequestBuilder {
    match body {
        Body::None => request,
        Body::Json(value) => request.json(value),
    }
}

async fn send(request: reqwest::RequestBuilder) -> Result<Answer, GatewayError> {
    let response = request.send().await.map_err(|_| GatewayError::Upstream)?;
    let status = response.status();
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|value: &axum::http::HeaderValue| value.to_str().ok())
            .map(str::to_string)
    };
    let content_type = header(reqwest::header::CONTENT_TYPE);
    let retry_after = header(reqwest::header::RETRY_AFTER).and_then(|v| v.trim().parse().ok());
    let body = response.bytes().await.map_err(|_| GatewayError::Upstream)?;
    Ok(Answer {
        status,
        content_type,
        retry_after,
        body,
    })
}
