//! The seeded businesses and coworkers, read-only: the checks refer to them and the component
//! can list them.

use idcheck_core::model::{Business, Coworker};
use rusqlite::Connection;

use super::{Filter, ListQuery, OrderField, column};

pub const BUSINESS_FILTERS: &[Filter] = &[];
pub const BUSINESS_TEXT_FILTERS: &[Filter] = &[Filter {
    parameter: "Business_Name",
    sql: "name LIKE ? ESCAPE '\\'",
}];
pub const BUSINESS_ORDER: &[OrderField] = &[
    OrderField {
        name: "Id",
        sql: "id",
    },
    OrderField {
        name: "Name",
        sql: "name",
    },
];

pub const COWORKER_FILTERS: &[Filter] = &[Filter {
    parameter: "Coworker_Business",
    sql: "business_id = ?",
}];
pub const COWORKER_TEXT_FILTERS: &[Filter] = &[Filter {
    parameter: "Coworker_FullName",
    sql: "full_name LIKE ? ESCAPE '\\'",
}];
pub const COWORKER_ORDER: &[OrderField] = &[
    OrderField {
        name: "Id",
        sql: "id",
    },
    OrderField {
        name: "FullName",
        sql: "full_name",
    },
];

pub fn businesses(c: &Connection, query: &ListQuery) -> rusqlite::Result<(u64, Vec<Business>)> {
    let filter = query.where_clause();
    let count: i64 = c.query_row(
        &format!("SELECT COUNT(*) FROM businesses {filter}"),
        query.params().as_slice(),
        |r| r.get(0),
    )?;
    let mut statement = c.prepare(&format!(
        "SELECT id, name FROM businesses {filter} {}",
        query.order_and_page("id")
    ))?;
    let records = statement
        .query_map(query.params().as_slice(), |row| {
            Ok(Business {
                id: column(row, "id")?,
                name: column(row, "name")?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((count.max(0) as u64, records))
}

pub fn coworkers(c: &Connection, query: &ListQuery) -> rusqlite::Result<(u64, Vec<Coworker>)> {
    let filter = query.where_clause();
    let count: i64 = c.query_row(
        &format!("SELECT COUNT(*) FROM coworkers {filter}"),
        query.params().as_slice(),
        |r| r.get(0),
    )?;
    let mut statement = c.prepare(&format!(
        "SELECT id, full_name, coworker_type, company_name, billing_name, business_id FROM coworkers {filter} {}",
        query.order_and_page("id")
    ))?;
    let records = statement
        .query_map(query.params().as_slice(), |row| {
            Ok(Coworker {
                id: column(row, "id")?,
                full_name: column(row, "full_name")?,
                coworker_type: column(row, "coworker_type")?,
                company_name: column(row, "company_name")?,
                billing_name: column(row, "billing_name")?,
                business_id: column(row, "business_id")?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((count.max(0) as u64, records))
}

/// The coworker's business, if the coworker exists.
pub fn coworker_business(c: &Connection, coworker_id: i64) -> rusqlite::Result<Option<i64>> {
    use rusqlite::OptionalExtension;
    c.query_row(
        "SELECT business_id FROM coworkers WHERE id = ?1",
        [coworker_id],
        |row| row.get(0),
    )
    .optional()
}
