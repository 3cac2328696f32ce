//! In-browser tests of the component: mount it into a detached element and drive it like a member.

use idcheck::App;
use idcheck::config;
use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn fresh_host() -> web_sys::HtmlElement {
    let document = document();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    host.unchecked_into()
}

fn query(host: &web_sys::HtmlElement, selector: &str) -> web_sys::HtmlElement {
    host.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
        .unchecked_into()
}

async fn settle() {
    leptos::task::tick().await;
}

/// Mounts the component with a configuration given as the host would, in `(name, value)` pairs.
fn mount(
    host: &web_sys::HtmlElement,
    settings: &'static [(&'static str, &'static str)],
) -> impl Sized {
    let config = config::parse(settings.iter().copied(), false);
    mount_to(host.clone(), move || view! { <App config=config.clone()/> })
}

/// Agrees on the welcome step, then picks the first document type offered (for a host that
/// presets the purpose).
async fn agree_and_take_the_first_document(host: &web_sys::HtmlElement) {
    query(host, "input[name=consent]").click();
    query(host, "button.idcheck-primary").click();
    settle().await;
    query(host, "input[name=document]").click();
    settle().await;
    query(host, "button.idcheck-primary").click();
    settle().await;
}

const DEMO: &[(&str, &str)] = &[
    ("token", "t"),
    ("business", "1"),
    ("coworker", "1"),
    ("api", "/nowhere"),
];

#[wasm_bindgen_test]
async fn welcome_explains_and_asks_for_consent() {
    let host = fresh_host();
    let _mounted = mount(&host, DEMO);
    settle().await;

    let title = query(&host, "h1");
    assert_eq!(title.text_content().unwrap(), "Verify your identity");
    assert!(
        document()
            .active_element()
            .unwrap()
            .is_same_node(Some(&title))
    );
    let consent = query(&host, "input[name=consent]");
    assert_eq!(consent.get_attribute("type").as_deref(), Some("checkbox"));
    assert_eq!(query(&host, "[role=alert]").text_content().unwrap(), "");

    // Continuing without consent says why it cannot go on.
    query(&host, "button.idcheck-primary").click();
    settle().await;
    assert_eq!(
        query(&host, "[role=alert]").text_content().unwrap(),
        "Tick the box above to agree before you continue."
    );

    // Agreeing clears the message, and Continue moves on to the next step.
    consent.click();
    settle().await;
    assert_eq!(query(&host, "[role=alert]").text_content().unwrap(), "");
    query(&host, "button.idcheck-primary").click();
    settle().await;
    assert_eq!(
        query(&host, "h1").text_content().unwrap(),
        "What do you need to verify?"
    );
}

#[wasm_bindgen_test]
async fn a_bad_configuration_names_each_setting() {
    let host = fresh_host();
    let _mounted = mount(&host, &[("business", "x"), ("verify", "face")]);
    settle().await;
    assert_eq!(
        query(&host, "h1").text_content().unwrap(),
        "This page is not set up correctly"
    );
    let listed = query(&host, ".idcheck-config-problems")
        .text_content()
        .unwrap();
    for setting in ["token", "business", "coworker", "verify"] {
        assert!(
            listed.contains(setting),
            "{setting} is not named in {listed}"
        );
    }
}

#[wasm_bindgen_test]
async fn details_are_checked_when_a_field_is_left() {
    let host = fresh_host();
    let _mounted = mount(
        &host,
        &[
            ("token", "t"),
            ("business", "1"),
            ("coworker", "1"),
            ("verify", "identity"),
            ("identity-types", "Passport"),
        ],
    );
    settle().await;
    agree_and_take_the_first_document(&host).await;
    assert_eq!(
        query(&host, "h1").text_content().unwrap(),
        "Your document's details"
    );

    // Nothing is said about a field before the member leaves it.
    let number: web_sys::HtmlInputElement = query(&host, "#idcheck-number").unchecked_into();
    assert_eq!(
        query(&host, "#idcheck-number-error")
            .text_content()
            .unwrap(),
        ""
    );
    number.focus().unwrap();
    number.blur().unwrap();
    settle().await;
    assert_eq!(
        query(&host, "#idcheck-number-error")
            .text_content()
            .unwrap(),
        "Enter the document number."
    );
    assert_eq!(
        number.get_attribute("aria-invalid").as_deref(),
        Some("true")
    );

    // A past expiry date is caught with the shared rule.
    let expires: web_sys::HtmlInputElement = query(&host, "#idcheck-expires").unchecked_into();
    expires.focus().unwrap();
    expires.set_value("2001-01-01");
    expires
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    expires.blur().unwrap();
    settle().await;
    assert_eq!(
        query(&host, "#idcheck-expires-error")
            .text_content()
            .unwrap(),
        "This document has expired. Use a document that is still valid."
    );

    // Continue with errors stays on the step and shows every field's problem.
    query(&host, "button.idcheck-primary").click();
    settle().await;
    assert_eq!(
        query(&host, "h1").text_content().unwrap(),
        "Your document's details"
    );
    assert_eq!(
        query(&host, "#idcheck-issued-by-error")
            .text_content()
            .unwrap(),
        "Enter who issued the document."
    );
}

#[wasm_bindgen_test]
async fn switching_language_translates_the_step() {
    let host = fresh_host();
    let _mounted = mount(&host, DEMO);
    settle().await;

    let select: web_sys::HtmlSelectElement = query(&host, "select").unchecked_into();
    select.set_value("es");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    settle().await;

    assert_eq!(
        query(&host, "h1").text_content().unwrap(),
        "Verifica tu identidad"
    );
    assert_eq!(
        query(&host, ".idcheck").get_attribute("lang").as_deref(),
        Some("es")
    );
}

/// Waits (up to 20 s) until `ready` holds, re-checking after each tick of the page.
async fn eventually(what: &str, ready: impl Fn() -> bool) {
    for _ in 0..200 {
        if ready() {
            return;
        }
        idcheck::browser::sleep_ms(100).await;
    }
    panic!("{what} did not happen");
}

fn live_tracks(video: &web_sys::HtmlVideoElement) -> Vec<web_sys::MediaStreamTrack> {
    video
        .src_object()
        .map(|stream| {
            stream
                .get_tracks()
                .iter()
                .map(|track| track.unchecked_into::<web_sys::MediaStreamTrack>())
                .collect()
        })
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn leaving_a_capture_screen_stops_the_camera() {
    let host = fresh_host();
    let _mounted = mount(
        &host,
        &[
            ("token", "t"),
            ("business", "1"),
            ("coworker", "1"),
            ("verify", "address"),
        ],
    );
    settle().await;
    agree_and_take_the_first_document(&host).await;
    assert_eq!(
        query(&host, "h1").text_content().unwrap(),
        "Photograph the front of your document"
    );

    let video: web_sys::HtmlVideoElement = query(&host, "video").unchecked_into();
    eventually("the camera preview", || {
        host.query_selector(".idcheck-nav .idcheck-primary")
            .unwrap()
            .and_then(|button| button.text_content())
            .as_deref()
            == Some("Take photo")
    })
    .await;
    let tracks = live_tracks(&video);
    assert!(
        tracks
            .iter()
            .all(|track| track.ready_state() == web_sys::MediaStreamTrackState::Live)
    );

    // Back to the document type: the capture screen is gone, and so is every camera track.
    query(&host, ".idcheck-nav button.idcheck-secondary:last-child").click();
    settle().await;
    assert_eq!(
        query(&host, "h1").text_content().unwrap(),
        "Which document shows your address?"
    );
    for track in tracks {
        assert_eq!(track.ready_state(), web_sys::MediaStreamTrackState::Ended);
    }
}

#[wasm_bindgen_test]
async fn masstack_says_which_check_letter_a_nie_needs() {
    let host = fresh_host();
    let _mounted = mount(
        &host,
        &[
            ("token", "t"),
            ("provider", "masstack"),
            ("masstack-org", "masmovil"),
        ],
    );
    settle().await;
    assert_eq!(
        query(&host, "h1").text_content().unwrap(),
        "Verify your identity document"
    );
    assert!(
        query(&host, ".idcheck-note")
            .text_content()
            .unwrap()
            .contains("No photos are taken")
    );
    query(&host, "input[name=consent]").click();
    query(&host, "button.idcheck-primary").click();
    settle().await;
    assert_eq!(
        query(&host, "h1").text_content().unwrap(),
        "Your identity document"
    );

    query(&host, "input[name=document_type][value=NIE]").click();
    let number: web_sys::HtmlInputElement =
        query(&host, "input[name=\"identity_document.document_number\"]").unchecked_into();
    number.focus().unwrap();
    number.set_value("y-7654321 a");
    number
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    number.blur().unwrap();
    settle().await;
    let error_id = format!("{}-error", number.id());
    assert_eq!(
        query(&host, &format!("#{error_id}"))
            .text_content()
            .unwrap(),
        "The letter does not match the number: it should be G."
    );
}
