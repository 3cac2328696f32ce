//! The SQL behind the resources: rows to the core's records and back, list queries with the
//! `<Entity>_<Property>` filters, paging and ordering.
//!
//! Functions here take a connection (or transaction) and do no HTTP: handlers decide roles,
//! rules and status codes, and read the list parameters (`routes::list_query`); this module only
//! reads and writes.
//!
//! Architecture invariant: nothing here imports the HTTP side (errors, extractors, state).

pub mod checks;
pub mod documents;
pub mod lookups;
pub mod masstack;
pub mod uploads;
pub mod users;

use idcheck_core::model::{ApiEnum, SortDirection};
use rusqlite::Row;
use rusqlite::types::{FromSql, ToSql, Type};

/// Reads an enum column, refusing numbers the API does not define rather than guessing.
pub fn enum_column<E: ApiEnum>(row: &Row<'_>, column: &str) -> rusqlite::Result<E> {
    let code: i64 = row.get(column)?;
    u16::try_from(code)
        .ok()
        .and_then(E::from_code)
        .ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                0,
                Type::Integer,
                format!("{code} is not a value of {}", E::API_ENUM).into(),
            )
        })
}

pub fn column<T: FromSql>(row: &Row<'_>, column: &str) -> rusqlite::Result<T> {
    row.get(column)
}

/// One filter of a list: `<Entity>_<Property>` → SQL condition on a whole number.
pub struct Filter {
    pub parameter: &'static str,
    pub sql: &'static str,
}

/// A sortable field: the API name (`orderBy`) → SQL expression.
pub struct OrderField {
    pub name: &'static str,
    pub sql: &'static str,
}

/// The page, order and filters a list request asks for.
pub struct ListQuery {
    pub page: u32,
    pub size: u32,
    pub order_field: &'static str,
    pub order_sql: &'static str,
    pub direction: SortDirection,
    pub conditions: Vec<&'static str>,
    pub values: Vec<Box<dyn ToSql + Send>>,
}

/// The largest page served; a bigger `size` is clamped to it.
pub const MAX_PAGE_SIZE: u32 = 1000;
pub const DEFAULT_PAGE_SIZE: u32 = 25;

impl ListQuery {
    /// `WHERE …` (or nothing).
    pub fn where_clause(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.conditions.join(" AND "))
        }
    }

    /// `ORDER BY … LIMIT … OFFSET …`; the id breaks ties so pages never overlap.
    pub fn order_and_page(&self, id_sql: &str) -> String {
        let dir = match self.direction {
            SortDirection::Ascending => "ASC",
            SortDirection::Descending => "DESC",
        };
        let offset = u64::from(self.page - 1) * u64::from(self.size);
        format!(
            "ORDER BY {} {dir}, {id_sql} {dir} LIMIT {} OFFSET {offset}",
            self.order_sql, self.size
        )
    }

    pub fn params(&self) -> Vec<&dyn ToSql> {
        self.values
            .iter()
            .map(|v| v.as_ref() as &dyn ToSql)
            .collect()
    }
}

/// `%` and `_` in a name filter mean themselves.
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Blank optional text is stored as NULL, so reads give `null` as the seeds do for unset fields.
pub fn optional_text(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}
