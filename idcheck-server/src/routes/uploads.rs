//! `POST /api/uploads`: the component may store an image first and name the returned URL in a
//! record's `New…Url`, which keeps the record's JSON small and lets each image be retried alone.
//! `GET /api/uploads/{name}` gives the bytes back to the user who uploaded them. Uploads are checked
//! by the API's own file rule (`check_stored_file`), like every file this server stores.

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use idcheck_core::files::{check_stored_file, sniff};
use idcheck_core::rules::Violation;
use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};

use crate::auth::{AuthUser, Authorized, can};
use crate::clock;
use crate::error::ApiError;
use crate::extract::read_body;
use crate::files::{self, Image};
use crate::state::AppState;

/// The path under which uploads are served; a record URL with it is resolved locally.
pub const UPLOADS_PATH_PREFIX: &str = "/api/uploads/";

/// The property named when an uploaded body is refused.
const PROPERTY: &str = "File";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/uploads", post(upload))
        .route("/api/uploads/{name}", get(download))
}

async fn upload(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<can::Upload>,
    request: Request,
) -> Result<Json<Value>, ApiError> {
    let headers = request.headers().clone();
    let bytes = read_body(request).await?;
    let kind = check_stored_file(PROPERTY, &bytes)
        .map_err(|violation| ApiError::Validation(vec![violation]))?;
    let (store_files, user_id, size) = (state.files.clone(), user.id, bytes.len());
    let name = state
        .db
        .call(move |c| {
            let name = store_files.write_upload(kind, &bytes)?;
            let inserted = c.execute(
                "INSERT INTO uploads (name, user_id, content_type, size, created_on) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![name, user_id, kind.mime(), size as i64, clock::now_iso()],
            );
            if let Err(err) = inserted {
                store_files.remove_upload(&name);
                return Err(err.into());
            }
            Ok(name)
        })
        .await?;
    Ok(Json(json!({
        "Url": format!("{}{UPLOADS_PATH_PREFIX}{name}", state.base_url(&headers)),
        "FileName": name,
        "ContentType": kind.mime(),
        "Size": size,
    })))
}

/// The owner of upload `name`, if there is one.
fn owner(c: &rusqlite::Connection, name: &str) -> rusqlite::Result<Option<i64>> {
    c.query_row(
        "SELECT user_id FROM uploads WHERE name = ?1",
        [name],
        |row| row.get(0),
    )
    .optional()
}

/// The bytes of our own upload `name` named in `property`. Another user's upload is treated as
/// unknown: uploads are identity documents, and the URL alone must not hand them to anyone else.
pub async fn resolve(
    state: &AppState,
    user: &AuthUser,
    property: &str,
    name: &str,
    url: &str,
) -> Result<Result<Image, Violation>, ApiError> {
    let (store_files, name_copy, user_id, is_admin) = (
        state.files.clone(),
        name.to_string(),
        user.id,
        user.is_admin,
    );
    let bytes = state
        .db
        .call(move |c| match owner(c, &name_copy)? {
            Some(owner) if owner == user_id || is_admin => {
                Ok(store_files.read_upload(&name_copy).ok())
            }
            _ => Ok(None),
        })
        .await?;
    Ok(match bytes {
        Some(bytes) => files::check(property, bytes, url),
        None => {
            let mut violation = Violation::file_unreachable(property, &files::shorten(url));
            violation.message = "could not be fetched: there is no such upload".into();
            Err(violation)
        }
    })
}

async fn download(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<can::Upload>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let (store_files, name_copy, user_id, is_admin) =
        (state.files.clone(), name.clone(), user.id, user.is_admin);
    let bytes = state
        .db
        .call(move |c| match owner(c, &name_copy)? {
            Some(owner) if owner == user_id || is_admin => {
                Ok(store_files.read_upload(&name_copy).ok())
            }
            _ => Ok(None),
        })
        .await?
        .ok_or_else(|| ApiError::not_found("Upload", &name))?;
    let mime = sniff(&bytes).map_or("application/octet-stream", |kind| kind.mime());
    let mut response = Body::from(bytes).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}
