//! The seeds' example JSON, copied verbatim into `tests/fixtures`, is the test data of the model:
//! each example must parse into its type and be written back unchanged, and the envelope
//! constructors must produce the examples exactly.

use idcheck_core::date::Date;
use idcheck_core::model::{
    CoworkerIdentityCheck, CoworkerIdentityCheckDocument, CreatedValue, NewCoworkerIdentityCheck,
    VerificationStatus, WriteEnvelope,
};
use idcheck_core::rules;
use idcheck_core::violation::Violation;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

const CHECK_GET: &str = include_str!("fixtures/check_get.json");
const DOCUMENT_GET: &str = include_str!("fixtures/document_get.json");
const CREATE_SUCCESS: &str = include_str!("fixtures/create_success.json");
const CREATE_FAILURE: &str = include_str!("fixtures/create_failure.json");
const CREATE_REQUEST: &str = include_str!("fixtures/create_request.json");

/// Parses `fixture` as `T`, writes it back, and compares the JSON values.
fn round_trip<T: DeserializeOwned + Serialize>(name: &str, fixture: &str) {
    let parsed: T = serde_json::from_str(fixture).unwrap_or_else(|e| panic!("{name} parses: {e}"));
    let written = serde_json::to_value(&parsed).expect("serialises");
    let original: Value = serde_json::from_str(fixture).expect("the fixture is JSON");
    assert_eq!(written, original, "{name}");
}

/// The top-level keys of a one-key-per-line JSON object, in order: the seeds' examples and
/// `serde_json`'s pretty output both put each top-level key at the start of a line or after
/// exactly two spaces.
fn keys_in_order(fixture: &str) -> Vec<String> {
    fixture
        .lines()
        .filter(|line| !line.starts_with("  ") || line.starts_with("  \""))
        .filter_map(|line| {
            line.trim_start()
                .strip_prefix('"')?
                .split_once('"')
                .map(|(key, _)| key.to_owned())
        })
        .collect()
}

/// Writes `value` and lists its top-level keys in the order written.
fn written_keys<T: Serialize>(value: &T) -> Vec<String> {
    keys_in_order(&serde_json::to_string_pretty(value).expect("serialises"))
}

#[test]
fn every_fixture_round_trips_through_its_type() {
    round_trip::<CoworkerIdentityCheck>("check_get.json (seed 003)", CHECK_GET);
    round_trip::<CoworkerIdentityCheckDocument>("document_get.json (seed 001)", DOCUMENT_GET);
    round_trip::<WriteEnvelope<CreatedValue>>("create_success.json (seed 002)", CREATE_SUCCESS);
    round_trip::<WriteEnvelope<CreatedValue>>("create_failure.json (seed 002)", CREATE_FAILURE);
    round_trip::<NewCoworkerIdentityCheck>("create_request.json (seed 002)", CREATE_REQUEST);
}

#[test]
fn read_records_write_every_field_in_the_seed_order() {
    assert_eq!(
        keys_in_order(CHECK_GET).len(),
        40,
        "seed 003 lists 40 fields"
    );
    assert_eq!(
        keys_in_order(DOCUMENT_GET).len(),
        36,
        "seed 001 lists 36 fields"
    );
    let check: CoworkerIdentityCheck = serde_json::from_str(CHECK_GET).expect("parses");
    assert_eq!(written_keys(&check), keys_in_order(CHECK_GET));
    let document: CoworkerIdentityCheckDocument =
        serde_json::from_str(DOCUMENT_GET).expect("parses");
    assert_eq!(written_keys(&document), keys_in_order(DOCUMENT_GET));
}

#[test]
fn read_records_hold_the_seed_values() {
    let check: CoworkerIdentityCheck = serde_json::from_str(CHECK_GET).expect("parses");
    assert_eq!(check.id, 87_654_321);
    assert_eq!(check.unique_id, "a1b2c3d4-e5f6-7890-abcd-ef1234567890");
    assert_eq!(check.verification_status, VerificationStatus::None);
    assert_eq!(
        check.to_string_text.as_deref(),
        Some("CoworkerIdentityCheck Example")
    );
    assert_eq!(check.document_kind(), None);

    let document: CoworkerIdentityCheckDocument =
        serde_json::from_str(DOCUMENT_GET).expect("parses");
    assert_eq!(document.updated_by.as_deref(), Some("admin@example.com"));
    assert_eq!(document.coworker_identity_check_verification_type, None);
    assert_eq!(document.stored_slots(), []);
}

#[test]
fn success_constructor_writes_the_seed_example_exactly() {
    let envelope = WriteEnvelope::success(
        "CoworkerIdentityCheck was successfully created.",
        CreatedValue { id: 87_654_321 },
        "2025-01-15T10:30:00Z",
        "admin@example.com",
    );
    let written = serde_json::to_string_pretty(&envelope).expect("serialises");
    assert_eq!(written, CREATE_SUCCESS.trim_end());
}

#[test]
fn failure_constructor_writes_the_seed_example_exactly() {
    let envelope =
        WriteEnvelope::<CreatedValue>::failure(&[Violation::required("Name", Value::Null)]);
    let written = serde_json::to_string_pretty(&envelope).expect("serialises");
    assert_eq!(written, CREATE_FAILURE.trim_end());
}

#[test]
fn the_seed_request_body_breaks_the_rules_as_the_api_reports() {
    let body: NewCoworkerIdentityCheck = serde_json::from_str(CREATE_REQUEST).expect("parses");
    let today = Date::new(2025, 1, 15).expect("a real date");
    let violations = rules::check_identity_check(&body, today);
    // The seed's body breaks only what seed 002 requires, so the API's own rules say the same.
    assert_eq!(rules::check_identity_check_record(&body), violations);
    let envelope = serde_json::to_value(WriteEnvelope::<CreatedValue>::failure(&violations))
        .expect("serialises");
    let expected = serde_json::json!({
        "Message": "BusinessId: must be a positive number\nCoworkerId: must be a positive number\nName: is a required field",
        "Value": null,
        "Errors": [
            {"AttemptedValue": 0, "Message": "must be a positive number", "PropertyName": "BusinessId"},
            {"AttemptedValue": 0, "Message": "must be a positive number", "PropertyName": "CoworkerId"},
            {"AttemptedValue": "", "Message": "is a required field", "PropertyName": "Name"}
        ],
        "WasSuccessful": false
    });
    assert_eq!(envelope, expected);
}
