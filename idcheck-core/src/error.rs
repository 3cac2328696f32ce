//! The errors of the core's boundary: input that cannot even be turned into the core's types.
//! Input that parses but breaks a rule is not an error here but a [`crate::violation::Violation`].

use thiserror::Error;

/// Why a value coming into the core could not be accepted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CoreError {
    /// A number that is not one of the values the API defines for the enum (`eIdVerificationType`…).
    #[error("{value} is not a value of {enum_name}")]
    UnknownEnumValue {
        /// The API's name of the enum, e.g. `eIdVerificationType`.
        enum_name: &'static str,
        /// The number received.
        value: u64,
    },
    /// A string that is not a `data:` URL the core can read.
    #[error("not a valid data: URL: {reason}")]
    InvalidDataUrl {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Base64 text that does not decode.
    #[error("invalid base64 at character {offset}")]
    InvalidBase64 {
        /// The position of the first character that cannot be decoded.
        offset: usize,
    },
    /// A sort direction other than `Ascending` or `Descending`.
    #[error("{text:?} is not a sort direction (expected Ascending or Descending)")]
    InvalidSortDirection {
        /// The text received.
        text: String,
    },
    /// A string that is not a calendar date.
    #[error("{text:?} is not a date (expected YYYY-MM-DD)")]
    InvalidDate {
        /// The text received.
        text: String,
    },
}
