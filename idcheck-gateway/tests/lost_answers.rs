//! A create whose upstream answer is lost is settled by a look-up, never by a blind second create:
//! the double (with `--fault-injection`) commits a create and then breaks its answer, and the
//! gateway must answer the member as the create would have, keep that answer for the key, and
//! leave exactly one record upstream. A create that wrote nothing stays a failure, and an older
//! record with the same fields is never taken for the lost one.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const KEY: &str = "idempotency-key";
const REPLAYED: &str = "idempotent-replayed";
const IDENTIFICATIONS: &str = "/v1/orgs/masmovil/identifications/identity_document";

async fn start() -> (Double, Gateway, String) {
    let double = Double::start_with(&["--fault-injection"]).await;
    let gateway = Gateway::start(&double).await;
    let token = gateway.mint(1, 1).await;
    (double, gateway, token)
}

/// Arms `action` on the next `POST path` the double receives.
async fn arm(double: &Double, path: &str, action: &str) {
    let answer = reqwest::Client::new()
        .post(double.at("/api/test/faults"))
        .json(&json!({"method": "POST", "path": path, "nth": 1, "action": action}))
        .send()
        .await
        .expect("the double arms the fault");
    assert_eq!(answer.status(), StatusCode::OK, "arming {action} on {path}");
}

async fn create(gateway: &Gateway, path: &str, token: &str, key: &str, body: &Value) -> Answer {
    let request = gateway
        .request(Method::POST, path, Some(token))
        .header(KEY, key)
        .json(body);
    gateway.send(request).await
}

/// How many `POST path` the double received: the creates the gateway sent.
fn creates_sent(double: &Double, path: &str) -> usize {
    double
        .recorder
        .seen()
        .iter()
        .filter(|seen| seen.method == "POST" && seen.path == path)
        .count()
}

/// The object keys of an answer, at every depth: the envelope's shape.
fn shape(value: &Value) -> Vec<String> {
    let mut keys = Vec::new();
    if let Value::Object(map) = value {
        for (key, inner) in map {
            keys.push(key.clone());
            keys.extend(shape(inner).into_iter().map(|k| format!("{key}.{k}")));
        }
    }
    keys
}

/// A passport check carrying `reference` in its free text, as the component writes it.
fn check_with(reference: &str) -> Value {
    let mut body = passport_check();
    body["Description"] = json!(format!(
        "Submitted by the member with idcheck (reference {reference})"
    ));
    body
}

/// Asserts that `lost` is a successful create naming `id`, in the very shape of `normal` (a create
/// whose answer arrived), and that the same key answers it again.
async fn assert_settled(
    gateway: &Gateway,
    path: &str,
    token: &str,
    key: &str,
    body: &Value,
    lost: &Answer,
    normal: &Answer,
) -> i64 {
    assert_eq!(lost.status, StatusCode::OK, "the lost create: {lost}");
    assert_eq!(lost.json["WasSuccessful"], json!(true), "{lost}");
    assert_eq!(shape(&lost.json), shape(&normal.json), "{lost} vs {normal}");
    assert!(lost.headers.get(REPLAYED).is_none(), "{lost:?}");
    let id = lost.json["Value"]["Id"].as_i64().expect("an id");
    let again = create(gateway, path, token, key, body).await;
    assert_eq!(again.status, StatusCode::OK, "{again}");
    assert_eq!(again.headers[REPLAYED], "true", "{again:?}");
    assert_eq!(again.json, lost.json, "the settled answer, again");
    id
}

#[tokio::test]
async fn a_check_whose_answer_is_lost_is_found_and_its_key_answers_it_again() {
    let (double, gateway, token) = start().await;
    let normal = gateway.post(CHECKS, &token, check_with("normal")).await;
    assert_eq!(normal.status, StatusCode::OK, "{normal}");

    arm(&double, CHECKS, "drop_after_write").await;
    let body = check_with("lost-1");
    let lost = create(&gateway, CHECKS, &token, "check-lost-1", &body).await;
    let id = assert_settled(
        &gateway,
        CHECKS,
        &token,
        "check-lost-1",
        &body,
        &lost,
        &normal,
    )
    .await;

    let written: Vec<Value> = double
        .records(CHECKS, "CoworkerIdentityCheck_Coworker=1")
        .await
        .into_iter()
        .filter(|record| record["Description"] == body["Description"])
        .collect();
    assert_eq!(written.len(), 1, "one check upstream: {written:?}");
    assert_eq!(
        written[0]["Id"].as_i64(),
        Some(id),
        "the id of the check that exists"
    );
    assert_eq!(
        creates_sent(&double, CHECKS),
        2,
        "the normal create and the lost one"
    );
}

#[tokio::test]
async fn a_document_whose_answer_is_lost_is_found_and_its_key_answers_it_again() {
    let (double, gateway, token) = start().await;
    let (check, _) = gateway.passport_with_document(&token, 1).await;
    let normal_check = gateway.create_check(&token, check_with("normal")).await;
    let photo = gateway.upload(&token, jpeg(10)).await;
    let front = gateway.upload(&token, jpeg(11)).await;
    let normal = gateway
        .post(
            DOCUMENTS,
            &token,
            document(normal_check, Some(&photo), Some(&front)),
        )
        .await;
    assert_eq!(normal.status, StatusCode::OK, "{normal}");

    let photo = gateway.upload(&token, jpeg(20)).await;
    let front = gateway.upload(&token, jpeg(21)).await;
    let mut body = document(check, Some(&photo), Some(&front));
    body["Notes"] = json!("Submitted by the member with idcheck (reference lost-2)");
    arm(&double, DOCUMENTS, "drop_after_write").await;
    let lost = create(&gateway, DOCUMENTS, &token, "document-lost-2", &body).await;
    let id = assert_settled(
        &gateway,
        DOCUMENTS,
        &token,
        "document-lost-2",
        &body,
        &lost,
        &normal,
    )
    .await;

    let written: Vec<Value> = double
        .records(
            DOCUMENTS,
            &format!("CoworkerIdentityCheckDocument_CoworkerIdentityCheck={check}"),
        )
        .await
        .into_iter()
        .filter(|record| record["Notes"] == body["Notes"])
        .collect();
    assert_eq!(written.len(), 1, "one document upstream: {written:?}");
    assert_eq!(written[0]["Id"].as_i64(), Some(id));
    assert_eq!(
        creates_sent(&double, DOCUMENTS),
        3,
        "the first document, the normal one and the lost one"
    );
}

/// MasStack has no list or search of identifications and no reference of the caller's: a lost
/// answer cannot be looked up, so the key keeps the failure and never sends the create again.
#[tokio::test]
async fn a_masstack_create_whose_answer_is_lost_is_never_sent_again_under_its_key() {
    let (double, gateway, token) = start().await;
    let identifications = || async {
        double
            .db
            .call(|c| {
                Ok(
                    c.query_row("SELECT COUNT(*) FROM masstack_identifications", [], |row| {
                        row.get::<_, i64>(0)
                    })?,
                )
            })
            .await
            .expect("the double's identifications")
    };

    arm(&double, IDENTIFICATIONS, "drop_after_write").await;
    let lost = create(
        &gateway,
        IDENTIFICATIONS,
        &token,
        "mas-lost",
        &identification(),
    )
    .await;
    assert_eq!(lost.status, StatusCode::BAD_GATEWAY, "{lost}");
    assert_eq!(
        lost.json["errors"][0]["code"],
        json!("upstream_unsettled"),
        "MasStack's error form: {lost}"
    );
    assert_eq!(identifications().await, 1, "the create was carried out");

    let again = create(
        &gateway,
        IDENTIFICATIONS,
        &token,
        "mas-lost",
        &identification(),
    )
    .await;
    assert_eq!(again.status, StatusCode::BAD_GATEWAY, "{again}");
    assert_eq!(again.headers[REPLAYED], "true", "{again:?}");
    assert_eq!(again.json, lost.json, "the same answer, in MasStack's form");
    assert_eq!(identifications().await, 1, "no second identification");
    assert_eq!(creates_sent(&double, IDENTIFICATIONS), 1);

    // A new key is the member's decision to create another, and goes through.
    let fresh = create(
        &gateway,
        IDENTIFICATIONS,
        &token,
        "mas-new",
        &identification(),
    )
    .await;
    assert_eq!(fresh.status, StatusCode::OK, "{fresh}");
    assert_eq!(identifications().await, 2);
}

#[tokio::test]
async fn a_create_answered_with_a_500_wrote_nothing_and_its_retry_creates_one() {
    let (double, gateway, token) = start().await;
    let body = check_with("error-500");
    arm(&double, CHECKS, "error500").await;
    let failed = create(&gateway, CHECKS, &token, "check-500", &body).await;
    assert_eq!(failed.status, StatusCode::BAD_GATEWAY, "{failed}");
    assert_eq!(failed.json["WasSuccessful"], json!(false), "{failed}");
    assert_eq!(
        failed.json["Status"],
        json!(502),
        "the gateway's error form: {failed}"
    );
    assert!(double.records(CHECKS, "").await.is_empty());

    let retried = create(&gateway, CHECKS, &token, "check-500", &body).await;
    assert_eq!(retried.status, StatusCode::OK, "{retried}");
    assert!(
        retried.headers.get(REPLAYED).is_none(),
        "carried out, not replayed"
    );
    let records = double.records(CHECKS, "").await;
    assert_eq!(records.len(), 1, "exactly one check: {records:?}");
    assert_eq!(records[0]["Id"], retried.json["Value"]["Id"]);

    // MasStack's 500 is an answer too: nothing was written, and the key is free again.
    arm(&double, IDENTIFICATIONS, "error500").await;
    let failed = create(
        &gateway,
        IDENTIFICATIONS,
        &token,
        "mas-500",
        &identification(),
    )
    .await;
    assert_eq!(failed.status, StatusCode::BAD_GATEWAY, "{failed}");
    let retried = create(
        &gateway,
        IDENTIFICATIONS,
        &token,
        "mas-500",
        &identification(),
    )
    .await;
    assert_eq!(retried.status, StatusCode::OK, "{retried}");
    assert_eq!(creates_sent(&double, IDENTIFICATIONS), 2);
}

#[tokio::test]
async fn a_look_up_never_adopts_an_older_record_with_the_same_fields() {
    let (double, gateway, token) = start().await;
    let body = check_with("same-fields");
    let older = gateway.create_check(&token, body.clone()).await;
    // The same fields, written an hour before the create that follows.
    let an_hour_ago = idcheck_core::date::format_unix_seconds(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
            - 3600,
    );
    double
        .db
        .call(move |c| {
            Ok(c.execute(
                "UPDATE identity_checks SET created_on = ?1 WHERE id = ?2",
                (an_hour_ago, older),
            )?)
        })
        .await
        .expect("the older check is backdated");

    // Sent, answer lost, nothing written: the look-up sees only the older check.
    arm(&double, CHECKS, "drop_before_write").await;
    let lost = create(&gateway, CHECKS, &token, "check-same", &body).await;
    assert_eq!(
        lost.status,
        StatusCode::BAD_GATEWAY,
        "the older check {older} must not be taken for this create's: {lost}"
    );
    assert_eq!(double.records(CHECKS, "").await.len(), 1);

    let retried = create(&gateway, CHECKS, &token, "check-same", &body).await;
    assert_eq!(retried.status, StatusCode::OK, "{retried}");
    let id = retried.json["Value"]["Id"].as_i64().expect("an id");
    assert_ne!(id, older);
    assert_eq!(
        double.records(CHECKS, "").await.len(),
        2,
        "the older and one new"
    );
}
