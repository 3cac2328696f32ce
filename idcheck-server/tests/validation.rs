//! Every validation rule through the API: one table of bodies and the violations the server must
//! answer with (property and message, in field order), and nothing written for any of them.

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
            "IdDocument without its group",
            json!({"BusinessId": 1, "CoworkerId": 1, "Name": "x", "VerificationType": 1}),
            vec![
                ("IdentityDocumentType", "is a required field"),
                ("IdentityDocumentNumber", "is a required field"),
                ("IdentityDocumentIssuedBy", "is a required field"),
                ("IdentityDocumentExpirationDate", "is a required field"),
            ],
        ),
        (
            "IdDocument with document type None",
            with(id.clone(), json!({"IdentityDocumentType": 0})),
            vec![("IdentityDocumentType", "is a required field")],
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
            "a blank document number",
            with(id.clone(), json!({"IdentityDocumentNumber": " "})),
            vec![("IdentityDocumentNumber", "is a required field")],
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
            "an expiry in the past",
            with(
                id.clone(),
                json!({"IdentityDocumentExpirationDate": "2001-01-01"}),
            ),
            vec![(
                "IdentityDocumentExpirationDate",
                "must not be a date in the past",
            )],
        ),
        (
            "Address without its document type",
            json!({"BusinessId": 1, "CoworkerId": 1, "Name": "x", "VerificationType": 2}),
            vec![("AddressDocumentType", "is a required field")],
        ),
        (
            "Address with document type None",
            with(address_check(4), json!({"AddressDocumentType": 0})),
            vec![("AddressDocumentType", "is a required field")],
        ),
        (
            "several at once, in field order",
            json!({"CoworkerId": 1, "Name": "", "VerificationType": 2}),
            vec![
                ("BusinessId", "is a required field"),
                ("Name", "is a required field"),
                ("AddressDocumentType", "is a required field"),
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
            "too small to be an image",
            document("NewPhotoUrl", data_url("image/jpeg", &jpeg(99))),
            vec![(
                "NewPhotoUrl",
                "is too small to be an image (at least 100 bytes)",
            )],
        ),
        (
            "text declared as an image",
            document("NewDocumentUrl", data_url("image/png", text.as_bytes())),
            vec![(
                "NewDocumentUrl",
                "is not an accepted image type (JPEG, PNG or WebP)",
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
                "is not an accepted image type (JPEG, PNG or WebP)",
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
    // Exactly 10 MB is accepted.
    let (status, answer) = server
        .post(
            DOCUMENTS,
            &member,
            document(
                "NewPhotoUrl",
                data_url("image/jpeg", &jpeg(10 * 1024 * 1024)),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        server.count(&admin, DOCUMENTS).await,
        1,
        "only the valid document was written"
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
