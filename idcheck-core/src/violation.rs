//! One broken rule, as the APIs report it: the property at fault, the kind of rule it breaks, the
//! API's English words and the value the request gave. The Nexudus rules ([`crate::rules`]), the
//! file rules ([`crate::files`]) and MasStack's rules ([`crate::masstack`]) all report this one
//! type, so the browser, the gateway and the server handle a refusal the same way whichever API
//! made it.
//!
//! The two APIs name different kinds of rule, so the kind is the type's parameter, each API's own
//! code enum: [`ViolationCode`] for Nexudus (the default, as most of idcheck speaks Nexudus) and
//! `masstack::MasCode` for MasStack. A MasStack violation cannot carry a Nexudus code, and a
//! `match` on either lists only its API's kinds. How each API writes a violation on the wire stays with
//! that API's model (`model::ApiValidationError`, `masstack::ErrorItem`).
//!
//! This module imports no other module of the core, so every module that judges input can use it.

use std::fmt;

use serde_json::Value;

/// What kind of Nexudus rule a violation breaks, for the UI to translate; the English text the
/// API answers with is [`Violation::message`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ViolationCode {
    /// Missing, or only whitespace.
    Required,
    /// An id that is zero or negative.
    NotPositive,
    /// Longer than the field allows.
    TooLong,
    /// Holds characters the field does not allow.
    InvalidCharacters,
    /// Not a calendar date.
    NotADate,
    /// A date before today.
    DateInPast,
    /// Not one of the field's choices.
    InvalidChoice,
    /// An id of a record that does not exist.
    UnknownReference,
    /// A file the document needs is missing.
    MissingFile,
    /// A file with no bytes.
    FileEmpty,
    /// A file too small to be an image.
    FileTooSmall,
    /// A file over the size limit.
    FileTooLarge,
    /// A file that is not an accepted image type.
    FileNotAnImage,
    /// A file URL that could not be fetched.
    FileUnreachable,
}

/// One broken rule. `C` is the code enum of the API whose rule it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation<C = ViolationCode> {
    /// The property at fault as the API names it: a JSON name such as `Name` (Nexudus), or a path
    /// of JSON names such as `identity_document.document_number` (MasStack).
    pub property: String,
    /// The kind of rule broken.
    pub code: C,
    /// The API's English text, without the property, e.g. `is a required field`.
    pub message: String,
    /// The value the request gave, `null` when it gave none. Nexudus reports it
    /// (`AttemptedValue`); MasStack's errors do not, so its rules leave it `null`.
    pub attempted: Value,
}

impl<C> Violation<C> {
    /// A violation of `property` with no attempted value (see [`Violation::with_attempted`]).
    pub fn new(property: &str, code: C, message: impl Into<String>) -> Self {
        Violation {
            property: property.to_owned(),
            code,
            message: message.into(),
            attempted: Value::Null,
        }
    }

    /// The same violation with `attempted` as the attempted value.
    pub fn with_attempted(self, attempted: impl Into<Value>) -> Self {
        Violation {
            attempted: attempted.into(),
            ..self
        }
    }
}

impl<C> fmt::Display for Violation<C> {
    /// `property: message`, the form of Nexudus's `Message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.property, self.message)
    }
}

/// Each violation as `property: message`, one per line: the `Message` of a Nexudus 400 envelope,
/// and the message of a MasStack 400.
///
/// The seeds show a single violation and leave the separator of several unverified. A newline is
/// our choice because the messages themselves contain commas ("letters, digits, spaces and
/// hyphens"), so `", "` would make the summary ambiguous.
pub fn joined_message<C>(violations: &[Violation<C>]) -> String {
    let lines: Vec<String> = violations.iter().map(Violation::to_string).collect();
    lines.join("\n")
}

/// Nexudus's violations, in the words its API answers with.
impl Violation {
    fn nexudus(
        property: &str,
        code: ViolationCode,
        message: impl Into<String>,
        attempted: impl Into<Value>,
    ) -> Self {
        Self::new(property, code, message).with_attempted(attempted)
    }

    /// `property` is missing or blank.
    pub fn required(property: &str, attempted: impl Into<Value>) -> Self {
        Self::nexudus(
            property,
            ViolationCode::Required,
            "is a required field",
            attempted,
        )
    }

    /// The id `attempted` of `property` is zero or negative.
    pub fn not_positive(property: &str, attempted: i64) -> Self {
        Self::nexudus(
            property,
            ViolationCode::NotPositive,
            "must be a positive number",
            attempted,
        )
    }

    /// `attempted` is longer than `max` characters.
    pub fn too_long(property: &str, max: usize, attempted: &str) -> Self {
        let message = format!("must be at most {max} characters long");
        Self::nexudus(property, ViolationCode::TooLong, message, attempted)
    }

    /// `attempted` holds characters other than letters, digits, spaces and hyphens.
    pub fn invalid_characters(property: &str, attempted: &str) -> Self {
        let message = "may only contain letters, digits, spaces and hyphens";
        Self::nexudus(
            property,
            ViolationCode::InvalidCharacters,
            message,
            attempted,
        )
    }

    /// `attempted` is not a date.
    pub fn not_a_date(property: &str, attempted: &str) -> Self {
        let message = "is not a valid date (expected YYYY-MM-DD)";
        Self::nexudus(property, ViolationCode::NotADate, message, attempted)
    }

    /// The date `attempted` is before today.
    pub fn date_in_past(property: &str, attempted: &str) -> Self {
        Self::nexudus(
            property,
            ViolationCode::DateInPast,
            "must not be a date in the past",
            attempted,
        )
    }

    /// `attempted` is not one of `property`'s choices, e.g. an unknown enum number.
    pub fn invalid_choice(property: &str, attempted: impl Into<Value>) -> Self {
        Self::nexudus(
            property,
            ViolationCode::InvalidChoice,
            "is not a valid choice",
            attempted,
        )
    }

    /// The id `attempted` names no existing record.
    pub fn unknown_reference(property: &str, attempted: impl Into<Value>) -> Self {
        let message = "does not refer to an existing record";
        Self::nexudus(
            property,
            ViolationCode::UnknownReference,
            message,
            attempted,
        )
    }

    /// The document needs a file in `property` (a slot's `New…Url`).
    pub fn missing_file(property: &str) -> Self {
        let message = "is a required file for this document";
        Self::new(property, ViolationCode::MissingFile, message)
    }

    /// `property`'s file is empty.
    pub fn file_empty(property: &str) -> Self {
        Self::new(property, ViolationCode::FileEmpty, "is an empty file")
    }

    /// `property`'s file is under `min_bytes`, the file rules' minimum.
    pub fn file_too_small(property: &str, min_bytes: usize) -> Self {
        let message = format!("is too small to be an image (at least {min_bytes} bytes)");
        Self::new(property, ViolationCode::FileTooSmall, message)
    }

    /// `property`'s file is over `max_bytes`, the file rules' limit (a whole number of MB).
    pub fn file_too_large(property: &str, max_bytes: usize) -> Self {
        let message = format!("is larger than the {} MB limit", max_bytes / (1024 * 1024));
        Self::new(property, ViolationCode::FileTooLarge, message)
    }

    /// `property`'s file is not one of the `accepted` image types (`JPEG, PNG or WebP`).
    pub fn file_not_an_image(property: &str, accepted: &str) -> Self {
        let message = format!("is not an accepted image type ({accepted})");
        Self::new(property, ViolationCode::FileNotAnImage, message)
    }

    /// `property`'s URL could not be fetched.
    pub fn file_unreachable(property: &str, attempted: &str) -> Self {
        Self::nexudus(
            property,
            ViolationCode::FileUnreachable,
            "could not be fetched",
            attempted,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn messages_read_as_the_api_writes_them() {
        let violations = [
            Violation::required("Name", Value::Null),
            Violation::too_long("IdentityDocumentNumber", 50, "x"),
            Violation::missing_file("NewDocumentUrl"),
        ];
        assert_eq!(violations[0].to_string(), "Name: is a required field");
        assert_eq!(
            joined_message(&violations),
            "Name: is a required field\n\
             IdentityDocumentNumber: must be at most 50 characters long\n\
             NewDocumentUrl: is a required file for this document"
        );
        assert_eq!(joined_message::<ViolationCode>(&[]), "");
    }

    #[test]
    fn the_file_words_state_the_limits_they_are_given() {
        let cases = [
            (
                Violation::file_too_small("NewPhotoUrl", 100),
                "is too small to be an image (at least 100 bytes)",
            ),
            (
                Violation::file_too_large("NewPhotoUrl", 10 * 1024 * 1024),
                "is larger than the 10 MB limit",
            ),
            (
                Violation::file_not_an_image("NewPhotoUrl", "JPEG or PNG"),
                "is not an accepted image type (JPEG or PNG)",
            ),
        ];
        for (violation, message) in cases {
            assert_eq!(violation.message, message);
            assert_eq!(violation.attempted, Value::Null);
        }
    }

    #[test]
    fn attempted_values_are_kept_as_given() {
        assert_eq!(
            Violation::not_positive("CoworkerId", -2).attempted,
            json!(-2)
        );
        let with_url = Violation::file_not_an_image("NewPhotoUrl", "JPEG")
            .with_attempted("https://example.com/a.gif");
        assert_eq!(with_url.attempted, json!("https://example.com/a.gif"));
    }

    #[test]
    fn any_code_enum_makes_a_violation() {
        // Another API's codes: the shared parts need nothing of Nexudus's.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum Other {
            Missing,
        }
        let violation = Violation::new("a.b", Other::Missing, "is required");
        assert_eq!(violation.to_string(), "a.b: is required");
        assert_eq!(violation.code, Other::Missing);
        assert_eq!(
            joined_message(&[violation.clone(), violation]),
            "a.b: is required\na.b: is required"
        );
    }
}
