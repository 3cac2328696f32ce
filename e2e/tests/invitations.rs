//! Checks the operator requested, completed by the member through the gateway's invitations: by
//! the link in their own browser, and by the code at a kiosk that serves one member after another.

use idcheck_e2e::member::*;
use idcheck_e2e::pictures::Card;
use idcheck_e2e::{ApiServer, Browser, DESKTOP, PHONE, scratch};
use serde_json::Value;

const CHECKS: &str = "/api/spaces/coworkeridentitychecks";
const DOCUMENTS: &str = "/api/spaces/coworkeridentitycheckdocuments";

fn camera(test: &str) -> std::path::PathBuf {
    Card::new(1280, 720).write_y4m(&scratch(test).join("card.y4m"))
}

/// Every check of `coworker`, as the operator reads them.
async fn checks_of(server: &ApiServer, coworker: i64) -> Value {
    server
        .get_json(&format!(
            "{CHECKS}?CoworkerIdentityCheck_Coworker={coworker}&size=100"
        ))
        .await
}

async fn requested_check(server: &ApiServer, coworker: i64) -> i64 {
    let checks = checks_of(server, coworker).await;
    assert_eq!(
        checks["TotalItems"], 1,
        "the operator's request made one check: {checks}"
    );
    assert_eq!(
        checks["Records"][0]["VerificationStatus"], 1,
        "Pending: {checks}"
    );
    checks["Records"][0]["Id"].as_i64().expect("an id")
}

#[tokio::test]
async fn a_member_completes_the_check_the_operator_requested_through_the_invitation_link() {
    let server = ApiServer::start(&[]).await;
    let (_, link) = server.invite(2, "identity").await;
    let requested = requested_check(&server, 2).await;
    let browser = Browser::start(PHONE, Some(&camera("invitation-link"))).await;
    let name = "phone-invitation";

    browser
        .consent(&format!("{link}&image-max=800&uploads=server"), name)
        .await;
    browser
        .passport(
            &Details {
                number: "INV123456",
                issued_by: "Republic of Portugal",
                expires: "2032-06-30",
            },
            name,
        )
        .await;
    let (check, document) = browser.submit(name).await;

    assert_eq!(check, requested, "the member completed the requested check");
    let checks = checks_of(&server, 2).await;
    assert_eq!(checks["TotalItems"], 1, "no second check: {checks}");
    let stored = server.get_json(&format!("{CHECKS}/{check}")).await;
    assert_eq!(stored["IdentityDocumentNumber"], "INV123456");
    assert_eq!(stored["IdentityDocumentType"], 1, "a passport");
    assert_eq!(stored["VerificationStatus"], 2, "submitted: {stored}");
    let documents = server
        .get_json(&format!(
            "{DOCUMENTS}?CoworkerIdentityCheckDocument_CoworkerIdentityCheck={check}"
        ))
        .await;
    assert_eq!(documents["TotalItems"], 1, "{documents}");
    assert_eq!(documents["Records"][0]["Id"], document);
    assert_eq!(documents["Records"][0]["CoworkerId"], 2);
    // Nothing landed on the demo member whose page this browser did not open.
    assert_eq!(checks_of(&server, 1).await["TotalItems"], 0);

    // The link was single-use: opened again, it explains and asks for a code.
    browser.client.goto(&link).await.expect("the page opens");
    browser.wait_for_text("h1", "Enter your code").await;
    browser
        .wait_for_text(
            "[role=alert]",
            "This code is not valid, or it was already used or has expired. Check it, or ask your workspace for a new one.",
        )
        .await;
    browser.screenshot("phone-invitation-used").await;
    browser.close().await;
}

#[tokio::test]
async fn a_kiosk_serves_two_members_in_a_row_by_their_codes() {
    let server = ApiServer::start(&[]).await;
    let (first_code, _) = server.invite(1, "address").await;
    let (second_code, _) = server.invite(2, "address").await;
    let first_requested = requested_check(&server, 1).await;
    let second_requested = requested_check(&server, 2).await;
    let browser = Browser::start(DESKTOP, Some(&camera("kiosk-codes"))).await;
    browser
        .client
        .goto(&format!(
            "{}/?mode=kiosk&thanks-seconds=3&image-max=800",
            server.url
        ))
        .await
        .expect("the kiosk opens");

    let mut ids = Vec::new();
    for (code, name) in [
        (&first_code, "kiosk-code-1"),
        (&second_code, "kiosk-code-2"),
    ] {
        browser.at_step("Enter your code", "code", name).await;
        // Typed as people do: lower case, with a dash in the middle.
        let typed = format!("{}-{}", &code[..4], &code[4..]).to_lowercase();
        browser.type_into("input[name=code]", &typed).await;
        browser.press("Continue").await;
        browser.wait_for_text("h1", WELCOME_ADDRESS).await;
        ids.push(browser.address_check(name).await);
        // The thank-you runs out; the kiosk asks the next person for their code.
        browser
            .wait_for_text(
                ".idcheck-kiosk-thanks p",
                "Thank you! This screen clears in 3 seconds for the next person.",
            )
            .await;
    }
    browser
        .at_step("Enter your code", "code", "kiosk-code-3")
        .await;

    assert_eq!(ids[0].0, first_requested);
    assert_eq!(ids[1].0, second_requested);
    for (coworker, (check, _)) in [(1, ids[0]), (2, ids[1])] {
        let checks = checks_of(&server, coworker).await;
        assert_eq!(checks["TotalItems"], 1, "coworker {coworker}: {checks}");
        let stored = server.get_json(&format!("{CHECKS}/{check}")).await;
        assert_eq!(stored["CoworkerId"], coworker);
        assert_eq!(stored["VerificationStatus"], 2, "{stored}");
        assert_eq!(stored["AddressDocumentType"], 4, "{stored}");
    }

    // A used code is refused at the kiosk too.
    browser.type_into("input[name=code]", &first_code).await;
    browser.press("Continue").await;
    browser
        .wait_for_text(
            "[role=alert]",
            "This code is not valid, or it was already used or has expired. Check it, or ask your workspace for a new one.",
        )
        .await;
    browser.close().await;
}

/// Whether the bytes of `text` are anywhere in the component's wasm memory, as it is now. The
/// module's `init` answers the running instance's exports when it has started already.
async fn in_wasm_memory(browser: &Browser, text: &str) -> bool {
    let found = browser
        .client
        .execute_async(
            "const [needle, done] = arguments; \
             import('/idcheck.js').then((module) => module.default()).then((wasm) => { \
               const memory = new Uint8Array(wasm.memory.buffer); \
               const bytes = new TextEncoder().encode(needle); \
               let at = memory.indexOf(bytes[0]); \
               while (at !== -1) { \
                 let all = true; \
                 for (let i = 1; i < bytes.length && all; i++) all = memory[at + i] === bytes[i]; \
                 if (all) return done(true); \
                 at = memory.indexOf(bytes[0], at + 1); \
               } \
               done(false); \
             }, (error) => done('error: ' + error));",
            vec![text.into()],
        )
        .await
        .expect("the memory can be searched");
    match found {
        Value::Bool(found) => found,
        other => panic!("searching the wasm memory: {other}"),
    }
}

#[tokio::test]
async fn a_kiosk_reset_leaves_nothing_of_the_member_in_memory() {
    let server = ApiServer::start(&[]).await;
    let (code, _) = server.invite(1, "identity").await;
    let browser = Browser::start(DESKTOP, Some(&camera("kiosk-memory"))).await;
    browser
        .client
        .goto(&format!("{}/?mode=kiosk", server.url))
        .await
        .expect("the kiosk opens");
    browser
        .at_step("Enter your code", "code", "kiosk-memory")
        .await;
    browser.type_into("input[name=code]", &code).await;
    browser.press("Continue").await;
    browser.wait_for_text("h1", WELCOME).await;
    browser.agree("kiosk-memory").await;
    browser
        .choose(
            IDENTITY_DOCUMENT,
            "document",
            "kiosk-memory",
            ("document", "1"),
        )
        .await;
    let secret = "ZQ4711SECRET";
    browser
        .fill_details(
            &Details {
                number: secret,
                issued_by: "Kiosk Test Authority",
                expires: "2032-06-30",
            },
            "kiosk-memory",
        )
        .await;
    browser.capture(PHOTO, "photo", "kiosk-memory").await;
    browser.capture(FRONT, "front", "kiosk-memory").await;
    browser.at_step(REVIEW, "review", "kiosk-memory").await;
    // The search finds what the member typed while they are there…
    assert!(in_wasm_memory(&browser, secret).await, "the search works");
    browser.submit("kiosk-memory").await;

    // …and nothing of it once the thank-you is over and the kiosk is reset for the next person.
    browser
        .at_step("Enter your code", "code", "kiosk-memory-after")
        .await;
    assert!(
        !in_wasm_memory(&browser, secret).await,
        "the number survived the reset"
    );
    assert!(!in_wasm_memory(&browser, "Kiosk Test Authority").await);
    browser.close().await;
}
