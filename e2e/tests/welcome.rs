//! The first screen, as a member meets it in the shipped build, and what a host sees when the page
//! is not configured.

use idcheck_e2e::{ApiServer, Browser, DESKTOP, PHONE};

#[tokio::test]
async fn welcome_screen_asks_for_consent_at_phone_and_desktop_sizes() {
    let server = ApiServer::start(&[]).await;
    let url = server.page("").await;
    for (size, label) in [(PHONE, "phone"), (DESKTOP, "desktop")] {
        let browser = Browser::start(size, None).await;
        browser.client.goto(&url).await.expect("the page opens");
        browser.wait_for_text("h1", "Verify your identity").await;
        browser
            .screenshot(&format!("{label}-welcome-first-visit"))
            .await;

        browser
            .find("button.idcheck-primary")
            .await
            .click()
            .await
            .expect("click");
        browser
            .wait_for_text(
                "[role=alert]",
                "Tick the box above to agree before you continue.",
            )
            .await;

        browser
            .find("input[name=consent]")
            .await
            .click()
            .await
            .expect("click");
        browser.wait_for_text("[role=alert]", "").await;
        browser.close().await;
    }
}

#[tokio::test]
async fn a_page_without_configuration_says_which_settings_are_missing() {
    let server = ApiServer::start(&[]).await;
    let browser = Browser::start(PHONE, None).await;
    browser
        .client
        .goto(&format!("{}/?business=one", server.url))
        .await
        .expect("the page opens");
    browser
        .wait_for_text("h1", "This page is not set up correctly")
        .await;
    let listed = browser
        .find(".idcheck-config-problems")
        .await
        .text()
        .await
        .unwrap();
    for expected in [
        "token is missing",
        "business must be a positive whole number, not `one`",
        "coworker is missing",
    ] {
        assert!(listed.contains(expected), "{expected:?} not in {listed:?}");
    }
    browser.screenshot("phone-configuration-error").await;
    browser.close().await;
}
