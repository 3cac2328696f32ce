//! The browser's back and forward buttons move between steps instead of leaving the page: each
//! step gets a `#fragment`, and a history entry is pushed when the step changes.

use idcheck_core::flow::Step;
use idcheck_core::slots::Slot;
use leptos::prelude::*;

use crate::session::Session;

pub fn fragment(step: Step) -> &'static str {
    match step {
        Step::Welcome => "welcome",
        Step::Purpose => "purpose",
        Step::DocumentType => "document",
        Step::Details => "details",
        Step::Capture(Slot::Photo) => "photo",
        Step::Capture(Slot::Front) => "front",
        Step::Capture(Slot::Back) => "back",
        Step::Review => "review",
        Step::Submitted => "submitted",
    }
}

pub fn step_for(fragment: &str) -> Option<Step> {
    let steps = [
        Step::Welcome,
        Step::Purpose,
        Step::DocumentType,
        Step::Details,
        Step::Capture(Slot::Photo),
        Step::Capture(Slot::Front),
        Step::Capture(Slot::Back),
        Step::Review,
        Step::Submitted,
    ];
    let fragment = fragment.trim_start_matches('#');
    steps
        .into_iter()
        .find(|step| self::fragment(*step) == fragment)
}

fn current_fragment() -> String {
    window().location().hash().unwrap_or_default()
}

fn write(step: Step, push: bool) {
    let Ok(history) = window().history() else {
        return;
    };
    let url = format!("#{}", fragment(step));
    let _ = if push {
        history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
    } else {
        history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
    };
}

/// Keeps the address bar's fragment in step with the flow, and follows the back/forward buttons.
pub fn follow(session: Session) {
    let step = Memo::new(move |_| session.step());
    Effect::new(move |previous: Option<Step>| {
        let step = step.get();
        if current_fragment() != format!("#{}", fragment(step)) {
            // The first step replaces the entry the page was opened with.
            write(step, previous.is_some());
        }
        step
    });
    let listener = window_event_listener(leptos::ev::popstate, move |_| {
        let wanted = step_for(&current_fragment());
        let moved = wanted.is_some_and(|wanted| session.go_to(wanted));
        if !moved {
            // A step that cannot be shown now (not reached yet, or already sent): stay.
            write(step.get_untracked(), false);
        }
    });
    on_cleanup(move || listener.remove());
}
