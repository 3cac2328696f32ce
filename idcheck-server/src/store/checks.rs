//! `identity_checks` rows ↔ the core's `CoworkerIdentityCheck`, with the business and coworker
//! names joined in as the seed's GET example shows them.

use idcheck_core::date::Date;
use idcheck_core::model::{
    AddressDocumentType, CoworkerIdentityCheck, IdentityCheckProvider, IdentityDocumentType,
    NewCoworkerIdentityCheck, VerificationStatus, VerificationType,
};
use rusqlite::{Connection, OptionalExtension, Row, named_params};

use super::{Filter, ListQuery, OrderField, column, enum_column, optional_text};

const SELECT: &str = "
    SELECT c.*, b.name AS business_name, w.full_name AS coworker_full_name,
           w.coworker_type AS coworker_coworker_type, w.company_name AS coworker_company_name,
           w.billing_name AS coworker_billing_name
    FROM identity_checks c
    LEFT JOIN businesses b ON b.id = c.business_id
    LEFT JOIN coworkers w ON w.id = c.coworker_id";

pub const FILTERS: &[Filter] = &[
    Filter {
        parameter: "CoworkerIdentityCheck_Coworker",
        sql: "c.coworker_id = ?",
    },
    Filter {
        parameter: "CoworkerIdentityCheck_Business",
        sql: "c.business_id = ?",
    },
    Filter {
        parameter: "CoworkerIdentityCheck_VerificationStatus",
        sql: "c.verification_status = ?",
    },
    Filter {
        parameter: "CoworkerIdentityCheck_VerificationType",
        sql: "c.verification_type = ?",
    },
];

pub const TEXT_FILTERS: &[Filter] = &[Filter {
    parameter: "CoworkerIdentityCheck_Name",
    sql: "c.name LIKE ? ESCAPE '\\'",
}];

/// The first is the default order.
pub const ORDER_FIELDS: &[OrderField] = &[
    OrderField {
        name: "Id",
        sql: "c.id",
    },
    OrderField {
        name: "Name",
        sql: "c.name",
    },
    OrderField {
        name: "CreatedOn",
        sql: "c.created_on",
    },
    OrderField {
        name: "UpdatedOn",
        sql: "c.updated_on",
    },
    OrderField {
        name: "VerificationStatus",
        sql: "c.verification_status",
    },
    OrderField {
        name: "CoworkerId",
        sql: "c.coworker_id",
    },
    OrderField {
        name: "BusinessId",
        sql: "c.business_id",
    },
];

fn from_row(row: &Row<'_>) -> rusqlite::Result<CoworkerIdentityCheck> {
    let name: String = column(row, "name")?;
    Ok(CoworkerIdentityCheck {
        business_id: column(row, "business_id")?,
        business_name: column(row, "business_name")?,
        coworker_id: column(row, "coworker_id")?,
        coworker_full_name: column(row, "coworker_full_name")?,
        coworker_coworker_type: column(row, "coworker_coworker_type")?,
        coworker_company_name: column(row, "coworker_company_name")?,
        coworker_billing_name: column(row, "coworker_billing_name")?,
        name: name.clone(),
        identity_check_provider: enum_column(row, "identity_check_provider")?,
        identity_document_type: enum_column(row, "identity_document_type")?,
        identity_document_number: column(row, "identity_document_number")?,
        identity_document_issued_by: column(row, "identity_document_issued_by")?,
        identity_document_expiration_date: column(row, "identity_document_expiration_date")?,
        address_document_type: enum_column(row, "address_document_type")?,
        verification_type: enum_column(row, "verification_type")?,
        description: column(row, "description")?,
        verification_status: enum_column(row, "verification_status")?,
        last_error: column(row, "last_error")?,
        billed: column(row, "billed")?,
        proposal_guid: column(row, "proposal_guid")?,
        coworker_contract_guid: column(row, "coworker_contract_guid")?,
        contract_contact_guid: column(row, "contract_contact_guid")?,
        stripe_verification_session_id: column(row, "stripe_verification_session_id")?,
        identity_check_group_guid: column(row, "identity_check_group_guid")?,
        identity_check_provider1: Some(enum_column(row, "identity_check_provider1")?),
        verification_type1: Some(enum_column(row, "verification_type1")?),
        description1: column(row, "description1")?,
        identity_check_provider2: Some(enum_column(row, "identity_check_provider2")?),
        verification_type2: Some(enum_column(row, "verification_type2")?),
        description2: column(row, "description2")?,
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

pub fn load(c: &Connection, id: i64) -> rusqlite::Result<Option<CoworkerIdentityCheck>> {
    c.query_row(&format!("{SELECT} WHERE c.id = ?1"), [id], from_row)
        .optional()
}

/// One page of checks and the count of all that match.
pub fn list(
    c: &Connection,
    query: &ListQuery,
) -> rusqlite::Result<(u64, Vec<CoworkerIdentityCheck>)> {
    let filter = query.where_clause();
    let count: i64 = c.query_row(
        &format!("SELECT COUNT(*) FROM identity_checks c {filter}"),
        query.params().as_slice(),
        |row| row.get(0),
    )?;
    let sql = format!("{SELECT} {filter} {}", query.order_and_page("c.id"));
    let mut statement = c.prepare(&sql)?;
    let records = statement
        .query_map(query.params().as_slice(), from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((count.max(0) as u64, records))
}

/// The writable fields with the defaults seed 002 states for the ones left out.
pub struct CheckFields {
    business_id: i64,
    coworker_id: i64,
    name: String,
    provider: IdentityCheckProvider,
    identity_document_type: IdentityDocumentType,
    identity_document_number: Option<String>,
    identity_document_issued_by: Option<String>,
    identity_document_expiration_date: Option<String>,
    address_document_type: AddressDocumentType,
    verification_type: VerificationType,
    description: Option<String>,
    billed: bool,
    stripe_verification_session_id: Option<String>,
    provider1: IdentityCheckProvider,
    verification_type1: VerificationType,
    description1: Option<String>,
    provider2: IdentityCheckProvider,
    verification_type2: VerificationType,
    description2: Option<String>,
}

impl CheckFields {
    /// From a body the rules have passed, so the required fields are present.
    pub fn from_body(body: &NewCoworkerIdentityCheck) -> CheckFields {
        CheckFields {
            business_id: body.business_id.unwrap_or_default(),
            coworker_id: body.coworker_id.unwrap_or_default(),
            name: body.name.as_deref().unwrap_or_default().trim().to_string(),
            provider: body
                .identity_check_provider
                .unwrap_or(IdentityCheckProvider::Manual),
            identity_document_type: body
                .identity_document_type
                .unwrap_or(IdentityDocumentType::Other),
            identity_document_number: optional_text(body.identity_document_number.as_deref()),
            identity_document_issued_by: optional_text(body.identity_document_issued_by.as_deref()),
            // Stored in the API's date-time form whatever form it came in, so reads are uniform.
            identity_document_expiration_date: optional_text(
                body.identity_document_expiration_date.as_deref(),
            )
            .map(|text| {
                Date::parse(&text)
                    .map(Date::to_api_datetime)
                    .unwrap_or(text)
            }),
            address_document_type: body
                .address_document_type
                .unwrap_or(AddressDocumentType::Other),
            verification_type: body.verification_type.unwrap_or_default(),
            description: optional_text(body.description.as_deref()),
            billed: body.billed.unwrap_or(false),
            stripe_verification_session_id: optional_text(
                body.stripe_verification_session_id.as_deref(),
            ),
            provider1: body.identity_check_provider1.unwrap_or_default(),
            verification_type1: body.verification_type1.unwrap_or_default(),
            description1: optional_text(body.description1.as_deref()),
            provider2: body.identity_check_provider2.unwrap_or_default(),
            verification_type2: body.verification_type2.unwrap_or_default(),
            description2: optional_text(body.description2.as_deref()),
        }
    }
}

/// Inserts a new check, Pending, and returns its id.
pub fn insert(
    c: &Connection,
    fields: &CheckFields,
    now: &str,
    user: &str,
) -> rusqlite::Result<i64> {
    c.execute(
        "INSERT INTO identity_checks (
            unique_id, business_id, coworker_id, name, identity_check_provider, identity_document_type,
            identity_document_number, identity_document_issued_by, identity_document_expiration_date,
            address_document_type, verification_type, description, verification_status, billed,
            stripe_verification_session_id, identity_check_provider1, verification_type1, description1,
            identity_check_provider2, verification_type2, description2, created_on, updated_on, updated_by
        ) VALUES (
            :unique_id, :business_id, :coworker_id, :name, :provider, :identity_document_type,
            :number, :issued_by, :expiration, :address_document_type, :verification_type, :description,
            :status, :billed, :stripe, :provider1, :verification_type1, :description1, :provider2,
            :verification_type2, :description2, :now, :now, :user
        )",
        named_params! {
            ":unique_id": uuid::Uuid::new_v4().to_string(),
            ":business_id": fields.business_id,
            ":coworker_id": fields.coworker_id,
            ":name": fields.name,
            ":provider": fields.provider.code(),
            ":identity_document_type": fields.identity_document_type.code(),
            ":number": fields.identity_document_number,
            ":issued_by": fields.identity_document_issued_by,
            ":expiration": fields.identity_document_expiration_date,
            ":address_document_type": fields.address_document_type.code(),
            ":verification_type": fields.verification_type.code(),
            ":description": fields.description,
            ":status": VerificationStatus::Pending.code(),
            ":billed": fields.billed,
            ":stripe": fields.stripe_verification_session_id,
            ":provider1": fields.provider1.code(),
            ":verification_type1": fields.verification_type1.code(),
            ":description1": fields.description1,
            ":provider2": fields.provider2.code(),
            ":verification_type2": fields.verification_type2.code(),
            ":description2": fields.description2,
            ":now": now,
            ":user": user,
        },
    )?;
    Ok(c.last_insert_rowid())
}

/// Replaces every writable field of check `id`, as a PUT of the whole record does.
pub fn update(
    c: &Connection,
    id: i64,
    fields: &CheckFields,
    status: VerificationStatus,
    last_error: Option<&str>,
    now: &str,
    user: &str,
) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE identity_checks SET
            business_id = :business_id, coworker_id = :coworker_id, name = :name,
            identity_check_provider = :provider, identity_document_type = :identity_document_type,
            identity_document_number = :number, identity_document_issued_by = :issued_by,
            identity_document_expiration_date = :expiration, address_document_type = :address_document_type,
            verification_type = :verification_type, description = :description,
            verification_status = :status, last_error = :last_error, billed = :billed,
            stripe_verification_session_id = :stripe, identity_check_provider1 = :provider1,
            verification_type1 = :verification_type1, description1 = :description1,
            identity_check_provider2 = :provider2, verification_type2 = :verification_type2,
            description2 = :description2, updated_on = :now, updated_by = :user
        WHERE id = :id",
        named_params! {
            ":id": id,
            ":business_id": fields.business_id,
            ":coworker_id": fields.coworker_id,
            ":name": fields.name,
            ":provider": fields.provider.code(),
            ":identity_document_type": fields.identity_document_type.code(),
            ":number": fields.identity_document_number,
            ":issued_by": fields.identity_document_issued_by,
            ":expiration": fields.identity_document_expiration_date,
            ":address_document_type": fields.address_document_type.code(),
            ":verification_type": fields.verification_type.code(),
            ":description": fields.description,
            ":status": status.code(),
            ":last_error": optional_text(last_error),
            ":billed": fields.billed,
            ":stripe": fields.stripe_verification_session_id,
            ":provider1": fields.provider1.code(),
            ":verification_type1": fields.verification_type1.code(),
            ":description1": fields.description1,
            ":provider2": fields.provider2.code(),
            ":verification_type2": fields.verification_type2.code(),
            ":description2": fields.description2,
            ":now": now,
            ":user": user,
        },
    )?;
    Ok(())
}

/// Moves only the status, as a document's arrival does.
pub fn set_status(
    c: &Connection,
    id: i64,
    status: VerificationStatus,
    now: &str,
    user: &str,
) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE identity_checks SET verification_status = ?1, updated_on = ?2, updated_by = ?3 WHERE id = ?4",
        rusqlite::params![status.code(), now, user, id],
    )?;
    Ok(())
}

pub fn delete(c: &Connection, id: i64) -> rusqlite::Result<bool> {
    Ok(c.execute("DELETE FROM identity_checks WHERE id = ?1", [id])? > 0)
}
