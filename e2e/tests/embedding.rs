//! The component embedded in a host page (the example member portal under a strict
//! Content-Security-Policy), in an iframe, and as a kiosk.

use idcheck_e2e::member::*;
use idcheck_e2e::pictures::Card;
use idcheck_e2e::{ApiServer, Browser, DESKTOP, PHONE, scratch};
use serde_json::Value;

fn camera(test: &str) -> std::path::PathBuf {
    Card::new(1280, 720).write_y4m(&scratch(test).join("card.y4m"))
}

/// Opens the portal with `query` and waits until both widgets are on the page.
async fn open_portal(browser: &Browser, server: &ApiServer, page: &str, query: &str) {
    browser
        .client
        .goto(&format!("{}/portal/{page}{query}", server.url))
        .await
        .expect("the portal opens");
}

async fn wait_until_ready(browser: &Browser) {
    for _ in 0..120 {
        if browser.js("document.body.dataset.ready === 'true'").await == Value::Bool(true) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    browser.fail("the portal did not finish loading").await;
}

fn names(events: &Value) -> Vec<String> {
    events
        .as_array()
        .expect("a list of events")
        .iter()
        .map(|event| {
            let name = event["name"].as_str().unwrap_or_default();
            match event["detail"]["step"].as_str() {
                Some(step) if name == "idcheck:step" => format!("{name}:{step}"),
                _ => name.to_string(),
            }
        })
        .collect()
}

#[tokio::test]
async fn two_instances_on_one_page_keep_to_themselves_and_report_through_events() {
    let server = ApiServer::start(&[]).await;
    let browser = Browser::start(DESKTOP, Some(&camera("two-instances"))).await;
    open_portal(&browser, &server, "", "?verify=identity&image-max=800").await;
    wait_until_ready(&browser).await;
    browser.within("#widget-a");
    let name = "portal";
    browser.agree(name).await;
    browser
        .passport(
            &Details {
                number: "P7654321",
                issued_by: "Harbour Office",
                expires: "2033-01-31",
            },
            name,
        )
        .await;
    let (check, document) = browser.submit(name).await;
    browser.within("");
    browser.screenshot("portal-desktop-completed").await;

    let events = browser.js("window.portal.events.a").await;
    let sequence = names(&events);
    let expected_steps = [
        "idcheck:step:welcome",
        "idcheck:step:document",
        "idcheck:step:details",
        "idcheck:step:photo",
        "idcheck:step:front",
        "idcheck:step:review",
    ];
    let position = |wanted: &str| {
        sequence
            .iter()
            .position(|name| name == wanted)
            .unwrap_or_else(|| panic!("no {wanted} in {sequence:?}"))
    };
    for pair in expected_steps.windows(2) {
        assert!(position(pair[0]) < position(pair[1]), "{sequence:?}");
    }
    assert!(position("idcheck:step:review") < position("idcheck:check-created"));
    assert!(position("idcheck:check-created") < position("idcheck:document-created"));
    assert!(position("idcheck:document-created") < position("idcheck:completed"));
    assert!(
        !sequence.iter().any(|name| name == "idcheck:error"),
        "{sequence:?}"
    );
    let find = |name: &str| {
        events
            .as_array()
            .unwrap()
            .iter()
            .find(|event| event["name"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(find("idcheck:check-created")["detail"]["checkId"], check);
    assert_eq!(
        find("idcheck:document-created")["detail"]["documentId"],
        document
    );
    let completed = find("idcheck:completed")["detail"].clone();
    assert_eq!(completed["checkId"], check);
    assert_eq!(completed["documentId"], document);
    assert_eq!(completed["purpose"], "identity");
    // No image and no token ever travels in an event.
    for event in events.as_array().unwrap() {
        let text = event["detail"].to_string();
        assert!(text.len() < 200, "{text}");
        assert!(
            !text.contains("data:") && !text.to_lowercase().contains("token"),
            "{text}"
        );
    }

    // The element beside it saw nothing but its own first step.
    assert_eq!(
        names(&browser.js("window.portal.events.b").await),
        ["idcheck:step:welcome"]
    );
    browser.within("#widget-b");
    browser.wait_for_text("h1", WELCOME_ADDRESS).await;
    let agreed = browser
        .find("input[name=consent]")
        .await
        .prop("checked")
        .await
        .unwrap();
    assert_eq!(agreed.as_deref(), Some("false"));
    // The member leaves the element's check: the host hears it, and the element starts afresh.
    browser.click("input[name=consent]").await;
    browser.click(".idcheck-cancel").await;
    browser.within("");
    let cancelled = browser.js("window.portal.events.b").await;
    let last = cancelled
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["name"] == "idcheck:cancelled")
        .cloned();
    assert_eq!(
        last.expect("a cancelled event")["detail"]["step"],
        "welcome"
    );
    browser.within("#widget-b");
    browser.wait_for_text("h1", WELCOME_ADDRESS).await;
    let agreed = browser
        .find("input[name=consent]")
        .await
        .prop("checked")
        .await
        .unwrap();
    assert_eq!(
        agreed.as_deref(),
        Some("false"),
        "nothing kept after cancelling"
    );
    browser.within("");
    assert_eq!(
        browser.js("window.portal.violations.length").await,
        0,
        "no CSP violation"
    );
    browser.close().await;
}

#[tokio::test]
async fn unmount_stops_the_camera_and_leaves_no_listener_or_timer() {
    let server = ApiServer::start(&[]).await;
    let browser = Browser::start(PHONE, Some(&camera("unmount"))).await;
    open_portal(&browser, &server, "", "?verify=address").await;
    wait_until_ready(&browser).await;
    browser.within("#widget-a");
    browser.agree("unmount").await;
    browser.click("input[name=document][value=\"4\"]").await;
    browser.press("Continue").await;
    browser
        .wait_for_text(".idcheck-nav .idcheck-primary", "Take photo")
        .await;
    browser.within("");
    assert_eq!(
        browser.js("window.portal.liveTracks()").await,
        1,
        "the camera is on"
    );

    browser.click("#unmount-a").await;
    assert_eq!(
        browser.js("window.portal.liveTracks()").await,
        0,
        "the camera is off"
    );
    assert_eq!(
        browser
            .js("document.getElementById('widget-a').children.length")
            .await,
        0
    );
    assert_eq!(browser.js("window.portal.intervals()").await, 0);
    let after_first = browser.js("window.portal.listeners()").await;

    // Another mount and unmount leaves exactly as many listeners behind: nothing accumulates.
    browser.click("#mount-a").await;
    browser.within("#widget-a");
    browser.wait_for_text("h1", WELCOME_ADDRESS).await;
    browser.within("");
    browser.click("#unmount-a").await;
    assert_eq!(browser.js("window.portal.listeners()").await, after_first);
    assert_eq!(browser.js("window.portal.intervals()").await, 0);
    browser.close().await;
}

#[tokio::test]
async fn the_flow_completes_inside_an_iframe_under_a_strict_csp() {
    let server = ApiServer::start(&[]).await;
    let browser = Browser::start(DESKTOP, Some(&camera("iframe"))).await;
    open_portal(
        &browser,
        &server,
        "frame.html",
        "?verify=address&image-max=800",
    )
    .await;
    let frame = browser.find("#portal-frame").await;
    frame.enter_frame().await.expect("into the portal's frame");
    wait_until_ready(&browser).await;
    browser.within("#widget-a");
    let (check, _) = browser.address_check("iframe").await;
    browser.within("");
    assert_eq!(
        browser.js("window.portal.violations.length").await,
        0,
        "no CSP violation"
    );
    let stored = server
        .get_json(&format!("/api/spaces/coworkeridentitychecks/{check}"))
        .await;
    assert_eq!(stored["VerificationStatus"], 2);
    browser.close().await;
}

#[tokio::test]
async fn the_token_provider_is_asked_again_after_a_401() {
    let server = ApiServer::start(&[]).await;
    let browser = Browser::start(PHONE, Some(&camera("token"))).await;
    open_portal(&browser, &server, "", "?verify=address&expire-first").await;
    wait_until_ready(&browser).await;
    browser.within("#widget-a");
    let (check, _) = browser.address_check("token").await;
    browser.within("");
    // Once for the expired token at start, once more after the API answered 401.
    assert!(
        browser
            .js("window.portal.tokenCalls")
            .await
            .as_u64()
            .unwrap()
            >= 2
    );
    let sequence = names(&browser.js("window.portal.events.a").await);
    assert!(
        !sequence.iter().any(|name| name == "idcheck:error"),
        "{sequence:?}"
    );
    let stored = server
        .get_json(&format!("/api/spaces/coworkeridentitychecks/{check}"))
        .await;
    assert_eq!(stored["CoworkerId"], 1);
    browser.close().await;
}

#[tokio::test]
async fn a_kiosk_forgets_each_member_and_serves_the_next() {
    let server = ApiServer::start(&[]).await;
    let browser = Browser::start(DESKTOP, Some(&camera("kiosk"))).await;
    open_portal(
        &browser,
        &server,
        "",
        "?verify=identity&mode=kiosk&thanks-seconds=3&idle-seconds=10&countdown-seconds=3",
    )
    .await;
    wait_until_ready(&browser).await;
    browser.within("#widget-a");
    let name = "kiosk";
    browser.agree(name).await;
    browser
        .passport(
            &Details {
                number: "K1234567",
                issued_by: "Front desk test",
                expires: "2030-10-10",
            },
            name,
        )
        .await;
    let (first_check, _) = browser.submit(name).await;
    browser
        .wait_for_text(
            ".idcheck-kiosk-thanks p",
            "Thank you! This screen clears in 3 seconds for the next person.",
        )
        .await;
    browser.screenshot("kiosk-thanks").await;

    // The thank-you runs out and the kiosk starts afresh.
    browser.wait_for_text("h1", WELCOME).await;
    browser.within("");
    let html = browser
        .js("document.getElementById('widget-a').innerHTML")
        .await;
    let html = html.as_str().unwrap();
    let records = format!("Check {first_check}, document");
    for trace in ["K1234567", "Front desk test", "<canvas", records.as_str()] {
        assert!(!html.contains(trace), "{trace} is still in the page");
    }
    assert_eq!(browser.js("window.portal.liveTracks()").await, 0);
    let storage = browser
        .js("[...Object.keys(localStorage), ...Object.keys(sessionStorage)]")
        .await;
    let kept: Vec<&str> = storage
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        kept.iter()
            .all(|key| key.starts_with("idcheck.kiosk.camera.")),
        "{kept:?}"
    );
    let caches = browser
        .client
        .execute_async(
            "const done = arguments[0]; caches.keys().then(done, () => done([]));",
            Vec::new(),
        )
        .await
        .expect("the cache list");
    assert_eq!(caches, Value::Array(Vec::new()));

    // An idle member is asked, then the kiosk starts afresh.
    browser.within("#widget-a");
    browser.agree("kiosk-idle").await;
    browser
        .wait_for_text(".idcheck-kiosk-notice h2", "Are you still there?")
        .await;
    browser.screenshot("kiosk-still-there").await;
    browser.wait_for_text("h1", WELCOME).await;

    // The next member completes a check of their own on the same page.
    browser.agree("kiosk-second").await;
    browser
        .passport(
            &Details {
                number: "K7654321",
                issued_by: "Second member",
                expires: "2031-11-11",
            },
            "kiosk-second",
        )
        .await;
    let (second_check, _) = browser.submit("kiosk-second").await;
    assert_ne!(second_check, first_check);
    let stored = server
        .get_json(&format!(
            "/api/spaces/coworkeridentitychecks/{second_check}"
        ))
        .await;
    assert_eq!(stored["IdentityDocumentNumber"], "K7654321");
    browser.close().await;
}
