//! Scope: a member reaches only their own records, whatever ids or filters they send, and writes
//! only the fields that are theirs to write.

mod common;

use std::time::Duration;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// An id no record has.
const MISSING: i64 = 987_654;
/// A MasStack identification id no identification has.
const MISSING_IDENTIFICATION: &str = "00000000-0000-4000-8000-000000000000";

/// The gateway does not pace MasStack calls, and the double limits `/v1` as it limits Nexudus
/// (one request per 100 ms per user): space the gateway's MasStack calls out.
async fn masstack_pause() {
    tokio::time::sleep(Duration::from_millis(150)).await;
}

fn identification_path(id: &str) -> String {
    format!("/v1/orgs/{MASSTACK_ORG}/identifications/identity_document/{id}")
}

/// What one member holds in the test.
struct Holder {
    name: &'static str,
    token: String,
    coworker: i64,
    check: i64,
    document: i64,
    photo: Vec<u8>,
    identification: String,
    /// A live upload of theirs, to name in documents.
    upload: String,
}

async fn holder(gateway: &Gateway, name: &'static str, coworker: i64, seed: u8) -> Holder {
    let token = gateway.mint(coworker, 1).await;
    let (check, document) = gateway.passport_with_document(&token, seed).await;
    let upload = gateway.upload(&token, jpeg(seed.wrapping_add(2))).await;
    masstack_pause().await;
    let created = gateway
        .post(
            &format!("/v1/orgs/{MASSTACK_ORG}/identifications/identity_document"),
            &token,
            identification(),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{created}");
    let identification = created.json["id"].as_str().expect("an id").to_string();
    Holder {
        name,
        token,
        coworker,
        check,
        document,
        photo: jpeg(seed),
        identification,
        upload,
    }
}

#[tokio::test]
async fn another_members_ids_answer_exactly_as_ids_that_do_not_exist() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;
    let ana = holder(&gateway, "coworker 1", 1, 10).await;
    let bea = holder(&gateway, "coworker 2", 2, 20).await;

    for (me, other) in [(&ana, &bea), (&bea, &ana)] {
        let who = format!("{} reaching for {}'s", me.name, other.name);
        let token = me.token.as_str();

        // Their own records answer (so a gateway that refuses everything fails here).
        let own = gateway.get(&format!("{CHECKS}/{}", me.check), token).await;
        assert_eq!(own.status, StatusCode::OK, "{who}: own check: {own}");
        assert_eq!(own.json["CoworkerId"], json!(me.coworker), "{own}");
        let own = gateway
            .get(&format!("{DOCUMENTS}/{}", me.document), token)
            .await;
        assert_eq!(own.status, StatusCode::OK, "{who}: own document: {own}");
        let own = gateway
            .get(&format!("{DOCUMENTS}/{}/files/photo", me.document), token)
            .await;
        assert_eq!(own.status, StatusCode::OK, "{who}: own photo: {own}");
        assert_eq!(own.bytes, me.photo, "{who}: own photo's bytes");

        // GET check by id.
        let theirs = gateway
            .get(&format!("{CHECKS}/{}", other.check), token)
            .await;
        let missing = gateway.get(&format!("{CHECKS}/{MISSING}"), token).await;
        assert_eq!(
            theirs.status,
            StatusCode::NOT_FOUND,
            "{who} check: {theirs}"
        );
        assert_same_as_missing(
            &format!("{who} check"),
            &theirs,
            &other.check.to_string(),
            &missing,
            &MISSING.to_string(),
        );

        // GET document by id.
        let theirs = gateway
            .get(&format!("{DOCUMENTS}/{}", other.document), token)
            .await;
        let missing = gateway.get(&format!("{DOCUMENTS}/{MISSING}"), token).await;
        assert_eq!(
            theirs.status,
            StatusCode::NOT_FOUND,
            "{who} document: {theirs}"
        );
        assert_same_as_missing(
            &format!("{who} document"),
            &theirs,
            &other.document.to_string(),
            &missing,
            &MISSING.to_string(),
        );

        // Downloading a document's file, every slot.
        for slot in ["photo", "document", "additionaldocument"] {
            let theirs = gateway
                .get(
                    &format!("{DOCUMENTS}/{}/files/{slot}", other.document),
                    token,
                )
                .await;
            let missing = gateway
                .get(&format!("{DOCUMENTS}/{MISSING}/files/{slot}"), token)
                .await;
            assert_eq!(
                theirs.status,
                StatusCode::NOT_FOUND,
                "{who} {slot}: {theirs}"
            );
            assert_ne!(theirs.bytes, other.photo, "{who} {slot}: the image itself");
            assert_same_as_missing(
                &format!("{who} {slot} file"),
                &theirs,
                &other.document.to_string(),
                &missing,
                &MISSING.to_string(),
            );
        }

        // A document naming their check (with the member's own live upload for each image).
        let body = |check: i64| {
            json!({
                "CoworkerIdentityCheckId": check, "Name": "Passport",
                "NewPhotoUrl": me.upload, "NewDocumentUrl": me.upload
            })
        };
        let theirs = gateway.post(DOCUMENTS, token, body(other.check)).await;
        let missing = gateway.post(DOCUMENTS, token, body(MISSING)).await;
        assert!(
            theirs.status.is_client_error(),
            "{who} check as a document's parent: {theirs}"
        );
        assert!(
            theirs
                .error_properties()
                .contains(&"CoworkerIdentityCheckId".to_string()),
            "{who}: {theirs}"
        );
        assert_same_as_missing(
            &format!("{who} check as a document's parent"),
            &theirs,
            &other.check.to_string(),
            &missing,
            &MISSING.to_string(),
        );
        let documents = double
            .records(
                DOCUMENTS,
                &format!(
                    "CoworkerIdentityCheckDocument_CoworkerIdentityCheck={}",
                    other.check
                ),
            )
            .await;
        assert_eq!(
            documents.len(),
            1,
            "{who}: a document was added: {documents:?}"
        );

        // PUT their check.
        let put = |id: i64| json!({"Id": id, "IdentityDocumentNumber": "TAKEN1", "Description": "mine now"});
        let theirs = gateway.put(CHECKS, token, put(other.check)).await;
        let missing = gateway.put(CHECKS, token, put(MISSING)).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{who} PUT: {theirs}");
        assert_same_as_missing(
            &format!("{who} PUT"),
            &theirs,
            &other.check.to_string(),
            &missing,
            &MISSING.to_string(),
        );
        let stored = double.record(&format!("{CHECKS}/{}", other.check)).await;
        assert_eq!(
            stored["IdentityDocumentNumber"], "PA1234567",
            "{who}: {stored}"
        );
        assert_eq!(stored["CoworkerId"], json!(other.coworker), "{stored}");

        // MasStack: read and cancel their identification.
        let theirs = gateway
            .get(&identification_path(&other.identification), token)
            .await;
        let missing = gateway
            .get(&identification_path(MISSING_IDENTIFICATION), token)
            .await;
        assert_eq!(
            theirs.status,
            StatusCode::NOT_FOUND,
            "{who} identification: {theirs}"
        );
        assert_same_as_missing(
            &format!("{who} identification"),
            &theirs,
            &other.identification,
            &missing,
            MISSING_IDENTIFICATION,
        );
        let cancel = json!({"reason": "not mine, but let us try"});
        let theirs = gateway
            .call(
                Method::DELETE,
                &identification_path(&other.identification),
                Some(token),
                Some(cancel.clone()),
            )
            .await;
        let missing = gateway
            .call(
                Method::DELETE,
                &identification_path(MISSING_IDENTIFICATION),
                Some(token),
                Some(cancel),
            )
            .await;
        assert_eq!(
            theirs.status,
            StatusCode::NOT_FOUND,
            "{who} cancel: {theirs}"
        );
        assert_same_as_missing(
            &format!("{who} cancel"),
            &theirs,
            &other.identification,
            &missing,
            MISSING_IDENTIFICATION,
        );
        let (status, stored) = double
            .read(&identification_path(&other.identification))
            .await;
        assert_eq!(status, StatusCode::OK, "{stored}");
        assert_eq!(stored["state"], "PENDING", "{who}: cancelled: {stored}");

        // Naming their upload as one's own image.
        let borrowed = gateway
            .post(
                DOCUMENTS,
                token,
                json!({
                    "CoworkerIdentityCheckId": me.check, "Name": "Passport",
                    "NewPhotoUrl": other.upload, "NewDocumentUrl": me.upload
                }),
            )
            .await;
        assert_eq!(
            borrowed.status,
            StatusCode::BAD_REQUEST,
            "{who} upload: {borrowed}"
        );
        assert_eq!(borrowed.error_properties(), ["NewPhotoUrl"], "{borrowed}");

        // Lists: only their own, whatever filter the query names.
        let other_coworker = other.coworker;
        let check_lists = [
            String::new(),
            format!("?CoworkerIdentityCheck_Coworker={other_coworker}"),
            format!("?coworkeridentitycheck_coworker={other_coworker}&size=100"),
            format!("?CoworkerIdentityCheck%5FCoworker={other_coworker}"),
            format!(
                "?CoworkerIdentityCheck_Coworker={other_coworker}&CoworkerIdentityCheck_Coworker={other_coworker}"
            ),
        ];
        for query in &check_lists {
            let list = gateway.get(&format!("{CHECKS}{query}"), token).await;
            assert_only_own(&who, query, &list, me.coworker, me.check);
        }
        let document_lists = [
            String::new(),
            format!("?CoworkerIdentityCheckDocument_Coworker={other_coworker}"),
            format!("?CoworkerIdentityCheckDocument_Coworker={other_coworker}&orderBy=Id&dir=desc"),
        ];
        for query in &document_lists {
            let list = gateway.get(&format!("{DOCUMENTS}{query}"), token).await;
            assert_only_own(&who, query, &list, me.coworker, me.document);
        }
        let query = format!(
            "?CoworkerIdentityCheckDocument_CoworkerIdentityCheck={}",
            other.check
        );
        let list = gateway.get(&format!("{DOCUMENTS}{query}"), token).await;
        assert_eq!(list.status, StatusCode::OK, "{who} {query}: {list}");
        assert_eq!(list.json["Records"], json!([]), "{who} {query}: {list}");
        assert_eq!(list.json["TotalItems"], json!(0), "{who} {query}: {list}");
    }

    // And the owners still reach theirs: cancel one's own identification.
    masstack_pause().await;
    let own = gateway
        .get(&identification_path(&ana.identification), &ana.token)
        .await;
    assert_eq!(own.status, StatusCode::OK, "{own}");
    assert_eq!(own.json["state"], "PENDING", "{own}");
    masstack_pause().await;
    let cancelled = gateway
        .call(
            Method::DELETE,
            &identification_path(&ana.identification),
            Some(&ana.token),
            Some(json!({"reason": "changed my mind"})),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::NO_CONTENT, "{cancelled}");
}

/// A list answer holds only the member's records, counts only them, and holds `expected`.
fn assert_only_own(who: &str, query: &str, list: &Answer, coworker: i64, expected: i64) {
    assert_eq!(list.status, StatusCode::OK, "{who} list {query}: {list}");
    let records = list.json["Records"].as_array().expect("Records");
    assert!(
        records.iter().all(|r| r["CoworkerId"] == json!(coworker)),
        "{who} list {query}: {list}"
    );
    assert!(
        records.iter().any(|r| r["Id"] == json!(expected)),
        "{who} list {query}: their own record {expected} is missing: {list}"
    );
    // The count is the member's too: a filter dropped upstream would show in it.
    assert_eq!(
        list.json["TotalItems"].as_u64(),
        Some(records.len() as u64),
        "{who} list {query}: {list}"
    );
}

#[tokio::test]
async fn ids_and_fields_the_member_may_not_write_are_forced() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;
    let bea = gateway.mint(2, 1).await;

    let mut body = passport_check();
    for (key, value) in [
        ("CoworkerId", json!(1)),
        ("BusinessId", json!(9)),
        ("Billed", json!(true)),
        ("VerificationStatus", json!(3)),
        ("IdentityCheckProvider", json!(2)),
        ("StripeVerificationSessionId", json!("vs_forged_123")),
        (
            "ProposalGuid",
            json!("0d7a5d1e-7b43-4f0e-9d7e-2a2f5b7e1c11"),
        ),
        ("LastError", json!("forged")),
    ] {
        body[key] = value;
    }
    let created = gateway.post(CHECKS, &bea, body).await;
    assert_eq!(created.status, StatusCode::OK, "{created}");
    let id = created.json["Value"]["Id"].as_i64().expect("an id");

    let stored = double.record(&format!("{CHECKS}/{id}")).await;
    assert_forced(&stored);
    assert_eq!(stored["IdentityDocumentNumber"], "PA1234567", "{stored}");
    assert!(
        double
            .records(CHECKS, "CoworkerIdentityCheck_Coworker=1")
            .await
            .is_empty(),
        "a check reached coworker 1"
    );

    // A PUT of the member's own check cannot write them either.
    let put = gateway
        .put(
            CHECKS,
            &bea,
            json!({
                "Id": id, "CoworkerId": 1, "BusinessId": 9, "Billed": true, "VerificationStatus": 3,
                "IdentityCheckProvider": 2, "StripeVerificationSessionId": "vs_forged_123",
                "ProposalGuid": "0d7a5d1e-7b43-4f0e-9d7e-2a2f5b7e1c11",
                "IdentityDocumentNumber": "PB7654321"
            }),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{put}");
    let stored = double.record(&format!("{CHECKS}/{id}")).await;
    assert_forced(&stored);
    assert_eq!(stored["IdentityDocumentNumber"], "PB7654321", "{stored}");

    // A document's coworker is the token's, and its status the double's to decide.
    let photo = gateway.upload(&bea, jpeg(1)).await;
    let front = gateway.upload(&bea, jpeg(2)).await;
    let mut body = document(id, Some(&photo), Some(&front));
    body["CoworkerId"] = json!(1);
    body["VerificationStatus"] = json!(3);
    let document = gateway.create_document(&bea, body).await;
    let stored = double.record(&format!("{DOCUMENTS}/{document}")).await;
    assert_eq!(stored["CoworkerId"], json!(2), "{stored}");
    assert_eq!(stored["VerificationStatus"], json!(2), "{stored}");
    let check = double.record(&format!("{CHECKS}/{id}")).await;
    assert_eq!(check["VerificationStatus"], json!(2), "{check}");
}

/// The fields of a check stored for coworker 2 that the member must not have written.
fn assert_forced(stored: &Value) {
    assert_eq!(stored["CoworkerId"], json!(2), "{stored}");
    assert_eq!(stored["BusinessId"], json!(1), "{stored}");
    assert_eq!(stored["Billed"], json!(false), "{stored}");
    assert_eq!(stored["VerificationStatus"], json!(1), "{stored}");
    assert_eq!(stored["IdentityCheckProvider"], json!(1), "{stored}");
    assert!(stored["StripeVerificationSessionId"].is_null(), "{stored}");
    assert!(stored["ProposalGuid"].is_null(), "{stored}");
    assert!(stored["LastError"].is_null(), "{stored}");
}
