//! `/api/spaces/coworkeridentitycheckdocuments`: create, get one, list, update, delete, and the
//! download of a document's stored files. A document that completes its check's file slots moves
//! the check from Pending (or Failed) to Submitted; one that does not is stored as Pending, not
//! refused: seed 000 makes every file optional, and which files a member must send is a member
//! rule, the gateway's and the component's.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use idcheck_core::model::{
    CoworkerIdentityCheck, CoworkerIdentityCheckDocument, CreatedValue, ListEnvelope,
    NewCoworkerIdentityCheckDocument, VerificationStatus, WriteEnvelope,
};
use idcheck_core::rules;
use idcheck_core::slots::{self, Slot};
use idcheck_core::violation::Violation;
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

use crate::auth::request::Authorized;
use crate::auth::roles::{AuthUser, can};
use crate::clock;
use crate::error::ApiError;
use crate::extract::{JsonBody, QueryParams, parse_value};
use crate::files::{FileStore, Image};
use crate::routes::{
    blocking, image_download, parse_id, sort_in_field_order, sources, status_move_violation,
};
use crate::state::AppState;
use crate::store::{self, documents::DocumentFields};

pub const ENTITY: &str = "CoworkerIdentityCheckDocument";
const PATH: &str = "/api/spaces/coworkeridentitycheckdocuments";

const FIELD_ORDER: &[&str] = &[
    "Id",
    "CoworkerId",
    "CoworkerIdentityCheckId",
    "Name",
    "NewPhotoUrl",
    "NewDocumentUrl",
    "NewAdditionalDocumentUrl",
    "VerificationStatus",
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route(PATH, get(list).post(create).put(update))
        .route(&format!("{PATH}/{{id}}"), get(get_one).delete(delete))
        .route(&format!("{PATH}/{{id}}/files/{{slot}}"), get(download))
}

/// The path segment of a slot in the download route.
pub fn slot_segment(slot: Slot) -> &'static str {
    match slot {
        Slot::Photo => "photo",
        Slot::Front => "document",
        Slot::Back => "additionaldocument",
    }
}

/// Whether a document holding files in `present` is complete for `check`. A check without a
/// verification type names no document, so any file completes it.
fn is_complete(check: &CoworkerIdentityCheck, present: &[Slot]) -> bool {
    match check.document_kind() {
        Some(kind) => slots::missing_slots(kind, present).is_empty(),
        None => !present.is_empty(),
    }
}

fn present_slots(files: &[Option<String>; 3]) -> Vec<Slot> {
    Slot::ALL
        .iter()
        .copied()
        .zip(files)
        .filter(|(_, f)| f.is_some())
        .map(|(s, _)| s)
        .collect()
}

async fn create(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<can::CreateDocument>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<NewCoworkerIdentityCheckDocument>,
) -> Result<Json<WriteEnvelope<CreatedValue>>, ApiError> {
    let mut violations = rules::check_identity_check_document(&body);
    let check_id = body.coworker_identity_check_id.filter(|id| *id > 0);
    let parent = match check_id {
        Some(id) => {
            state
                .db
                .call(move |c| Ok(store::checks::load(c, id)?))
                .await?
        }
        None => None,
    };
    violations.extend(parent_violations(&body, parent.as_ref(), &violations, true));
    // Fetch the files before anything is written: a URL that fails refuses the whole request.
    let (images, uploads_used, file_violations) =
        resolve_files(&state, &user, &headers, &body).await?;
    violations.extend(file_violations);
    if !violations.is_empty() {
        sort_in_field_order(&mut violations, FIELD_ORDER);
        return Err(ApiError::Validation(violations));
    }

    // Written outside the database lock: up to 30 MB must not stall every other request.
    let names = write_images(&state.files, images).await?;
    let now = clock::now_iso();
    let (now_copy, email) = (now.clone(), user.email.clone());
    let (names_copy, uploads_copy) = (names.clone(), uploads_used.clone());
    let result = state
        .db
        .call(move |c| {
            let names = names_copy;
            {
                let transaction = c.transaction()?;
                // The check may have changed while the files were fetched: decide on its state now.
                let parent = check_id
                    .map(|id| store::checks::load(&transaction, id))
                    .transpose()?
                    .flatten();
                let refused = parent_violations(&body, parent.as_ref(), &[], true);
                let Some(parent) = parent.filter(|_| refused.is_empty()) else {
                    return Err(ApiError::Validation(refused));
                };
                let complete = is_complete(&parent, &present_slots(&names));
                let fields = DocumentFields {
                    coworker_id: body.coworker_id.unwrap_or_default(),
                    check_id: parent.id,
                    name: body.name.as_deref().unwrap_or_default().trim().to_string(),
                    files: names.clone(),
                    status: if complete {
                        VerificationStatus::Submitted
                    } else {
                        VerificationStatus::Pending
                    },
                    notes: store::optional_text(body.notes.as_deref()),
                };
                let id = store::documents::insert(&transaction, &fields, &now_copy, &email)?;
                if complete {
                    submit_check(&transaction, &parent, &now_copy, &email)?;
                }
                forget_uploads(&transaction, &uploads_copy)?;
                transaction.commit()?;
                Ok(id)
            }
        })
        .await;
    let id = settle_files(&state.files, result, &names, uploads_used).await?;
    Ok(Json(WriteEnvelope::success(
        format!("{ENTITY} was successfully created."),
        CreatedValue { id },
        now,
        user.email,
    )))
}

/// A complete document moves its check on from Pending, or back from Failed when the member
/// sends new images after a rejection.
fn submit_check(
    c: &Connection,
    check: &CoworkerIdentityCheck,
    now: &str,
    user: &str,
) -> rusqlite::Result<()> {
    if matches!(
        check.verification_status,
        VerificationStatus::Pending | VerificationStatus::Failed
    ) {
        store::checks::set_status(c, check.id, VerificationStatus::Submitted, now, user)?;
    }
    Ok(())
}

/// The parent check must exist and belong to the same coworker; a new document may only be added
/// while the check awaits one (a Successful or Cancelled check is closed).
fn parent_violations(
    body: &NewCoworkerIdentityCheckDocument,
    parent: Option<&CoworkerIdentityCheck>,
    already: &[Violation],
    adding: bool,
) -> Vec<Violation> {
    let refused = |property: &str| already.iter().any(|v| v.property == property);
    let Some(check_id) = body
        .coworker_identity_check_id
        .filter(|_| !refused("CoworkerIdentityCheckId"))
    else {
        return Vec::new();
    };
    let Some(parent) = parent else {
        return vec![Violation::unknown_reference(
            "CoworkerIdentityCheckId",
            check_id,
        )];
    };
    let mut violations = Vec::new();
    if let Some(coworker) = body.coworker_id.filter(|_| !refused("CoworkerId"))
        && coworker != parent.coworker_id
    {
        let mut violation = Violation::unknown_reference("CoworkerId", coworker);
        violation.message = format!("is not the coworker of CoworkerIdentityCheck {check_id}");
        violations.push(violation);
    }
    if adding
        && matches!(
            parent.verification_status,
            VerificationStatus::Successful | VerificationStatus::Cancelled
        )
    {
        let mut violation = Violation::invalid_choice("CoworkerIdentityCheckId", check_id);
        violation.message = format!(
            "refers to a check that is {} and takes no more documents",
            parent.verification_status.api_name()
        );
        violations.push(violation);
    }
    violations
}

/// Every `New…Url` of the body as checked image bytes, the own uploads they came from, and the
/// violations naming the properties whose file could not be had.
async fn resolve_files(
    state: &AppState,
    user: &AuthUser,
    headers: &HeaderMap,
    body: &NewCoworkerIdentityCheckDocument,
) -> Result<([Option<Image>; 3], Vec<String>, Vec<Violation>), ApiError> {
    let own = state.own_authorities(headers);
    let mut images: [Option<Image>; 3] = [None, None, None];
    let mut uploads_used = Vec::new();
    let mut violations = Vec::new();
    for (index, &slot) in Slot::ALL.iter().enumerate() {
        let Some(url) = body.new_url(slot) else {
            continue;
        };
        let property = slot.new_url_property();
        match sources::resolve(state, user, &own, property, url).await? {
            Ok(resolved) => {
                images[index] = Some(resolved.image);
                uploads_used.extend(resolved.upload);
            }
            Err(violation) => violations.push(violation),
        }
    }
    uploads_used.sort();
    uploads_used.dedup();
    Ok((images, uploads_used, violations))
}

/// Writes the images as documents' files, on the blocking threads; all or none.
async fn write_images(
    store: &Arc<FileStore>,
    images: [Option<Image>; 3],
) -> Result<[Option<String>; 3], ApiError> {
    let store = store.clone();
    blocking(move || {
        let mut names: [Option<String>; 3] = [None, None, None];
        for (index, image) in images.iter().enumerate() {
            if let Some(image) = image {
                match store.write_document_file(image.kind, &image.bytes) {
                    Ok(name) => names[index] = Some(name),
                    Err(err) => {
                        for name in names.iter().flatten() {
                            store.remove_document_file(name);
                        }
                        return Err(ApiError::from(err));
                    }
                }
            }
        }
        Ok(names)
    })
    .await?
}

/// The uploads a stored record copied are forgotten in its transaction; their files go after it.
fn forget_uploads(c: &Connection, names: &[String]) -> rusqlite::Result<()> {
    for name in names {
        store::uploads::delete(c, name)?;
    }
    Ok(())
}

/// After the transaction: on success the copied uploads' files are removed (the document holds
/// its own copy); on failure the files just written are.
async fn settle_files<T>(
    store: &Arc<FileStore>,
    result: Result<T, ApiError>,
    written: &[Option<String>; 3],
    uploads_used: Vec<String>,
) -> Result<T, ApiError> {
    let store = store.clone();
    match result {
        Ok(value) => {
            let _ = blocking(move || {
                for name in &uploads_used {
                    store.remove_upload(name);
                }
            })
            .await;
            Ok(value)
        }
        Err(err) => {
            remove_document_files(&store, written.iter().flatten().cloned().collect()).await;
            Err(err)
        }
    }
}

/// Removes documents' files (after the commit that let go of them), on the blocking threads.
pub async fn remove_document_files(store: &Arc<FileStore>, names: Vec<String>) {
    let store = store.clone();
    let _ = blocking(move || {
        for name in &names {
            store.remove_document_file(name);
        }
    })
    .await;
}

/// A PUT body: the create fields, plus what only an update carries.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct DocumentUpdate {
    id: Option<i64>,
    verification_status: Option<VerificationStatus>,
}

async fn update(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<can::EditDocument>,
    headers: HeaderMap,
    JsonBody(value): JsonBody<Value>,
) -> Result<Json<WriteEnvelope<CreatedValue>>, ApiError> {
    let body: NewCoworkerIdentityCheckDocument = parse_value(&value)?;
    let extra: DocumentUpdate = parse_value(&value)?;
    let id = super::update_id(extra.id)?;
    let existing = state
        .db
        .call(move |c| Ok(store::documents::load(c, id)?))
        .await?;
    let existing = existing.ok_or_else(|| ApiError::not_found(ENTITY, id))?;

    let mut violations = rules::check_identity_check_document(&body);
    let check_id = body.coworker_identity_check_id.filter(|id| *id > 0);
    let parent = match check_id {
        Some(id) => {
            state
                .db
                .call(move |c| Ok(store::checks::load(c, id)?))
                .await?
        }
        None => None,
    };
    let moving = check_id.is_some_and(|id| id != existing.coworker_identity_check_id);
    violations.extend(parent_violations(
        &body,
        parent.as_ref(),
        &violations,
        moving,
    ));
    if let Some(status) = extra.verification_status
        && let Some(violation) = status_move_violation(existing.verification_status, status)
    {
        violations.push(violation);
    }
    let (images, uploads_used, file_violations) =
        resolve_files(&state, &user, &headers, &body).await?;
    violations.extend(file_violations);
    if !violations.is_empty() {
        sort_in_field_order(&mut violations, FIELD_ORDER);
        return Err(ApiError::Validation(violations));
    }

    let names = write_images(&state.files, images).await?;
    let now = clock::now_iso();
    let (now_copy, email) = (now.clone(), user.email.clone());
    let (names_copy, uploads_copy) = (names.clone(), uploads_used.clone());
    let result = state
        .db
        .call(move |c| {
            let names = names_copy;
            {
                let transaction = c.transaction()?;
                let current = store::documents::load(&transaction, id)?
                    .ok_or_else(|| ApiError::not_found(ENTITY, id))?;
                let parent = check_id
                    .map(|id| store::checks::load(&transaction, id))
                    .transpose()?
                    .flatten();
                let refused = parent_violations(&body, parent.as_ref(), &[], moving);
                let Some(parent) = parent.filter(|_| refused.is_empty()) else {
                    return Err(ApiError::Validation(refused));
                };
                let mut files = [
                    current.photo_file_name.clone(),
                    current.document_file_name.clone(),
                    current.additional_document_file_name.clone(),
                ];
                let mut replaced = Vec::new();
                for (index, &slot) in Slot::ALL.iter().enumerate() {
                    if names[index].is_some() || body.clears(slot) {
                        replaced.extend(files[index].take());
                        files[index] = names[index].clone();
                    }
                }
                // A PUT of the record as read carries its current status; only a different one is a move.
                let requested = extra
                    .verification_status
                    .filter(|s| *s != current.verification_status);
                let status = match requested {
                    Some(status) => status,
                    None if current.verification_status == VerificationStatus::Pending
                        && is_complete(&parent, &present_slots(&files)) =>
                    {
                        VerificationStatus::Submitted
                    }
                    None => current.verification_status,
                };
                let fields = DocumentFields {
                    coworker_id: body.coworker_id.unwrap_or_default(),
                    check_id: parent.id,
                    name: body.name.as_deref().unwrap_or_default().trim().to_string(),
                    files,
                    status,
                    notes: store::optional_text(body.notes.as_deref()),
                };
                store::documents::update(&transaction, id, &fields, &now_copy, &email)?;
                if status == VerificationStatus::Submitted && current.verification_status != status
                {
                    submit_check(&transaction, &parent, &now_copy, &email)?;
                }
                forget_uploads(&transaction, &uploads_copy)?;
                transaction.commit()?;
                Ok(replaced)
            }
        })
        .await;
    let replaced = settle_files(&state.files, result, &names, uploads_used).await?;
    remove_document_files(&state.files, replaced).await;
    Ok(Json(WriteEnvelope::success(
        format!("{ENTITY} was successfully updated."),
        CreatedValue { id },
        now,
        user.email,
    )))
}

async fn get_one(
    State(state): State<AppState>,
    Authorized(_user, _): Authorized<can::ReadDocument>,
    Path(id): Path<String>,
) -> Result<Json<CoworkerIdentityCheckDocument>, ApiError> {
    let id = parse_id(ENTITY, &id)?;
    let record = state
        .db
        .call(move |c| Ok(store::documents::load(c, id)?))
        .await?;
    record
        .map(Json)
        .ok_or_else(|| ApiError::not_found(ENTITY, id))
}

async fn list(
    State(state): State<AppState>,
    Authorized(_user, _): Authorized<can::ListDocuments>,
    query: QueryParams,
) -> Result<Json<ListEnvelope<CoworkerIdentityCheckDocument>>, ApiError> {
    use store::documents::{FILTERS, ORDER_FIELDS, TEXT_FILTERS};
    let query = super::list_query(&query, FILTERS, TEXT_FILTERS, ORDER_FIELDS)?;
    super::list_page(&state, query, store::documents::list).await
}

async fn delete(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<can::DeleteDocument>,
    Path(id): Path<String>,
) -> Result<Json<WriteEnvelope<CreatedValue>>, ApiError> {
    let id = parse_id(ENTITY, &id)?;
    let files = state
        .db
        .call(move |c| {
            let transaction = c.transaction()?;
            let document = store::documents::load(&transaction, id)?
                .ok_or_else(|| ApiError::not_found(ENTITY, id))?;
            store::documents::delete(&transaction, id)?;
            transaction.commit()?;
            Ok(document
                .stored_slots()
                .into_iter()
                .filter_map(|s| document.file_name(s).map(str::to_string))
                .collect::<Vec<_>>())
        })
        .await?;
    remove_document_files(&state.files, files).await;
    Ok(Json(WriteEnvelope::success(
        format!("{ENTITY} was successfully deleted."),
        CreatedValue { id },
        clock::now_iso(),
        user.email,
    )))
}

/// `GET …/{id}/files/{photo|document|additionaldocument}`: the stored bytes, as an attachment.
async fn download(
    State(state): State<AppState>,
    Authorized(_user, _): Authorized<can::ReadDocument>,
    Path((id, slot)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let id = parse_id(ENTITY, &id)?;
    let slot = Slot::ALL
        .iter()
        .copied()
        .find(|s| slot_segment(*s).eq_ignore_ascii_case(&slot))
        .ok_or_else(|| ApiError::not_found("File slot", &slot))?;
    let name = state
        .db
        .call(move |c| {
            let document =
                store::documents::load(c, id)?.ok_or_else(|| ApiError::not_found(ENTITY, id))?;
            document.file_name(slot).map(str::to_string).ok_or_else(|| {
                ApiError::not_found("File", format!("{} of {ENTITY} {id}", slot_segment(slot)))
            })
        })
        .await?;
    let (store_files, name_copy) = (state.files.clone(), name.clone());
    let bytes = blocking(move || store_files.read_document_file(&name_copy)).await??;
    Ok(image_download(&name, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use idcheck_core::model::{AddressDocumentType, IdentityDocumentType, VerificationType};

    #[test]
    fn completeness_follows_the_core_slot_table() {
        let passport = CoworkerIdentityCheck {
            verification_type: VerificationType::IdDocument,
            identity_document_type: IdentityDocumentType::Passport,
            ..Default::default()
        };
        assert!(is_complete(&passport, &[Slot::Photo, Slot::Front]));
        assert!(!is_complete(&passport, &[Slot::Front]));
        let address = CoworkerIdentityCheck {
            verification_type: VerificationType::Address,
            address_document_type: AddressDocumentType::VoterCard,
            ..Default::default()
        };
        assert!(is_complete(&address, &[Slot::Front]));
        let bare = CoworkerIdentityCheck::default();
        assert!(!is_complete(&bare, &[]));
        assert!(is_complete(&bare, &[Slot::Back]));
    }
}
