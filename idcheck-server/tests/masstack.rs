//! MasStack's identification with identity document (seed 004) against the real server: create
//! and read, every 400 (a 31-day `expires_in` and an NIE with a wrong letter among them), 401,
//! 404 for unknown organisations and ids, the cancel and validate lifecycle with its 409s, expiry,
//! and the shared layers (rate limits, fault injection, body limits) answering in MasStack's form.

mod common;

use std::time::Duration;

use common::*;
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

const MASMOVIL: &str = "/v1/orgs/masmovil/identifications/identity_document";
const YOIGO: &str = "/v1/orgs/yoigo/identifications/identity_document";
const UNKNOWN_ORG: &str = "/v1/orgs/acme/identifications/identity_document";
/// A well-formed uuid no identification has.
const NO_SUCH_ID: &str = "00000000-0000-4000-8000-000000000000";

/// A valid create body: a NIE with its right letter.
fn nie_request() -> Value {
    json!({
        "name": "Lucía",
        "last_name": "García Pérez",
        "identity_document": {"document_number": "X1234567L", "document_type": "NIE", "country": "ES"},
        "configuration_name": "MEDIUM",
        "expires_in": "P7D",
        "scoring": {"provider": "INTERNAL"}
    })
}

/// Sends `body` (or nothing) and returns the status, the `Retry-After` header, and the JSON
/// answer, `None` for an empty one (a 204).
async fn send(
    server: &Server,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Option<String>, Option<Value>) {
    let mut request = server.request(method, path, token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("the request is answered");
    let status = response.status();
    let retry = response
        .headers()
        .get(header::RETRY_AFTER)
        .map(|v| v.to_str().expect("ASCII").to_owned());
    let text = response.text().await.expect("a body");
    let json = (!text.is_empty()).then(|| {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"))
    });
    (status, retry, json)
}

/// The `(field, code)` of each entry of an `ErrorsResponse`, asserting it has exactly that shape.
fn errors(answer: &Value) -> Vec<(String, String)> {
    let object = answer.as_object().expect("an object");
    assert_eq!(object.len(), 1, "only `errors`: {answer}");
    answer["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("an errors array: {answer}"))
        .iter()
        .map(|item| {
            assert_eq!(item.as_object().map(|o| o.len()), Some(3), "{item}");
            assert!(
                item["message"].as_str().is_some_and(|m| !m.is_empty()),
                "{item}"
            );
            let text = |key: &str| item[key].as_str().expect("a string").to_owned();
            (text("field"), text("code"))
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
        .collect()
}

/// Creates an identification in `org` and returns its answer.
async fn create(server: &Server, token: &str, org: &str, body: Value) -> Value {
    let (status, _, answer) = send(server, Method::POST, org, Some(token), Some(body)).await;
    let answer = answer.expect("a body");
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

async fn read(server: &Server, token: &str, org: &str, id: &str) -> Value {
    let path = format!("{org}/{id}");
    let (status, _, answer) = send(server, Method::GET, &path, Some(token), None).await;
    let answer = answer.expect("a body");
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

#[tokio::test]
async fn create_answers_the_identification_and_get_reads_it_back() {
    let server = Server::start().await;
    let token = server.token("member").await;
    let created = create(&server, &token, MASMOVIL, nie_request()).await;
    let id = created["id"].as_str().expect("an id").to_owned();
    assert_eq!(id.len(), 36, "a hyphenated uuid: {id}");
    let created_at = created["created_at"].as_str().expect("created_at");
    let expected = json!({
        "id": id,
        "org_id": "masmovil",
        "state": "PENDING",
        "name": "Lucía",
        "last_name": "García Pérez",
        "identity_document": {"document_number": "X1234567L", "document_type": "NIE", "country": "ES"},
        "configuration_name": "MEDIUM",
        "expires_in": "P7D",
        "expires_at": created["expires_at"],
        "scoring": {"provider": "INTERNAL"},
        "created_at": created_at,
        "cancel_reason": null
    });
    assert_eq!(created, expected);
    assert!(
        created_at.ends_with('Z') && created_at.len() == 20,
        "{created_at}"
    );
    assert_eq!(read(&server, &token, MASMOVIL, &id).await, expected);
    assert_eq!(
        read(&server, &token, MASMOVIL, &id.to_uppercase()).await["id"],
        id.as_str(),
        "an id in upper case names the same identification"
    );
}

#[tokio::test]
async fn create_normalises_what_it_stores_and_defaults_thirty_days() {
    let server = Server::start().await;
    let token = server.token("member").await;
    let body = json!({
        "name": "  Ana ",
        "identity_document": {"document_number": " 1234 5678-z ", "document_type": "NIF", "country": "es"}
    });
    let created = create(&server, &token, YOIGO, body).await;
    assert_eq!(created["name"], "Ana");
    assert_eq!(created["last_name"], Value::Null);
    assert_eq!(created["identity_document"]["document_number"], "12345678Z");
    assert_eq!(created["identity_document"]["country"], "ES");
    assert_eq!(created["expires_in"], "P30D");
    assert_eq!(created["configuration_name"], Value::Null);
    assert_eq!(created["scoring"], Value::Null);
    let spans = [("PT720H", "P30D"), ("p1w", "P7D"), ("PT36H", "P1DT12H")];
    for (sent, stored) in spans {
        let body = with(nie_request(), json!({"expires_in": sent}));
        let created = create(&server, &token, YOIGO, body).await;
        assert_eq!(created["expires_in"], stored, "{sent}");
    }
}

/// A label, a create body, and the `(field, code)` of each error its 400 must list, in order.
type RejectedCreate = (&'static str, Value, Vec<(&'static str, &'static str)>);

#[tokio::test]
async fn create_reports_every_violation_as_a_400() {
    let server = Server::start().await;
    let token = server.token("member").await;
    let document = |fields: Value| json!({"identity_document": fields});
    let cases: Vec<RejectedCreate> = vec![
        (
            "an empty body",
            json!({}),
            vec![("identity_document", "required")],
        ),
        (
            "an empty document",
            document(json!({})),
            vec![
                ("identity_document.document_number", "required"),
                ("identity_document.document_type", "required"),
            ],
        ),
        (
            "an NIE with a wrong letter",
            document(json!({"document_number": "X1234567A", "document_type": "NIE"})),
            vec![("identity_document.document_number", "wrong_check_letter")],
        ),
        (
            "a NIF with a wrong letter",
            document(json!({"document_number": "12345678A", "document_type": "NIF"})),
            vec![("identity_document.document_number", "wrong_check_letter")],
        ),
        (
            "a NIF of 7 digits",
            document(json!({"document_number": "1234567Z", "document_type": "NIF"})),
            vec![("identity_document.document_number", "invalid_format")],
        ),
        (
            "a passport of 4 characters",
            document(json!({"document_number": "AB12", "document_type": "PASSPORT"})),
            vec![("identity_document.document_number", "invalid_format")],
        ),
        (
            "an unknown country",
            with(
                nie_request(),
                document(
                    json!({"document_number": "X1234567L", "document_type": "NIE", "country": "UK"}),
                ),
            ),
            vec![("identity_document.country", "unknown_country")],
        ),
        (
            "31 days",
            with(nie_request(), json!({"expires_in": "P31D"})),
            vec![("expires_in", "duration_too_long")],
        ),
        (
            "721 hours",
            with(nie_request(), json!({"expires_in": "PT721H"})),
            vec![("expires_in", "duration_too_long")],
        ),
        (
            "a month",
            with(nie_request(), json!({"expires_in": "P1M"})),
            vec![("expires_in", "invalid_duration")],
        ),
        (
            "a name of 101 characters",
            with(nie_request(), json!({"name": "n".repeat(101)})),
            vec![("name", "too_long")],
        ),
        (
            "an unknown document type",
            document(json!({"document_number": "X1234567L", "document_type": "DNI"})),
            vec![("identity_document.document_type", "invalid_choice")],
        ),
        (
            "an unknown configuration",
            with(nie_request(), json!({"configuration_name": "ULTRA"})),
            vec![("configuration_name", "invalid_choice")],
        ),
        (
            "an unknown scoring provider",
            with(nie_request(), json!({"scoring": {"provider": "NOBODY"}})),
            vec![("scoring.provider", "invalid_choice")],
        ),
        (
            "a duration given as a number",
            with(nie_request(), json!({"expires_in": 30})),
            vec![("expires_in", "invalid_format")],
        ),
        (
            "a body that is not an object",
            json!(["X1234567L"]),
            vec![("body", "bad_request")],
        ),
        (
            "several at once, in field order",
            json!({"expires_in": "P31D", "name": "n".repeat(101),
                   "identity_document": {"document_number": "X1234567A", "document_type": "NIE", "country": "ESP"}}),
            vec![
                ("name", "too_long"),
                ("identity_document.document_number", "wrong_check_letter"),
                ("identity_document.country", "invalid_format"),
                ("expires_in", "duration_too_long"),
            ],
        ),
    ];
    for (label, body, expected) in cases {
        let (status, _, answer) =
            send(&server, Method::POST, MASMOVIL, Some(&token), Some(body)).await;
        let answer = answer.expect("a body");
        assert_eq!(status, StatusCode::BAD_REQUEST, "{label}: {answer}");
        assert_eq!(errors(&answer), pairs(&expected), "{label}: {answer}");
    }
}

#[tokio::test]
async fn messages_say_what_is_expected() {
    let server = Server::start().await;
    let token = server.token("member").await;
    let cases = [
        (
            json!({"identity_document": {"document_number": "X1234567A", "document_type": "NIE"}}),
            "the check letter should be L",
        ),
        (
            with(nie_request(), json!({"expires_in": "P31D"})),
            "must be at most 30 days (P30D)",
        ),
    ];
    for (body, message) in cases {
        let (_, _, answer) = send(&server, Method::POST, MASMOVIL, Some(&token), Some(body)).await;
        let answer = answer.expect("a body");
        assert_eq!(answer["errors"][0]["message"], message, "{answer}");
    }
    let response = server
        .request(Method::POST, MASMOVIL, Some(&token))
        .header(header::CONTENT_TYPE, "application/json")
        .body("{not json")
        .send()
        .await
        .expect("answered");
    let (status, answer) = answer(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(errors(&answer), pairs(&[("body", "bad_request")]));
}

#[tokio::test]
async fn every_call_needs_a_valid_token() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let id = create(&server, &member, MASMOVIL, nie_request()).await["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let one = format!("{MASMOVIL}/{id}");
    let calls = [
        (Method::POST, MASMOVIL.to_owned(), Some(nie_request())),
        (Method::GET, one.clone(), None),
        (Method::DELETE, one.clone(), Some(json!({"reason": "r"}))),
        (Method::POST, format!("{one}/validate"), None),
    ];
    for (method, path, body) in calls {
        for token in [None, Some("not-a-token")] {
            let (status, _, answer) =
                send(&server, method.clone(), &path, token, body.clone()).await;
            let answer = answer.expect("a body");
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{method} {path} {token:?}"
            );
            assert_eq!(
                errors(&answer),
                pairs(&[("authorization", "unauthenticated")])
            );
        }
    }
    assert_eq!(
        read(&server, &member, MASMOVIL, &id).await["state"],
        "PENDING"
    );
}

#[tokio::test]
async fn unknown_organisations_and_identifications_are_404() {
    let server = Server::start().await;
    let token = server.token("member").await;
    let id = create(&server, &token, MASMOVIL, nie_request()).await["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let reason = Some(json!({"reason": "not needed"}));
    let calls = [
        (
            Method::POST,
            UNKNOWN_ORG.to_owned(),
            Some(nie_request()),
            "org_id",
        ),
        (
            Method::POST,
            UNKNOWN_ORG.to_owned(),
            Some(json!({})),
            "org_id",
        ),
        (Method::GET, format!("{UNKNOWN_ORG}/{id}"), None, "org_id"),
        (
            Method::GET,
            format!("{MASMOVIL}/{NO_SUCH_ID}"),
            None,
            "admin_identification_id",
        ),
        (
            Method::GET,
            format!("{MASMOVIL}/not-a-uuid"),
            None,
            "admin_identification_id",
        ),
        (
            Method::GET,
            format!("{YOIGO}/{id}"),
            None,
            "admin_identification_id",
        ),
        (
            Method::DELETE,
            format!("{MASMOVIL}/{NO_SUCH_ID}"),
            reason.clone(),
            "admin_identification_id",
        ),
        (
            Method::DELETE,
            format!("{MASMOVIL}/{NO_SUCH_ID}"),
            Some(json!({})),
            "admin_identification_id",
        ),
        (
            Method::DELETE,
            format!("{YOIGO}/{id}"),
            reason.clone(),
            "admin_identification_id",
        ),
        (
            Method::DELETE,
            format!("{UNKNOWN_ORG}/{id}"),
            reason,
            "org_id",
        ),
        (
            Method::POST,
            format!("{MASMOVIL}/{NO_SUCH_ID}/validate"),
            None,
            "admin_identification_id",
        ),
        (
            Method::GET,
            "/v1/orgs/masmovil/nothing".to_owned(),
            None,
            "path",
        ),
    ];
    for (method, path, body, field) in calls {
        let (status, _, answer) = send(&server, method.clone(), &path, Some(&token), body).await;
        let answer = answer.expect("a body");
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {answer}");
        assert_eq!(
            errors(&answer),
            pairs(&[(field, "not_found")]),
            "{method} {path}"
        );
    }
    assert_eq!(
        read(&server, &token, MASMOVIL, &id).await["state"],
        "PENDING",
        "another organisation's cancel did not reach it"
    );
}

/// One step of a lifecycle: what is sent to the identification, and what must come back.
struct Step {
    label: &'static str,
    method: Method,
    /// Appended to the identification's path.
    suffix: &'static str,
    body: Option<Value>,
    status: StatusCode,
    /// The single error's code, for a refusal.
    code: Option<&'static str>,
}

fn step(
    label: &'static str,
    method: Method,
    suffix: &'static str,
    body: Option<Value>,
    status: StatusCode,
    code: Option<&'static str>,
) -> Step {
    Step {
        label,
        method,
        suffix,
        body,
        status,
        code,
    }
}

/// Runs `steps` against a new identification and returns how it reads afterwards.
async fn run_lifecycle(server: &Server, token: &str, steps: Vec<Step>) -> Value {
    let id = create(server, token, MASMOVIL, nie_request()).await["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    for step in steps {
        let path = format!("{MASMOVIL}/{id}{}", step.suffix);
        let (status, _, answer) = send(server, step.method, &path, Some(token), step.body).await;
        assert_eq!(status, step.status, "{}: {answer:?}", step.label);
        match step.code {
            Some(code) => {
                let answer = answer.expect("an error body");
                let fields = errors(&answer);
                assert_eq!(fields.len(), 1, "{}: {answer}", step.label);
                assert_eq!(fields[0].1, code, "{}: {answer}", step.label);
            }
            None => assert_eq!(answer, None, "{}: a 204 has no body", step.label),
        }
    }
    read(server, token, MASMOVIL, &id).await
}

#[tokio::test]
async fn a_cancelled_identification_cannot_be_cancelled_twice() {
    let server = Server::start().await;
    let token = server.token("member").await;
    let (delete, post) = (Method::DELETE, Method::POST);
    let conflict = StatusCode::CONFLICT;
    let steps = vec![
        step(
            "cancel without a reason",
            delete.clone(),
            "",
            Some(json!({})),
            StatusCode::BAD_REQUEST,
            Some("required"),
        ),
        step(
            "cancel with a blank reason",
            delete.clone(),
            "",
            Some(json!({"reason": "  "})),
            StatusCode::BAD_REQUEST,
            Some("required"),
        ),
        step(
            "cancel with a long reason",
            delete.clone(),
            "",
            Some(json!({"reason": "r".repeat(501)})),
            StatusCode::BAD_REQUEST,
            Some("too_long"),
        ),
        step(
            "cancel with a reason of the wrong type",
            delete.clone(),
            "",
            Some(json!({"reason": 5})),
            StatusCode::BAD_REQUEST,
            Some("invalid_format"),
        ),
        step(
            "cancel",
            delete.clone(),
            "",
            Some(json!({"reason": " Duplicate request "})),
            StatusCode::NO_CONTENT,
            None,
        ),
        step(
            "cancel again",
            delete.clone(),
            "",
            Some(json!({"reason": "Again"})),
            conflict,
            Some("conflict"),
        ),
        step(
            "validate once cancelled",
            post,
            "/validate",
            None,
            conflict,
            Some("conflict"),
        ),
    ];
    let read = run_lifecycle(&server, &token, steps).await;
    assert_eq!(read["state"], "CANCELLED");
    assert_eq!(read["cancel_reason"], "Duplicate request");
}

#[tokio::test]
async fn a_validated_identification_is_completed_and_final() {
    let server = Server::start().await;
    let token = server.token("member").await;
    let conflict = StatusCode::CONFLICT;
    let steps = vec![
        step(
            "validate",
            Method::POST,
            "/validate",
            None,
            StatusCode::NO_CONTENT,
            None,
        ),
        step(
            "validate again",
            Method::POST,
            "/validate",
            None,
            conflict,
            Some("conflict"),
        ),
        step(
            "cancel once completed",
            Method::DELETE,
            "",
            Some(json!({"reason": "Late"})),
            conflict,
            Some("conflict"),
        ),
    ];
    let read = run_lifecycle(&server, &token, steps).await;
    assert_eq!(read["state"], "COMPLETED");
    assert_eq!(read["cancel_reason"], Value::Null);
}

#[tokio::test]
async fn the_conflict_names_the_state_in_the_way() {
    let server = Server::start().await;
    let token = server.token("admin").await;
    let id = create(&server, &token, MASMOVIL, nie_request()).await["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let path = format!("{MASMOVIL}/{id}");
    let reason = || Some(json!({"reason": "Duplicate"}));
    send(&server, Method::DELETE, &path, Some(&token), reason()).await;
    let (status, retry, answer) =
        send(&server, Method::DELETE, &path, Some(&token), reason()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(retry, None, "no Retry-After: this 409 is not a throttle");
    assert_eq!(
        answer.expect("a body"),
        json!({"errors": [{"field": "state", "code": "conflict",
            "message": "The identification is already CANCELLED; it can no longer be cancelled."}]})
    );
}

#[tokio::test]
async fn a_pending_identification_expires_at_expires_at() {
    let server = Server::start().await;
    let token = server.token("member").await;
    let body = with(nie_request(), json!({"expires_in": "PT1S"}));
    let id = create(&server, &token, MASMOVIL, body).await["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    assert_eq!(
        read(&server, &token, MASMOVIL, &id).await["state"],
        "EXPIRED"
    );
    let path = format!("{MASMOVIL}/{id}");
    let attempts = [
        (
            Method::DELETE,
            path.clone(),
            Some(json!({"reason": "Too late"})),
        ),
        (Method::POST, format!("{path}/validate"), None),
    ];
    for (method, path, body) in attempts {
        let (status, _, answer) = send(&server, method.clone(), &path, Some(&token), body).await;
        let answer = answer.expect("a body");
        assert_eq!(status, StatusCode::CONFLICT, "{method}: {answer}");
        let message = answer["errors"][0]["message"].as_str().expect("a message");
        assert!(message.contains("EXPIRED"), "{message}");
    }
    let read = read(&server, &token, MASMOVIL, &id).await;
    assert_eq!(
        (&read["state"], &read["cancel_reason"]),
        (&json!("EXPIRED"), &Value::Null)
    );
}

#[tokio::test]
async fn throttled_calls_get_409_with_retry_after_in_masstack_form() {
    let server =
        Server::start_with(&["--no-rate-limit", "--rate-limit", "writes_per_minute=1"]).await;
    let token = server.token("member").await;
    create(&server, &token, MASMOVIL, nie_request()).await;
    let (status, retry, answer) = send(
        &server,
        Method::POST,
        MASMOVIL,
        Some(&token),
        Some(nie_request()),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "as on Nexudus's paths");
    let retry: u64 = retry.expect("Retry-After").parse().expect("seconds");
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(
        errors(&answer.expect("a body")),
        pairs(&[("request", "rate_limited")])
    );
}

#[tokio::test]
async fn injected_faults_and_oversized_bodies_answer_in_masstack_form() {
    let server = Server::start().await;
    let token = server.token("member").await;
    let faults = [
        (
            json!({"method": "POST", "path": "/v1/*", "action": "error500"}),
            StatusCode::INTERNAL_SERVER_ERROR,
            ("server", "injected_fault"),
        ),
        (
            json!({"method": "POST", "path": MASMOVIL, "action": "reject",
                   "property": "identity_document.document_number", "message": "is blocked"}),
            StatusCode::BAD_REQUEST,
            ("identity_document.document_number", "invalid_format"),
        ),
    ];
    for (fault, expected_status, expected_error) in faults {
        let (status, _, _) = send(
            &server,
            Method::POST,
            "/api/test/faults",
            None,
            Some(fault.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{fault}");
        let (status, _, answer) = send(
            &server,
            Method::POST,
            MASMOVIL,
            Some(&token),
            Some(nie_request()),
        )
        .await;
        assert_eq!(status, expected_status, "{fault}");
        assert_eq!(
            errors(&answer.expect("a body")),
            pairs(&[expected_error]),
            "{fault}"
        );
    }
    let big = with(nie_request(), json!({"name": "n".repeat(20 * 1024)}));
    let (status, _, answer) = send(&server, Method::POST, MASMOVIL, Some(&token), Some(big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        errors(&answer.expect("a body")),
        pairs(&[("body", "payload_too_large")])
    );
    let (_, _, counts) = send(&server, Method::GET, "/api/test/requests", None, None).await;
    assert_eq!(
        counts.expect("counts")["Requests"][format!("POST {MASMOVIL}")],
        3
    );
}
