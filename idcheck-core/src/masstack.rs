//! The MasStack Documents API (Grupo MasOrange, `shared/seeds` 004), the second provider: an
//! *identification with identity document* that MasStack carries out, instead of images an operator
//! reviews.
//!
//! - `model`: the requests to create and cancel an identification, the identification it answers
//!   with, and the `ErrorsResponse` of its failures with MasStack's codes ([`MasCode`]).
//! - `rules`: what both the browser and the local server check of a request (NIF/NIE check
//!   letters, passports, countries, durations), reporting [`crate::violation::Violation`]s.
//! - `state`: an identification's states and the moves between them.
//!
//! Everything is re-exported here, so callers name `masstack::…` whatever part they use.

mod model;
mod rules;
mod state;
mod string_enum;

pub use model::{
    CancelIdentificationRequest, ConfigurationName, CreateIdentityDocumentIdentificationRequest,
    DocumentType, ErrorItem, ErrorsResponse, Identification, IdentityDocument, MasCode, Scoring,
    ScoringProvider,
};
pub use rules::{
    CHECK_LETTERS, COUNTRY_CODES, DEFAULT_EXPIRES_IN, MAX_EXPIRES_IN_SECONDS, MAX_FRACTION_DIGITS,
    NAME_MAX_CHARS, REASON_MAX_CHARS, ValidCreateRequest, check_cancel_request, check_country,
    check_create_request, check_document_number, check_expires_in, check_person_name, field,
    format_duration, invalid_choice, invalid_format, nif_check_letter, parse_duration, required,
    too_long, validate_cancel_request, validate_create_request,
};
pub use state::{IdentificationAction, IdentificationState};
