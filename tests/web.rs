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
/// Each mount is its own instance (as a second widget on a page would be), so the tests, which
/// share one page and its `sessionStorage`, never resume each other's visits.
fn mount(
    host: &web_sys::HtmlElement,
    settings: &'static [(&'static str, &'static str)],
) -> impl Sized {
    thread_local!(static MOUNTS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) });
    let n = MOUNTS.with(|mounts| {
        mounts.set(mounts.get() + 1);
        mounts.get()
    });
    let config = config::parse(settings.iter().copied(), false);
    let instance = idcheck::host::Host {
        id_prefix: format!("mount{n}"),
        ..idcheck::host::Host::default()
    };
    mount_to(host.clone(), move || {
        view! { <App config=config.clone() host=instance.clone()/> }
    })
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

/// A member asked for a proof of address, against an API that is never reached.
const ADDRESS_MEMBER: &[(&str, &str)] = &[
    ("token", "t"),
    ("business", "1"),
    ("coworker", "1"),
    ("verify", "address"),
    ("api", "/nowhere"),
];

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
    let number: web_sys::HtmlInputElement = query(&host, "[id$='-number']").unchecked_into();
    assert_eq!(
        query(&host, "[id$='-number-error']")
            .text_content()
            .unwrap(),
        ""
    );
    number.focus().unwrap();
    number.blur().unwrap();
    settle().await;
    assert_eq!(
        query(&host, "[id$='-number-error']")
            .text_content()
            .unwrap(),
        "Enter the document number."
    );
    assert_eq!(
        number.get_attribute("aria-invalid").as_deref(),
        Some("true")
    );

    // A past expiry date is caught with the shared rule.
    let expires: web_sys::HtmlInputElement = query(&host, "[id$='-expires']").unchecked_into();
    expires.focus().unwrap();
    expires.set_value("2001-01-01");
    expires
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    expires.blur().unwrap();
    settle().await;
    assert_eq!(
        query(&host, "[id$='-expires-error']")
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
        query(&host, "[id$='-issued-by-error']")
            .text_content()
            .unwrap(),
        "Enter who issued the document."
    );
}

/// A refused Continue on the details says each problem once: focus goes to the first field in
/// error, whose message is its description, and nothing else speaks it (no live region per field,
/// no page announcement).
#[wasm_bindgen_test]
async fn a_refused_continue_focuses_the_first_field_in_error_and_says_it_once() {
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

    // The number is fine; the issuer and the expiry are missing.
    let number = query(&host, "[id$='-number']");
    type_into(&number, "X1234567");
    query(&host, "button.idcheck-primary").click();
    settle().await;
    settle().await;

    let issued_by = query(&host, "[id$='-issued-by']");
    let focused = document().active_element().expect("something has focus");
    assert_eq!(
        focused.id(),
        issued_by.id(),
        "focus is on the first field in error"
    );
    let described_by = issued_by.get_attribute("aria-describedby").unwrap();
    let error = query(&host, "[id$='-issued-by-error']");
    assert!(described_by.split(' ').any(|id| id == error.id()));
    assert_eq!(
        error.text_content().unwrap(),
        "Enter who issued the document."
    );

    let regions = host
        .query_selector_all("[aria-live], [role=alert], [role=status]")
        .unwrap();
    let live: Vec<String> = (0..regions.length())
        .filter_map(|i| regions.item(i))
        .filter_map(|node| node.text_content())
        .collect();
    assert!(
        live.iter().all(|text| !text.contains("Enter who issued")),
        "the message is spoken by a live region too: {live:?}"
    );

    // Another refused Continue after fixing the issuer moves focus on to the expiry.
    type_into(&issued_by, "Ministry of Things");
    query(&host, "button.idcheck-primary").click();
    settle().await;
    settle().await;
    let expires = query(&host, "[id$='-expires']");
    assert_eq!(document().active_element().unwrap().id(), expires.id());
}

/// Each "Change" on the review is named for what it changes, so a list of the page's buttons
/// tells them apart.
#[wasm_bindgen_test]
async fn the_review_names_what_each_change_button_changes() {
    let host = fresh_host();
    let _mounted = mount_to(host.clone(), move || {
        provide_context(address_at_review("review-names"));
        view! { <idcheck::ui::steps::review::Review/> }
    });
    settle().await;
    let buttons = host.query_selector_all("button.idcheck-link").unwrap();
    let names: Vec<String> = (0..buttons.length())
        .filter_map(|i| buttons.item(i))
        .filter_map(|node| node.dyn_into::<web_sys::Element>().ok())
        .map(|button| button.get_attribute("aria-label").unwrap_or_default())
        .collect();
    assert_eq!(
        names,
        ["Change the document type", "Change the photo of the front"],
        "a proof of address with its front: the type and the front can be changed"
    );
    for (i, name) in names.iter().enumerate() {
        let button = buttons.item(i as u32).unwrap();
        assert!(
            name.contains(&button.text_content().unwrap()),
            "the visible word is part of the name (WCAG 2.5.3)"
        );
    }
}

/// Serves the component's translation files to the page's `fetch`, as the server that hosts the
/// component would (the test runner serves only the tests): Spanish, from the file the build
/// checked; any other language is missing (404). Counts the fetches per language.
fn serve_locales() {
    let files = serde_json::json!({
        "es": include_str!("../locales/es.json"),
    });
    js_sys::eval(&format!(
        r#"(() => {{
  window.localeFiles = {files};
  window.localeFetches = window.localeFetches || {{}};
  if (window.localesServed) return;
  window.localesServed = true;
  const original = window.fetch.bind(window);
  window.fetch = async (input, init) => {{
    const url = new URL(input instanceof Request ? input.url : input, location.href);
    const found = url.pathname.match(/\/locales\/([A-Za-z-]+)\.json$/);
    if (!found) return original(input, init);
    const tag = found[1];
    window.localeFetches[tag] = (window.localeFetches[tag] || 0) + 1;
    if (!url.searchParams.get("v")) return new Response("unversioned", {{ status: 400 }});
    const body = window.localeFiles[tag];
    return body ? new Response(body, {{ headers: {{ "Content-Type": "application/json" }} }})
                : new Response("not found", {{ status: 404 }});
  }};
}})()"#
    ))
    .unwrap();
}

fn choose_language(host: &web_sys::HtmlElement, tag: &str) {
    let select: web_sys::HtmlSelectElement = query(host, "select").unchecked_into();
    select.set_value(tag);
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
async fn switching_language_translates_the_step() {
    serve_locales();
    let host = fresh_host();
    let _mounted = mount(&host, DEMO);
    settle().await;
    let options: Vec<String> = (0..15)
        .map(|i| {
            query(&host, &format!("select option:nth-child({})", i + 1))
                .text_content()
                .unwrap()
        })
        .collect();
    assert_eq!(options[0], "English");
    assert!(options.contains(&"العربية".to_string()) && options.contains(&"日本語".to_string()));

    // A language whose file cannot be had: English stays, and the member is told.
    choose_language(&host, "ko");
    eventually("the failure notice", || {
        host.query_selector(".idcheck-lang-failed")
            .unwrap()
            .is_some()
    })
    .await;
    assert_eq!(
        query(&host, "h1").text_content().unwrap(),
        "Verify your identity"
    );
    assert_eq!(
        query(&host, ".idcheck-lang-failed").text_content().unwrap(),
        "This language could not be loaded, so the texts stay in English."
    );
    let select: web_sys::HtmlSelectElement = query(&host, "select").unchecked_into();
    assert_eq!(select.value(), "en", "the switch shows what is shown");

    choose_language(&host, "es");
    eventually("Spanish", || {
        query(&host, "h1").text_content().unwrap() == "Verifica tu identidad"
    })
    .await;
    assert_eq!(
        query(&host, ".idcheck").get_attribute("lang").as_deref(),
        Some("es")
    );
    assert_eq!(
        query(&host, ".idcheck").get_attribute("dir").as_deref(),
        Some("ltr")
    );
    // Fetched once per page, whatever the number of switches and instances.
    choose_language(&host, "en");
    choose_language(&host, "es");
    settle().await;
    assert_eq!(
        js_sys::eval("window.localeFetches.es").unwrap().as_f64(),
        Some(1.0)
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
async fn a_picked_file_over_the_limit_is_refused_before_it_is_read() {
    let host = fresh_host();
    let _mounted = mount(&host, ADDRESS_MEMBER);
    settle().await;
    agree_and_take_the_first_document(&host).await;
    // An 11 MB file, and a count of every read of a file's bytes on the page.
    js_sys::eval(
        r#"(() => {
  window.fileReads = 0;
  for (const method of ["arrayBuffer", "text", "stream", "bytes"]) {
    const original = Blob.prototype[method];
    if (!original || original.counted) continue;
    Blob.prototype[method] = function (...args) { window.fileReads += 1; return original.apply(this, args); };
    Blob.prototype[method].counted = true;
  }
  const file = new File([new Uint8Array(11 * 1024 * 1024)], "scan.jpg", { type: "image/jpeg" });
  const picked = new DataTransfer();
  picked.items.add(file);
  const input = document.querySelector("input[type=file]");
  input.files = picked.files;
  input.dispatchEvent(new Event("change", { bubbles: true }));
})()"#,
    )
    .unwrap();
    eventually("the refusal", || {
        query(&host, ".idcheck-capture p.idcheck-error, p.idcheck-error")
            .text_content()
            .unwrap_or_default()
            .contains("over 10 MB")
    })
    .await;
    assert_eq!(
        js_sys::eval("window.fileReads").unwrap().as_f64(),
        Some(0.0),
        "not a byte of it was read"
    );
}

#[wasm_bindgen_test]
async fn leaving_a_capture_screen_stops_the_camera() {
    let host = fresh_host();
    let _mounted = mount(&host, ADDRESS_MEMBER);
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

// --- invitations -------------------------------------------------------------------------------

/// Plays the gateway under `/stub-gateway/{name}/` (redeeming invitations, updating checks,
/// creating documents) and records every call in `window.stubCalls[name]`; other requests go to
/// the real fetch. The tests of a page run concurrently, so each uses its own `name`.
/// Codes: `K7M3QX9A` redeems (coworker 2, business 1, address, requested check 7), `LOCKEDUP`
/// answers 429 with `Retry-After: 840`, anything else is refused. The first
/// `window.stubFailPuts[name]` PUTs are answered 502. Redeeming takes 150 ms, so "Checking your
/// invitation…" can be seen. `window.stubScript[name]["METHOD /path"]`, a list of
/// `[status, body]`, answers that route's next calls first, in order (status `"hang"`: no answer
/// until the request is aborted).
fn stub_gateway(name: &str) {
    js_sys::eval(&format!(
        r#"(() => {{
  window.stubCalls = window.stubCalls || {{}};
  window.stubFailPuts = window.stubFailPuts || {{}};
  window.stubCalls["{name}"] = [];
  window.stubFailPuts["{name}"] = 0;
  window.stubScript = window.stubScript || {{}};
  window.stubScript["{name}"] = {{}};
}})()"#
    ))
    .unwrap();
    js_sys::eval(
        r#"(() => {
  if (window.stubInstalled) return;
  window.stubInstalled = true;
  const original = window.fetch.bind(window);
  const json = (status, value, headers = {}) => new Response(JSON.stringify(value), {
    status, headers: { "Content-Type": "application/json", ...headers },
  });
  window.fetch = async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const stubbed = url.pathname.match(/^\/stub-gateway\/([^/]+)(\/.*)$/);
    if (!stubbed) return original(input, init);
    const [, name, path] = stubbed;
    const text = request.method === "GET" ? "" : await request.text();
    window.stubCalls[name].push({
      method: request.method, path, auth: request.headers.get("Authorization"),
      key: request.headers.get("Idempotency-Key"), query: url.search,
      body: text && text.startsWith("{") ? JSON.parse(text) : null,
    });
    const scripted = window.stubScript[name][`${request.method} ${path}`];
    if (scripted && scripted.length) {
      const [status, value] = scripted.shift();
      if (status === "hang") {
        // Never answers: only the request's own deadline ends it.
        return new Promise((_, reject) => request.signal.addEventListener("abort",
          () => reject(new DOMException("The request was aborted", "AbortError"))));
      }
      return json(status, value);
    }
    if (path === "/invitations/redeem") {
      await new Promise((resolve) => setTimeout(resolve, 150));
      const code = JSON.parse(text).Code;
      if (code === "K7M3QX9A") return json(200, {
        access_token: "member-token", token_type: "bearer", expires_in: 900,
        CoworkerId: 2, BusinessId: 1, Verify: "address",
        Checks: [{ Id: 7, VerificationType: 2 }],
      });
      if (code === "LOCKEDUP") return json(429,
        { Message: "Too many wrong codes: try again in 14 minutes.", WasSuccessful: false },
        { "Retry-After": "840" });
      return json(400, {
        Message: "Code: is not a valid invitation code, or it was used or has expired",
        WasSuccessful: false,
        Errors: [{ PropertyName: "Code", Message: "is not a valid invitation code, or it was used or has expired", AttemptedValue: null }],
      });
    }
    if (path.startsWith("/handoffs")) {
      // One hand-off per stub: `window.stubHandoff[name]` says its state; its link and code
      // redeem once, for `stubHandoffProgress[name]`.
      window.stubHandoff = window.stubHandoff || {};
      const handoff = window.stubHandoff[name] = window.stubHandoff[name] || { State: "Waiting", made: 0 };
      const link = "0123456789abcdef".repeat(4);
      const status = () => json(200, { Id: "h" + handoff.made, State: handoff.State,
        CheckId: handoff.CheckId || null, DocumentId: handoff.DocumentId || null });
      if (path === "/handoffs" && request.method === "POST") {
        handoff.made += 1;
        Object.assign(handoff, { State: "Waiting", used: false });
        return json(200, { Id: "h" + handoff.made, Url: "https://gw.example/#handoff=" + link,
          Code: "K7M3QX9A", ExpiresAt: "2030-01-01T00:15:00Z", ExpiresInSeconds: 900 });
      }
      if (path === "/handoffs/redeem") {
        const code = JSON.parse(text).Code;
        if ((code === link || code === "K7M3QX9A" || code === "HAND7FFC") && !handoff.used) {
          handoff.used = true;
          handoff.State = "Opened";
          return json(200, { access_token: "phone-token", token_type: "bearer", expires_in: 3600,
            CoworkerId: 1, BusinessId: 1, Progress: (window.stubHandoffProgress || {})[name] || null });
        }
        return json(400, {
          Message: "Code: is not a valid hand-off code, or it was used, cancelled or has expired",
          WasSuccessful: false,
          Errors: [{ PropertyName: "Code", Message: "is not a valid hand-off code, or it was used, cancelled or has expired", AttemptedValue: null }],
        });
      }
      if (path === "/handoffs/h" + handoff.made && request.method === "GET") return status();
      if (path === "/handoffs/h" + handoff.made && request.method === "DELETE") {
        if (handoff.State !== "Submitted") handoff.State = "Cancelled";
        return status();
      }
    }
    if (path === "/spaces/coworkeridentitychecks" && request.method === "PUT") {
      if (window.stubFailPuts[name] > 0) {
        window.stubFailPuts[name] -= 1;
        return json(502, { Message: "The service behind this gateway did not answer" });
      }
      return json(200, { Value: { Id: JSON.parse(text).Id }, WasSuccessful: true, Message: null, Errors: null });
    }
    if (path === "/spaces/coworkeridentitycheckdocuments" && request.method === "POST") {
      return json(200, { Value: { Id: 70 }, WasSuccessful: true, Message: null, Errors: null });
    }
    return json(404, { Message: "Not found", WasSuccessful: false });
  };
})()"#,
    )
    .unwrap();
}

/// One call the stub gateway received.
#[derive(Debug, serde::Deserialize)]
struct StubCall {
    method: String,
    path: String,
    auth: Option<String>,
    key: Option<String>,
    query: String,
    body: serde_json::Value,
}

fn stub_calls(name: &str) -> Vec<StubCall> {
    let calls = js_sys::eval(&format!("JSON.stringify(window.stubCalls[\"{name}\"])")).unwrap();
    serde_json::from_str(&calls.as_string().unwrap()).unwrap()
}

fn redeem_calls(name: &str) -> usize {
    stub_calls(name)
        .iter()
        .filter(|call| call.path == "/invitations/redeem")
        .count()
}

fn type_into(input: &web_sys::HtmlElement, text: &str) {
    let input: &web_sys::HtmlInputElement = input.unchecked_ref();
    input.set_value(text);
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

fn heading_is(host: &web_sys::HtmlElement, text: &str) -> bool {
    host.query_selector("h1")
        .unwrap()
        .and_then(|heading| heading.text_content())
        .as_deref()
        == Some(text)
}

fn alert_text(host: &web_sys::HtmlElement) -> String {
    query(host, "[role=alert]").text_content().unwrap()
}

#[wasm_bindgen_test]
async fn a_kiosk_without_a_member_asks_for_a_code_then_welcomes_that_member() {
    stub_gateway("kiosk");
    let host = fresh_host();
    let _mounted = mount(&host, &[("mode", "kiosk"), ("api", "/stub-gateway/kiosk")]);
    settle().await;

    assert!(heading_is(&host, "Enter your code"));
    let input = query(&host, "input[name=code]");
    assert!(
        document()
            .active_element()
            .unwrap()
            .is_same_node(Some(&input))
    );
    assert_eq!(
        input.get_attribute("autocomplete").as_deref(),
        Some("one-time-code")
    );
    assert_eq!(
        input.get_attribute("autocapitalize").as_deref(),
        Some("characters")
    );
    let label = query(&host, &format!("label[for={}]", input.id()));
    assert_eq!(label.text_content().unwrap(), "Your code");
    assert_eq!(alert_text(&host), "");

    // Too short: said at once, nothing sent.
    type_into(&input, "k7m3");
    query(&host, "button.idcheck-primary").click();
    settle().await;
    assert_eq!(
        alert_text(&host),
        "Enter all 8 letters and numbers of your code."
    );
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(redeem_calls("kiosk"), 0);

    // A code the gateway refuses; typing again clears the message.
    type_into(&input, "wrong-cod");
    settle().await;
    assert_eq!(alert_text(&host), "");
    query(&host, "button.idcheck-primary").click();
    eventually("the refusal", || {
        alert_text(&host).starts_with("This code is not valid")
    })
    .await;
    assert!(
        document()
            .active_element()
            .unwrap()
            .is_same_node(Some(&input))
    );

    // The right code, typed loosely: sent normalised and without a token.
    type_into(&input, " k7m3 qx9a");
    query(&host, "button.idcheck-primary").click();
    eventually("the member's welcome", || {
        heading_is(&host, "Confirm your address")
    })
    .await;
    let calls = stub_calls("kiosk");
    // The refused code was tried as a hand-off's code too (a kiosk takes those), once.
    let paths: Vec<&str> = calls.iter().map(|call| call.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/invitations/redeem",
            "/handoffs/redeem",
            "/invitations/redeem"
        ],
        "{calls:?}"
    );
    assert_eq!(calls[1].body, calls[0].body);
    assert_eq!(calls[2].method, "POST");
    assert_eq!(calls[2].body, serde_json::json!({ "Code": "K7M3QX9A" }));
    assert!(calls.iter().all(|call| call.auth.is_none()));
    // The invitation asked for an address check: the member is not asked what to verify.
    query(&host, "input[name=consent]").click();
    query(&host, "button.idcheck-primary").click();
    settle().await;
    assert!(heading_is(&host, "Which document shows your address?"));
}

#[wasm_bindgen_test]
async fn too_many_wrong_codes_say_how_long_to_wait() {
    stub_gateway("locked");
    let host = fresh_host();
    let _mounted = mount(&host, &[("mode", "kiosk"), ("api", "/stub-gateway/locked")]);
    settle().await;
    type_into(&query(&host, "input[name=code]"), "lockedup");
    query(&host, "button.idcheck-primary").click();
    eventually("the lock-out", || !alert_text(&host).is_empty()).await;
    assert_eq!(
        alert_text(&host),
        "Too many wrong codes. Try again in 14 minutes."
    );

    serve_locales();
    choose_language(&host, "es");
    eventually("Spanish", || heading_is(&host, "Introduce tu código")).await;
    assert_eq!(
        alert_text(&host),
        "Demasiados códigos incorrectos. Vuelve a intentarlo dentro de 14 minutos."
    );
}

#[wasm_bindgen_test]
async fn a_refused_invitation_setting_shows_the_error_and_the_field() {
    stub_gateway("refused");
    let host = fresh_host();
    let _mounted = mount(
        &host,
        &[
            ("invitation", "wron-gcod"),
            ("api", "/stub-gateway/refused"),
        ],
    );
    assert!(heading_is(&host, "Checking your invitation…"));
    assert!(host.query_selector("input[name=code]").unwrap().is_none());

    eventually("the code screen", || heading_is(&host, "Enter your code")).await;
    assert!(alert_text(&host).starts_with("This code is not valid"));
    let input: web_sys::HtmlInputElement = query(&host, "input[name=code]").unchecked_into();
    assert_eq!(input.value(), "WRONGCOD");
    settle().await;
    assert!(
        document()
            .active_element()
            .unwrap()
            .is_same_node(Some(&input))
    );
    assert_eq!(redeem_calls("refused"), 1);
}

/// Mounts the component as a portal would, with `mount(element, config)`.
fn mount_widget(host: &web_sys::HtmlElement, config: &str) -> idcheck::widget::Handle {
    let config = js_sys::eval(&format!("({config})")).unwrap();
    idcheck::widget::mount(host.clone(), config).unwrap()
}

#[wasm_bindgen_test]
async fn a_member_s_welcome_is_drawn_first_then_the_visit_takes_it_over() {
    stub_gateway("shell");
    let host = fresh_host();
    // Numbers as a portal's script writes them: read as JavaScript writes them.
    let handle = mount_widget(
        &host,
        r#"{token: "t", business: 1, coworker: 1, verify: "address", api: "/stub-gateway/shell"}"#,
    );
    // The welcome step, with the flow's markup: heading focused, progress, an alert for blockers.
    assert!(heading_is(&host, "Confirm your address"));
    assert!(
        document()
            .active_element()
            .unwrap()
            .is_same_node(Some(&query(&host, "h1")))
    );
    assert!(text_of(&host, ".idcheck-progress span").starts_with("Step 1 of "));
    query(&host, ".idcheck-nav .idcheck-primary").click();
    settle().await;
    assert_eq!(
        text_of(&host, "[role=alert]"),
        "Tick the box above to agree before you continue."
    );
    query(&host, "input[name=consent]").click();
    settle().await;
    assert_eq!(text_of(&host, "[role=alert]"), "");
    query(&host, ".idcheck-nav .idcheck-primary").click();
    eventually("the document step", || {
        heading_is(&host, "Which document shows your address?")
    })
    .await;
    // The flow's views replaced the first screen: one component in the element.
    assert_eq!(host.query_selector_all(".idcheck").unwrap().length(), 1);
    // Back: the flow's own welcome step, still agreed.
    query(&host, ".idcheck-nav .idcheck-secondary").click();
    eventually("the welcome step again", || {
        heading_is(&host, "Confirm your address")
    })
    .await;
    let consent: web_sys::HtmlInputElement = query(&host, "input[name=consent]").unchecked_into();
    assert!(consent.checked());
    handle.unmount();
    assert_eq!(host.child_element_count(), 0);
}

#[wasm_bindgen_test]
fn the_first_screen_keeps_what_the_member_does_until_the_visit_is_here() {
    use idcheck::shell::{Adopter, Shell};
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    #[derive(Default)]
    struct Recorder(RefCell<Vec<String>>);
    impl Adopter for Recorder {
        fn agreed(&self, agreed: bool) {
            self.0.borrow_mut().push(format!("agreed {agreed}"));
        }
        fn next(&self) {
            self.0.borrow_mut().push("next".into());
        }
        fn language(&self, lang: idcheck::i18n::Lang) {
            self.0.borrow_mut().push(format!("language {}", lang.tag()));
        }
        fn offer(&self) {
            self.0.borrow_mut().push("offer".into());
        }
    }

    let host = fresh_host();
    let config = config::parse(
        [("token", "t"), ("business", "1"), ("coworker", "1")],
        false,
    )
    .unwrap();
    let instance = idcheck::host::Host {
        id_prefix: "shell-alone".into(),
        ..idcheck::host::Host::default()
    };
    let screen = Shell::draw(&host, &config, &instance, idcheck::i18n::Lang::En).unwrap();
    assert!(heading_is(&host, "Verify your identity"));
    assert_eq!(
        query(&host, "[role=alert]").id(),
        "shell-alone-step-error",
        "ids as the flow's views name them"
    );
    // Not offered until the visit knows this device may hand on to a phone.
    assert!(
        host.query_selector(".idcheck-handoff-offer")
            .unwrap()
            .is_none()
    );

    // Continue without agreeing is refused by the screen itself.
    query(&host, ".idcheck-nav .idcheck-primary").click();
    assert_eq!(
        text_of(&host, "[role=alert]"),
        "Tick the box above to agree before you continue."
    );
    query(&host, "input[name=consent]").click();
    assert_eq!(text_of(&host, "[role=alert]"), "");
    // Agreed, Continue waits for the visit, and says so.
    query(&host, ".idcheck-nav .idcheck-primary").click();
    assert_eq!(text_of(&host, ".idcheck-live"), "Loading this step…");

    // The visit could not be fetched: said next to the controls, and Continue fetches it again.
    let fetched = Rc::new(Cell::new(0));
    let counter = Rc::clone(&fetched);
    screen.unavailable(Rc::new(move || counter.set(counter.get() + 1)));
    assert_eq!(
        text_of(&host, "[role=alert]"),
        "This step could not be loaded. Check your connection: nothing you entered is lost."
    );
    query(&host, ".idcheck-nav .idcheck-primary").click();
    assert_eq!(fetched.get(), 1);
    assert_eq!(text_of(&host, "[role=alert]"), "");

    // The visit arrives: it learns what the member did, and every action goes to it from now on.
    let recorder = Rc::new(Recorder::default());
    let adoption = screen.adopt(recorder.clone());
    assert!(adoption.agreed);
    assert!(
        adoption.continued,
        "the Continue pressed is the visit's to carry out"
    );
    assert_eq!(adoption.lang, idcheck::i18n::Lang::En);
    query(&host, "input[name=consent]").click();
    query(&host, ".idcheck-nav .idcheck-primary").click();
    screen.set_offered(true);
    query(&host, ".idcheck-handoff-offer button").click();
    assert_eq!(*recorder.0.borrow(), ["agreed false", "next", "offer"]);
    screen.set_blocker(Some(idcheck::i18n::Text::WelcomeConsentNeeded));
    assert_eq!(
        text_of(&host, "[role=alert]"),
        "Tick the box above to agree before you continue."
    );

    // Taken off the page with its listeners.
    screen.remove();
    assert!(host.query_selector(".idcheck").unwrap().is_none());

    // A Continue refused before the visit arrived stands: the visit answers it again (with the
    // same words), so its arrival does not silently clear what the screen said.
    let screen = Shell::draw(&host, &config, &instance, idcheck::i18n::Lang::En).unwrap();
    query(&host, ".idcheck-nav .idcheck-primary").click();
    let adoption = screen.adopt(Rc::new(Recorder::default()));
    assert!(adoption.continued && !adoption.agreed);
    screen.remove();
}

#[wasm_bindgen_test]
async fn a_kiosk_reset_returns_to_the_code_screen_and_keeps_nothing() {
    stub_gateway("reset");
    let host = fresh_host();
    let handle = mount_widget(&host, r#"{mode: "kiosk", api: "/stub-gateway/reset"}"#);
    settle().await;
    type_into(&query(&host, "input[name=code]"), "K7M3-QX9A");
    query(&host, "button.idcheck-primary").click();
    eventually("the member's welcome", || {
        heading_is(&host, "Confirm your address")
    })
    .await;
    query(&host, "input[name=consent]").click();
    settle().await;

    handle.reset();
    settle().await;
    assert!(heading_is(&host, "Enter your code"));
    let input: web_sys::HtmlInputElement = query(&host, "input[name=code]").unchecked_into();
    assert_eq!(input.value(), "");
    assert_eq!(alert_text(&host), "");
    assert!(
        host.query_selector("input[name=consent]")
            .unwrap()
            .is_none()
    );
    assert_eq!(redeem_calls("reset"), 1);
    handle.unmount();
    assert_eq!(host.child_element_count(), 0);
}

#[wasm_bindgen_test]
async fn an_invitation_setting_is_redeemed_once_per_mount() {
    stub_gateway("once");
    let host = fresh_host();
    let handle = mount_widget(
        &host,
        r#"{invitation: "k7m3-qx9a", api: "/stub-gateway/once"}"#,
    );
    assert!(heading_is(&host, "Checking your invitation…"));
    eventually("the member's welcome", || {
        heading_is(&host, "Confirm your address")
    })
    .await;
    // A member's own browser: a reset starts again at the welcome step, without a second redeem.
    handle.reset();
    settle().await;
    assert!(heading_is(&host, "Confirm your address"));
    assert_eq!(redeem_calls("once"), 1);

    // A kiosk given an invitation lets that member in once; after a reset it asks for a code.
    let kiosk_host = fresh_host();
    let kiosk = mount_widget(
        &kiosk_host,
        r#"{mode: "kiosk", invitation: "K7M3QX9A", api: "/stub-gateway/once"}"#,
    );
    eventually("the member's welcome", || {
        heading_is(&kiosk_host, "Confirm your address")
    })
    .await;
    kiosk.reset();
    settle().await;
    assert!(heading_is(&kiosk_host, "Enter your code"));
    assert_eq!(redeem_calls("once"), 2);
    handle.unmount();
    kiosk.unmount();
}

#[wasm_bindgen_test]
async fn an_invited_member_fills_in_the_requested_check() {
    use idcheck::session::{Session, SubmitState};
    use idcheck_core::model::AddressDocumentType;

    stub_gateway("requested");
    // The first try and both automatic retries fail: the member is asked.
    js_sys::eval("window.stubFailPuts.requested = 3").unwrap();
    let config = config::parse(
        [
            ("invitation", "K7M3QX9A"),
            ("api", "/stub-gateway/requested"),
        ],
        false,
    )
    .unwrap();
    let api = idcheck::api::Api::new("/stub-gateway/requested", "", None);
    let member = api.redeem_invitation("k7m3-qx9a").await.unwrap();
    assert_eq!(member.coworker_id, 2);
    assert_eq!(
        member.checks,
        [(7, idcheck_core::model::VerificationType::Address)]
    );
    let session = Session::for_invited(
        config,
        idcheck::i18n::Lang::En,
        idcheck::host::Host::default(),
        api,
        &member,
    );

    to_review_with_front(session, AddressDocumentType::VoterCard);

    // The PUT's answers are lost (502): each retry sends the same PUT again, looking nothing up.
    session.submit();
    eventually("the failed first try", || {
        matches!(session.submit.get_untracked(), SubmitState::Failed { .. })
    })
    .await;
    session.submit();
    eventually("the document", || {
        session
            .flow
            .with_untracked(|flow| flow.submission().document_id)
            == Some(70)
    })
    .await;
    assert_eq!(
        session
            .flow
            .with_untracked(|flow| flow.submission().check_id),
        Some(7)
    );

    let calls = stub_calls("requested");
    let sent: Vec<(&str, &str)> = calls
        .iter()
        .map(|call| (call.method.as_str(), call.path.as_str()))
        .collect();
    assert_eq!(
        sent,
        [
            ("POST", "/invitations/redeem"),
            ("PUT", "/spaces/coworkeridentitychecks"),
            ("PUT", "/spaces/coworkeridentitychecks"),
            ("PUT", "/spaces/coworkeridentitychecks"),
            ("PUT", "/spaces/coworkeridentitychecks"),
            ("POST", "/spaces/coworkeridentitycheckdocuments"),
        ]
    );
    for call in &calls[1..] {
        assert_eq!(call.auth.as_deref(), Some("Bearer member-token"));
    }
    let put = &calls[2].body;
    assert_eq!(put["Id"], 7);
    assert_eq!(put["CoworkerId"], 2);
    assert_eq!(put["BusinessId"], 1);
    assert_eq!(put["VerificationType"], 2);
    assert_eq!(
        put["AddressDocumentType"],
        AddressDocumentType::VoterCard.code()
    );
    assert!(calls[1..5].iter().all(|call| call.body == calls[1].body));
    assert!(
        calls[1..5].iter().all(|call| call.key.is_none()),
        "a PUT needs no key"
    );
    assert_eq!(calls[5].body["CoworkerIdentityCheckId"], 7);
    assert_eq!(calls[5].body["CoworkerId"], 2);
    assert!(calls[5].key.is_some());
}

// --- submitting ----------------------------------------------------------------------------------

/// A member's session for coworker 1 against the stub gateway `name`, at the review step of a
/// proof of address with its front captured (sent inline, so no upload is called).
fn address_at_review(name: &str) -> idcheck::session::Session {
    address_at_review_with(name, &[])
}

/// The same, with `extra` settings.
fn address_at_review_with(name: &str, extra: &[(&str, &str)]) -> idcheck::session::Session {
    stub_gateway(name);
    let session = member_session(name, extra);
    to_review_with_front(
        session,
        idcheck_core::model::AddressDocumentType::LeaseRentalAgreement,
    );
    session
}

/// A member session (coworker 1, proof of address) against the stub gateway `name`, whose
/// instance is named `name` too (what a reload finds again), with `extra` settings.
fn member_session(name: &str, extra: &[(&str, &str)]) -> idcheck::session::Session {
    let api_base = format!("/stub-gateway/{name}");
    let mut settings = vec![
        ("token", "member-token"),
        ("business", "1"),
        ("coworker", "1"),
        ("verify", "address"),
        ("api", api_base.as_str()),
    ];
    settings.extend_from_slice(extra);
    let config = config::parse(settings, false).unwrap();
    let host = idcheck::host::Host {
        id_prefix: name.to_string(),
        ..idcheck::host::Host::default()
    };
    idcheck::session::Session::new(config, idcheck::i18n::Lang::En, host)
}

/// Takes `session` from the welcome step to the review of a proof of address of `document`, with
/// its front captured (a tiny JPEG the stub gateway never looks at).
fn to_review_with_front(
    session: idcheck::session::Session,
    document: idcheck_core::model::AddressDocumentType,
) {
    use idcheck::session::Image;
    use idcheck_core::flow::{Flow, Step};
    use idcheck_core::slots::{DocumentKind, Slot};

    let today = idcheck::browser::today();
    session.flow.update(|flow: &mut Flow| {
        flow.set_consent(true);
        assert_eq!(flow.next(today), Ok(Step::DocumentType));
        flow.choose_document(DocumentKind::Address(document));
        assert_eq!(flow.next(today), Ok(Step::Capture(Slot::Front)));
        flow.captured(
            Slot::Front,
            idcheck_core::capture::Capture::new(
                idcheck_core::capture::Method::Uploaded,
                None,
                b"\xff\xd8\xff",
            ),
        );
        flow.next(today).unwrap();
        assert_eq!(flow.next(today), Ok(Step::Review));
    });
    session.images.update(|images| {
        images.insert(
            Slot::Front,
            Image {
                bytes: std::sync::Arc::new(vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]),
                width: 4,
                height: 3,
                pdf: None,
            },
        );
    });
}

fn script(name: &str, route: &str, answers: serde_json::Value) {
    js_sys::eval(&format!(
        "window.stubScript[{name:?}][{route:?}] = {answers};"
    ))
    .unwrap();
}

fn calls_to(name: &str, method: &str, path: &str) -> usize {
    stub_calls(name)
        .iter()
        .filter(|call| call.method == method && call.path == path)
        .count()
}

async fn until_failed(session: idcheck::session::Session, what: &str) {
    eventually(what, || {
        matches!(
            session.submit.get_untracked(),
            idcheck::session::SubmitState::Failed { .. }
        )
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_look_up_that_fails_is_retried_and_never_taken_for_not_found() {
    let session = address_at_review("lookup");
    let reference = session.flow.with_untracked(|flow| flow.reference_note());
    // The check's creation answers 502 (it may have been written); the automatic retries look for
    // it first, and both look-ups fail: the member is asked, and no second check is created.
    script(
        "lookup",
        "POST /spaces/coworkeridentitychecks",
        serde_json::json!([[502, {"Message": "The service behind this gateway did not answer"}]]),
    );
    script(
        "lookup",
        "GET /spaces/coworkeridentitychecks",
        serde_json::json!([
            [500, {"Message": "down"}],
            [500, {"Message": "down"}],
            [200, {"Records": [{"Id": 40, "VerificationStatus": 1, "Description": "another"}], "HasNextPage": true}],
            [200, {"Records": [{"Id": 41, "VerificationStatus": 1, "Description": reference}], "HasNextPage": false}]
        ]),
    );
    script(
        "lookup",
        "POST /spaces/coworkeridentitycheckdocuments",
        serde_json::json!([[200, {"Value": {"Id": 90}, "WasSuccessful": true}]]),
    );

    session.submit();
    until_failed(session, "the failed look-ups").await;
    assert_eq!(
        calls_to("lookup", "GET", "/spaces/coworkeridentitychecks"),
        2
    );
    assert_eq!(
        calls_to("lookup", "POST", "/spaces/coworkeridentitychecks"),
        1,
        "a failed look-up must not lead to a second check"
    );
    // Try again: the look-up reads on to the second page, where the check is.
    session.submit();
    eventually("the document", || {
        session
            .flow
            .with_untracked(|flow| flow.submission().document_id)
            == Some(90)
    })
    .await;
    assert_eq!(
        session
            .flow
            .with_untracked(|flow| flow.submission().check_id),
        Some(41),
        "the check the look-up found"
    );
    assert_eq!(
        calls_to("lookup", "POST", "/spaces/coworkeridentitychecks"),
        1
    );
    let pages: Vec<String> = stub_calls("lookup")
        .into_iter()
        .filter(|call| call.method == "GET")
        .map(|call| call.query)
        .collect();
    assert!(
        pages[2].contains("page=1") && pages[3].contains("page=2"),
        "{pages:?}"
    );
}

#[wasm_bindgen_test]
async fn a_request_that_never_answers_ends_in_try_again_and_keeps_its_key() {
    let session = address_at_review_with("deadline", &[("request-timeout", "1")]);
    script(
        "deadline",
        "POST /spaces/coworkeridentitychecks",
        serde_json::json!([["hang", null], ["hang", null], ["hang", null],
            [200, {"Value": {"Id": 41}, "WasSuccessful": true}]]),
    );
    script(
        "deadline",
        "GET /spaces/coworkeridentitychecks",
        serde_json::json!([[200, {"Records": [], "HasNextPage": false}],
            [200, {"Records": [], "HasNextPage": false}],
            [200, {"Records": [], "HasNextPage": false}]]),
    );
    session.submit();
    until_failed(session, "the deadline").await;
    match session.submit.get_untracked() {
        idcheck::session::SubmitState::Failed { error, .. } => {
            assert_eq!(
                error,
                idcheck::api::ApiError::Network("no answer within 1 seconds".into())
            );
        }
        other => panic!("{other:?}"),
    }
    submitted(session).await;
    let keys: Vec<Option<String>> = stub_calls("deadline")
        .into_iter()
        .filter(|call| call.method == "POST" && call.path == "/spaces/coworkeridentitychecks")
        .map(|call| call.key)
        .collect();
    assert_eq!(keys.len(), 4, "three lost, one answered");
    assert!(keys[0].is_some(), "every create carries an Idempotency-Key");
    assert!(
        keys.iter().all(|key| *key == keys[0]),
        "every retry of the same write sends the same key: {keys:?}"
    );
    let document_key = stub_calls("deadline")
        .into_iter()
        .find(|call| call.path == "/spaces/coworkeridentitycheckdocuments")
        .and_then(|call| call.key);
    assert!(document_key.is_some() && document_key != keys[0]);
}

#[wasm_bindgen_test]
async fn a_reload_while_sending_comes_back_and_finishes_without_a_second_check() {
    use idcheck_core::flow::Step;
    use idcheck_core::slots::Slot;

    let first = address_at_review("reload");
    script(
        "reload",
        "POST /spaces/coworkeridentitychecks",
        serde_json::json!([["hang", null], [200, {"Value": {"Id": 77}, "WasSuccessful": true}]]),
    );
    first.submit();
    eventually("the check's creation on its way", || {
        calls_to("reload", "POST", "/spaces/coworkeridentitychecks") == 1
    })
    .await;
    let reference = first.flow.with_untracked(|flow| flow.reference_note());

    // The page reloads: a new instance with the same name finds the visit again. The front was
    // held only by the page, so it is asked for again, saying why.
    let second = member_session("reload", &[]);
    assert_eq!(
        second.flow.with_untracked(|flow| flow.step()),
        Step::Capture(Slot::Front)
    );
    assert_eq!(second.lost.get_untracked(), vec![Slot::Front]);
    assert_eq!(
        second.flow.with_untracked(|flow| flow.reference_note()),
        reference,
        "the same reference and attempt"
    );
    // The member takes it again; the check the lost request made is found, not made twice.
    script(
        "reload",
        "GET /spaces/coworkeridentitychecks",
        serde_json::json!([[200, {"Records": [{"Id": 76, "VerificationStatus": 1, "Description": reference}], "HasNextPage": false}]]),
    );
    to_front_again(second);
    assert!(second.lost.get_untracked().is_empty());
    submitted(second).await;
    assert_eq!(
        second
            .flow
            .with_untracked(|flow| flow.submission().check_id),
        Some(76)
    );
    assert_eq!(
        calls_to("reload", "POST", "/spaces/coworkeridentitychecks"),
        1
    );

    // Once submitted, nothing is kept: a further reload starts afresh.
    idcheck::resume::keep("reload", &second.flow.get_untracked());
    assert_eq!(idcheck::resume::load("reload"), None);
}

/// Captures the front again after a reload lost it, and goes on to the review.
fn to_front_again(session: idcheck::session::Session) {
    use idcheck_core::slots::Slot;
    session.keep_image(
        Slot::Front,
        idcheck::camera::Frame {
            jpeg: vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3],
            width: 4,
            height: 3,
        },
        idcheck_core::capture::Method::Manual,
        None,
    );
    let today = idcheck::browser::today();
    session.flow.update(|flow| {
        flow.next(today).unwrap();
        flow.next(today).unwrap();
    });
    assert_eq!(
        session.flow.with_untracked(|flow| flow.step()),
        idcheck_core::flow::Step::Review
    );
}

/// Submits a session at its review and waits for its document.
async fn submitted(session: idcheck::session::Session) {
    session.submit();
    eventually("the document", || {
        session
            .flow
            .with_untracked(|flow| flow.submission().document_id)
            .is_some()
    })
    .await;
}

#[wasm_bindgen_test]
async fn an_open_check_of_the_member_is_continued_instead_of_creating_another() {
    // A check left without its document on another day: filled in, not created again.
    let session = address_at_review("continue");
    script(
        "continue",
        "GET /spaces/coworkeridentitychecks",
        serde_json::json!([[200, {"Records": [{"Id": 31, "VerificationType": 2, "VerificationStatus": 1}], "HasNextPage": false}]]),
    );
    script(
        "continue",
        "GET /spaces/coworkeridentitycheckdocuments",
        serde_json::json!([[200, {"Records": [], "HasNextPage": false}]]),
    );
    session.continue_open_checks();
    eventually("the open check adopted", || {
        session.flow.with_untracked(|flow| flow.requested_check()) == Some(31)
    })
    .await;
    submitted(session).await;
    assert_eq!(
        calls_to("continue", "POST", "/spaces/coworkeridentitychecks"),
        0
    );
    assert_eq!(
        calls_to("continue", "PUT", "/spaces/coworkeridentitychecks"),
        1
    );

    // A pending check that already has a document waits for its reviewer: a new one is created.
    let waiting = address_at_review("waiting");
    script(
        "waiting",
        "GET /spaces/coworkeridentitychecks",
        serde_json::json!([[200, {"Records": [{"Id": 32, "VerificationType": 2, "VerificationStatus": 1}], "HasNextPage": false}]]),
    );
    script(
        "waiting",
        "GET /spaces/coworkeridentitycheckdocuments",
        serde_json::json!([[200, {"Records": [{"Id": 5}], "HasNextPage": false}]]),
    );
    script(
        "waiting",
        "POST /spaces/coworkeridentitychecks",
        serde_json::json!([[200, {"Value": {"Id": 33}, "WasSuccessful": true}]]),
    );
    waiting.continue_open_checks();
    eventually("the look-up", || {
        calls_to("waiting", "GET", "/spaces/coworkeridentitycheckdocuments") == 1
    })
    .await;
    submitted(waiting).await;
    assert_eq!(
        waiting
            .flow
            .with_untracked(|flow| flow.submission().check_id),
        Some(33)
    );
    assert_eq!(
        calls_to("waiting", "PUT", "/spaces/coworkeridentitychecks"),
        0
    );
}

#[wasm_bindgen_test]
async fn polling_asks_one_at_a_time_slows_down_and_stops_when_refused() {
    use idcheck::api::ApiError;
    use idcheck::poll::{Next, poll};
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    let times: Rc<RefCell<Vec<f64>>> = Rc::default();
    let in_flight = Rc::new(Cell::new(0));
    let most_in_flight = Rc::new(Cell::new(0));
    let asked = {
        let (times, in_flight, most) = (times.clone(), in_flight.clone(), most_in_flight.clone());
        move || {
            let (times, in_flight, most) = (times.clone(), in_flight.clone(), most.clone());
            async move {
                times.borrow_mut().push(js_sys::Date::now());
                in_flight.set(in_flight.get() + 1);
                most.set(most.get().max(in_flight.get()));
                // A slow answer, slower than the polling interval.
                idcheck::browser::sleep_ms(1_200).await;
                in_flight.set(in_flight.get() - 1);
                let n = times.borrow().len();
                if n < 3 {
                    Ok(1)
                } else {
                    Err(ApiError::Forbidden("no".into()))
                }
            }
        }
    };
    poll(1, asked, |_: &Result<i32, ApiError>| Next::Continue).await;
    let times = times.borrow();
    assert_eq!(times.len(), 3, "stops at the 403");
    assert_eq!(most_in_flight.get(), 1, "never two questions at once");
    // The second answer repeated the first: the wait after it doubles (1 s, then 2 s), on top of
    // the answer's own time.
    assert!(times[2] - times[1] >= 1_200.0 + 2_000.0 - 50.0, "{times:?}");
}

#[wasm_bindgen_test]
async fn an_answer_that_was_not_successful_is_a_failure_even_with_an_id() {
    let session = address_at_review("unsuccessful");
    script(
        "unsuccessful",
        "POST /spaces/coworkeridentitychecks",
        serde_json::json!([[200, {
            "Value": {"Id": 5},
            "WasSuccessful": false,
            "Message": "AddressDocumentType: is not accepted here",
            "Errors": [{"PropertyName": "AddressDocumentType", "Message": "is not accepted here", "AttemptedValue": 4}]
        }]]),
    );
    session.submit();
    eventually("the refusal", || {
        !session.server_errors.get_untracked().is_empty()
    })
    .await;
    assert_eq!(
        session
            .flow
            .with_untracked(|flow| flow.submission().check_id),
        None,
        "no check was recorded"
    );
    assert_eq!(
        session.server_errors.get_untracked()[0].property,
        "AddressDocumentType"
    );
}

#[wasm_bindgen_test]
async fn the_address_gives_no_token_and_no_other_api_and_keeps_neither() {
    let window = web_sys::window().unwrap();
    let history = window.history().unwrap();
    let before = window.location().href().unwrap();
    let read = |address: &str| {
        history
            .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(address))
            .unwrap();
        let settings = idcheck::page::settings();
        (settings, window.location().href().unwrap())
    };

    let (settings, left) = read(
        "?verify=identity&api=https%3A%2F%2Felsewhere.example%2Fapi&masstack-api=%2Fv1#token=from-fragment",
    );
    assert!(settings.contains(&("token".into(), "from-fragment".into())));
    assert!(settings.contains(&("verify".into(), "identity".into())));
    assert!(
        settings.contains(&("masstack-api".into(), "/v1".into())),
        "the page's own origin may be named"
    );
    assert!(
        !settings.iter().any(|(name, _)| name == "api"),
        "another origin is ignored: {settings:?}"
    );
    assert!(
        !left.contains("token") && !left.contains("elsewhere"),
        "{left}"
    );
    assert!(
        left.ends_with("?verify=identity&masstack-api=%2Fv1"),
        "{left}"
    );

    // A reload: the address has no token any more, the tab still does.
    let (settings, _) = read("?verify=identity");
    assert!(settings.contains(&("token".into(), "from-fragment".into())));
    window
        .session_storage()
        .unwrap()
        .unwrap()
        .remove_item("idcheck-page-token")
        .unwrap();

    let (settings, left) = read("?token=in-the-query&business=1");
    assert!(settings.contains(&("token-in-query".into(), "in-the-query".into())));
    assert!(!settings.iter().any(|(name, _)| name == "token"));
    assert!(!left.contains("in-the-query"), "{left}");
    let problems = config::parse(
        settings.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        false,
    )
    .unwrap_err();
    assert!(
        problems
            .iter()
            .any(|problem| problem.setting == "token" && problem.message.contains("after a #")),
        "{problems:?}"
    );

    history
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&before))
        .unwrap();
}

// --- continuing on the phone (issue 15) -----------------------------------------------------------

/// The link code the stub gateway's hand-off carries.
const STUB_LINK: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// Mounts an instance named `name` with `settings` (the API being the stub gateway `name`).
fn mount_named(host: &web_sys::HtmlElement, name: &str, settings: &[(&str, &str)]) -> impl Sized {
    mount_instance_of(host, name, name, settings)
}

/// Mounts an instance named `name` against the stub gateway `gateway`.
fn mount_instance_of(
    host: &web_sys::HtmlElement,
    gateway: &str,
    name: &str,
    settings: &[(&str, &str)],
) -> impl Sized {
    let api = format!("/stub-gateway/{gateway}");
    let mut pairs: Vec<(&str, &str)> = settings.to_vec();
    pairs.push(("api", api.as_str()));
    let config = config::parse(pairs, false);
    let instance = idcheck::host::Host {
        id_prefix: name.to_string(),
        ..idcheck::host::Host::default()
    };
    mount_to(host.clone(), move || {
        view! { <App config=config.clone() host=instance.clone()/> }
    })
}

fn set_handoff_state(name: &str, state: &str, check: Option<i64>, document: Option<i64>) {
    js_sys::eval(&format!(
        "Object.assign(window.stubHandoff[{name:?}], {{State: {state:?}, CheckId: {}, DocumentId: {}}})",
        check.map_or("null".to_string(), |id| id.to_string()),
        document.map_or("null".to_string(), |id| id.to_string()),
    ))
    .unwrap();
}

fn text_of(host: &web_sys::HtmlElement, selector: &str) -> String {
    host.query_selector(selector)
        .unwrap()
        .and_then(|element| element.text_content())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn a_hand_off_shows_the_link_three_ways_then_the_laptop_follows_the_phone_to_the_end() {
    stub_gateway("handoff-laptop");
    let host = fresh_host();
    let _mounted = mount_named(
        &host,
        "handoff-laptop",
        &[
            ("token", "laptop-token"),
            ("business", "1"),
            ("coworker", "1"),
            ("verify", "identity"),
            ("uploads", "server"),
        ],
    );
    settle().await;
    query(&host, "input[name=consent]").click();
    query(&host, ".idcheck-handoff-offer button").click();
    eventually("the QR code", || {
        host.query_selector("svg.idcheck-qr").unwrap().is_some()
    })
    .await;
    assert!(heading_is(&host, "Continue on your phone"));

    // The QR code: an SVG with one unit per module and the 4-module quiet zone, named for
    // assistive technology.
    let qr = query(&host, "svg.idcheck-qr");
    assert_eq!(qr.get_attribute("role").as_deref(), Some("img"));
    assert_eq!(
        qr.get_attribute("aria-label").as_deref(),
        Some("QR code of the link that opens this check on your phone")
    );
    let view_box = qr.get_attribute("viewBox").unwrap();
    let side: i32 = view_box.rsplit(' ').next().unwrap().parse().unwrap();
    assert_eq!(view_box, format!("0 0 {side} {side}"));
    assert_eq!(
        (side - 8 - 17) % 4,
        0,
        "a QR code is 17 + 4v modules wide: {view_box}"
    );
    // The link to copy, the code to type, the expiry.
    let link: web_sys::HtmlInputElement =
        query(&host, ".idcheck-handoff-link input").unchecked_into();
    assert_eq!(
        link.value(),
        format!("https://gw.example/#handoff={STUB_LINK}")
    );
    assert!(link.read_only());
    assert_eq!(text_of(&host, ".idcheck-handoff-code"), "K7M3-QX9A");
    let expiry = text_of(&host, ".idcheck-handoff-expiry");
    assert!(
        expiry.starts_with("The code and the link work once and expire in 1"),
        "{expiry}"
    );
    assert!(
        text_of(&host, ".idcheck-handoff")
            .contains("Open https://gw.example/#handoff on your phone")
    );

    // What went to the gateway: the progress (answers and settings), with the member's token in
    // the header only.
    let calls = stub_calls("handoff-laptop");
    let create = calls
        .iter()
        .find(|call| call.method == "POST" && call.path == "/handoffs")
        .expect("a hand-off was asked for");
    assert_eq!(create.auth.as_deref(), Some("Bearer laptop-token"));
    assert!(
        create
            .key
            .as_deref()
            .is_some_and(|key| key.starts_with("idcheck-handoff-"))
    );
    let progress = &create.body["Progress"];
    assert_eq!(progress["Flow"]["consented"], true);
    let settings = progress["Settings"].as_array().unwrap();
    assert!(
        settings.contains(&serde_json::json!(["verify", "identity"])),
        "{settings:?}"
    );
    assert!(
        settings.contains(&serde_json::json!(["uploads", "server"])),
        "{settings:?}"
    );
    assert!(!create.body.to_string().contains("laptop-token"));

    // The phone opens it: the laptop says so, and the used link is no longer shown.
    set_handoff_state("handoff-laptop", "Opened", None, None);
    eventually("the phone has it", || {
        heading_is(&host, "Continue on your phone…")
    })
    .await;
    assert!(host.query_selector("svg.idcheck-qr").unwrap().is_none());
    assert!(text_of(&host, ".idcheck-handoff").contains("Your phone opened the link."));

    // The laptop's page is reloaded meanwhile: the same instance, started again, reads which
    // hand-off it followed from the tab's storage and follows it still, instead of the welcome.
    let stored = web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap()
        .get_item("idcheck-handoff:handoff-laptop")
        .unwrap()
        .expect("the hand-off followed is kept for the tab");
    assert!(stored.starts_with("id=h1&expires="), "{stored}");
    let reloaded = fresh_host();
    let _again = mount_named(
        &reloaded,
        "handoff-laptop",
        &[
            ("token", "laptop-token"),
            ("business", "1"),
            ("coworker", "1"),
        ],
    );
    eventually("the reloaded page follows the phone", || {
        heading_is(&reloaded, "Continue on your phone…")
            && text_of(&reloaded, ".idcheck-handoff").contains("Your phone opened the link.")
    })
    .await;

    // The phone sends: the laptop shows the submitted step with the phone's records.
    set_handoff_state("handoff-laptop", "Submitted", Some(41), Some(70));
    eventually("the submitted step", || {
        heading_is(&host, "Thank you, your documents were sent")
    })
    .await;
    let records = text_of(&host, ".idcheck-records");
    assert!(
        records.contains("41") && records.contains("70"),
        "{records}"
    );
    // Followed one question at a time, and never again once it was over (by either page).
    eventually("the reloaded page sees it sent too", || {
        heading_is(&reloaded, "Thank you, your documents were sent")
    })
    .await;
    let asked = calls_to("handoff-laptop", "GET", "/handoffs/h1");
    idcheck::browser::sleep_ms(2_500).await;
    assert_eq!(calls_to("handoff-laptop", "GET", "/handoffs/h1"), asked);
}

#[wasm_bindgen_test]
async fn a_hand_off_taken_back_returns_to_where_the_member_was_and_an_expired_one_is_renewed() {
    stub_gateway("handoff-back");
    let host = fresh_host();
    let _mounted = mount_named(
        &host,
        "handoff-back",
        &[("token", "t"), ("business", "1"), ("coworker", "1")],
    );
    settle().await;
    query(&host, "input[name=consent]").click();
    query(&host, ".idcheck-handoff-offer button").click();
    eventually("the QR code", || {
        host.query_selector("svg.idcheck-qr").unwrap().is_some()
    })
    .await;

    // No phone came in time: a new code, or this device.
    set_handoff_state("handoff-back", "Expired", None, None);
    eventually("the expiry", || {
        text_of(&host, ".idcheck-handoff").contains("The code expired before a phone opened it.")
    })
    .await;
    assert!(host.query_selector("svg.idcheck-qr").unwrap().is_none());
    query(&host, "button.idcheck-handoff-new").click();
    eventually("a new QR code", || {
        host.query_selector("svg.idcheck-qr").unwrap().is_some()
    })
    .await;
    assert_eq!(calls_to("handoff-back", "DELETE", "/handoffs/h1"), 1);
    assert_eq!(calls_to("handoff-back", "POST", "/handoffs"), 2);

    // Taken back: the link is withdrawn, and the member is on the welcome step, agreed.
    query(&host, "button.idcheck-handoff-here").click();
    eventually("the welcome step", || {
        heading_is(&host, "Verify your identity")
    })
    .await;
    assert_eq!(calls_to("handoff-back", "DELETE", "/handoffs/h2"), 1);
    let consent: web_sys::HtmlInputElement = query(&host, "input[name=consent]").unchecked_into();
    assert!(consent.checked());
}

#[wasm_bindgen_test]
async fn a_hand_off_link_opens_once_on_a_phone_that_carries_on_where_the_laptop_was() {
    use idcheck_core::flow::{Details, Flow, Step};
    use idcheck_core::slots::DocumentKind;

    stub_gateway("handoff-phone");
    // The laptop's progress: a passport's details typed, at the face photo.
    let laptop = config::parse(
        [
            ("token", "t"),
            ("business", "1"),
            ("coworker", "1"),
            ("verify", "identity"),
        ],
        false,
    )
    .unwrap();
    let today = idcheck::browser::today();
    let mut flow = Flow::new(laptop.settings.clone(), "laptop-ref".into());
    flow.set_consent(true);
    flow.next(today).unwrap();
    flow.choose_document(DocumentKind::Identity(
        idcheck_core::model::IdentityDocumentType::Passport,
    ));
    flow.next(today).unwrap();
    flow.edit_details(Details {
        number: "PA1234567".into(),
        issued_by: "Kingdom of Spain".into(),
        expires: format!("{}-03-15", today.year() + 5),
    });
    assert!(matches!(flow.next(today), Ok(Step::Capture(_))));
    let progress = idcheck::handoff::progress(&flow, laptop.handed_on(idcheck::i18n::Lang::En));
    js_sys::eval(&format!(
        "window.stubHandoffProgress = window.stubHandoffProgress || {{}}; \
         window.stubHandoffProgress['handoff-phone'] = {progress};"
    ))
    .unwrap();

    let phone = fresh_host();
    let _first = mount_named(&phone, "handoff-phone", &[("handoff", STUB_LINK)]);
    eventually("the face photo step", || {
        heading_is(&phone, "Take a photo of your face")
    })
    .await;
    let calls = stub_calls("handoff-phone");
    let redeem = calls
        .iter()
        .find(|call| call.path == "/handoffs/redeem")
        .expect("the link was redeemed");
    assert_eq!(redeem.auth, None, "redeemed without a token");
    assert_eq!(redeem.body, serde_json::json!({ "Code": STUB_LINK }));
    // Past the document type and its details, which the laptop's answers satisfy: not asked again.
    assert_eq!(text_of(&phone, ".idcheck-progress span"), "Step 4 of 7");

    // A second phone with the same link: a clear page, and a field for a new code.
    let second = fresh_host();
    let _second = mount_instance_of(
        &second,
        "handoff-phone",
        "handoff-phone2",
        &[("handoff", STUB_LINK)],
    );
    eventually("the refusal", || {
        heading_is(&second, "This link can no longer be used")
    })
    .await;
    assert!(text_of(&second, "main").contains("A link works once, on one phone, for 15 minutes."));
    let field = query(&second, "input[name=handoff-code]");
    type_into(&field, "k7m3-qx9a");
    query(&second, "form button[type=submit]").click();
    eventually("the typed code's refusal", || {
        text_of(&second, "[id$='-handoff-code-error']").starts_with("This code is not valid")
    })
    .await;
    let redeemed: Vec<serde_json::Value> = stub_calls("handoff-phone")
        .into_iter()
        .filter(|call| call.path == "/handoffs/redeem")
        .map(|call| call.body)
        .collect();
    assert_eq!(
        redeemed.last(),
        Some(&serde_json::json!({ "Code": "K7M3QX9A" }))
    );
}

#[wasm_bindgen_test]
async fn a_hand_off_at_a_kiosk_ends_there_once_the_phone_has_it_and_is_withdrawn_if_unused() {
    // Opened on the phone: the kiosk thanks the member and will start afresh.
    stub_gateway("handoff-kiosk");
    let host = fresh_host();
    let _mounted = mount_named(
        &host,
        "handoff-kiosk",
        &[
            ("mode", "kiosk"),
            ("token", "t"),
            ("business", "1"),
            ("coworker", "1"),
        ],
    );
    settle().await;
    query(&host, ".idcheck-handoff-offer button").click();
    eventually("the QR code", || {
        host.query_selector("svg.idcheck-qr").unwrap().is_some()
    })
    .await;
    set_handoff_state("handoff-kiosk", "Opened", None, None);
    eventually("the kiosk's thanks", || {
        host.query_selector(".idcheck-kiosk-thanks")
            .unwrap()
            .is_some()
    })
    .await;
    assert!(text_of(&host, ".idcheck-handoff").contains("you can leave the kiosk"));

    // Unused when the kiosk starts afresh: the link on screen is taken back.
    stub_gateway("handoff-kiosk-reset");
    let reset_host = fresh_host();
    let handle = mount_widget(
        &reset_host,
        r#"{mode: "kiosk", token: "t", business: 1, coworker: 1, api: "/stub-gateway/handoff-kiosk-reset"}"#,
    );
    settle().await;
    query(&reset_host, ".idcheck-handoff-offer button").click();
    eventually("the QR code", || {
        reset_host
            .query_selector("svg.idcheck-qr")
            .unwrap()
            .is_some()
    })
    .await;
    assert_eq!(calls_to("handoff-kiosk-reset", "DELETE", "/handoffs/h1"), 0);
    handle.reset();
    eventually("the link withdrawn", || {
        calls_to("handoff-kiosk-reset", "DELETE", "/handoffs/h1") == 1
    })
    .await;
    let withdrawn = stub_calls("handoff-kiosk-reset")
        .into_iter()
        .find(|call| call.method == "DELETE")
        .unwrap();
    assert_eq!(withdrawn.auth.as_deref(), Some("Bearer t"));
    handle.unmount();
}

#[wasm_bindgen_test]
async fn a_kiosk_s_code_screen_takes_a_hand_off_s_code() {
    stub_gateway("handoff-kiosk-code");
    let host = fresh_host();
    let _mounted = mount_named(&host, "handoff-kiosk-code", &[("mode", "kiosk")]);
    settle().await;
    type_into(&query(&host, "input[name=code]"), "hand-7ffc");
    query(&host, "button.idcheck-primary").click();
    eventually("the member's welcome", || {
        heading_is(&host, "Verify your identity")
    })
    .await;
    let paths: Vec<String> = stub_calls("handoff-kiosk-code")
        .into_iter()
        .map(|call| call.path)
        .collect();
    assert_eq!(paths[..2], ["/invitations/redeem", "/handoffs/redeem"]);
    // Still a kiosk: the hand-off's member is thanked and forgotten like any other.
    assert!(host.query_selector(".idcheck-kiosk").unwrap().is_some());
}

#[wasm_bindgen_test]
async fn a_hand_off_address_that_is_not_a_link_is_refused_without_asking() {
    stub_gateway("handoff-garbled");
    let host = fresh_host();
    let _mounted = mount_named(&host, "handoff-garbled", &[("handoff", "not-a-link")]);
    settle().await;
    assert!(heading_is(&host, "This link can no longer be used"));
    assert!(stub_calls("handoff-garbled").is_empty());
}

// --- PDFs and refused images ---------------------------------------------------------------------

/// A member asked for a proof of address, against the stub gateway `pdf`.
const PDF_MEMBER: &[(&str, &str)] = &[
    ("token", "member-token"),
    ("business", "1"),
    ("coworker", "1"),
    ("verify", "address"),
    ("address-types", "LeaseRentalAgreement"),
    ("api", "/stub-gateway/pdf"),
    ("poll-seconds", "1"),
];

/// Chooses, in the capture step's file input, a PDF of `pages` pages named `name`, which the
/// browser is told is plain text: only its bytes may say what it is.
fn choose_pdf(host: &web_sys::HtmlElement, name: &str, pages: u32) {
    // This instance's input (other tests' instances may still be on the page).
    let input = query(host, "input[type=file]");
    js_sys::Reflect::set(&web_sys::window().unwrap(), &"pdfInput".into(), &input).unwrap();
    js_sys::eval(&format!(
        r#"(() => {{
  const pages = {pages};
  let pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n";
  const kids = [];
  for (let i = 0; i < pages; i++) kids.push((i + 3) + " 0 R");
  pdf += "2 0 obj << /Type /Pages /Kids [" + kids.join(" ") + "] /Count " + pages + " >> endobj\n";
  for (let i = 0; i < pages; i++) {{
    pdf += (i + 3) + " 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n";
  }}
  pdf += "trailer << /Root 1 0 R >>\n%%EOF\n";
  const file = new File([pdf], {name:?}, {{ type: "text/plain" }});
  const picked = new DataTransfer();
  picked.items.add(file);
  const input = window.pdfInput;
  input.files = picked.files;
  input.dispatchEvent(new Event("change", {{ bubbles: true }}));
}})()"#
    ))
    .unwrap();
}

fn text_in(host: &web_sys::HtmlElement, selector: &str) -> Option<String> {
    host.query_selector(selector)
        .unwrap()
        .and_then(|element| element.text_content())
}

/// Clicks the button whose text is `label`.
fn press(host: &web_sys::HtmlElement, label: &str) {
    let buttons = host.query_selector_all("button").unwrap();
    let button = (0..buttons.length())
        .filter_map(|i| buttons.item(i))
        .find(|button| button.text_content().unwrap_or_default().trim() == label)
        .unwrap_or_else(|| panic!("no button {label:?}"));
    button.unchecked_into::<web_sys::HtmlElement>().click();
}

#[wasm_bindgen_test]
async fn a_pdf_is_kept_as_chosen_shown_by_name_size_and_pages_and_a_refused_one_is_caught() {
    stub_gateway("pdf");
    script(
        "pdf",
        "POST /spaces/coworkeridentitychecks",
        serde_json::json!([[200, {"Value": {"Id": 41}, "WasSuccessful": true}]]),
    );
    let host = fresh_host();
    let _mounted = mount(&host, PDF_MEMBER);
    settle().await;
    agree_and_take_the_first_document(&host).await;

    // A lease's front takes a PDF; the picker says so.
    let input = query(&host, "input[type=file]");
    assert!(
        input
            .get_attribute("accept")
            .unwrap()
            .contains("application/pdf"),
        "{:?}",
        input.get_attribute("accept")
    );
    choose_pdf(&host, "lease-2026.pdf", 3);
    eventually("the PDF's summary", || {
        host.query_selector(".idcheck-pdf").unwrap().is_some()
    })
    .await;
    assert_eq!(
        text_in(&host, ".idcheck-pdf-name").as_deref(),
        Some("lease-2026.pdf")
    );
    let facts = text_in(&host, ".idcheck-pdf-facts").unwrap();
    assert!(facts.starts_with("PDF document, 1 kB"), "{facts}");
    assert!(facts.ends_with("3 pages"), "{facts}");
    assert!(
        host.query_selector(".idcheck-frame canvas")
            .unwrap()
            .is_none(),
        "a PDF is never drawn"
    );
    press(&host, "Use this file");
    settle().await;
    press(&host, "Skip the back");
    settle().await;
    assert!(heading_is(&host, "Check and send"), "{}", host.inner_html());
    assert!(
        text_in(&host, ".idcheck-thumbs")
            .unwrap()
            .contains("lease-2026.pdf"),
        "the review shows the PDF by its name"
    );

    // Sent as it is, a PDF, with the quality line for the reviewer.
    press(&host, "Send for review");
    eventually("the document", || {
        calls_to("pdf", "POST", "/spaces/coworkeridentitycheckdocuments") == 1
    })
    .await;
    let sent = stub_calls("pdf")
        .into_iter()
        .find(|call| call.path == "/spaces/coworkeridentitycheckdocuments")
        .unwrap()
        .body;
    let url = sent["NewDocumentUrl"].as_str().unwrap();
    let (_, bytes) = idcheck_core::files::parse_data_url(url).unwrap();
    assert!(url.starts_with("data:application/pdf;base64,"), "{url}");
    assert_eq!(idcheck_core::files::pdf::page_count(&bytes), Some(3));
    let notes = sent["Notes"].as_str().unwrap();
    assert!(
        notes.ends_with("\nQuality: front uploaded (not analysed)"),
        "{notes}"
    );

    // The reviewer fails it; the member sends new images and picks the very same file.
    script(
        "pdf",
        "GET /spaces/coworkeridentitychecks/41",
        serde_json::json!([[200, {"Id": 41, "VerificationType": 2, "VerificationStatus": 4,
            "LastError": "The address is cut off."}]]),
    );
    eventually("the reviewer's decision", || {
        text_in(&host, ".idcheck-notes").as_deref() == Some("The address is cut off.")
    })
    .await;
    press(&host, "Send new images");
    settle().await;
    choose_pdf(&host, "lease-2026.pdf", 3);
    eventually("the notice", || {
        host.query_selector(".idcheck-capture-refused")
            .unwrap()
            .is_some()
    })
    .await;
    assert!(
        text_in(&host, ".idcheck-capture-refused")
            .unwrap()
            .starts_with("A reviewer already refused a document with this exact image."),
    );
    // Kept anyway: nothing new for the reviewer, so it is not sent.
    press(&host, "Use this file");
    settle().await;
    press(&host, "Skip the back");
    settle().await;
    press(&host, "Send for review");
    settle().await;
    assert_eq!(
        text_in(&host, "[id$='-step-error']").as_deref(),
        Some(
            "These are exactly the images the reviewer refused. Replace at least one of them before sending."
        )
    );
    idcheck::browser::sleep_ms(300).await;
    assert_eq!(
        calls_to("pdf", "POST", "/spaces/coworkeridentitycheckdocuments"),
        1,
        "nothing was sent"
    );

    // Another file: no notice, and it goes.
    press(&host, "Back");
    settle().await;
    press(&host, "Back");
    settle().await;
    press(&host, "Choose another file");
    settle().await;
    choose_pdf(&host, "lease-2026-all-pages.pdf", 4);
    eventually("the new PDF's summary", || {
        text_in(&host, ".idcheck-pdf-facts").is_some_and(|facts| facts.ends_with("4 pages"))
    })
    .await;
    assert!(
        host.query_selector(".idcheck-capture-refused")
            .unwrap()
            .is_none()
    );
    press(&host, "Use this file");
    settle().await;
    press(&host, "Skip the back");
    settle().await;
    press(&host, "Send for review");
    eventually("the second document", || {
        calls_to("pdf", "POST", "/spaces/coworkeridentitycheckdocuments") == 2
    })
    .await;
}

/// Mounts `parts::show` over `load`, as a step of the flow is shown.
fn show_part<Fut>(
    host: &web_sys::HtmlElement,
    load: impl Fn() -> Fut + Clone + 'static,
) -> impl Sized
where
    Fut: std::future::Future<Output = Result<idcheck::parts::Maker, idcheck::parts::Unavailable>>
        + 'static,
{
    mount_to(host.clone(), move || {
        idcheck::parts::show(RwSignal::new(idcheck::i18n::Lang::En), load.clone())
    })
}

/// A part's view: one paragraph.
fn part_view() -> idcheck::parts::Maker {
    std::rc::Rc::new(|| view! { <p class="part-view">"the step"</p> }.into_any())
}

#[wasm_bindgen_test]
fn a_part_already_here_is_shown_at_once_without_a_loading_note() {
    let host = fresh_host();
    let _mounted = show_part(&host, || async { Ok(part_view()) });
    // No tick: a prefetched part's step is there in the same turn, never a flash of "Loading".
    assert_eq!(
        query(&host, ".part-view").text_content().unwrap(),
        "the step"
    );
    assert!(host.query_selector(".idcheck-loading").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn a_part_on_its_way_is_announced_then_shown() {
    let host = fresh_host();
    let _mounted = show_part(&host, || async {
        idcheck::browser::sleep_ms(30).await;
        Ok(part_view())
    });
    let loading = query(&host, ".idcheck-loading");
    assert_eq!(loading.get_attribute("role").as_deref(), Some("status"));
    assert_eq!(loading.text_content().unwrap(), "Loading this step…");
    eventually("the part's view", || {
        host.query_selector(".part-view").unwrap().is_some()
    })
    .await;
    assert!(host.query_selector(".idcheck-loading").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn a_part_that_cannot_be_fetched_says_so_and_is_tried_again() {
    let host = fresh_host();
    let tries = std::rc::Rc::new(std::cell::Cell::new(0u32));
    let counted = tries.clone();
    let _mounted = show_part(&host, move || {
        let attempt = counted.get();
        counted.set(attempt + 1);
        async move {
            if attempt == 0 {
                Err(idcheck::parts::Unavailable)
            } else {
                Ok(part_view())
            }
        }
    });
    eventually("the refusal", || {
        host.query_selector("[role=alert]").unwrap().is_some()
    })
    .await;
    assert!(alert_text(&host).contains("This step could not be loaded"));
    assert!(host.query_selector(".part-view").unwrap().is_none());
    query(&host, "[role=alert] button").click();
    eventually("the part's view after trying again", || {
        host.query_selector(".part-view").unwrap().is_some()
    })
    .await;
    assert!(host.query_selector("[role=alert]").unwrap().is_none());
    assert_eq!(tries.get(), 2);
}
