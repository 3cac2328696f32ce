//! Who may call: a member by a live token the gateway minted, the operator's back end by the
//! operator key, and neither in the other's place.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn missing_forged_and_misplaced_credentials_answer_401_and_reach_nothing_upstream() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;
    let ana = gateway.mint(1, 1).await;
    let forged = idcheck_gateway::member::random_hex::<32>();
    let operator_key = gateway.operator_key.clone();

    // Every member route, with no token, a forged one, garbage and the operator key.
    let member_routes = [
        (Method::GET, CHECKS.to_string()),
        (Method::GET, format!("{CHECKS}/1")),
        (Method::POST, CHECKS.to_string()),
        (Method::PUT, CHECKS.to_string()),
        (Method::GET, DOCUMENTS.to_string()),
        (Method::GET, format!("{DOCUMENTS}/1")),
        (Method::GET, format!("{DOCUMENTS}/1/files/photo")),
        (Method::POST, DOCUMENTS.to_string()),
        (Method::POST, "/api/uploads".to_string()),
        (
            Method::POST,
            format!("/v1/orgs/{MASSTACK_ORG}/identifications/identity_document"),
        ),
        (
            Method::GET,
            format!("/v1/orgs/{MASSTACK_ORG}/identifications/identity_document/x"),
        ),
    ];
    let authorizations: Vec<(&str, Option<String>)> = vec![
        ("no Authorization", None),
        ("a forged token", Some(format!("Bearer {forged}"))),
        (
            "a forged token's prefix",
            Some(format!("Bearer {}", &ana[..32])),
        ),
        ("an empty bearer", Some("Bearer ".into())),
        ("another scheme", Some(format!("Basic {ana}"))),
        ("garbage", Some("Bearer not-a-token-at-all".into())),
        ("the operator key", Some(format!("Bearer {operator_key}"))),
    ];
    for (method, path) in &member_routes {
        for (label, authorization) in &authorizations {
            let mut request = gateway.request(method.clone(), path, None).json(&json!({}));
            if let Some(value) = authorization {
                request = request.header("Authorization", value);
            }
            let answer = gateway.send(request).await;
            assert_eq!(
                answer.status,
                StatusCode::UNAUTHORIZED,
                "{method} {path} with {label}: {answer}"
            );
        }
    }

    // A member token where the operator key is needed.
    for path in ["/api/member-tokens", "/api/check-requests"] {
        for (label, token) in [("a member token", ana.as_str()), ("a forged key", &forged)] {
            let answer = gateway
                .post(
                    path,
                    token,
                    json!({"CoworkerId": 2, "BusinessId": 1, "Verify": "identity"}),
                )
                .await;
            assert_eq!(
                answer.status,
                StatusCode::UNAUTHORIZED,
                "{path} with {label}: {answer}"
            );
            assert!(answer.json["access_token"].is_null(), "{answer}");
        }
        let answer = gateway
            .call(
                Method::POST,
                path,
                None,
                Some(json!({"CoworkerId": 2, "BusinessId": 1})),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::UNAUTHORIZED,
            "{path} without a key: {answer}"
        );
    }

    // Nothing of the above reached the double's records.
    assert!(
        !double
            .recorder
            .seen()
            .iter()
            .any(|s| s.path.starts_with("/api/spaces") || s.path.starts_with("/v1/")),
        "a refused call went upstream: {:?}",
        double.recorder.seen()
    );

    // The member's own token still works (so the 401s above are not the gateway refusing all).
    let list = gateway.get(CHECKS, &ana).await;
    assert_eq!(list.status, StatusCode::OK, "{list}");
}

#[tokio::test]
async fn token_lifetimes_are_bounded_to_an_hour() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;
    for (seconds, expected) in [
        (3601, StatusCode::BAD_REQUEST),
        (59, StatusCode::BAD_REQUEST),
        (0, StatusCode::BAD_REQUEST),
        (-1, StatusCode::BAD_REQUEST),
        (60, StatusCode::OK),
        (3600, StatusCode::OK),
    ] {
        let answer = gateway
            .mint_with(json!({"CoworkerId": 1, "BusinessId": 1, "ExpiresInSeconds": seconds}))
            .await;
        assert_eq!(answer.status, expected, "{seconds} s: {answer}");
        if expected == StatusCode::OK {
            assert_eq!(answer.json["expires_in"], json!(seconds), "{answer}");
            assert_eq!(answer.json["token_type"], "bearer", "{answer}");
        } else {
            assert_eq!(answer.error_properties(), ["ExpiresInSeconds"], "{answer}");
            assert!(answer.json["access_token"].is_null(), "{answer}");
        }
    }
    let default = gateway
        .mint_with(json!({"CoworkerId": 1, "BusinessId": 1}))
        .await;
    assert_eq!(default.json["expires_in"], json!(900), "{default}");
    for (body, property) in [
        (json!({"BusinessId": 1}), "CoworkerId"),
        (json!({"CoworkerId": 0, "BusinessId": 1}), "CoworkerId"),
        (json!({"CoworkerId": 1}), "BusinessId"),
    ] {
        let answer = gateway.mint_with(body).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{answer}");
        assert_eq!(answer.error_properties(), [property], "{answer}");
    }
}

/// Member tokens live at least 60 seconds, so to see one expire the test runs the gateway on a
/// database file and moves the token's expiry into the past behind the gateway's back.
#[tokio::test]
async fn an_expired_token_answers_401() {
    let double = Double::start().await;
    let folder = TempDir::new("expiry");
    let database = folder.path().join("gateway.sqlite3");
    let gateway = Gateway::start_with(&double, database.to_str().expect("a UTF-8 path")).await;
    let token = gateway.mint(1, 1).await;
    let other = gateway.mint(1, 1).await;
    let live = gateway.get(CHECKS, &token).await;
    assert_eq!(live.status, StatusCode::OK, "{live}");

    let connection = rusqlite::Connection::open(&database).expect("the gateway's database");
    connection
        .busy_timeout(std::time::Duration::from_secs(10))
        .expect("a busy timeout");
    let expired = connection
        .execute(
            "UPDATE member_tokens SET expires_at = strftime('%s', 'now') - 1 WHERE digest = ?1",
            [idcheck_gateway::member::digest(&token)],
        )
        .expect("the token's expiry is moved");
    assert_eq!(expired, 1, "the token is stored by its digest");
    drop(connection);

    let answer = gateway.get(CHECKS, &token).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{answer}");
    let answer = gateway.get(&format!("{CHECKS}/1"), &token).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{answer}");
    // Another token of the same member is untouched.
    let answer = gateway.get(CHECKS, &other).await;
    assert_eq!(answer.status, StatusCode::OK, "{answer}");
}
