//! Hand-offs to a phone (issue 15): the laptop, with the member's token, asks for a hand-off; the
//! phone redeems its code once, without a token, for a token of the same member and the laptop's
//! progress; the laptop follows it (Waiting, Opened, Submitted) and may take it back, which revokes
//! the phone's token. Wrong codes count towards the invitations' lock-out.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const HANDOFFS: &str = "/api/handoffs";
const REDEEM: &str = "/api/handoffs/redeem";
/// The invitation alphabet, which short codes share.
const ALPHABET: &str = "ACDEFGHJKMNPQRTUVWXY3479";

/// A hand-off's codes, as its creation answered them.
struct Handoff {
    id: String,
    /// The long code the link carries.
    link_code: String,
    /// The short code to type.
    code: String,
}

/// `POST /api/handoffs` with `body`; the answer.
async fn create_answer(gateway: &Gateway, token: &str, body: Value) -> Answer {
    gateway.post(HANDOFFS, token, body).await
}

/// A hand-off for the token's member, its answer checked for its form.
async fn create(gateway: &Gateway, token: &str, body: Value) -> Handoff {
    let answer = create_answer(gateway, token, body).await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "creating a hand-off: {answer}"
    );
    handoff_of(gateway, token, &answer)
}

fn handoff_of(gateway: &Gateway, token: &str, answer: &Answer) -> Handoff {
    let json = &answer.json;
    let url = json["Url"].as_str().expect("a Url");
    let prefix = format!("{}/#handoff=", gateway.url);
    let link_code = url
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{url} is not {prefix}CODE"))
        .to_string();
    // The secret is in the fragment, which a browser never sends: what reaches a server (and its
    // logs) when the phone opens the link is the bare page.
    let parsed = reqwest::Url::parse(url).expect("an absolute link");
    assert_eq!(parsed.path(), "/", "{url}");
    assert_eq!(parsed.query(), None, "{url}");
    assert_eq!(
        parsed.fragment(),
        Some(format!("handoff={link_code}").as_str())
    );
    assert_eq!(link_code.len(), 64, "{url}");
    assert!(link_code.bytes().all(|b| b.is_ascii_hexdigit()), "{url}");
    // No token in the link: only the hand-off's own code.
    assert!(!url.contains(token), "{url}");
    assert!(!url.contains("token"), "{url}");
    let code = json["Code"].as_str().expect("a Code").to_string();
    assert_eq!(code.len(), 8, "{json}");
    assert!(code.chars().all(|c| ALPHABET.contains(c)), "{code}");
    let expires = json["ExpiresAt"].as_str().expect("ExpiresAt");
    assert!(expires.ends_with('Z'), "{expires}");
    let seconds = json["ExpiresInSeconds"].as_i64().expect("ExpiresInSeconds");
    assert!((890..=900).contains(&seconds), "15 minutes: {json}");
    Handoff {
        id: json["Id"].as_str().expect("an Id").to_string(),
        link_code,
        code,
    }
}

async fn redeem(gateway: &Gateway, code: &str) -> Answer {
    gateway
        .call(Method::POST, REDEEM, None, Some(json!({"Code": code})))
        .await
}

/// The phone's token, from a redeem that must succeed.
async fn phone_token(gateway: &Gateway, code: &str) -> (String, Answer) {
    let answer = redeem(gateway, code).await;
    assert_eq!(answer.status, StatusCode::OK, "redeeming: {answer}");
    let token = answer.json["access_token"]
        .as_str()
        .expect("a token")
        .to_string();
    (token, answer)
}

/// A refused redeem: a 400 naming `Code`, with no token; its message.
fn refused(answer: &Answer, what: &str) -> String {
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{what}: {answer}");
    assert_eq!(answer.error_properties(), ["Code"], "{what}: {answer}");
    assert!(answer.json["access_token"].is_null(), "{what}: {answer}");
    answer.json["Message"]
        .as_str()
        .expect("a Message")
        .to_string()
}

async fn state(gateway: &Gateway, token: &str, id: &str) -> Value {
    let answer = gateway.get(&format!("{HANDOFFS}/{id}"), token).await;
    assert_eq!(answer.status, StatusCode::OK, "{answer}");
    assert_eq!(answer.json["Id"], json!(id), "{answer}");
    answer.json
}

fn ids(records: &Value) -> Vec<i64> {
    let mut ids: Vec<i64> = records
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| r["Id"].as_i64().expect("an id"))
        .collect();
    ids.sort_unstable();
    ids
}

#[tokio::test]
async fn a_hand_off_is_redeemed_once_for_a_token_of_the_same_member() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;
    let laptop = gateway.mint(2, 1).await;
    let other = gateway.mint(1, 1).await;
    let (own_check, _) = gateway.passport_with_document(&laptop, 10).await;
    let (others_check, _) = gateway.passport_with_document(&other, 20).await;

    let progress = json!({"Step": "Capture", "Answers": {"IdentityDocumentNumber": "PA1234567"}});
    let handoff = create(&gateway, &laptop, json!({"Progress": progress})).await;

    // The link's code: a token of the same member, and the progress to continue from.
    let (phone, answer) = phone_token(&gateway, &handoff.link_code).await;
    assert_ne!(phone, laptop);
    assert_eq!(answer.json["CoworkerId"], json!(2), "{answer}");
    assert_eq!(answer.json["BusinessId"], json!(1), "{answer}");
    assert_eq!(answer.json["Progress"], progress, "{answer}");
    assert_eq!(answer.json["token_type"], json!("bearer"), "{answer}");
    assert_eq!(answer.json["expires_in"], json!(3600), "{answer}");

    // Once only, by either code; refused with the very words of a code that never existed.
    let unknown = refused(&redeem(&gateway, "ACDE-FGHJ").await, "unknown");
    assert_eq!(
        refused(
            &redeem(&gateway, &handoff.link_code).await,
            "the link again"
        ),
        unknown
    );
    assert_eq!(
        refused(&redeem(&gateway, &handoff.code).await, "the short code"),
        unknown
    );

    // The phone reaches the member's own records, and only theirs.
    let list = gateway.get(CHECKS, &phone).await;
    assert_eq!(list.status, StatusCode::OK, "{list}");
    assert_eq!(ids(&list.json["Records"]), [own_check], "{list}");
    let own = gateway.get(&format!("{CHECKS}/{own_check}"), &phone).await;
    assert_eq!(own.status, StatusCode::OK, "{own}");
    let others = gateway
        .get(&format!("{CHECKS}/{others_check}"), &phone)
        .await;
    assert_eq!(others.status, StatusCode::NOT_FOUND, "{others}");

    // The short code, typed by hand (any case, a dash), works as well; without progress, none.
    let typed = create(&gateway, &laptop, json!({})).await;
    let written = format!("{}-{}", &typed.code[..4], &typed.code[4..]).to_lowercase();
    let (_, answer) = phone_token(&gateway, &written).await;
    assert_eq!(answer.json["Progress"], Value::Null, "{answer}");
    assert_eq!(answer.json["CoworkerId"], json!(2), "{answer}");

    // Creating one takes a member token.
    let anonymous = gateway
        .call(Method::POST, HANDOFFS, None, Some(json!({})))
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{anonymous}");
    let operator = gateway
        .post(HANDOFFS, &gateway.operator_key.clone(), json!({}))
        .await;
    assert_eq!(operator.status, StatusCode::UNAUTHORIZED, "{operator}");
}

#[tokio::test]
async fn an_expired_hand_off_is_refused_like_a_used_one_and_reads_expired() {
    let double = Double::start().await;
    let folder = TempDir::new("handoffs");
    let database = folder.path().join("gateway.sqlite3");
    let gateway = Gateway::start_with(&double, &database.display().to_string()).await;
    let laptop = gateway.mint(2, 1).await;
    let handoff = create(&gateway, &laptop, json!({"Progress": {"Step": 1}})).await;
    assert_eq!(
        state(&gateway, &laptop, &handoff.id).await["State"],
        "Waiting"
    );

    // Fifteen minutes pass: the row's time, as the gateway stores it, is moved back.
    let connection = rusqlite::Connection::open(&database).expect("the gateway's database");
    connection
        .busy_timeout(std::time::Duration::from_secs(10))
        .unwrap();
    let moved = connection
        .execute(
            "UPDATE handoffs SET expires_at = expires_at - 901 WHERE id = ?1",
            [&handoff.id],
        )
        .unwrap();
    assert_eq!(moved, 1);
    // Only digests are stored: neither code is in the row.
    let row: String = connection
        .query_row(
            "SELECT link_digest || code_digest || id FROM handoffs WHERE id = ?1",
            [&handoff.id],
            |row| row.get(0),
        )
        .unwrap();
    assert!(!row.contains(&handoff.link_code) && !row.contains(&handoff.code));
    drop(connection);

    let unknown = refused(&redeem(&gateway, "ACDEFGHJ").await, "unknown");
    assert_eq!(
        refused(&redeem(&gateway, &handoff.link_code).await, "expired link"),
        unknown
    );
    assert_eq!(
        refused(&redeem(&gateway, &handoff.code).await, "expired code"),
        unknown
    );
    let expired = state(&gateway, &laptop, &handoff.id).await;
    assert_eq!(expired["State"], "Expired", "{expired}");
}

#[tokio::test]
async fn the_laptop_follows_waiting_opened_then_submitted_once_the_phone_sends_a_document() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;
    let laptop = gateway.mint(2, 1).await;
    let handoff = create(&gateway, &laptop, json!({})).await;
    let waiting = state(&gateway, &laptop, &handoff.id).await;
    assert_eq!(waiting["State"], "Waiting", "{waiting}");
    assert_eq!(waiting["OpenedAt"], Value::Null, "{waiting}");
    assert_eq!(waiting["CheckId"], Value::Null, "{waiting}");

    let (phone, _) = phone_token(&gateway, &handoff.link_code).await;
    let opened = state(&gateway, &laptop, &handoff.id).await;
    assert_eq!(opened["State"], "Opened", "{opened}");
    assert!(opened["OpenedAt"].is_string(), "{opened}");
    assert_eq!(opened["DocumentId"], Value::Null, "{opened}");

    // The phone's member flow through the gateway: a check, two uploads, a document.
    let check = gateway.create_check(&phone, passport_check()).await;
    let still = state(&gateway, &laptop, &handoff.id).await;
    assert_eq!(
        still["State"], "Opened",
        "a check alone is not a document: {still}"
    );
    let photo = gateway.upload(&phone, jpeg(30)).await;
    let front = gateway.upload(&phone, jpeg(31)).await;
    let document = gateway
        .create_document(&phone, common::document(check, Some(&photo), Some(&front)))
        .await;

    let submitted = state(&gateway, &laptop, &handoff.id).await;
    assert_eq!(submitted["State"], "Submitted", "{submitted}");
    assert_eq!(submitted["CheckId"], json!(check), "{submitted}");
    assert_eq!(submitted["DocumentId"], json!(document), "{submitted}");
    assert!(submitted["SubmittedAt"].is_string(), "{submitted}");

    // Upstream: exactly the one check and the one document, the member's.
    let checks = double
        .records(CHECKS, "CoworkerIdentityCheck_Coworker=2")
        .await;
    assert_eq!(ids(&json!(checks)), [check]);
    let documents = double
        .records(DOCUMENTS, "CoworkerIdentityCheckDocument_Coworker=2")
        .await;
    assert_eq!(ids(&json!(documents)), [document]);

    // The laptop's own documents do not mark another hand-off submitted: only its phone's do.
    let other = create(&gateway, &laptop, json!({})).await;
    let (_, _) = phone_token(&gateway, &other.code).await;
    gateway.passport_with_document(&laptop, 40).await;
    let opened = state(&gateway, &laptop, &other.id).await;
    assert_eq!(opened["State"], "Opened", "{opened}");
}

#[tokio::test]
async fn taking_it_back_refuses_the_code_and_revokes_the_phones_token() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;
    let laptop = gateway.mint(2, 1).await;

    // Taken back after the phone opened it: the phone's token stops working.
    let opened = create(&gateway, &laptop, json!({})).await;
    let (phone, _) = phone_token(&gateway, &opened.code).await;
    assert_eq!(gateway.get(CHECKS, &phone).await.status, StatusCode::OK);
    let cancelled = gateway
        .call(
            Method::DELETE,
            &format!("{HANDOFFS}/{}", opened.id),
            Some(&laptop),
            None,
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled.json["State"], "Cancelled", "{cancelled}");
    let revoked = gateway.get(CHECKS, &phone).await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED, "{revoked}");
    // The laptop's own token is untouched.
    assert_eq!(gateway.get(CHECKS, &laptop).await.status, StatusCode::OK);
    assert_eq!(
        state(&gateway, &laptop, &opened.id).await["State"],
        "Cancelled"
    );

    // Taken back before: the code is refused, as a used one.
    let waiting = create(&gateway, &laptop, json!({"Progress": {"Step": 2}})).await;
    let again = gateway
        .call(
            Method::DELETE,
            &format!("{HANDOFFS}/{}", waiting.id),
            Some(&laptop),
            None,
        )
        .await;
    assert_eq!(again.json["State"], "Cancelled", "{again}");
    refused(
        &redeem(&gateway, &waiting.link_code).await,
        "cancelled link",
    );
    refused(&redeem(&gateway, &waiting.code).await, "cancelled code");
}

#[tokio::test]
async fn another_members_hand_off_answers_exactly_as_one_that_does_not_exist() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;
    let laptop = gateway.mint(2, 1).await;
    let other = gateway.mint(1, 1).await;
    let same_coworker_other_business = gateway.mint(2, 2).await;
    let handoff = create(&gateway, &laptop, json!({})).await;
    let missing = "0123456789abcdef0123456789abcdef";

    for token in [&other, &same_coworker_other_business] {
        for method in [Method::GET, Method::DELETE] {
            let theirs = gateway
                .call(
                    method.clone(),
                    &format!("{HANDOFFS}/{}", handoff.id),
                    Some(token),
                    None,
                )
                .await;
            let unknown = gateway
                .call(
                    method.clone(),
                    &format!("{HANDOFFS}/{missing}"),
                    Some(token),
                    None,
                )
                .await;
            assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{method}: {theirs}");
            assert_same_as_missing(
                &format!("{method} a hand-off"),
                &theirs,
                &handoff.id,
                &unknown,
                missing,
            );
        }
    }
    // The other member's DELETE cancelled nothing.
    assert_eq!(
        state(&gateway, &laptop, &handoff.id).await["State"],
        "Waiting"
    );
    phone_token(&gateway, &handoff.code).await;
}

#[tokio::test]
async fn progress_is_an_object_of_at_most_16_kb_and_carries_no_image() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;
    let laptop = gateway.mint(2, 1).await;

    // Just under the limit round-trips whole.
    let filler = "x".repeat(16 * 1024 - 64);
    let progress = json!({"Step": "Welcome", "Filler": filler, "List": [1, 2.5, null, true]});
    let handoff = create(&gateway, &laptop, json!({"Progress": progress})).await;
    let (_, answer) = phone_token(&gateway, &handoff.link_code).await;
    assert_eq!(answer.json["Progress"], progress);

    // Over 16 KB of progress: a 400 naming it.
    let over = json!({"Progress": {"Filler": "x".repeat(16 * 1024 + 1)}});
    let answer = create_answer(&gateway, &laptop, over).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer.error_properties(), ["Progress"], "{answer}");
    // Far over: refused before it is read.
    let far = json!({"Progress": {"Filler": "x".repeat(64 * 1024)}});
    let answer = create_answer(&gateway, &laptop, far).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    // Not an object, or an image in it.
    for progress in [
        json!([1, 2]),
        json!("text"),
        json!({"Photo": "data:image/jpeg;base64,/9j/4AAQ"}),
    ] {
        let answer = create_answer(&gateway, &laptop, json!({"Progress": progress})).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{answer}");
        assert_eq!(answer.error_properties(), ["Progress"], "{answer}");
    }
}

#[tokio::test]
async fn wrong_codes_lock_the_client_out_even_for_the_right_one() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;
    let laptop = gateway.mint(2, 1).await;
    let handoff = create(&gateway, &laptop, json!({})).await;
    let wrong = ["AAAAAAAA", "CCCCCCCC", "DDDDDDDD", "EEEEEEEE", "FFFFFFFF"];
    for (index, guess) in wrong.iter().filter(|w| **w != handoff.code).enumerate() {
        let answer = redeem(&gateway, guess).await;
        if index < 4 {
            refused(&answer, guess);
        } else {
            assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS, "{answer}");
            assert!(answer.headers.contains_key("retry-after"), "{answer}");
        }
    }
    let right = redeem(&gateway, &handoff.link_code).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS, "{right}");
    assert!(right.json["access_token"].is_null(), "{right}");
    // The lock-out is the invitations' own: their redeem is refused too.
    let invitation = gateway.redeem("ACDEFGHJ").await;
    assert_eq!(
        invitation.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{invitation}"
    );
}

#[tokio::test]
async fn the_same_idempotency_key_gives_the_same_hand_off_with_new_codes() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;
    let laptop = gateway.mint(2, 1).await;
    let send = |key: &'static str, body: Value| {
        gateway
            .request(Method::POST, HANDOFFS, Some(&laptop))
            .header("Idempotency-Key", key)
            .json(&body)
    };
    let body = json!({"Progress": {"Step": 3}});
    let first = gateway.send(send("hand-off-1", body.clone())).await;
    assert_eq!(first.status, StatusCode::OK, "{first}");
    let first = handoff_of(&gateway, &laptop, &first);
    let again = gateway.send(send("hand-off-1", body.clone())).await;
    assert_eq!(again.status, StatusCode::OK, "{again}");
    assert_eq!(again.headers["idempotent-replayed"], "true", "{again}");
    let again = handoff_of(&gateway, &laptop, &again);
    assert_eq!(again.id, first.id);
    // Codes are kept only as digests, so the answer given again has new ones; the first are dead.
    assert_ne!(again.link_code, first.link_code);
    refused(&redeem(&gateway, &first.link_code).await, "replaced link");
    let (_, answer) = phone_token(&gateway, &again.code).await;
    assert_eq!(answer.json["Progress"], json!({"Step": 3}), "{answer}");

    // Another body under the same key, or the key of a hand-off already opened: refused.
    let changed = gateway
        .send(send("hand-off-1", json!({"Progress": {"Step": 4}})))
        .await;
    assert_eq!(changed.status, StatusCode::BAD_REQUEST, "{changed}");
    assert_eq!(changed.error_properties(), ["Idempotency-Key"], "{changed}");
    let used = gateway.send(send("hand-off-1", body)).await;
    assert_eq!(used.status, StatusCode::BAD_REQUEST, "{used}");
    assert_eq!(used.error_properties(), ["Idempotency-Key"], "{used}");
    // Another member's key of the same name is theirs alone.
    let other = gateway.mint(1, 1).await;
    let theirs = gateway
        .send(
            gateway
                .request(Method::POST, HANDOFFS, Some(&other))
                .header("Idempotency-Key", "hand-off-1")
                .json(&json!({})),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::OK, "{theirs}");
}
