//! `identity_check_documents` rows ↔ the core's `CoworkerIdentityCheckDocument`, with the
//! coworker's and the parent check's fields flattened in as seed 001 shows them.

use idcheck_core::model::{CoworkerIdentityCheckDocument, VerificationStatus};
use idcheck_core::slots::Slot;
use rusqlite::{Connection, OptionalExtension, Row, named_params, params};

use super::{Filter, ListQuery, OrderField, column, enum_column};

const SELECT: &str = "
    SELECT d.*, w.full_name AS coworker_full_name, w.coworker_type AS coworker_coworker_type,
           w.company_name AS coworker_company_name, w.billing_name AS coworker_billing_name,
           c.name AS check_name, c.verification_type AS check_verification_type,
           b.name AS check_business_name, c.identity_document_type AS check_identity_document_type,
           c.identity_document_number AS check_identity_document_number,
           c.identity_document_issued_by AS check_identity_document_issued_by,
           c.identity_document_expiration_date AS check_identity_document_expiration_date,
           c.address_document_type AS check_address_document_type
    FROM identity_check_documents d
    JOIN identity_checks c ON c.id = d.check_id
    LEFT JOIN businesses b ON b.id = c.business_id
    LEFT JOIN coworkers w ON w.id = d.coworker_id";

pub const FILTERS: &[Filter] = &[
    Filter {
        parameter: "CoworkerIdentityCheckDocument_Coworker",
        sql: "d.coworker_id = ?",
    },
    Filter {
        parameter: "CoworkerIdentityCheckDocument_CoworkerIdentityCheck",
        sql: "d.check_id = ?",
    },
    Filter {
        parameter: "CoworkerIdentityCheckDocument_VerificationStatus",
        sql: "d.verification_status = ?",
    },
];

pub const TEXT_FILTERS: &[Filter] = &[Filter {
    parameter: "CoworkerIdentityCheckDocument_Name",
    sql: "d.name LIKE ? ESCAPE '\\'",
}];

/// The first is the default order.
pub const ORDER_FIELDS: &[OrderField] = &[
    OrderField {
        name: "Id",
        sql: "d.id",
    },
    OrderField {
        name: "Name",
        sql: "d.name",
    },
    OrderField {
        name: "CreatedOn",
        sql: "d.created_on",
    },
    OrderField {
        name: "UpdatedOn",
        sql: "d.updated_on",
    },
    OrderField {
        name: "VerificationStatus",
        sql: "d.verification_status",
    },
    OrderField {
        name: "CoworkerId",
        sql: "d.coworker_id",
    },
    OrderField {
        name: "CoworkerIdentityCheckId",
        sql: "d.check_id",
    },
];

/// The column holding `slot`'s stored file name.
pub const fn file_column(slot: Slot) -> &'static str {
    match slot {
        Slot::Photo => "photo_file",
        Slot::Front => "document_file",
        Slot::Back => "additional_document_file",
    }
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<CoworkerIdentityCheckDocument> {
    let name: String = column(row, "name")?;
    Ok(CoworkerIdentityCheckDocument {
        coworker_id: column(row, "coworker_id")?,
        coworker_full_name: column(row, "coworker_full_name")?,
        coworker_coworker_type: column(row, "coworker_coworker_type")?,
        coworker_company_name: column(row, "coworker_company_name")?,
        coworker_billing_name: column(row, "coworker_billing_name")?,
        coworker_identity_check_id: column(row, "check_id")?,
        coworker_identity_check_name: column(row, "check_name")?,
        coworker_identity_check_verification_type: Some(enum_column(
            row,
            "check_verification_type",
        )?),
        coworker_identity_check_business_name: column(row, "check_business_name")?,
        coworker_identity_check_identity_document_type: Some(enum_column(
            row,
            "check_identity_document_type",
        )?),
        coworker_identity_check_identity_document_number: column(
            row,
            "check_identity_document_number",
        )?,
        coworker_identity_check_identity_document_issued_by: column(
            row,
            "check_identity_document_issued_by",
        )?,
        coworker_identity_check_identity_document_expiration_date: column(
            row,
            "check_identity_document_expiration_date",
        )?,
        coworker_identity_check_address_document_type: Some(enum_column(
            row,
            "check_address_document_type",
        )?),
        name: name.clone(),
        photo_file_name: column(row, "photo_file")?,
        new_photo_url: None,
        clear_photo_file: None,
        document_file_name: column(row, "document_file")?,
        new_document_url: None,
        clear_document_file: None,
        additional_document_file_name: column(row, "additional_document_file")?,
        new_additional_document_url: None,
        clear_additional_document_file: None,
        verification_status: enum_column(row, "verification_status")?,
        notes: column(row, "notes")?,
        id: column(row, "id")?,
        updated_on: column(row, "updated_on")?,
        created_on: column(row, "created_on")?,
        unique_id: column(row, "unique_id")?,
        updated_by: column(row, "updated_by")?,
        is_new: false,
        system_id: column(row, "system_id")?,
        to_string_text: Some(name),
        localization_details: None,
        custom_fields: None,
    })
}

pub fn load(c: &Connection, id: i64) -> rusqlite::Result<Option<CoworkerIdentityCheckDocument>> {
    c.query_row(&format!("{SELECT} WHERE d.id = ?1"), [id], from_row)
        .optional()
}

pub fn list(
    c: &Connection,
    query: &ListQuery,
) -> rusqlite::Result<(u64, Vec<CoworkerIdentityCheckDocument>)> {
    let filter = query.where_clause();
    let count: i64 = c.query_row(
        &format!("SELECT COUNT(*) FROM identity_check_documents d {filter}"),
        query.params().as_slice(),
        |row| row.get(0),
    )?;
    let sql = format!("{SELECT} {filter} {}", query.order_and_page("d.id"));
    let mut statement = c.prepare(&sql)?;
    let records = statement
        .query_map(query.params().as_slice(), from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((count.max(0) as u64, records))
}

/// What a document row holds besides its joins.
pub struct DocumentFields {
    pub coworker_id: i64,
    pub check_id: i64,
    pub name: String,
    /// Stored file names, photo, front, back.
    pub files: [Option<String>; 3],
    pub status: VerificationStatus,
    pub notes: Option<String>,
}

pub fn insert(
    c: &Connection,
    fields: &DocumentFields,
    now: &str,
    user: &str,
) -> rusqlite::Result<i64> {
    c.execute(
        "INSERT INTO identity_check_documents (
            unique_id, coworker_id, check_id, name, photo_file, document_file, additional_document_file,
            verification_status, notes, created_on, updated_on, updated_by
        ) VALUES (:unique_id, :coworker_id, :check_id, :name, :photo, :front, :back, :status, :notes, :now, :now, :user)",
        named_params! {
            ":unique_id": uuid::Uuid::new_v4().to_string(),
            ":coworker_id": fields.coworker_id,
            ":check_id": fields.check_id,
            ":name": fields.name,
            ":photo": fields.files[0],
            ":front": fields.files[1],
            ":back": fields.files[2],
            ":status": fields.status.code(),
            ":notes": fields.notes,
            ":now": now,
            ":user": user,
        },
    )?;
    Ok(c.last_insert_rowid())
}

pub fn update(
    c: &Connection,
    id: i64,
    fields: &DocumentFields,
    now: &str,
    user: &str,
) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE identity_check_documents SET
            coworker_id = :coworker_id, check_id = :check_id, name = :name, photo_file = :photo,
            document_file = :front, additional_document_file = :back, verification_status = :status,
            notes = :notes, updated_on = :now, updated_by = :user
        WHERE id = :id",
        named_params! {
            ":id": id,
            ":coworker_id": fields.coworker_id,
            ":check_id": fields.check_id,
            ":name": fields.name,
            ":photo": fields.files[0],
            ":front": fields.files[1],
            ":back": fields.files[2],
            ":status": fields.status.code(),
            ":notes": fields.notes,
            ":now": now,
            ":user": user,
        },
    )?;
    Ok(())
}

/// Moves the documents of check `check_id` that are in one of `from` to `to`, as a reviewer's
/// decision on the check applies to the documents it was based on.
pub fn move_statuses(
    c: &Connection,
    check_id: i64,
    from: &[VerificationStatus],
    to: VerificationStatus,
    now: &str,
    user: &str,
) -> rusqlite::Result<()> {
    for status in from {
        c.execute(
            "UPDATE identity_check_documents SET verification_status = ?1, updated_on = ?2, updated_by = ?3
             WHERE check_id = ?4 AND verification_status = ?5",
            params![to.code(), now, user, check_id, status.code()],
        )?;
    }
    Ok(())
}

/// Every stored file name of the documents of check `check_id`, to remove with the check.
pub fn file_names_of_check(c: &Connection, check_id: i64) -> rusqlite::Result<Vec<String>> {
    let mut statement = c.prepare(
        "SELECT photo_file, document_file, additional_document_file FROM identity_check_documents WHERE check_id = ?1",
    )?;
    let rows = statement.query_map([check_id], |row| {
        Ok([row.get::<_, Option<String>>(0)?, row.get(1)?, row.get(2)?])
    })?;
    let mut names = Vec::new();
    for row in rows {
        names.extend(row?.into_iter().flatten());
    }
    Ok(names)
}

pub fn delete(c: &Connection, id: i64) -> rusqlite::Result<bool> {
    Ok(c.execute("DELETE FROM identity_check_documents WHERE id = ?1", [id])? > 0)
}
