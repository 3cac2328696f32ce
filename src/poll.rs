//! Asking the API for news (a check's status, an identification's state) at a polite pace: one
//! question at a time, slower while nothing changes (from the host's `poll-seconds`, doubling up
//! to two minutes), none while the tab is hidden, and none after the API said the member may no
//! longer ask (401 after the token was renewed, or 403).

use std::future::Future;

use idcheck_core::backoff;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::JsFuture;

use crate::api::ApiError;
use crate::browser;

/// Whether to keep polling after an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Continue,
    Stop,
}

/// Asks `ask` until `answered` says stop (it returns `Stop` once the answer is final, or when the
/// view it updates is gone). The first question goes at once.
pub async fn poll<T, Fut>(
    every_seconds: u32,
    ask: impl Fn() -> Fut,
    answered: impl Fn(&Result<T, ApiError>) -> Next,
) where
    T: PartialEq,
    Fut: Future<Output = Result<T, ApiError>>,
{
    poll_up_to(every_seconds, backoff::POLL_MAX_SECONDS, ask, answered).await;
}

/// [`poll`], never waiting more than `max_seconds` between two questions.
pub async fn poll_up_to<T, Fut>(
    every_seconds: u32,
    max_seconds: u32,
    ask: impl Fn() -> Fut,
    answered: impl Fn(&Result<T, ApiError>) -> Next,
) where
    T: PartialEq,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let mut last: Option<T> = None;
    let mut unchanged = 0;
    loop {
        visible().await;
        let answer = ask().await;
        let refused = matches!(answer, Err(ApiError::Unauthorized | ApiError::Forbidden(_)));
        if answered(&answer) == Next::Stop || refused {
            return;
        }
        match answer {
            Ok(news) if last.as_ref() != Some(&news) => {
                unchanged = 0;
                last = Some(news);
            }
            _ => unchanged += 1,
        }
        let seconds = backoff::poll_delay_seconds_up_to(every_seconds, unchanged, max_seconds);
        browser::sleep_ms(seconds.saturating_mul(1000)).await;
    }
}

/// Returns once the page is visible: at once, or when the member comes back to the tab.
async fn visible() {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    // Each pass waits for one visibility change; a page cannot change it more than a few times a
    // second, and the loop ends as soon as the page shows.
    while document.hidden() {
        let changed = js_sys::Promise::new(&mut |resolve, _| {
            let once = Closure::once_into_js(move || {
                let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
            });
            let options = web_sys::AddEventListenerOptions::new();
            options.set_once(true);
            let _ = document.add_event_listener_with_callback_and_add_event_listener_options(
                "visibilitychange",
                once.unchecked_ref(),
                &options,
            );
        });
        let _ = JsFuture::from(changed).await;
    }
}
