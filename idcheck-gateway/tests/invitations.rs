//! Operator-requested checks: the operator asks (`POST /api/check-requests`), the member redeems the
//! invitation code once for a token of their own, and completes the requested check instead of
//! creating another. Guessing codes is bounded per client.

mod common;

use std::collections::BTreeSet;

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The invitation alphabet: no look-alike characters.
const ALPHABET: &str = "ACDEFGHJKMNPQRTUVWXY3479";

/// A code as a member might type it: lower case, with a dash in the middle.
fn typed(code: &str) -> String {
    format!("{}-{}", &code[..4], &code[4..]).to_lowercase()
}

/// The invitation's code, checked for its form.
fn code_of(gateway: &Gateway, requested: &Value) -> String {
    let code = requested["Invitation"]["Code"]
        .as_str()
        .expect("a code")
        .to_string();
    assert_eq!(code.len(), 8, "{requested}");
    assert!(code.chars().all(|c| ALPHABET.contains(c)), "{code}");
    let url = requested["Invitation"]["Url"].as_str().expect("a Url");
    assert!(url.contains(&code), "{url}");
    assert!(url.starts_with(&gateway.url), "{url}");
    assert!(
        requested["Invitation"]["ExpiresOn"].is_string(),
        "{requested}"
    );
    code
}

fn ids(checks: &Value) -> BTreeSet<i64> {
    checks
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| c["Id"].as_i64().expect("an id"))
        .collect()
}

#[tokio::test]
async fn a_request_creates_pending_checks_and_its_code_is_redeemed_once_for_that_member() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;

    for (coworker, verify, types) in [(1, "identity", vec![1]), (2, "both", vec![1, 2])] {
        let requested = gateway.request_checks(coworker, 1, verify).await;
        let code = code_of(&gateway, &requested);
        let checks = requested["Checks"].as_array().expect("Checks").clone();
        assert_eq!(
            checks
                .iter()
                .map(|c| c["VerificationType"].as_i64().unwrap())
                .collect::<Vec<_>>(),
            types,
            "{requested}"
        );

        // Upstream: Pending checks of that coworker, and no other check of theirs.
        let stored = double
            .records(
                CHECKS,
                &format!("CoworkerIdentityCheck_Coworker={coworker}"),
            )
            .await;
        assert_eq!(ids(&json!(stored)), ids(&json!(checks)), "{stored:?}");
        for check in &stored {
            assert_eq!(check["CoworkerId"], json!(coworker), "{check}");
            assert_eq!(check["BusinessId"], json!(1), "{check}");
            assert_eq!(check["VerificationStatus"], json!(1), "{check}");
        }

        // Redeemed as typed by hand: a token for that member.
        let redeemed = gateway.redeem(&typed(&code)).await;
        assert_eq!(redeemed.status, StatusCode::OK, "{redeemed}");
        assert_eq!(redeemed.json["CoworkerId"], json!(coworker), "{redeemed}");
        assert_eq!(redeemed.json["BusinessId"], json!(1), "{redeemed}");
        assert_eq!(redeemed.json["Verify"], json!(verify), "{redeemed}");
        assert_eq!(redeemed.json["Checks"], json!(checks), "{redeemed}");
        assert_eq!(
            redeemed.json["expires_in"],
            json!(3600),
            "nothing renews it: {redeemed}"
        );
        let token = redeemed.json["access_token"].as_str().expect("a token");
        let list = gateway.get(CHECKS, token).await;
        assert_eq!(list.status, StatusCode::OK, "{list}");
        assert_eq!(ids(&list.json["Records"]), ids(&json!(checks)), "{list}");

        // Once only.
        let again = gateway.redeem(&code).await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST, "{again}");
        assert_eq!(again.error_properties(), ["Code"], "{again}");
        assert!(again.json["access_token"].is_null(), "{again}");
        // A correct redeem forgives the wrong one, so the next round starts from no failures.
    }
}

#[tokio::test]
async fn five_wrong_codes_lock_the_client_out_even_for_the_right_code() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;
    let requested = gateway.request_checks(2, 1, "identity").await;
    let code = code_of(&gateway, &requested);
    let wrong: Vec<String> = ["AAAAAAAA", "CCCCCCCC", "DDDDDDDD", "EEEEEEEE", "FFFFFFFF"]
        .iter()
        .map(|w| w.to_string())
        .filter(|w| *w != code)
        .take(5)
        .collect();
    assert_eq!(wrong.len(), 5);
    for (index, guess) in wrong.iter().enumerate() {
        let answer = gateway.redeem(guess).await;
        if index < 4 {
            assert_eq!(
                answer.status,
                StatusCode::BAD_REQUEST,
                "guess {index}: {answer}"
            );
            assert_eq!(answer.error_properties(), ["Code"], "{answer}");
        } else {
            assert_eq!(
                answer.status,
                StatusCode::TOO_MANY_REQUESTS,
                "the fifth wrong code: {answer}"
            );
            let seconds: u64 = answer
                .headers
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
                .expect("a Retry-After in seconds");
            assert!(seconds >= 800, "Retry-After {seconds}");
        }
        assert!(answer.json["access_token"].is_null(), "{answer}");
    }
    let right = gateway.redeem(&code).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS, "{right}");
    assert!(right.json["access_token"].is_null(), "{right}");
}

#[tokio::test]
async fn a_member_completes_the_requested_check_without_creating_another() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;
    let requested = gateway.request_checks(2, 1, "identity").await;
    let code = code_of(&gateway, &requested);
    let check = requested["Checks"][0]["Id"].as_i64().expect("a check id");
    let redeemed = gateway.redeem(&code).await;
    assert_eq!(redeemed.status, StatusCode::OK, "{redeemed}");
    let token = redeemed.json["access_token"]
        .as_str()
        .expect("a token")
        .to_string();

    // The requested type stays.
    let mut answers = passport_check();
    answers["Id"] = json!(check);
    answers["VerificationType"] = json!(2);
    let refused = gateway.put(CHECKS, &token, answers.clone()).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(
        refused.error_properties(),
        ["VerificationType"],
        "{refused}"
    );

    // The member rules apply to the merged record.
    let bare = gateway
        .put(
            CHECKS,
            &token,
            json!({"Id": check, "IdentityDocumentType": 1}),
        )
        .await;
    assert_eq!(bare.status, StatusCode::BAD_REQUEST, "{bare}");
    assert!(
        bare.error_properties()
            .contains(&"IdentityDocumentNumber".to_string()),
        "{bare}"
    );

    answers["VerificationType"] = json!(1);
    let put = gateway.put(CHECKS, &token, answers).await;
    assert_eq!(put.status, StatusCode::OK, "{put}");
    assert_eq!(put.json["WasSuccessful"], json!(true), "{put}");
    assert_eq!(put.json["Value"]["Id"], json!(check), "{put}");
    let stored = double.record(&format!("{CHECKS}/{check}")).await;
    assert_eq!(stored["IdentityDocumentType"], json!(1), "{stored}");
    assert_eq!(stored["IdentityDocumentNumber"], "PA1234567", "{stored}");
    assert_eq!(stored["VerificationStatus"], json!(1), "{stored}");
    assert_eq!(stored["CoworkerId"], json!(2), "{stored}");

    let (photo_bytes, front_bytes) = (jpeg(40), jpeg(41));
    let photo = gateway.upload(&token, photo_bytes.clone()).await;
    let front = gateway.upload(&token, front_bytes.clone()).await;
    let document = gateway
        .create_document(&token, document(check, Some(&photo), Some(&front)))
        .await;

    let stored = double.record(&format!("{CHECKS}/{check}")).await;
    assert_eq!(stored["VerificationStatus"], json!(2), "{stored}");
    let checks = double
        .records(CHECKS, "CoworkerIdentityCheck_Coworker=2")
        .await;
    assert_eq!(checks.len(), 1, "{checks:?}");
    let stored = double.record(&format!("{DOCUMENTS}/{document}")).await;
    assert_eq!(stored["CoworkerIdentityCheckId"], json!(check), "{stored}");
    assert!(stored["PhotoFileName"].is_string(), "{stored}");
    assert!(stored["DocumentFileName"].is_string(), "{stored}");

    // The member sees it Submitted and gets their images back as sent.
    let mine = gateway.get(&format!("{CHECKS}/{check}"), &token).await;
    assert_eq!(mine.json["VerificationStatus"], json!(2), "{mine}");
    for (slot, bytes) in [("photo", &photo_bytes), ("document", &front_bytes)] {
        let file = gateway
            .get(&format!("{DOCUMENTS}/{document}/files/{slot}"), &token)
            .await;
        assert_eq!(file.status, StatusCode::OK, "{slot}: {file}");
        assert_eq!(&file.bytes, bytes, "{slot}");
    }

    // Submitted: it takes no more answers.
    let mut late = passport_check();
    late["Id"] = json!(check);
    let late = gateway.put(CHECKS, &token, late).await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST, "{late}");
    assert_eq!(late.error_properties(), ["Id"], "{late}");
}

/// The member rules require an identity check's number, issuer and expiry; a requested check is
/// created without them, so a document must not be attached to it before the member's PUT.
#[tokio::test]
async fn a_requested_identity_check_takes_no_document_before_its_answers() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;
    let requested = gateway.request_checks(2, 1, "identity").await;
    let code = code_of(&gateway, &requested);
    let check = requested["Checks"][0]["Id"].as_i64().expect("a check id");
    let redeemed = gateway.redeem(&code).await;
    let token = redeemed.json["access_token"].as_str().expect("a token");
    let photo = gateway.upload(token, jpeg(1)).await;
    let front = gateway.upload(token, jpeg(2)).await;
    let early = gateway
        .post(
            DOCUMENTS,
            token,
            document(check, Some(&photo), Some(&front)),
        )
        .await;
    assert_eq!(early.status, StatusCode::BAD_REQUEST, "{early}");
    let stored = double.record(&format!("{CHECKS}/{check}")).await;
    assert_eq!(stored["VerificationStatus"], json!(1), "{stored}");
}
