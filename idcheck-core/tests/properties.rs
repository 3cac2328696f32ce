//! Property tests of every parser and rule `idcheck-core` exposes (issue 11): dates, files and
//! `data:` URLs, the member's and the API's rules, the enums and records read from JSON, invitation
//! codes, MasStack's rules and the flow kept across a reload.
//!
//! The unit tests beside each module pin the cases someone thought of; these throw generated and
//! mutated input at the same public functions, because the gateway and the server run them on
//! whatever a client sends. Beyond "never panics", each property states what must hold of the
//! answer: a refusal names a property of the record it judged, a round trip gives back what went
//! in, a normalised value normalises to itself.
//!
//! Failures are not persisted to `proptest-regressions/`: a bug a property finds is kept below as
//! an explicit regression test instead, where a reader sees it.

use std::collections::BTreeSet;

use idcheck_core::backoff;
use idcheck_core::date::{self, Date};
use idcheck_core::error::CoreError;
use idcheck_core::files::{self, Accepts, FileType, ImageType, MAX_FILE_BYTES, MIN_FILE_BYTES};
use idcheck_core::flow::{
    Blocker, Details, Flow, Milestone, Purpose, PurposeSetting, Settings, Snapshot, Step,
};
use idcheck_core::invitation;
use idcheck_core::masstack::{
    self, COUNTRY_CODES, CancelIdentificationRequest, ConfigurationName,
    CreateIdentityDocumentIdentificationRequest, DocumentType, ErrorsResponse, Identification,
    IdentificationAction, IdentificationState, IdentityDocument, MasCode, ScoringProvider, field,
};
use idcheck_core::model::{
    AddressDocumentType, ApiEnum, ApiValidationError, Business, Coworker, CoworkerIdentityCheck,
    CoworkerIdentityCheckDocument, CreatedValue, IdentityCheckProvider, IdentityDocumentType,
    ListEnvelope, NewCoworkerIdentityCheck, NewCoworkerIdentityCheckDocument, SortDirection,
    VerificationStatus, VerificationType, WriteEnvelope,
};
use idcheck_core::rules;
use idcheck_core::slots::{self, DocumentKind, Need, Slot};
use idcheck_core::violation::{Violation, ViolationCode};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

const CHECK_GET: &str = include_str!("fixtures/check_get.json");
const DOCUMENT_GET: &str = include_str!("fixtures/document_get.json");
const CREATE_SUCCESS: &str = include_str!("fixtures/create_success.json");
const CREATE_FAILURE: &str = include_str!("fixtures/create_failure.json");
const MASSTACK_CREATE_REQUEST: &str = include_str!("fixtures/masstack_create_request.json");

/// The JSON names of a check's create body (seed 002), in the order the rules check them.
const NEW_CHECK_FIELDS: &[&str] = &[
    "BusinessId",
    "CoworkerId",
    "Name",
    "IdentityCheckProvider",
    "IdentityDocumentType",
    "IdentityDocumentNumber",
    "IdentityDocumentIssuedBy",
    "IdentityDocumentExpirationDate",
    "AddressDocumentType",
    "VerificationType",
    "Description",
    "Billed",
    "StripeVerificationSessionId",
    "IdentityCheckProvider1",
    "VerificationType1",
    "Description1",
    "IdentityCheckProvider2",
    "VerificationType2",
    "Description2",
];

/// The JSON names of a document's create body (seed 000), in the order the rules check them.
const NEW_DOCUMENT_FIELDS: &[&str] = &[
    "CoworkerId",
    "CoworkerIdentityCheckId",
    "Name",
    "NewPhotoUrl",
    "ClearPhotoFile",
    "NewDocumentUrl",
    "ClearDocumentFile",
    "NewAdditionalDocumentUrl",
    "ClearAdditionalDocumentFile",
    "Notes",
];

/// The fields of a MasStack create request, in the order its rules check them.
const MASSTACK_CREATE_FIELDS: &[&str] = &[
    field::NAME,
    field::LAST_NAME,
    field::IDENTITY_DOCUMENT,
    field::DOCUMENT_NUMBER,
    field::DOCUMENT_TYPE,
    field::COUNTRY,
    field::EXPIRES_IN,
];

/// No `proptest-regressions/` files: found bugs are kept as the explicit tests at the end.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn real_date(year: i32, month: u8, day: u8) -> Date {
    Date::new(year, month, day).expect("a real date")
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/// Any real date, the year anywhere in `i32`.
fn any_date() -> impl Strategy<Value = Date> {
    (any::<i32>(), 1u8..=12, 1u8..=31).prop_filter_map("a real day", |(y, m, d)| Date::new(y, m, d))
}

/// A real date whose year has four digits, the years `YYYY-MM-DD` can write.
fn written_date() -> impl Strategy<Value = Date> {
    (0i32..=9999, 1u8..=12, 1u8..=31).prop_filter_map("a real day", |(y, m, d)| Date::new(y, m, d))
}

/// A date near the present, where members' documents expire.
fn recent_date() -> impl Strategy<Value = Date> {
    (1990i32..=2060, 1u8..=12, 1u8..=31)
        .prop_filter_map("a real day", |(y, m, d)| Date::new(y, m, d))
}

/// What may follow a date in the ISO 8601 forms `Date::parse` documents: nothing, or a time of
/// day with an optional fraction and zone.
fn time_suffix() -> impl Strategy<Value = String> {
    let clock = (
        0u8..24,
        0u8..60,
        prop::option::of((0u8..=60, prop::option::of("[0-9]{1,6}"))),
    )
        .prop_map(|(h, m, seconds)| match seconds {
            None => format!("{h:02}:{m:02}"),
            Some((s, None)) => format!("{h:02}:{m:02}:{s:02}"),
            Some((s, Some(fraction))) => format!("{h:02}:{m:02}:{s:02}.{fraction}"),
        });
    let zone = prop_oneof![
        Just(String::new()),
        Just("Z".to_owned()),
        (
            prop::sample::select(vec!['+', '-']),
            0u8..24,
            0u8..60,
            0u8..3
        )
            .prop_map(|(sign, h, m, form)| match form {
                0 => format!("{sign}{h:02}"),
                1 => format!("{sign}{h:02}{m:02}"),
                _ => format!("{sign}{h:02}:{m:02}"),
            }),
    ];
    prop_oneof![
        Just(String::new()),
        (clock, zone).prop_map(|(clock, zone)| format!("T{clock}{zone}")),
    ]
}

/// A date written in one of the forms the API and date inputs use.
fn date_text() -> impl Strategy<Value = String> {
    (recent_date(), time_suffix()).prop_map(|(date, suffix)| format!("{date}{suffix}"))
}

/// `text` with one character replaced: near misses of a valid form.
fn mutate_one_char(text: String, at: Index, with: char) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if !chars.is_empty() {
        let i = at.index(chars.len());
        chars[i] = with;
    }
    chars.into_iter().collect()
}

/// Text of the kinds a member or a client sends: anything, blanks, plausible identifiers, dates
/// and their near misses, and texts around the length limits.
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        3 => ".{0,24}",
        1 => "[ \t\n]{0,3}",
        2 => "[A-Za-z0-9 -]{1,60}",
        2 => date_text(),
        1 => (date_text(), any::<Index>(), any::<char>())
            .prop_map(|(text, at, with)| mutate_one_char(text, at, with)),
        1 => "[x]{45,55}",
        1 => "[x]{95,105}",
        1 => "[x]{195,205}",
    ]
    .boxed()
}

/// Any JSON value, a few levels deep.
fn json_value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-3i64..=12).prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(".{0,8}", inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
    .boxed()
}

/// A value for a record's field: mostly of a plausible type, sometimes anything.
fn field_value() -> BoxedStrategy<Value> {
    prop_oneof![
        2 => json_value(),
        2 => (-3i64..=12).prop_map(Value::from),
        1 => Just(json!(99)),
        1 => any::<i64>().prop_map(Value::from),
        3 => text().prop_map(Value::String),
        1 => any::<bool>().prop_map(Value::Bool),
    ]
    .boxed()
}

/// `example` with its fields kept, dropped or replaced at random, recursively: bodies that are
/// mostly well-formed, so parsing succeeds often enough for the rules behind it to be reached.
fn mutated(example: &Value) -> BoxedStrategy<Value> {
    match example {
        Value::Object(fields) => {
            let parts: Vec<BoxedStrategy<Option<(String, Value)>>> = fields
                .iter()
                .map(|(key, value)| {
                    let key = key.clone();
                    prop_oneof![
                        6 => mutated(value).prop_map(Some),
                        1 => Just(None),
                        1 => field_value().prop_map(Some),
                    ]
                    .prop_map(move |value| value.map(|value| (key.clone(), value)))
                    .boxed()
                })
                .collect();
            parts
                .prop_map(|parts| Value::Object(parts.into_iter().flatten().collect()))
                .boxed()
        }
        Value::Array(items) => {
            let items: Vec<BoxedStrategy<Value>> = items.iter().map(mutated).collect();
            items.prop_map(Value::Array).boxed()
        }
        leaf => prop_oneof![3 => Just(leaf.clone()), 1 => field_value()].boxed(),
    }
}

/// A complete, valid identity check's create body, every field given.
fn full_check_body() -> Value {
    json!({
        "BusinessId": 1, "CoworkerId": 2, "Name": "Identity check",
        "IdentityCheckProvider": 1, "IdentityDocumentType": 1,
        "IdentityDocumentNumber": "X1234567", "IdentityDocumentIssuedBy": "HM Passport Office",
        "IdentityDocumentExpirationDate": "2030-05-01T00:00:00Z", "AddressDocumentType": 4,
        "VerificationType": 1, "Description": "d", "Billed": false,
        "StripeVerificationSessionId": "vs_1", "IdentityCheckProvider1": 2,
        "VerificationType1": 2, "Description1": "d1", "IdentityCheckProvider2": 0,
        "VerificationType2": 0, "Description2": "d2"
    })
}

/// A complete document create body, every field given.
fn full_document_body() -> Value {
    json!({
        "CoworkerId": 2, "CoworkerIdentityCheckId": 3, "Name": "Passport",
        "NewPhotoUrl": "https://example.com/p.jpg", "ClearPhotoFile": false,
        "NewDocumentUrl": "https://example.com/d.jpg", "ClearDocumentFile": false,
        "NewAdditionalDocumentUrl": " ", "ClearAdditionalDocumentFile": true, "Notes": "n"
    })
}

/// Check bodies: mutated complete ones, and objects of the body's field names with any values.
fn check_body() -> BoxedStrategy<Value> {
    let keyed =
        prop::collection::btree_map(prop::sample::select(NEW_CHECK_FIELDS), field_value(), 0..8)
            .prop_map(|map| {
                Value::Object(
                    map.into_iter()
                        .map(|(key, value)| (key.to_owned(), value))
                        .collect(),
                )
            });
    prop_oneof![3 => mutated(&full_check_body()), 1 => keyed, 1 => json_value()].boxed()
}

fn slot() -> impl Strategy<Value = Slot> {
    prop::sample::select(Slot::ALL.to_vec())
}

fn document_kind() -> impl Strategy<Value = DocumentKind> {
    prop_oneof![
        prop::sample::select(IdentityDocumentType::ALL).prop_map(DocumentKind::Identity),
        prop::sample::select(AddressDocumentType::ALL).prop_map(DocumentKind::Address),
    ]
}

fn image_type() -> impl Strategy<Value = ImageType> {
    prop::sample::select(ImageType::ALL.to_vec())
}

/// The first bytes of an image of `image`, its magic number (a WebP's with any RIFF size).
fn magic(image: ImageType, riff_size: [u8; 4]) -> Vec<u8> {
    match image {
        ImageType::Jpeg => vec![0xFF, 0xD8, 0xFF],
        ImageType::Png => b"\x89PNG\r\n\x1a\n".to_vec(),
        ImageType::Webp => [b"RIFF".as_slice(), &riff_size, b"WEBP"].concat(),
    }
}

/// `n` characters that are not whitespace, padded with whitespace the rules trim away: a text
/// whose trimmed length is exactly `n`.
fn padded_text(
    chars: impl Strategy<Value = char>,
    n: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = (String, usize)> {
    (
        "[ \t\n]{0,2}",
        prop::collection::vec(chars, n),
        "[ \t\n]{0,2}",
    )
        .prop_map(|(before, core, after)| {
            let length = core.len();
            (
                format!("{before}{}{after}", core.into_iter().collect::<String>()),
                length,
            )
        })
}

/// One of `words`, and the same word with each letter's case chosen at random.
fn any_case(words: Vec<&'static str>) -> impl Strategy<Value = (&'static str, String)> {
    prop::sample::select(words).prop_flat_map(|word| {
        prop::collection::vec(any::<bool>(), word.len()).prop_map(move |upper| {
            let typed = word
                .chars()
                .zip(upper)
                .map(|(c, u)| if u { c.to_ascii_uppercase() } else { c })
                .collect();
            (word, typed)
        })
    })
}

fn non_blank_char() -> impl Strategy<Value = char> {
    any::<char>().prop_filter("not whitespace", |c| !c.is_whitespace())
}

// ---------------------------------------------------------------------------------------------
// date
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn a_written_date_parses_back_in_every_form(date in written_date()) {
        prop_assert_eq!(Date::parse(&date.to_string()), Some(date));
        prop_assert_eq!(date.to_string().parse::<Date>(), Ok(date));
        prop_assert_eq!(Date::parse(&date.to_api_datetime()), Some(date));
    }

    #[test]
    fn a_date_with_any_valid_time_of_day_is_that_date(date in written_date(), suffix in time_suffix()) {
        let text = format!("{date}{suffix}");
        prop_assert_eq!(Date::parse(&text), Some(date), "{}", text);
    }

    #[test]
    fn what_parse_reads_is_the_date_the_text_starts_with(
        text in prop_oneof![
            ".{0,40}",
            date_text(),
            (date_text(), any::<Index>(), any::<char>())
                .prop_map(|(text, at, with)| mutate_one_char(text, at, with)),
        ]
    ) {
        match Date::parse(&text) {
            Some(date) => prop_assert!(text.starts_with(&date.to_string()), "{:?} read as {}", text, date),
            None => prop_assert_eq!(
                text.parse::<Date>(),
                Err(CoreError::InvalidDate { text: text.clone() })
            ),
        }
    }

    #[test]
    fn an_impossible_day_never_parses(year in 0i32..=9999, month in 0u8..=99, day in 0u8..=99) {
        let text = format!("{year:04}-{month:02}-{day:02}");
        prop_assert_eq!(Date::parse(&text).is_some(), Date::new(year, month, day).is_some(), "{}", text);
    }

    #[test]
    fn days_since_epoch_round_trips_for_every_date(date in any_date()) {
        prop_assert_eq!(Date::from_days_since_epoch(date.days_since_epoch()), date);
    }

    #[test]
    fn from_days_since_epoch_round_trips_and_saturates(days in prop_oneof![
        any::<i64>(),
        Date::MIN.days_since_epoch()..=Date::MAX.days_since_epoch(),
        -1_000_000i64..1_000_000,
    ]) {
        let date = Date::from_days_since_epoch(days);
        let clamped = days.clamp(Date::MIN.days_since_epoch(), Date::MAX.days_since_epoch());
        prop_assert_eq!(date.days_since_epoch(), clamped);
    }

    #[test]
    fn the_next_day_number_is_the_next_calendar_day(days in prop_oneof![
        -1_000_000i64..1_000_000,
        Date::MIN.days_since_epoch()..Date::MAX.days_since_epoch(),
    ]) {
        let today = Date::from_days_since_epoch(days);
        let tomorrow = Date::from_days_since_epoch(days + 1);
        let expected = Date::new(today.year(), today.month(), today.day() + 1)
            .or_else(|| Date::new(today.year(), today.month() + 1, 1))
            .or_else(|| Date::new(today.year() + 1, 1, 1));
        prop_assert_eq!(Some(tomorrow), expected);
    }

    #[test]
    fn dates_order_as_their_day_numbers(a in any_date(), b in any_date()) {
        prop_assert_eq!(a.cmp(&b), a.days_since_epoch().cmp(&b.days_since_epoch()));
    }

    #[test]
    fn a_leap_year_is_one_with_a_day_between_28_february_and_1_march(year in any::<i32>()) {
        let gap = real_date(year, 3, 1).days_since_epoch() - real_date(year, 2, 28).days_since_epoch();
        prop_assert_eq!(date::is_leap_year(year), gap == 2);
        prop_assert_eq!(Date::new(year, 2, 29).is_some(), gap == 2);
    }

    #[test]
    fn unix_seconds_are_written_as_their_date_and_sort_as_text(
        a in -62_167_219_200i64..=253_402_300_799,
        b in -62_167_219_200i64..=253_402_300_799,
    ) {
        let (text_a, text_b) = (date::format_unix_seconds(a), date::format_unix_seconds(b));
        prop_assert_eq!(Date::parse(&text_a), Some(Date::of_unix_seconds(a)), "{}", text_a);
        prop_assert_eq!(
            Date::of_unix_seconds(a),
            Date::from_days_since_epoch(a.div_euclid(86_400))
        );
        prop_assert_eq!(text_a.cmp(&text_b), a.cmp(&b), "{} {}", text_a, text_b);
    }
}

// ---------------------------------------------------------------------------------------------
// files
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn sniff_knows_each_magic_number_whatever_follows(
        image in image_type(),
        riff_size in any::<[u8; 4]>(),
        tail in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let bytes = [magic(image, riff_size), tail].concat();
        prop_assert_eq!(files::sniff(&bytes), Some(image));
    }

    #[test]
    fn sniff_names_a_type_only_for_its_magic_number(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..24),
            (image_type(), any::<[u8; 4]>(), any::<Index>(), any::<u8>()).prop_map(
                |(image, riff_size, at, byte)| {
                    let mut bytes = magic(image, riff_size);
                    let i = at.index(bytes.len());
                    bytes[i] = byte;
                    bytes
                }
            ),
            (image_type(), any::<[u8; 4]>(), any::<Index>())
                .prop_map(|(image, riff_size, at)| {
                    let bytes = magic(image, riff_size);
                    bytes[..at.index(bytes.len())].to_vec()
                }),
        ]
    ) {
        if let Some(image) = files::sniff(&bytes) {
            let riff_size: [u8; 4] = bytes.get(4..8).and_then(|s| s.try_into().ok()).unwrap_or_default();
            prop_assert!(bytes.starts_with(&magic(image, riff_size)), "{:?} as {}", bytes, image);
        }
    }

    #[test]
    fn file_rules_refuse_naming_the_property_they_were_given(
        property in prop::sample::select(vec!["NewPhotoUrl", "NewDocumentUrl", "NewAdditionalDocumentUrl"]),
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..300),
            (image_type(), any::<[u8; 4]>(), prop::collection::vec(any::<u8>(), 0..300))
                .prop_map(|(image, riff_size, tail)| [magic(image, riff_size), tail].concat()),
            prop::collection::vec(any::<u8>(), 0..300)
                .prop_map(|tail| [b"%PDF-".as_slice(), &tail].concat()),
        ],
    ) {
        let stored = files::check_stored_file(property, &bytes);
        let member = files::check_file(property, &bytes).map(FileType::Image);
        let member_pdf = files::check_member_file(property, &bytes, Accepts::ImagesOrPdf);
        for violation in [&stored, &member, &member_pdf].into_iter().filter_map(|r| r.as_ref().err()) {
            prop_assert_eq!(violation.property.as_str(), property);
            prop_assert!(!violation.message.is_empty());
            prop_assert_eq!(&violation.attempted, &Value::Null);
        }
        let expected_stored = if bytes.is_empty() {
            Err(ViolationCode::FileEmpty)
        } else {
            files::sniff_file(&bytes).ok_or(ViolationCode::FileNotAnImage)
        };
        prop_assert_eq!(stored.clone().map_err(|v| v.code), expected_stored);
        // Where a PDF is taken, the member rule only adds the minimum size to what the API stores.
        match member_pdf {
            Ok(file) => prop_assert_eq!(stored.clone(), Ok(file)),
            Err(violation) if !bytes.is_empty() && bytes.len() < MIN_FILE_BYTES => {
                prop_assert_eq!(violation.code, ViolationCode::FileTooSmall);
            }
            Err(violation) => prop_assert_eq!(Err(violation.code), expected_stored),
        }
        // Where only images are, a PDF is refused too.
        match member {
            Ok(image) => {
                prop_assert_eq!(stored, Ok(image));
                prop_assert!(bytes.len() >= MIN_FILE_BYTES);
            }
            Err(violation) if !bytes.is_empty() && bytes.len() < MIN_FILE_BYTES => {
                prop_assert_eq!(violation.code, ViolationCode::FileTooSmall);
            }
            Err(_) if expected_stored == Ok(FileType::Pdf) => {}
            Err(violation) => prop_assert_eq!(Err(violation.code), expected_stored),
        }
    }

    #[test]
    fn a_data_url_of_to_data_url_reads_back_the_same_bytes_and_type(
        image in image_type(),
        bytes in prop::collection::vec(any::<u8>(), 0..600),
    ) {
        let url = files::to_data_url(image, &bytes);
        prop_assert_eq!(
            files::parse_data_url(&url),
            Ok((Some(image.mime().to_owned()), bytes.clone()))
        );
    }

    #[test]
    fn base64_payloads_tolerate_whitespace_missing_padding_and_case_in_the_header(
        image in image_type(),
        bytes in prop::collection::vec(any::<u8>(), 0..200),
        breaks in prop::collection::vec((any::<Index>(), prop::sample::select(vec![" ", "\n", "\r\n", "\t"])), 0..6),
        unpadded in any::<bool>(),
        shouting in any::<bool>(),
    ) {
        let url = files::to_data_url(image, &bytes);
        let (header, payload) = url.split_once(',').expect("a data: URL has a comma");
        let mut payload = if unpadded { payload.trim_end_matches('=').to_owned() } else { payload.to_owned() };
        for (at, space) in breaks {
            let i = at.index(payload.len() + 1);
            payload.insert_str(i, space);
        }
        let header = if shouting { header.to_ascii_uppercase() } else { header.to_owned() };
        let url = format!("  {header},{payload}\n");
        prop_assert_eq!(
            files::parse_data_url(&url),
            Ok((Some(image.mime().to_owned()), bytes.clone())),
            "{:?}", url
        );
    }

    #[test]
    fn a_stray_character_in_base64_is_reported_where_it_stands(
        bytes in prop::collection::vec(any::<u8>(), 0..120),
        at in any::<Index>(),
        stray in prop_oneof![
            prop::sample::select(vec!['!', '#', '$', '%', '&', '*', '-', '_', '.', ':', '~', '@', '"']),
            any::<char>().prop_filter("outside base64", |c| {
                // Whitespace is skipped or, at the end, trimmed off the URL: never a stray.
                !c.is_ascii_alphanumeric() && !matches!(c, '+' | '/' | '=') && !c.is_whitespace()
            }),
        ],
    ) {
        let url = files::to_data_url(ImageType::Png, &bytes);
        let (header, payload) = url.split_once(',').expect("a data: URL has a comma");
        let unpadded = payload.trim_end_matches('=');
        let i = at.index(unpadded.len() + 1);
        let payload = format!("{}{stray}{}", &unpadded[..i], &unpadded[i..]);
        prop_assert_eq!(
            files::parse_data_url(&format!("{header},{payload}")),
            Err(CoreError::InvalidBase64 { offset: i })
        );
    }

    #[test]
    fn percent_escaped_payloads_decode_to_their_bytes(
        bytes in prop::collection::vec(any::<u8>(), 0..200),
        literal in prop::collection::vec(any::<bool>(), 200),
        upper in any::<bool>(),
    ) {
        let payload: String = bytes
            .iter()
            .zip(&literal)
            .map(|(&byte, &literal)| match byte {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' if literal => char::from(byte).to_string(),
                _ if upper => format!("%{byte:02X}"),
                _ => format!("%{byte:02x}"),
            })
            .collect();
        prop_assert_eq!(files::parse_data_url(&format!("data:,{payload}")), Ok((None, bytes.clone())));
    }

    #[test]
    fn parse_data_url_takes_any_text_and_reads_only_data_urls(
        url in prop_oneof![
            ".{0,40}",
            "(?i)data:[a-z/;=+ ]{0,20},[A-Za-z0-9+/=% ]{0,40}",
            "(?i)data:[a-z/;=+ ]{0,20};base64,.{0,40}",
        ]
    ) {
        match files::parse_data_url(&url) {
            Ok((media_type, _)) => {
                prop_assert!(url.trim().get(..5).is_some_and(|s| s.eq_ignore_ascii_case("data:")));
                if let Some(media_type) = media_type {
                    prop_assert!(!media_type.is_empty());
                    prop_assert_eq!(media_type.trim(), media_type.as_str());
                    prop_assert!(!media_type.contains([';', ',']));
                    prop_assert!(!media_type.chars().any(|c| c.is_ascii_uppercase()));
                }
            }
            Err(CoreError::InvalidDataUrl { reason }) => prop_assert!(!reason.is_empty()),
            Err(CoreError::InvalidBase64 { offset }) => {
                let payload = url.trim().split_once(',').map_or("", |(_, p)| p);
                prop_assert!(offset <= payload.len(), "offset {} in {:?}", offset, payload);
            }
            Err(other) => prop_assert!(false, "unexpected error {:?}", other),
        }
    }
}

proptest! {
    // Each case builds a 10 MB file: a handful is enough to walk the limit.
    #![proptest_config(config(6))]

    #[test]
    fn the_size_limit_is_exactly_max_file_bytes(image in image_type(), delta in -2i64..=2) {
        let length = (MAX_FILE_BYTES as i64 + delta) as usize;
        let mut bytes = magic(image, [0; 4]);
        bytes.resize(length, 0);
        let expected = if length > MAX_FILE_BYTES { Err(ViolationCode::FileTooLarge) } else { Ok(image) };
        prop_assert_eq!(files::check_file("NewDocumentUrl", &bytes).map_err(|v| v.code), expected);
        prop_assert_eq!(
            files::check_stored_file("NewDocumentUrl", &bytes).map_err(|v| v.code),
            expected.map(FileType::Image)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// rules
// ---------------------------------------------------------------------------------------------

/// The properties every report of the check rules must have: each violation names a field of
/// the create body (one per field, in field order), says something, and its attempted value is
/// `null` or the value the body gave.
fn assert_names_fields(
    violations: &[Violation],
    body: &Value,
    fields: &[&str],
) -> Result<(), TestCaseError> {
    let mut last = None;
    for violation in violations {
        let position = fields.iter().position(|f| *f == violation.property);
        prop_assert!(
            position.is_some(),
            "{} is not a field of the body",
            violation.property
        );
        prop_assert!(position > last, "{:?} out of field order", violations);
        last = position;
        prop_assert!(!violation.message.is_empty());
        // serde also reads a struct from a JSON array, by position: there is no name to look up.
        prop_assert!(
            !body.is_object()
                || violation.attempted.is_null()
                || body.get(&violation.property) == Some(&violation.attempted),
            "{} attempted {} but the body has {:?}",
            violation.property,
            violation.attempted,
            body.get(&violation.property)
        );
    }
    Ok(())
}

/// The 400 a list of violations becomes names each one's property, in order, and says them all.
fn assert_failure_envelope(violations: &[Violation]) -> Result<(), TestCaseError> {
    let envelope = WriteEnvelope::<CreatedValue>::failure(violations);
    let json = serde_json::to_value(&envelope).expect("serialises");
    prop_assert_eq!(&json["WasSuccessful"], &json!(false));
    let errors = json["Errors"].as_array().expect("Errors is a list");
    prop_assert_eq!(errors.len(), violations.len());
    for (error, violation) in errors.iter().zip(violations) {
        prop_assert_eq!(&error["PropertyName"], &json!(violation.property));
        prop_assert_eq!(&error["Message"], &json!(violation.message));
        prop_assert_eq!(&error["AttemptedValue"], &violation.attempted);
    }
    let message = json["Message"].as_str().expect("Message is text");
    let lines: Vec<&str> = if violations.is_empty() {
        vec![]
    } else {
        message.split('\n').collect()
    };
    prop_assert_eq!(lines.len(), violations.len());
    for (line, violation) in lines.iter().zip(violations) {
        prop_assert_eq!(
            *line,
            format!("{}: {}", violation.property, violation.message)
        );
    }
    Ok(())
}

/// A field of a valid identity check, and a way to break it.
#[derive(Debug, Clone)]
enum Breakage {
    BusinessId(Option<i64>),
    CoworkerId(Option<i64>),
    Name(Option<String>),
    DocumentType(Option<u16>),
    Number(Option<String>),
    IssuedBy(Option<String>),
    Expiry(Option<String>),
}

impl Breakage {
    fn property(&self) -> &'static str {
        match self {
            Breakage::BusinessId(_) => "BusinessId",
            Breakage::CoworkerId(_) => "CoworkerId",
            Breakage::Name(_) => "Name",
            Breakage::DocumentType(_) => "IdentityDocumentType",
            Breakage::Number(_) => "IdentityDocumentNumber",
            Breakage::IssuedBy(_) => "IdentityDocumentIssuedBy",
            Breakage::Expiry(_) => "IdentityDocumentExpirationDate",
        }
    }
}

/// One field of a valid identity check broken (absent, blank, too long, malformed or, for the
/// expiry, in the past relative to `2025-06-15 + 0..3650 days`).
fn breakage() -> impl Strategy<Value = Breakage> {
    let blank = "[ \t]{0,2}";
    prop_oneof![
        prop::option::of(i64::MIN..=0).prop_map(Breakage::BusinessId),
        prop::option::of(i64::MIN..=0).prop_map(Breakage::CoworkerId),
        prop::option::of(prop_oneof![blank.boxed(), "[a-z]{201,230}".boxed()])
            .prop_map(Breakage::Name),
        prop::option::of(Just(0u16)).prop_map(Breakage::DocumentType),
        prop::option::of(prop_oneof![
            blank.boxed(),
            "[A-Z0-9]{51,60}".boxed(),
            "[A-Z0-9]{0,10}[#/.,_@!?*+][A-Z0-9]{0,10}".boxed(),
        ])
        .prop_map(Breakage::Number),
        prop::option::of(prop_oneof![blank.boxed(), "[A-Za-z]{101,120}".boxed()])
            .prop_map(Breakage::IssuedBy),
        prop::option::of(prop_oneof![
            blank.boxed(),
            (1990i32..=2024, 1u8..=12, 1u8..=28)
                .prop_map(|(y, m, d)| real_date(y, m, d).to_string())
                .boxed(),
            "[0-9]{4}-(1[3-9]|00)-[0-2][0-9]".boxed(),
            "[a-z]{1,10}".boxed(),
        ])
        .prop_map(Breakage::Expiry),
    ]
}

/// A valid `IdDocument` check, its expiry on or after `today`.
fn valid_identity_check() -> impl Strategy<Value = (Value, Date)> {
    (
        1i64..=i64::MAX,
        1i64..=i64::MAX,
        padded_text(non_blank_char(), 1..=200),
        prop::sample::select(IdentityDocumentType::ALL[1..].to_vec()),
        "[A-Za-z0-9ÄÉñ]([A-Za-z0-9ÄÉñ -]{0,48}[A-Za-z0-9ÄÉñ])?",
        padded_text(non_blank_char(), 1..=100),
        (0i64..3650, 0i64..3650, time_suffix()),
    )
        .prop_map(
            |(
                business,
                coworker,
                (name, _),
                kind,
                number,
                (issued_by, _),
                (today, ahead, suffix),
            )| {
                let today =
                    Date::from_days_since_epoch(real_date(2025, 6, 15).days_since_epoch() + today);
                let expiry = Date::from_days_since_epoch(today.days_since_epoch() + ahead);
                let body = json!({
                    "BusinessId": business, "CoworkerId": coworker, "Name": name,
                    "VerificationType": 1, "IdentityDocumentType": kind.code(),
                    "IdentityDocumentNumber": number, "IdentityDocumentIssuedBy": issued_by,
                    "IdentityDocumentExpirationDate": format!("{expiry}{suffix}"),
                });
                (body, today)
            },
        )
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_check_body_parses_or_is_refused_and_every_violation_names_one_of_its_fields(
        body in check_body(),
        today in recent_date(),
    ) {
        let Ok(check) = serde_json::from_value::<NewCoworkerIdentityCheck>(body.clone()) else {
            return Ok(());
        };
        let member = rules::check_identity_check(&check, today);
        let record = rules::check_identity_check_record(&check);
        assert_names_fields(&member, &body, NEW_CHECK_FIELDS)?;
        assert_names_fields(&record, &body, NEW_CHECK_FIELDS)?;
        assert_failure_envelope(&member)?;
        // The member rules only add to the API's, so a member never meets an upstream 400 first.
        for violation in &record {
            prop_assert!(member.contains(violation), "{} only in the API's rules", violation);
        }
        // The API's own required fields are required by both.
        for property in ["BusinessId", "CoworkerId", "Name"] {
            if body.is_object() && body.get(property).is_none() {
                prop_assert!(record.iter().any(|v| v.property == property && v.code == ViolationCode::Required));
            }
        }
    }

    #[test]
    fn a_later_today_only_adds_violations(body in check_body(), a in recent_date(), b in recent_date()) {
        let Ok(check) = serde_json::from_value::<NewCoworkerIdentityCheck>(body) else {
            return Ok(());
        };
        let (earlier, later) = if a <= b { (a, b) } else { (b, a) };
        let before = rules::check_identity_check(&check, earlier);
        let after = rules::check_identity_check(&check, later);
        for violation in &before {
            prop_assert!(after.contains(violation), "{} vanished as time passed", violation);
        }
        for violation in after.iter().filter(|v| !before.contains(v)) {
            prop_assert_eq!(violation.code, ViolationCode::DateInPast);
        }
    }

    #[test]
    fn a_valid_identity_check_passes_and_one_broken_field_is_named_alone(
        (body, today) in valid_identity_check(),
        breakage in breakage(),
    ) {
        let check: NewCoworkerIdentityCheck = serde_json::from_value(body.clone()).expect("parses");
        let member = rules::check_identity_check(&check, today);
        prop_assert!(member.is_empty(), "{:?}", member);
        let record = rules::check_identity_check_record(&check);
        prop_assert!(record.is_empty(), "{:?}", record);

        let mut broken = body;
        let object = broken.as_object_mut().expect("an object");
        let property = breakage.property();
        let value = match breakage {
            Breakage::BusinessId(id) | Breakage::CoworkerId(id) => id.map(Value::from),
            Breakage::DocumentType(code) => code.map(Value::from),
            Breakage::Name(text) | Breakage::Number(text) | Breakage::IssuedBy(text) | Breakage::Expiry(text) => {
                text.map(Value::from)
            }
        };
        match value {
            Some(value) => object.insert(property.to_owned(), value),
            None => object.remove(property),
        };
        let check: NewCoworkerIdentityCheck = serde_json::from_value(broken.clone()).expect("parses");
        let violations = rules::check_identity_check(&check, today);
        prop_assert_eq!(violations.len(), 1, "{:?} for {}", violations, broken);
        prop_assert_eq!(violations[0].property.as_str(), property);
        assert_names_fields(&violations, &broken, NEW_CHECK_FIELDS)?;
    }

    #[test]
    fn a_name_passes_exactly_when_its_trimmed_length_is_within_the_limit(
        (name, length) in padded_text(non_blank_char(), 1..=260),
        blank in "[ \t\n]{0,4}",
    ) {
        let found = rules::check_name(&name);
        if length <= rules::NAME_MAX_CHARS {
            prop_assert_eq!(found, None);
        } else {
            let violation = found.expect("too long");
            prop_assert_eq!((violation.property.as_str(), violation.code), ("Name", ViolationCode::TooLong));
            prop_assert_eq!(violation.attempted, json!(name));
        }
        let violation = rules::check_name(&blank).expect("blank");
        prop_assert_eq!((violation.property.as_str(), violation.code), ("Name", ViolationCode::Required));
    }

    #[test]
    fn an_issuer_passes_exactly_when_its_trimmed_length_is_within_the_limit(
        (issuer, length) in padded_text(non_blank_char(), 1..=130),
    ) {
        let found = rules::check_issued_by(&issuer);
        prop_assert_eq!(found.is_none(), length <= rules::ISSUED_BY_MAX_CHARS);
        if let Some(violation) = found {
            prop_assert_eq!((violation.property.as_str(), violation.code), ("IdentityDocumentIssuedBy", ViolationCode::TooLong));
        }
    }

    #[test]
    fn a_document_number_of_letters_digits_spaces_and_hyphens_passes_and_one_other_character_does_not(
        (number, length) in padded_text(
            prop::sample::select("ABCxyz019ÄÉñ日本-".chars().collect::<Vec<_>>()),
            1..=60,
        ),
        at in any::<Index>(),
        stray in prop::sample::select("#/.,_@!?*+:;'\"()".chars().collect::<Vec<_>>()),
    ) {
        let found = rules::check_document_number(&number);
        if length <= rules::DOCUMENT_NUMBER_MAX_CHARS {
            prop_assert_eq!(found, None, "{:?}", number);
            let mut chars: Vec<char> = number.trim().chars().collect();
            chars.insert(at.index(chars.len() + 1), stray);
            let with_stray: String = chars.into_iter().collect();
            let violation = rules::check_document_number(&with_stray).expect("refused");
            let expected = if length < rules::DOCUMENT_NUMBER_MAX_CHARS {
                ViolationCode::InvalidCharacters
            } else {
                ViolationCode::TooLong
            };
            prop_assert_eq!((violation.property.as_str(), violation.code), ("IdentityDocumentNumber", expected));
            prop_assert_eq!(violation.attempted, json!(with_stray));
        } else {
            let violation = found.expect("too long");
            prop_assert_eq!(violation.code, ViolationCode::TooLong);
        }
    }

    #[test]
    fn an_expiry_passes_from_today_on_and_is_refused_before(
        today in recent_date(),
        offset in -4000i64..4000,
        suffix in time_suffix(),
        padding in "[ \t]{0,2}",
    ) {
        let expiry = Date::from_days_since_epoch(today.days_since_epoch() + offset);
        let text = format!("{padding}{expiry}{suffix}{padding}");
        let found = rules::check_expiration_date(&text, today);
        if offset >= 0 {
            prop_assert_eq!(found, None, "{:?}", text);
        } else {
            let violation = found.expect("in the past");
            prop_assert_eq!(violation.code, ViolationCode::DateInPast);
            prop_assert_eq!(violation.attempted, json!(text));
        }
        // A record may hold an expired document: only the format matters to the API.
        prop_assert_eq!(rules::check_expiration_date_format(&text), None);
    }

    #[test]
    fn any_expiry_text_is_accepted_only_as_a_real_date_not_before_today(text in text(), today in recent_date()) {
        match rules::check_expiration_date(&text, today) {
            None => prop_assert!(Date::parse(text.trim()).is_some_and(|d| d >= today), "{:?}", text),
            Some(violation) => {
                prop_assert_eq!(violation.property.as_str(), "IdentityDocumentExpirationDate");
                prop_assert_eq!(violation.attempted, json!(text));
            }
        }
        let format = rules::check_expiration_date_format(&text);
        prop_assert_eq!(format.is_none(), Date::parse(text.trim()).is_some(), "{:?}", text);
    }

    #[test]
    fn any_document_body_is_refused_by_its_own_field_names(
        body in prop_oneof![3 => mutated(&full_document_body()), 1 => json_value()],
    ) {
        let Ok(document) = serde_json::from_value::<NewCoworkerIdentityCheckDocument>(body.clone()) else {
            return Ok(());
        };
        let violations = rules::check_identity_check_document(&document);
        assert_names_fields(&violations, &body, NEW_DOCUMENT_FIELDS)?;
        assert_failure_envelope(&violations)?;
        // The file URLs a body gives are the non-blank ones, in capture order.
        for slot in document.slots_with_new_url() {
            let url = document.new_url(slot).expect("listed slots have a URL");
            prop_assert!(!url.trim().is_empty());
            prop_assert_eq!(body.get(slot.new_url_property()), Some(&json!(url)));
        }
    }

    #[test]
    fn missing_files_are_named_by_their_slot_and_supplying_them_clears_the_report(
        kind in document_kind(),
        present in prop::sample::subsequence(Slot::ALL.to_vec(), 0..=3),
    ) {
        let violations = rules::check_document_files(kind, &present);
        let mut completed = present.clone();
        for violation in &violations {
            let slot = Slot::ALL.into_iter().find(|s| s.new_url_property() == violation.property);
            let slot = slot.expect("a violation names a slot's New…Url");
            prop_assert_eq!(slots::slot_need(kind, slot), Need::Required);
            prop_assert!(!present.contains(&slot));
            prop_assert_eq!(violation.code, ViolationCode::MissingFile);
            completed.push(slot);
        }
        prop_assert!(rules::check_document_files(kind, &completed).is_empty());
        prop_assert_eq!(violations.is_empty(), slots::missing_slots(kind, &present).is_empty());
    }

    #[test]
    fn every_violation_constructor_names_its_property(property in "[A-Za-z]{1,30}", text in ".{0,20}", id in any::<i64>()) {
        let violations = [
            Violation::required(&property, text.as_str()),
            Violation::not_positive(&property, id),
            Violation::too_long(&property, 7, &text),
            Violation::invalid_characters(&property, &text),
            Violation::not_a_date(&property, &text),
            Violation::date_in_past(&property, &text),
            Violation::invalid_choice(&property, id),
            Violation::unknown_reference(&property, id),
            Violation::missing_file(&property),
            Violation::file_empty(&property),
            Violation::file_too_small(&property, MIN_FILE_BYTES),
            Violation::file_too_large(&property, MAX_FILE_BYTES),
            Violation::file_not_an_image(&property, &files::accepted_types()),
            Violation::file_unreachable(&property, &text),
        ];
        for violation in &violations {
            prop_assert_eq!(&violation.property, &property);
            prop_assert!(!violation.message.is_empty());
            prop_assert_eq!(violation.to_string(), format!("{property}: {}", violation.message));
            let api = ApiValidationError::from(violation);
            prop_assert_eq!(&api.property_name, &property);
            prop_assert_eq!(&api.attempted_value, &violation.attempted);
        }
        let codes: BTreeSet<String> = violations.iter().map(|v| format!("{:?}", v.code)).collect();
        prop_assert_eq!(codes.len(), violations.len());
        assert_failure_envelope(&violations)?;
    }
}

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/// A number or other JSON an enum field may be sent.
fn enum_json() -> impl Strategy<Value = Value> {
    prop_oneof![
        (0u64..=120).prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        json_value(),
    ]
}

fn enum_properties<E>(code: u16, json: &Value) -> Result<(), TestCaseError>
where
    E: ApiEnum + TryFrom<u16, Error = CoreError>,
{
    let known = E::ALL.iter().any(|e| e.code() == code);
    match E::from_code(code) {
        Some(value) => {
            prop_assert!(known);
            prop_assert_eq!(value.code(), code);
            prop_assert_eq!(value.to_string(), value.api_name());
            prop_assert_eq!(E::try_from(code), Ok(value));
        }
        None => {
            prop_assert!(!known);
            prop_assert_eq!(
                E::try_from(code),
                Err(CoreError::UnknownEnumValue {
                    enum_name: E::API_ENUM,
                    value: u64::from(code)
                })
            );
        }
    }
    let parsed = serde_json::from_value::<E>(json.clone());
    let expected = json
        .as_u64()
        .and_then(|n| u16::try_from(n).ok())
        .and_then(E::from_code);
    prop_assert_eq!(parsed.as_ref().ok().copied(), expected, "{}", json);
    match (parsed, json.as_u64()) {
        (Ok(value), _) => prop_assert_eq!(
            serde_json::to_value(value).expect("serialises"),
            json.clone()
        ),
        (Err(error), Some(number)) => {
            prop_assert_eq!(
                error.to_string(),
                format!("{number} is not a value of {}", E::API_ENUM)
            );
        }
        (Err(_), None) => {}
    }
    Ok(())
}

/// Parses `json` as `T` (never panicking) and, when it parses, checks that writing it back and
/// reading that again gives the same value.
fn reads_back<T>(json: &Value) -> Result<Option<T>, TestCaseError>
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    let Ok(value) = serde_json::from_value::<T>(json.clone()) else {
        return Ok(None);
    };
    let written = serde_json::to_value(&value).expect("serialises");
    let again: T = serde_json::from_value(written.clone())
        .map_err(|e| TestCaseError::fail(format!("{written} does not read back: {e}")))?;
    prop_assert_eq!(&again, &value);
    Ok(Some(value))
}

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).expect("the fixture is JSON")
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn every_enum_knows_only_its_codes_and_reads_only_them(code in prop_oneof![0u16..=120, any::<u16>()], json in enum_json()) {
        enum_properties::<IdentityCheckProvider>(code, &json)?;
        enum_properties::<IdentityDocumentType>(code, &json)?;
        enum_properties::<AddressDocumentType>(code, &json)?;
        enum_properties::<VerificationType>(code, &json)?;
        enum_properties::<VerificationStatus>(code, &json)?;
    }

    #[test]
    fn sort_directions_read_their_names_in_any_case_and_nothing_else(
        text in prop_oneof![
            any_case(vec!["ascending", "asc", "descending", "desc"]).prop_map(|(_, typed)| typed),
            ".{0,12}",
        ]
    ) {
        let lower = text.to_lowercase();
        match text.parse::<SortDirection>() {
            Ok(direction) => {
                let expected = if lower.starts_with("asc") { SortDirection::Ascending } else { SortDirection::Descending };
                prop_assert!(["ascending", "asc", "descending", "desc"].contains(&lower.as_str()));
                prop_assert_eq!(direction, expected);
                prop_assert_eq!(direction.to_string().parse::<SortDirection>(), Ok(direction));
            }
            Err(error) => {
                prop_assert!(!["ascending", "asc", "descending", "desc"].contains(&lower.as_str()));
                prop_assert_eq!(error, CoreError::InvalidSortDirection { text: text.clone() });
            }
        }
    }

    #[test]
    fn records_and_envelopes_read_from_any_json_write_back_the_same(
        check_get in mutated(&fixture(CHECK_GET)),
        document_get in mutated(&fixture(DOCUMENT_GET)),
        success in mutated(&fixture(CREATE_SUCCESS)),
        failure in mutated(&fixture(CREATE_FAILURE)),
        new_check in check_body(),
        new_document in mutated(&full_document_body()),
        anything in json_value(),
    ) {
        if let Some(check) = reads_back::<CoworkerIdentityCheck>(&check_get)?
            && let Some(kind) = check.document_kind()
        {
            prop_assert_eq!(kind.verification_type(), check.verification_type);
        }
        if let Some(document) = reads_back::<CoworkerIdentityCheckDocument>(&document_get)? {
            for slot in document.stored_slots() {
                prop_assert!(document.file_name(slot).is_some());
            }
        }
        reads_back::<WriteEnvelope<CreatedValue>>(&success)?;
        reads_back::<WriteEnvelope<CreatedValue>>(&failure)?;
        reads_back::<WriteEnvelope<CoworkerIdentityCheck>>(&success)?;
        if let Some(check) = reads_back::<NewCoworkerIdentityCheck>(&new_check)?
            && let Some(kind) = check.document_kind()
        {
            prop_assert_eq!(Some(kind.verification_type()), check.verification_type);
        }
        reads_back::<NewCoworkerIdentityCheckDocument>(&new_document)?;
        for json in [&check_get, &document_get, &success, &failure, &new_check, &new_document, &anything] {
            reads_back::<CoworkerIdentityCheck>(json)?;
            reads_back::<CoworkerIdentityCheckDocument>(json)?;
            reads_back::<NewCoworkerIdentityCheck>(json)?;
            reads_back::<NewCoworkerIdentityCheckDocument>(json)?;
            reads_back::<WriteEnvelope<CreatedValue>>(json)?;
            reads_back::<ListEnvelope<CreatedValue>>(json)?;
            reads_back::<ApiValidationError>(json)?;
            reads_back::<Business>(json)?;
            reads_back::<Coworker>(json)?;
            reads_back::<CreatedValue>(json)?;
        }
    }

    #[test]
    fn any_json_text_is_read_without_panicking(text in prop_oneof![".{0,64}", "[\\[\\]{}\",:0-9a-zA-Z ]{0,64}"]) {
        // Only the absence of a panic is asked of raw text: the structured properties are above.
        let _ = serde_json::from_str::<NewCoworkerIdentityCheck>(&text);
        let _ = serde_json::from_str::<WriteEnvelope<CoworkerIdentityCheck>>(&text);
        let _ = serde_json::from_str::<CreateIdentityDocumentIdentificationRequest>(&text);
        let _ = Snapshot::from_json(&text);
    }

    #[test]
    fn a_list_page_counts_its_items_consistently(
        all_count in 0u64..10_000,
        page in prop_oneof![0u32..20, any::<u32>()],
        size in prop_oneof![0u32..100, any::<u32>()],
        on_page in 0usize..100,
    ) {
        let envelope = ListEnvelope::page(all_count, page, size, vec![(); on_page], None, None);
        prop_assert!(envelope.current_page >= 1 && envelope.current_page_size >= 1);
        let size = u64::from(envelope.current_page_size);
        prop_assert!(envelope.total_pages * size >= all_count);
        prop_assert!(envelope.total_pages == 0 || (envelope.total_pages - 1) * size < all_count);
        prop_assert_eq!(envelope.has_previous_page, envelope.current_page > 1);
        prop_assert_eq!(envelope.has_next_page, u64::from(envelope.current_page) < envelope.total_pages);
        if on_page == 0 {
            prop_assert_eq!((envelope.first_item, envelope.last_item), (0, 0));
        } else {
            prop_assert_eq!(envelope.last_item - envelope.first_item + 1, on_page as u64);
            prop_assert_eq!((envelope.first_item - 1) % size, 0);
        }
    }
}

#[test]
fn the_field_lists_are_the_records_json_names() {
    // The properties above judge violations against these lists, so they must be the records'
    // own names, not a guess.
    let check: NewCoworkerIdentityCheck =
        serde_json::from_value(full_check_body()).expect("parses");
    let written = serde_json::to_value(&check).expect("serialises");
    let keys: BTreeSet<&str> = written
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, NEW_CHECK_FIELDS.iter().copied().collect());
    let document: NewCoworkerIdentityCheckDocument =
        serde_json::from_value(full_document_body()).expect("parses");
    let written = serde_json::to_value(&document).expect("serialises");
    let keys: BTreeSet<&str> = written
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, NEW_DOCUMENT_FIELDS.iter().copied().collect());
}

// ---------------------------------------------------------------------------------------------
// invitation
// ---------------------------------------------------------------------------------------------

/// A code as a member might type it: any case, with spaces and dashes anywhere.
fn typed_code() -> impl Strategy<Value = (String, String)> {
    (
        prop::collection::vec(
            prop::sample::select(invitation::ALPHABET.to_vec()),
            invitation::CODE_LENGTH,
        ),
        prop::collection::vec(
            (
                any::<bool>(),
                prop::sample::select(vec!["", "", " ", "-", "  ", "\t", "\u{a0}"]),
            ),
            invitation::CODE_LENGTH + 1,
        ),
    )
        .prop_map(|(code, typing)| {
            let code: String = code.into_iter().map(char::from).collect();
            let mut typed = String::new();
            for (i, (lower, separator)) in typing.into_iter().enumerate() {
                typed.push_str(separator);
                if let Some(c) = code.chars().nth(i) {
                    typed.push(if lower { c.to_ascii_lowercase() } else { c });
                }
            }
            (code, typed)
        })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn a_typed_code_normalises_to_the_code((code, typed) in typed_code()) {
        prop_assert_eq!(invitation::normalise(&typed), Some(code));
    }

    #[test]
    fn normalise_is_idempotent_and_keeps_only_the_letters_and_digits_typed(
        written in prop_oneof![".{0,16}", "[A-Za-z0-9 -]{6,12}", "[A-Za-z0-9]{8}", typed_code().prop_map(|(_, t)| t)]
    ) {
        if let Some(code) = invitation::normalise(&written) {
            prop_assert_eq!(invitation::normalise(&code), Some(code.clone()));
            prop_assert_eq!(code.len(), invitation::CODE_LENGTH);
            prop_assert!(code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()), "{:?}", code);
            let kept: String = written.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
            prop_assert_eq!(kept, code);
        }
    }

    #[test]
    fn a_code_of_another_length_is_never_a_code(code in "[A-Za-z0-9]{0,20}") {
        prop_assert_eq!(invitation::normalise(&code).is_some(), code.len() == invitation::CODE_LENGTH);
    }
}

// ---------------------------------------------------------------------------------------------
// masstack
// ---------------------------------------------------------------------------------------------

/// `canonical` as a person might type it: any case, spaces and hyphens between characters.
fn typed_like(canonical: String) -> impl Strategy<Value = String> {
    let n = canonical.chars().count();
    prop::collection::vec(
        (
            any::<bool>(),
            prop::sample::select(vec!["", "", "", " ", "-"]),
        ),
        n + 1,
    )
    .prop_map(move |typing| {
        let mut typed = String::new();
        for (i, (lower, separator)) in typing.into_iter().enumerate() {
            typed.push_str(separator);
            if let Some(c) = canonical.chars().nth(i) {
                typed.push(if lower { c.to_ascii_lowercase() } else { c });
            }
        }
        typed
    })
}

/// A valid NIF (a DNI's, or a K, L or M one) or NIE: its type, its digits with any leading letter,
/// and the number its check letter is computed from.
fn spanish_number() -> impl Strategy<Value = (DocumentType, String, u32)> {
    prop_oneof![
        (0u32..100_000_000).prop_map(|n| (DocumentType::Nif, format!("{n:08}"), n)),
        (0u32..3, 0u32..10_000_000).prop_map(|(prefix, n)| {
            let letter = ['K', 'L', 'M'][prefix as usize];
            (DocumentType::Nif, format!("{letter}{n:07}"), n)
        }),
        (0u32..3, 0u32..10_000_000).prop_map(|(prefix, n)| {
            let letter = ['X', 'Y', 'Z'][prefix as usize];
            (
                DocumentType::Nie,
                format!("{letter}{n:07}"),
                prefix * 10_000_000 + n,
            )
        }),
    ]
}

fn mas_violation_fields(violations: &[Violation<MasCode>]) -> Result<(), TestCaseError> {
    let mut last = None;
    for violation in violations {
        let position = MASSTACK_CREATE_FIELDS
            .iter()
            .position(|f| *f == violation.property);
        prop_assert!(
            position.is_some(),
            "{} is not a field of the request",
            violation.property
        );
        prop_assert!(position > last, "{:?} out of field order", violations);
        last = position;
        prop_assert!(!violation.message.is_empty());
    }
    let response = ErrorsResponse::from_violations(violations);
    prop_assert_eq!(response.errors.len(), violations.len());
    for (item, violation) in response.errors.iter().zip(violations) {
        prop_assert_eq!(&item.field, &violation.property);
        prop_assert_eq!(item.code.as_str(), violation.code.as_str());
    }
    Ok(())
}

/// A duration spelled from optional weeks, days, hours, minutes and seconds, the last of them
/// perhaps with a decimal fraction (after `.` or `,`), and its seconds, a fraction of a second
/// rounded up.
fn spelled_duration() -> impl Strategy<Value = (String, u64)> {
    const UNITS: [(char, u64); 5] = [
        ('W', 604_800),
        ('D', 86_400),
        ('H', 3_600),
        ('M', 60),
        ('S', 1),
    ];
    (
        prop::array::uniform5(prop::option::of(0u64..100_000)),
        prop::option::of(("[0-9]{1,6}", prop::sample::select(vec!['.', ',']))),
        any::<bool>(),
        "[ \t]{0,2}",
    )
        .prop_filter("at least one part", |(parts, _, _, _)| {
            parts.iter().any(Option::is_some)
        })
        .prop_map(|(parts, fraction, lower, padding)| {
            let last = parts.iter().rposition(Option::is_some).expect("a part");
            let mut text = String::from("P");
            let mut seconds = 0;
            for (i, (part, (unit, length))) in parts.into_iter().zip(UNITS).enumerate() {
                if i == 2 && parts[2..].iter().any(Option::is_some) {
                    text.push('T');
                }
                let Some(n) = part else { continue };
                text.push_str(&n.to_string());
                seconds += n * length;
                if let (true, Some((digits, separator))) = (i == last, &fraction) {
                    text.push(*separator);
                    text.push_str(digits);
                    let value: u64 = digits.parse().expect("digits");
                    let scale = 10u64.pow(digits.len() as u32);
                    seconds += (value * length).div_ceil(scale);
                }
                text.push(unit);
            }
            let text = if lower {
                text.to_ascii_lowercase()
            } else {
                text
            };
            (format!("{padding}{text}{padding}"), seconds)
        })
}

fn document_type() -> impl Strategy<Value = DocumentType> {
    prop::sample::select(DocumentType::ALL)
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn a_valid_nif_or_nie_is_accepted_however_typed(
        (kind, typed, canonical) in spanish_number().prop_flat_map(|(kind, digits, n)| {
            let canonical = format!("{digits}{}", masstack::nif_check_letter(n));
            (Just(kind), typed_like(canonical.clone()), Just(canonical))
        })
    ) {
        prop_assert_eq!(masstack::check_document_number(kind, &typed), Ok(canonical));
    }

    #[test]
    fn a_valid_nif_or_nie_with_a_wrong_letter_is_refused_naming_the_number(
        (kind, digits, n) in spanish_number(),
        wrong in prop::sample::select(('A'..='Z').collect::<Vec<_>>()),
    ) {
        let right = masstack::nif_check_letter(n);
        prop_assume!(wrong != right);
        let violation = masstack::check_document_number(kind, &format!("{digits}{wrong}")).expect_err("refused");
        prop_assert_eq!(violation.property.as_str(), field::DOCUMENT_NUMBER);
        prop_assert_eq!(violation.code, MasCode::WrongCheckLetter { expected: right });
        prop_assert!(violation.message.contains(right), "{}", violation.message);
        // The other kind's shape never fits: a NIF is not an NIE.
        let other = if kind == DocumentType::Nif { DocumentType::Nie } else { DocumentType::Nif };
        let shape = masstack::check_document_number(other, &format!("{digits}{right}")).expect_err("refused");
        prop_assert_eq!(shape.code, MasCode::InvalidFormat);
    }

    #[test]
    fn a_nif_of_another_length_is_malformed(digits in "[0-9]{1,12}") {
        prop_assume!(digits.len() != 8);
        let n: u64 = digits.parse().expect("digits");
        let letter = masstack::nif_check_letter((n % 23) as u32);
        let violation = masstack::check_document_number(DocumentType::Nif, &format!("{digits}{letter}")).expect_err("refused");
        prop_assert_eq!((violation.property.as_str(), violation.code), (field::DOCUMENT_NUMBER, MasCode::InvalidFormat));
    }

    #[test]
    fn a_k_l_or_m_nif_of_another_length_is_malformed(
        letter in prop::sample::select(vec!['K', 'L', 'M']),
        digits in "[0-9]{0,12}",
    ) {
        prop_assume!(digits.len() != 7);
        let n: u64 = format!("0{digits}").parse().expect("digits");
        let check = masstack::nif_check_letter((n % 23) as u32);
        let number = format!("{letter}{digits}{check}");
        let violation = masstack::check_document_number(DocumentType::Nif, &number).expect_err("refused");
        prop_assert_eq!((violation.property.as_str(), violation.code), (field::DOCUMENT_NUMBER, MasCode::InvalidFormat));
    }

    #[test]
    fn a_passport_is_5_to_20_letters_and_digits(number in "[A-Za-z0-9]{0,25}") {
        let found = masstack::check_document_number(DocumentType::Passport, &number);
        match number.len() {
            0 => prop_assert_eq!(found.map_err(|v| v.code), Err(MasCode::Required)),
            5..=20 => prop_assert_eq!(found, Ok(number.to_ascii_uppercase())),
            _ => prop_assert_eq!(found.map_err(|v| v.code), Err(MasCode::InvalidFormat)),
        }
    }

    #[test]
    fn any_document_number_is_judged_and_an_accepted_one_is_its_own_normal_form(
        kind in document_type(),
        number in prop_oneof![".{0,24}", "[XYZxyz0-9A-Za-z -]{0,14}", "[0-9]{8}.", "[XYZKLMklm][0-9]{7}."],
    ) {
        match masstack::check_document_number(kind, &number) {
            Ok(normal) => {
                prop_assert_eq!(masstack::check_document_number(kind, &normal), Ok(normal.clone()));
                prop_assert!(!normal.contains(|c: char| c.is_whitespace() || c == '-'));
                prop_assert!(normal.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()), "{:?}", normal);
            }
            Err(violation) => {
                prop_assert_eq!(violation.property.as_str(), field::DOCUMENT_NUMBER);
                let blank = number.chars().all(|c| c.is_whitespace() || c == '-');
                prop_assert_eq!(violation.code == MasCode::Required, blank, "{:?}", number);
            }
        }
    }

    #[test]
    fn every_country_code_is_accepted_however_typed_and_nothing_else(
        code in prop::sample::select(COUNTRY_CODES),
        lower in prop::array::uniform2(any::<bool>()),
        padding in "[ \t]{0,2}",
        other in prop_oneof!["[A-Za-z]{2}", ".{0,4}"],
    ) {
        let typed: String = code
            .chars()
            .zip(lower)
            .map(|(c, l)| if l { c.to_ascii_lowercase() } else { c })
            .collect();
        prop_assert_eq!(masstack::check_country(&format!("{padding}{typed}{padding}")), Ok(code.to_owned()));
        match masstack::check_country(&other) {
            Ok(accepted) => prop_assert!(COUNTRY_CODES.contains(&accepted.as_str())),
            Err(violation) => {
                prop_assert_eq!(violation.property.as_str(), field::COUNTRY);
                let upper = other.trim().to_ascii_uppercase();
                if upper.len() == 2 && upper.bytes().all(|b| b.is_ascii_uppercase()) {
                    prop_assert_eq!(violation.code, MasCode::UnknownCountry);
                }
            }
        }
    }

    #[test]
    fn format_duration_reads_back_for_every_length(seconds in prop_oneof![any::<u64>(), 0u64..10_000_000]) {
        let text = masstack::format_duration(seconds);
        prop_assert_eq!(masstack::parse_duration(&text), Some(seconds), "{}", text);
    }

    #[test]
    fn a_spelled_duration_is_the_sum_of_its_parts((text, seconds) in spelled_duration()) {
        prop_assert_eq!(masstack::parse_duration(&text), Some(seconds), "{:?}", text);
        let checked = masstack::check_expires_in(text.trim());
        match checked {
            Ok(found) => {
                prop_assert_eq!(found, seconds);
                prop_assert!(seconds > 0 && seconds <= masstack::MAX_EXPIRES_IN_SECONDS);
            }
            Err(violation) => {
                prop_assert_eq!(violation.property.as_str(), field::EXPIRES_IN);
                let expected = if seconds == 0 { MasCode::InvalidDuration } else { MasCode::DurationTooLong };
                prop_assert_eq!(violation.code, expected);
            }
        }
    }

    #[test]
    fn a_fraction_is_read_only_on_the_last_part(
        (first, second) in (0usize..4).prop_flat_map(|first| (Just(first), first + 1..5)),
        numbers in prop::array::uniform2(0u64..1_000),
        digits in "[0-9]{1,4}",
        separator in prop::sample::select(vec!['.', ',']),
    ) {
        // The same two parts, the fraction on the first and then on the second.
        let spell = |fractional: usize| {
            let mut text = String::from("P");
            for (k, i) in [first, second].into_iter().enumerate() {
                if i >= 2 && !text.contains('T') {
                    text.push('T');
                }
                text.push_str(&numbers[k].to_string());
                if k == fractional {
                    text.push(separator);
                    text.push_str(&digits);
                }
                text.push(['W', 'D', 'H', 'M', 'S'][i]);
            }
            text
        };
        prop_assert_eq!(masstack::parse_duration(&spell(0)), None, "{}", spell(0));
        let read = masstack::parse_duration(&spell(1));
        prop_assert!(read.is_some(), "{}", spell(1));
    }

    #[test]
    fn any_duration_text_is_judged_and_years_and_months_never_count(
        text in prop_oneof![".{0,16}", "[PpTtWwDdHhMmSsYy0-9.,]{0,12}"],
    ) {
        if let Some(seconds) = masstack::parse_duration(&text) {
            prop_assert!(!text.to_ascii_uppercase().contains('Y'), "{:?}", text);
            prop_assert_eq!(masstack::parse_duration(&masstack::format_duration(seconds)), Some(seconds));
        }
        match masstack::check_expires_in(&text) {
            Ok(seconds) => prop_assert!(seconds > 0 && seconds <= masstack::MAX_EXPIRES_IN_SECONDS),
            Err(violation) => prop_assert_eq!(violation.property.as_str(), field::EXPIRES_IN),
        }
    }

    #[test]
    fn a_person_name_is_refused_only_past_the_limit(
        field_name in prop::sample::select(vec![field::NAME, field::LAST_NAME]),
        (name, length) in padded_text(non_blank_char(), 1..=130),
    ) {
        match masstack::check_person_name(field_name, &name) {
            None => prop_assert!(length <= masstack::NAME_MAX_CHARS),
            Some(violation) => {
                prop_assert!(length > masstack::NAME_MAX_CHARS);
                prop_assert_eq!((violation.property.as_str(), violation.code), (field_name, MasCode::TooLong));
            }
        }
    }

    #[test]
    fn any_create_request_is_refused_by_its_fields_or_normalised_to_itself(
        body in prop_oneof![4 => mutated(&fixture(MASSTACK_CREATE_REQUEST)), 1 => json_value()],
    ) {
        let Some(request) = reads_back::<CreateIdentityDocumentIdentificationRequest>(&body)? else {
            return Ok(());
        };
        match masstack::validate_create_request(&request) {
            Err(violations) => {
                prop_assert!(!violations.is_empty());
                prop_assert_eq!(masstack::check_create_request(&request), violations.clone());
                mas_violation_fields(&violations)?;
            }
            Ok(valid) => {
                prop_assert!(masstack::check_create_request(&request).is_empty());
                prop_assert_eq!(
                    masstack::check_document_number(valid.document_type, &valid.document_number),
                    Ok(valid.document_number.clone())
                );
                prop_assert_eq!(&valid.expires_in, &masstack::format_duration(valid.expires_in_seconds));
                prop_assert!(valid.expires_in_seconds > 0 && valid.expires_in_seconds <= masstack::MAX_EXPIRES_IN_SECONDS);
                if let Some(country) = &valid.country {
                    prop_assert!(COUNTRY_CODES.contains(&country.as_str()));
                }
                for name in [&valid.name, &valid.last_name].into_iter().flatten() {
                    prop_assert!(!name.is_empty() && name.trim() == name);
                }
                // What the server stores, sent again, is accepted as it is.
                let again = CreateIdentityDocumentIdentificationRequest {
                    name: valid.name.clone(),
                    last_name: valid.last_name.clone(),
                    identity_document: Some(IdentityDocument {
                        document_number: Some(valid.document_number.clone()),
                        document_type: Some(valid.document_type),
                        country: valid.country.clone(),
                    }),
                    configuration_name: valid.configuration_name,
                    expires_in: Some(valid.expires_in.clone()),
                    scoring: valid.scoring_provider.map(|provider| masstack::Scoring { provider: Some(provider) }),
                };
                prop_assert_eq!(masstack::validate_create_request(&again), Ok(valid.clone()));
                let identification = valid.into_identification("id".into(), "org".into(), "c".into(), "e".into());
                prop_assert_eq!(identification.state, IdentificationState::Pending);
                reads_back::<Identification>(&serde_json::to_value(&identification).expect("serialises"))?;
            }
        }
    }

    #[test]
    fn a_cancel_reason_is_kept_trimmed_within_its_limit(
        (reason, length) in padded_text(non_blank_char(), 1..=520),
        blank in prop::option::of("[ \t\n]{0,3}"),
    ) {
        let request = CancelIdentificationRequest { reason: Some(reason.clone()) };
        match masstack::validate_cancel_request(&request) {
            Ok(kept) => {
                prop_assert!(length <= masstack::REASON_MAX_CHARS);
                prop_assert_eq!(kept.as_str(), reason.trim());
            }
            Err(violations) => {
                prop_assert!(length > masstack::REASON_MAX_CHARS);
                prop_assert_eq!(violations.len(), 1);
                prop_assert_eq!((violations[0].property.as_str(), violations[0].code), (field::REASON, MasCode::TooLong));
            }
        }
        let violations = masstack::check_cancel_request(&CancelIdentificationRequest { reason: blank });
        prop_assert_eq!(violations.len(), 1);
        prop_assert_eq!((violations[0].property.as_str(), violations[0].code), (field::REASON, MasCode::Required));
    }

    #[test]
    fn string_enums_read_exactly_their_texts(text in prop_oneof![
        prop::sample::select(vec!["NIF", "NIE", "PASSPORT", "LOW", "MEDIUM", "HIGH", "INTERNAL", "EXTERNAL", "PENDING", "COMPLETED", "CANCELLED", "EXPIRED"]).prop_map(str::to_owned),
        "[A-Za-z]{0,10}",
    ]) {
        fn exact<T: Copy + std::fmt::Display + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(
            parse: fn(&str) -> Option<T>,
            text: &str,
        ) -> Result<(), TestCaseError> {
            let parsed = parse(text);
            if let Some(value) = parsed {
                prop_assert_eq!(value.to_string(), text);
            }
            prop_assert_eq!(serde_json::from_value::<T>(json!(text)).ok(), parsed);
            Ok(())
        }
        exact(DocumentType::parse, &text)?;
        exact(ConfigurationName::parse, &text)?;
        exact(ScoringProvider::parse, &text)?;
        exact(IdentificationState::parse, &text)?;
    }

    #[test]
    fn only_a_pending_identification_changes(
        state in prop::sample::select(IdentificationState::ALL),
        action in prop::sample::select(vec![IdentificationAction::Cancel, IdentificationAction::Validate]),
        past_expiry in any::<bool>(),
    ) {
        match state.after(action) {
            Some(next) => {
                prop_assert_eq!(state, IdentificationState::Pending);
                prop_assert!(next.is_final());
            }
            None => prop_assert!(state.is_final()),
        }
        let seen = state.as_of(past_expiry);
        prop_assert_eq!(seen == state, !(past_expiry && state == IdentificationState::Pending));
        prop_assert_eq!(seen.as_of(past_expiry), seen);
    }
}

#[test]
fn country_codes_are_sorted_and_unique_for_their_binary_search() {
    assert!(COUNTRY_CODES.windows(2).all(|pair| pair[0] < pair[1]));
    assert_eq!(COUNTRY_CODES.len(), 249);
}

// ---------------------------------------------------------------------------------------------
// flow
// ---------------------------------------------------------------------------------------------

fn flow_today() -> Date {
    real_date(2026, 11, 21)
}

fn settings() -> impl Strategy<Value = Settings> {
    (
        prop::sample::select(vec![
            PurposeSetting::Ask,
            PurposeSetting::Only(Purpose::Identity),
            PurposeSetting::Only(Purpose::Address),
            PurposeSetting::Both,
        ]),
        prop::sample::subsequence(IdentityDocumentType::ALL.to_vec(), 0..=4),
        prop::sample::subsequence(AddressDocumentType::ALL.to_vec(), 0..=3),
    )
        .prop_map(|(purpose, identity_types, address_types)| Settings {
            business_id: 1,
            coworker_id: 7,
            check_name: "Identity check".into(),
            purpose,
            identity_types,
            address_types,
        })
}

fn details() -> impl Strategy<Value = Details> {
    prop_oneof![
        3 => Just(Details {
            number: "X1234567".into(),
            issued_by: "Ministerio del Interior".into(),
            expires: "2030-05-01".into(),
        }),
        1 => (text(), text(), text()).prop_map(|(number, issued_by, expires)| Details { number, issued_by, expires }),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop::sample::select(vec![
        Step::Welcome,
        Step::Purpose,
        Step::DocumentType,
        Step::Details,
        Step::Capture(Slot::Photo),
        Step::Capture(Slot::Front),
        Step::Capture(Slot::Back),
        Step::Review,
        Step::Submitted,
    ])
}

/// What a member, the shell's submission loop and the host can do to a flow.
#[derive(Debug, Clone)]
enum Action {
    Consent(bool),
    ChoosePurpose(Purpose),
    ChooseDocument(DocumentKind),
    EditDetails(Details),
    Capture(Slot),
    Discard(Slot),
    Next,
    Back,
    GoTo(Step),
    Reopen(&'static str),
    /// One milestone of the submission loop, run only where the shell runs it: on a Review
    /// nothing blocks.
    Submit(i64),
    Resubmit,
    ContinueNext,
    Adopt(Vec<(Purpose, i64)>),
}

fn action() -> impl Strategy<Value = Action> {
    let purpose = prop::sample::select(Purpose::ALL.to_vec());
    prop_oneof![
        2 => any::<bool>().prop_map(Action::Consent),
        2 => purpose.clone().prop_map(Action::ChoosePurpose),
        2 => document_kind().prop_map(Action::ChooseDocument),
        1 => details().prop_map(Action::EditDetails),
        3 => slot().prop_map(Action::Capture),
        1 => slot().prop_map(Action::Discard),
        6 => Just(Action::Next),
        1 => Just(Action::Back),
        1 => step().prop_map(Action::GoTo),
        1 => prop::sample::select(vec![
            "IdentityDocumentNumber", "IdentityDocumentExpirationDate", "AddressDocumentType",
            "NewPhotoUrl", "NewDocumentUrl", "NewAdditionalDocumentUrl", "Name", "",
        ]).prop_map(Action::Reopen),
        4 => (1i64..1_000_000).prop_map(Action::Submit),
        1 => Just(Action::Resubmit),
        1 => Just(Action::ContinueNext),
        1 => prop::collection::vec((purpose, prop_oneof![-2i64..=3, any::<i64>()]), 0..3).prop_map(Action::Adopt),
    ]
}

fn apply(flow: &mut Flow, action: &Action, today: Date) {
    match action {
        Action::Consent(agreed) => flow.set_consent(*agreed),
        // The component offers these answers only on their own step (`ui/steps/`), and the
        // flow relies on it: it does not move the step when an answer changes elsewhere.
        Action::ChoosePurpose(purpose) if flow.step() == Step::Purpose => {
            flow.choose_purpose(*purpose)
        }
        Action::ChooseDocument(kind) if flow.step() == Step::DocumentType => {
            flow.choose_document(*kind)
        }
        Action::EditDetails(details) if flow.step() == Step::Details => {
            flow.edit_details(details.clone())
        }
        Action::ChoosePurpose(_) | Action::ChooseDocument(_) | Action::EditDetails(_) => {}
        Action::Capture(slot) => flow.captured(*slot, shot(*slot)),
        Action::Discard(slot) => flow.discard(*slot),
        Action::Next => {
            let _ = flow.next(today);
        }
        Action::Back => {
            flow.back();
        }
        Action::GoTo(step) => {
            flow.go_to(*step, today);
        }
        Action::Reopen(property) => {
            // A server names only what the flow sent, so only properties of the flow's own steps:
            // any other one strands the flow (see `regression_reopen_for_…` below).
            if flow
                .step_for_property(property)
                .is_some_and(|step| flow.steps().contains(&step))
            {
                flow.reopen_for(property);
            }
        }
        Action::Submit(id) => {
            if flow.step() != Step::Review || flow.blocker(today).is_some() {
                return;
            }
            match flow.next_milestone() {
                Milestone::CreateCheck => {
                    flow.sending();
                    flow.record_check_created(*id);
                }
                Milestone::StoreImage(slot) => {
                    flow.sending();
                    flow.record_image_stored(slot, format!("https://gw/u/{id}"));
                }
                Milestone::CreateDocument => {
                    flow.sending();
                    flow.record_document_created(*id);
                }
                Milestone::Done => {}
            }
        }
        Action::Resubmit => flow.start_resubmission(),
        Action::ContinueNext => {
            flow.continue_with_next_purpose();
        }
        Action::Adopt(checks) => flow.adopt_requested_checks(checks),
    }
}

/// What holds of a flow driven only through its own functions, whatever was done to it.
fn live_flow_invariants(flow: &Flow, today: Date) -> Result<(), TestCaseError> {
    let steps = flow.steps();
    prop_assert!(
        steps.contains(&flow.step()),
        "{:?} not in {:?}",
        flow.step(),
        steps
    );
    let (at, of) = flow.position();
    prop_assert!(1 <= at && at <= of, "position {} of {}", at, of);
    prop_assert!(flow.submission().attempt >= 1);
    prop_assert!(flow.requested_check().is_none_or(|id| id > 0));

    if flow.step() == Step::Review && flow.blocker(today).is_none() {
        // A flow that lets the member submit sends what the member rules accept.
        let check = flow.check_request();
        let violations = rules::check_identity_check(&check, today);
        prop_assert!(violations.is_empty(), "{:?} for {:?}", violations, check);
        prop_assert_eq!(check.document_kind(), flow.document_kind());
        let kind = flow.document_kind().expect("a kind at an unblocked review");
        prop_assert!(rules::check_document_files(kind, &flow.slots_to_send()).is_empty());
        if flow.next_milestone() == Milestone::CreateDocument {
            let document = flow.document_request();
            let violations = rules::check_identity_check_document(&document);
            prop_assert!(violations.is_empty(), "{:?}", violations);
            prop_assert_eq!(document.slots_with_new_url(), flow.slots_to_send());
        }
    }
    if let Blocker::Invalid(violations) = flow.blocker(today).unwrap_or(Blocker::ConsentNeeded) {
        for violation in &violations {
            prop_assert_eq!(
                flow.step_for_property(&violation.property),
                Some(Step::Details)
            );
        }
    }

    // A reload brings the flow back with the same answers and submission, on the same step or
    // the first earlier one that is no longer satisfied.
    let snapshot = flow.snapshot();
    let json = snapshot.to_json();
    prop_assert_eq!(Snapshot::from_json(&json), Some(snapshot.clone()));
    let resumed = Flow::resume(flow.settings().clone(), snapshot, today);
    let resumed = resumed.ok_or_else(|| TestCaseError::fail(format!("{json} does not resume")))?;
    let back = &resumed.flow;
    prop_assert_eq!(back.steps(), steps.clone());
    prop_assert_eq!(back.submission(), flow.submission());
    prop_assert_eq!(back.details(), flow.details());
    prop_assert_eq!(
        (back.purpose(), back.document_kind(), back.consented()),
        (flow.purpose(), flow.document_kind(), flow.consented())
    );
    prop_assert_eq!(back.completed(), flow.completed());
    let index = |step: Step| steps.iter().position(|s| *s == step);
    prop_assert!(
        index(back.step()) <= index(flow.step()),
        "{:?} came back as {:?}",
        flow.step(),
        back.step()
    );
    for slot in Slot::ALL {
        let lost = resumed.lost.contains(&slot);
        prop_assert_eq!(
            back.is_captured(slot) || lost,
            flow.is_captured(slot),
            "{:?}",
            slot
        );
        prop_assert!(!(lost && back.is_captured(slot)));
    }
    resumed_flow_invariants(&resumed.flow, today)
}

/// What holds of any flow `Flow::resume` gives back, even from a forged snapshot.
fn resumed_flow_invariants(flow: &Flow, today: Date) -> Result<(), TestCaseError> {
    prop_assert!(
        flow.steps().contains(&flow.step()),
        "{:?} not in {:?}",
        flow.step(),
        flow.steps()
    );
    prop_assert!(flow.submission().attempt >= 1);
    // Resuming what a resume gave back changes nothing: a second reload is a no-op.
    let again = Flow::resume(flow.settings().clone(), flow.snapshot(), today)
        .ok_or_else(|| TestCaseError::fail("a resumed flow's snapshot does not resume"))?;
    prop_assert_eq!(&again.flow, flow);
    prop_assert!(again.lost.is_empty(), "{:?}", again.lost);
    Ok(())
}

/// A value for one field of a snapshot: usually plausible, sometimes absent or anything.
fn snapshot_field(
    name: &'static str,
    plausible: BoxedStrategy<Value>,
) -> BoxedStrategy<Option<(String, Value)>> {
    prop_oneof![
        18 => plausible.prop_map(Some),
        1 => Just(None),
        1 => json_value().prop_map(Some),
    ]
    .prop_map(move |value| value.map(|value| (name.to_owned(), value)))
    .boxed()
}

/// Snapshots as a tab's storage might hold them: the browser's own, a stale one, a forged one.
fn snapshot_json() -> BoxedStrategy<Value> {
    let id = || {
        prop_oneof![3 => Just(Value::Null), 3 => (1i64..100).prop_map(Value::from), 1 => any::<i64>().prop_map(Value::from)].boxed()
    };
    let slot_json = || prop::sample::select(vec!["Photo", "Front", "Back"]).prop_map(Value::from);
    let purpose_json = || prop::sample::select(vec![json!("Identity"), json!("Address")]);
    let step_json = step()
        .prop_map(|s| serde_json::to_value(s).expect("serialises"))
        .boxed();
    let kind_json = prop_oneof![
        Just(Value::Null),
        (0u16..12).prop_map(|code| json!({"Identity": code})),
        (0u16..10).prop_map(|code| json!({"Address": code})),
        Just(json!({"Identity": 99})),
    ]
    .boxed();
    let fields = vec![
        snapshot_field("coworker_id", prop_oneof![9 => Just(json!(7)), 1 => any::<i64>().prop_map(Value::from)].boxed()),
        snapshot_field("business_id", prop_oneof![9 => Just(json!(1)), 1 => any::<i64>().prop_map(Value::from)].boxed()),
        snapshot_field("step", step_json),
        snapshot_field("consented", any::<bool>().prop_map(Value::from).boxed()),
        snapshot_field("purpose", prop_oneof![Just(Value::Null), purpose_json()].boxed()),
        snapshot_field("kind", kind_json),
        snapshot_field(
            "details",
            details().prop_map(|d| serde_json::to_value(d).expect("serialises")).boxed(),
        ),
        snapshot_field("captured", prop::collection::vec(slot_json(), 0..4).prop_map(Value::from).boxed()),
        snapshot_field(
            "reference",
            prop_oneof![9 => "[A-Za-z0-9-]{1,64}", 1 => ".{0,70}"].prop_map(Value::from).boxed(),
        ),
        // u32::MAX stands for a stored attempt counter at its end, which uniform numbers never hit.
        snapshot_field(
            "attempt",
            prop_oneof![4 => 1u32..4, 1 => Just(0u32), 1 => Just(u32::MAX), 1 => any::<u32>()].prop_map(Value::from).boxed(),
        ),
        snapshot_field("sent", any::<bool>().prop_map(Value::from).boxed()),
        snapshot_field("check_id", id()),
        snapshot_field(
            "stored",
            prop::collection::vec((slot_json(), "[a-z:/.0-9]{1,12}"), 0..4)
                .prop_map(|pairs| json!(pairs.into_iter().map(|(slot, url)| json!([slot, url])).collect::<Vec<_>>()))
                .boxed(),
        ),
        snapshot_field("document_id", id()),
        snapshot_field(
            "completed",
            prop::collection::vec((purpose_json(), 1i64..100, 1i64..100), 0..2)
                .prop_map(|items| {
                    json!(items
                        .into_iter()
                        .map(|(purpose, check_id, document_id)| json!({"purpose": purpose, "check_id": check_id, "document_id": document_id}))
                        .collect::<Vec<_>>())
                })
                .boxed(),
        ),
        snapshot_field("requested", (id(), id()).prop_map(|(a, b)| json!([a, b])).boxed()),
    ];
    fields
        .prop_map(|fields| Value::Object(fields.into_iter().flatten().collect()))
        .boxed()
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn a_flow_driven_by_any_actions_keeps_its_invariants_and_survives_a_reload(
        settings in settings(),
        actions in prop::collection::vec(action(), 0..40),
    ) {
        let today = flow_today();
        let mut flow = Flow::new(settings, "ref-1".into());
        live_flow_invariants(&flow, today)?;
        for action in &actions {
            apply(&mut flow, action, today);
            live_flow_invariants(&flow, today)?;
        }
    }

    #[test]
    fn a_flow_walked_to_the_end_submits_and_with_both_purposes_goes_on(
        settings in settings(),
        ids in prop::collection::vec(1i64..1_000_000, 12),
    ) {
        // The straight path a willing member takes: every choice the first one offered.
        let today = flow_today();
        let mut flow = Flow::new(settings.clone(), "ref-1".into());
        flow.set_consent(true);
        for round in 0..2 {
            for _ in 0..12 {
                match flow.step() {
                    Step::Purpose => flow.choose_purpose(Purpose::Identity),
                    Step::DocumentType => {
                        let Some(kind) = flow.purpose().and_then(|p| settings.document_choices(p).first().copied()) else {
                            return Ok(());
                        };
                        flow.choose_document(kind);
                    }
                    Step::Details => flow.edit_details(Details {
                        number: "X1234567".into(),
                        issued_by: "Ministerio del Interior".into(),
                        expires: "2030-05-01".into(),
                    }),
                    Step::Capture(slot) => flow.captured(slot, shot(slot)),
                    _ => {}
                }
                if flow.step() == Step::Review {
                    break;
                }
                prop_assert!(flow.next(today).is_ok(), "blocked on {:?}: {:?}", flow.step(), flow.blocker(today));
            }
            prop_assert_eq!(flow.step(), Step::Review);
            for &id in &ids {
                apply(&mut flow, &Action::Submit(id), today);
            }
            prop_assert_eq!(flow.step(), Step::Submitted);
            prop_assert_eq!(flow.next_milestone(), Milestone::Done);
            live_flow_invariants(&flow, today)?;
            let both = settings.purpose == PurposeSetting::Both;
            prop_assert_eq!(flow.has_next_purpose(), both && round == 0);
            if !flow.continue_with_next_purpose() {
                break;
            }
            prop_assert_eq!(flow.purpose(), Some(Purpose::Address));
        }
    }

    #[test]
    fn any_stored_snapshot_resumes_onto_one_of_the_flows_steps_or_not_at_all(
        settings in settings(),
        json in prop_oneof![4 => snapshot_json(), 1 => json_value()],
        today in recent_date(),
    ) {
        let text = json.to_string();
        let Some(snapshot) = Snapshot::from_json(&text) else {
            return Ok(());
        };
        prop_assert_eq!(Snapshot::from_json(&snapshot.to_json()), Some(snapshot.clone()));
        let Some(resumed) = Flow::resume(settings.clone(), snapshot, today) else {
            return Ok(());
        };
        prop_assert_eq!(json.get("coworker_id"), Some(&json!(settings.coworker_id)));
        prop_assert_eq!(json.get("business_id"), Some(&json!(settings.business_id)));
        let used = resumed.flow.document_kind().map(slots::used_slots).unwrap_or_default();
        for slot in &resumed.lost {
            prop_assert!(used.contains(slot) && !resumed.flow.is_captured(*slot));
        }
        if let Some(kind) = resumed.flow.document_kind() {
            let purpose = resumed.flow.purpose().expect("a kind has a purpose");
            prop_assert!(settings.document_choices(purpose).contains(&kind));
        }
        resumed_flow_invariants(&resumed.flow, today)?;
    }

    #[test]
    fn a_flow_resumed_from_any_snapshot_can_be_driven_on(
        settings in settings(),
        json in snapshot_json(),
        actions in prop::collection::vec(action(), 0..20),
    ) {
        let today = flow_today();
        let Some(snapshot) = Snapshot::from_json(&json.to_string()) else {
            return Ok(());
        };
        let Some(resumed) = Flow::resume(settings, snapshot, today) else {
            return Ok(());
        };
        let mut flow = resumed.flow;
        // An attempt counter at its end overflows on the next change: a known bug, kept in
        // `regression_resume_accepts_an_attempt_counter_at_its_end` so this stays deterministic.
        if flow.submission().attempt > u32::MAX - 64 {
            return Ok(());
        }
        for action in &actions {
            apply(&mut flow, action, today);
            prop_assert!(flow.steps().contains(&flow.step()), "{:?} not in {:?}", flow.step(), flow.steps());
            prop_assert!(flow.submission().attempt >= 1);
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn a_requested_purpose_is_read_in_any_case_and_padding(
        (word, typed) in any_case(vec!["identity", "address", "both"]),
        other in ".{0,10}",
    ) {
        let expected = match word {
            "identity" => PurposeSetting::Only(Purpose::Identity),
            "address" => PurposeSetting::Only(Purpose::Address),
            _ => PurposeSetting::Both,
        };
        prop_assert_eq!(PurposeSetting::requested(&format!(" {typed}\t")), Some(expected));
        if let Some(setting) = PurposeSetting::requested(&other) {
            prop_assert!(["identity", "address", "both"].contains(&other.trim().to_ascii_lowercase().as_str()));
            prop_assert_ne!(setting, PurposeSetting::Ask);
        }
    }

    #[test]
    fn a_purpose_and_its_verification_type_name_each_other(
        verification_type in prop::sample::select(VerificationType::ALL),
        identity in prop::sample::select(IdentityDocumentType::ALL),
        address in prop::sample::select(AddressDocumentType::ALL),
    ) {
        match Purpose::for_verification_type(verification_type) {
            Some(purpose) => prop_assert_eq!(purpose.verification_type(), verification_type),
            None => prop_assert_eq!(verification_type, VerificationType::None),
        }
        match DocumentKind::for_check(verification_type, identity, address) {
            Some(kind) => prop_assert_eq!(kind.verification_type(), verification_type),
            None => prop_assert_eq!(verification_type, VerificationType::None),
        }
    }

    #[test]
    fn required_slots_are_used_and_supplying_them_leaves_none_missing(kind in document_kind()) {
        let required = slots::required_slots(kind);
        let used = slots::used_slots(kind);
        prop_assert!(required.iter().all(|slot| used.contains(slot)));
        prop_assert!(required.contains(&Slot::Front), "every document has a front");
        prop_assert!(slots::missing_slots(kind, &used).is_empty());
        prop_assert_eq!(slots::missing_slots(kind, &[]), required);
    }
}

// ---------------------------------------------------------------------------------------------
// backoff
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn a_retry_waits_half_to_one_and_a_half_times_its_nominal_wait(
        retry in prop_oneof![0u32..12, any::<u32>()],
        jitter in prop_oneof![0.0f64..1.0, -1e9f64..1e9, Just(f64::INFINITY), Just(f64::NEG_INFINITY)],
    ) {
        let nominal = 1_000u64 << retry.min(10);
        let wait = u64::from(backoff::retry_delay_ms(retry, jitter));
        prop_assert!(wait >= nominal / 2 && wait <= nominal * 3 / 2, "{} ms for retry {} and jitter {}", wait, retry, jitter);
        prop_assert!(backoff::retry_delay_ms(retry, jitter) <= backoff::retry_delay_ms(retry.saturating_add(1), jitter));
    }

    #[test]
    fn polling_slows_down_within_its_bounds(every in prop_oneof![0u32..400, any::<u32>()], unchanged in prop_oneof![0u32..20, any::<u32>()]) {
        let wait = backoff::poll_delay_seconds(every, unchanged);
        prop_assert!(wait >= every.max(1));
        prop_assert!(wait <= backoff::POLL_MAX_SECONDS.max(every));
        prop_assert!(wait <= backoff::poll_delay_seconds(every, unchanged.saturating_add(1)));
    }
}

// ---------------------------------------------------------------------------------------------
// Regressions: bugs the properties found, fixed since; each test failed before its fix.
// ---------------------------------------------------------------------------------------------

/// An address document's flow at its Review step, as a member gets there.
fn address_flow_at_review() -> Flow {
    let settings = Settings {
        business_id: 1,
        coworker_id: 7,
        check_name: "Identity check".into(),
        purpose: PurposeSetting::Ask,
        identity_types: vec![],
        address_types: vec![],
    };
    let today = flow_today();
    let mut flow = Flow::new(settings, "ref-1".into());
    flow.set_consent(true);
    flow.next(today).expect("consented");
    flow.choose_purpose(Purpose::Address);
    flow.next(today).expect("a purpose");
    flow.choose_document(DocumentKind::Address(AddressDocumentType::Mortgage));
    flow.next(today).expect("a document type");
    while let Step::Capture(slot) = flow.step() {
        flow.captured(slot, shot(slot));
        flow.next(today).expect("captured");
    }
    assert_eq!(flow.step(), Step::Review);
    flow
}

/// Found by `a_flow_driven_by_any_actions_keeps_its_invariants_and_survives_a_reload`:
/// `Flow::reopen_for` moves to the step that owns the property even when this flow has no such
/// step (a face photo for an address document, the identity details for an address check, a back
/// for a passport), and from there neither `next` nor `back` moves: the member is stranded.
#[test]
fn regression_reopen_for_a_property_of_a_step_the_flow_lacks() {
    let today = flow_today();
    for property in ["NewPhotoUrl", "IdentityDocumentNumber"] {
        let mut flow = address_flow_at_review();
        let step = flow.reopen_for(property);
        assert!(
            step.is_none_or(|step| flow.steps().contains(&step)),
            "{property} reopened {step:?}, not one of {:?}",
            flow.steps()
        );
        let before = flow.step();
        let _ = flow.next(today);
        let _ = flow.back();
        assert!(
            flow.steps().contains(&flow.step()),
            "stranded on {before:?}"
        );
    }
}

/// Found while writing `a_flow_resumed_from_any_snapshot_can_be_driven_on`: `Flow::resume` accepts
/// any `attempt` of at least 1, up to `u32::MAX`, and the next change of the resumed flow counts
/// one more (`start_resubmission`, or `answers_changed` after a capture once the check exists).
/// In a debug build that panics with an overflow; in a release build it wraps to attempt 0, which
/// `resume` itself refuses and which repeats the idempotency keys of the first attempt's numbering.
#[test]
fn regression_resume_accepts_an_attempt_counter_at_its_end() {
    let flow = address_flow_at_review();
    let mut json: Value = serde_json::from_str(&flow.snapshot().to_json()).expect("JSON");
    json["attempt"] = json!(u32::MAX);
    json["sent"] = json!(true);
    json["check_id"] = json!(41);
    let snapshot = Snapshot::from_json(&json.to_string()).expect("a snapshot");
    let Some(resumed) = Flow::resume(flow.settings().clone(), snapshot, flow_today()) else {
        return; // Refusing such a snapshot is one fix.
    };
    let mut flow = resumed.flow;
    flow.start_resubmission();
    assert!(flow.submission().attempt >= 1);
}

/// Found by reading `a_retry_waits_half_to_one_and_a_half_times_its_nominal_wait`'s edges:
/// `retry_delay_ms` clamps an out-of-range jitter, but `f64::clamp` lets NaN through and
/// `NaN as u32` is 0, so a NaN jitter means no wait at all. The browser's `Math.random()` never
/// gives NaN, so this is minor; the documented promise is a wait within half to one and a half
/// times the nominal one.
#[test]
fn regression_retry_delay_with_a_nan_jitter_waits_nothing() {
    assert!(backoff::retry_delay_ms(0, f64::NAN) >= 500);
}

/// A manual capture of `slot`, with bytes of its own.
fn shot(slot: Slot) -> idcheck_core::capture::Capture {
    idcheck_core::capture::Capture::new(
        idcheck_core::capture::Method::Manual,
        None,
        slot.field_prefix().as_bytes(),
    )
}
