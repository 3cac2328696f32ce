//! The API's routers, one per resource, and what they share: id parsing, the order violations are
//! reported in, and the status lifecycle.

pub mod checks;
pub mod documents;
pub mod lookups;
pub mod masstack;
pub mod token;
pub mod uploads;

use axum::Json;
use idcheck_core::model::{ListEnvelope, VerificationStatus};
use idcheck_core::rules::Violation;
use rusqlite::Connection;

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::ListQuery;

/// Reads one page of a resource and the count of all its records that match.
pub type FetchPage<T> = fn(&Connection, &ListQuery) -> rusqlite::Result<(u64, Vec<T>)>;

/// Answers a list request: runs `fetch` for the page `query` asks for and wraps the records in the
/// list envelope, with the paging fields filled in. Every list route is this with its own `fetch`.
pub async fn list_page<T: Send + 'static>(
    state: &AppState,
    query: ListQuery,
    fetch: FetchPage<T>,
) -> Result<Json<ListEnvelope<T>>, ApiError> {
    let (page, size, field, direction) =
        (query.page, query.size, query.order_field, query.direction);
    let (total, records) = state.db.call(move |c| Ok(fetch(c, &query)?)).await?;
    Ok(Json(ListEnvelope::page(
        total,
        page,
        size,
        records,
        Some(field.to_string()),
        Some(direction),
    )))
}

/// A path id; anything that is not a positive whole number names no record, so it is a 404.
pub fn parse_id(entity: &'static str, text: &str) -> Result<i64, ApiError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::not_found(entity, text))
}

/// The `Id` a PUT body must carry: present and positive, else the 400 the API gives for it.
pub fn update_id(id: Option<i64>) -> Result<i64, ApiError> {
    match id {
        None => Err(ApiError::Validation(vec![Violation::required(
            "Id",
            serde_json::Value::Null,
        )])),
        Some(id) if id <= 0 => Err(ApiError::Validation(vec![Violation::not_positive(
            "Id", id,
        )])),
        Some(id) => Ok(id),
    }
}

/// Puts violations in the order of `fields` (unknown properties last), keeping the order among
/// violations of one property: the rules report in field order, and the server's own additions
/// (references, statuses, files) must not break it.
pub fn sort_in_field_order(violations: &mut [Violation], fields: &[&str]) {
    violations.sort_by_key(|v| {
        fields
            .iter()
            .position(|f| *f == v.property)
            .unwrap_or(fields.len())
    });
}

/// Whether a reviewer may move a record from `from` to `to`. Pending and Submitted are the
/// server's to set (creation, a complete document); a reviewer decides Successful or Failed on a
/// submission, may fail or cancel a check still pending, and may cancel a failed one. Successful
/// and Cancelled are final.
pub fn may_move(from: VerificationStatus, to: VerificationStatus) -> bool {
    use VerificationStatus::*;
    from == to
        || matches!(
            (from, to),
            (Pending, Failed | Cancelled)
                | (Submitted, Successful | Failed | Cancelled)
                | (Failed, Cancelled)
        )
}

/// The violation a refused status move is reported as.
pub fn status_move_violation(
    from: VerificationStatus,
    to: VerificationStatus,
) -> Option<Violation> {
    if may_move(from, to) {
        return None;
    }
    let mut violation = Violation::invalid_choice("VerificationStatus", to.code());
    violation.message = format!("cannot move from {} to {}", from.api_name(), to.api_name());
    Some(violation)
}

#[cfg(test)]
mod tests {
    use super::*;
    use VerificationStatus::*;

    #[test]
    fn the_status_lifecycle() {
        let allowed = [
            (Pending, Failed),
            (Pending, Cancelled),
            (Submitted, Successful),
            (Submitted, Failed),
            (Submitted, Cancelled),
            (Failed, Cancelled),
        ];
        for &from in VerificationStatus::ALL {
            for &to in VerificationStatus::ALL {
                let expected = from == to || allowed.contains(&(from, to));
                assert_eq!(may_move(from, to), expected, "{from} → {to}");
                assert_eq!(
                    status_move_violation(from, to).is_none(),
                    expected,
                    "{from} → {to}"
                );
            }
        }
    }

    #[test]
    fn ids_that_are_not_positive_numbers_are_not_found() {
        assert_eq!(parse_id("X", "12").unwrap(), 12);
        for text in ["0", "-1", "abc", "1.5", ""] {
            assert!(
                matches!(parse_id("X", text), Err(ApiError::NotFound { .. })),
                "{text}"
            );
        }
    }

    #[test]
    fn violations_follow_the_field_order() {
        let mut violations = vec![
            Violation::required("Name", serde_json::Value::Null),
            Violation::unknown_reference("BusinessId", 9),
            Violation::required("Other", serde_json::Value::Null),
        ];
        sort_in_field_order(&mut violations, &["BusinessId", "Name"]);
        let order: Vec<&str> = violations.iter().map(|v| v.property.as_str()).collect();
        assert_eq!(order, ["BusinessId", "Name", "Other"]);
    }
}
