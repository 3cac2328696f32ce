//! The one client of the upstream APIs. It owns the operator's credentials (Nexudus' password
//! grant, renewed with the refresh token before it expires and after a 401; MasStack's bearer
//! token), the pacing of Nexudus calls, and the waiting-out of Nexudus' own throttling. Nothing
//! outside this module sees a credential, and nothing here logs one.
//!
//! It never sends a write twice on its own. A call that never left (no connection could be made)
//! is [`GatewayError::Upstream`]: nothing was written. A call that was sent but whose answer was
//! lost is [`GatewayError::AnswerLost`], because only a look-up can tell whether it was carried
//! out (see `settle`).

use std::time::{Duration, SystemTime};

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
/// How long making the connection may take: an upstream that cannot be reached fails as "never
/// sent" (nothing written) instead of using up the whole call's time and reading as a lost answer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
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
    /// When the request that got this answer left, by the gateway's clock.
    pub sent_at: SystemTime,
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
            .connect_timeout(CONNECT_TIMEOUT)
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
            let token = self.access_token().await?;
            drop(self.pacer.turn(is_write).await?);
            let request = self
                .http
                .request(method.clone(), &url)
                .bearer_auth(token.expose());
            let answer = send(with_body(request, &body)).await?;
            if answer.status == StatusCode::UNAUTHORIZED && !renewed {
                // The token was revoked or expired early: renew once and try again.
                self.expire(&token).await;
                renewed = true;
                continue;
            }
            if let Some(wait) = throttled(&answer, &mut waits) {
                // Hold every Nexudus call, not only this one: the allowance is shared.
                self.pacer.hold_for(wait);
                continue;
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
        let url = format!("{base}{path}");
        let mut waits = 0;
        loop {
            let request = self
                .http
                .request(method.clone(), &url)
                .bearer_auth(token.expose());
            let answer = send(with_body(request, &body)).await?;
            if let Some(wait) = throttled(&answer, &mut waits) {
                // MasStack's limits are not published: its `Retry-After` is all there is to go by.
                tokio::time::sleep(wait).await;
                continue;
            }
            return Ok(answer);
        }
    }

    /// Marks `failed` (refused with a 401) as expired, so the next call renews it, unless another
    /// call has renewed it meanwhile.
    async fn expire(&self, failed: &Secret) {
        let mut session = self.session.lock().await;
        if let Some(current) = session.as_mut()
            && current.access == *failed
        {
            current.expires_at = Instant::now();
        }
    }

    /// The current access token, signing in when there is none and renewing it (with the refresh
    /// token, else the password) when it is about to expire or was refused.
    async fn access_token(&self) -> Result<Secret, GatewayError> {
        let mut session = self.session.lock().await;
        if let Some(current) = session.as_ref()
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
        let url = format!("{}/token", self.nexudus);
        let mut waits = 0;
        let answer = loop {
            // Signing in is not one of the API's writes, but it is one of its requests.
            drop(self.pacer.turn(false).await?);
            // A sign-in whose answer is lost wrote nothing a look-up could find: it is a failure.
            let answer =
                send(self.http.post(&url).form(form))
                    .await
                    .map_err(|error| match error {
                        GatewayError::AnswerLost { .. } => GatewayError::Upstream,
                        other => other,
                    })?;
            match throttled(&answer, &mut waits) {
                Some(wait) => self.pacer.hold_for(wait),
                None => break answer,
            }
        };
        if !answer.is_success() {
            // Never the answer's body: it may echo what was sent.
            eprintln!(
                "idcheck-gateway: the upstream refused to sign the gateway in (HTTP {})",
                answer.status.as_u16()
            );
            return Err(unexpected_grant(&answer));
        }
        let granted: TokenAnswer =
            serde_json::from_slice(&answer.body).map_err(|_| GatewayError::Upstream)?;
        Ok(Session {
            access: Secret::new(granted.access_token),
            refresh: granted.refresh_token.map(Secret::new),
            expires_at: Instant::now() + Duration::from_secs(granted.expires_in.unwrap_or(3600)),
        })
    }
}

/// How long to wait before sending again when `answer` is a throttling 409 (nothing was carried
/// out, so sending again is safe); `None` for any other answer, and once [`THROTTLE_WAITS`] were
/// waited out, when the answer is passed on for the member to wait.
fn throttled(answer: &Answer, waits: &mut u32) -> Option<Duration> {
    let seconds = answer
        .retry_after
        .filter(|_| answer.status == StatusCode::CONFLICT)?;
    *waits += 1;
    (*waits <= THROTTLE_WAITS).then(|| Duration::from_secs(seconds.clamp(1, 60)))
}

/// A sign-in that did not succeed: still throttled is for the member to wait; anything else is the
/// service behind failing.
fn unexpected_grant(answer: &Answer) -> GatewayError {
    match answer.retry_after {
        Some(seconds) if answer.status == StatusCode::CONFLICT => GatewayError::Busy {
            retry_after_secs: seconds,
        },
        _ => GatewayError::Upstream,
    }
}

fn with_body(request: reqwest::RequestBuilder, body: &Body) -> reqwest::RequestBuilder {
    match body {
        Body::None => request,
        Body::Json(value) => request.json(value),
    }
}

async fn send(request: reqwest::RequestBuilder) -> Result<Answer, GatewayError> {
    let sent_at = SystemTime::now();
    let response = request.send().await.map_err(|error| {
        if error.is_connect() || error.is_builder() {
            GatewayError::Upstream
        } else {
            // Anything after the connection was made (a write cut off, a timeout, a connection
            // closed before the answer) may follow the upstream's commit.
            GatewayError::AnswerLost { sent_at }
        }
    })?;
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
    let body = response
        .bytes()
        .await
        .map_err(|_| GatewayError::AnswerLost { sent_at })?;
    Ok(Answer {
        status,
        content_type,
        retry_after,
        body,
        sent_at,
    })
}
