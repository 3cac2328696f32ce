//! Settling a create whose answer was lost: a lost upstream answer is settled by a look-up, never by
//! a blind second create. When a create was sent but its answer never arrived whole (the
//! connection dropped after the upstream committed, the body was cut off, the call timed out), the
//! gateway looks for the record that create would have written and, if it is there, answers as the
//! create would have; otherwise the create failed as far as can be told, and the member may send it
//! again.
//!
//! Nexudus is looked up by listing the member's records, newest first. MasStack cannot be: seed 004
//! offers no list or search of identifications (only create, and read or cancel by the id that the
//! create's answer alone carries), and its create takes no reference of the caller's that a read
//! would give back. A MasStack create whose answer is lost is therefore
//! [`GatewayError::Unsettled`], which keeps its `Idempotency-Key` from creating another.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::{Method, StatusCode};
use bytes::Bytes;
use idcheck_core::date::Date;
use idcheck_core::model::{CreatedValue, WriteEnvelope};
use serde_json::{Map, Value};
use time::format_description::well_known::Iso8601;
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::error::GatewayError;
use crate::member::Member;
use crate::routes::{Resource, load_own, scoped_query, unexpected};
use crate::scope;
use crate::state::AppState;
use crate::upstream::{Answer, Body};

/// How long to wait before looking, so that a create the upstream was still committing when its
/// answer was lost is visible.
const SETTLE_DELAY: Duration = Duration::from_millis(300);
/// How much earlier than the moment its create was sent a record's `CreatedOn` may read and still
/// be that create's record: `CreatedOn` has whole seconds (up to one is cut off), and the gateway's
/// clock and the upstream's may differ by a few more. A record older than that with the same fields
/// is an earlier create's, which this one must not adopt.
const CLOCK_MARGIN: Duration = Duration::from_secs(5);
/// A member has few records newer than one create: a page or two are read, never more than these.
const PAGE_SIZE: u32 = 25;
const MAX_PAGES: u32 = 4;
/// Records read one by one at most, should a list give partial records ("List records are
/// partial", API notes).
const MAX_READS: usize = 5;

/// Creates a record of `resource` with `body` (already scoped and judged). When the answer is lost,
/// the member's records (narrowed by `filters`, e.g. a document's check) are looked up, and the one
/// this create wrote is answered as the create's own answer would have named it.
pub async fn create(
    state: &AppState,
    member: Member,
    resource: &Resource,
    filters: &[(&str, i64)],
    body: Map<String, Value>,
) -> Result<Answer, GatewayError> {
    let sent = state
        .upstream
        .nexudus(
            Method::POST,
            resource.upstream,
            Body::Json(Value::Object(body.clone())),
        )
        .await;
    let sent_at = match sent {
        Ok(answer) if answers_for_itself(&answer) => return Ok(answer),
        Ok(answer) => answer.sent_at,
        Err(GatewayError::AnswerLost { sent_at }) => sent_at,
        Err(error) => return Err(error),
    };
    tokio::time::sleep(SETTLE_DELAY).await;
    match find(state, member, resource, filters, &body, sent_at).await {
        Ok(Some(record)) => created(resource, &record, sent_at),
        Ok(None) => {
            eprintln!(
                "idcheck-gateway: a {} create lost its answer and no record of it was found upstream",
                resource.entity
            );
            Err(GatewayError::Upstream)
        }
        Err(_) => {
            eprintln!(
                "idcheck-gateway: a {} create lost its answer and the look-up failed",
                resource.entity
            );
            Err(GatewayError::Upstream)
        }
    }
}

/// Creates a MasStack identification at `path`. Its answer settles it only when it arrives whole
/// and names the identification; otherwise it may exist with an id nobody will ever learn, and no
/// look-up can tell (see the module's comment).
pub async fn masstack_create(
    state: &AppState,
    path: &str,
    body: Map<String, Value>,
) -> Result<Answer, GatewayError> {
    let answer = match state
        .upstream
        .masstack(Method::POST, path, Body::Json(Value::Object(body)))
        .await
    {
        Err(GatewayError::AnswerLost { .. }) => return Err(unsettled()),
        other => other?,
    };
    if answer.is_success() && identification_id(&answer).is_none() {
        return Err(unsettled());
    }
    Ok(answer)
}

/// The identification a MasStack create's answer names.
pub fn identification_id(answer: &Answer) -> Option<String> {
    answer
        .json()?
        .get("id")?
        .as_str()
        .filter(|id| !id.is_empty())
        .map(str::to_string)
}

fn unsettled() -> GatewayError {
    eprintln!(
        "idcheck-gateway: a MasStack create lost its answer and MasStack offers no look-up; \
         its Idempotency-Key keeps a 502"
    );
    GatewayError::Unsettled
}

/// Whether a create's answer settles it by itself: a refusal wrote nothing and a success names its
/// record. A success without a readable id, or a 5xx (which a proxy in front of the upstream gives
/// as readily after the commit as before it), leaves it open.
fn answers_for_itself(answer: &Answer) -> bool {
    if answer.status.is_server_error() {
        return false;
    }
    !answer.is_success() || created_id(answer).is_some()
}

fn created_id(answer: &Answer) -> Option<i64> {
    answer.json()?.get("Value")?.get("Id")?.as_i64()
}

/// The member's record that a create of `body` sent at `sent_at` wrote, if there is one.
async fn find(
    state: &AppState,
    member: Member,
    resource: &Resource,
    filters: &[(&str, i64)],
    body: &Map<String, Value>,
    sent_at: SystemTime,
) -> Result<Option<Value>, GatewayError> {
    let since = sent_at.checked_sub(CLOCK_MARGIN).unwrap_or(UNIX_EPOCH);
    let mut reads = 0;
    for page in 1..=MAX_PAGES {
        let list = list_page(state, member, resource, filters, page).await?;
        let records = list
            .get("Records")
            .and_then(Value::as_array)
            .ok_or(GatewayError::Upstream)?;
        let mut reached_older = false;
        for listed in records {
            if created_on(listed).is_some_and(|at| at < since) {
                reached_older = true;
                continue;
            }
            let record = if shows_all(resource, body, listed) {
                listed.clone()
            } else {
                let Some(id) = listed.get("Id").and_then(Value::as_i64) else {
                    continue;
                };
                if reads == MAX_READS {
                    return Ok(None);
                }
                reads += 1;
                match load_own(state, member, &format!("{}/{id}", resource.upstream)).await? {
                    Some(record) => record,
                    None => continue,
                }
            };
            if is_written_by(resource, member, body, since, &record) {
                return Ok(Some(record));
            }
        }
        let more = list
            .get("HasNextPage")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        // Past a record older than the create, a list sorted newest first holds only older ones.
        if !more || (reached_older && is_newest_first(&list)) {
            break;
        }
    }
    Ok(None)
}

/// Page `page` of the member's records, newest first.
async fn list_page(
    state: &AppState,
    member: Member,
    resource: &Resource,
    filters: &[(&str, i64)],
    page: u32,
) -> Result<Value, GatewayError> {
    let mut query = format!("orderBy=CreatedOn&dir=Descending&size={PAGE_SIZE}&page={page}");
    for (filter, value) in filters {
        query.push_str(&format!("&{filter}={value}"));
    }
    let path = format!(
        "{}?{}",
        resource.upstream,
        scoped_query(Some(&query), resource.coworker_filter, member)
    );
    let answer = state
        .upstream
        .nexudus(Method::GET, &path, Body::None)
        .await?;
    if !answer.is_success() {
        return Err(unexpected(&answer));
    }
    answer.json().ok_or(GatewayError::Upstream)
}

/// Whether the list says it is sorted as asked: an upstream that ignored the order is read to the
/// last page allowed instead.
fn is_newest_first(list: &Value) -> bool {
    let field = list.get("CurrentOrderField").and_then(Value::as_str);
    let direction = list.get("CurrentSortDirection");
    field.is_some_and(|f| f.eq_ignore_ascii_case("CreatedOn"))
        && direction.is_some_and(|d| d.as_str() == Some("Descending") || d.as_i64() == Some(1))
}

/// Whether a listed record shows everything [`is_written_by`] compares, so it needs no read of its
/// own.
fn shows_all(resource: &Resource, body: &Map<String, Value>, record: &Value) -> bool {
    ["Id", "CreatedOn"]
        .iter()
        .chain(resource.read_back.iter().filter(|f| body.contains_key(**f)))
        .all(|field| record.get(*field).is_some())
}

/// Whether `record` is what the create of `body` wrote: the member's, created no earlier than
/// `since`, and every field the create sent that a read returns reads back the same. A field the
/// record does not show cannot be confirmed, so it does not match.
fn is_written_by(
    resource: &Resource,
    member: Member,
    body: &Map<String, Value>,
    since: SystemTime,
    record: &Value,
) -> bool {
    record.get("Id").and_then(Value::as_i64).is_some()
        && scope::owns(member, record)
        && created_on(record).is_some_and(|at| at >= since)
        && resource
            .read_back
            .iter()
            .filter_map(|field| body.get(*field).map(|sent| (field, sent)))
            .all(|(field, sent)| record.get(*field).is_some_and(|read| same(sent, read)))
}

/// A field as sent and as read: no value reads as `null` or `""` alike, text may come back trimmed,
/// and a date may come back as a date-time (`2030-05-01` → `2030-05-01T00:00:00Z`).
fn same(sent: &Value, read: &Value) -> bool {
    fn blank(value: &Value) -> bool {
        match value {
            Value::Null => true,
            Value::String(text) => text.trim().is_empty(),
            _ => false,
        }
    }
    if blank(sent) || blank(read) {
        return blank(sent) && blank(read);
    }
    match (sent, read) {
        (Value::String(sent), Value::String(read)) => {
            let (sent, read) = (sent.trim(), read.trim());
            sent == read
                || matches!((Date::parse(sent), Date::parse(read)), (Some(a), Some(b)) if a == b)
        }
        (Value::Number(sent), Value::Number(read)) => sent.as_f64() == read.as_f64(),
        _ => sent == read,
    }
}

/// A record's `CreatedOn` (ISO 8601). One without an offset is taken as UTC, the seeds' every
/// instant being written in UTC.
fn created_on(record: &Value) -> Option<SystemTime> {
    let text = record.get("CreatedOn")?.as_str()?.trim();
    let at = OffsetDateTime::parse(text, &Iso8601::PARSING)
        .or_else(|_| {
            PrimitiveDateTime::parse(text, &Iso8601::PARSING).map(PrimitiveDateTime::assume_utc)
        })
        .ok()?;
    Some(at.into())
}

/// The answer the create would have had: seed 002's success envelope naming the record.
fn created(
    resource: &Resource,
    record: &Value,
    sent_at: SystemTime,
) -> Result<Answer, GatewayError> {
    let id = record
        .get("Id")
        .and_then(Value::as_i64)
        .ok_or(GatewayError::Upstream)?;
    let text = |field: &str| {
        record
            .get(field)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    // The write's own moment is the record's creation; `UpdatedBy` is hidden by the relay anyway.
    let envelope = WriteEnvelope::success(
        format!("{} was successfully created.", resource.entity),
        CreatedValue { id },
        text("CreatedOn"),
        text("UpdatedBy"),
    );
    let body = serde_json::to_vec(&envelope)
        .map_err(|err| GatewayError::Internal(format!("a create's answer: {err}")))?;
    Ok(Answer {
        status: StatusCode::OK,
        content_type: Some("application/json; charset=utf-8".into()),
        retry_after: None,
        body: Bytes::from(body),
        sent_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ANA: Member = Member {
        coworker_id: 2,
        business_id: 1,
    };

    fn at(text: &str) -> SystemTime {
        created_on(&json!({ "CreatedOn": text })).expect(text)
    }

    #[test]
    fn creation_times_read_with_or_without_an_offset() {
        let utc = at("2025-01-15T10:30:00Z");
        assert_eq!(
            utc.duration_since(UNIX_EPOCH).unwrap().as_secs(),
            1_736_937_000
        );
        assert_eq!(at("2025-01-15T10:30:00"), utc);
        assert_eq!(at("2025-01-15T12:30:00+02:00"), utc);
        assert!(at("2025-01-15T10:30:00.500Z") > utc);
        assert!(created_on(&json!({ "CreatedOn": "yesterday" })).is_none());
    }

    #[test]
    fn fields_compare_as_the_upstream_gives_them_back() {
        assert!(same(&json!("2099-05-01"), &json!("2099-05-01T00:00:00Z")));
        assert!(!same(&json!("2099-05-01"), &json!("2099-05-02T00:00:00Z")));
        assert!(same(&json!(" ref 1 "), &json!("ref 1")));
        assert!(!same(&json!("ref 1"), &json!("ref 2")));
        assert!(same(&Value::Null, &json!("")));
        assert!(!same(&json!("PA1"), &Value::Null));
        assert!(same(&json!(1), &json!(1.0)));
        assert!(!same(&json!(1), &json!(2)));
    }

    #[test]
    fn a_record_is_the_creates_only_if_new_enough_and_alike() {
        let resource = crate::routes::checks::RESOURCE;
        let body = json!({"CoworkerId": 2, "BusinessId": 1, "Description": "ref 1",
                          "NotRead": "x", "IdentityDocumentExpirationDate": "2099-05-01"});
        let body = body.as_object().unwrap();
        let since = at("2025-01-15T10:30:00Z");
        let record = json!({"Id": 9, "CoworkerId": 2, "BusinessId": 1, "Description": "ref 1",
                            "IdentityDocumentExpirationDate": "2099-05-01T00:00:00Z",
                            "CreatedOn": "2025-01-15T10:30:00Z"});
        assert!(shows_all(&resource, body, &record));
        assert!(is_written_by(&resource, ANA, body, since, &record));

        let mut older = record.clone();
        older["CreatedOn"] = json!("2025-01-15T10:29:59Z");
        assert!(!is_written_by(&resource, ANA, body, since, &older));
        let mut other = record.clone();
        other["Description"] = json!("ref 2");
        assert!(!is_written_by(&resource, ANA, body, since, &other));
        let mut theirs = record.clone();
        theirs["CoworkerId"] = json!(3);
        assert!(!is_written_by(&resource, ANA, body, since, &theirs));
        let mut partial = record.clone();
        partial.as_object_mut().unwrap().remove("Description");
        assert!(!shows_all(&resource, body, &partial));
        assert!(!is_written_by(&resource, ANA, body, since, &partial));
    }

    #[test]
    fn only_a_refusal_or_a_named_record_settles_a_create_by_itself() {
        let answer = |status: u16, body: &str| Answer {
            status: StatusCode::from_u16(status).unwrap(),
            content_type: None,
            retry_after: None,
            body: Bytes::from(body.to_string()),
            sent_at: SystemTime::now(),
        };
        assert!(answers_for_itself(&answer(200, r#"{"Value": {"Id": 5}}"#)));
        assert!(answers_for_itself(&answer(400, r#"{"Errors": []}"#)));
        assert!(!answers_for_itself(&answer(200, "{")));
        assert!(!answers_for_itself(&answer(500, "")));
        assert!(!answers_for_itself(&answer(504, "")));
    }
}
