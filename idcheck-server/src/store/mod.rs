//! The SQL behind the resources: rows to the core's records and back, list queries with the
//! `<Entity>_<Property>` filters, paging and ordering.
//!
//! Functions here take a connection (or transaction) and do no HTTP: handlers decide roles,
//! rules and status codes, this module only reads and writes.

pub mod checks;
pub mod documents;
pub mod lookups;
pub mod masstack;

use idcheck_core::model::{ApiEnum, SortDirection};
use rusqlite::Row;
use rusqlite::types::{FromSql, ToSql, Type};

use crate::error::ApiError;
use crate::extract::QueryParams;

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
    /// Reads `page`, `size`, `orderBy`, `dir` and the filters of `query`.
    pub fn parse(
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
fn escape_like(text: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let list = ListQuery::parse(&query(&[]), FILTERS, TEXT, ORDER).unwrap();
        assert_eq!((list.page, list.size, list.order_field), (1, 25, "Id"));
        assert_eq!(list.where_clause(), "");
        let list = ListQuery::parse(&query(&[("size", "5000")]), FILTERS, TEXT, ORDER).unwrap();
        assert_eq!(list.size, MAX_PAGE_SIZE);
    }

    #[test]
    fn filters_order_and_direction() {
        let list = ListQuery::parse(
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
            match ListQuery::parse(&query(&pairs), FILTERS, TEXT, ORDER) {
                Err(ApiError::BadRequest {
                    property: Some(property),
                    ..
                }) => assert_eq!(property, pairs[0].0),
                _ => panic!("{pairs:?} should be refused"),
            }
        }
    }
}
