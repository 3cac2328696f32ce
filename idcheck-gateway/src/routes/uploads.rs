//! Images on their way to Nexudus. Nexudus stores a document's file by fetching the URL named in
//! its `New…Url`, so the member uploads each image here first; the gateway keeps it at an
//! unguessable URL that expires (15 minutes by default) and names that URL in the document.
//!
//! `POST /api/uploads` (a member) stores one image; `GET /api/uploads/{name}` serves it to whoever
//! holds the name (Nexudus) until it expires.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use idcheck_core::files::{self, ImageType, check_file};
use idcheck_core::rules::Violation;
use rusqlite::{OptionalExtension, params};
use serde_json::json;

use super::{private, read_bytes};
use crate::error::GatewayError;
use crate::idempotency;
use crate::member::{Member, random_hex};
use crate::state::AppState;
use crate::store::unix_now;

pub const PATH_PREFIX: &str = "/api/uploads/";
/// The property an uploaded body is refused under.
const PROPERTY: &str = "File";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/uploads", post(upload))
        .route("/api/uploads/{name}", get(download))
}

/// Stores an image, once per `Idempotency-Key`.
async fn upload(
    State(state): State<AppState>,
    member: Member,
    request: Request,
) -> Result<Response, GatewayError> {
    let headers = request.headers().clone();
    let bytes = read_bytes(request, &state).await?;
    let key = idempotency::key(&headers, member.coworker_id, "uploads", &bytes)?;
    idempotency::once(&state.db, key, upload_once(&state, member, bytes)).await
}

async fn upload_once(
    state: &AppState,
    member: Member,
    bytes: bytes::Bytes,
) -> Result<Response, GatewayError> {
    let kind = check_file(PROPERTY, &bytes).map_err(|v| GatewayError::Validation(vec![v]))?;
    let size = bytes.len();
    let name = store(state, member, kind, bytes.to_vec()).await?;
    Ok(axum::Json(json!({
        "Url": public_url(state, &name),
        "FileName": name,
        "ContentType": kind.mime(),
        "Size": size,
    }))
    .into_response())
}

/// Keeps checked image bytes for `member` and returns their new name.
async fn store(
    state: &AppState,
    member: Member,
    kind: ImageType,
    bytes: Vec<u8>,
) -> Result<String, GatewayError> {
    // 256 random bits: the name is the only key to the image.
    let name = format!("{}.{}", random_hex::<32>(), kind.extension());
    let lifetime = state.upload_lifetime.as_secs() as i64;
    let stored = name.clone();
    state
        .db
        .call(move |c| {
            let now = unix_now();
            c.execute("DELETE FROM uploads WHERE expires_at <= ?1", [now])?;
            c.execute(
                "INSERT INTO uploads (name, coworker_id, content_type, bytes, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![stored, member.coworker_id, kind.mime(), bytes, now + lifetime],
            )?;
            Ok(())
        })
        .await?;
    Ok(name)
}

fn public_url(state: &AppState, name: &str) -> String {
    format!("{}{PATH_PREFIX}{name}", state.public_url)
}

async fn download(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, GatewayError> {
    let key = name.clone();
    let found = state
        .db
        .call(move |c| {
            Ok(c.query_row(
                "SELECT content_type, bytes FROM uploads WHERE name = ?1 AND expires_at > ?2",
                params![key, unix_now()],
                |row| Ok((row.get::<_, String>(0)?, row.get::<_, Vec<u8>>(1)?)),
            )
            .optional()?)
        })
        .await?;
    let (content_type, bytes) =
        found.ok_or_else(|| GatewayError::not_found("Upload", "by that name"))?;
    let mut response = Body::from(bytes).into_response();
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    Ok(private(response))
}

/// The URL to name upstream for an image a member named in `property`: one of their own uploads
/// here, or a `data:` URL (stored here first, unless the operator's Nexudus takes `data:` URLs).
/// Any other URL is refused: the member must not make Nexudus fetch from wherever they like.
pub async fn upstream_url(
    state: &AppState,
    member: Member,
    property: &str,
    url: &str,
) -> Result<Result<String, Violation>, GatewayError> {
    let url = url.trim();
    if url
        .get(..5)
        .is_some_and(|s| s.eq_ignore_ascii_case("data:"))
    {
        let bytes = match files::parse_data_url(url) {
            Ok((_, bytes)) => bytes,
            Err(err) => {
                let mut violation = Violation::file_not_an_image(property);
                violation.message = format!("is not a readable data: URL ({err})");
                return Ok(Err(violation));
            }
        };
        let kind = match check_file(property, &bytes) {
            Ok(kind) => kind,
            Err(violation) => return Ok(Err(violation)),
        };
        if state.inline_images {
            return Ok(Ok(url.to_string()));
        }
        let name = store(state, member, kind, bytes).await?;
        return Ok(Ok(public_url(state, &name)));
    }
    let refused = |reason: &str| {
        let mut violation = Violation::file_unreachable(property, &shorten(url));
        violation.message = reason.to_string();
        violation
    };
    let Some(name) = upload_name(state, url) else {
        return Ok(Err(refused(
            "must name an image uploaded to this service (POST /api/uploads) or be a data: URL",
        )));
    };
    let key = name.to_string();
    let coworker = member.coworker_id;
    let live = state
        .db
        .call(move |c| {
            Ok(c.query_row(
                "SELECT 1 FROM uploads WHERE name = ?1 AND coworker_id = ?2 AND expires_at > ?3",
                params![key, coworker, unix_now()],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
        })
        .await?;
    Ok(if live {
        Ok(public_url(state, name))
    } else {
        Err(refused(
            "names no upload of yours, or it has expired: upload the image again",
        ))
    })
}

/// The upload name in one of our own upload URLs (absolute at our public address, or relative).
fn upload_name<'a>(state: &AppState, url: &'a str) -> Option<&'a str> {
    let path = url
        .strip_prefix(state.public_url.as_str())
        .or_else(|| url.starts_with('/').then_some(url))?;
    let name = path.strip_prefix(PATH_PREFIX)?;
    let valid = !name.is_empty()
        && name.len() <= 80
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
        && !name.starts_with('.');
    valid.then_some(name)
}

/// A URL short enough to echo in an error.
fn shorten(url: &str) -> String {
    if url.chars().count() > 100 {
        format!("{}…", url.chars().take(100).collect::<String>())
    } else {
        url.to_string()
    }
}
