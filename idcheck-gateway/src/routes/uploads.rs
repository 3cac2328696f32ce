//! Images (and address documents' PDFs) on their way to Nexudus. Nexudus stores a document's file
//! by fetching the URL named in its `New…Url`, so the member uploads each image here first; the
//! gateway keeps it at an unguessable URL and names that URL in the document. An upload does not
//! say which slot it is for, so a PDF is taken here and refused when a document names it in a slot
//! that takes only images (`files::Accepts::for_slot`).
//!
//! `POST /api/uploads` (a member) stores one image; `GET /api/uploads/{name}` serves it to whoever
//! holds the name (Nexudus), as an attachment never cached.
//!
//! Retention: an upload is kept only until the document that names it is created (Nexudus has
//! fetched it by then; a create refused or lost keeps it, as its retry names it again), then
//! deleted; one that no document used is deleted `--upload-ttl-seconds` after it arrived (an hour
//! by default), by a sweep that runs whether or not anyone calls. Deleted means gone from the
//! database file too: SQLite overwrites freed pages (`secure_delete`) and its write-ahead log is
//! emptied after each deletion.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use idcheck_core::files::{self, Accepts, FileType, check_member_file};
use idcheck_core::violation::{Violation, ViolationCode};
use rusqlite::{OptionalExtension, params};
use serde_json::json;

use super::{private, read_bytes};
use crate::error::GatewayError;
use crate::idempotency;
use crate::member::{Member, random_hex};
use crate::state::AppState;
use crate::store::{Db, unix_now};

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
    let kind = check_member_file(PROPERTY, &bytes, Accepts::ImagesOrPdf)
        .map_err(|v| GatewayError::Validation(vec![v]))?;
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
    kind: FileType,
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
    let extension = name.rsplit_once('.').map_or("bin", |(_, ext)| ext);
    Ok(attachment(
        Body::from(bytes).into_response(),
        &content_type,
        &format!("upload.{extension}"),
    ))
}

/// An identity image as a download: saved under `file_name`, never shown inline, never cached,
/// never sniffed into something else.
pub fn attachment(mut response: Response, content_type: &str, file_name: &str) -> Response {
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    let safe: String = file_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    private(response)
}

/// Deletes the uploads `names` (a document naming them was created): their bytes are gone.
pub async fn delete(db: &Db, names: Vec<String>) -> Result<(), GatewayError> {
    if names.is_empty() {
        return Ok(());
    }
    db.call(move |c| {
        for name in &names {
            c.execute("DELETE FROM uploads WHERE name = ?1", [name])?;
        }
        empty_the_log(c);
        Ok(())
    })
    .await
}

/// Deletes every upload past its time; how many.
pub async fn sweep(db: &Db) -> Result<usize, GatewayError> {
    db.call(|c| {
        let deleted = c.execute("DELETE FROM uploads WHERE expires_at <= ?1", [unix_now()])?;
        // Every time, not only after a deletion: a log a reader kept from emptying goes next time.
        empty_the_log(c);
        Ok(deleted)
    })
    .await
}

/// Sweeps expired uploads for ever, often enough that none outlives its time by more than a
/// little (at most a minute, or half its lifetime when that is shorter).
pub async fn sweep_forever(db: Db, lifetime: Duration) {
    let every = (lifetime / 2).clamp(Duration::from_millis(500), Duration::from_secs(60));
    loop {
        tokio::time::sleep(every).await;
        if let Err(err) = sweep(&db).await {
            eprintln!("idcheck-gateway: the upload sweep failed: {err:?}");
        }
    }
}

/// Moves the write-ahead log into the database and empties it, so the pages of deleted rows
/// (overwritten with zeros under `secure_delete`) leave no copy behind in the log.
fn empty_the_log(c: &mut rusqlite::Connection) {
    let _ = c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
}

/// An image a document names, as the upstream will fetch it.
#[derive(Debug, Clone)]
pub struct Named {
    /// The URL named upstream.
    pub url: String,
    /// The upload it is, when it is one kept here (not a `data:` URL passed on as it is).
    pub upload: Option<String>,
}

/// The URL to name upstream for an image a member named in `property`: one of their own uploads
/// here, or a `data:` URL (stored here first, unless the operator's Nexudus takes `data:` URLs).
/// Any other URL is refused: the member must not make Nexudus fetch from wherever they like. The
/// file must be of a type the slot `accepts` (a PDF only where it takes one).
pub async fn upstream_url(
    state: &AppState,
    member: Member,
    property: &str,
    url: &str,
    accepts: Accepts,
) -> Result<Result<Named, Violation>, GatewayError> {
    let url = url.trim();
    if url
        .get(..5)
        .is_some_and(|s| s.eq_ignore_ascii_case("data:"))
    {
        let bytes = match files::parse_data_url(url) {
            Ok((_, bytes)) => bytes,
            Err(err) => {
                let message = format!("is not a readable data: URL ({err})");
                let violation = Violation::new(property, ViolationCode::FileNotAnImage, message);
                return Ok(Err(violation));
            }
        };
        let kind = match check_member_file(property, &bytes, accepts) {
            Ok(kind) => kind,
            Err(violation) => return Ok(Err(violation)),
        };
        if state.inline_images {
            return Ok(Ok(Named {
                url: url.to_string(),
                upload: None,
            }));
        }
        let name = store(state, member, kind, bytes).await?;
        return Ok(Ok(Named {
            url: public_url(state, &name),
            upload: Some(name),
        }));
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
                "SELECT content_type FROM uploads WHERE name = ?1 AND coworker_id = ?2 AND expires_at > ?3",
                params![key, coworker, unix_now()],
                |row| row.get::<_, String>(0),
            )
            .optional()?)
        })
        .await?;
    Ok(if let Some(content_type) = live {
        match FileType::from_mime(&content_type) {
            Some(file) if !accepts.allows(file) => Err(files::pdf_not_taken(property)),
            _ => Ok(Named {
                url: public_url(state, name),
                upload: Some(name.to_string()),
            }),
        }
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
