//! The onboarding flow as a value: the member's answers so far, which slots hold an accepted image,
//! and how far the submission got.
//!
//! Which step comes next, what each step requires and what to send are all functions of this value,
//! so the browser shell renders it and forwards the member's actions but decides nothing itself.
//! Submitting is a sequence of milestones recorded as each completes; a retry resumes at the first
//! milestone not yet recorded, which is why a retry never creates a second check or document.
//! When the operator requested the check (an invitation), the first milestone fills that check in
//! instead of creating one ([`Flow::adopt_requested_checks`], [`Flow::check_write`]).

mod snapshot;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::capture::{self, Capture, Digest};
use crate::date::Date;
use crate::files::Accepts;
use crate::model::{
    AddressDocumentType, IdentityCheckProvider, IdentityDocumentType, NewCoworkerIdentityCheck,
    NewCoworkerIdentityCheckDocument, VerificationType,
};
use crate::rules;
use crate::slots::{DocumentKind, Need, Slot, slot_need, used_slots};
use crate::violation::Violation;

pub use snapshot::{Resumed, Snapshot};

/// What the member is asked to prove.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Purpose {
    Identity,
    Address,
}

impl Purpose {
    pub const ALL: [Purpose; 2] = [Purpose::Identity, Purpose::Address];

    /// The purpose's place in per-purpose arrays, in the order of [`Purpose::ALL`].
    pub fn index(self) -> usize {
        match self {
            Purpose::Identity => 0,
            Purpose::Address => 1,
        }
    }

    pub fn verification_type(self) -> VerificationType {
        match self {
            Purpose::Identity => VerificationType::IdDocument,
            Purpose::Address => VerificationType::Address,
        }
    }

    /// The purpose a check of this `VerificationType` serves; `None` for the API's `None`.
    pub fn for_verification_type(verification_type: VerificationType) -> Option<Purpose> {
        Purpose::ALL
            .into_iter()
            .find(|purpose| purpose.verification_type() == verification_type)
    }
}

/// What the host asks for: let the member choose, one purpose only, or both one after the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurposeSetting {
    Ask,
    Only(Purpose),
    Both,
}

impl PurposeSetting {
    /// The setting an operator's request names: an invitation's `Verify`, `identity`, `address` or
    /// `both` (never `ask`: the operator decided). Case-insensitive.
    pub fn requested(verify: &str) -> Option<PurposeSetting> {
        match verify.trim().to_ascii_lowercase().as_str() {
            "identity" => Some(PurposeSetting::Only(Purpose::Identity)),
            "address" => Some(PurposeSetting::Only(Purpose::Address)),
            "both" => Some(PurposeSetting::Both),
            _ => None,
        }
    }
}

/// What the host configured; fixed for the life of a flow.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub business_id: i64,
    pub coworker_id: i64,
    pub check_name: String,
    pub purpose: PurposeSetting,
    /// The identity document types offered, in the order shown. Empty means every type.
    pub identity_types: Vec<IdentityDocumentType>,
    /// The address document types offered, in the order shown. Empty means every type.
    pub address_types: Vec<AddressDocumentType>,
}

impl Settings {
    /// The document types the member can pick for `purpose`, never `None`.
    pub fn document_choices(&self, purpose: Purpose) -> Vec<DocumentKind> {
        match purpose {
            Purpose::Identity => offered(IdentityDocumentType::ALL, &self.identity_types)
                .map(DocumentKind::Identity)
                .collect(),
            Purpose::Address => offered(AddressDocumentType::ALL, &self.address_types)
                .map(DocumentKind::Address)
                .collect(),
        }
    }
}

/// The allowed subset of `all` (without the API's `None`), in the host's order when it gave one.
fn offered<'a, T: Copy + PartialEq + Default>(
    all: &'a [T],
    allowed: &'a [T],
) -> impl Iterator<Item = T> + 'a {
    let source = if allowed.is_empty() { all } else { allowed };
    source
        .iter()
        .copied()
        .filter(|choice| *choice != T::default())
}

/// A screen of the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Step {
    Welcome,
    Purpose,
    DocumentType,
    Details,
    Capture(Slot),
    Review,
    Submitted,
}

/// The identity document's details as the member typed them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Details {
    pub number: String,
    pub issued_by: String,
    /// `YYYY-MM-DD`, as a date input gives it.
    pub expires: String,
}

/// Why the member cannot leave a step yet.
#[derive(Debug, Clone, PartialEq)]
pub enum Blocker {
    ConsentNeeded,
    PurposeNeeded,
    DocumentTypeNeeded,
    /// The details break these rules (the API's property names and messages).
    Invalid(Vec<Violation>),
    CaptureNeeded(Slot),
    /// After a reviewer failed the check, every image about to be sent is one of the refused
    /// document's, byte for byte: the reviewer would see exactly what they refused.
    ///
    /// A Blocker and not a warning because a reviewer already refused exactly those bytes: sent
    /// again they can only be refused again, days later, while a new photo or file takes a
    /// minute. Only when *nothing* is new, though: the reviewer refused the document as a whole,
    /// so one of its images may well have been fine (a good face photo beside a glared card), and
    /// making the member replace that too would have them redo what was not wrong. A single
    /// repeated image beside a new one is told about on its capture
    /// ([`Flow::repeats_refused`]), and the member may keep it.
    RefusedImagesAgain,
}

/// The next thing submitting has to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Milestone {
    /// The check holds the member's answers: created, or the operator's requested check filled in
    /// (see [`Flow::check_write`]).
    CreateCheck,
    StoreImage(Slot),
    CreateDocument,
    Done,
}

/// How the `CreateCheck` milestone writes the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckWrite {
    /// No check exists for this purpose yet: create one with the member's answers (`POST`).
    Create(NewCoworkerIdentityCheck),
    /// The operator requested check `id` for this purpose: write the member's answers into it
    /// (`PUT` with `Id`). Writing the same answers twice leaves the same record, so a retry after a
    /// lost answer simply sends it again.
    Update {
        id: i64,
        check: NewCoworkerIdentityCheck,
    },
}

/// What submitting has recorded so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Submission {
    /// A random reference written, with the attempt, into the records' free-text fields. When an
    /// answer is lost (the connection dropped after the server wrote), a retry finds the record by
    /// them instead of creating a second one.
    pub reference: String,
    /// Which attempt of this submission the next writes belong to, from 1. A change of anything
    /// already sent (an answer, an image) or a resubmission after a review starts the next one, so
    /// a look-up or an idempotency key of this attempt can never stand for a record written with
    /// what the member has since changed.
    pub attempt: u32,
    /// Whether a write of this attempt was sent: from then on a change starts a new attempt.
    pub sent: bool,
    pub check_id: Option<i64>,
    /// Each stored image: where it can be fetched from, to name in the document record, and the
    /// digest of what was sent.
    pub stored: BTreeMap<Slot, Stored>,
    pub document_id: Option<i64>,
    /// The digests of the images of this check's documents that a reviewer failed, from every
    /// earlier attempt: sending one of them again is caught ([`Flow::repeats_refused`]).
    pub refused: Vec<Digest>,
}

/// An image submitting stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    /// Where it can be fetched from, to name in the document record.
    pub url: String,
    /// The SHA-256 of the bytes sent (`None` only if the flow held no record of the image).
    pub sha256: Option<Digest>,
}

impl Submission {
    fn new(reference: String) -> Submission {
        Submission {
            reference,
            attempt: 1,
            ..Submission::default()
        }
    }
}

/// One finished check, kept when the host asked for both purposes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completed {
    pub purpose: Purpose,
    pub check_id: i64,
    pub document_id: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    settings: Settings,
    step: Step,
    consented: bool,
    purpose: Option<Purpose>,
    kind: Option<DocumentKind>,
    details: Details,
    /// The accepted image of each slot: how it was obtained, its scores and its digest.
    captured: BTreeMap<Slot, Capture>,
    submission: Submission,
    completed: Vec<Completed>,
    /// The checks the operator requested for this member, one per purpose (an invitation's
    /// `Checks`), indexed by [`Purpose::index`]: submitting for a purpose listed here fills that
    /// check in instead of creating one. Two fixed places rather than a map, because a map type
    /// costs the browser bundle its own copy of the map's code.
    requested: [Option<i64>; 2],
}

impl Flow {
    /// `reference` must be unique per member (a random id); see [`Submission::reference`].
    pub fn new(settings: Settings, reference: String) -> Flow {
        let purpose = match settings.purpose {
            PurposeSetting::Only(purpose) => Some(purpose),
            PurposeSetting::Both => Some(Purpose::Identity),
            PurposeSetting::Ask => None,
        };
        Flow {
            settings,
            step: Step::Welcome,
            consented: false,
            purpose,
            kind: None,
            details: Details::default(),
            captured: BTreeMap::new(),
            submission: Submission::new(reference),
            completed: Vec::new(),
            requested: [None, None],
        }
    }

    /// Tells the flow which checks the operator already requested for this member (an
    /// invitation's `Checks`, by purpose). For a purpose listed here the `CreateCheck` milestone
    /// writes the member's answers into that check ([`CheckWrite::Update`]) instead of creating a
    /// new one; with "both", each purpose uses its own. A purpose listed twice keeps its first
    /// check, and ids that are not positive are ignored. The same serves the member's own open
    /// checks found when the visit starts (continuing what exists instead of creating another).
    /// Ignored once submitting has sent anything: the checks to write into are settled by then.
    pub fn adopt_requested_checks(&mut self, checks: &[(Purpose, i64)]) {
        if self.submission.sent || self.submission.check_id.is_some() {
            return;
        }
        for (purpose, id) in checks {
            if *id > 0 {
                self.requested[purpose.index()].get_or_insert(*id);
            }
        }
    }

    /// The operator's requested check for the current purpose, if there is one.
    pub fn requested_check(&self) -> Option<i64> {
        self.requested[self.purpose?.index()]
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }
    pub fn step(&self) -> Step {
        self.step
    }
    pub fn consented(&self) -> bool {
        self.consented
    }
    pub fn purpose(&self) -> Option<Purpose> {
        self.purpose
    }
    pub fn document_kind(&self) -> Option<DocumentKind> {
        self.kind
    }
    pub fn details(&self) -> &Details {
        &self.details
    }
    pub fn submission(&self) -> &Submission {
        &self.submission
    }
    pub fn completed(&self) -> &[Completed] {
        &self.completed
    }
    pub fn is_captured(&self, slot: Slot) -> bool {
        self.captured.contains_key(&slot)
    }
    /// The record of the image accepted for `slot`.
    pub fn capture(&self, slot: Slot) -> Option<&Capture> {
        self.captured.get(&slot)
    }
    /// What the member may send for `slot` of the chosen document: a PDF only for an address
    /// document's pages ([`Accepts::for_slot`]).
    pub fn accepts(&self, slot: Slot) -> Accepts {
        self.kind
            .map_or(Accepts::Images, |kind| Accepts::for_slot(kind, slot))
    }
    /// Whether the image accepted for `slot` is, byte for byte, one of a document a reviewer
    /// failed (in any slot: a refused front sent as the back is still refused).
    pub fn repeats_refused(&self, slot: Slot) -> bool {
        self.captured
            .get(&slot)
            .is_some_and(|capture| self.submission.refused.contains(&capture.sha256))
    }

    /// The steps of the current check, in order, as far as the answers so far determine them.
    pub fn steps(&self) -> Vec<Step> {
        let mut steps = vec![Step::Welcome];
        if self.settings.purpose == PurposeSetting::Ask {
            steps.push(Step::Purpose);
        }
        steps.push(Step::DocumentType);
        if self.purpose == Some(Purpose::Identity) {
            steps.push(Step::Details);
        }
        if let Some(kind) = self.kind {
            steps.extend(used_slots(kind).into_iter().map(Step::Capture));
        }
        steps.extend([Step::Review, Step::Submitted]);
        steps
    }

    /// Where the current step stands, 1-based, and how many steps there will be, for a progress
    /// bar. Until the answers settle the path, the longest it can still be is counted, so the
    /// total only ever shrinks as the member chooses (a count that grew would feel like moving
    /// backwards).
    pub fn position(&self) -> (usize, usize) {
        let steps = self.steps();
        let index = steps.iter().position(|s| *s == self.step).unwrap_or(0);
        let undecided_slots = match (self.kind, self.purpose) {
            (Some(_), _) => 0,
            (None, Some(Purpose::Address)) => 2, // a front, maybe a back
            (None, _) => 3,                      // a face, a front, a back
        };
        let undecided_details = usize::from(self.purpose.is_none());
        (index + 1, steps.len() + undecided_slots + undecided_details)
    }

    /// The answers (purpose, document type, details) are fixed once the check exists: they are
    /// what the check was created with.
    fn answers_locked(&self) -> bool {
        self.submission.check_id.is_some()
    }

    /// Images can change until the document record naming them exists.
    fn captures_locked(&self) -> bool {
        self.submission.document_id.is_some()
    }

    /// The first step the member may go back to: once the check exists only its images can change.
    fn first_open_step(&self) -> Step {
        if self.answers_locked() {
            self.kind
                .and_then(|kind| used_slots(kind).into_iter().next())
                .map_or(Step::Review, Step::Capture)
        } else {
            Step::Welcome
        }
    }

    pub fn set_consent(&mut self, agreed: bool) {
        self.consented = agreed;
    }

    pub fn choose_purpose(&mut self, purpose: Purpose) {
        if self.answers_locked() || self.settings.purpose != PurposeSetting::Ask {
            return;
        }
        if self.purpose != Some(purpose) {
            self.answers_changed();
            self.purpose = Some(purpose);
            // A document type of the other purpose no longer applies; the typed details are kept.
            self.kind = None;
            self.captured.clear();
        }
    }

    pub fn choose_document(&mut self, kind: DocumentKind) {
        if self.answers_locked()
            || Some(kind_purpose(kind)) != self.purpose
            || !self
                .settings
                .document_choices(kind_purpose(kind))
                .contains(&kind)
        {
            return;
        }
        if self.kind != Some(kind) {
            self.answers_changed();
        }
        self.kind = Some(kind);
        // Keep the captures the new type still uses: a driving licence's front is still its front.
        let used = used_slots(kind);
        self.captured.retain(|slot, _| used.contains(slot));
    }

    pub fn edit_details(&mut self, details: Details) {
        if !self.answers_locked() && self.details != details {
            self.answers_changed();
            self.details = details;
        }
    }

    /// The browser accepted an image for `slot` (its bytes are held by the shell; `capture` says
    /// how it was obtained and names those bytes by their digest).
    pub fn captured(&mut self, slot: Slot, capture: Capture) {
        if !self.captures_locked()
            && self
                .kind
                .is_some_and(|kind| used_slots(kind).contains(&slot))
        {
            // A new image, even for a slot already captured: its bytes are not what was sent.
            self.images_changed();
            self.captured.insert(slot, capture);
        }
    }

    /// The member chose to retake the image of `slot`.
    pub fn discard(&mut self, slot: Slot) {
        if !self.captures_locked() && self.captured.remove(&slot).is_some() {
            self.images_changed();
            // A stored copy of the old image must not be named in the document.
            self.submission.stored.remove(&slot);
        }
    }

    /// An answer changed: after a write of this attempt was sent, the check it may have left holds
    /// the old answers, so the writes to come belong to a new attempt.
    fn answers_changed(&mut self) {
        if self.submission.sent {
            self.submission.attempt = self.submission.attempt.saturating_add(1);
            self.submission.sent = false;
        }
    }

    /// An image changed. Images only leave once the check exists, so before that nothing sent
    /// holds the old one and the attempt goes on (a look-up for its check must still find it).
    fn images_changed(&mut self) {
        if self.submission.check_id.is_some() {
            self.answers_changed();
        }
    }

    /// Submitting is about to send a write: a change from now on starts a new attempt.
    pub fn sending(&mut self) {
        self.submission.sent = true;
    }

    /// The `Idempotency-Key` of a milestone's create in this attempt: the same key for every retry
    /// of that write, another one in every other attempt. `None` for writes that need none (filling
    /// in a requested check is a `PUT`, which the same body leaves as it was).
    pub fn idempotency_key(&self, milestone: Milestone) -> Option<String> {
        let what = match milestone {
            Milestone::CreateCheck if self.requested_check().is_some() => return None,
            Milestone::CreateCheck => "check",
            Milestone::StoreImage(slot) => slot.field_prefix(),
            Milestone::CreateDocument => "document",
            Milestone::Done => return None,
        };
        Some(format!(
            "idcheck-{}-{}-{what}",
            self.submission.reference, self.submission.attempt
        ))
    }

    /// The slots that will be sent, in capture order.
    pub fn slots_to_send(&self) -> Vec<Slot> {
        self.kind
            .map(used_slots)
            .unwrap_or_default()
            .into_iter()
            .filter(|slot| self.captured.contains_key(slot))
            .collect()
    }

    /// What stops the member leaving the current step, if anything.
    pub fn blocker(&self, today: Date) -> Option<Blocker> {
        match self.step {
            Step::Welcome => (!self.consented).then_some(Blocker::ConsentNeeded),
            Step::Purpose => self.purpose.is_none().then_some(Blocker::PurposeNeeded),
            Step::DocumentType => self.kind.is_none().then_some(Blocker::DocumentTypeNeeded),
            Step::Details => {
                let violations = self.detail_violations(today);
                (!violations.is_empty()).then_some(Blocker::Invalid(violations))
            }
            Step::Capture(slot) => self.capture_blocker(slot),
            Step::Review => self.first_blocker_before_review(today),
            Step::Submitted => None,
        }
    }

    fn capture_blocker(&self, slot: Slot) -> Option<Blocker> {
        let need = self.kind.map(|kind| slot_need(kind, slot));
        (need == Some(Need::Required) && !self.captured.contains_key(&slot))
            .then_some(Blocker::CaptureNeeded(slot))
    }

    /// Review sends everything, so every earlier step must be satisfied (a history jump could skip one).
    fn first_blocker_before_review(&self, today: Date) -> Option<Blocker> {
        if !self.consented {
            return Some(Blocker::ConsentNeeded);
        }
        if self.purpose.is_none() {
            return Some(Blocker::PurposeNeeded);
        }
        let Some(kind) = self.kind else {
            return Some(Blocker::DocumentTypeNeeded);
        };
        if self.purpose == Some(Purpose::Identity) {
            let violations = self.detail_violations(today);
            if !violations.is_empty() {
                return Some(Blocker::Invalid(violations));
            }
        }
        if let Some(blocker) = used_slots(kind)
            .into_iter()
            .find_map(|slot| self.capture_blocker(slot))
        {
            return Some(blocker);
        }
        let to_send = self.slots_to_send();
        (!to_send.is_empty() && to_send.iter().all(|slot| self.repeats_refused(*slot)))
            .then_some(Blocker::RefusedImagesAgain)
    }

    /// The identity details checked with the same rules the API applies.
    pub fn detail_violations(&self, today: Date) -> Vec<Violation> {
        [
            rules::check_document_number(&self.details.number),
            rules::check_issued_by(&self.details.issued_by),
            rules::check_expiration_date(&self.details.expires, today),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// Moves to the next step when the current one is satisfied; Review moves on only through
    /// submitting (`record_…`).
    pub fn next(&mut self, today: Date) -> Result<Step, Blocker> {
        if let Some(blocker) = self.blocker(today) {
            return Err(blocker);
        }
        if self.step != Step::Review {
            let steps = self.steps();
            if let Some(next) = steps
                .iter()
                .position(|s| *s == self.step)
                .and_then(|index| steps.get(index + 1))
            {
                self.step = *next;
            }
        }
        Ok(self.step)
    }

    /// Moves to the previous step; nothing entered is lost. Not possible once submitting started.
    pub fn back(&mut self) -> Step {
        if self.step == Step::Submitted || self.step == self.first_open_step() {
            return self.step;
        }
        let steps = self.steps();
        if let Some(index) = steps.iter().position(|s| *s == self.step)
            && index > 0
        {
            self.step = steps[index - 1];
        }
        self.step
    }

    /// Goes straight to `step` (the browser's history, a review's "change" link) when every step
    /// before it is satisfied. Returns whether it moved.
    pub fn go_to(&mut self, step: Step, today: Date) -> bool {
        let steps = self.steps();
        let position = |wanted: Step| steps.iter().position(|s| *s == wanted);
        let (Some(target), Some(first_open)) = (position(step), position(self.first_open_step()))
        else {
            return false;
        };
        if self.step == Step::Submitted || step == Step::Submitted || target < first_open {
            return false;
        }
        let saved = self.step;
        for earlier in &steps[..target] {
            self.step = *earlier;
            if self.blocker(today).is_some() {
                self.step = saved;
                return false;
            }
        }
        self.step = step;
        true
    }

    /// The step that owns an API property, so a server's 400 is shown on the right field.
    /// `None` for properties the member cannot change (they come from the host's configuration).
    pub fn step_for_property(&self, property: &str) -> Option<Step> {
        match property {
            "IdentityDocumentNumber"
            | "IdentityDocumentIssuedBy"
            | "IdentityDocumentExpirationDate" => Some(Step::Details),
            "IdentityDocumentType" | "AddressDocumentType" | "VerificationType" => {
                Some(Step::DocumentType)
            }
            other => Slot::ALL
                .into_iter()
                .find(|slot| slot.new_url_property() == other)
                .map(Step::Capture),
        }
    }

    /// Returns the member to the step owning `property` after the server rejected it. Submitting is
    /// rewound only as far as needed: a check the server already created is kept.
    pub fn reopen_for(&mut self, property: &str) -> Option<Step> {
        // A property of a step this flow lacks (a face photo for an address document) has no
        // field to show it on: moving there would strand the member.
        let step = self
            .step_for_property(property)
            .filter(|step| self.steps().contains(step))?;
        if self.submission.check_id.is_some() && !matches!(step, Step::Capture(_)) {
            // The check exists with these answers; they can no longer be changed from here.
            return None;
        }
        if let Step::Capture(slot) = step {
            self.images_changed();
            self.submission.stored.remove(&slot);
            self.captured.remove(&slot);
        }
        if self.submission.check_id.is_none() {
            self.submission.stored.clear();
        }
        self.step = step;
        Some(step)
    }

    /// The next thing submitting must do. Only meaningful on the Review step.
    pub fn next_milestone(&self) -> Milestone {
        if self.submission.check_id.is_none() {
            return Milestone::CreateCheck;
        }
        if let Some(slot) = self
            .slots_to_send()
            .into_iter()
            .find(|slot| !self.submission.stored.contains_key(slot))
        {
            return Milestone::StoreImage(slot);
        }
        if self.submission.document_id.is_none() {
            return Milestone::CreateDocument;
        }
        Milestone::Done
    }

    pub fn record_check_created(&mut self, id: i64) {
        self.submission.check_id.get_or_insert(id);
    }

    /// `slot`'s image is stored at `url`; its digest is kept with it.
    pub fn record_image_stored(&mut self, slot: Slot, url: String) {
        let sha256 = self.captured.get(&slot).map(|capture| capture.sha256);
        self.submission
            .stored
            .entry(slot)
            .or_insert(Stored { url, sha256 });
    }

    pub fn record_document_created(&mut self, id: i64) {
        if self.submission.document_id.is_none() {
            self.submission.document_id = Some(id);
            self.step = Step::Submitted;
        }
    }

    /// The create body of the check, from the host's settings and the member's answers.
    pub fn check_request(&self) -> NewCoworkerIdentityCheck {
        let mut request = NewCoworkerIdentityCheck {
            business_id: Some(self.settings.business_id),
            coworker_id: Some(self.settings.coworker_id),
            name: Some(self.settings.check_name.clone()),
            identity_check_provider: Some(IdentityCheckProvider::Manual),
            verification_type: self.purpose.map(Purpose::verification_type),
            description: Some(self.reference_note()),
            ..Default::default()
        };
        match self.kind {
            Some(DocumentKind::Identity(document)) => {
                request.identity_document_type = Some(document);
                request.identity_document_number = Some(self.details.number.trim().to_string());
                request.identity_document_issued_by =
                    Some(self.details.issued_by.trim().to_string());
                request.identity_document_expiration_date = Some(
                    Date::parse(self.details.expires.trim())
                        .map(Date::to_api_datetime)
                        .unwrap_or_else(|| self.details.expires.trim().to_string()),
                );
            }
            Some(DocumentKind::Address(document)) => {
                request.address_document_type = Some(document);
            }
            None => {}
        }
        request
    }

    /// What the `CreateCheck` milestone sends: the member's answers ([`Flow::check_request`]),
    /// into the operator's requested check when there is one for the current purpose, otherwise
    /// as a new check.
    pub fn check_write(&self) -> CheckWrite {
        let check = self.check_request();
        match self.requested_check() {
            Some(id) => CheckWrite::Update { id, check },
            None => CheckWrite::Create(check),
        }
    }

    /// The create body of the document record, naming the stored images.
    pub fn document_request(&self) -> NewCoworkerIdentityCheckDocument {
        let url = |slot: Slot| {
            self.submission
                .stored
                .get(&slot)
                .map(|stored| stored.url.clone())
        };
        NewCoworkerIdentityCheckDocument {
            coworker_id: Some(self.settings.coworker_id),
            coworker_identity_check_id: self.submission.check_id,
            name: Some(match self.kind {
                Some(DocumentKind::Identity(document)) => document.api_name().to_string(),
                Some(DocumentKind::Address(document)) => document.api_name().to_string(),
                None => self.settings.check_name.clone(),
            }),
            new_photo_url: url(Slot::Photo),
            new_document_url: url(Slot::Front),
            new_additional_document_url: url(Slot::Back),
            notes: Some(self.document_notes()),
            ..Default::default()
        }
    }

    /// The document's `Notes`: the reference note on its first line (what [`Flow::is_ours`]
    /// looks for), then one line for the reviewer on how each image was obtained and its scores
    /// ([`capture::quality_line`]).
    pub fn document_notes(&self) -> String {
        let captures: Vec<(Slot, Capture)> = self
            .slots_to_send()
            .into_iter()
            .filter_map(|slot| Some((slot, *self.captured.get(&slot)?)))
            .collect();
        match capture::quality_line(&captures) {
            Some(line) => format!("{}\n{line}", self.reference_note()),
            None => self.reference_note(),
        }
    }

    /// The free text that carries the submission's reference.
    pub fn reference_note(&self) -> String {
        format!(
            "Submitted by the member with idcheck (reference {}, attempt {})",
            self.submission.reference, self.submission.attempt
        )
    }

    /// Whether a record's free text (a check's `Description`, a document's `Notes`) shows that it
    /// was written by this attempt of this submission (never by an earlier attempt): its first
    /// line is this attempt's reference note (a document's notes go on with the quality line).
    pub fn is_ours(&self, free_text: Option<&str>) -> bool {
        free_text.and_then(|text| text.lines().next()) == Some(self.reference_note().as_str())
    }

    /// After a reviewer failed the check, the member sends new images for the same check: a new
    /// document record on the existing check, as the Nexudus member portal does. It is a new
    /// attempt, so the rejected document can never be taken for the new one.
    pub fn start_resubmission(&mut self) {
        let Some(check_id) = self.submission.check_id else {
            return;
        };
        self.submission.attempt = self.submission.attempt.saturating_add(1);
        self.submission.sent = false;
        // The reviewer saw the document's images: their digests are kept to catch the same bytes
        // sent again. Without a document, nothing stored was ever reviewed.
        if self.submission.document_id.is_some() {
            for stored in std::mem::take(&mut self.submission.stored).into_values() {
                if let Some(sha256) = stored.sha256
                    && !self.submission.refused.contains(&sha256)
                {
                    self.submission.refused.push(sha256);
                }
            }
        }
        self.submission.stored.clear();
        self.submission.document_id = None;
        self.submission.check_id = Some(check_id);
        self.captured.clear();
        self.step = self.first_open_step();
    }

    /// Whether the host asked for both purposes and the address check is still to come.
    pub fn has_next_purpose(&self) -> bool {
        self.next_purpose().is_some()
    }

    fn next_purpose(&self) -> Option<Purpose> {
        let done = |purpose| {
            self.completed.iter().any(|c| c.purpose == purpose) || self.purpose == Some(purpose)
        };
        (self.settings.purpose == PurposeSetting::Both && self.step == Step::Submitted)
            .then(|| Purpose::ALL.into_iter().find(|purpose| !done(*purpose)))
            .flatten()
    }

    /// Starts the second check of a "both" request, keeping the first one's ids for the summary.
    pub fn continue_with_next_purpose(&mut self) -> bool {
        let (Some(next), Some(check_id), Some(document_id)) = (
            self.next_purpose(),
            self.submission.check_id,
            self.submission.document_id,
        ) else {
            return false;
        };
        self.completed.push(Completed {
            purpose: self.purpose.unwrap_or(Purpose::Identity),
            check_id,
            document_id,
        });
        self.purpose = Some(next);
        self.kind = None;
        self.captured.clear();
        self.submission = Submission::new(format!(
            "{}-{}",
            self.submission.reference,
            self.completed.len() + 1
        ));
        self.step = Step::DocumentType;
        true
    }
}

fn kind_purpose(kind: DocumentKind) -> Purpose {
    match kind {
        DocumentKind::Identity(_) => Purpose::Identity,
        DocumentKind::Address(_) => Purpose::Address,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A manual capture of `slot`, with bytes of its own.
    pub(super) fn shot(slot: Slot) -> Capture {
        Capture::new(
            crate::capture::Method::Manual,
            None,
            slot.field_prefix().as_bytes(),
        )
    }

    pub(super) fn today() -> Date {
        Date::new(2026, 11, 21).unwrap()
    }

    pub(super) fn settings(purpose: PurposeSetting) -> Settings {
        Settings {
            business_id: 1,
            coworker_id: 7,
            check_name: "Identity check".into(),
            purpose,
            identity_types: Vec::new(),
            address_types: Vec::new(),
        }
    }

    pub(super) fn good_details() -> Details {
        Details {
            number: "X1234567".into(),
            issued_by: "Ministerio del Interior".into(),
            expires: "2030-05-01".into(),
        }
    }

    /// Walks a flow to its Review step the way a member would.
    pub(super) fn to_review(kind: DocumentKind) -> Flow {
        let mut flow = Flow::new(settings(PurposeSetting::Ask), "ref-1".into());
        flow.set_consent(true);
        flow.next(today()).unwrap();
        flow.choose_purpose(kind_purpose(kind));
        flow.next(today()).unwrap();
        flow.choose_document(kind);
        flow.next(today()).unwrap();
        if kind_purpose(kind) == Purpose::Identity {
            flow.edit_details(good_details());
            flow.next(today()).unwrap();
        }
        while let Step::Capture(slot) = flow.step() {
            flow.captured(slot, shot(slot));
            flow.next(today()).unwrap();
        }
        assert_eq!(flow.step(), Step::Review);
        flow
    }

    #[test]
    fn steps_follow_the_document_type() {
        let cases = [
            (
                DocumentKind::Identity(IdentityDocumentType::Passport),
                vec![Slot::Photo, Slot::Front],
            ),
            (
                DocumentKind::Identity(IdentityDocumentType::DriversLicense),
                vec![Slot::Photo, Slot::Front, Slot::Back],
            ),
            (
                DocumentKind::Address(AddressDocumentType::LeaseRentalAgreement),
                vec![Slot::Front, Slot::Back],
            ),
        ];
        for (kind, slots) in cases {
            let flow = to_review(kind);
            let mut expected = vec![Step::Welcome, Step::Purpose, Step::DocumentType];
            if kind_purpose(kind) == Purpose::Identity {
                expected.push(Step::Details);
            }
            expected.extend(slots.iter().copied().map(Step::Capture));
            expected.extend([Step::Review, Step::Submitted]);
            assert_eq!(flow.steps(), expected, "{kind:?}");
        }
    }

    #[test]
    fn each_step_says_what_blocks_it() {
        let mut flow = Flow::new(settings(PurposeSetting::Ask), "ref-1".into());
        assert_eq!(flow.next(today()), Err(Blocker::ConsentNeeded));
        flow.set_consent(true);
        assert_eq!(flow.next(today()), Ok(Step::Purpose));
        assert_eq!(flow.next(today()), Err(Blocker::PurposeNeeded));
        flow.choose_purpose(Purpose::Identity);
        assert_eq!(flow.next(today()), Ok(Step::DocumentType));
        assert_eq!(flow.next(today()), Err(Blocker::DocumentTypeNeeded));
        flow.choose_document(DocumentKind::Identity(IdentityDocumentType::Passport));
        assert_eq!(flow.next(today()), Ok(Step::Details));
        flow.edit_details(Details {
            number: "".into(),
            issued_by: "Police".into(),
            expires: "2020-01-01".into(),
        });
        let Err(Blocker::Invalid(violations)) = flow.next(today()) else {
            panic!("bad details must block");
        };
        let properties: Vec<&str> = violations.iter().map(|v| v.property.as_str()).collect();
        assert_eq!(
            properties,
            ["IdentityDocumentNumber", "IdentityDocumentExpirationDate"]
        );
        flow.edit_details(good_details());
        assert_eq!(flow.next(today()), Ok(Step::Capture(Slot::Photo)));
        assert_eq!(flow.next(today()), Err(Blocker::CaptureNeeded(Slot::Photo)));
    }

    #[test]
    fn an_optional_back_can_be_skipped() {
        let mut flow = Flow::new(
            settings(PurposeSetting::Only(Purpose::Address)),
            "ref-1".into(),
        );
        flow.set_consent(true);
        assert_eq!(flow.next(today()), Ok(Step::DocumentType));
        flow.choose_document(DocumentKind::Address(AddressDocumentType::VoterCard));
        assert_eq!(flow.next(today()), Ok(Step::Capture(Slot::Front)));
        flow.captured(Slot::Front, shot(Slot::Front));
        assert_eq!(flow.next(today()), Ok(Step::Capture(Slot::Back)));
        assert_eq!(flow.next(today()), Ok(Step::Review));
        assert_eq!(flow.slots_to_send(), vec![Slot::Front]);
    }

    #[test]
    fn back_and_forward_keep_what_was_entered() {
        let mut flow = to_review(DocumentKind::Identity(IdentityDocumentType::IdCard));
        while flow.step() != Step::Welcome {
            flow.back();
        }
        assert_eq!(flow.details(), &good_details());
        assert!(flow.is_captured(Slot::Back));
        assert!(flow.go_to(Step::Review, today()));
        // Changing the document type keeps the captures the new type still uses.
        assert!(flow.go_to(Step::DocumentType, today()));
        flow.choose_document(DocumentKind::Identity(IdentityDocumentType::Passport));
        assert_eq!(flow.slots_to_send(), vec![Slot::Photo, Slot::Front]);
        assert!(flow.go_to(Step::Review, today()));
    }

    #[test]
    fn the_step_count_only_shrinks_as_answers_settle() {
        let mut flow = Flow::new(settings(PurposeSetting::Ask), "ref-1".into());
        assert_eq!(flow.position(), (1, 9));
        flow.set_consent(true);
        flow.next(today()).unwrap();
        assert_eq!(flow.position(), (2, 9));
        flow.choose_purpose(Purpose::Address);
        assert_eq!(flow.position(), (2, 7));
        flow.next(today()).unwrap();
        flow.choose_document(DocumentKind::Address(AddressDocumentType::VoterCard));
        assert_eq!(flow.position(), (3, 7));
        flow.choose_purpose(Purpose::Identity);
        assert_eq!(flow.position(), (3, 9));
        flow.choose_document(DocumentKind::Identity(IdentityDocumentType::Passport));
        assert_eq!(flow.position(), (3, 8));
    }

    #[test]
    fn history_cannot_jump_past_an_unfinished_step() {
        let mut flow = Flow::new(settings(PurposeSetting::Ask), "ref-1".into());
        flow.set_consent(true);
        flow.next(today()).unwrap();
        assert!(!flow.go_to(Step::Review, today()));
        assert_eq!(flow.step(), Step::Purpose);
    }

    #[test]
    fn the_requests_carry_the_answers() {
        let flow = to_review(DocumentKind::Identity(IdentityDocumentType::Passport));
        let check = flow.check_request();
        assert_eq!(check.business_id, Some(1));
        assert_eq!(check.coworker_id, Some(7));
        assert_eq!(check.verification_type, Some(VerificationType::IdDocument));
        assert_eq!(
            check.identity_document_type,
            Some(IdentityDocumentType::Passport)
        );
        assert_eq!(check.identity_document_number.as_deref(), Some("X1234567"));
        assert_eq!(
            check.identity_document_expiration_date.as_deref(),
            Some("2030-05-01T00:00:00Z")
        );
        assert!(rules::check_identity_check(&check, today()).is_empty());
        assert!(flow.is_ours(check.description.as_deref()));
        assert!(!flow.is_ours(Some(
            "Submitted by the member with idcheck (reference other)"
        )));
        assert!(!flow.is_ours(None));

        let address = to_review(DocumentKind::Address(AddressDocumentType::Mortgage));
        let check = address.check_request();
        assert_eq!(
            check.address_document_type,
            Some(AddressDocumentType::Mortgage)
        );
        assert_eq!(check.identity_document_number, None);
    }

    #[test]
    fn a_retry_resumes_at_the_first_unrecorded_milestone() {
        let mut flow = to_review(DocumentKind::Identity(IdentityDocumentType::DriversLicense));
        assert_eq!(flow.next_milestone(), Milestone::CreateCheck);
        flow.record_check_created(41);
        // A second answer for the same milestone (a retried request) never replaces the first.
        flow.record_check_created(99);
        assert_eq!(flow.submission().check_id, Some(41));
        assert_eq!(flow.next_milestone(), Milestone::StoreImage(Slot::Photo));
        flow.record_image_stored(Slot::Photo, "u1".into());
        flow.record_image_stored(Slot::Front, "u2".into());
        assert_eq!(flow.next_milestone(), Milestone::StoreImage(Slot::Back));
        flow.record_image_stored(Slot::Back, "u3".into());
        assert_eq!(flow.next_milestone(), Milestone::CreateDocument);
        let document = flow.document_request();
        assert_eq!(document.coworker_identity_check_id, Some(41));
        assert_eq!(document.new_photo_url.as_deref(), Some("u1"));
        assert_eq!(document.new_additional_document_url.as_deref(), Some("u3"));
        flow.record_document_created(5);
        assert_eq!(flow.next_milestone(), Milestone::Done);
        assert_eq!(flow.step(), Step::Submitted);
    }

    #[test]
    fn answers_are_fixed_once_the_check_exists() {
        let mut flow = to_review(DocumentKind::Identity(IdentityDocumentType::Passport));
        flow.record_check_created(41);
        flow.edit_details(Details::default());
        assert_eq!(flow.details(), &good_details());
        assert!(!flow.go_to(Step::Details, today()));
        // Images can still be retaken; the stored copy of a retaken image is forgotten.
        flow.record_image_stored(Slot::Photo, "old".into());
        assert!(flow.go_to(Step::Capture(Slot::Photo), today()));
        flow.discard(Slot::Photo);
        assert!(!flow.submission().stored.contains_key(&Slot::Photo));
        assert_eq!(flow.back(), Step::Capture(Slot::Photo));
    }

    #[test]
    fn a_server_rejection_reopens_the_owning_step() {
        let mut flow = to_review(DocumentKind::Identity(IdentityDocumentType::Passport));
        assert_eq!(
            flow.reopen_for("IdentityDocumentIssuedBy"),
            Some(Step::Details)
        );
        assert_eq!(flow.details(), &good_details());
        assert_eq!(flow.reopen_for("Name"), None);

        let mut flow = to_review(DocumentKind::Identity(IdentityDocumentType::Passport));
        flow.record_check_created(3);
        flow.record_image_stored(Slot::Photo, "u".into());
        assert_eq!(
            flow.reopen_for("NewPhotoUrl"),
            Some(Step::Capture(Slot::Photo))
        );
        assert!(!flow.is_captured(Slot::Photo));
        assert_eq!(flow.next_milestone(), Milestone::StoreImage(Slot::Front));
    }

    #[test]
    fn resubmission_keeps_the_check_and_asks_for_new_images() {
        let mut flow = to_review(DocumentKind::Identity(IdentityDocumentType::Passport));
        flow.record_check_created(41);
        flow.record_image_stored(Slot::Photo, "u1".into());
        flow.record_image_stored(Slot::Front, "u2".into());
        flow.record_document_created(5);
        flow.start_resubmission();
        assert_eq!(flow.step(), Step::Capture(Slot::Photo));
        assert_eq!(flow.submission().check_id, Some(41));
        assert_eq!(flow.submission().document_id, None);
        assert_eq!(flow.back(), Step::Capture(Slot::Photo));
        flow.captured(Slot::Photo, shot(Slot::Photo));
        flow.next(today()).unwrap();
        flow.captured(Slot::Front, shot(Slot::Front));
        flow.next(today()).unwrap();
        assert_eq!(flow.next_milestone(), Milestone::StoreImage(Slot::Photo));
    }

    #[test]
    fn a_resubmission_is_a_new_attempt_that_never_takes_the_rejected_document() {
        let mut flow = to_review(DocumentKind::Identity(IdentityDocumentType::Passport));
        flow.sending();
        flow.record_check_created(41);
        let rejected_notes = flow.document_request().notes;
        let rejected_key = flow.idempotency_key(Milestone::CreateDocument);
        flow.record_image_stored(Slot::Photo, "u1".into());
        flow.record_image_stored(Slot::Front, "u2".into());
        flow.record_document_created(5);
        flow.start_resubmission();
        assert_eq!(flow.submission().attempt, 2);
        assert!(!flow.is_ours(rejected_notes.as_deref()));
        assert_ne!(
            flow.idempotency_key(Milestone::CreateDocument),
            rejected_key
        );
        assert!(flow.is_ours(flow.document_request().notes.as_deref()));
    }

    #[test]
    fn the_document_notes_carry_the_reference_then_the_quality_line() {
        use crate::capture::{Exposure, Method, Quality};
        let mut flow = to_review(DocumentKind::Identity(IdentityDocumentType::Passport));
        let quality = Quality {
            sharpness: 412,
            exposure: Exposure::Ok,
            glare_tiles: 0,
            fill_permille: None,
            tilt_tenths: None,
            advice: None,
        };
        assert!(flow.go_to(Step::Capture(Slot::Photo), today()));
        flow.captured(
            Slot::Photo,
            Capture::new(Method::Auto, Some(quality), b"face"),
        );
        flow.next(today()).unwrap();
        flow.next(today()).unwrap();
        let notes = flow.document_request().notes.unwrap();
        assert_eq!(
            notes,
            format!(
                "{}\nQuality: face auto (sharp 412, exposure ok); front manual (not analysed)",
                flow.reference_note()
            )
        );
        assert!(flow.is_ours(Some(&notes)));
        // Another attempt's notes, even with the same quality line, are not this attempt's.
        let earlier = notes.replace("attempt 1)", "attempt 11)");
        assert!(!flow.is_ours(Some(&earlier)));
        assert!(!flow.is_ours(Some("")));
        assert!(!flow.is_ours(None));
    }

    /// Stores every image, creates the document, and has the reviewer fail it.
    fn refused_and_resubmitting(kind: DocumentKind) -> Flow {
        let mut flow = to_review(kind);
        flow.sending();
        flow.record_check_created(41);
        for slot in flow.slots_to_send() {
            flow.record_image_stored(slot, format!("u-{slot:?}"));
        }
        flow.record_document_created(5);
        flow.start_resubmission();
        flow
    }

    #[test]
    fn a_resubmission_that_repeats_every_refused_image_is_blocked() {
        let mut flow =
            refused_and_resubmitting(DocumentKind::Identity(IdentityDocumentType::Passport));
        assert_eq!(flow.submission().refused.len(), 2);
        assert_eq!(flow.step(), Step::Capture(Slot::Photo));
        // The very same face photo: told, but it may go on (the front may have been the problem).
        flow.captured(Slot::Photo, shot(Slot::Photo));
        assert!(flow.repeats_refused(Slot::Photo));
        assert_eq!(flow.next(today()), Ok(Step::Capture(Slot::Front)));
        // The very same front too: nothing new for the reviewer, so it cannot be sent.
        flow.captured(Slot::Front, shot(Slot::Front));
        assert_eq!(flow.next(today()), Ok(Step::Review));
        assert_eq!(flow.blocker(today()), Some(Blocker::RefusedImagesAgain));
        // A new front is enough: the same face photo beside it goes.
        assert!(flow.go_to(Step::Capture(Slot::Front), today()));
        flow.captured(
            Slot::Front,
            Capture::new(crate::capture::Method::Manual, None, b"a new front"),
        );
        assert!(!flow.repeats_refused(Slot::Front));
        flow.next(today()).unwrap();
        assert_eq!(flow.blocker(today()), None);
        assert!(flow.repeats_refused(Slot::Photo));
    }

    #[test]
    fn a_refused_image_is_recognised_in_another_slot_and_across_attempts() {
        let mut flow =
            refused_and_resubmitting(DocumentKind::Address(AddressDocumentType::Mortgage));
        // The refused front, sent as the back this time.
        flow.captured(
            Slot::Front,
            Capture::new(crate::capture::Method::Uploaded, None, b"another page"),
        );
        flow.captured(Slot::Back, shot(Slot::Front));
        assert!(flow.repeats_refused(Slot::Back));
        assert!(!flow.repeats_refused(Slot::Front));
        // Refused a second time: both documents' images are remembered.
        flow.next(today()).unwrap();
        flow.next(today()).unwrap();
        assert_eq!(flow.step(), Step::Review);
        flow.sending();
        for slot in flow.slots_to_send() {
            flow.record_image_stored(slot, format!("v-{slot:?}"));
        }
        flow.record_document_created(6);
        flow.start_resubmission();
        // The first document's front and back, and the new page; the front sent again as the
        // back is not counted twice.
        assert_eq!(
            flow.submission().refused.len(),
            3,
            "{:?}",
            flow.submission().refused
        );
        flow.captured(
            Slot::Front,
            Capture::new(crate::capture::Method::Uploaded, None, b"another page"),
        );
        assert!(flow.repeats_refused(Slot::Front));
    }

    #[test]
    fn images_stored_before_any_document_were_never_reviewed() {
        let mut flow = to_review(DocumentKind::Identity(IdentityDocumentType::Passport));
        flow.record_check_created(41);
        flow.record_image_stored(Slot::Photo, "u1".into());
        // A check the operator failed before any document: nothing was refused.
        flow.start_resubmission();
        assert!(flow.submission().refused.is_empty());
        flow.captured(Slot::Photo, shot(Slot::Photo));
        assert!(!flow.repeats_refused(Slot::Photo));
    }

    #[test]
    fn a_change_after_a_write_was_sent_starts_a_new_attempt() {
        let mut flow = to_review(DocumentKind::Identity(IdentityDocumentType::Passport));
        // Changes before anything is sent stay in the first attempt.
        flow.discard(Slot::Front);
        flow.captured(Slot::Front, shot(Slot::Front));
        assert_eq!(flow.submission().attempt, 1);
        let first_key = flow.idempotency_key(Milestone::CreateCheck);
        let first_note = flow.reference_note();
        assert_eq!(
            first_key.as_deref(),
            Some("idcheck-ref-1-1-check"),
            "printable, without spaces, naming the reference, attempt and write"
        );

        // The check's answer was lost; the member goes back and corrects the number.
        flow.sending();
        assert!(flow.go_to(Step::Details, today()));
        flow.edit_details(good_details()); // the same answers: nothing changed
        assert_eq!(flow.submission().attempt, 1);
        flow.edit_details(Details {
            number: "Y7654321".into(),
            ..good_details()
        });
        assert_eq!(flow.submission().attempt, 2);
        assert_ne!(flow.idempotency_key(Milestone::CreateCheck), first_key);
        assert!(!flow.is_ours(Some(&first_note)));
        // A second change before anything else is sent stays in that attempt.
        flow.edit_details(good_details());
        assert_eq!(flow.submission().attempt, 2);

        // An image retaken before the check exists (after a reload lost it, say) goes nowhere the
        // check's look-up could miss: the attempt goes on.
        flow.sending();
        flow.discard(Slot::Photo);
        flow.captured(Slot::Photo, shot(Slot::Photo));
        assert_eq!(flow.submission().attempt, 2);

        // Once the check exists, a retaken image after its upload was sent is a new attempt too.
        flow.record_check_created(41);
        flow.sending();
        flow.record_image_stored(Slot::Photo, "u1".into());
        let upload_key = flow.idempotency_key(Milestone::StoreImage(Slot::Photo));
        flow.captured(Slot::Photo, shot(Slot::Photo));
        assert_eq!(flow.submission().attempt, 3);
        // Retaken again before anything else was sent: still that attempt.
        flow.captured(Slot::Photo, shot(Slot::Photo));
        assert_eq!(flow.submission().attempt, 3);
        assert_ne!(
            flow.idempotency_key(Milestone::StoreImage(Slot::Photo)),
            upload_key
        );
    }

    #[test]
    fn a_requested_check_is_filled_in_without_a_key_and_open_checks_are_adopted_only_before_sending()
     {
        let mut flow = to_review(DocumentKind::Identity(IdentityDocumentType::Passport));
        flow.adopt_requested_checks(&[(Purpose::Identity, 12)]);
        assert_eq!(flow.idempotency_key(Milestone::CreateCheck), None);
        assert!(flow.idempotency_key(Milestone::CreateDocument).is_some());

        let mut late = to_review(DocumentKind::Identity(IdentityDocumentType::Passport));
        late.sending();
        late.adopt_requested_checks(&[(Purpose::Identity, 12)]);
        assert_eq!(
            late.requested_check(),
            None,
            "the write already sent decides"
        );
    }

    #[test]
    fn both_purposes_run_one_after_the_other() {
        let mut flow = Flow::new(settings(PurposeSetting::Both), "ref-1".into());
        flow.set_consent(true);
        assert_eq!(flow.next(today()), Ok(Step::DocumentType));
        // Only identity types are offered first.
        flow.choose_document(DocumentKind::Address(AddressDocumentType::VoterCard));
        assert_eq!(flow.document_kind(), None);
        flow.choose_document(DocumentKind::Identity(IdentityDocumentType::Passport));
        flow.next(today()).unwrap();
        flow.edit_details(good_details());
        flow.next(today()).unwrap();
        while let Step::Capture(slot) = flow.step() {
            flow.captured(slot, shot(slot));
            flow.next(today()).unwrap();
        }
        assert!(!flow.has_next_purpose());
        flow.record_check_created(1);
        flow.record_image_stored(Slot::Photo, "a".into());
        flow.record_image_stored(Slot::Front, "b".into());
        flow.record_document_created(2);
        assert!(flow.has_next_purpose());
        assert!(flow.continue_with_next_purpose());
        assert_eq!(flow.purpose(), Some(Purpose::Address));
        assert_eq!(flow.step(), Step::DocumentType);
        assert_eq!(flow.completed().len(), 1);
        assert!(!flow.continue_with_next_purpose());
    }

    /// Walks a flow whose purpose is settled from Welcome or DocumentType to Review with `kind`.
    fn answer_and_capture(flow: &mut Flow, kind: DocumentKind) {
        if flow.step() == Step::Welcome {
            flow.set_consent(true);
            flow.next(today()).unwrap();
        }
        assert_eq!(flow.step(), Step::DocumentType);
        flow.choose_document(kind);
        flow.next(today()).unwrap();
        if kind_purpose(kind) == Purpose::Identity {
            flow.edit_details(good_details());
            flow.next(today()).unwrap();
        }
        while let Step::Capture(slot) = flow.step() {
            flow.captured(slot, shot(slot));
            flow.next(today()).unwrap();
        }
        assert_eq!(flow.step(), Step::Review);
    }

    #[test]
    fn a_requested_check_is_filled_in_instead_of_created() {
        let mut flow = Flow::new(
            settings(PurposeSetting::Only(Purpose::Identity)),
            "ref-1".into(),
        );
        flow.adopt_requested_checks(&[(Purpose::Identity, 7)]);
        assert_eq!(flow.requested_check(), Some(7));
        answer_and_capture(
            &mut flow,
            DocumentKind::Identity(IdentityDocumentType::Passport),
        );
        assert_eq!(flow.next_milestone(), Milestone::CreateCheck);
        let CheckWrite::Update { id, check } = flow.check_write() else {
            panic!("a requested check must be updated, not created");
        };
        assert_eq!(id, 7);
        // The member's answers travel exactly as they would in a new check.
        assert_eq!(check, flow.check_request());
        assert_eq!(check.verification_type, Some(VerificationType::IdDocument));
        assert_eq!(
            check.identity_document_type,
            Some(IdentityDocumentType::Passport)
        );
        assert_eq!(check.identity_document_number.as_deref(), Some("X1234567"));
        assert!(flow.is_ours(check.description.as_deref()));
        // Once written, it is the submission's check: images and the document follow as usual.
        flow.record_check_created(id);
        assert_eq!(flow.next_milestone(), Milestone::StoreImage(Slot::Photo));
        flow.record_image_stored(Slot::Photo, "u1".into());
        flow.record_image_stored(Slot::Front, "u2".into());
        assert_eq!(flow.next_milestone(), Milestone::CreateDocument);
        assert_eq!(flow.document_request().coworker_identity_check_id, Some(7));
        flow.record_document_created(70);
        assert_eq!(flow.next_milestone(), Milestone::Done);
    }

    #[test]
    fn without_a_requested_check_for_the_purpose_a_check_is_created() {
        let flow = Flow::new(settings(PurposeSetting::Ask), "ref-1".into());
        assert_eq!(flow.requested_check(), None);
        assert_eq!(flow.check_write(), CheckWrite::Create(flow.check_request()));

        let mut flow = to_review(DocumentKind::Identity(IdentityDocumentType::Passport));
        flow.adopt_requested_checks(&[(Purpose::Address, 8)]);
        assert_eq!(flow.requested_check(), None);
        assert_eq!(flow.check_write(), CheckWrite::Create(flow.check_request()));
    }

    #[test]
    fn both_purposes_each_fill_their_own_requested_check() {
        let mut flow = Flow::new(settings(PurposeSetting::Both), "ref-1".into());
        flow.adopt_requested_checks(&[(Purpose::Address, 8), (Purpose::Identity, 7)]);
        answer_and_capture(
            &mut flow,
            DocumentKind::Identity(IdentityDocumentType::Passport),
        );
        let CheckWrite::Update { id, .. } = flow.check_write() else {
            panic!("the identity check was requested");
        };
        assert_eq!(id, 7);
        flow.record_check_created(id);
        flow.record_image_stored(Slot::Photo, "a".into());
        flow.record_image_stored(Slot::Front, "b".into());
        flow.record_document_created(70);
        assert!(flow.continue_with_next_purpose());

        assert_eq!(flow.purpose(), Some(Purpose::Address));
        assert_eq!(flow.next_milestone(), Milestone::CreateCheck);
        answer_and_capture(
            &mut flow,
            DocumentKind::Address(AddressDocumentType::VoterCard),
        );
        let CheckWrite::Update { id, check } = flow.check_write() else {
            panic!("the address check was requested");
        };
        assert_eq!(id, 8);
        assert_eq!(check.verification_type, Some(VerificationType::Address));
        assert_eq!(
            check.address_document_type,
            Some(AddressDocumentType::VoterCard)
        );
        flow.record_check_created(id);
        assert_eq!(flow.submission().check_id, Some(8));
        assert_eq!(flow.completed()[0].check_id, 7);
    }

    #[test]
    fn only_the_second_purpose_may_be_requested() {
        let mut flow = Flow::new(settings(PurposeSetting::Both), "ref-1".into());
        flow.adopt_requested_checks(&[(Purpose::Address, 8)]);
        answer_and_capture(
            &mut flow,
            DocumentKind::Identity(IdentityDocumentType::Passport),
        );
        assert!(matches!(flow.check_write(), CheckWrite::Create(_)));
        flow.record_check_created(41);
        flow.record_image_stored(Slot::Photo, "a".into());
        flow.record_image_stored(Slot::Front, "b".into());
        flow.record_document_created(5);
        assert!(flow.continue_with_next_purpose());
        assert_eq!(flow.requested_check(), Some(8));
    }

    #[test]
    fn each_purpose_keeps_its_first_real_requested_check() {
        let mut flow = Flow::new(
            settings(PurposeSetting::Only(Purpose::Identity)),
            "ref-1".into(),
        );
        flow.adopt_requested_checks(&[
            (Purpose::Identity, 0),
            (Purpose::Identity, -4),
            (Purpose::Identity, 7),
            (Purpose::Identity, 9),
        ]);
        assert_eq!(flow.requested_check(), Some(7));
        // A second call cannot replace it either.
        flow.adopt_requested_checks(&[(Purpose::Identity, 11)]);
        assert_eq!(flow.requested_check(), Some(7));
    }

    #[test]
    fn a_rejected_answer_reopens_its_step_and_still_fills_the_requested_check() {
        let mut flow = Flow::new(
            settings(PurposeSetting::Only(Purpose::Identity)),
            "ref-1".into(),
        );
        flow.adopt_requested_checks(&[(Purpose::Identity, 7)]);
        answer_and_capture(
            &mut flow,
            DocumentKind::Identity(IdentityDocumentType::Passport),
        );
        assert_eq!(
            flow.reopen_for("IdentityDocumentIssuedBy"),
            Some(Step::Details)
        );
        assert_eq!(flow.next_milestone(), Milestone::CreateCheck);
        assert!(flow.go_to(Step::Review, today()));
        assert!(matches!(
            flow.check_write(),
            CheckWrite::Update { id: 7, .. }
        ));
    }

    #[test]
    fn an_operator_request_names_the_purposes() {
        assert_eq!(
            Purpose::for_verification_type(VerificationType::IdDocument),
            Some(Purpose::Identity)
        );
        assert_eq!(
            Purpose::for_verification_type(VerificationType::Address),
            Some(Purpose::Address)
        );
        assert_eq!(Purpose::for_verification_type(VerificationType::None), None);
        assert_eq!(
            PurposeSetting::requested("identity"),
            Some(PurposeSetting::Only(Purpose::Identity))
        );
        assert_eq!(
            PurposeSetting::requested("Address"),
            Some(PurposeSetting::Only(Purpose::Address))
        );
        assert_eq!(
            PurposeSetting::requested(" both "),
            Some(PurposeSetting::Both)
        );
        assert_eq!(PurposeSetting::requested("ask"), None);
        assert_eq!(PurposeSetting::requested(""), None);
    }

    #[test]
    fn the_host_can_restrict_document_types() {
        let mut restricted = settings(PurposeSetting::Ask);
        restricted.identity_types =
            vec![IdentityDocumentType::IdCard, IdentityDocumentType::Passport];
        assert_eq!(
            restricted.document_choices(Purpose::Identity),
            vec![
                DocumentKind::Identity(IdentityDocumentType::IdCard),
                DocumentKind::Identity(IdentityDocumentType::Passport)
            ]
        );
        let all = settings(PurposeSetting::Ask);
        assert_eq!(all.document_choices(Purpose::Identity).len(), 11);
        assert_eq!(all.document_choices(Purpose::Address).len(), 9);
    }
}
