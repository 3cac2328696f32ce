//! When things go wrong: a member who refuses the camera, invalid details, a server that refuses a
//! field, and a server that fails in the middle of submitting.

use idcheck_e2e::member::*;
use idcheck_e2e::pictures::Card;
use idcheck_e2e::{ApiServer, Browser, PHONE, scratch};
use serde_json::json;

const CHECKS: &str = "/api/spaces/coworkeridentitychecks";
const DOCUMENTS: &str = "/api/spaces/coworkeridentitycheckdocuments";

fn good_details() -> Details<'static> {
    Details {
        number: "X1234567",
        issued_by: "Ministerio del Interior",
        expires: "2032-06-30",
    }
}

/// Walks a passport check to its review step with the camera.
async fn passport_to_review(browser: &Browser, url: &str, name: &str) {
    browser.consent(url, name).await;
    browser
        .choose(PURPOSE, "purpose", name, ("purpose", "identity"))
        .await;
    browser.passport(&good_details(), name).await;
    browser.at_step(REVIEW, "review", name).await;
}

#[tokio::test]
async fn a_member_who_refuses_the_camera_uploads_files() {
    let server = ApiServer::start(&[]).await;
    let browser = Browser::start_refusing_camera(PHONE).await;
    let dir = scratch("refused");
    let card = Card::new(1000, 630).write_png(&dir.join("card.png"));
    let not_an_image = dir.join("notes.png");
    std::fs::write(
        &not_an_image,
        "these are not the pixels you are looking for".repeat(10),
    )
    .unwrap();
    let url = server
        .page("&uploads=server&image-max=800&verify=identity")
        .await;
    let name = "phone-refused";

    browser.consent(&url, name).await;
    browser
        .choose(IDENTITY_DOCUMENT, "document", name, ("document", "1"))
        .await;
    browser.fill_details(&good_details(), name).await;
    browser.at_step(PHOTO, "photo", name).await;
    // The camera is refused: the member is told how to allow it, and can upload instead.
    browser.wait_for_text(".idcheck-frame-message p", "The camera is blocked. To allow it, open your browser's site settings (the icon next to the address), allow the camera, and reload. Or upload a file below.").await;
    browser.screenshot("phone-camera-refused").await;
    // A file that is not an image is refused by its bytes, whatever its name says.
    browser.upload(&not_an_image).await;
    browser
        .wait_for_text(
            ".idcheck-capture p.idcheck-error",
            "That file is not a JPEG, PNG or WebP image. Choose a photo.",
        )
        .await;
    browser.upload(&card).await;
    browser.press("Use this photo").await;
    browser.at_step(FRONT, "front", name).await;
    browser.upload(&card).await;
    browser.press("Use this photo").await;
    let (check, document) = browser.submit(name).await;

    let stored = server.get_json(&format!("{DOCUMENTS}/{document}")).await;
    assert_eq!(stored["CoworkerIdentityCheckId"], check);
    for route in ["photo", "document"] {
        let bytes = server
            .get_bytes(&format!("{DOCUMENTS}/{document}/files/{route}"))
            .await;
        // The 1000×630 PNG is re-encoded like a camera frame: a JPEG no longer than 800 px.
        assert_eq!(
            idcheck_e2e::pictures::jpeg_size(&bytes),
            Some((800, 504)),
            "{route}"
        );
    }
    browser.close().await;
}

#[tokio::test]
async fn invalid_details_are_caught_before_any_request() {
    let server = ApiServer::start(&["--fault-injection"]).await;
    let browser = Browser::start(PHONE, None).await;
    let url = server.page("&verify=identity").await;
    let name = "phone-invalid";

    browser.consent(&url, name).await;
    browser
        .choose(IDENTITY_DOCUMENT, "document", name, ("document", "3"))
        .await;
    browser.at_step(DETAILS, "details", name).await;
    browser
        .type_into("#idcheck-issued-by", "Policía Nacional")
        .await;
    browser.set_date("#idcheck-expires", "2020-02-29").await;
    browser.press("Continue").await;
    browser
        .wait_for_text("#idcheck-number-error", "Enter the document number.")
        .await;
    browser
        .wait_for_text(
            "#idcheck-expires-error",
            "This document has expired. Use a document that is still valid.",
        )
        .await;
    browser.screenshot("phone-details-invalid").await;
    browser.wait_for_text("h1", DETAILS).await;
    assert_eq!(
        server.request_count(&format!("POST {CHECKS}")).await,
        0,
        "no check was sent"
    );
    browser.close().await;
}

#[tokio::test]
async fn a_field_the_server_refuses_is_shown_on_its_step() {
    let server = ApiServer::start(&["--fault-injection"]).await;
    let browser = Browser::start(PHONE, None).await;
    let url = server.page("&image-max=800").await;
    let name = "phone-rejected";
    server
        .arm_fault(json!({"method": "POST", "path": CHECKS, "action": "reject",
                          "property": "IdentityDocumentNumber", "message": "is not a number this authority issues"}))
        .await;

    passport_to_review(&browser, &url, name).await;
    browser.press("Send for review").await;
    // The member is taken back to the details, with the server's words on the number.
    browser.wait_for_text("h1", DETAILS).await;
    browser
        .wait_for_text(
            "#idcheck-number-error",
            "The server did not accept this: is not a number this authority issues",
        )
        .await;
    browser.screenshot("phone-details-rejected").await;
    // What they entered is still there; they correct it and send again.
    let typed = browser
        .find("#idcheck-number")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(typed, "X1234567");
    browser.type_into("#idcheck-number", "X7654321").await;
    browser.press("Continue").await;
    browser.press("Use this photo").await;
    browser.press("Use this photo").await;
    let (check, _) = browser.submit(&format!("{name}-again")).await;
    let stored = server.get_json(&format!("{CHECKS}/{check}")).await;
    assert_eq!(stored["IdentityDocumentNumber"], "X7654321");
    browser.close().await;
}

#[tokio::test]
async fn a_failure_mid_submission_is_retried_into_exactly_one_check_and_document() {
    let server = ApiServer::start(&["--fault-injection"]).await;
    let dir = scratch("faults");
    let camera = Card::new(1280, 720).write_y4m(&dir.join("card.y4m"));
    let browser = Browser::start(PHONE, Some(&camera)).await;
    let url = server.page("&uploads=server&image-max=800").await;
    let name = "phone-faults";
    // Between the gateway and Nexudus: the check is written but its answer is lost; then reading
    // the check (the gateway's scope check before the document) fails; then the document is
    // written and its answer is lost too. The gateway settles each lost answer by a look-up and
    // the component retries a failure by itself, so the member at most presses "Try again" twice.
    for fault in [
        json!({"method": "POST", "path": CHECKS, "action": "drop_after_write"}),
        json!({"method": "GET", "path": format!("{CHECKS}/*"), "action": "error500"}),
        json!({"method": "POST", "path": DOCUMENTS, "action": "drop_after_write"}),
    ] {
        server.arm_fault(fault).await;
    }

    passport_to_review(&browser, &url, name).await;
    browser.press("Send for review").await;
    let mut presses = 0;
    for _ in 0..600 {
        let heading = browser
            .js("document.querySelector('h1')?.textContent ?? ''")
            .await;
        if heading == SUBMITTED {
            break;
        }
        let failure = browser
            .js("document.querySelector('.idcheck-failure p')?.textContent ?? ''")
            .await;
        if failure.as_str().is_some_and(|text| !text.is_empty()) {
            assert!(presses < 2, "a third \"Try again\" was needed: {failure}");
            browser.screenshot("phone-submit-failed").await;
            browser.press("Try again").await;
            presses += 1;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    for route in [format!("POST {CHECKS}"), format!("POST {DOCUMENTS}")] {
        assert!(
            server.request_count(&route).await >= 1,
            "{route} reached the API server"
        );
    }
    let (check, document) = browser.submit_finished(name).await;

    let checks = server
        .get_json(&format!("{CHECKS}?CoworkerIdentityCheck_Coworker=1"))
        .await;
    assert_eq!(checks["TotalItems"], 1, "exactly one check: {checks}");
    assert_eq!(checks["Records"][0]["Id"], check);
    let documents = server
        .get_json(&format!(
            "{DOCUMENTS}?CoworkerIdentityCheckDocument_CoworkerIdentityCheck={check}"
        ))
        .await;
    assert_eq!(
        documents["TotalItems"], 1,
        "exactly one document: {documents}"
    );
    assert_eq!(documents["Records"][0]["Id"], document);
    let stored = server.get_json(&format!("{CHECKS}/{check}")).await;
    assert_eq!(stored["VerificationStatus"], 2);
    browser.close().await;
}

#[tokio::test]
async fn the_browser_back_button_moves_between_steps_and_keeps_the_answers() {
    let server = ApiServer::start(&[]).await;
    let browser = Browser::start(PHONE, None).await;
    let url = server.page("").await;
    let name = "phone-history";

    browser.consent(&url, name).await;
    browser
        .choose(PURPOSE, "purpose", name, ("purpose", "identity"))
        .await;
    browser
        .choose(IDENTITY_DOCUMENT, "document", name, ("document", "3"))
        .await;
    browser.at_step(DETAILS, "details", name).await;
    browser.type_into("#idcheck-number", "12345678Z").await;
    browser.type_into("#idcheck-issued-by", "DGP").await;

    browser.client.back().await.expect("back");
    browser.wait_for_text("h1", IDENTITY_DOCUMENT).await;
    let chosen = browser
        .find("input[name=document][value=\"3\"]")
        .await
        .prop("checked")
        .await
        .unwrap();
    assert_eq!(
        chosen.as_deref(),
        Some("true"),
        "the document type is still chosen"
    );
    browser.client.back().await.expect("back");
    browser.wait_for_text("h1", PURPOSE).await;
    browser.client.forward().await.expect("forward");
    browser.client.forward().await.expect("forward");
    browser.wait_for_text("h1", DETAILS).await;
    let number = browser
        .find("#idcheck-number")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(number.as_deref(), Some("12345678Z"));
    let issued_by = browser
        .find("#idcheck-issued-by")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(issued_by.as_deref(), Some("DGP"));
    browser.close().await;
}

#[tokio::test]
async fn a_throttled_member_waits_and_the_check_goes_through() {
    // Every request within 2 s of the previous one of the gateway's account is refused with
    // 409 + Retry-After, as Nexudus throttles: the gateway must wait as asked and carry on.
    let server = ApiServer::start_rate_limited(&[
        "--fault-injection",
        "--rate-limit",
        "min_interval_ms=2000",
    ])
    .await;
    let dir = scratch("throttled");
    let camera = Card::new(1280, 720).write_y4m(&dir.join("card.y4m"));
    let browser = Browser::start(PHONE, Some(&camera)).await;
    let url = server.page("&uploads=server&image-max=800").await;

    passport_to_review(&browser, &url, "phone-throttled").await;
    browser.press("Send for review").await;
    let (check, document) = browser.submit_finished("phone-throttled").await;

    // The gateway waited the refusals out: Nexudus saw more writes than the two that went through.
    let writes = server.request_count(&format!("POST {CHECKS}")).await
        + server.request_count(&format!("POST {DOCUMENTS}")).await;
    assert!(
        writes > 2,
        "a check, a document, and at least one refusal waited out ({writes} requests)"
    );
    let documents = server
        .get_json(&format!(
            "{DOCUMENTS}?CoworkerIdentityCheckDocument_CoworkerIdentityCheck={check}"
        ))
        .await;
    assert_eq!(documents["TotalItems"], 1);
    assert_eq!(documents["Records"][0]["Id"], document);
    browser.close().await;
}
