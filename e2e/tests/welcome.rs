//! The first screen, as a member meets it in the shipped build.

use idcheck_e2e::{ApiServer, Browser, DESKTOP, PHONE};

#[tokio::test]
async fn welcome_screen_asks_for_consent_at_phone_and_desktop_sizes() {
    let server = ApiServer::start(&[]).await;
    for (size, label) in [(PHONE, "phone"), (DESKTOP, "desktop")] {
        let browser = Browser::start(size, None).await;
        browser.client.goto(&server.url).await.expect("the page opens");
        browser.wait_for_text("h1", "Verify your identity").await;
        browser.screenshot(&format!("welcome-{label}")).await;

        browser.find("button.idcheck-primary").await.click().await.expect("click");
        browser
            .wait_for_text("[role=alert]", "Tick the box above to agree before you continue.")
            .await;

        browser.find("input[name=consent]").await.click().await.expect("click");
        browser.wait_for_text("[role=alert]", "").await;
        browser.close().await;
    }
}
