//! Carrying a visit over to the member's phone (issue 15). On this device (a laptop, a kiosk) the
//! member asks for a hand-off: the gateway answers a single-use link and a short code, which the
//! view shows as a QR code, and this device then follows the hand-off (polled with backoff) until
//! the phone opened it, sent the document, or it expired; the member may take it back at any time,
//! which revokes the phone's token. On the phone, the link's code is redeemed for a token of the
//! same member and the progress this device passed on: the flow's snapshot (answers, reference,
//! attempt, record ids; never an image, never a token) and the host's settings that shape the
//! check, so the phone carries on where this device was and asks for nothing already answered.
//!
//! Images stay on the device that took them: the phone takes its own, and nothing it captures
//! passes through this device. The QR code carries the link only, never a token.

use idcheck_core::backoff;
use idcheck_core::flow::{Flow, Purpose, Snapshot, Step};
use idcheck_core::slots::Slot;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{Value, json};

use crate::api::{ApiError, HandedOver, Handoff, HandoffState, HandoffStatus, retrying_lost};
use crate::config::Mode;
use crate::host::{Detail, Event};
use crate::i18n::Text;
use crate::poll::{Next, poll_up_to};
use crate::session::{Session, SubmitState, failure_text};

/// What this device is, for whether to offer the phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Device {
    /// A phone or a tablet: touch first, with a camera of its own worth using.
    pub handheld: bool,
    /// Whether a camera is connected; `None` until the browser said.
    pub camera: Option<bool>,
}

/// Whether "Continue on my phone" is offered on `step`: on the welcome step always, and on a
/// capture step where a phone would do better (this device is not a phone, or has no camera) or
/// at a kiosk, which serves its members for as long as they like but not longer.
pub fn offered(step: Step, device: Device, kiosk: bool) -> bool {
    match step {
        Step::Welcome => true,
        Step::Capture(_) => kiosk || !device.handheld || device.camera == Some(false),
        _ => false,
    }
}

/// Where the visit is.
#[derive(Debug, Clone, PartialEq)]
pub enum HandOff {
    /// On this device.
    Here,
    /// Asking the gateway for a link.
    Starting,
    /// The gateway made none.
    Failed(ApiError),
    /// Handed to a phone (or waiting for one).
    Away(Away),
}

/// A hand-off this device follows.
#[derive(Debug, Clone, PartialEq)]
pub struct Away {
    pub id: String,
    /// What the phone needs. `None` once it was used, and after this page was reloaded (the link
    /// is a secret: it is shown once and kept nowhere).
    pub link: Option<Link>,
    /// When the link stops working (`Date.now()` milliseconds).
    pub expires_at: f64,
    pub phase: Phase,
    /// A request of the member's (take it back, a new code) is on its way.
    pub busy: bool,
    /// Why the last request of the member's, or following it, failed.
    pub problem: Option<ApiError>,
}

/// The link and the code, as shown to the member.
#[derive(Clone, PartialEq)]
pub struct Link {
    pub url: String,
    pub code: String,
}

/// Never printed: either opens the member's visit.
impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Link { .. }")
    }
}

impl Link {
    /// The short code as it is read out and typed: `K7M3-QX9A`.
    pub fn grouped_code(&self) -> String {
        let code = &self.code;
        match (code.get(..4), code.get(4..)) {
            (Some(head), Some(tail)) if code.len() == 8 => format!("{head}-{tail}"),
            _ => code.clone(),
        }
    }

    /// Where a phone that cannot scan types the code: the link's page, without its secret.
    pub fn typing_address(&self) -> String {
        let page = self.url.split('#').next().unwrap_or_default();
        format!("{page}#handoff")
    }
}

/// How far the phone got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Waiting,
    Opened,
    Expired,
}

/// One session's hand-off: where the visit is, and what the device is.
#[derive(Clone, Copy)]
pub struct Handoffs {
    pub state: RwSignal<HandOff>,
    pub device: RwSignal<Device>,
}

impl Handoffs {
    pub fn new() -> Handoffs {
        let device = RwSignal::new(Device {
            handheld: handheld(),
            camera: None,
        });
        spawn_local(async move {
            let camera = !crate::camera::video_inputs().await.is_empty();
            let _ = device.try_update(|device| device.camera = Some(camera));
        });
        Handoffs {
            state: RwSignal::new(HandOff::Here),
            device,
        }
    }
}

impl Default for Handoffs {
    fn default() -> Handoffs {
        Handoffs::new()
    }
}

/// Whether this is a phone or a tablet: a mobile browser, or a screen driven by touch alone.
fn handheld() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let agent = window.navigator().user_agent().unwrap_or_default();
    let mobile = ["Mobi", "Android", "iPhone", "iPad", "iPod"]
        .iter()
        .any(|mark| agent.contains(mark));
    let touch_only = window
        .match_media("(pointer: coarse) and (hover: none)")
        .ok()
        .flatten()
        .is_some_and(|query| query.matches());
    mobile || touch_only
}

/// What the phone receives: the flow's snapshot without its images (they stay where they were
/// taken: the phone takes its own) and the host's settings that shape the check.
pub fn progress(flow: &Flow, settings: Vec<(String, String)>) -> Value {
    let mut flow = flow.clone();
    for slot in Slot::ALL {
        flow.discard(slot);
    }
    json!({ "Flow": flow.snapshot(), "Settings": settings })
}

/// What a phone makes of the progress it received: the snapshot to continue (if it reads as one)
/// and the settings the other device handed on.
pub fn arrived(progress: Option<&Value>) -> (Option<Snapshot>, Vec<(String, String)>) {
    let Some(progress) = progress else {
        return (None, Vec::new());
    };
    let snapshot = progress
        .get("Flow")
        .and_then(|flow| serde_json::from_value(flow.clone()).ok());
    let settings = progress
        .get("Settings")
        .and_then(|settings| serde_json::from_value(settings.clone()).ok())
        .unwrap_or_default();
    (snapshot, settings)
}

/// The phone's session for a redeemed hand-off, under `config` (the phone's page): the member's
/// token and ids, the settings handed on, and the flow where the other device left it. Also
/// returns the settings that make the same visit again, for a reload.
pub fn handed_over_session(
    config: &crate::config::Config,
    lang: crate::i18n::Lang,
    host: crate::host::Host,
    member: &HandedOver,
) -> (Session, Vec<(String, String)>) {
    let (snapshot, handed) = arrived(member.progress.as_ref());
    let (config, settings) = config.continuing(
        &member.token,
        member.coworker_id,
        member.business_id,
        &handed,
    );
    let api = crate::api::Api::new(config.api_base.clone(), member.token.clone(), None);
    let session = Session::continuing(config, lang, host, api, snapshot);
    (session, settings)
}

/// Where a member-mode page keeps the hand-off it follows, so that a reload follows it still.
const KEPT_PREFIX: &str = "idcheck-handoff:";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

impl Session {
    /// Whether "Continue on my phone" is offered now (tracked).
    pub fn offers_phone(&self) -> bool {
        let kiosk = self
            .config
            .with_value(|config| matches!(config.mode, Mode::Kiosk(_)));
        self.handoff.state.with(|state| *state == HandOff::Here)
            && offered(self.step(), self.handoff.device.get(), kiosk)
    }

    /// Whether the phone opened the hand-off (tracked).
    pub fn handed_to_phone(&self) -> bool {
        self.handoff
            .state
            .with(|state| matches!(state, HandOff::Away(away) if away.phase == Phase::Opened))
    }

    fn is_kiosk(&self) -> bool {
        self.config
            .with_value(|config| matches!(config.mode, Mode::Kiosk(_)))
    }

    /// The member chose to continue on their phone: ask the gateway for a hand-off and show it.
    pub fn continue_on_phone(&self) {
        if matches!(
            self.handoff.state.get_untracked(),
            HandOff::Starting | HandOff::Away(_)
        ) {
            return;
        }
        self.handoff.state.set(HandOff::Starting);
        self.announce(Text::HandoffPreparing);
        let session = *self;
        spawn_local(async move { session.start_handoff().await });
    }

    async fn start_handoff(self) {
        let Some(api) = self.api.try_get_value() else {
            return;
        };
        let Some(progress) = self.flow.try_with_untracked(|flow| {
            let settings = self
                .config
                .with_value(|config| config.handed_on(self.lang.get_untracked()));
            progress(flow, settings)
        }) else {
            return;
        };
        // One key for this request and its automatic retries: a lost answer gets the same
        // hand-off again (with new codes), never a second one.
        let key = format!("idcheck-handoff-{}", crate::browser::random_reference());
        let created = retrying_lost(|| api.create_handoff(&progress, Some(&key))).await;
        let still_wanted = self
            .handoff
            .state
            .try_with_untracked(|state| *state == HandOff::Starting)
            .unwrap_or(false);
        match created {
            Ok(handoff) if !still_wanted => {
                // The member went back meanwhile: nobody will show this link, so it must not work.
                let _ = api.cancel_handoff(&handoff.id).await;
            }
            Ok(handoff) => self.show(handoff),
            Err(_) if !still_wanted => {}
            Err(error) => {
                self.announce(failure_text(&error));
                self.handoff.state.set(HandOff::Failed(error));
            }
        }
    }

    fn show(&self, handoff: Handoff) {
        let away = Away {
            id: handoff.id.clone(),
            link: Some(Link {
                url: handoff.url,
                code: handoff.code,
            }),
            expires_at: js_sys::Date::now() + f64::from(handoff.expires_in_seconds) * 1000.0,
            phase: Phase::Waiting,
            busy: false,
            problem: None,
        };
        self.keep_away(&away);
        self.handoff.state.set(HandOff::Away(away));
        self.announce(Text::HandoffWaiting);
        self.follow_handoff(handoff.id);
    }

    /// Follows the hand-off `id` until it is over, or no longer the one shown.
    pub(crate) fn follow_handoff(&self, id: String) {
        let session = *self;
        let api = self.api.get_value();
        let asked = id.clone();
        spawn_local(poll_up_to(
            backoff::HANDOFF_POLL_SECONDS,
            backoff::HANDOFF_POLL_MAX_SECONDS,
            move || {
                let api = api.clone();
                let id = asked.clone();
                async move { api.handoff(&id).await }
            },
            move |answer| session.followed(&id, answer),
        ));
    }

    /// What an answer about hand-off `id` changes, and whether to keep asking.
    fn followed(&self, id: &str, answer: &Result<HandoffStatus, ApiError>) -> Next {
        let current = self.handoff.state.try_with_untracked(|state| match state {
            HandOff::Away(away) if away.id == id => Some(away.clone()),
            _ => None,
        });
        let Some(Some(mut away)) = current else {
            return Next::Stop; // taken back, replaced, or the component is gone
        };
        let status = match answer {
            Ok(status) => status.clone(),
            // The gateway forgot it (a day after it expired): it can no longer be used.
            Err(ApiError::NotFound(_)) => HandoffStatus {
                state: HandoffState::Expired,
                check_id: None,
                document_id: None,
            },
            Err(error) => {
                // Said only when following cannot go on; a passing failure is asked again.
                if matches!(error, ApiError::Unauthorized | ApiError::Forbidden(_)) {
                    away.problem = Some(error.clone());
                    self.handoff.state.set(HandOff::Away(away));
                }
                return Next::Continue;
            }
        };
        match status.state {
            HandoffState::Submitted => {
                self.handed_back_submitted(&status);
                Next::Stop
            }
            HandoffState::Cancelled => {
                // Taken back elsewhere (another tab of this member): this device has the visit.
                self.back_here();
                Next::Stop
            }
            HandoffState::Expired => {
                if away.phase != Phase::Expired {
                    away.phase = Phase::Expired;
                    away.link = None;
                    self.announce(Text::HandoffExpired);
                    self.handoff.state.set(HandOff::Away(away));
                }
                Next::Stop
            }
            HandoffState::Opened => {
                if away.phase != Phase::Opened {
                    away.phase = Phase::Opened;
                    away.link = None;
                    self.announce(if self.is_kiosk() {
                        Text::HandoffOpenedKiosk
                    } else {
                        Text::HandoffOpened
                    });
                    self.handoff.state.set(HandOff::Away(away));
                }
                Next::Continue
            }
            HandoffState::Waiting | HandoffState::Unknown => Next::Continue,
        }
    }

    /// The phone sent the document: this device shows the submitted step, with its records.
    fn handed_back_submitted(&self, status: &HandoffStatus) {
        let (Some(check_id), Some(document_id)) = (status.check_id, status.document_id) else {
            self.back_here();
            return;
        };
        self.forget_images();
        self.submit.set(SubmitState::Idle);
        self.flow.update(|flow| {
            flow.record_check_created(check_id);
            flow.record_document_created(document_id);
        });
        self.forget_away();
        self.handoff.state.set(HandOff::Here);
        self.announce(Text::HandoffSent);
        self.emit(
            Event::DocumentCreated,
            &[
                ("checkId", Detail::Number(check_id as f64)),
                ("documentId", Detail::Number(document_id as f64)),
            ],
        );
        // The phone may have chosen what to verify: the check says which it was.
        let session = *self;
        spawn_local(async move {
            let Some(api) = session.api.try_get_value() else {
                return;
            };
            let purpose = match api.check(check_id).await {
                Ok(check) => Purpose::for_verification_type(check.verification_type),
                Err(_) => session.flow.try_with_untracked(Flow::purpose).flatten(),
            };
            session.emit(
                Event::Completed,
                &[
                    ("checkId", Detail::Number(check_id as f64)),
                    ("documentId", Detail::Number(document_id as f64)),
                    (
                        "purpose",
                        Detail::Text(match purpose {
                            Some(Purpose::Address) => "address",
                            _ => "identity",
                        }),
                    ),
                ],
            );
        });
    }

    fn back_here(&self) {
        self.forget_away();
        self.handoff.state.set(HandOff::Here);
        self.announce(Text::HandoffBackHere);
    }

    /// "Continue on this device instead": the hand-off is taken back (its link stops working and
    /// the phone's token is revoked), and the member is where they were. Unless the phone sent
    /// the document meanwhile: then that is shown.
    pub fn continue_here(&self) {
        let away = match self.handoff.state.get_untracked() {
            HandOff::Away(away) if !away.busy => away,
            HandOff::Away(_) => return,
            HandOff::Here => return,
            // Nothing was handed out (or what is being made is cancelled when it arrives).
            HandOff::Starting | HandOff::Failed(_) => {
                self.back_here();
                return;
            }
        };
        self.take_back(away, false);
    }

    /// A new link and code, the previous one taken back first.
    pub fn new_phone_code(&self) {
        if let HandOff::Away(away) = self.handoff.state.get_untracked()
            && !away.busy
        {
            self.take_back(away, true);
        }
    }

    fn take_back(&self, mut away: Away, then_new_code: bool) {
        away.busy = true;
        away.problem = None;
        self.handoff.state.set(HandOff::Away(away.clone()));
        let session = *self;
        spawn_local(async move {
            let Some(api) = session.api.try_get_value() else {
                return;
            };
            // A DELETE again leaves the same: safe to send again after a lost answer.
            let answer = retrying_lost(|| api.cancel_handoff(&away.id)).await;
            if session.handoff.state.try_get_untracked().is_none() {
                return;
            }
            match answer {
                Ok(status) if status.state == HandoffState::Submitted => {
                    session.handed_back_submitted(&status)
                }
                // Gone already (forgotten after it expired): nothing can use it.
                Ok(_) | Err(ApiError::NotFound(_)) if then_new_code => {
                    session.forget_away();
                    session.handoff.state.set(HandOff::Here);
                    session.continue_on_phone();
                }
                Ok(_) | Err(ApiError::NotFound(_)) => session.back_here(),
                Err(error) => {
                    // Still out there: the member must not go on here while a phone may send.
                    session.announce(Text::HandoffTakeBackFailed);
                    session.handoff.state.set(HandOff::Away(Away {
                        busy: false,
                        problem: Some(error),
                        ..away
                    }));
                }
            }
        });
    }

    /// At a kiosk, how to withdraw the link on screen should the kiosk start afresh before a
    /// phone opened it: the member walked away, and the link must not work for whoever saw the
    /// screen (tracked).
    pub fn unused_link_withdrawal(&self) -> Option<crate::api::Withdrawal> {
        if !self.is_kiosk() {
            return None;
        }
        let unused = self.handoff.state.with(|state| match state {
            HandOff::Away(away) if away.phase == Phase::Waiting => Some(away.id.clone()),
            _ => None,
        })?;
        self.api.with_value(|api| api.withdrawal(&unused))
    }

    fn kept_key(&self) -> String {
        self.host
            .with_value(|host| format!("{KEPT_PREFIX}{}", host.id_prefix))
    }

    /// Keeps which hand-off this member-mode page follows (its id and expiry; never the link or
    /// the code), so that after a reload the page still follows it instead of letting the member
    /// go on here while a phone has the visit.
    fn keep_away(&self, away: &Away) {
        if !self.resumable {
            return;
        }
        // Form-encoded rather than JSON: reading it back after a reload is in the first load,
        // which carries no JSON parser.
        if let Some(storage) = storage()
            && let Ok(kept) = web_sys::UrlSearchParams::new()
        {
            kept.append("id", &away.id);
            kept.append("expires", &away.expires_at.to_string());
            let _ = storage.set_item(&self.kept_key(), &String::from(kept.to_string()));
        }
    }

    fn forget_away(&self) {
        if self.resumable
            && let Some(storage) = storage()
        {
            let _ = storage.remove_item(&self.kept_key());
        }
    }

    /// After a reload: follows the hand-off the page followed before it, if any.
    pub fn follow_kept_handoff(&self) {
        if !self.resumable {
            return;
        }
        let Some(kept) =
            storage().and_then(|storage| storage.get_item(&self.kept_key()).ok().flatten())
        else {
            return;
        };
        let kept = web_sys::UrlSearchParams::new_with_str(&kept).ok();
        let field = |name: &str| kept.as_ref().and_then(|kept| kept.get(name));
        let expires_at = field("expires").map(|text| js_sys::Number::parse_float(&text));
        let (Some(id), Some(expires_at)) = (field("id"), expires_at.filter(|at| at.is_finite()))
        else {
            self.forget_away();
            return;
        };
        self.handoff.state.set(HandOff::Away(Away {
            id: id.clone(),
            link: None,
            expires_at,
            phase: Phase::Waiting,
            busy: false,
            problem: None,
        }));
        // Following it is the hand-off's part, as its screen is.
        let session = *self;
        spawn_local(async move {
            let _ = crate::parts::follow_handoff(session, id).await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    const LAPTOP: Device = Device {
        handheld: false,
        camera: Some(true),
    };
    const PHONE: Device = Device {
        handheld: true,
        camera: Some(true),
    };

    #[test]
    fn the_phone_is_offered_where_it_would_do_better() {
        for device in [LAPTOP, PHONE] {
            assert!(offered(Step::Welcome, device, false), "{device:?}");
            assert!(!offered(Step::Review, device, false), "{device:?}");
            assert!(!offered(Step::Details, device, true), "{device:?}");
        }
        let capture = Step::Capture(Slot::Front);
        assert!(offered(capture, LAPTOP, false));
        assert!(!offered(capture, PHONE, false));
        let blind_phone = Device {
            camera: Some(false),
            ..PHONE
        };
        assert!(offered(capture, blind_phone, false));
        assert!(offered(capture, PHONE, true), "a kiosk always offers it");
    }

    #[test]
    fn the_phone_carries_on_with_the_answers_given() {
        use idcheck_core::flow::{Details, PurposeSetting, Settings};
        use idcheck_core::model::IdentityDocumentType;
        use idcheck_core::slots::DocumentKind;

        let settings = Settings {
            business_id: 1,
            coworker_id: 7,
            check_name: "Identity check".into(),
            purpose: PurposeSetting::Only(Purpose::Identity),
            identity_types: Vec::new(),
            address_types: Vec::new(),
        };
        let today = idcheck_core::date::Date::new(2026, 1, 1).unwrap();
        let mut flow = Flow::new(settings.clone(), "ref-1".into());
        flow.set_consent(true);
        flow.next(today).unwrap();
        flow.choose_document(DocumentKind::Identity(IdentityDocumentType::Passport));
        flow.next(today).unwrap();
        flow.edit_details(Details {
            number: "PA1234567".into(),
            issued_by: "Kingdom of Spain".into(),
            expires: "2031-03-15".into(),
        });
        assert_eq!(flow.next(today), Ok(Step::Capture(Slot::Photo)));

        let handed = vec![("verify".to_string(), "identity".to_string())];
        let sent = progress(&flow, handed.clone());
        let text = sent.to_string();
        assert!(!text.contains("token"), "{text}");
        let (snapshot, settings_received) = arrived(Some(&sent));
        assert_eq!(settings_received, handed);
        let resumed = Flow::resume(settings, snapshot.expect("a snapshot"), today).unwrap();
        assert_eq!(resumed.flow.step(), Step::Capture(Slot::Photo));
        assert_eq!(resumed.flow.details(), flow.details());
        assert_eq!(resumed.flow.submission().reference, "ref-1");
        assert!(resumed.lost.is_empty());
        assert_eq!(arrived(None), (None, Vec::new()));
        assert_eq!(arrived(Some(&json!({"Flow": 3}))).0, None);
    }

    #[test]
    fn a_code_is_grouped_and_typed_at_the_page_without_the_secret() {
        let link = Link {
            url: "https://gw.example/#handoff=00ff".into(),
            code: "K7M3QX9A".into(),
        };
        assert_eq!(link.grouped_code(), "K7M3-QX9A");
        assert_eq!(link.typing_address(), "https://gw.example/#handoff");
        assert_eq!(format!("{link:?}"), "Link { .. }");
    }
}
