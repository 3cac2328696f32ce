//! `POST /api/uploads`: the component may store an image first and name the returned URL in a
//! record's `New…Url`, which keeps the record's JSON small and lets each image be retried alone.
//! `GET /api/uploads/{name}` gives the bytes back to the user who uploaded them. Uploads are checked
//! by the API's own file rule (`check_stored_file`), like every file this server stores.

use axum::extract::{Path, Request, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use idcheck_core::files::check_stored_file;
use serde_json::{Value, json};

use crate::auth::request::Authorized;
use crate::auth::roles::{AuthUser, can};
use crate::clock;
use crate::error::ApiError;
use crate::extract::read_body;
use crate::routes::{blocking, image_download};
use crate::state::AppState;
use crate::store;

/// The path under which uploads are served; a record URL with it is resolved locally.
pub const UPLOADS_PATH_PREFIX: &str = "/api/uploads/";

/// The property named when an uploaded body is refused.
const PROPERTY: &str = "File";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/uploads", post(upload))
        .route("/api/uploads/{name}", get(download))
}

/// Stores the image (written outside the database lock), then records it; a failed record
/// removes the file again. The upload lives until a document copies it, or its time is up.
async fn upload(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<can::Upload>,
    request: Request,
) -> Result<Json<Value>, ApiError> {
    let headers = request.headers().clone();
    let bytes = read_body(request).await?;
    let kind = check_stored_file(PROPERTY, &bytes)
        .map_err(|violation| ApiError::Validation(vec![violation]))?;
    let size = bytes.len();
    let store_files = state.files.clone();
    let name = blocking(move || store_files.write_upload(kind, &bytes)).await??;
    let (name_copy, user_id) = (name.clone(), user.id);
    let recorded = state
        .db
        .call(move |c| {
            Ok(store::uploads::insert(
                c,
                &name_copy,
                user_id,
                kind.mime(),
                size,
                &clock::now_iso(),
                clock::unix_seconds(),
            )?)
        })
        .await;
    if let Err(err) = recorded {
        let (store_files, name) = (state.files.clone(), name.clone());
        let _ = blocking(move || store_files.remove_upload(&name)).await;
        return Err(err);
    }
    Ok(Json(json!({
        "Url": format!("{}{UPLOADS_PATH_PREFIX}{name}", state.base_url(&headers)),
        "FileName": name,
        "ContentType": kind.mime(),
        "Size": size,
    })))
}

async fn download(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<can::Upload>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let bytes = upload_bytes(&state, &user, &name)
        .await?
        .ok_or_else(|| ApiError::not_found("Upload", &name))?;
    Ok(image_download(&name, bytes))
}

/// The bytes of upload `name`, if `user` may read it (its uploader, or an administrator).
pub async fn upload_bytes(
    state: &AppState,
    user: &AuthUser,
    name: &str,
) -> Result<Option<Vec<u8>>, ApiError> {
    let (name_copy, user_id, is_admin) = (name.to_string(), user.id, user.is_admin);
    let allowed = state
        .db
        .call(move |c| {
            Ok(matches!(store::uploads::owner(c, &name_copy)?,
                Some(owner) if owner == user_id || is_admin))
        })
        .await?;
    if !allowed {
        return Ok(None);
    }
    let (store_files, name) = (state.files.clone(), name.to_string());
    blocking(move || store_files.read_upload(&name).ok()).await
}
