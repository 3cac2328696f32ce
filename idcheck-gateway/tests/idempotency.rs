//! `Idempotency-Key` on the creates a member (or the operator) makes: the same key again answers
//! the first result and creates nothing upstream, whatever the route.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const KEY: &str = "idempotency-key";

/// Sends `body` to `path` twice with the same key, and returns both answers.
async fn twice(
    gateway: &Gateway,
    path: &str,
    token: &str,
    key: &str,
    body: &Value,
) -> (Answer, Answer) {
    let mut answers = Vec::new();
    for _ in 0..2 {
        let request = gateway
            .request(Method::POST, path, Some(token))
            .header(KEY, key)
            .json(body);
        answers.push(gateway.send(request).await);
    }
    let second = answers.pop().expect("two answers");
    (answers.pop().expect("two answers"), second)
}

#[tokio::test]
async fn the_same_key_creates_one_check_one_document_and_one_identification() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;
    let token = gateway.mint(1, 1).await;

    let (first, again) = twice(&gateway, CHECKS, &token, "check-1", &passport_check()).await;
    assert_eq!(first.status, StatusCode::OK, "{first}");
    assert_eq!(again.status, StatusCode::OK, "{again}");
    assert_eq!(again.json, first.json, "the first answer, again");
    assert_eq!(again.headers["idempotent-replayed"], "true");
    let check = first.json["Value"]["Id"].as_i64().expect("a check id");
    assert_eq!(
        double.records(CHECKS, "").await.len(),
        1,
        "one check upstream"
    );

    // The same key with another body is refused, and creates nothing.
    let mut changed = passport_check();
    changed["IdentityDocumentNumber"] = json!("OTHER123");
    let request = gateway
        .request(Method::POST, CHECKS, Some(&token))
        .header(KEY, "check-1")
        .json(&changed);
    let refused = gateway.send(request).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused.error_properties(), ["Idempotency-Key"]);
    // Another member's key of the same name is theirs alone.
    let other = gateway.mint(2, 1).await;
    let (theirs, _) = twice(&gateway, CHECKS, &other, "check-1", &passport_check()).await;
    assert_ne!(theirs.json["Value"]["Id"], first.json["Value"]["Id"]);
    assert_eq!(double.records(CHECKS, "").await.len(), 2);

    // Uploads: the same stored image, under the same URL.
    let mut urls = Vec::new();
    for seed in [1, 2] {
        let mut answers = Vec::new();
        for _ in 0..2 {
            let request = gateway
                .request(Method::POST, "/api/uploads", Some(&token))
                .header(KEY, format!("image-{seed}"))
                .header("content-type", "image/jpeg")
                .body(jpeg(seed));
            answers.push(gateway.send(request).await);
        }
        assert_eq!(answers[0].status, StatusCode::OK, "{}", answers[0]);
        assert_eq!(answers[0].json, answers[1].json);
        urls.push(answers[0].json["Url"].as_str().expect("a URL").to_string());
    }

    let body = document(check, Some(&urls[0]), Some(&urls[1]));
    let (first, again) = twice(&gateway, DOCUMENTS, &token, "document-1", &body).await;
    assert_eq!(first.status, StatusCode::OK, "{first}");
    assert_eq!(again.json, first.json);
    assert_eq!(
        double.records(DOCUMENTS, "").await.len(),
        1,
        "one document upstream"
    );

    let path = format!("/v1/orgs/{MASSTACK_ORG}/identifications/identity_document");
    let (first, again) = twice(
        &gateway,
        &path,
        &token,
        "identification-1",
        &identification(),
    )
    .await;
    assert_eq!(first.status, StatusCode::OK, "{first}");
    assert_eq!(again.json["id"], first.json["id"], "one identification");
}

#[tokio::test]
async fn a_refused_create_keeps_no_answer_for_its_key() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;
    let token = gateway.mint(1, 1).await;
    let mut incomplete = passport_check();
    incomplete["IdentityDocumentNumber"] = Value::Null;
    let (first, _) = twice(&gateway, CHECKS, &token, "fix-and-retry", &incomplete).await;
    assert_eq!(first.status, StatusCode::BAD_REQUEST, "{first}");
    assert!(double.records(CHECKS, "").await.is_empty());
    // Nothing was kept for the key: corrected, under the same key, it goes through once.
    let (fixed, again) = twice(&gateway, CHECKS, &token, "fix-and-retry", &passport_check()).await;
    assert_eq!(fixed.status, StatusCode::OK, "{fixed}");
    assert_eq!(again.json, fixed.json);
    assert_eq!(double.records(CHECKS, "").await.len(), 1);
    // A malformed key is refused before anything.
    let request = gateway
        .request(Method::POST, CHECKS, Some(&token))
        .header(KEY, "with space")
        .json(&passport_check());
    let malformed = gateway.send(request).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST, "{malformed}");
    assert_eq!(malformed.error_properties(), ["Idempotency-Key"]);
    assert_eq!(double.records(CHECKS, "").await.len(), 1);
}
