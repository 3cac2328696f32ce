//! The shipped build's parts (`src/parts.rs`): the steps after the welcome come in wasm modules of
//! their own, fetched while the member reads the step before, so that none waits visibly even on a
//! slow network, and one that could not be fetched is fetched again when its step opens.

use std::time::Duration;

use idcheck_e2e::proxy::{Fault, FaultKind, Pace, Proxy};
use idcheck_e2e::{ApiServer, Browser, PHONE};

/// The first steps' part (purpose, document type, details).
const ANSWERS: &str = "GET /split_answers.wasm";

/// The visit's part, which adopts the welcome step the first module draws.
const VISIT: &str = "GET /split_visit.wasm";

/// A mobile network as `cargo xtask bench` models it: 150 ms round trip, 1.6 Mbit/s down.
const SLOW: Pace = Pace {
    round_trip: Duration::from_millis(150),
    bytes_per_second: 200_000,
};

/// Waits, a bounded while, until `proxy` has seen `route` at least once.
async fn fetched(proxy: &Proxy, browser: &Browser, route: &str) {
    for _ in 0..600 {
        if proxy.count(route) >= 1 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    browser
        .fail(&format!("{route} was never fetched: {:?}", proxy.counts()))
        .await;
}

#[tokio::test]
async fn on_a_slow_network_the_next_steps_part_is_fetched_while_the_member_reads() {
    let server = ApiServer::start(&[]).await;
    let proxy = Proxy::start(&server.url).await;
    proxy.pace(SLOW);
    let url = server.page_at(&proxy.url, "").await;
    let browser = Browser::start(PHONE, None).await;
    browser.client.goto(&url).await.expect("the page opens");
    browser.wait_for_text("h1", "Verify your identity").await;

    // The member only reads; the next steps' part arrives meanwhile.
    fetched(&proxy, &browser, ANSWERS).await;
    browser.agree("parts-slow").await;
    // Already here: the step is shown without a loading note, and its part is not asked for again.
    let shown = browser
        .find(".idcheck-step")
        .await
        .html(false)
        .await
        .unwrap();
    assert!(!shown.contains("idcheck-loading"), "{shown}");
    browser
        .wait_for_text("h1", "What do you need to verify?")
        .await;
    assert_eq!(proxy.count(ANSWERS), 1, "{:?}", proxy.counts());
    // And the parts after it follow, the capture's and the review's, without the member asking.
    fetched(&proxy, &browser, "GET /split_capture.wasm").await;
    fetched(&proxy, &browser, "GET /split_review.wasm").await;
    // A first visit has nothing kept in the tab to read back: that part is never asked for.
    assert_eq!(
        proxy.count("GET /split_resume.wasm"),
        0,
        "{:?}",
        proxy.counts()
    );
    browser.close().await;
}

/// The welcome step of a page whose first fetch of `part` (a route such as [`ANSWERS`]) meets a
/// 500, once that fetch was made and answered. The server and the proxy are returned to be kept.
async fn welcome_with_first_fetch_failing(part: &'static str) -> (ApiServer, Proxy, Browser) {
    let server = ApiServer::start(&[]).await;
    let proxy = Proxy::start(&server.url).await;
    proxy.arm(Fault {
        method: "GET",
        path: part.trim_start_matches("GET "),
        nth: 1,
        kind: FaultKind::Error500,
    });
    let url = server.page_at(&proxy.url, "").await;
    let browser = Browser::start(PHONE, None).await;
    browser.client.goto(&url).await.expect("the page opens");
    // The welcome step is drawn by the first module whatever became of the parts.
    browser.wait_for_text("h1", "Verify your identity").await;
    fetched(&proxy, &browser, part).await;
    for _ in 0..100 {
        if !proxy.fired().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(proxy.fired().len(), 1, "the first fetch met the fault");
    // Let the browser take in the failed answer.
    tokio::time::sleep(Duration::from_millis(500)).await;
    (server, proxy, browser)
}

#[tokio::test]
async fn a_part_that_could_not_be_prefetched_is_fetched_when_its_step_opens() {
    let (_server, proxy, browser) = welcome_with_first_fetch_failing(ANSWERS).await;
    browser.agree("parts-refetched").await;
    browser
        .wait_for_text("h1", "What do you need to verify?")
        .await;
    assert_eq!(proxy.count(ANSWERS), 2, "{:?}", proxy.counts());
    browser.close().await;
}

#[tokio::test]
async fn a_continue_pressed_before_the_visit_is_here_fetches_it_again_and_is_carried_out() {
    // The visit's part (Leptos, the session, every view) fails the first time; agreeing and
    // continuing fetches it again, and the Continue is carried out when it arrives.
    let (_server, proxy, browser) = welcome_with_first_fetch_failing(VISIT).await;
    browser.agree("parts-visit-again").await;
    browser
        .wait_for_text("h1", "What do you need to verify?")
        .await;
    assert_eq!(proxy.count(VISIT), 2, "{:?}", proxy.counts());
    browser.close().await;
}
