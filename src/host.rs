//! What the component knows of the page it lives in: the element it is mounted in (where its events
//! are dispatched), the host's token provider, and how the host asked to be reset. One value per
//! mounted instance, so several instances on one page never share anything.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

/// The events the component dispatches on its mount element, as `CustomEvent`s that bubble.
/// Their `detail` never carries an image or a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// `{step, position, total}` whenever the member reaches a step.
    StepChanged,
    /// `{checkId}` once the check record exists.
    CheckCreated,
    /// `{checkId, documentId}` once the document record exists.
    DocumentCreated,
    /// `{checkId, documentId, purpose}` when a submission is complete.
    Completed,
    /// `{step}` when the member chose to leave.
    Cancelled,
    /// `{code, message}`; `code` is stable (see `ErrorCode`).
    Error,
}

impl Event {
    pub fn name(self) -> &'static str {
        match self {
            Event::StepChanged => "idcheck:step",
            Event::CheckCreated => "idcheck:check-created",
            Event::DocumentCreated => "idcheck:document-created",
            Event::Completed => "idcheck:completed",
            Event::Cancelled => "idcheck:cancelled",
            Event::Error => "idcheck:error",
        }
    }
}

/// What became of the host's `invitation` setting in this mounted instance. It outlives resets
/// (a code can be redeemed once) but never the instance: unmounting forgets it.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum InvitationUse {
    /// Not tried yet: redeem it at start.
    #[default]
    Unused,
    /// Redeemed in member mode: a reset starts again at the welcome step for this member.
    Admitted(crate::api::Redeemed),
    /// Tried (in a kiosk, or without success): a reset asks for a code instead, so a kiosk keeps
    /// nothing of the member and a refused code is not sent again by itself.
    Spent,
}

/// A value of an event's `detail`.
pub enum Detail<'a> {
    Text(&'a str),
    Number(f64),
}

#[derive(Clone)]
pub struct Host {
    /// Where events go; `None` in tests that mount without a host.
    pub element: Option<web_sys::HtmlElement>,
    /// Called for a fresh bearer token at start and after a 401.
    pub token_provider: Option<js_sys::Function>,
    /// Starts the component afresh, as a new member would find it.
    pub reset: Option<Rc<dyn Fn()>>,
    /// Prefix of the element ids of this instance, unique on the page.
    pub id_prefix: String,
    /// What became of the `invitation` setting; shared by every start of this instance only.
    pub invitation: Rc<RefCell<InvitationUse>>,
}

impl Default for Host {
    fn default() -> Host {
        Host {
            element: None,
            token_provider: None,
            reset: None,
            id_prefix: "idcheck".into(),
            invitation: Rc::default(),
        }
    }
}

impl Host {
    pub fn emit(&self, event: Event, detail: &[(&str, Detail<'_>)]) {
        let Some(element) = &self.element else { return };
        let object = Object::new();
        for (key, value) in detail {
            let value = match value {
                Detail::Text(text) => JsValue::from_str(text),
                Detail::Number(number) => JsValue::from_f64(*number),
            };
            let _ = Reflect::set(&object, &JsValue::from_str(key), &value);
        }
        let init = web_sys::CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(&object);
        if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(event.name(), &init) {
            let _ = element.dispatch_event(&event);
        }
    }

    /// Asks for a reset after the current event handler has finished, so the component is never
    /// taken down from inside one of its own callbacks.
    pub fn request_reset(&self) {
        let Some(reset) = self.reset.clone() else {
            return;
        };
        let run = Closure::once_into_js(move || reset());
        if let Some(window) = web_sys::window() {
            let _ = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(run.unchecked_ref(), 0);
        }
    }
}
