//! Live capture guidance in headless Chromium, with fake cameras showing scenes the tests draw: a
//! good card on a desk is captured by itself and stored cut to the card; a blurred card, a dark
//! scene and a card off to one side each show their advice, are never captured by themselves, and
//! can still be taken with *Take photo*; an upload is judged the same way and may be kept anyway.
//! Focus follows each capture, retake and upload to the next thing to do.

use std::path::PathBuf;
use std::time::Duration;

use idcheck_e2e::member::*;
use idcheck_e2e::pictures::{Card, jpeg_size};
use idcheck_e2e::{ApiServer, Browser, DESKTOP, PHONE, scratch};

const DOCUMENTS: &str = "/api/spaces/coworkeridentitycheckdocuments";
/// The camera's frames.
const CAMERA: (u32, u32) = (1280, 720);
/// The card's width in them: it fills 90 % of the card guide (64 % of a 16:9 picture's width).
const CARD_WIDTH: f32 = 742.0;

fn good_card() -> Card {
    Card::on_desk(CAMERA.0, CAMERA.1, CARD_WIDTH, 640.0, 360.0)
}

fn camera(test: &str, card: &Card) -> PathBuf {
    card.write_y4m(&scratch(&format!("capture-{test}")).join("camera.y4m"))
}

/// Opens a proof-of-address check for a driving licence (an ID-1 card) and waits for the camera of
/// its front.
async fn to_the_front(browser: &Browser, server: &ApiServer, name: &str) {
    let url = server.page("&verify=address&uploads=server").await;
    browser.consent(&url, name).await;
    browser
        .choose(ADDRESS_DOCUMENT, "document", name, ("document", "2"))
        .await;
    browser.wait_for_text("h1", FRONT).await;
}

/// The visible text of the element the keyboard is on.
async fn focused(browser: &Browser) -> String {
    browser
        .js("document.activeElement ? document.activeElement.textContent.trim() : ''")
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// What the live region last said.
async fn announced(browser: &Browser) -> String {
    browser
        .js("document.querySelector('.idcheck-live').textContent.trim()")
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Waits until focus is on the element whose text is `label`.
async fn wait_for_focus(browser: &Browser, label: &str) {
    let mut seen = String::new();
    for _ in 0..80 {
        seen = focused(browser).await;
        if seen == label {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    browser
        .fail(&format!("focus is on {seen:?}, expected {label:?}"))
        .await
}

/// Checks a stored image is the card cut out of the frame: the card's shape with a small margin
/// (ID-1 is 1.586; 3 % of its height on each side makes 1.55), about the card's pixels, far from
/// the whole 16:9 frame.
async fn assert_cut_to_the_card(server: &ApiServer, document: i64, route: &str) {
    let bytes = server
        .get_bytes(&format!("{DOCUMENTS}/{document}/files/{route}"))
        .await;
    let (width, height) = jpeg_size(&bytes).expect("a JPEG");
    let aspect = width as f32 / height as f32;
    assert!(
        (1.50..1.62).contains(&aspect),
        "{route} is {width}×{height}, not the card's shape"
    );
    assert!(
        (700..=840).contains(&width),
        "{route} is {width}×{height}: the card is {CARD_WIDTH} px wide in the frame"
    );
    println!("{route}: {width}×{height}, {} bytes", bytes.len());
}

#[tokio::test]
async fn a_good_card_is_captured_by_itself_and_stored_cut_to_the_card() {
    let server = ApiServer::start(&[]).await;
    let browser = Browser::start(DESKTOP, Some(&camera("good", &good_card()))).await;
    let name = "capture-good";
    to_the_front(&browser, &server, name).await;

    // Nobody presses Take photo: the review comes by itself, focused on its first action.
    browser
        .wait_for_text(".idcheck-nav .idcheck-primary", "Use this photo")
        .await;
    browser.screenshot(&format!("{name}-front-auto")).await;
    wait_for_focus(&browser, "Use this photo").await;
    assert_eq!(announced(&browser).await, "Photo taken");
    assert_eq!(
        browser
            .js("document.querySelectorAll('.idcheck-capture-poor').length")
            .await,
        0,
        "a good frame has no advice"
    );
    browser.press("Use this photo").await;

    // The back (optional for an address document) is captured by itself too.
    browser.wait_for_text("h1", BACK).await;
    browser
        .wait_for_text(".idcheck-nav .idcheck-primary", "Use this photo")
        .await;
    browser.press("Use this photo").await;
    let (_, document) = browser.submit(name).await;
    assert_cut_to_the_card(&server, document, "document").await;
    assert_cut_to_the_card(&server, document, "additionaldocument").await;
    browser.close().await;
}

#[tokio::test]
async fn a_good_card_can_still_be_taken_by_hand() {
    let server = ApiServer::start(&[]).await;
    let browser = Browser::start(PHONE, Some(&camera("by-hand", &good_card()))).await;
    let name = "capture-by-hand";
    let url = server.page("&verify=address&uploads=server").await;
    browser.consent(&url, name).await;
    browser.at_step(ADDRESS_DOCUMENT, "document", name).await;
    browser.click("input[name=document][value=\"2\"]").await;
    // A member quicker than the half-second countdown: the page presses Take photo the moment it
    // appears, before any frame could have been held long enough.
    browser
        .js("(() => { window.pressed = false; const press = () => { \
               const button = [...document.querySelectorAll('.idcheck-nav .idcheck-primary')] \
                 .find(b => b.textContent.trim() === 'Take photo'); \
               if (button && !window.pressed) { window.pressed = true; button.click(); } }; \
             new MutationObserver(press).observe(document.body, {childList: true, subtree: true}); \
             return true; })()")
        .await;
    browser.press("Continue").await;
    browser
        .wait_for_text(".idcheck-nav .idcheck-primary", "Use this photo")
        .await;
    assert_eq!(browser.js("window.pressed").await, true);
    wait_for_focus(&browser, "Use this photo").await;
    browser.press("Use this photo").await;
    // The back, left to the countdown.
    browser.wait_for_text("h1", BACK).await;
    browser
        .wait_for_text(".idcheck-nav .idcheck-primary", "Use this photo")
        .await;
    browser.press("Use this photo").await;
    let (_, document) = browser.submit(name).await;
    assert_cut_to_the_card(&server, document, "document").await;
    browser.close().await;
}

/// A scene that must not be captured by itself, and the advice it shows.
struct Poor {
    name: &'static str,
    card: Card,
    advice: &'static str,
}

fn poor_scenes() -> Vec<Poor> {
    vec![
        Poor {
            name: "blurred",
            card: good_card().blurred(4),
            advice: "Blurry: hold steady so the camera can focus",
        },
        Poor {
            name: "dark",
            card: good_card().darkened(0.2),
            advice: "Too dark: find more light",
        },
        Poor {
            name: "aside",
            // Its left edge in the guide, its right one past the picture's edge.
            card: Card::on_desk(
                CAMERA.0,
                CAMERA.1,
                CARD_WIDTH,
                590.0 + CARD_WIDTH / 2.0,
                360.0,
            ),
            advice: "Show the whole document: the right side is cut off",
        },
    ]
}

#[tokio::test]
async fn poor_scenes_show_their_advice_and_wait_for_the_member() {
    let server = ApiServer::start(&[]).await;
    for scene in poor_scenes() {
        let name = format!("capture-{}", scene.name);
        let browser = Browser::start(PHONE, Some(&camera(scene.name, &scene.card))).await;
        to_the_front(&browser, &server, &name).await;

        browser.wait_for_text(".idcheck-advice", scene.advice).await;
        browser.screenshot(&format!("{name}-advice")).await;
        // Spoken too, once it has held for a second.
        let mut said = String::new();
        for _ in 0..40 {
            said = announced(&browser).await;
            if said == scene.advice {
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        assert_eq!(said, scene.advice, "{}: the live region", scene.name);
        assert_eq!(
            browser
                .js("document.querySelectorAll('.idcheck-guide-ready').length")
                .await,
            0,
            "{}: the guide is not ready",
            scene.name
        );
        // Several seconds, many times the half-second hold: still the camera, still waiting.
        tokio::time::sleep(Duration::from_secs(3)).await;
        browser
            .wait_for_text(".idcheck-nav .idcheck-primary", "Take photo")
            .await;
        browser.wait_for_text(".idcheck-advice", scene.advice).await;

        // Take photo works, and the review says what is wrong; the member may keep it anyway.
        browser.press("Take photo").await;
        browser
            .wait_for_text(".idcheck-nav .idcheck-primary", "Use this photo")
            .await;
        wait_for_focus(&browser, "Use this photo").await;
        let note = browser
            .find(".idcheck-capture-poor")
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(
            note,
            format!(
                "This picture may not be good enough. {}. You can use it anyway, or take another.",
                scene.advice
            ),
            "{}",
            scene.name
        );
        browser.screenshot(&format!("{name}-review")).await;

        // Retake: back to the camera, focus on Take photo.
        browser.click(".idcheck-nav .idcheck-secondary").await;
        browser
            .wait_for_text(".idcheck-nav .idcheck-primary", "Take photo")
            .await;
        wait_for_focus(&browser, "Take photo").await;
        browser.press("Take photo").await;
        browser.press("Use this photo").await;
        browser.wait_for_text("h1", BACK).await;
        browser.close().await;
    }
}

#[tokio::test]
async fn after_20_seconds_without_a_good_frame_it_says_why_and_offers_the_upload() {
    let server = ApiServer::start(&[]).await;
    let dark = good_card().darkened(0.2);
    let browser = Browser::start(PHONE, Some(&camera("gave-up", &dark))).await;
    let name = "capture-gave-up";
    to_the_front(&browser, &server, name).await;
    browser
        .wait_for_text(".idcheck-advice", "Too dark: find more light")
        .await;
    let expected = "We can't get a clear picture. Too dark: find more light. You can take the \
                    photo yourself, or upload a file instead.";
    let mut seen = String::new();
    for _ in 0..140 {
        if let Ok(text) = browser
            .client
            .find(fantoccini::Locator::Css(".idcheck-gave-up"))
            .await
        {
            seen = text.text().await.unwrap_or_default();
            if seen == expected {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(seen, expected);
    assert_eq!(announced(&browser).await, expected);
    browser.screenshot(&format!("{name}-front")).await;
    browser.close().await;
}

#[tokio::test]
async fn an_upload_is_judged_like_a_photo_and_may_be_kept_anyway() {
    let server = ApiServer::start(&[]).await;
    let dir = scratch("capture-upload");
    let dark = good_card().darkened(0.2).write_png(&dir.join("dark.png"));
    let good = good_card().write_png(&dir.join("good.png"));
    let browser = Browser::start_refusing_camera(PHONE).await;
    let name = "capture-upload";
    to_the_front(&browser, &server, name).await;

    browser.upload(&dark).await;
    browser
        .wait_for_text(".idcheck-nav .idcheck-primary", "Use this photo")
        .await;
    wait_for_focus(&browser, "Use this photo").await;
    browser
        .wait_for_text(
            ".idcheck-capture-poor",
            "This picture may not be good enough. Too dark: find more light. You can use it \
             anyway, or take another.",
        )
        .await;
    // Not this one: choose another, which is fine, and is cut to the card like a photo.
    browser.click(".idcheck-nav .idcheck-secondary").await;
    browser.upload(&good).await;
    browser
        .wait_for_text(".idcheck-nav .idcheck-primary", "Use this photo")
        .await;
    wait_for_focus(&browser, "Use this photo").await;
    assert_eq!(
        browser
            .js("document.querySelectorAll('.idcheck-capture-poor').length")
            .await,
        0
    );
    browser.press("Use this photo").await;
    browser.at_step(BACK, "back", name).await;
    // The dark one again, kept anyway.
    browser.upload(&dark).await;
    browser
        .wait_for_text(".idcheck-nav .idcheck-primary", "Use this photo")
        .await;
    browser.press("Use this photo").await;
    let (_, document) = browser.submit(name).await;
    assert_cut_to_the_card(&server, document, "document").await;
    browser.close().await;
}
