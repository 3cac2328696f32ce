//! The request's side of authentication: the middleware that turns `Authorization: Bearer …`
//! into the signed-in user (and applies the rate limits, keyed by that user or by the client's
//! address), and the extractors a handler takes to get that user ([`AuthUser`]) or to demand a
//! role ([`Authorized`]), so the 401 and 403 are decided before the body is read and a handler
//! cannot forget the check.

use std::marker::PhantomData;
use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::{Method, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::roles::{AuthUser, NeedsRole};
use crate::auth::tokens;
use crate::error::{ApiError, MASSTACK_PREFIX};
use crate::faults::TEST_PREFIX;
use crate::ratelimit::retry_after_secs;
use crate::state::AppState;
use crate::store;

/// The request's user, holding a role `R` accepts: an extractor, so the 401 and 403 are decided
/// before the body is read, and a handler cannot forget the check.
pub struct Authorized<R: NeedsRole>(pub AuthUser, pub PhantomData<R>);

impl<S: Send + Sync, R: NeedsRole> FromRequestParts<S> for Authorized<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = AuthUser::from_request_parts(parts, state).await?;
        user.require_any(R::ROLES)?;
        Ok(Authorized(user, PhantomData))
    }
}

/// What the middleware learnt from the `Authorization` header, kept in the request's extensions.
#[derive(Debug, Clone)]
enum Authentication {
    Missing,
    Invalid,
    User(AuthUser),
}

impl<S: Send + Sync> FromRequestParts<S> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Authentication>() {
            Some(Authentication::User(user)) => Ok(user.clone()),
            Some(Authentication::Invalid) => Err(ApiError::Unauthorized(
                "The access token is invalid or has expired.",
            )),
            Some(Authentication::Missing) | None => Err(ApiError::Unauthorized(
                "Authorization has been denied for this request: send Authorization: Bearer <access_token>.",
            )),
        }
    }
}

/// Resolves the bearer token, then applies the rate limits keyed by that user (or by the client's
/// address when there is no user, which is how `/api/token` is keyed).
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let is_api = path.starts_with("/api/") || path.starts_with(MASSTACK_PREFIX);
    if !is_api || path.starts_with(TEST_PREFIX) || request.method() == Method::OPTIONS {
        return next.run(request).await;
    }
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, token) = value.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_string())
        });
    let authentication = match token {
        None => Authentication::Missing,
        Some(token) => match state
            .db
            .call(move |c| {
                Ok(match tokens::access_user(c, &token)? {
                    Some(id) => store::users::load(c, id)?,
                    None => None,
                })
            })
            .await
        {
            Ok(Some(user)) => Authentication::User(user),
            Ok(None) => Authentication::Invalid,
            Err(err) => return err.into_response(),
        },
    };

    let key = match &authentication {
        Authentication::User(user) => format!("user:{}", user.id),
        _ => {
            let address = request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip().to_string())
                .unwrap_or_else(|| "unknown".into());
            format!("ip:{address}")
        }
    };
    let is_write = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::DELETE | Method::PATCH
    );
    if let Err(wait) = state.limiter.check(&key, is_write, Instant::now()) {
        return ApiError::RateLimited {
            retry_after_secs: retry_after_secs(wait),
        }
        .into_response();
    }

    request.extensions_mut().insert(authentication);
    next.run(request).await
}
