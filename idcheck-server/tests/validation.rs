//! Every validation rule through the API: one table of bodies and the violations the server must
//! answer with (property and message, in field order), and nothing written for any of them.
//!
//! The server applies the API's own rules, as lenient as the seeds: seed 002 requires only
//! `BusinessId`, `CoworkerId` and `Name`, and formats are checked wherever a field is given. What
//! only the member rules refuse (a missing group, an expiry in the past, a file under 100 bytes)
//! is accepted here, with the documented defaults stored.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// (what the case shows, body, expected (PropertyName, Message) in order)
type Case = (&'static str, Value, Vec<(&'static str, &'static str)>);

fn check_cases() -> Vec<Case> {
    let id = identity_check(1);
    let long = |n: usize| "a".repeat(n);
    vec![
        (
            "the seed's example body",
            json!({"BusinessId": 0, "CoworkerId": 0, "Name": ""}),
            vec![
                ("BusinessId", "must be a positive number"),
                ("CoworkerId", "must be a positive number"),
                ("Name", "is a required field"),
            ],
        ),
        (
            "an empty body",
            json!({}),
            vec![
                ("BusinessId", "is a required field"),
                ("CoworkerId", "is a required field"),
                ("Name", "is a required field"),
            ],
        ),
        (
            "a blank name",
            with(id.clone(), json!({"Name": "   "})),
            vec![("Name", "is a required field")],
        ),
        (
            "a name of 201 characters",
            with(id.clone(), json!({"Name": long(201)})),
            vec![("Name", "must be at most 200 characters long")],
        ),
        (
            "a negative coworker",
            with(id.clone(), json!({"CoworkerId": -3})),
            vec![("CoworkerId", "must be a positive number")],
        ),
        (
            "an unknown business",
            with(id.clone(), json!({"BusinessId": 77})),
            vec![("BusinessId", "does not refer to an existing record")],
        ),
        (
            "an unknown coworker",
            with(id.clone(), json!({"CoworkerId": 77})),
            vec![("CoworkerId", "does not refer to an existing record")],
        ),
        (
            "a coworker of another business",
            with(id.clone(), json!({"CoworkerId": 3})),
            vec![("CoworkerId", "is not a coworker of business 1")],
        ),
        (
            "a document number with symbols",
            with(id.clone(), json!({"IdentityDocumentNumber": "X12#45"})),
            vec![(
                "IdentityDocumentNumber",
                "may only contain letters, digits, spaces and hyphens",
            )],
        ),
        (
            "a document number of 51 characters",
            with(id.clone(), json!({"IdentityDocumentNumber": long(51)})),
            vec![(
                "IdentityDocumentNumber",
                "must be at most 50 characters long",
            )],
        ),
        (
            "an issuer of 101 characters",
            with(id.clone(), json!({"IdentityDocumentIssuedBy": long(101)})),
            vec![(
                "IdentityDocumentIssuedBy",
                "must be at most 100 characters long",
            )],
        ),
        (
            "an expiry that is not a date",
            with(
                id.clone(),
                json!({"IdentityDocumentExpirationDate": "next year"}),
            ),
            vec![(
                "IdentityDocumentExpirationDate",
                "is not a valid date (expected YYYY-MM-DD)",
            )],
        ),
        (
            "30 February",
            with(
                id.clone(),
                json!({"IdentityDocumentExpirationDate": "2031-02-30"}),
            ),
            vec![(
                "IdentityDocumentExpirationDate",
                "is not a valid date (expected YYYY-MM-DD)",
            )],
        ),
        (
            "an address check given a malformed identity number",
            with(address_check(4), json!({"IdentityDocumentNumber": "#1"})),
            vec![(
                "IdentityDocumentNumber",
                "may only contain letters, digits, spaces and hyphens",
            )],
        ),
        (
            "several at once, in field order",
            json!({"CoworkerId": 1, "Name": "", "VerificationType": 2,
                   "IdentityDocumentExpirationDate": "2031-13-01"}),
            vec![
                ("BusinessId", "is a required field"),
                ("Name", "is a required field"),
                (
                    "IdentityDocumentExpirationDate",
                    "is not a valid date (expected YYYY-MM-DD)",
                ),
            ],
        ),
    ]
}

fn accepted_check_cases() -> Vec<(&'static str, Value)> {
    vec![
        (
            "a bare check",
            json!({"BusinessId": 1, "CoworkerId": 1, "Name": "Bare"}),
        ),
        ("a passport check", identity_check(1)),
        (
            "an expiry as an ISO date-time",
            with(
                identity_check(3),
                json!({"IdentityDocumentExpirationDate": "2099-05-01T00:00:00Z"}),
            ),
        ),
        ("an address check", address_check(4)),
        // Stripe collects the identity document itself.
        (
            "a Stripe Identity check",
            json!({"BusinessId": 1, "CoworkerId": 1, "Name": "Stripe", "VerificationType": 1, "IdentityCheckProvider": 2}),
        ),
        (
            "an address check given identity fields too",
            with(address_check(8), json!({"IdentityDocumentNumber": "A-1"})),
        ),
        // What only the member rules refuse; the gateway applies them before anything gets here.
        (
            "IdDocument with only its verification type",
            json!({"BusinessId": 1, "CoworkerId": 1, "Name": "x", "VerificationType": 1}),
        ),
        (
            "IdDocument with document type None",
            with(identity_check(1), json!({"IdentityDocumentType": 0})),
        ),
        (
            "a blank document number",
            with(identity_check(1), json!({"IdentityDocumentNumber": " "})),
        ),
        (
            "an expiry in the past",
            with(
                identity_check(1),
                json!({"IdentityDocumentExpirationDate": "2001-01-01"}),
            ),
        ),
        (
            "Address with only its verification type",
            json!({"BusinessId": 1, "CoworkerId": 1, "Name": "x", "VerificationType": 2}),
        ),
        (
            "Address with document type None",
            with(address_check(4), json!({"AddressDocumentType": 0})),
        ),
    ]
}

async fn assert_refused(
    server: &Server,
    token: &str,
    path: &str,
    label: &str,
    body: Value,
    expected: &[(&str, &str)],
) {
    let (status, answer) = server.post(path, token, body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{label}: {answer}");
    let errors: Vec<(String, String)> = answer["Errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{label}: no Errors in {answer}"))
        .iter()
        .map(|e| {
            (
                e["PropertyName"].as_str().unwrap().to_string(),
                e["Message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(p, m)| (p.to_string(), m.to_string()))
        .collect();
    assert_eq!(errors, expected, "{label}");
    let joined: Vec<String> = expected.iter().map(|(p, m)| format!("{p}: {m}")).collect();
    assert_eq!(
        answer["Message"],
        joined.join("\n"),
        "{label}: the Message joins every violation"
    );
    assert_eq!(answer["Value"], Value::Null);
    assert_eq!(answer["WasSuccessful"], false);
}

#[tokio::test]
async fn every_check_rule_is_enforced_and_nothing_is_written() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let admin = server.token("admin").await;
    for (label, body, expected) in check_cases() {
        assert_refused(&server, &member, CHECKS, label, body, &expected).await;
    }
    assert_eq!(
        server.count(&admin, CHECKS).await,
        0,
        "no refused check was written"
    );
    let accepted = accepted_check_cases();
    for (label, body) in &accepted {
        let (status, answer) = server.post(CHECKS, &member, body.clone()).await;
        assert_eq!(status, StatusCode::OK, "{label}: {answer}");
    }
    assert_eq!(server.count(&admin, CHECKS).await, accepted.len() as u64);
}

#[tokio::test]
async fn a_check_missing_what_seed_002_requires_is_still_refused() {
    let server = Server::start().await;
    let gateway = server.token("gateway").await;
    let admin = server.token("admin").await;
    let requested =
        json!({"BusinessId": 1, "CoworkerId": 2, "Name": "Identity check", "VerificationType": 1});
    for (missing, message) in [
        ("BusinessId", "BusinessId: is a required field"),
        ("CoworkerId", "CoworkerId: is a required field"),
        ("Name", "Name: is a required field"),
    ] {
        let (status, answer) = server
            .post(
                CHECKS,
                &gateway,
                with(requested.clone(), json!({missing: null})),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{missing}: {answer}");
        assert_eq!(answer["Message"], message);
    }
    assert_eq!(server.count(&admin, CHECKS).await, 0);
}

#[tokio::test]
async fn a_check_with_only_its_verification_type_stores_the_documented_defaults() {
    let server = Server::start().await;
    let gateway = server.token("gateway").await;
    // (VerificationType, the fields given, IdentityDocumentType and AddressDocumentType stored)
    let cases = [
        (1, json!({}), 99, 99),
        (2, json!({}), 99, 99),
        (1, json!({"IdentityDocumentType": 1}), 1, 99),
        (2, json!({"AddressDocumentType": 4}), 99, 4),
        // A value given is kept, even the enum's None.
        (1, json!({"IdentityDocumentType": 0}), 0, 99),
    ];
    for (verification_type, fields, identity_type, address_type) in cases {
        let body = with(
            json!({"BusinessId": 1, "CoworkerId": 2, "Name": "Requested check",
                   "VerificationType": verification_type}),
            fields.clone(),
        );
        let id = server.create_check(&gateway, body).await;
        let record = server.check(&gateway, id).await;
        let label = format!("VerificationType {verification_type} with {fields}");
        assert_eq!(record["VerificationType"], verification_type, "{label}");
        assert_eq!(record["IdentityDocumentType"], identity_type, "{label}");
        assert_eq!(record["AddressDocumentType"], address_type, "{label}");
        assert_eq!(record["IdentityDocumentNumber"], Value::Null, "{label}");
        assert_eq!(
            record["IdentityDocumentExpirationDate"],
            Value::Null,
            "{label}"
        );
        assert_eq!(record["VerificationStatus"], 1, "{label}: Pending");
        assert_eq!(record["CoworkerFullName"], "Bea Traveller", "{label}");
    }
}

#[tokio::test]
async fn an_update_applies_the_same_rules_as_a_create() {
    let server = Server::start().await;
    let gateway = server.token("gateway").await;
    let id = server
        .create_check(
            &gateway,
            json!({"BusinessId": 1, "CoworkerId": 2, "Name": "Requested", "VerificationType": 1}),
        )
        .await;
    // The member's answers filled into the requested check, as the gateway does with -Edit.
    let mut record = server.check(&gateway, id).await;
    for (field, value) in [
        ("IdentityDocumentType", json!(3)),
        ("IdentityDocumentNumber", json!("Y-7654321")),
        ("IdentityDocumentIssuedBy", json!("Ministerio del Interior")),
        ("IdentityDocumentExpirationDate", json!("2031-02-28")),
    ] {
        record[field] = value;
    }
    let (status, answer) = server.put(CHECKS, &gateway, record.clone()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let stored = server.check(&gateway, id).await;
    assert_eq!(stored["IdentityDocumentType"], 3);
    assert_eq!(stored["IdentityDocumentNumber"], "Y-7654321");
    assert_eq!(
        stored["IdentityDocumentExpirationDate"],
        "2031-02-28T00:00:00Z"
    );
    // A record of a document that has expired since is still a record.
    let (status, answer) = server
        .put(
            CHECKS,
            &gateway,
            with(
                stored.clone(),
                json!({"IdentityDocumentExpirationDate": "2001-01-01"}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    // Formats are checked as on create, and a refused update changes nothing.
    let (status, answer) = server
        .put(
            CHECKS,
            &gateway,
            with(
                stored,
                json!({"IdentityDocumentExpirationDate": "2031-02-29", "IdentityDocumentIssuedBy": "i".repeat(101)}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer["Message"],
        "IdentityDocumentIssuedBy: must be at most 100 characters long\n\
         IdentityDocumentExpirationDate: is not a valid date (expected YYYY-MM-DD)"
    );
    assert_eq!(
        server.check(&gateway, id).await["IdentityDocumentExpirationDate"],
        "2001-01-01T00:00:00Z"
    );
}

#[tokio::test]
async fn the_attempted_value_is_reported() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let (_, answer) = server
        .post(
            CHECKS,
            &member,
            with(identity_check(1), json!({"IdentityDocumentNumber": "X#1"})),
        )
        .await;
    assert_eq!(answer["Errors"][0]["AttemptedValue"], "X#1");
    let (_, answer) = server
        .post(
            CHECKS,
            &member,
            with(identity_check(1), json!({"BusinessId": 77})),
        )
        .await;
    assert_eq!(answer["Errors"][0]["AttemptedValue"], 77);
}

#[tokio::test]
async fn unknown_enum_numbers_and_wrong_types_name_the_property() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let cases = [
        (
            with(identity_check(1), json!({"IdentityDocumentType": 11})),
            "IdentityDocumentType",
            json!(11),
        ),
        (
            with(identity_check(1), json!({"VerificationType": 3})),
            "VerificationType",
            json!(3),
        ),
        (
            with(address_check(4), json!({"AddressDocumentType": 9})),
            "AddressDocumentType",
            json!(9),
        ),
        (
            with(identity_check(1), json!({"IdentityCheckProvider": -1})),
            "IdentityCheckProvider",
            json!(-1),
        ),
        (
            with(identity_check(1), json!({"BusinessId": "one"})),
            "BusinessId",
            json!("one"),
        ),
        (
            with(identity_check(1), json!({"Name": 5})),
            "Name",
            json!(5),
        ),
        (
            with(identity_check(1), json!({"Billed": "yes"})),
            "Billed",
            json!("yes"),
        ),
    ];
    for (body, property, attempted) in cases {
        let (status, answer) = server.post(CHECKS, &member, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{property}: {answer}");
        assert_eq!(answer["Errors"][0]["PropertyName"], property);
        assert_eq!(answer["Errors"][0]["AttemptedValue"], attempted);
        assert!(
            answer["Message"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{property}: ")),
            "{answer}"
        );
        assert_eq!(answer["WasSuccessful"], false);
    }
    let (status, answer) = server
        .post(
            CHECKS,
            &member,
            with(identity_check(1), json!({"IdentityDocumentType": 11})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["Message"]
            .as_str()
            .unwrap()
            .contains("eIdentityCheckDocumentType"),
        "{answer}"
    );
}

#[tokio::test]
async fn every_document_rule_is_enforced_and_nothing_is_written() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let admin = server.token("admin").await;
    let check = server.create_check(&member, identity_check(1)).await;
    let other_check = server
        .create_check(
            &admin,
            json!({"BusinessId": 2, "CoworkerId": 3, "Name": "Other"}),
        )
        .await;
    let cases: Vec<Case> = vec![
        (
            "an empty body",
            json!({}),
            vec![
                ("CoworkerId", "is a required field"),
                ("CoworkerIdentityCheckId", "is a required field"),
                ("Name", "is a required field"),
            ],
        ),
        (
            "zero ids",
            json!({"CoworkerId": 0, "CoworkerIdentityCheckId": 0, "Name": "d"}),
            vec![
                ("CoworkerId", "must be a positive number"),
                ("CoworkerIdentityCheckId", "must be a positive number"),
            ],
        ),
        (
            "an unknown check",
            json!({"CoworkerId": 1, "CoworkerIdentityCheckId": 999, "Name": "d"}),
            vec![(
                "CoworkerIdentityCheckId",
                "does not refer to an existing record",
            )],
        ),
        (
            "another coworker's check",
            json!({"CoworkerId": 1, "CoworkerIdentityCheckId": other_check, "Name": "d"}),
            vec![(
                "CoworkerId",
                "is not the coworker of CoworkerIdentityCheck 2",
            )],
        ),
        (
            "a name of 201 characters",
            json!({"CoworkerId": 1, "CoworkerIdentityCheckId": check, "Name": "n".repeat(201)}),
            vec![("Name", "must be at most 200 characters long")],
        ),
    ];
    for (label, body, expected) in cases {
        assert_refused(&server, &member, DOCUMENTS, label, body, &expected).await;
    }
    assert_eq!(server.count(&admin, DOCUMENTS).await, 0);
}

#[tokio::test]
async fn every_file_rule_is_enforced_naming_the_property() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let admin = server.token("admin").await;
    let check = server.create_check(&member, identity_check(1)).await;
    let document = |field: &str, url: String| {
        let mut body =
            json!({"CoworkerId": 1, "CoworkerIdentityCheckId": check, "Name": "Passport"});
        body[field] = Value::String(url);
        body
    };
    let text = "a text file, and certainly not a picture of anybody's passport ".repeat(4);
    let cases: Vec<Case> = vec![
        (
            "an empty data: URL",
            document("NewPhotoUrl", "data:image/jpeg;base64,".into()),
            vec![("NewPhotoUrl", "is an empty file")],
        ),
        (
            "text declared as an image",
            document("NewDocumentUrl", data_url("image/png", text.as_bytes())),
            vec![(
                "NewDocumentUrl",
                "is not an accepted file type (JPEG, PNG, WebP or PDF)",
            )],
        ),
        (
            "a GIF",
            document(
                "NewAdditionalDocumentUrl",
                data_url("image/gif", &[b"GIF89a".as_slice(), &[0; 200]].concat()),
            ),
            vec![(
                "NewAdditionalDocumentUrl",
                "is not an accepted file type (JPEG, PNG, WebP or PDF)",
            )],
        ),
        (
            "one byte over 10 MB",
            document(
                "NewPhotoUrl",
                data_url("image/jpeg", &jpeg(10 * 1024 * 1024 + 1)),
            ),
            vec![("NewPhotoUrl", "is larger than the 10 MB limit")],
        ),
        (
            "an ftp URL",
            document("NewPhotoUrl", "ftp://example.com/face.jpg".into()),
            vec![(
                "NewPhotoUrl",
                "could not be fetched: only http, https and data: URLs are accepted",
            )],
        ),
        (
            "not a URL at all",
            document("NewPhotoUrl", "face.jpg".into()),
            vec![("NewPhotoUrl", "could not be fetched: it is not a URL")],
        ),
    ];
    for (label, body, expected) in cases {
        assert_refused(&server, &member, DOCUMENTS, label, body, &expected).await;
    }
    let (status, answer) = server
        .post(
            DOCUMENTS,
            &member,
            document("NewPhotoUrl", "data:image/png;base64,@@@@".into()),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["Errors"][0]["PropertyName"], "NewPhotoUrl");
    assert!(
        answer["Errors"][0]["Message"]
            .as_str()
            .unwrap()
            .starts_with("is not a readable data: URL"),
        "{answer}"
    );
    // Exactly 10 MB is accepted, and so is any real image under the member rules' 100 bytes.
    let accepted = [jpeg(10 * 1024 * 1024), jpeg(99), vec![0xFF, 0xD8, 0xFF]];
    for bytes in &accepted {
        let (status, answer) = server
            .post(
                DOCUMENTS,
                &member,
                document("NewPhotoUrl", data_url("image/jpeg", bytes)),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{} bytes: {answer}", bytes.len());
    }
    assert_eq!(
        server.count(&admin, DOCUMENTS).await,
        accepted.len() as u64,
        "only the valid documents were written"
    );
}

#[tokio::test]
async fn a_long_data_url_is_shortened_in_the_attempted_value() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let check = server.create_check(&member, identity_check(1)).await;
    let url = data_url("image/png", &[b"GIF89a".as_slice(), &[7; 5000]].concat());
    let (status, answer) = server
        .post(DOCUMENTS, &member, json!({"CoworkerId": 1, "CoworkerIdentityCheckId": check, "Name": "x", "NewPhotoUrl": url}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let attempted = answer["Errors"][0]["AttemptedValue"].as_str().unwrap();
    assert!(
        attempted.starts_with("data:image/png;base64,") && attempted.chars().count() <= 121,
        "{attempted}"
    );
}
