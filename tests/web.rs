//! In-browser tests of the component: mount it into a detached element and drive it like a member.

use idcheck::App;
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

#[wasm_bindgen_test]
async fn welcome_explains_and_asks_for_consent() {
    let host = fresh_host();
    let _mounted = mount_to(host.clone(), App);
    settle().await;

    let title = query(&host, "h1");
    assert_eq!(title.text_content().unwrap(), "Verify your identity");
    assert_eq!(document().active_element().unwrap().id(), "idcheck-welcome-title");
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

    // Agreeing clears the message.
    consent.click();
    settle().await;
    assert_eq!(query(&host, "[role=alert]").text_content().unwrap(), "");
}

#[wasm_bindgen_test]
async fn switching_language_translates_the_step() {
    let host = fresh_host();
    let _mounted = mount_to(host.clone(), App);
    settle().await;

    let select: web_sys::HtmlSelectElement = query(&host, "select").unchecked_into();
    select.set_value("es");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    settle().await;

    assert_eq!(query(&host, "h1").text_content().unwrap(), "Verifica tu identidad");
    assert_eq!(query(&host, ".idcheck").get_attribute("lang").as_deref(), Some("es"));
}
