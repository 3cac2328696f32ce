//! The validation rules, reporting each violation as the API does (a [`Violation`]: `PropertyName`,
//! message, attempted value), at two levels built from the same field helpers, so they cannot
//! disagree on a format:
//!
//! - the member rules ([`check_identity_check`]): what a member's check must hold before it is
//!   sent, the group of fields its `VerificationType` asks for and an expiry still ahead. The
//!   browser runs them as the member types, and the gateway on every member's request.
//! - the API's own rules ([`check_identity_check_record`]): what seed 002 asks of any check
//!   record, which is all the local API server (the stand-in for Nexudus) applies.

use serde_json::Value;

use crate::date::Date;
use crate::model::{
    AddressDocumentType, IdentityCheckProvider, IdentityDocumentType, NewCoworkerIdentityCheck,
    NewCoworkerIdentityCheckDocument, VerificationType,
};
use crate::slots::{self, DocumentKind, Slot};
use crate::violation::Violation;

/// The longest check or document `Name`, in characters.
pub const NAME_MAX_CHARS: usize = 200;
/// The longest `IdentityDocumentNumber`, in characters.
pub const DOCUMENT_NUMBER_MAX_CHARS: usize = 50;
/// The longest `IdentityDocumentIssuedBy`, in characters.
pub const ISSUED_BY_MAX_CHARS: usize = 100;

/// A check or document `Name`: not blank, at most [`NAME_MAX_CHARS`].
pub fn check_name(name: &str) -> Option<Violation> {
    check_text("Name", name, NAME_MAX_CHARS)
}

/// `IdentityDocumentNumber`: not blank, at most [`DOCUMENT_NUMBER_MAX_CHARS`] once trimmed, and
/// only letters, digits, spaces and hyphens.
pub fn check_document_number(number: &str) -> Option<Violation> {
    const PROPERTY: &str = "IdentityDocumentNumber";
    let allowed = |c: char| c.is_alphanumeric() || c == ' ' || c == '-';
    check_text(PROPERTY, number, DOCUMENT_NUMBER_MAX_CHARS).or_else(|| {
        (!number.trim().chars().all(allowed))
            .then(|| Violation::invalid_characters(PROPERTY, number))
    })
}

/// `IdentityDocumentIssuedBy`: not blank, at most [`ISSUED_BY_MAX_CHARS`].
pub fn check_issued_by(issued_by: &str) -> Option<Violation> {
    check_text("IdentityDocumentIssuedBy", issued_by, ISSUED_BY_MAX_CHARS)
}

/// `IdentityDocumentExpirationDate`: not blank, a real date ([`Date::parse`]), not before `today`.
/// A document expiring today is still valid today.
pub fn check_expiration_date(date: &str, today: Date) -> Option<Violation> {
    const PROPERTY: &str = "IdentityDocumentExpirationDate";
    match parse_expiration_date(date) {
        Err(violation) => Some(violation),
        Ok(expiry) if expiry < today => Some(Violation::date_in_past(PROPERTY, date)),
        Ok(_) => None,
    }
}

/// `IdentityDocumentExpirationDate` as a record may hold it: not blank and a real date, in the past
/// or not. Whether the document is still valid is the member rules' question
/// ([`check_expiration_date`]); a record of an expired document is still a well-formed record.
pub fn check_expiration_date_format(date: &str) -> Option<Violation> {
    parse_expiration_date(date).err()
}

fn parse_expiration_date(date: &str) -> Result<Date, Violation> {
    const PROPERTY: &str = "IdentityDocumentExpirationDate";
    if is_blank(date) {
        return Err(Violation::required(PROPERTY, date));
    }
    Date::parse(date.trim()).ok_or_else(|| Violation::not_a_date(PROPERTY, date))
}

/// Every violation of a member's check under the member rules, in field order.
///
/// `VerificationType` decides which group of fields is required: `IdDocument` the identity
/// document's type, number, issuer and expiry (not before `today`); `Address` the address
/// document's type. Without a verification type Nexudus allows a bare check, so no group is
/// required, but the fields given are still checked. A Stripe Identity check collects the identity
/// document on Stripe's side, so its identity group is not required either.
pub fn check_identity_check(check: &NewCoworkerIdentityCheck, today: Date) -> Vec<Violation> {
    check_fields(check, required_group(check), Some(today))
}

/// Every violation of a check's create or update body under the API's own rules, in field order:
/// what the local API server applies, standing in for Nexudus.
///
/// Seed 002 requires `BusinessId`, `CoworkerId` and `Name` and nothing else: it names no field that
/// `VerificationType` makes required, and states that the document types left out default to
/// `Other`. So an operator may create a check with only its verification type, to be completed
/// later, and a reviewer may keep or update a record of a document that has since expired. The
/// fields that are given are still checked for their format (lengths, the number's characters, a
/// real expiry date), the same helpers as the member rules, because a malformed value is wrong in
/// any record. Which group a member must fill, and that the expiry lies ahead, are
/// [`check_identity_check`]'s.
pub fn check_identity_check_record(check: &NewCoworkerIdentityCheck) -> Vec<Violation> {
    check_fields(check, VerificationType::None, None)
}

/// The violations of `check` when `group`'s fields are required (`VerificationType::None`: none),
/// with an expiry before `today` refused when a date is given (`None`: any real date passes).
fn check_fields(
    check: &NewCoworkerIdentityCheck,
    group: VerificationType,
    today: Option<Date>,
) -> Vec<Violation> {
    let identity = group == VerificationType::IdDocument;
    let address = group == VerificationType::Address;
    [
        check_id("BusinessId", check.business_id),
        check_id("CoworkerId", check.coworker_id),
        check_field("Name", check.name.as_deref(), true, check_name),
        check_choice(
            "IdentityDocumentType",
            check.identity_document_type.map(IdentityDocumentType::code),
            identity,
        ),
        check_field(
            "IdentityDocumentNumber",
            check.identity_document_number.as_deref(),
            identity,
            check_document_number,
        ),
        check_field(
            "IdentityDocumentIssuedBy",
            check.identity_document_issued_by.as_deref(),
            identity,
            check_issued_by,
        ),
        check_field(
            "IdentityDocumentExpirationDate",
            check.identity_document_expiration_date.as_deref(),
            identity,
            |date| match today {
                Some(today) => check_expiration_date(date, today),
                None => check_expiration_date_format(date),
            },
        ),
        check_choice(
            "AddressDocumentType",
            check.address_document_type.map(AddressDocumentType::code),
            address,
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Every violation of a document's create body, in field order. Which files it needs depends on
/// its parent check: see [`check_document_files`].
pub fn check_identity_check_document(
    document: &NewCoworkerIdentityCheckDocument,
) -> Vec<Violation> {
    [
        check_id("CoworkerId", document.coworker_id),
        check_id(
            "CoworkerIdentityCheckId",
            document.coworker_identity_check_id,
        ),
        check_field("Name", document.name.as_deref(), true, check_name),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// One violation per file a document of `kind` requires but `present` lacks, named by the slot's
/// `New…Url` property, in capture order.
pub fn check_document_files(kind: DocumentKind, present: &[Slot]) -> Vec<Violation> {
    slots::missing_slots(kind, present)
        .into_iter()
        .map(|slot| Violation::missing_file(slot.new_url_property()))
        .collect()
}

/// The group of fields `check` must fill, or `VerificationType::None` for none.
fn required_group(check: &NewCoworkerIdentityCheck) -> VerificationType {
    match (check.verification_type, check.identity_check_provider) {
        (Some(VerificationType::IdDocument), Some(IdentityCheckProvider::StripeIdentity)) => {
            VerificationType::None
        }
        (verification_type, _) => verification_type.unwrap_or_default(),
    }
}

/// A required id: present and positive.
fn check_id(property: &str, id: Option<i64>) -> Option<Violation> {
    match id {
        None => Some(Violation::required(property, Value::Null)),
        Some(id) if id <= 0 => Some(Violation::not_positive(property, id)),
        Some(_) => None,
    }
}

/// A text field of a record, checked by its field helper `check` when it is required or given.
/// An absent required field is reported with a `null` attempted value, as the API does.
fn check_field(
    property: &str,
    value: Option<&str>,
    required: bool,
    check: impl FnOnce(&str) -> Option<Violation>,
) -> Option<Violation> {
    match value {
        None if required => Some(Violation::required(property, Value::Null)),
        Some(text) if required || !is_blank(text) => check(text),
        _ => None,
    }
}

/// A choice that must be made when `required`: present and not the enum's `None` (0).
fn check_choice(property: &str, code: Option<u16>, required: bool) -> Option<Violation> {
    match code {
        _ if !required => None,
        None => Some(Violation::required(property, Value::Null)),
        Some(0) => Some(Violation::required(property, 0)),
        Some(_) => None,
    }
}

/// A required text: not blank, at most `max` characters once trimmed.
fn check_text(property: &str, value: &str, max: usize) -> Option<Violation> {
    if is_blank(value) {
        Some(Violation::required(property, value))
    } else if value.trim().chars().count() > max {
        Some(Violation::too_long(property, max, value))
    } else {
        None
    }
}

fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::violation::ViolationCode::{self, *};
    use serde_json::json;

    fn today() -> Date {
        Date::new(2025, 6, 15).expect("a real date")
    }

    /// The identity group of a valid `IdDocument` check, merged into each case's body.
    fn with_identity(fields: Value) -> Value {
        let mut body = json!({
            "BusinessId": 1, "CoworkerId": 2, "Name": "Identity check",
            "VerificationType": 1, "IdentityDocumentType": 1,
            "IdentityDocumentNumber": "X1234567", "IdentityDocumentIssuedBy": "HM Passport Office",
            "IdentityDocumentExpirationDate": "2030-05-01"
        });
        merge(&mut body, fields);
        body
    }

    fn merge(body: &mut Value, fields: Value) {
        let (Value::Object(body), Value::Object(fields)) = (body, fields) else {
            panic!("bodies are JSON objects");
        };
        for (name, value) in fields {
            match value {
                // `"Field": "-"` in a case removes the field.
                Value::String(text) if text == "-" => body.remove(&name),
                value => body.insert(name, value),
            };
        }
    }

    /// A reported violation: property, code, attempted value.
    type Reported = (&'static str, ViolationCode, Value);
    /// (what the case shows, the create body, the violations reported)
    type Case = (&'static str, Value, Vec<Reported>);

    fn long(n: usize) -> String {
        "a".repeat(n)
    }

    /// Runs `rules` on each case's body and compares what it reports, in order.
    fn assert_reports(
        cases: Vec<Case>,
        rules: impl Fn(&NewCoworkerIdentityCheck) -> Vec<Violation>,
    ) {
        for (label, body, expected) in cases {
            let check: NewCoworkerIdentityCheck = serde_json::from_value(body).expect(label);
            let found: Vec<(String, ViolationCode, Value)> = rules(&check)
                .into_iter()
                .map(|v| (v.property, v.code, v.attempted))
                .collect();
            let expected: Vec<(String, ViolationCode, Value)> = expected
                .into_iter()
                .map(|(p, code, attempted)| (p.to_owned(), code, attempted))
                .collect();
            assert_eq!(found, expected, "{label}");
        }
    }

    /// The member rules' cases, [`check_identity_check`] on [`today`].
    fn member_cases() -> Vec<Case> {
        vec![
            (
                "a complete identity check",
                with_identity(json!({})),
                vec![],
            ),
            (
                "the seed's example body",
                json!({"BusinessId": 0, "CoworkerId": 0, "Name": ""}),
                vec![
                    ("BusinessId", NotPositive, json!(0)),
                    ("CoworkerId", NotPositive, json!(0)),
                    ("Name", Required, json!("")),
                ],
            ),
            (
                "an empty body",
                json!({}),
                vec![
                    ("BusinessId", Required, Value::Null),
                    ("CoworkerId", Required, Value::Null),
                    ("Name", Required, Value::Null),
                ],
            ),
            (
                "a bare check without verification type",
                json!({"BusinessId": 1, "CoworkerId": 2, "Name": "Bare"}),
                vec![],
            ),
            (
                "VerificationType None requires no group",
                json!({"BusinessId": 1, "CoworkerId": 2, "Name": "Bare", "VerificationType": 0}),
                vec![],
            ),
            (
                "a negative id",
                with_identity(json!({"CoworkerId": -3})),
                vec![("CoworkerId", NotPositive, json!(-3))],
            ),
            (
                "a blank name",
                with_identity(json!({"Name": "   "})),
                vec![("Name", Required, json!("   "))],
            ),
            (
                "a name of 200 characters",
                with_identity(json!({"Name": long(200)})),
                vec![],
            ),
            (
                "a name of 201 characters",
                with_identity(json!({"Name": long(201)})),
                vec![("Name", TooLong, json!(long(201)))],
            ),
            (
                "an identity check with none of its group",
                json!({"BusinessId": 1, "CoworkerId": 2, "Name": "Id", "VerificationType": 1}),
                vec![
                    ("IdentityDocumentType", Required, Value::Null),
                    ("IdentityDocumentNumber", Required, Value::Null),
                    ("IdentityDocumentIssuedBy", Required, Value::Null),
                    ("IdentityDocumentExpirationDate", Required, Value::Null),
                ],
            ),
            (
                "an identity document type of None",
                with_identity(json!({"IdentityDocumentType": 0})),
                vec![("IdentityDocumentType", Required, json!(0))],
            ),
            (
                "a blank document number",
                with_identity(json!({"IdentityDocumentNumber": " "})),
                vec![("IdentityDocumentNumber", Required, json!(" "))],
            ),
            (
                "a number with spaces and hyphens",
                with_identity(json!({"IdentityDocumentNumber": " AB-12 345 "})),
                vec![],
            ),
            (
                "a number with other letters",
                with_identity(json!({"IdentityDocumentNumber": "ÑÖ12"})),
                vec![],
            ),
            (
                "a number with punctuation",
                with_identity(json!({"IdentityDocumentNumber": "AB/123"})),
                vec![("IdentityDocumentNumber", InvalidCharacters, json!("AB/123"))],
            ),
            (
                "a number of 50 characters",
                with_identity(json!({"IdentityDocumentNumber": long(50)})),
                vec![],
            ),
            (
                "a number of 51 characters",
                with_identity(json!({"IdentityDocumentNumber": long(51)})),
                vec![("IdentityDocumentNumber", TooLong, json!(long(51)))],
            ),
            (
                "an issuer of 100 characters",
                with_identity(json!({"IdentityDocumentIssuedBy": long(100)})),
                vec![],
            ),
            (
                "an issuer of 101 characters",
                with_identity(json!({"IdentityDocumentIssuedBy": long(101)})),
                vec![("IdentityDocumentIssuedBy", TooLong, json!(long(101)))],
            ),
            (
                "a blank issuer",
                with_identity(json!({"IdentityDocumentIssuedBy": ""})),
                vec![("IdentityDocumentIssuedBy", Required, json!(""))],
            ),
            (
                "an expiry date-time",
                with_identity(json!({"IdentityDocumentExpirationDate": "2030-05-01T00:00:00Z"})),
                vec![],
            ),
            (
                "an expiry today",
                with_identity(json!({"IdentityDocumentExpirationDate": "2025-06-15"})),
                vec![],
            ),
            (
                "an expiry yesterday",
                with_identity(json!({"IdentityDocumentExpirationDate": "2025-06-14"})),
                vec![(
                    "IdentityDocumentExpirationDate",
                    DateInPast,
                    json!("2025-06-14"),
                )],
            ),
            (
                "an expiry that is no real date",
                with_identity(json!({"IdentityDocumentExpirationDate": "2027-02-29"})),
                vec![(
                    "IdentityDocumentExpirationDate",
                    NotADate,
                    json!("2027-02-29"),
                )],
            ),
            (
                "an expiry that is no date at all",
                with_identity(json!({"IdentityDocumentExpirationDate": "next year"})),
                vec![(
                    "IdentityDocumentExpirationDate",
                    NotADate,
                    json!("next year"),
                )],
            ),
            (
                "a blank expiry",
                with_identity(json!({"IdentityDocumentExpirationDate": " "})),
                vec![("IdentityDocumentExpirationDate", Required, json!(" "))],
            ),
            (
                "a Stripe Identity check collects the document on Stripe's side",
                json!({"BusinessId": 1, "CoworkerId": 2, "Name": "Stripe", "VerificationType": 1, "IdentityCheckProvider": 2}),
                vec![],
            ),
            (
                "a Stripe Identity check still has its given fields checked",
                json!({"BusinessId": 1, "CoworkerId": 2, "Name": "Stripe", "VerificationType": 1, "IdentityCheckProvider": 2,
                       "IdentityDocumentNumber": "AB/1"}),
                vec![("IdentityDocumentNumber", InvalidCharacters, json!("AB/1"))],
            ),
            (
                "a complete address check",
                json!({"BusinessId": 1, "CoworkerId": 2, "Name": "Address", "VerificationType": 2, "AddressDocumentType": 4}),
                vec![],
            ),
            (
                "an address check without its document type",
                json!({"BusinessId": 1, "CoworkerId": 2, "Name": "Address", "VerificationType": 2}),
                vec![("AddressDocumentType", Required, Value::Null)],
            ),
            (
                "an address document type of None",
                json!({"BusinessId": 1, "CoworkerId": 2, "Name": "Address", "VerificationType": 2, "AddressDocumentType": 0}),
                vec![("AddressDocumentType", Required, json!(0))],
            ),
            (
                "an address check ignores blank identity fields",
                json!({"BusinessId": 1, "CoworkerId": 2, "Name": "Address", "VerificationType": 2, "AddressDocumentType": 8,
                       "IdentityDocumentNumber": "", "IdentityDocumentExpirationDate": " "}),
                vec![],
            ),
            (
                "a bare check still checks the formats it is given",
                json!({"BusinessId": 1, "CoworkerId": 2, "Name": "Bare",
                       "IdentityDocumentNumber": "#1", "IdentityDocumentIssuedBy": long(101),
                       "IdentityDocumentExpirationDate": "2020-01-01"}),
                vec![
                    ("IdentityDocumentNumber", InvalidCharacters, json!("#1")),
                    ("IdentityDocumentIssuedBy", TooLong, json!(long(101))),
                    (
                        "IdentityDocumentExpirationDate",
                        DateInPast,
                        json!("2020-01-01"),
                    ),
                ],
            ),
            (
                "several violations come in field order",
                with_identity(
                    json!({"BusinessId": "-", "Name": "", "IdentityDocumentType": "-", "IdentityDocumentExpirationDate": "2025-13-01"}),
                ),
                vec![
                    ("BusinessId", Required, Value::Null),
                    ("Name", Required, json!("")),
                    ("IdentityDocumentType", Required, Value::Null),
                    (
                        "IdentityDocumentExpirationDate",
                        NotADate,
                        json!("2025-13-01"),
                    ),
                ],
            ),
        ]
    }

    /// The API's own rules' cases, [`check_identity_check_record`].
    fn record_cases() -> Vec<Case> {
        vec![
            (
                "a complete identity check",
                with_identity(json!({})),
                vec![],
            ),
            (
                "the seed's example body",
                json!({"BusinessId": 0, "CoworkerId": 0, "Name": ""}),
                vec![
                    ("BusinessId", NotPositive, json!(0)),
                    ("CoworkerId", NotPositive, json!(0)),
                    ("Name", Required, json!("")),
                ],
            ),
            (
                "an empty body",
                json!({}),
                vec![
                    ("BusinessId", Required, Value::Null),
                    ("CoworkerId", Required, Value::Null),
                    ("Name", Required, Value::Null),
                ],
            ),
            (
                "a negative id",
                with_identity(json!({"BusinessId": -1})),
                vec![("BusinessId", NotPositive, json!(-1))],
            ),
            (
                "a blank name",
                with_identity(json!({"Name": " "})),
                vec![("Name", Required, json!(" "))],
            ),
            (
                "a name of 201 characters",
                with_identity(json!({"Name": long(201)})),
                vec![("Name", TooLong, json!(long(201)))],
            ),
            (
                "an identity check requested with only its verification type",
                json!({"BusinessId": 1, "CoworkerId": 2, "Name": "Id", "VerificationType": 1}),
                vec![],
            ),
            (
                "an identity document type of None",
                with_identity(json!({"IdentityDocumentType": 0})),
                vec![],
            ),
            (
                "an address check requested with only its verification type",
                json!({"BusinessId": 1, "CoworkerId": 2, "Name": "Address", "VerificationType": 2}),
                vec![],
            ),
            (
                "an address document type of None",
                json!({"BusinessId": 1, "CoworkerId": 2, "Name": "Address", "VerificationType": 2, "AddressDocumentType": 0}),
                vec![],
            ),
            (
                "blank identity fields count as not given",
                with_identity(
                    json!({"IdentityDocumentNumber": " ", "IdentityDocumentIssuedBy": "", "IdentityDocumentExpirationDate": " "}),
                ),
                vec![],
            ),
            (
                "an expiry yesterday",
                with_identity(json!({"IdentityDocumentExpirationDate": "2025-06-14"})),
                vec![],
            ),
            (
                "an expiry long past, as a date-time",
                with_identity(json!({"IdentityDocumentExpirationDate": "2001-01-01T00:00:00Z"})),
                vec![],
            ),
            (
                "an expiry that is no real date",
                with_identity(json!({"IdentityDocumentExpirationDate": "2027-02-29"})),
                vec![(
                    "IdentityDocumentExpirationDate",
                    NotADate,
                    json!("2027-02-29"),
                )],
            ),
            (
                "an expiry that is no date at all",
                with_identity(json!({"IdentityDocumentExpirationDate": "soon"})),
                vec![("IdentityDocumentExpirationDate", NotADate, json!("soon"))],
            ),
            (
                "a number with punctuation",
                with_identity(json!({"IdentityDocumentNumber": "AB/123"})),
                vec![("IdentityDocumentNumber", InvalidCharacters, json!("AB/123"))],
            ),
            (
                "a number of 50 characters",
                with_identity(json!({"IdentityDocumentNumber": long(50)})),
                vec![],
            ),
            (
                "a number of 51 characters",
                with_identity(json!({"IdentityDocumentNumber": long(51)})),
                vec![("IdentityDocumentNumber", TooLong, json!(long(51)))],
            ),
            (
                "an issuer of 101 characters",
                with_identity(json!({"IdentityDocumentIssuedBy": long(101)})),
                vec![("IdentityDocumentIssuedBy", TooLong, json!(long(101)))],
            ),
            (
                "an address check still checks the identity formats it is given",
                json!({"BusinessId": 1, "CoworkerId": 2, "Name": "Address", "VerificationType": 2,
                       "IdentityDocumentNumber": "#1", "IdentityDocumentExpirationDate": "2025-13-01"}),
                vec![
                    ("IdentityDocumentNumber", InvalidCharacters, json!("#1")),
                    (
                        "IdentityDocumentExpirationDate",
                        NotADate,
                        json!("2025-13-01"),
                    ),
                ],
            ),
            (
                "several violations come in field order",
                json!({"CoworkerId": 2, "Name": long(201), "VerificationType": 1,
                       "IdentityDocumentIssuedBy": long(101), "IdentityDocumentExpirationDate": "2020-01-01"}),
                vec![
                    ("BusinessId", Required, Value::Null),
                    ("Name", TooLong, json!(long(201))),
                    ("IdentityDocumentIssuedBy", TooLong, json!(long(101))),
                ],
            ),
        ]
    }

    #[test]
    fn check_identity_check_reports_every_violation_in_field_order() {
        assert_reports(member_cases(), |check| check_identity_check(check, today()));
    }

    #[test]
    fn check_identity_check_record_requires_only_the_seeds_fields_and_checks_formats() {
        assert_reports(record_cases(), check_identity_check_record);
    }

    #[test]
    fn the_member_rules_report_every_violation_of_the_records_rules() {
        // The member rules only add to the API's: whatever the API refuses, the component and the
        // gateway refuse too, with the same words, so a member never meets an upstream 400 first.
        let mut stricter = 0;
        for (label, body, _) in member_cases().into_iter().chain(record_cases()) {
            let check: NewCoworkerIdentityCheck = serde_json::from_value(body).expect(label);
            let member = check_identity_check(&check, today());
            let record = check_identity_check_record(&check);
            for violation in &record {
                assert!(member.contains(violation), "{label}: {violation}");
            }
            stricter += usize::from(member.len() > record.len());
        }
        assert!(
            stricter >= 10,
            "the cases show the member rules' own refusals"
        );
    }

    #[test]
    fn field_helpers_report_the_api_property() {
        let cases: Vec<(Option<Violation>, &str, ViolationCode)> = vec![
            (check_name(""), "Name", Required),
            (
                check_document_number(""),
                "IdentityDocumentNumber",
                Required,
            ),
            (
                check_document_number("12.3"),
                "IdentityDocumentNumber",
                InvalidCharacters,
            ),
            (check_issued_by(" "), "IdentityDocumentIssuedBy", Required),
            (
                check_expiration_date("", today()),
                "IdentityDocumentExpirationDate",
                Required,
            ),
            (
                check_expiration_date("2024-12-31T23:00:00Z", today()),
                "IdentityDocumentExpirationDate",
                DateInPast,
            ),
            (
                check_expiration_date_format(" "),
                "IdentityDocumentExpirationDate",
                Required,
            ),
            (
                check_expiration_date_format("2025-02-29"),
                "IdentityDocumentExpirationDate",
                NotADate,
            ),
        ];
        for (violation, property, code) in cases {
            let violation = violation.unwrap_or_else(|| panic!("{property} {code:?} is reported"));
            assert_eq!(
                (violation.property.as_str(), violation.code),
                (property, code)
            );
        }
        assert_eq!(check_name("Check"), None);
        assert_eq!(check_document_number("X1234567"), None);
        assert_eq!(check_issued_by("DVLA"), None);
        assert_eq!(check_expiration_date(" 2025-06-15 ", today()), None);
        assert_eq!(check_expiration_date_format("2001-01-01"), None);
    }

    #[test]
    fn check_identity_check_document_reports_its_required_fields() {
        let cases: Vec<(Value, Vec<(&str, ViolationCode)>)> = vec![
            (
                json!({"CoworkerId": 2, "CoworkerIdentityCheckId": 3, "Name": "Passport"}),
                vec![],
            ),
            (
                json!({}),
                vec![
                    ("CoworkerId", Required),
                    ("CoworkerIdentityCheckId", Required),
                    ("Name", Required),
                ],
            ),
            (
                json!({"CoworkerId": 0, "CoworkerIdentityCheckId": -1, "Name": " "}),
                vec![
                    ("CoworkerId", NotPositive),
                    ("CoworkerIdentityCheckId", NotPositive),
                    ("Name", Required),
                ],
            ),
            (
                json!({"CoworkerId": 2, "CoworkerIdentityCheckId": 3, "Name": "x".repeat(201)}),
                vec![("Name", TooLong)],
            ),
        ];
        for (body, expected) in cases {
            let document: NewCoworkerIdentityCheckDocument =
                serde_json::from_value(body.clone()).expect("parses");
            let found: Vec<(String, ViolationCode)> = check_identity_check_document(&document)
                .into_iter()
                .map(|v| (v.property, v.code))
                .collect();
            let expected: Vec<(String, ViolationCode)> = expected
                .into_iter()
                .map(|(p, c)| (p.to_owned(), c))
                .collect();
            assert_eq!(found, expected, "{body}");
        }
    }

    #[test]
    fn check_document_files_names_each_missing_slot() {
        let passport = DocumentKind::Identity(IdentityDocumentType::Passport);
        let licence = DocumentKind::Identity(IdentityDocumentType::DriversLicense);
        let lease = DocumentKind::Address(AddressDocumentType::LeaseRentalAgreement);
        let cases: &[(DocumentKind, &[Slot], &[&str])] = &[
            (passport, &[Slot::Photo, Slot::Front], &[]),
            (passport, &[], &["NewPhotoUrl", "NewDocumentUrl"]),
            (
                licence,
                &[Slot::Photo, Slot::Front],
                &["NewAdditionalDocumentUrl"],
            ),
            (licence, &[Slot::Back], &["NewPhotoUrl", "NewDocumentUrl"]),
            (lease, &[Slot::Front], &[]),
            (lease, &[Slot::Photo, Slot::Back], &["NewDocumentUrl"]),
        ];
        for &(kind, present, expected) in cases {
            let violations = check_document_files(kind, present);
            let properties: Vec<&str> = violations.iter().map(|v| v.property.as_str()).collect();
            assert_eq!(properties, expected, "{kind:?} with {present:?}");
            for violation in &violations {
                assert_eq!(violation.code, MissingFile);
                assert_eq!(violation.message, "is a required file for this document");
            }
        }
    }
}
