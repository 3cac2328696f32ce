//! One member's visit: the core's `Flow`, the images the browser holds for it, and the submission's
//! progress, with the actions the views call. The views read this state; the rules stay in the core.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::Arc;

use idcheck_core::capture::{Capture, Method, Quality};
use idcheck_core::files::{self, FileType, ImageType};
use idcheck_core::flow::{
    Blocker, CheckWrite, Flow, Milestone, Purpose, PurposeSetting, Resumed, Step,
};
use idcheck_core::model::VerificationStatus;
use idcheck_core::slots::Slot;
use leptos::prelude::*;

use crate::api::{Api, ApiError, FieldError, Redeemed, retrying_lost};
use crate::browser;
use crate::camera::Frame;
use crate::config::{Config, Mode, Uploads};
use crate::host::{Detail, Event, Host};
use crate::i18n::{Lang, Text, t};

/// An accepted file: an image encoded as JPEG, or a PDF exactly as the member chose it (an
/// address document's pages, never re-encoded).
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    pub bytes: Arc<Vec<u8>>,
    /// The image's size in pixels (0 for a PDF).
    pub width: u32,
    pub height: u32,
    /// What is shown of a PDF instead of a preview; `None` for an image.
    pub pdf: Option<PdfFile>,
}

/// A PDF's summary for the member: its name and, when it can be counted reliably, its pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfFile {
    pub name: String,
    pub pages: Option<u32>,
}

impl Image {
    /// The type of [`Image::bytes`], as sent.
    pub fn file_type(&self) -> FileType {
        match self.pdf {
            Some(_) => FileType::Pdf,
            None => FileType::Image(ImageType::Jpeg),
        }
    }
}

/// Where submitting stands.
#[derive(Debug, Clone, PartialEq)]
pub enum SubmitState {
    Idle,
    Running(Milestone),
    /// Stopped at `at`. Whether a record may exist although no answer said so is the flow's to
    /// know (a write of the attempt was sent): the retry then looks for it before writing.
    Failed {
        at: Milestone,
        error: ApiError,
    },
}

#[derive(Clone, Copy)]
pub struct Session {
    pub config: StoredValue<Config>,
    /// The page around this instance: events, token provider, reset.
    pub host: StoredValue<Host, LocalStorage>,
    pub api: StoredValue<Api, LocalStorage>,
    pub lang: RwSignal<Lang>,
    pub flow: RwSignal<Flow>,
    pub images: RwSignal<BTreeMap<Slot, Image>>,
    /// Why the last "Continue" did not move on.
    pub blocker: RwSignal<Option<Blocker>>,
    /// What the API rejected in the last submission, shown on the fields it names.
    pub server_errors: RwSignal<Vec<FieldError>>,
    pub submit: RwSignal<SubmitState>,
    /// The text of the live region: progress and errors for screen readers.
    pub announcement: RwSignal<String>,
    /// Images the member had accepted before a reload but that were not sent: asked for again,
    /// saying why.
    pub lost: RwSignal<Vec<Slot>>,
    /// Whether this visit is kept across a reload of the page (member mode only).
    pub resumable: bool,
    /// Whether the visit was carried to the member's phone (see `handoff`).
    pub handoff: crate::handoff::Handoffs,
}

impl Session {
    /// The visit of the member the host's settings name: the configured token, or the host's
    /// token provider.
    pub fn new(config: Config, lang: Lang, host: Host) -> Session {
        let kept = (config.mode == Mode::Member)
            .then(|| crate::resume::load(&host.id_prefix))
            .flatten();
        let api = Session::host_api(&config, &host);
        Session::continuing(config, lang, host, api, kept)
    }

    /// A new visit, not looking for one kept before a reload (the first screen's, when
    /// `resume::is_kept` said there is none: it leaves reading one to its part).
    pub fn fresh(config: Config, lang: Lang, host: Host) -> Session {
        let api = Session::host_api(&config, &host);
        Session::started(config, lang, host, api)
    }

    /// The API client with the host's settings: its token, or its token provider.
    fn host_api(config: &Config, host: &Host) -> Api {
        Api::new(
            config.api_base.clone(),
            config.token.clone(),
            host.token_provider.clone(),
        )
    }

    /// A new visit under `config` through `api`.
    fn started(config: Config, lang: Lang, host: Host, api: Api) -> Session {
        let api = api.with_deadlines(config.deadlines);
        let resumable = config.mode == Mode::Member;
        let flow = Flow::new(config.settings.clone(), browser::random_reference());
        Session {
            resumable,
            ..Session::with(config, lang, host, api, flow)
        }
    }

    /// The visit `snapshot` was taken of, carried on under `config` through `api`: after a reload
    /// of the page, or on the phone a hand-off brought it to. Without a snapshot (or one that does
    /// not fit the settings), a fresh visit.
    pub fn continuing(
        config: Config,
        lang: Lang,
        host: Host,
        api: Api,
        snapshot: Option<idcheck_core::flow::Snapshot>,
    ) -> Session {
        let resumed = snapshot
            .and_then(|snapshot| Flow::resume(config.settings.clone(), snapshot, browser::today()));
        let Some(Resumed { flow, lost }) = resumed else {
            return Session::started(config, lang, host, api);
        };
        let api = api.with_deadlines(config.deadlines);
        let resumable = config.mode == Mode::Member;
        let session = Session {
            resumable,
            ..Session::with(config, lang, host, api, flow)
        };
        session.lost.set(lost);
        if session
            .flow
            .with_untracked(|flow| flow.step() == Step::Review && flow.submission().sent)
        {
            // The page went away while a write was on its way: its outcome is unknown.
            session.submit.set(SubmitState::Failed {
                at: session.flow.with_untracked(Flow::next_milestone),
                error: ApiError::Interrupted,
            });
        }
        session
    }

    /// The visit of the member an invitation named. `api` redeemed the code, so it sends their
    /// token (and never the host's token provider, whose tokens are for someone else); the ids
    /// and what to verify are the invitation's, and the checks the operator requested are filled
    /// in instead of created.
    pub fn for_invited(
        mut config: Config,
        lang: Lang,
        host: Host,
        api: Api,
        member: &Redeemed,
    ) -> Session {
        config.settings.business_id = member.business_id;
        config.settings.coworker_id = member.coworker_id;
        config.settings.purpose = member.verify;
        let api = api.with_deadlines(config.deadlines);
        let requested: Vec<(Purpose, i64)> = member
            .checks
            .iter()
            .filter_map(|(id, verification_type)| {
                Some((Purpose::for_verification_type(*verification_type)?, *id))
            })
            .collect();
        let mut flow = Flow::new(config.settings.clone(), browser::random_reference());
        flow.adopt_requested_checks(&requested);
        Session::with(config, lang, host, api, flow)
    }

    fn with(config: Config, lang: Lang, host: Host, api: Api, flow: Flow) -> Session {
        Session {
            host: StoredValue::new_local(host),
            api: StoredValue::new_local(api),
            config: StoredValue::new(config),
            lang: RwSignal::new(lang),
            flow: RwSignal::new(flow),
            images: RwSignal::new(BTreeMap::new()),
            blocker: RwSignal::new(None),
            server_errors: RwSignal::new(Vec::new()),
            submit: RwSignal::new(SubmitState::Idle),
            announcement: RwSignal::new(String::new()),
            lost: RwSignal::new(Vec::new()),
            resumable: false,
            handoff: crate::handoff::Handoffs::new(),
        }
    }

    /// Keeps the visit for a reload whenever the flow changes (member mode only).
    pub fn keep_across_reloads(&self) {
        if !self.resumable {
            return;
        }
        let session = *self;
        Effect::new(move |_| {
            session.flow.track();
            // Writing the snapshot is a part of its own (`parts::keep`), fetched once there is
            // something to keep: the welcome step needs none of it.
            if session.flow.with_untracked(crate::resume::worth_keeping) {
                leptos::task::spawn_local(async move {
                    let _ = crate::parts::keep(session).await;
                });
            } else {
                session.forget_kept();
            }
        });
    }

    pub(crate) fn keep_now(&self) {
        if self.resumable {
            let prefix = self.host.with_value(|host| host.id_prefix.clone());
            self.flow
                .with_untracked(|flow| crate::resume::keep(&prefix, flow));
        }
    }

    /// Forgets what was kept for a reload: the member cancelled.
    pub fn forget_kept(&self) {
        if self.resumable {
            self.host
                .with_value(|host| crate::resume::forget(&host.id_prefix));
        }
    }

    /// Looks for the member's own open checks (Pending and never sent a document, or Failed and
    /// waiting for new images), newest first, and continues them instead of creating another:
    /// a check requested by the operator, one left half done on another day, a rejected one. A
    /// failed look-up changes nothing: the member then simply creates a check. Only for a member's
    /// own visit: an invitation already names the checks to fill in, and a kiosk serves many.
    pub fn continue_open_checks(&self) {
        if !self.resumable
            || self.flow.with_untracked(|flow| {
                flow.submission().sent || flow.submission().check_id.is_some()
            })
        {
            return;
        }
        let session = *self;
        leptos::task::spawn_local(async move {
            let Some(api) = session.api.try_get_value() else {
                return;
            };
            let (coworker, asked) = session
                .config
                .with_value(|c| (c.settings.coworker_id, c.settings.purpose));
            let purposes = match asked {
                PurposeSetting::Only(purpose) => vec![purpose],
                _ => Purpose::ALL.to_vec(),
            };
            for purpose in purposes {
                let wanted = purpose.verification_type();
                let Ok(Some(check)) = api
                    .find_check(coworker, |check| {
                        check.verification_type == wanted
                            && matches!(
                                check.verification_status,
                                VerificationStatus::Pending | VerificationStatus::Failed
                            )
                    })
                    .await
                else {
                    continue;
                };
                if check.verification_status == VerificationStatus::Pending {
                    // A pending check with a document is waiting for its reviewer, not for the
                    // member; unsure means leave it.
                    match api.find_document(check.id, |_| true).await {
                        Ok(None) => {}
                        _ => continue,
                    }
                }
                let _ = session
                    .flow
                    .try_update(|flow| flow.adopt_requested_checks(&[(purpose, check.id)]));
            }
        });
    }

    /// The id of one of this instance's elements, unique on the page even with several instances.
    pub fn id(&self, name: &str) -> String {
        self.host
            .with_value(|host| format!("{}-{name}", host.id_prefix))
    }

    pub fn emit(&self, event: Event, detail: &[(&str, Detail<'_>)]) {
        self.host.with_value(|host| host.emit(event, detail));
    }

    /// The translated text for `key` as a reactive view. Every call returns the same closure type,
    /// so the renderer is instantiated once for all translated texts, which keeps the bundle small.
    pub fn text(self, key: Text) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
        move || self.t(key)
    }

    /// The translated text for `key`, tracked so views follow a language switch.
    pub fn t(&self, key: Text) -> &'static str {
        t(self.lang.get(), key)
    }

    /// A plural text for `count`, tracked like [`Session::t`].
    pub fn t_count(&self, key: Text, count: u32) -> String {
        crate::i18n::t_count(self.lang.get(), key, count)
    }

    pub fn announce(&self, key: Text) {
        self.announcement
            .set(t(self.lang.get_untracked(), key).to_string());
    }

    pub fn step(&self) -> Step {
        self.flow.with(Flow::step)
    }

    pub fn next(&self) {
        let moved = self.flow.try_update(|flow| flow.next(browser::today()));
        match moved {
            // Said once, by the step: its alert next to the controls, or on the details step the
            // first field in error, which takes focus.
            Some(Err(blocker)) => self.blocker.set(Some(blocker)),
            _ => self.blocker.set(None),
        }
    }

    pub fn back(&self) {
        self.blocker.set(None);
        self.flow.update(|flow| {
            flow.back();
        });
    }

    pub fn go_to(&self, step: Step) -> bool {
        self.blocker.set(None);
        self.flow
            .try_update(|flow| flow.go_to(step, browser::today()))
            .unwrap_or(false)
    }

    /// Keeps an accepted frame for `slot`, replacing any earlier one. `method` and `quality` (the
    /// analysis of the kept frame, when there was one) go into the flow's record of it, with the
    /// digest of the bytes that will be sent.
    pub fn keep_image(&self, slot: Slot, frame: Frame, method: Method, quality: Option<Quality>) {
        let capture = Capture::new(method, quality, &frame.jpeg);
        let image = Image {
            bytes: Arc::new(frame.jpeg),
            width: frame.width,
            height: frame.height,
            pdf: None,
        };
        self.keep(slot, image, capture);
    }

    /// Keeps a PDF the member uploaded for `slot` (already checked by the core's file rules for
    /// that slot), with its name for the member to recognise it and its page count.
    pub fn keep_pdf(&self, slot: Slot, name: String, bytes: Vec<u8>) {
        let capture = Capture::new(Method::Uploaded, None, &bytes);
        let pages = files::pdf::page_count(&bytes);
        let image = Image {
            bytes: Arc::new(bytes),
            width: 0,
            height: 0,
            pdf: Some(PdfFile { name, pages }),
        };
        self.keep(slot, image, capture);
    }

    fn keep(&self, slot: Slot, image: Image, capture: Capture) {
        self.images.update(|images| {
            images.insert(slot, image);
        });
        self.lost.update(|lost| lost.retain(|l| *l != slot));
        self.flow.update(|flow| flow.captured(slot, capture));
        self.blocker.set(None);
        self.server_errors
            .update(|errors| errors.retain(|e| e.property != slot.new_url_property()));
    }

    pub fn discard_image(&self, slot: Slot) {
        self.flow.update(|flow| flow.discard(slot));
        if !self.flow.with_untracked(|flow| flow.is_captured(slot)) {
            self.images.update(|images| {
                images.remove(&slot);
            });
        }
    }

    /// Drops every image, e.g. before new images are asked for.
    pub fn forget_images(&self) {
        self.images.update(|images| images.clear());
    }

    /// The member asks for new images after a reviewer failed the check.
    pub fn resubmit(&self) {
        self.forget_images();
        self.server_errors.set(Vec::new());
        self.submit.set(SubmitState::Idle);
        self.flow.update(Flow::start_resubmission);
    }

    pub fn continue_with_next_purpose(&self) {
        self.forget_images();
        self.submit.set(SubmitState::Idle);
        self.flow.update(|flow| {
            flow.continue_with_next_purpose();
        });
    }

    /// Starts (or resumes) submitting from the first milestone not yet recorded.
    pub fn submit(&self) {
        if matches!(self.submit.get_untracked(), SubmitState::Running(_)) {
            return;
        }
        // What the review step still lacks (the images a reviewer refused, sent again unchanged)
        // is said next to the button, and nothing is sent.
        let blocker = self
            .flow
            .with_untracked(|flow| flow.blocker(browser::today()));
        if let Some(blocker) = blocker {
            self.blocker.set(Some(blocker));
            return;
        }
        self.blocker.set(None);
        let session = *self;
        leptos::task::spawn_local(async move {
            session.run_submission().await;
        });
    }

    async fn run_submission(self) {
        let config = self.config.get_value();
        let api = self.api.get_value();
        self.server_errors.set(Vec::new());
        // A write of this attempt was sent before (a retry, or the page was reloaded): what it
        // wrote may exist although no answer said so, so the next milestone looks before writing.
        let Some(mut look_first) = self.flow.try_with_untracked(|flow| flow.submission().sent)
        else {
            return;
        };
        loop {
            let Some(milestone) = self.flow.try_with_untracked(Flow::next_milestone) else {
                return; // the component was unmounted
            };
            if milestone == Milestone::Done {
                self.announce(Text::ProgressDone);
                self.submit.set(SubmitState::Idle);
                self.emit_completed();
                return;
            }
            self.submit.set(SubmitState::Running(milestone));
            self.announce(milestone_text(milestone));
            // A lost answer is retried by itself a few times before the member is asked (most
            // drops are over in a second), and every retry looks for what the lost one wrote.
            let tried = Cell::new(false);
            let reached = retrying_lost(|| {
                let look = look_first || tried.replace(true);
                self.reach(milestone, &api, &config, look)
            })
            .await;
            if let Err(error) = reached {
                self.failed(milestone, error);
                return;
            }
            look_first = false;
        }
    }

    /// Carries out one milestone and records it in the flow.
    async fn reach(
        &self,
        milestone: Milestone,
        api: &Api,
        config: &Config,
        look_first: bool,
    ) -> Result<(), ApiError> {
        let key = self
            .flow
            .with_untracked(|flow| flow.idempotency_key(milestone));
        let key = key.as_deref();
        self.flow.update(Flow::sending);
        // Kept before the request leaves: a reload while it is on its way must know to look first.
        self.keep_now();
        match milestone {
            Milestone::CreateCheck => {
                let id = match self.flow.with_untracked(Flow::check_write) {
                    // The operator's requested check: the same PUT again after a lost answer
                    // leaves the same record, so there is nothing to look for first.
                    CheckWrite::Update { id, check } => api.update_check(id, &check).await?,
                    CheckWrite::Create(check) => {
                        if look_first && let Some(id) = self.find_lost_check(api, config).await? {
                            self.flow.update(|flow| flow.record_check_created(id));
                            return Ok(());
                        }
                        api.create_check(&check, key).await?
                    }
                };
                self.flow.update(|flow| flow.record_check_created(id));
                self.emit(
                    Event::CheckCreated,
                    &[("checkId", Detail::Number(id as f64))],
                );
            }
            Milestone::StoreImage(slot) => {
                let image = self
                    .images
                    .with_untracked(|images| images.get(&slot).cloned());
                let Some(image) = image else {
                    // The browser no longer holds it (a reset): ask for it again.
                    self.flow.update(|flow| flow.discard(slot));
                    return Err(ApiError::Rejected(vec![FieldError {
                        message: "is a required file for this document".into(),
                        property: slot.new_url_property().into(),
                    }]));
                };
                let url = match config.uploads {
                    Uploads::Server => {
                        api.upload(&image.bytes, image.file_type().mime(), key)
                            .await?
                    }
                    Uploads::Inline => files::to_data_url(image.file_type(), &image.bytes),
                };
                self.flow.update(|flow| flow.record_image_stored(slot, url));
            }
            Milestone::CreateDocument => {
                if look_first && let Some(id) = self.find_lost_document(api).await? {
                    self.flow.update(|flow| flow.record_document_created(id));
                    return Ok(());
                }
                let request = self.flow.with_untracked(Flow::document_request);
                let id = api.create_document(&request, key).await?;
                self.flow.update(|flow| flow.record_document_created(id));
                self.emit_document_created(id);
            }
            Milestone::Done => {}
        }
        Ok(())
    }

    /// After an answer was lost, the check may exist already: find it by the submission's reference.
    /// A look-up that fails is a failure to retry, never "not found": taking it for "not found"
    /// would create the record a second time.
    async fn find_lost_check(&self, api: &Api, config: &Config) -> Result<Option<i64>, ApiError> {
        let found = api
            .find_check(config.settings.coworker_id, |check| {
                self.is_ours(check.description.as_deref())
            })
            .await?;
        Ok(found.map(|check| check.id))
    }

    async fn find_lost_document(&self, api: &Api) -> Result<Option<i64>, ApiError> {
        let Some(check_id) = self.flow.with_untracked(|flow| flow.submission().check_id) else {
            return Ok(None);
        };
        let found = api
            .find_document(check_id, |document| self.is_ours(document.notes.as_deref()))
            .await?;
        Ok(found.map(|document| document.id))
    }

    fn is_ours(&self, free_text: Option<&str>) -> bool {
        self.flow.with_untracked(|flow| flow.is_ours(free_text))
    }

    fn emit_document_created(&self, document_id: i64) {
        let check_id = self
            .flow
            .with_untracked(|flow| flow.submission().check_id)
            .unwrap_or_default();
        self.emit(
            Event::DocumentCreated,
            &[
                ("checkId", Detail::Number(check_id as f64)),
                ("documentId", Detail::Number(document_id as f64)),
            ],
        );
    }

    fn emit_completed(&self) {
        let (check_id, document_id, purpose) = self.flow.with_untracked(|flow| {
            let submission = flow.submission();
            (
                submission.check_id.unwrap_or_default(),
                submission.document_id.unwrap_or_default(),
                match flow.purpose() {
                    Some(Purpose::Address) => "address",
                    _ => "identity",
                },
            )
        });
        self.emit(
            Event::Completed,
            &[
                ("checkId", Detail::Number(check_id as f64)),
                ("documentId", Detail::Number(document_id as f64)),
                ("purpose", Detail::Text(purpose)),
            ],
        );
    }

    fn failed(&self, at: Milestone, error: ApiError) {
        self.emit(
            Event::Error,
            &[
                ("code", Detail::Text(error.code())),
                ("message", Detail::Text(t(Lang::En, failure_text(&error)))),
            ],
        );
        if let ApiError::Rejected(errors) = &error {
            // Send the member to the first step that owns a rejected property, with the message.
            let reopened = errors.iter().find_map(|rejected| {
                self.flow
                    .try_update(|flow| flow.reopen_for(&rejected.property))
                    .flatten()
            });
            self.server_errors.set(errors.clone());
            if reopened.is_some() {
                if let Some(Step::Capture(slot)) = reopened {
                    self.images.update(|images| {
                        images.remove(&slot);
                    });
                }
                self.submit.set(SubmitState::Idle);
                self.announce(Text::FailedRejected);
                return;
            }
        }
        self.announce(failure_text(&error));
        self.submit.set(SubmitState::Failed { at, error });
    }
}

pub fn blocker_text(blocker: &Blocker) -> Text {
    match blocker {
        Blocker::ConsentNeeded => Text::WelcomeConsentNeeded,
        Blocker::PurposeNeeded => Text::PurposeNeeded,
        Blocker::DocumentTypeNeeded => Text::DocumentNeeded,
        Blocker::Invalid(violations) => violations
            .first()
            .map(crate::i18n::violation_text)
            .unwrap_or(Text::ErrorServerSaid),
        Blocker::CaptureNeeded(_) => Text::CaptureNeeded,
        Blocker::RefusedImagesAgain => Text::RefusedImagesAgain,
    }
}

pub fn milestone_text(milestone: Milestone) -> Text {
    match milestone {
        Milestone::CreateCheck => Text::ProgressCheck,
        Milestone::StoreImage(_) => Text::ProgressImage,
        Milestone::CreateDocument => Text::ProgressDocument,
        Milestone::Done => Text::ProgressDone,
    }
}

pub fn failure_text(error: &ApiError) -> Text {
    match error {
        ApiError::Network(_) => Text::FailedNetwork,
        ApiError::Interrupted => Text::FailedInterrupted,
        ApiError::Server { .. } | ApiError::NotFound(_) | ApiError::Conflict(_) => {
            Text::FailedServer
        }
        ApiError::Throttled | ApiError::LockedOut { .. } => Text::FailedThrottled,
        ApiError::Unauthorized => Text::FailedUnauthorized,
        ApiError::Forbidden(_) => Text::FailedForbidden,
        ApiError::Rejected(_) => Text::FailedConfiguration,
    }
}
