//! The MasStack rules and model through the public API the browser and the server use: one table
//! per rule (NIF/NIE letters, passports, countries, durations, whole requests, cancels, states)
//! and the JSON of seed 004's request written back unchanged.

use idcheck_core::masstack::{
    self, COUNTRY_CODES, CancelIdentificationRequest, ConfigurationName,
    CreateIdentityDocumentIdentificationRequest, DocumentType, ErrorItem, ErrorsResponse,
    IdentificationAction, IdentificationState, MasCode, ScoringProvider,
    ValidCreateRequest, field,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

const CREATE_REQUEST: &str = include_str!("fixtures/masstack_create_request.json");

use DocumentType::{Nie, Nif, Passport};
use MasCode::*;

/// What a number check should give: the normalised number, or the violation's code.
type Expected = Result<&'static str, MasCode>;

fn wrong_letter(expected: char) -> Expected {
    Err(WrongCheckLetter { expected })
}

#[test]
fn document_numbers_are_checked_for_their_type() {
    let cases: Vec<(DocumentType, &str, Expected)> = vec![
        (Nif, "12345678Z", Ok("12345678Z")),
        (Nif, "00000000T", Ok("00000000T")),
        (Nif, "87654321X", Ok("87654321X")),
        (Nif, "12345678z", Ok("12345678Z")),
        (Nif, " 1234 5678 Z ", Ok("12345678Z")),
        (Nif, "12345678-Z", Ok("12345678Z")),
        (Nif, "12345678A", wrong_letter('Z')),
        (Nif, "99999999e", wrong_letter('R')),
        (Nif, "12345678Ñ", Err(InvalidFormat)),
        (Nif, "1234567Z", Err(InvalidFormat)),
        (Nif, "123456789Z", Err(InvalidFormat)),
        (Nif, "123456789", Err(InvalidFormat)),
        (Nif, "X1234567L", Err(InvalidFormat)),
        (Nif, "K1234567L", Ok("K1234567L")),
        (Nif, "L0000000T", Ok("L0000000T")),
        (Nif, "M9999999J", Ok("M9999999J")),
        (Nif, "m 1234567-l", Ok("M1234567L")),
        (Nif, "K1234567A", wrong_letter('L')),
        (Nif, "L9999999T", wrong_letter('J')),
        (Nif, "K123456L", Err(InvalidFormat)),
        (Nif, "K12345678L", Err(InvalidFormat)),
        (Nif, "K1234567", Err(InvalidFormat)),
        (Nif, "J1234567L", Err(InvalidFormat)),
        (Nif, "KL1234567L", Err(InvalidFormat)),
        (Nif, "", Err(Required)),
        (Nif, " - ", Err(Required)),
        (Nie, "X1234567L", Ok("X1234567L")),
        (Nie, "Y1234567X", Ok("Y1234567X")),
        (Nie, "Z1234567R", Ok("Z1234567R")),
        (Nie, "x1234567l", Ok("X1234567L")),
        (Nie, " X 1234567 L ", Ok("X1234567L")),
        (Nie, "X-1234567-L", Ok("X1234567L")),
        (Nie, "X1234567A", wrong_letter('L')),
        (Nie, "Y1234567L", wrong_letter('X')),
        (Nie, "Z1234567L", wrong_letter('R')),
        (Nie, "W1234567L", Err(InvalidFormat)),
        (Nie, "12345678Z", Err(InvalidFormat)),
        (Nie, "X123456L", Err(InvalidFormat)),
        (Nie, "X12345678L", Err(InvalidFormat)),
        (Nie, "X12345678", Err(InvalidFormat)),
        (Nie, "X", Err(InvalidFormat)),
        (Nie, "K1234567L", Err(InvalidFormat)),
        (Passport, "PAA000000", Ok("PAA000000")),
        (Passport, " paa-123 456 ", Ok("PAA123456")),
        (Passport, "AB123", Ok("AB123")),
        (Passport, "ABCDEFGHIJ0123456789", Ok("ABCDEFGHIJ0123456789")),
        (Passport, "AB12", Err(InvalidFormat)),
        (Passport, "ABCDEFGHIJ0123456789K", Err(InvalidFormat)),
        (Passport, "AB12.34", Err(InvalidFormat)),
        (Passport, "ÄB1234", Err(InvalidFormat)),
        (Passport, "", Err(Required)),
    ];
    for (kind, number, expected) in cases {
        let found = masstack::check_document_number(kind, number);
        let found = found.as_deref().map_err(|v| v.code);
        assert_eq!(found, expected, "{kind} {number:?}");
    }
}

#[test]
fn a_wrong_letter_names_the_expected_one() {
    let cases = [
        (Nif, "12345678A", "the check letter should be Z"),
        (Nif, "K1234567A", "the check letter should be L"),
        (Nie, "X1234567A", "the check letter should be L"),
        (Nie, "y 1234567 l", "the check letter should be X"),
    ];
    for (kind, number, message) in cases {
        let violation = masstack::check_document_number(kind, number).expect_err(number);
        assert_eq!(violation.property, field::DOCUMENT_NUMBER, "{number}");
        assert_eq!(violation.message, message, "{number}");
        assert_eq!(ErrorItem::from(&violation).code, "wrong_check_letter", "{number}");
    }
}

#[test]
fn the_check_letter_is_the_number_modulo_23() {
    let cases = [
        (0, 'T'),
        (1, 'R'),
        (22, 'E'),
        (23, 'T'),
        (12_345_678, 'Z'),
        (1_234_567, 'L'),
        (u32::MAX, 'B'),
    ];
    for (number, letter) in cases {
        assert_eq!(masstack::nif_check_letter(number), letter, "{number}");
    }
}

#[test]
fn countries_are_official_alpha_2_codes() {
    let cases: Vec<(&str, Expected)> = vec![
        ("ES", Ok("ES")),
        ("es", Ok("ES")),
        (" fr ", Ok("FR")),
        ("GB", Ok("GB")),
        ("SS", Ok("SS")),
        ("UK", Err(UnknownCountry)),
        ("XK", Err(UnknownCountry)),
        ("EU", Err(UnknownCountry)),
        ("ZZ", Err(UnknownCountry)),
        ("ESP", Err(InvalidFormat)),
        ("E", Err(InvalidFormat)),
        ("E1", Err(InvalidFormat)),
        ("É", Err(InvalidFormat)),
        ("", Err(Required)),
    ];
    for (code, expected) in cases {
        let found = masstack::check_country(code);
        let found = found.as_deref().map_err(|v| v.code);
        assert_eq!(found, expected, "{code:?}");
    }
}

#[test]
fn the_country_list_is_the_249_official_codes_sorted() {
    assert_eq!(COUNTRY_CODES.len(), 249);
    assert!(COUNTRY_CODES.windows(2).all(|pair| pair[0] < pair[1]));
    assert!(
        COUNTRY_CODES
            .iter()
            .all(|code| code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()))
    );
}

#[test]
fn durations_are_read_in_weeks_days_hours_minutes_and_seconds() {
    let cases: &[(&str, Option<u64>)] = &[
        ("P30D", Some(2_592_000)),
        ("p30d", Some(2_592_000)),
        (" P30D ", Some(2_592_000)),
        ("P1W", Some(604_800)),
        ("P1W2D", Some(777_600)),
        ("PT720H", Some(2_592_000)),
        ("P1DT12H", Some(129_600)),
        ("PT90M", Some(5_400)),
        ("PT45S", Some(45)),
        ("P1DT1H1M1S", Some(90_061)),
        ("PT0S", Some(0)),
        ("P1M", None),
        ("P1Y", None),
        ("P1Y2D", None),
        ("P", None),
        ("PT", None),
        ("P1DT", None),
        ("P1D1W", None),
        ("PT1M1H", None),
        ("P1H", None),
        ("PT1D", None),
        ("PT0.5H", Some(1_800)),
        ("P1.5D", Some(129_600)),
        ("PT1,5M", Some(90)),
        ("pt1,5m", Some(90)),
        ("P0.5W", Some(302_400)),
        ("P1DT0.25H", Some(87_300)),
        ("P1W1.5D", Some(734_400)),
        ("PT1H1.5S", Some(3_602)),
        ("PT0.5S", Some(1)),
        ("PT1.25S", Some(2)),
        ("PT0.000000000000000001S", Some(1)),
        ("PT0.0000000000000000001S", None),
        ("PT0.0S", Some(0)),
        ("P29.999999999999999999D", Some(2_592_000)),
        ("P1.5DT1H", None),
        ("PT1.5H30M", None),
        ("P0.5WT1H", None),
        ("PT.5H", None),
        ("PT1.H", None),
        ("PT1..5H", None),
        ("PT1.5.5H", None),
        ("PT1,5,H", None),
        ("P1.5", None),
        ("PT1 .5H", None),
        ("P1.5M", None),
        ("P1.5Y", None),
        ("-P1D", None),
        ("30D", None),
        ("P1DT1HT1M", None),
        ("PD", None),
        ("P1", None),
        ("P99999999999999999999D", None),
        ("P213503982334601W", None),
        ("thirty days", None),
        ("", None),
    ];
    for &(text, seconds) in cases {
        assert_eq!(masstack::parse_duration(text), seconds, "{text:?}");
    }
}

#[test]
fn expires_in_is_at_most_30_days() {
    let cases: &[(&str, Result<u64, MasCode>)] = &[
        ("P30D", Ok(2_592_000)),
        ("PT720H", Ok(2_592_000)),
        ("P4W2D", Ok(2_592_000)),
        ("PT1S", Ok(1)),
        ("P31D", Err(DurationTooLong)),
        ("PT721H", Err(DurationTooLong)),
        ("P30DT1S", Err(DurationTooLong)),
        ("P5W", Err(DurationTooLong)),
        ("P29.5D", Ok(2_548_800)),
        ("PT0.5S", Ok(1)),
        ("P4.2857142W", Ok(2_592_000)),
        ("P30.5D", Err(DurationTooLong)),
        ("P30DT0.5S", Err(DurationTooLong)),
        ("P4.3W", Err(DurationTooLong)),
        ("PT0.0S", Err(InvalidDuration)),
        ("P1.5DT1H", Err(InvalidDuration)),
        ("P1M", Err(InvalidDuration)),
        ("PT0S", Err(InvalidDuration)),
        ("garbage", Err(InvalidDuration)),
    ];
    for &(text, expected) in cases {
        let found = masstack::check_expires_in(text);
        assert_eq!(
            found.as_ref().copied().map_err(|v| v.code),
            expected,
            "{text}"
        );
        if let Err(violation) = found {
            assert_eq!(violation.property, field::EXPIRES_IN, "{text}");
        }
    }
}

#[test]
fn durations_are_written_in_one_spelling() {
    let cases = [
        (0, "PT0S"),
        (1, "PT1S"),
        (90, "PT1M30S"),
        (3_600, "PT1H"),
        (129_600, "P1DT12H"),
        (604_800, "P7D"),
        (2_592_000, "P30D"),
        (2_595_661, "P30DT1H1M1S"),
    ];
    for (seconds, text) in cases {
        assert_eq!(masstack::format_duration(seconds), text, "{seconds}");
        assert_eq!(masstack::parse_duration(text), Some(seconds), "{text}");
    }
}

/// `{"identity_document": …}` with a valid NIF, `extra` merged over the top level.
fn with_document(extra: Value) -> Value {
    let mut body =
        json!({"identity_document": {"document_number": "12345678Z", "document_type": "NIF"}});
    let (Value::Object(body_fields), Value::Object(extra)) = (&mut body, extra) else {
        panic!("both are objects");
    };
    body_fields.extend(extra);
    body
}

/// A label, a create body, and the (field, code) of each violation it must report, in order.
type RequestCase = (&'static str, Value, Vec<(&'static str, MasCode)>);

#[test]
fn create_requests_report_every_violation_in_field_order() {
    let long = |n: usize| "x".repeat(n);
    let document = field::DOCUMENT_NUMBER;
    let cases: Vec<RequestCase> = vec![
        ("a bare NIF", with_document(json!({})), vec![]),
        (
            "seed 004's example",
            serde_json::from_str(CREATE_REQUEST).expect("JSON"),
            vec![],
        ),
        (
            "an empty body",
            json!({}),
            vec![(field::IDENTITY_DOCUMENT, Required)],
        ),
        (
            "an empty identity document",
            json!({"identity_document": {}}),
            vec![(document, Required), (field::DOCUMENT_TYPE, Required)],
        ),
        (
            "a number without a type",
            json!({"identity_document": {"document_number": "12345678Z"}}),
            vec![(field::DOCUMENT_TYPE, Required)],
        ),
        (
            "a type without a number",
            json!({"identity_document": {"document_type": "PASSPORT", "document_number": " "}}),
            vec![(document, Required)],
        ),
        (
            "an NIE with a wrong letter",
            json!({"identity_document": {"document_number": "X1234567A", "document_type": "NIE"}}),
            vec![(document, WrongCheckLetter { expected: 'L' })],
        ),
        (
            "an unknown country",
            json!({"identity_document": {"document_number": "PAA000000", "document_type": "PASSPORT", "country": "ZZ"}}),
            vec![(field::COUNTRY, UnknownCountry)],
        ),
        (
            "a blank country is no country",
            json!({"identity_document": {"document_number": "PAA000000", "document_type": "PASSPORT", "country": " "}}),
            vec![],
        ),
        (
            "30 days",
            with_document(json!({"expires_in": "P30D"})),
            vec![],
        ),
        (
            "31 days",
            with_document(json!({"expires_in": "P31D"})),
            vec![(field::EXPIRES_IN, DurationTooLong)],
        ),
        (
            "721 hours",
            with_document(json!({"expires_in": "PT721H"})),
            vec![(field::EXPIRES_IN, DurationTooLong)],
        ),
        (
            "a month",
            with_document(json!({"expires_in": "P1M"})),
            vec![(field::EXPIRES_IN, InvalidDuration)],
        ),
        (
            "a blank expiry is the default",
            with_document(json!({"expires_in": ""})),
            vec![],
        ),
        (
            "a name of 100 characters",
            with_document(json!({"name": long(100)})),
            vec![],
        ),
        (
            "a name of 101 characters",
            with_document(json!({"name": long(101)})),
            vec![(field::NAME, TooLong)],
        ),
        (
            "a last name of 101 characters",
            with_document(json!({"last_name": long(101)})),
            vec![(field::LAST_NAME, TooLong)],
        ),
        (
            "several violations",
            json!({"expires_in": "P1Y", "name": long(101),
                   "identity_document": {"country": "ESP", "document_type": "NIE", "document_number": "X1234567A"}}),
            vec![
                (field::NAME, TooLong),
                (document, WrongCheckLetter { expected: 'L' }),
                (field::COUNTRY, InvalidFormat),
                (field::EXPIRES_IN, InvalidDuration),
            ],
        ),
    ];
    for (label, body, expected) in cases {
        let request: CreateIdentityDocumentIdentificationRequest =
            serde_json::from_value(body).expect(label);
        let found: Vec<(String, MasCode)> = masstack::check_create_request(&request)
            .into_iter()
            .map(|v| (v.property, v.code))
            .collect();
        let expected: Vec<(String, MasCode)> = expected
            .into_iter()
            .map(|(f, c)| (f.to_owned(), c))
            .collect();
        assert_eq!(found, expected, "{label}");
        assert_eq!(
            masstack::validate_create_request(&request).is_ok(),
            found.is_empty(),
            "{label}"
        );
    }
}

#[test]
fn unknown_enum_texts_do_not_parse() {
    let bodies = [
        json!({"identity_document": {"document_type": "DNI"}}),
        json!({"identity_document": {"document_type": "nif"}}),
        json!({"configuration_name": "low"}),
        json!({"configuration_name": "EXTREME"}),
        json!({"scoring": {"provider": "OTHER"}}),
        json!({"expires_in": 30}),
    ];
    for body in bodies {
        let parsed =
            serde_json::from_value::<CreateIdentityDocumentIdentificationRequest>(body.clone());
        assert!(parsed.is_err(), "{body}");
    }
}

#[test]
fn a_valid_request_is_normalised_into_a_pending_identification() {
    let request: CreateIdentityDocumentIdentificationRequest = serde_json::from_value(json!({
        "name": "  Lucía ",
        "last_name": "  ",
        "identity_document": {"document_number": " x1234567-l ", "document_type": "NIE", "country": "es"},
        "expires_in": "pt720h",
        "scoring": {"provider": "EXTERNAL"}
    }))
    .expect("parses");
    let valid = masstack::validate_create_request(&request).expect("valid");
    assert_eq!(
        valid,
        ValidCreateRequest {
            name: Some("Lucía".into()),
            last_name: None,
            document_number: "X1234567L".into(),
            document_type: Nie,
            country: Some("ES".into()),
            configuration_name: None,
            expires_in: "P30D".into(),
            expires_in_seconds: 2_592_000,
            scoring_provider: Some(ScoringProvider::External),
        }
    );
    let identification = valid.into_identification(
        "0b7f3c2e-9a41-4c1e-8a55-3f1d2c4b6a70".into(),
        "masmovil".into(),
        "2025-06-01T10:00:00Z".into(),
        "2025-07-01T10:00:00Z".into(),
    );
    let expected = json!({
        "id": "0b7f3c2e-9a41-4c1e-8a55-3f1d2c4b6a70",
        "org_id": "masmovil",
        "state": "PENDING",
        "name": "Lucía",
        "last_name": null,
        "identity_document": {"document_number": "X1234567L", "document_type": "NIE", "country": "ES"},
        "configuration_name": null,
        "expires_in": "P30D",
        "expires_at": "2025-07-01T10:00:00Z",
        "scoring": {"provider": "EXTERNAL"},
        "created_at": "2025-06-01T10:00:00Z",
        "cancel_reason": null
    });
    assert_eq!(
        serde_json::to_value(&identification).expect("serialises"),
        expected
    );
    round_trip::<masstack::Identification>("the identification", &expected.to_string());
}

#[test]
fn an_absent_expiry_is_thirty_days() {
    let request: CreateIdentityDocumentIdentificationRequest =
        serde_json::from_value(with_document(json!({}))).expect("parses");
    let valid = masstack::validate_create_request(&request).expect("valid");
    assert_eq!(valid.expires_in, masstack::DEFAULT_EXPIRES_IN);
    assert_eq!(valid.expires_in_seconds, masstack::MAX_EXPIRES_IN_SECONDS);
}

#[test]
fn cancels_need_a_reason() {
    let long = |n: usize| "r".repeat(n);
    let cases: Vec<(Value, Result<String, MasCode>)> = vec![
        (
            json!({"reason": "Duplicate request"}),
            Ok("Duplicate request".into()),
        ),
        (
            json!({"reason": "  Wrong person \n"}),
            Ok("Wrong person".into()),
        ),
        (json!({"reason": long(500)}), Ok(long(500))),
        (json!({"reason": long(501)}), Err(TooLong)),
        (json!({"reason": "   "}), Err(Required)),
        (json!({"reason": null}), Err(Required)),
        (json!({}), Err(Required)),
    ];
    for (body, expected) in cases {
        let request: CancelIdentificationRequest =
            serde_json::from_value(body.clone()).expect("parses");
        let found = masstack::validate_cancel_request(&request).map_err(|v| {
            assert_eq!(v.len(), 1, "{body}");
            assert_eq!(v[0].property, field::REASON, "{body}");
            v[0].code
        });
        assert_eq!(found, expected, "{body}");
        assert_eq!(
            masstack::check_cancel_request(&request).is_empty(),
            found.is_ok(),
            "{body}"
        );
    }
}

#[test]
fn only_a_pending_identification_can_change() {
    use IdentificationAction::*;
    use IdentificationState::*;
    let cases = [
        (Pending, Cancel, Some(Cancelled)),
        (Pending, Validate, Some(Completed)),
        (Completed, Cancel, None),
        (Completed, Validate, None),
        (Cancelled, Cancel, None),
        (Cancelled, Validate, None),
        (Expired, Cancel, None),
        (Expired, Validate, None),
    ];
    for (state, action, after) in cases {
        assert_eq!(state.after(action), after, "{state} {action:?}");
        assert_eq!(state.is_final(), after.is_none(), "{state}");
    }
}

#[test]
fn expiry_ends_only_a_pending_identification() {
    use IdentificationState::*;
    let cases = [
        (Pending, false, Pending),
        (Pending, true, Expired),
        (Completed, true, Completed),
        (Cancelled, true, Cancelled),
        (Expired, false, Expired),
    ];
    for (state, past_expiry, seen) in cases {
        assert_eq!(
            state.as_of(past_expiry),
            seen,
            "{state} past expiry: {past_expiry}"
        );
    }
}

/// Every value of `all` is written as its `as_str`, read back, and found by `parse`.
fn check_string_enum<T>(
    all: &[T],
    as_str: fn(T) -> &'static str,
    parse: fn(&str) -> Option<T>,
    texts: &[&str],
) where
    T: Copy + PartialEq + std::fmt::Debug + Serialize + DeserializeOwned,
{
    let written: Vec<&str> = all.iter().map(|v| as_str(*v)).collect();
    assert_eq!(written, texts);
    for &value in all {
        let json = serde_json::to_value(value).expect("serialises");
        assert_eq!(json, json!(as_str(value)));
        assert_eq!(serde_json::from_value::<T>(json).expect("parses"), value);
        assert_eq!(parse(as_str(value)), Some(value));
    }
    assert_eq!(parse(&texts[0].to_lowercase()), None);
}

#[test]
fn enums_are_written_as_the_seed_spells_them() {
    check_string_enum(
        DocumentType::ALL,
        DocumentType::as_str,
        DocumentType::parse,
        &["NIF", "NIE", "PASSPORT"],
    );
    check_string_enum(
        ConfigurationName::ALL,
        ConfigurationName::as_str,
        ConfigurationName::parse,
        &["LOW", "MEDIUM", "HIGH"],
    );
    check_string_enum(
        ScoringProvider::ALL,
        ScoringProvider::as_str,
        ScoringProvider::parse,
        &["INTERNAL", "EXTERNAL"],
    );
    check_string_enum(
        IdentificationState::ALL,
        IdentificationState::as_str,
        IdentificationState::parse,
        &["PENDING", "COMPLETED", "CANCELLED", "EXPIRED"],
    );
}

#[test]
fn violations_become_an_errors_response() {
    let violations = [
        masstack::required(field::DOCUMENT_TYPE),
        masstack::check_document_number(Nif, "12345678A").expect_err("wrong letter"),
        masstack::invalid_choice(field::CONFIGURATION_NAME, &["LOW", "MEDIUM", "HIGH"]),
    ];
    assert_eq!(
        serde_json::to_value(ErrorsResponse::from_violations(&violations)).expect("serialises"),
        json!({"errors": [
            {"field": "identity_document.document_type", "code": "required", "message": "is required"},
            {"field": "identity_document.document_number", "code": "wrong_check_letter", "message": "the check letter should be Z"},
            {"field": "configuration_name", "code": "invalid_choice", "message": "must be one of LOW, MEDIUM, HIGH"}
        ]})
    );
    assert_eq!(
        violations[0].to_string(),
        "identity_document.document_type: is required"
    );
    assert_eq!(
        serde_json::to_value(ErrorsResponse::single(
            "authorization",
            "unauthenticated",
            "no token"
        ))
        .expect("serialises"),
        json!({"errors": [{"field": "authorization", "code": "unauthenticated", "message": "no token"}]})
    );
}

/// Parses `fixture` as `T`, writes it back, and compares the JSON values.
fn round_trip<T: DeserializeOwned + Serialize>(name: &str, fixture: &str) {
    let parsed: T = serde_json::from_str(fixture).unwrap_or_else(|e| panic!("{name} parses: {e}"));
    let original: Value = serde_json::from_str(fixture).expect("the fixture is JSON");
    assert_eq!(
        serde_json::to_value(&parsed).expect("serialises"),
        original,
        "{name}"
    );
}

#[test]
fn the_seed_request_round_trips_in_the_seed_order() {
    round_trip::<CreateIdentityDocumentIdentificationRequest>(
        "masstack_create_request.json",
        CREATE_REQUEST,
    );
    let request: CreateIdentityDocumentIdentificationRequest =
        serde_json::from_str(CREATE_REQUEST).expect("parses");
    let written = serde_json::to_string_pretty(&request).expect("serialises");
    assert_eq!(written, CREATE_REQUEST.trim_end());
    let empty = CreateIdentityDocumentIdentificationRequest::default();
    assert_eq!(serde_json::to_value(empty).expect("serialises"), json!({}));
}
