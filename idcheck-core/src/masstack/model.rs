//! MasStack's records as they travel (seed 004): the requests to create and cancel an
//! identification with identity document, the identification it answers with, and the
//! `ErrorsResponse` of its failures with the codes it names. JSON names are the seed's
//! `snake_case` ones.

use serde::{Deserialize, Serialize};

use super::state::IdentificationState;
use super::string_enum::string_enum;
use crate::violation::Violation;

string_enum! {
    /// `identity_document.document_type`.
    DocumentType {
        /// A Spanish tax identity number of a person: a DNI's 8 digits and a check letter, or K, L
        /// or M, 7 digits and a check letter (a Spaniard under 14 or living abroad without a DNI,
        /// a foreigner without an NIE).
        Nif = "NIF",
        /// A Spanish foreigner's identity number: X, Y or Z, 7 digits and a check letter.
        Nie = "NIE",
        Passport = "PASSPORT",
    }
}

string_enum! {
    /// `configuration_name`: how demanding the identification is.
    ConfigurationName {
        Low = "LOW",
        Medium = "MEDIUM",
        High = "HIGH",
    }
}

string_enum! {
    /// `scoring.provider`.
    ScoringProvider {
        Internal = "INTERNAL",
        External = "EXTERNAL",
    }
}

/// `identity_document` of a create request.
///
/// The seed's required fields are `Option` too, so a body missing them still parses and
/// [`check_create_request`](super::check_create_request) can report them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct IdentityDocument {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_type: Option<DocumentType>,
    /// ISO 3166-1 alpha-2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// `scoring` of a create request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Scoring {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<ScoringProvider>,
}

/// The body of `POST /v1/orgs/{org_id}/identifications/identity_document` (seed 004).
/// Absent fields are left out of the JSON so MasStack applies its own defaults.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateIdentityDocumentIdentificationRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_document: Option<IdentityDocument>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub configuration_name: Option<ConfigurationName>,
    /// An ISO-8601 duration from now; MasStack defaults it to [`DEFAULT_EXPIRES_IN`](super::DEFAULT_EXPIRES_IN).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scoring: Option<Scoring>,
}

/// The body of the administrator's cancel of an identification.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CancelIdentificationRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// An identification as the create answers it and `GET …/{id}` reads it.
///
/// The seed does not publish the fields of `CreateIdentityDocumentIdentificationResponse`; this
/// is our design of it: the uuid the cancel implies, the state, and the data sent, normalised.
/// Absent optional data is written as `null` so the shape never changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identification {
    /// A uuid.
    pub id: String,
    pub org_id: String,
    pub state: IdentificationState,
    pub name: Option<String>,
    pub last_name: Option<String>,
    pub identity_document: IdentityDocument,
    pub configuration_name: Option<ConfigurationName>,
    /// The normalised duration ([`format_duration`](super::format_duration)), [`DEFAULT_EXPIRES_IN`](super::DEFAULT_EXPIRES_IN) when none was sent.
    pub expires_in: String,
    /// ISO 8601 date-time.
    pub expires_at: String,
    pub scoring: Option<Scoring>,
    /// ISO 8601 date-time.
    pub created_at: String,
    /// The administrator's reason, once cancelled.
    pub cancel_reason: Option<String>,
}

/// The body of every MasStack failure (the seed's `ErrorsResponse`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ErrorsResponse {
    pub errors: Vec<ErrorItem>,
}

impl ErrorsResponse {
    /// One error, for failures that are not about the body (401, 404, 409…).
    pub fn single(field: &str, code: &str, message: impl Into<String>) -> Self {
        ErrorsResponse {
            errors: vec![ErrorItem {
                field: field.to_owned(),
                code: code.to_owned(),
                message: message.into(),
            }],
        }
    }

    /// The 400 answer listing every violation, in the order given.
    pub fn from_violations(violations: &[Violation<MasCode>]) -> Self {
        ErrorsResponse {
            errors: violations.iter().map(ErrorItem::from).collect(),
        }
    }
}

/// One entry of an [`ErrorsResponse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorItem {
    /// The path of the offending field ([`field`](super::field)), or what else failed (`authorization`…).
    pub field: String,
    /// A machine name for the browser to translate, e.g. `required`, `wrong_check_letter`.
    pub code: String,
    /// English text, without the field.
    pub message: String,
}

impl From<&Violation<MasCode>> for ErrorItem {
    fn from(violation: &Violation<MasCode>) -> Self {
        ErrorItem {
            field: violation.property.clone(),
            code: violation.code.as_str().to_owned(),
            message: violation.message.clone(),
        }
    }
}

/// What kind of rule a violation breaks, for the browser to translate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MasCode {
    /// Missing, or only whitespace.
    Required,
    /// Not shaped as the field requires (a NIF that is not 8 digits and a letter…).
    InvalidFormat,
    /// A NIF or NIE whose check letter does not match its number.
    WrongCheckLetter {
        /// The letter the number calls for.
        expected: char,
    },
    /// Two letters that are not an ISO 3166-1 alpha-2 code.
    UnknownCountry,
    /// Not an ISO-8601 duration this API accepts, or zero.
    InvalidDuration,
    /// A duration over [`MAX_EXPIRES_IN_SECONDS`](super::MAX_EXPIRES_IN_SECONDS).
    DurationTooLong,
    /// Longer than the field allows.
    TooLong,
    /// Not one of the field's choices.
    InvalidChoice,
}

impl MasCode {
    /// The machine name written in [`ErrorItem::code`].
    pub const fn as_str(self) -> &'static str {
        match self {
            MasCode::Required => "required",
            MasCode::InvalidFormat => "invalid_format",
            MasCode::WrongCheckLetter { .. } => "wrong_check_letter",
            MasCode::UnknownCountry => "unknown_country",
            MasCode::InvalidDuration => "invalid_duration",
            MasCode::DurationTooLong => "duration_too_long",
            MasCode::TooLong => "too_long",
            MasCode::InvalidChoice => "invalid_choice",
        }
    }
}
