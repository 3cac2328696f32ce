//! `Idempotency-Key` on every create: a client that sends a create again with the same key (because
//! its answer was lost, or the browser itself re-sent the request on a closed connection) gets the
//! first answer again, and nothing is created twice. Keys are kept 24 hours, per member (or for the
//! operator), per route, with a digest of the body: the same key with another body is refused.
//!
//! Only successful answers are kept: a refused create wrote nothing, so carrying it out again gives
//! the same answer. The one failure kept is [`GatewayError::Unsettled`]: a create that may have
//! been carried out upstream where no look-up can tell, which the same key must not send again.
//! While the first request with a key runs, a second one is answered 409 with `Retry-After`, which
//! clients already wait out as throttling.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rusqlite::{OptionalExtension, params};

use crate::error::GatewayError;
use crate::store::{Db, unix_now};

pub const HEADER: &str = "idempotency-key";
/// Marks an answer given again for a key.
pub const REPLAYED: &str = "idempotent-replayed";
/// How long a key answers with its first result.
const KEEP_SECONDS: i64 = 24 * 60 * 60;
/// The longest answer kept (an upload's answer or a record's envelope is far smaller).
const MAX_KEPT_BYTES: usize = 64 * 1024;
/// The longest key accepted, as other APIs allow.
const MAX_KEY_CHARS: usize = 255;

/// One create's key: whose, which route, the key itself and the digest of the body.
#[derive(Debug, Clone)]
pub struct Key {
    scope: i64,
    route: &'static str,
    key: String,
    digest: String,
}

/// Who a key belongs to: a member's keys never meet another member's or the operator's.
pub const OPERATOR_SCOPE: i64 = 0;

/// The request's key, if it sent one; a key that is empty, too long or not printable ASCII is a 400.
pub fn key(
    headers: &HeaderMap,
    scope: i64,
    route: &'static str,
    body: &[u8],
) -> Result<Option<Key>, GatewayError> {
    let Some(value) = headers.get(HEADER) else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|key| {
            !key.is_empty()
                && key.len() <= MAX_KEY_CHARS
                && key.bytes().all(|b| b.is_ascii_graphic())
        })
        .ok_or_else(|| {
            GatewayError::bad_request(
                "Idempotency-Key",
                format!("must be 1 to {MAX_KEY_CHARS} printable characters without spaces"),
            )
        })?;
    Ok(Some(Key {
        scope,
        route,
        key: key.to_string(),
        digest: crate::member::digest_bytes(body),
    }))
}

/// Carries out `work` once per key: the first time it runs, later it answers as it did.
pub async fn once(
    db: &Db,
    key: Option<Key>,
    work: impl Future<Output = Result<Response, GatewayError>>,
) -> Result<Response, GatewayError> {
    let Some(key) = key else {
        return work.await;
    };
    if let Some(kept) = begin(db, &key).await? {
        return Ok(kept);
    }
    let mut pending = Pending {
        db: db.clone(),
        key: Some(key),
    };
    let (response, keep) = match work.await {
        Ok(response) => {
            let success = response.status().is_success();
            (response, success)
        }
        Err(error) => {
            let unsettled = matches!(error, GatewayError::Unsettled);
            (error.into_response(), unsettled)
        }
    };
    let key = pending.key.take().expect("still pending");
    if !keep {
        forget(db, key).await?;
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_KEPT_BYTES)
        .await
        .map_err(|_| GatewayError::Internal("an answer too large to keep".into()))?;
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_string();
    let (kept, status) = (bytes.to_vec(), parts.status.as_u16());
    db.call(move |c| {
        c.execute(
            "UPDATE idempotency SET status = ?1, content_type = ?2, body = ?3 WHERE scope = ?4 AND route = ?5 AND key = ?6",
            params![status, content_type, kept, key.scope, key.route, key.key],
        )?;
        Ok(())
    })
    .await?;
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

/// Takes the key for this request, or gives the answer it already has.
async fn begin(db: &Db, key: &Key) -> Result<Option<Response>, GatewayError> {
    let key = key.clone();
    let found = db
        .call(move |c| {
            let transaction = c.transaction()?;
            let now = unix_now();
            transaction.execute(
                "DELETE FROM idempotency WHERE created_at <= ?1",
                [now - KEEP_SECONDS],
            )?;
            let found = transaction
                .query_row(
                    "SELECT digest, status, content_type, body FROM idempotency WHERE scope = ?1 AND route = ?2 AND key = ?3",
                    params![key.scope, key.route, key.key],
                    |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, Option<u16>>(1)?,
                            row.get::<_, Option<String>>(2)?,
                            row.get::<_, Option<Vec<u8>>>(3)?,
                        ))
                    },
                )
                .optional()?;
            if found.is_none() {
                transaction.execute(
                    "INSERT INTO idempotency (scope, route, key, digest, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![key.scope, key.route, key.key, key.digest, now],
                )?;
            }
            transaction.commit()?;
            Ok(found.map(|found| (found, key.digest)))
        })
        .await?;
    let Some(((digest, status, content_type, body), expected)) = found else {
        return Ok(None);
    };
    if digest != expected {
        return Err(GatewayError::bad_request(
            "Idempotency-Key",
            "was already used for another request: send a new key with a new request",
        ));
    }
    let (Some(status), Some(body)) = (status, body) else {
        return Err(GatewayError::InProgress);
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    if !status.is_success() {
        // The one failure kept is an unsettled create; rendered again, it takes its path's form.
        let mut response = GatewayError::Unsettled.into_response();
        response
            .headers_mut()
            .insert(REPLAYED, HeaderValue::from_static("true"));
        return Ok(Some(response));
    }
    let mut response = Body::from(body).into_response();
    *response.status_mut() = status;
    if let Some(value) = content_type.and_then(|t| HeaderValue::from_str(&t).ok()) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
        .headers_mut()
        .insert(REPLAYED, HeaderValue::from_static("true"));
    Ok(Some(response))
}

async fn forget(db: &Db, key: Key) -> Result<(), GatewayError> {
    db.call(move |c| {
        c.execute(
            "DELETE FROM idempotency WHERE scope = ?1 AND route = ?2 AND key = ?3 AND status IS NULL",
            params![key.scope, key.route, key.key],
        )?;
        Ok(())
    })
    .await
}

/// A key taken by a request still running. Should the request be dropped halfway (the client went
/// away), the key is let go, so a retry is carried out instead of waiting for ever.
struct Pending {
    db: Db,
    key: Option<Key>,
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            let db = self.db.clone();
            tokio::spawn(async move {
                let _ = forget(&db, key).await;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Database;

    fn headers(key: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(HEADER, HeaderValue::from_str(key).unwrap());
        headers
    }

    fn ok(text: &'static str) -> Result<Response, GatewayError> {
        Ok((StatusCode::OK, text).into_response())
    }

    async fn text(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[test]
    fn a_key_must_be_printable_and_short() {
        assert!(key(&HeaderMap::new(), 1, "r", b"").unwrap().is_none());
        assert!(key(&headers("a-1:b"), 1, "r", b"").unwrap().is_some());
        assert!(key(&headers(""), 1, "r", b"").is_err());
        assert!(key(&headers("a b"), 1, "r", b"").is_err());
        assert!(key(&headers(&"k".repeat(256)), 1, "r", b"").is_err());
    }

    #[tokio::test]
    async fn the_same_key_answers_the_first_result_and_runs_nothing_again() {
        let db = Db::open(&Database::Memory).unwrap();
        let first = key(&headers("k1"), 7, "create", b"{}").unwrap();
        let answer = once(&db, first.clone(), async { ok("first") })
            .await
            .unwrap();
        assert_eq!(text(answer).await, "first");
        let again = once(&db, first, async { panic!("carried out twice") })
            .await
            .unwrap();
        assert_eq!(again.headers()[REPLAYED], "true");
        assert_eq!(text(again).await, "first");
        // Another member's key of the same name is theirs alone.
        let other = key(&headers("k1"), 8, "create", b"{}").unwrap();
        assert_eq!(
            text(once(&db, other, async { ok("other") }).await.unwrap()).await,
            "other"
        );
        // The same key with another body is refused.
        let changed = key(&headers("k1"), 7, "create", b"{\"a\":1}").unwrap();
        assert!(matches!(
            once(&db, changed, async { ok("changed") }).await,
            Err(GatewayError::BadRequest { .. })
        ));
    }

    #[tokio::test]
    async fn a_refused_or_abandoned_request_lets_its_key_go() {
        let db = Db::open(&Database::Memory).unwrap();
        let refused = key(&headers("k2"), 7, "create", b"{}").unwrap();
        let answer = once(&db, refused.clone(), async { Err(GatewayError::Upstream) })
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::BAD_GATEWAY);
        let retried = once(&db, refused, async { ok("second") }).await.unwrap();
        assert_eq!(text(retried).await, "second");

        // A create that may have been carried out where nothing can tell keeps its key: the same
        // key never sends it again.
        let unsettled = key(&headers("k4"), 7, "create", b"{}").unwrap();
        let answer = once(&db, unsettled.clone(), async {
            Err(GatewayError::Unsettled)
        })
        .await
        .unwrap();
        assert_eq!(answer.status(), StatusCode::BAD_GATEWAY);
        let again = once(&db, unsettled, async { panic!("sent again") })
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::BAD_GATEWAY);
        assert_eq!(again.headers()[REPLAYED], "true");

        let abandoned = key(&headers("k3"), 7, "create", b"{}").unwrap();
        let running = tokio::spawn({
            let (db, abandoned) = (db.clone(), abandoned.clone());
            async move { once(&db, abandoned, std::future::pending()).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(matches!(
            once(&db, abandoned.clone(), async { ok("meanwhile") }).await,
            Err(GatewayError::InProgress)
        ));
        running.abort();
        let _ = running.await;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let after = once(&db, abandoned, async { ok("after") }).await.unwrap();
        assert_eq!(text(after).await, "after");
    }
}
