//! Kiosk mode: a shared tablet at a front desk. An idle member is asked whether they are still
//! there and, without an answer, the component starts afresh; a finished member sees a thank-you,
//! then the next person gets a clean component. Starting afresh remounts the whole component, so
//! no image, detail, token or camera of the previous member survives.

use std::time::Duration;

use idcheck_core::flow::Step;
use leptos::prelude::*;

use crate::config::{Access, Kiosk};
use crate::i18n::{Lang, Text, t};
use crate::session::Session;

/// When the member last touched, typed or clicked in this instance.
#[derive(Clone, Copy)]
pub struct Activity {
    last: RwSignal<f64>,
}

impl Activity {
    pub fn new() -> Activity {
        Activity {
            last: RwSignal::new(js_sys::Date::now()),
        }
    }

    pub fn touch(&self) {
        self.last.set(js_sys::Date::now());
    }

    /// Milliseconds since the last touch.
    pub fn idle_ms(&self) -> f64 {
        js_sys::Date::now() - self.last.get_untracked()
    }
}

impl Default for Activity {
    fn default() -> Self {
        Activity::new()
    }
}

/// What the guard shows.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Notice {
    None,
    /// Idle: starting again in so many seconds unless the member answers.
    StillThere(u32),
    /// Finished: the next person can start in so many seconds.
    Thanks(u32),
}

fn seconds_left(total: u32, elapsed_ms: f64) -> u32 {
    (f64::from(total) - elapsed_ms / 1000.0).ceil().max(0.0) as u32
}

/// Watches the member's activity once a second and resets the component when the kiosk's
/// timings run out.
#[component]
pub fn Guard(kiosk: Kiosk, activity: Activity) -> impl IntoView {
    let session = expect_context::<Session>();
    // A member who typed their invitation code is known from the first screen on: their token
    // must not wait on the welcome step for the next person.
    let from_code = session
        .config
        .with_value(|config| config.access != Access::Configured);
    let notice = RwSignal::new(Notice::None);
    let finished_at = RwSignal::new(None::<f64>);
    Effect::new(move |_| {
        // A member who carried on on their own phone is done here too: the phone has its own token.
        let done = session.step() == Step::Submitted || session.handed_to_phone();
        finished_at.set(done.then(js_sys::Date::now));
    });
    // Starting afresh while a hand-off's link is on screen and unused withdraws it, so whoever
    // saw the screen after the member walked away cannot carry on their visit.
    let withdrawal = std::sync::Arc::new(std::sync::Mutex::new(None));
    let tracked = std::sync::Arc::clone(&withdrawal);
    Effect::new(move |_| {
        let unused = session.unused_link_withdrawal();
        *tracked
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = unused;
    });
    on_cleanup(move || {
        let unused = withdrawal
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(unused) = unused {
            unused.send();
        }
    });
    let tick = move || {
        let now = js_sys::Date::now();
        let (step, started) = session
            .flow
            .with_untracked(|flow| (flow.step(), flow.consented()));
        let next = if let Some(finished) = finished_at.get_untracked() {
            Notice::Thanks(seconds_left(kiosk.thanks_seconds, now - finished))
        } else if step == Step::Welcome && !started && !from_code {
            Notice::None // nothing of a member to clear yet
        } else {
            let idle = activity.idle_ms();
            let idle_limit = f64::from(kiosk.idle_seconds) * 1000.0;
            if idle < idle_limit {
                Notice::None
            } else {
                Notice::StillThere(seconds_left(kiosk.countdown_seconds, idle - idle_limit))
            }
        };
        if matches!(next, Notice::StillThere(0) | Notice::Thanks(0)) {
            session.host.with_value(|host| host.request_reset());
        }
        notice.set(next);
    };
    if let Ok(handle) = set_interval_with_handle(tick, Duration::from_secs(1)) {
        on_cleanup(move || handle.clear());
    }

    move || {
        match notice.get() {
        Notice::None => None,
        Notice::StillThere(left) => Some(
            view! {
                <div class="idcheck-kiosk-notice" role="alertdialog" aria-live="assertive" aria-labelledby=session.id("kiosk-title")>
                    <h2 id=session.id("kiosk-title")>{session.t(Text::KioskStillThere)}</h2>
                    <p>{session.t_count(Text::KioskResetIn, left)}</p>
                    <button type="button" class="idcheck-primary" on:click=move |_| {
                        activity.touch();
                        notice.set(Notice::None);
                    }>
                        {session.t(Text::KioskKeepGoing)}
                    </button>
                </div>
            }
            .into_any(),
        ),
        Notice::Thanks(left) => Some(
            view! {
                <div class="idcheck-kiosk-notice idcheck-kiosk-thanks" role="status">
                    <p>{session.t_count(Text::KioskThanks, left)}</p>
                    <button type="button" class="idcheck-primary" on:click=move |_| {
                        session.host.with_value(|host| host.request_reset());
                    }>
                        {session.t(Text::KioskNextPerson)}
                    </button>
                </div>
            }
            .into_any(),
        ),
    }
    }
}

/// Puts the page in full screen, for a kiosk without browser chrome. It takes the language
/// rather than the session, so the code screen (before any member's session) offers it too.
#[component]
pub fn FullScreen(lang: RwSignal<Lang>) -> impl IntoView {
    view! {
        <button type="button" class="idcheck-link" on:click=move |_| {
            if let Some(root) = document().document_element() {
                let _ = root.request_fullscreen();
            }
        }>
            {move || t(lang.get(), Text::KioskFullscreen)}
        </button>
    }
}

/// The camera a kiosk last used for `facing`, remembered for the device (not for a member).
pub fn remembered_camera(facing: &str) -> Option<String> {
    storage()?.get_item(&camera_key(facing)).ok().flatten()
}

pub fn remember_camera(facing: &str, device_id: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(&camera_key(facing), device_id);
    }
}

fn camera_key(facing: &str) -> String {
    format!("idcheck.kiosk.camera.{facing}")
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[test]
    fn countdowns_round_up_and_stop_at_zero() {
        assert_eq!(seconds_left(15, 0.0), 15);
        assert_eq!(seconds_left(15, 14_100.0), 1);
        assert_eq!(seconds_left(15, 15_000.0), 0);
        assert_eq!(seconds_left(15, 99_000.0), 0);
    }
}
