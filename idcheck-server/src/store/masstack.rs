//! The SQL behind MasStack's identifications (seed 004): organisations, and identifications as the
//! core's [`Identification`] in and out. The state is stored as written; whether a pending one has
//! expired is the caller's question, since it depends on the clock.

use idcheck_core::masstack::{
    ConfigurationName, DocumentType, Identification, IdentificationState, IdentityDocument,
    Scoring, ScoringProvider,
};
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, params};

/// Whether `name` is a known organisation (`org_id`).
pub fn org_exists(c: &Connection, name: &str) -> rusqlite::Result<bool> {
    c.query_row(
        "SELECT 1 FROM masstack_orgs WHERE name = ?1",
        [name],
        |_| Ok(()),
    )
    .optional()
    .map(|found| found.is_some())
}

/// Stores a new identification, created by the user `created_by`.
pub fn insert(
    c: &Connection,
    identification: &Identification,
    created_by: i64,
) -> rusqlite::Result<()> {
    let document = &identification.identity_document;
    let provider = identification.scoring.as_ref().and_then(|s| s.provider);
    c.execute(
        "INSERT INTO masstack_identifications (id, org_id, state, name, last_name, document_number,
             document_type, country, configuration_name, expires_in, expires_at, scoring_provider,
             created_at, created_by, cancel_reason, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?13)",
        params![
            identification.id,
            identification.org_id,
            identification.state.as_str(),
            identification.name,
            identification.last_name,
            document.document_number,
            document.document_type.map(DocumentType::as_str),
            document.country,
            identification
                .configuration_name
                .map(ConfigurationName::as_str),
            identification.expires_in,
            identification.expires_at,
            provider.map(ScoringProvider::as_str),
            identification.created_at,
            created_by,
            identification.cancel_reason,
        ],
    )?;
    Ok(())
}

/// The identification `id` of organisation `org_id`, with its stored state; one of another
/// organisation is not found, as MasStack's tenants do not see each other's.
pub fn load(c: &Connection, org_id: &str, id: &str) -> rusqlite::Result<Option<Identification>> {
    c.query_row(
        "SELECT * FROM masstack_identifications WHERE id = ?1 AND org_id = ?2",
        [id, org_id],
        from_row,
    )
    .optional()
}

/// Moves identification `id` to `state`, with the administrator's `cancel_reason` for a cancel.
pub fn set_state(
    c: &Connection,
    id: &str,
    state: IdentificationState,
    cancel_reason: Option<&str>,
    now: &str,
) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE masstack_identifications
         SET state = ?2, cancel_reason = COALESCE(?3, cancel_reason), updated_at = ?4
         WHERE id = ?1",
        params![id, state.as_str(), cancel_reason, now],
    )?;
    Ok(())
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Identification> {
    let provider = optional_choice(row, "scoring_provider", ScoringProvider::parse)?;
    Ok(Identification {
        id: row.get("id")?,
        org_id: row.get("org_id")?,
        state: choice(row, "state", IdentificationState::parse)?,
        name: row.get("name")?,
        last_name: row.get("last_name")?,
        identity_document: IdentityDocument {
            document_number: Some(row.get("document_number")?),
            document_type: Some(choice(row, "document_type", DocumentType::parse)?),
            country: row.get("country")?,
        },
        configuration_name: optional_choice(row, "configuration_name", ConfigurationName::parse)?,
        expires_in: row.get("expires_in")?,
        expires_at: row.get("expires_at")?,
        scoring: provider.map(|provider| Scoring {
            provider: Some(provider),
        }),
        created_at: row.get("created_at")?,
        cancel_reason: row.get("cancel_reason")?,
    })
}

/// A text column holding one of an enum's JSON texts; any other text is refused, not guessed.
fn choice<E>(row: &Row<'_>, column: &str, parse: fn(&str) -> Option<E>) -> rusqlite::Result<E> {
    let text: String = row.get(column)?;
    parse(&text).ok_or_else(|| unknown_text(column, &text))
}

fn optional_choice<E>(
    row: &Row<'_>,
    column: &str,
    parse: fn(&str) -> Option<E>,
) -> rusqlite::Result<Option<E>> {
    let text: Option<String> = row.get(column)?;
    text.map(|text| parse(&text).ok_or_else(|| unknown_text(column, &text)))
        .transpose()
}

fn unknown_text(column: &str, text: &str) -> rusqlite::Error {
    let message = format!("{text:?} is not a value of {column}");
    rusqlite::Error::FromSqlConversionFailure(0, Type::Text, message.into())
}
