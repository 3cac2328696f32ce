//! The seeds' examples against the real server: the create envelopes, the 400 shape, every field
//! of both GET examples (in their order), the joined names, the start-up announcement, and the
//! seeded lookups.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The seeds' example JSON, as the core keeps them verbatim.
const CHECK_GET: &str = include_str!("../../idcheck-core/tests/fixtures/check_get.json");
const DOCUMENT_GET: &str = include_str!("../../idcheck-core/tests/fixtures/document_get.json");
const CREATE_SUCCESS: &str = include_str!("../../idcheck-core/tests/fixtures/create_success.json");
const CREATE_FAILURE: &str = include_str!("../../idcheck-core/tests/fixtures/create_failure.json");

/// The top-level keys of a pretty-printed example, in the order written.
fn keys_in_order(example: &str) -> Vec<String> {
    example
        .lines()
        .filter_map(|line| line.trim().strip_prefix('"'))
        .filter_map(|rest| rest.split_once("\":").map(|(key, _)| key.to_string()))
        .collect()
}

/// Asserts `raw` (an answer's text) has every key of `example`, in the example's order.
fn assert_fields_in_seed_order(example: &str, raw: &str) {
    let keys = keys_in_order(example);
    assert!(keys.len() > 30, "the example has its fields");
    let mut last = 0;
    for key in keys {
        let position = raw
            .find(&format!("\"{key}\":"))
            .unwrap_or_else(|| panic!("{key} is missing from {raw}"));
        assert!(
            position >= last,
            "{key} is out of the seed's order in {raw}"
        );
        last = position;
    }
}

#[tokio::test]
async fn start_up_announces_the_demo_users_then_the_address() {
    let server = Server::start().await;
    let logins: Vec<&str> = server
        .users
        .iter()
        .map(|(login, _, _)| login.as_str())
        .collect();
    assert_eq!(
        logins,
        [
            "admin@example.com",
            "reviewer@example.com",
            "member@example.com",
            "member2@example.com",
            "gateway@example.com"
        ]
    );
    let member_roles = "CoworkerIdentityCheck-Create,CoworkerIdentityCheck-Read,CoworkerIdentityCheck-List,\
         CoworkerIdentityCheckDocument-Create,CoworkerIdentityCheckDocument-Read,CoworkerIdentityCheckDocument-List";
    let member = &server.users[2];
    assert_eq!(
        (member.1.as_str(), member.2.as_str()),
        ("member-demo-password", member_roles)
    );
    let member2 = &server.users[3];
    assert_eq!(
        (member2.1.as_str(), member2.2.as_str()),
        ("member2-demo-password", member_roles)
    );
    let gateway = &server.users[4];
    assert_eq!(gateway.1, "gateway-demo-password");
    assert_eq!(
        gateway.2,
        "CoworkerIdentityCheck-Create,CoworkerIdentityCheck-Read,CoworkerIdentityCheck-List,CoworkerIdentityCheck-Edit,\
         CoworkerIdentityCheckDocument-Create,CoworkerIdentityCheckDocument-Read,CoworkerIdentityCheckDocument-List"
    );
    assert!(
        server.url.starts_with("http://127.0.0.1:") && !server.url.ends_with(":0"),
        "{}",
        server.url
    );
}

#[tokio::test]
async fn help_prints_the_flags() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_idcheck-server"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for flag in [
        "--listen",
        "--database",
        "--files",
        "--dist",
        "--cors-origin",
        "--no-rate-limit",
        "--rate-limit",
        "--fault-injection",
    ] {
        assert!(text.contains(flag), "{flag} is missing from --help");
    }
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_idcheck-server"))
        .arg("--bogus")
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
}

#[tokio::test]
async fn create_answers_the_seed_success_envelope() {
    let server = Server::start().await;
    let token = server.token("member").await;
    let (status, answer) = server.post(CHECKS, &token, identity_check(1)).await;
    assert_eq!(status, StatusCode::OK);
    let seed: Value = serde_json::from_str(CREATE_SUCCESS).unwrap();
    // Same keys as the seed's example; the values that vary are checked one by one.
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&answer), keys(&seed));
    assert_eq!(answer["Status"], 200);
    assert_eq!(
        answer["Message"],
        "CoworkerIdentityCheck was successfully created."
    );
    assert!(answer["Value"]["Id"].as_i64().unwrap() > 0);
    assert_eq!(answer["WasSuccessful"], true);
    assert_eq!(answer["Errors"], Value::Null);
    assert_eq!(answer["RedirectURL"], Value::Null);
    assert_eq!(answer["OpenInDialog"], false);
    assert_eq!(answer["UpdatedBy"], "member@example.com");
    assert!(is_iso_8601(answer["UpdatedOn"].as_str().unwrap()));

    let check_id = answer["Value"]["Id"].as_i64().unwrap();
    let (status, answer) = server
        .post(
            DOCUMENTS,
            &token,
            json!({"CoworkerId": 1, "CoworkerIdentityCheckId": check_id, "Name": "Passport"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        answer["Message"],
        "CoworkerIdentityCheckDocument was successfully created."
    );
    assert_eq!(keys(&answer), keys(&seed));
}

#[tokio::test]
async fn a_missing_name_is_exactly_the_seed_400() {
    let server = Server::start().await;
    let token = server.token("member").await;
    let (status, answer) = server
        .post(CHECKS, &token, json!({"BusinessId": 1, "CoworkerId": 1}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let seed: Value = serde_json::from_str(CREATE_FAILURE).unwrap();
    assert_eq!(answer, seed);
    // And the same for a document.
    let check = server.create_check(&token, identity_check(1)).await;
    let (status, answer) = server
        .post(
            DOCUMENTS,
            &token,
            json!({"CoworkerId": 1, "CoworkerIdentityCheckId": check}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer, seed);
}

fn is_iso_8601(text: &str) -> bool {
    let bytes = text.as_bytes();
    text.len() == 20
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes[10] == b'T'
        && bytes[13] == b':'
        && bytes[16] == b':'
        && text.ends_with('Z')
        && idcheck_core::date::Date::parse(text).is_some()
}

#[tokio::test]
async fn a_check_has_every_field_of_the_seed_get_example() {
    let server = Server::start().await;
    let token = server.token("member").await;
    let id = server.create_check(&token, identity_check(1)).await;
    let response = server
        .request(Method::GET, &format!("{CHECKS}/{id}"), Some(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let raw = response.text().await.unwrap();
    assert_fields_in_seed_order(CHECK_GET, &raw);
    let record: Value = serde_json::from_str(&raw).unwrap();
    // Parses as the core's read record too.
    let _: idcheck_core::model::CoworkerIdentityCheck =
        serde_json::from_value(record.clone()).unwrap();

    let expected = json!({
        "Id": id, "BusinessId": 1, "BusinessName": "Coworking Central", "CoworkerId": 1,
        "CoworkerFullName": "Alex Member", "CoworkerCoworkerType": "Member",
        "CoworkerCompanyName": "Alex Studio Ltd", "CoworkerBillingName": "Alex Member",
        "Name": "Identity check", "IdentityCheckProvider": 1, "IdentityDocumentType": 1,
        "IdentityDocumentNumber": "X1234567", "IdentityDocumentIssuedBy": "HM Passport Office",
        "IdentityDocumentExpirationDate": "2099-05-01T00:00:00Z",
        // Not given: seed 002's default is Other.
        "AddressDocumentType": 99,
        "VerificationType": 1, "VerificationStatus": 1, "LastError": null, "Billed": false,
        "UpdatedBy": "member@example.com", "IsNew": false, "ToStringText": "Identity check",
    });
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(&record[key], value, "{key}");
    }
    let unique_id = record["UniqueId"].as_str().unwrap();
    assert_eq!(unique_id.len(), 36);
    assert_eq!(unique_id.matches('-').count(), 4);
    assert!(is_iso_8601(record["CreatedOn"].as_str().unwrap()));
    assert!(is_iso_8601(record["UpdatedOn"].as_str().unwrap()));
}

#[tokio::test]
async fn defaults_are_the_ones_seed_002_states() {
    let server = Server::start().await;
    let token = server.token("member").await;
    let id = server
        .create_check(
            &token,
            json!({"BusinessId": 2, "CoworkerId": 3, "Name": "Bare"}),
        )
        .await;
    let record = server.check(&token, id).await;
    assert_eq!(record["IdentityCheckProvider"], 1, "Manual");
    assert_eq!(record["IdentityDocumentType"], 99, "Other");
    assert_eq!(record["AddressDocumentType"], 99, "Other");
    assert_eq!(record["VerificationType"], 0);
    assert_eq!(record["VerificationStatus"], 1, "Pending on creation");
    assert_eq!(record["BusinessName"], "Harbour Hub");
    assert_eq!(record["CoworkerFullName"], "Chris Teamwork");
    assert_eq!(record["CoworkerCoworkerType"], "TeamMember");
}

#[tokio::test]
async fn a_document_has_every_field_of_the_seed_get_example_with_its_check_flattened_in() {
    let server = Server::start().await;
    let token = server.token("member").await;
    let check = server.create_check(&token, identity_check(2)).await;
    let id = server
        .create_document(
            &token,
            json!({"CoworkerId": 1, "CoworkerIdentityCheckId": check, "Name": "Driving licence", "Notes": "front only",
                   "NewPhotoUrl": data_url("image/jpeg", &jpeg(1024))}),
        )
        .await;
    let response = server
        .request(Method::GET, &format!("{DOCUMENTS}/{id}"), Some(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let raw = response.text().await.unwrap();
    assert_fields_in_seed_order(DOCUMENT_GET, &raw);
    let record: Value = serde_json::from_str(&raw).unwrap();
    let _: idcheck_core::model::CoworkerIdentityCheckDocument =
        serde_json::from_value(record.clone()).unwrap();
    let expected = json!({
        "Id": id, "CoworkerId": 1, "CoworkerFullName": "Alex Member", "CoworkerCoworkerType": "Member",
        "CoworkerCompanyName": "Alex Studio Ltd", "CoworkerBillingName": "Alex Member",
        "CoworkerIdentityCheckId": check, "CoworkerIdentityCheckName": "Identity check",
        "CoworkerIdentityCheckVerificationType": 1, "CoworkerIdentityCheckBusinessName": "Coworking Central",
        "CoworkerIdentityCheckIdentityDocumentType": 2,
        "CoworkerIdentityCheckIdentityDocumentNumber": "X1234567",
        "CoworkerIdentityCheckIdentityDocumentIssuedBy": "HM Passport Office",
        "CoworkerIdentityCheckIdentityDocumentExpirationDate": "2099-05-01T00:00:00Z",
        "CoworkerIdentityCheckAddressDocumentType": 99,
        "Name": "Driving licence", "DocumentFileName": null, "AdditionalDocumentFileName": null,
        "NewPhotoUrl": null, "ClearPhotoFile": null, "VerificationStatus": 1, "Notes": "front only",
        "UpdatedBy": "member@example.com", "IsNew": false,
    });
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(&record[key], value, "{key}");
    }
    assert!(record["PhotoFileName"].as_str().unwrap().ends_with(".jpg"));
}

#[tokio::test]
async fn seeded_businesses_and_coworkers_are_listed() {
    let server = Server::start().await;
    let token = server.token("member").await;
    let (status, businesses) = server.get("/api/sys/businesses", &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        businesses["Records"],
        json!([{"Id": 1, "Name": "Coworking Central"}, {"Id": 2, "Name": "Harbour Hub"}])
    );
    assert_eq!(businesses["TotalItems"], 2);
    let (status, coworkers) = server
        .get("/api/spaces/coworkers?Coworker_Business=1", &token)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(coworkers["Records"][0]["FullName"], "Alex Member");
    assert_eq!(coworkers["Records"][0]["BusinessId"], 1);
    assert!(
        coworkers["Records"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["BusinessId"] == 1)
    );
    let (status, _) = server
        .call(Method::GET, "/api/spaces/coworkers", None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_envelopes() {
    let server = Server::start().await;
    let token = server.token("admin").await;
    let (status, answer) = server.get("/api/spaces/nothing", &token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["WasSuccessful"], false);
    assert_eq!(
        answer["Message"],
        "There is no API route GET /api/spaces/nothing."
    );
    let (status, answer) = server
        .call(Method::PATCH, CHECKS, Some(&token), Some(json!({})))
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(answer["WasSuccessful"], false);
}
