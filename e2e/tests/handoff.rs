//! Continuing on the phone (issue 15), with two browsers: a laptop without a camera starts a
//! passport check and hands it off; the test reads the link the way a phone would, by decoding a
//! screenshot of the page's QR code; a phone with a camera opens it, carries on from the laptop's
//! answers, captures and sends; the laptop shows the submitted step. The API then holds one check
//! and one document. The used link, and a link taken back, are refused on another phone.

use idcheck_e2e::member::*;
use idcheck_e2e::pictures::Card;
use idcheck_e2e::{ApiServer, Browser, DESKTOP, PHONE, scratch};
use serde_json::Value;

/// The link a QR code in a PNG screenshot carries.
fn decode_qr(png_bytes: &[u8]) -> String {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut pixels).expect("its pixels");
    assert_eq!(frame.bit_depth, png::BitDepth::Eight, "8-bit screenshots");
    let channels = frame.color_type.samples();
    let luma = |x: usize, y: usize| {
        let at = y * frame.line_size + x * channels;
        match channels {
            1 | 2 => pixels[at],
            _ => {
                let (r, g, b) = (
                    pixels[at] as u32,
                    pixels[at + 1] as u32,
                    pixels[at + 2] as u32,
                );
                ((r * 299 + g * 587 + b * 114) / 1000) as u8
            }
        }
    };
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(
        frame.width as usize,
        frame.height as usize,
        luma,
    );
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the screenshot");
    let (_, text) = grids[0].decode().expect("the QR code decodes");
    text
}

/// On the laptop: chooses "Continue on my phone" and returns the link its QR code shows, read from
/// a screenshot of the QR code alone, as a phone's camera would read it.
async fn hand_off(laptop: &Browser, name: &str) -> String {
    laptop.click(".idcheck-handoff-offer button").await;
    let qr = laptop.find("svg.idcheck-qr").await;
    laptop.wait_for_text("h1", "Continue on your phone").await;
    laptop.screenshot(&format!("{name}-qr")).await;
    let png = qr.screenshot().await.expect("a screenshot of the QR code");
    std::fs::write(scratch("handoff").join(format!("{name}-qr.png")), &png)
        .expect("the QR code's picture is kept");
    decode_qr(&png)
}

async fn records(server: &ApiServer, list: &str) -> Vec<Value> {
    server.get_json(list).await["Records"]
        .as_array()
        .expect("a list")
        .clone()
}

#[tokio::test]
async fn a_passport_check_started_on_a_laptop_is_finished_on_the_phone() {
    let server = ApiServer::start(&[]).await;
    let laptop = Browser::start_without_camera(DESKTOP).await;
    let camera = Card::new(1280, 720).write_y4m(&scratch("handoff").join("card.y4m"));
    let phone = Browser::start(PHONE, Some(&camera)).await;
    let url = server
        .page("&uploads=server&image-max=800&poll-seconds=1")
        .await;

    // The laptop: a passport's details, then the face photo, which it cannot take.
    laptop.consent(&url, "handoff-laptop").await;
    laptop
        .choose(
            PURPOSE,
            "purpose",
            "handoff-laptop",
            ("purpose", "identity"),
        )
        .await;
    laptop
        .choose(
            IDENTITY_DOCUMENT,
            "document",
            "handoff-laptop",
            ("document", "1"),
        )
        .await;
    laptop
        .fill_details(
            &Details {
                number: "PH7654321",
                issued_by: "Kingdom of Spain",
                expires: "2032-06-30",
            },
            "handoff-laptop",
        )
        .await;
    laptop.at_step(PHOTO, "photo", "handoff-laptop").await;
    let link = hand_off(&laptop, "handoff-laptop").await;
    assert!(
        link.starts_with(&format!("{}/#handoff=", server.url)),
        "{link}"
    );
    assert!(!link.contains("token"), "no token in the QR code: {link}");
    // The link shown to copy is the one in the QR code.
    let shown = laptop
        .js("document.querySelector('.idcheck-handoff-link input').value")
        .await;
    assert_eq!(shown.as_str(), Some(link.as_str()));

    // The phone opens it: it carries on at the face photo with the laptop's answers.
    phone.client.goto(&link).await.expect("the link opens");
    phone.at_step(PHOTO, "photo", "handoff-phone").await;
    let address = phone.client.current_url().await.expect("an address");
    assert!(
        !address.as_str().contains("handoff="),
        "the link's secret leaves the address bar: {address}"
    );
    laptop.wait_for_text("h1", "Continue on your phone…").await;
    laptop.screenshot("handoff-laptop-opened").await;

    // Both pages are reloaded: the phone carries on with what its tab kept of the hand-off (the
    // member and the settings handed on; the link itself works once), and the laptop still
    // follows the phone.
    phone
        .client
        .refresh()
        .await
        .expect("the phone's page reloads");
    phone.at_step(PHOTO, "photo", "handoff-phone").await;
    laptop
        .client
        .refresh()
        .await
        .expect("the laptop's page reloads");
    laptop.wait_for_text("h1", "Continue on your phone…").await;
    phone.capture(PHOTO, "photo", "handoff-phone").await;
    phone.capture(FRONT, "front", "handoff-phone").await;
    let sent = phone.submit("handoff-phone").await;

    // The laptop shows the submitted step, with the phone's records.
    let shown = laptop.submit_finished("handoff-laptop").await;
    assert_eq!(shown, sent);

    // One check and one document, with the answers given on the laptop and the phone's images.
    let checks = records(
        &server,
        "/api/spaces/coworkeridentitychecks?CoworkerIdentityCheck_Coworker=1&size=100",
    )
    .await;
    assert_eq!(checks.len(), 1, "{checks:?}");
    assert_eq!(checks[0]["Id"], sent.0);
    let check = server
        .get_json(&format!("/api/spaces/coworkeridentitychecks/{}", sent.0))
        .await;
    assert_eq!(check["IdentityDocumentNumber"], "PH7654321");
    assert_eq!(check["IdentityDocumentIssuedBy"], "Kingdom of Spain");
    assert_eq!(check["VerificationStatus"], 2, "complete: {check}");
    let documents = records(
        &server,
        &format!(
            "/api/spaces/coworkeridentitycheckdocuments?CoworkerIdentityCheckDocument_CoworkerIdentityCheck={}&size=100",
            sent.0
        ),
    )
    .await;
    assert_eq!(documents.len(), 1, "{documents:?}");
    assert_eq!(documents[0]["Id"], sent.1);
    let document = server
        .get_json(&format!(
            "/api/spaces/coworkeridentitycheckdocuments/{}",
            sent.1
        ))
        .await;
    assert!(document["PhotoFileName"].is_string(), "{document}");
    assert!(document["DocumentFileName"].is_string(), "{document}");

    // A second phone with the same link: refused with a clear page, and nothing more is written.
    let second = Browser::start(PHONE, None).await;
    second.client.goto(&link).await.expect("the link opens");
    second
        .wait_for_text("h1", "This link can no longer be used")
        .await;
    let page = second.find("main").await.text().await.unwrap_or_default();
    assert!(
        page.contains("A link works once, on one phone, for 15 minutes."),
        "{page}"
    );
    second.screenshot("handoff-used-link").await;
    assert!(
        second
            .find("input[name=handoff-code]")
            .await
            .is_displayed()
            .await
            .unwrap()
    );

    // A link taken back on the laptop is refused the same way.
    let url = server.page("").await;
    laptop.client.goto(&url).await.expect("the page opens");
    laptop.find("input[name=consent]").await;
    let taken_back = hand_off(&laptop, "handoff-laptop-again").await;
    assert_ne!(taken_back, link, "a new link for a new hand-off");
    laptop.click("button.idcheck-handoff-here").await;
    laptop.wait_for_text("h1", WELCOME).await;
    second
        .client
        .goto(&taken_back)
        .await
        .expect("the link opens");
    second
        .wait_for_text("h1", "This link can no longer be used")
        .await;

    let checks = records(
        &server,
        "/api/spaces/coworkeridentitychecks?CoworkerIdentityCheck_Coworker=1&size=100",
    )
    .await;
    assert_eq!(checks.len(), 1, "still one check: {checks:?}");
    second.close().await;
    phone.close().await;
    laptop.close().await;
}
