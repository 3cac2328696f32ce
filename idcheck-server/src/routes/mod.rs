//! The API's routers, one per resource, and what they share: id parsing, the order violations are
//! reported in, and the status lifecycle.

pub mod checks;
pub mod documents;
pub mod lookups;
pub mod masstack;
pub mod sources;
pub mod token;
pub mod uploads;

use axum::Json;
use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use idcheck_core::files::sniff_file;
use idcheck_core::model::{ListEnvelope, SortDirection, VerificationStatus};
use idcheck_core::violation::Violation;
use rusqlite::Connection;
use rusqlite::types::ToSql;

use crate::error::ApiError;
use crate::extract::QueryParams;
use crate::state::AppState;
use crate::store::{DEFAULT_PAGE_SIZE, Filter, ListQuery, MAX_PAGE_SIZE, OrderField, escape_like};

/// Runs slow work (file I/O, hashing) on the blocking threads, outside any lock.
pub async fn blocking<T, F>(work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| ApiError::Internal(format!("a blocking task failed: {err}")))
}

/// An identity image (or an address document's PDF) as a download: its sniffed type, as an attachment (never rendered inline by
/// a browser), `nosniff` (never taken for another type) and `no-store` (never kept in a cache).
pub fn image_download(name: &str, bytes: Vec<u8>) -> Response {
    let mime = sniff_file(&bytes).map_or("application/octet-stream", |kind| kind.mime());
    let mut response = Body::from(bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Stored names are `<uuid>.<ext>`; anything else is not put in a header.
    let safe = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    let disposition = if safe {
        format!("attachment; filename=\"{name}\"")
    } else {
        "attachment".to_string()
    };
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// Reads `page`, `size`, `orderBy`, `dir` and the filters of `query`; a bad one is a 400 naming
/// the parameter.
pub fn list_query(
    query: &QueryParams,
    filters: &[Filter],
    text_filters: &[Filter],
    order_fields: &[OrderField],
) -> Result<ListQuery, ApiError> {
    let page = query.number("page")?.unwrap_or(1);
    if page < 1 {
        return Err(ApiError::bad_request(
            "page",
            "must be 1 or more",
            page.into(),
        ));
    }
    let size = query
        .number("size")?
        .unwrap_or(i64::from(DEFAULT_PAGE_SIZE));
    if size < 1 {
        return Err(ApiError::bad_request(
            "size",
            "must be 1 or more",
            size.into(),
        ));
    }
    let page = u32::try_from(page).unwrap_or(u32::MAX);
    let size = u32::try_from(size).unwrap_or(u32::MAX).min(MAX_PAGE_SIZE);

    let order = match query
        .get("orderBy")
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => &order_fields[0],
        Some(name) => order_fields
            .iter()
            .find(|field| field.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                let known: Vec<&str> = order_fields.iter().map(|f| f.name).collect();
                ApiError::bad_request(
                    "orderBy",
                    format!("must be one of {}", known.join(", ")),
                    name.into(),
                )
            })?,
    };
    let direction = match query.get("dir").map(str::trim).filter(|s| !s.is_empty()) {
        None => SortDirection::Ascending,
        // Some clients send the enum's number: 0 ascending, 1 descending.
        Some("0") => SortDirection::Ascending,
        Some("1") => SortDirection::Descending,
        Some(text) => text.parse().map_err(|_| {
            ApiError::bad_request("dir", "must be Ascending or Descending", text.into())
        })?,
    };

    let mut conditions = Vec::new();
    let mut values: Vec<Box<dyn ToSql + Send>> = Vec::new();
    for filter in filters {
        if let Some(value) = query.number(filter.parameter)? {
            conditions.push(filter.sql);
            values.push(Box::new(value));
        }
    }
    for filter in text_filters {
        if let Some(text) = query.get(filter.parameter).filter(|t| !t.trim().is_empty()) {
            conditions.push(filter.sql);
            values.push(Box::new(format!("%{}%", escape_like(text.trim()))));
        }
    }
    Ok(ListQuery {
        page,
        size,
        order_field: order.name,
        order_sql: order.sql,
        direction,
        conditions,
        values,
    })
}

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

    const FILTERS: &[Filter] = &[Filter {
        parameter: "X_Coworker",
        sql: "coworker_id = ?",
    }];
    const TEXT: &[Filter] = &[Filter {
        parameter: "X_Name",
        sql: "name LIKE ? ESCAPE '\\'",
    }];
    const ORDER: &[OrderField] = &[
        OrderField {
            name: "Id",
            sql: "id",
        },
        OrderField {
            name: "Name",
            sql: "name",
        },
    ];

    fn query(pairs: &[(&str, &str)]) -> QueryParams {
        QueryParams(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn defaults_and_clamps() {
        let list = list_query(&query(&[]), FILTERS, TEXT, ORDER).unwrap();
        assert_eq!((list.page, list.size, list.order_field), (1, 25, "Id"));
        assert_eq!(list.where_clause(), "");
        let list = list_query(&query(&[("size", "5000")]), FILTERS, TEXT, ORDER).unwrap();
        assert_eq!(list.size, MAX_PAGE_SIZE);
    }

    #[test]
    fn filters_order_and_direction() {
        let list = list_query(
            &query(&[
                ("X_Coworker", "3"),
                ("X_Name", "50%"),
                ("orderBy", "name"),
                ("dir", "Descending"),
                ("page", "2"),
                ("size", "10"),
            ]),
            FILTERS,
            TEXT,
            ORDER,
        )
        .unwrap();
        assert_eq!(
            list.where_clause(),
            "WHERE coworker_id = ? AND name LIKE ? ESCAPE '\\'"
        );
        assert_eq!(
            list.order_and_page("id"),
            "ORDER BY name DESC, id DESC LIMIT 10 OFFSET 10"
        );
        assert_eq!(list.values.len(), 2);
    }

    #[test]
    fn bad_parameters_are_named() {
        for pairs in [
            [("page", "0")],
            [("size", "x")],
            [("orderBy", "Nope")],
            [("dir", "up")],
            [("X_Coworker", "me")],
        ] {
            match list_query(&query(&pairs), FILTERS, TEXT, ORDER) {
                Err(ApiError::BadRequest {
                    property: Some(property),
                    ..
                }) => assert_eq!(property, pairs[0].0),
                _ => panic!("{pairs:?} should be refused"),
            }
        }
    }
}
