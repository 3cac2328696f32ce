//! The operator's credentials never leave the gateway: across a run that signs in upstream, is
//! forced to sign in again, creates, reads and fails requests, no answer (status, headers, body)
//! and no line the gateway prints holds the upstream login or password, the operator key, the
//! MasStack token or any token Nexudus issued.

mod common;

use std::time::Duration;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Every run of 64 hexadecimal digits in `text`.
fn hex_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_hexdigit() {
            run.push(c);
        } else {
            if run.len() >= 64 {
                runs.push(std::mem::take(&mut run));
            }
            run.clear();
        }
    }
    runs
}

#[tokio::test]
async fn no_answer_and_no_log_line_carries_a_credential() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;
    let ana = gateway.mint(1, 1).await;
    let bea = gateway.mint(2, 1).await;

    // Successes: create, read, list, upload, document, download, MasStack.
    let (check, document_id) = gateway.passport_with_document(&ana, 7).await;
    gateway.get(&format!("{CHECKS}/{check}"), &ana).await;
    gateway.get(CHECKS, &ana).await;
    gateway
        .get(&format!("{DOCUMENTS}/{document_id}"), &ana)
        .await;
    gateway.get(DOCUMENTS, &ana).await;
    gateway
        .get(&format!("{DOCUMENTS}/{document_id}/files/photo"), &ana)
        .await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    let identification = gateway
        .post(
            &format!("/v1/orgs/{MASSTACK_ORG}/identifications/identity_document"),
            &ana,
            identification(),
        )
        .await;
    assert_eq!(identification.status, StatusCode::OK, "{identification}");
    let requested = gateway.request_checks(2, 1, "both").await;
    let code = requested["Invitation"]["Code"].as_str().expect("a code");
    let redeemed = gateway.redeem(code).await;
    assert_eq!(redeemed.status, StatusCode::OK, "{redeemed}");

    // Failures of every kind.
    gateway.get(&format!("{CHECKS}/{check}"), &bea).await; // another member's: 404
    gateway
        .post(CHECKS, &ana, json!({"Name": "x", "VerificationType": 1}))
        .await; // 400
    gateway.post(CHECKS, &ana, json!([1, 2])).await; // not an object
    gateway
        .send(
            gateway
                .request(Method::POST, CHECKS, Some(&ana))
                .header("content-type", "application/json")
                .body("{not json"),
        )
        .await;
    gateway.get(CHECKS, "forged").await; // 401
    gateway.call(Method::GET, CHECKS, None, None).await; // 401
    gateway.post("/api/member-tokens", &ana, json!({})).await; // 401
    gateway.redeem("WRONGONE").await; // 400
    gateway
        .upload_answer(&ana, b"GIF89a not an image".to_vec())
        .await; // 400
    gateway
        .post(
            DOCUMENTS,
            &ana,
            document(check, Some("http://127.0.0.1:1/x.jpg"), None),
        )
        .await; // 400
    gateway.get("/api/nothing-here", &ana).await; // 404
    gateway.call(Method::DELETE, CHECKS, Some(&ana), None).await; // 405
    tokio::time::sleep(Duration::from_millis(150)).await;
    gateway
        .post(
            &format!("/v1/orgs/{MASSTACK_ORG}/identifications/identity_document"),
            &ana,
            json!({"identity_document": {"document_type": "NIE"}}),
        )
        .await; // 400 in MasStack's form

    // Nexudus expires the gateway's access token: it renews with its refresh token...
    double.revoke_upstream_tokens(false).await;
    let renewed = gateway.get(CHECKS, &ana).await;
    assert_eq!(
        renewed.status,
        StatusCode::OK,
        "after a 401 upstream: {renewed}"
    );
    // ...and with both gone, it signs in again with its password.
    double.revoke_upstream_tokens(true).await;
    let signed_in = gateway.get(&format!("{CHECKS}/{check}"), &ana).await;
    assert_eq!(
        signed_in.status,
        StatusCode::OK,
        "after a 401 upstream: {signed_in}"
    );
    let upstream_401s = double
        .recorder
        .seen()
        .iter()
        .filter(|s| s.status == 401 && s.path.starts_with("/api/spaces"))
        .count();
    assert!(
        upstream_401s >= 2,
        "the upstream never answered the gateway 401"
    );
    let grants = double
        .recorder
        .seen()
        .iter()
        .filter(|s| s.path.starts_with("/api/token") && s.status == 200)
        .count();
    // The tests' two grants, then the gateway's first sign-in, its renewal and its new sign-in.
    assert!(grants >= 5, "{grants} token grants");

    // Let the gateway's last lines reach the buffer.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let output = gateway.output();
    let answers = gateway.answers();
    assert!(answers.len() > 20, "{} answers", answers.len());
    assert!(
        output
            .iter()
            .any(|l| l.contains("GET /api/spaces/coworkeridentitychecks 200")),
        "the gateway logs its requests: {output:?}"
    );

    let mut secrets: Vec<(String, String)> = vec![
        ("the upstream password".into(), UPSTREAM_LOGIN.1.into()),
        ("the upstream login".into(), UPSTREAM_LOGIN.0.into()),
        ("the operator key".into(), gateway.operator_key.clone()),
        ("the MasStack token".into(), gateway.masstack_token.clone()),
    ];
    let issued = double.recorder.issued();
    assert!(issued.len() >= 6, "{issued:?}");
    for token in issued {
        secrets.push(("a token Nexudus issued".into(), token));
    }
    for (what, secret) in &secrets {
        for answer in &answers {
            assert!(
                !answer.contains(secret.as_str()),
                "{what} is in an answer:\n{answer}"
            );
        }
        for line in &output {
            assert!(
                !line.contains(secret.as_str()),
                "{what} is in the log: {line}"
            );
        }
    }
    // Whatever else looks like a token in the log is one of the member tokens the tests hold.
    let minted = gateway.minted();
    for line in &output {
        for run in hex_runs(line) {
            assert!(
                minted.contains(&run),
                "a 64-hex-digit string in the log: {line}"
            );
        }
    }
}
