//! The MasStack provider end to end: a member identifies with a valid NIE, a wrong check letter is
//! caught before any request, and a cancelled identification cannot be cancelled twice.

use idcheck_e2e::{ApiServer, Browser, PHONE};

const CREATE: &str = "POST /v1/orgs/masmovil/identifications/identity_document";

async fn open(browser: &Browser, server: &ApiServer, name: &str) {
    let url = server
        .page("&provider=masstack&masstack-org=masmovil&poll-seconds=1")
        .await;
    browser.client.goto(&url).await.expect("the page opens");
    browser
        .wait_for_text("h1", "Verify your identity document")
        .await;
    browser
        .wait_for_text(
            ".idcheck-note",
            "No photos are taken and the camera is not used: you will not be asked for any image.",
        )
        .await;
    browser.screenshot(&format!("{name}-welcome")).await;
    browser.click("input[name=consent]").await;
    browser.press("Continue").await;
    browser.wait_for_text("h1", "Your identity document").await;
}

async fn fill(browser: &Browser, number: &str) {
    browser.type_into("input[name=name]", "Lucía").await;
    browser
        .type_into("input[name=last_name]", "García Pérez")
        .await;
    browser.click("input[name=document_type][value=NIE]").await;
    browser
        .type_into("input[name=\"identity_document.document_number\"]", number)
        .await;
    browser
        .type_into("input[name=\"identity_document.country\"]", "ES")
        .await;
}

async fn identification_id(browser: &Browser) -> String {
    let text = browser
        .find(".idcheck-records")
        .await
        .text()
        .await
        .expect("the id");
    text.rsplit(' ').next().unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_member_identifies_with_a_valid_nie() {
    let server = ApiServer::start(&["--fault-injection"]).await;
    let browser = Browser::start(PHONE, None).await;
    open(&browser, &server, "phone-masstack").await;
    fill(&browser, "x-1234567 l").await;
    browser.screenshot("phone-masstack-form").await;
    browser.press("Start identification").await;
    browser
        .wait_for_text("h1", "Your identification has started")
        .await;
    browser
        .wait_for_text(
            ".idcheck-status strong",
            "Pending: waiting for the identification",
        )
        .await;
    browser.screenshot("phone-masstack-started").await;

    let id = identification_id(&browser).await;
    let stored = server
        .get_json(&format!(
            "/v1/orgs/masmovil/identifications/identity_document/{id}"
        ))
        .await;
    assert_eq!(stored["state"], "PENDING");
    assert_eq!(stored["name"], "Lucía");
    assert_eq!(stored["last_name"], "García Pérez");
    assert_eq!(stored["identity_document"]["document_type"], "NIE");
    assert_eq!(stored["identity_document"]["document_number"], "X1234567L");
    assert_eq!(stored["identity_document"]["country"], "ES");
    assert_eq!(stored["expires_in"], "P30D");
    browser.close().await;
}

#[tokio::test]
async fn a_wrong_check_letter_is_caught_before_any_request() {
    let server = ApiServer::start(&["--fault-injection"]).await;
    let browser = Browser::start(PHONE, None).await;
    open(&browser, &server, "phone-masstack-letter").await;
    fill(&browser, "X1234567A").await;
    browser.press("Start identification").await;
    browser
        .wait_for_text(
            "[id$=\"mas-identity_document-document_number-error\"]",
            "The letter does not match the number: it should be L.",
        )
        .await;
    browser.screenshot("phone-masstack-wrong-letter").await;
    browser.wait_for_text("h1", "Your identity document").await;
    assert_eq!(server.request_count(CREATE).await, 0, "nothing was sent");
    browser.close().await;
}

#[tokio::test]
async fn a_cancelled_identification_cannot_be_cancelled_twice() {
    let server = ApiServer::start(&[]).await;
    let browser = Browser::start(PHONE, None).await;
    open(&browser, &server, "phone-masstack-cancel").await;
    fill(&browser, "Y7654321G").await;
    browser.press("Start identification").await;
    browser
        .wait_for_text("h1", "Your identification has started")
        .await;

    for attempt in ["The member asked to stop", "Asked twice"] {
        browser.click("button.idcheck-mas-cancel").await;
        browser.type_into("textarea[name=reason]", attempt).await;
        browser.press("Cancel the identification").await;
        browser.find(".idcheck-outcome").await;
        if attempt == "Asked twice" {
            browser
                .wait_for_text(
                    ".idcheck-outcome",
                    "This identification is already finished or cancelled, so it cannot be cancelled.",
                )
                .await;
        } else {
            browser
                .wait_for_text(".idcheck-outcome", "The identification was cancelled.")
                .await;
            browser
                .wait_for_text(".idcheck-status strong", "Cancelled")
                .await;
        }
    }
    browser.screenshot("phone-masstack-cancelled-twice").await;
    let id = identification_id(&browser).await;
    let stored = server
        .get_json(&format!(
            "/v1/orgs/masmovil/identifications/identity_document/{id}"
        ))
        .await;
    assert_eq!(stored["state"], "CANCELLED");
    assert_eq!(stored["cancel_reason"], "The member asked to stop");
    browser.close().await;
}
