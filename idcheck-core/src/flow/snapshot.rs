//! A flow kept across a reload of the page: the member's answers, the record of each accepted
//! image (how it was obtained, its scores and digest) and what submitting recorded (reference,
//! attempt, record ids, stored image URLs), never an image and never a token. The
//! browser keeps it for the tab; resuming checks it against the host's settings, so a snapshot of
//! another member or configuration is never taken for this one.

use serde::{Deserialize, Serialize};

use super::{
    Completed, Details, Flow, Purpose, PurposeSetting, Settings, Step, Stored, Submission,
};
use crate::capture::{Capture, Digest};
use crate::date::Date;
use crate::slots::{DocumentKind, Slot, used_slots};

/// More attempts than a member could make in a tab's life: a snapshot claiming more was not written
/// by a flow (and its next attempt must still be a new number).
const MAX_ATTEMPTS: u32 = 10_000;

/// Everything of a [`Flow`] but its settings, which come from the host again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    coworker_id: i64,
    business_id: i64,
    step: Step,
    consented: bool,
    purpose: Option<Purpose>,
    kind: Option<DocumentKind>,
    details: Details,
    captured: Vec<(Slot, Capture)>,
    reference: String,
    attempt: u32,
    sent: bool,
    check_id: Option<i64>,
    stored: Vec<(Slot, Stored)>,
    document_id: Option<i64>,
    refused: Vec<Digest>,
    completed: Vec<Completed>,
    requested: [Option<i64>; 2],
}

/// A flow brought back from a snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct Resumed {
    pub flow: Flow,
    /// Images the member had accepted but that were not stored yet: the page no longer holds
    /// them, so they are asked for again.
    pub lost: Vec<Slot>,
}

impl Snapshot {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The snapshot `json` holds, if it is one.
    pub fn from_json(json: &str) -> Option<Snapshot> {
        serde_json::from_str(json).ok()
    }
}

impl Flow {
    pub fn snapshot(&self) -> Snapshot {
        let submission = &self.submission;
        Snapshot {
            coworker_id: self.settings.coworker_id,
            business_id: self.settings.business_id,
            step: self.step,
            consented: self.consented,
            purpose: self.purpose,
            kind: self.kind,
            details: self.details.clone(),
            captured: self
                .captured
                .iter()
                .map(|(slot, capture)| (*slot, *capture))
                .collect(),
            reference: submission.reference.clone(),
            attempt: submission.attempt,
            sent: submission.sent,
            check_id: submission.check_id,
            stored: submission
                .stored
                .iter()
                .map(|(slot, stored)| (*slot, stored.clone()))
                .collect(),
            document_id: submission.document_id,
            refused: submission.refused.clone(),
            completed: self.completed.clone(),
            requested: self.requested,
        }
    }

    /// The flow `snapshot` was taken of, under the host's `settings`, back on the step it was on
    /// (or the first one before it that is no longer satisfied, e.g. a capture whose image was
    /// lost). `None` when the snapshot does not fit these settings: another member, a purpose or
    /// document type no longer offered, or values no flow could have held.
    pub fn resume(settings: Settings, snapshot: Snapshot, today: Date) -> Option<Resumed> {
        if !fits(&settings, &snapshot) {
            return None;
        }
        let used = snapshot.kind.map(used_slots).unwrap_or_default();
        let stored: std::collections::BTreeMap<Slot, Stored> = snapshot
            .stored
            .into_iter()
            .filter(|(slot, _)| used.contains(slot))
            .collect();
        let (kept, lost): (Vec<(Slot, Capture)>, Vec<(Slot, Capture)>) = snapshot
            .captured
            .into_iter()
            .filter(|(slot, _)| used.contains(slot))
            .partition(|(slot, _)| stored.contains_key(slot) || snapshot.document_id.is_some());
        let lost = lost.into_iter().map(|(slot, _)| slot).collect();
        let mut flow = Flow {
            settings,
            step: Step::Welcome,
            consented: snapshot.consented,
            purpose: snapshot.purpose,
            kind: snapshot.kind,
            details: snapshot.details,
            captured: kept.into_iter().collect(),
            submission: Submission {
                reference: snapshot.reference,
                attempt: snapshot.attempt,
                sent: snapshot.sent,
                check_id: snapshot.check_id,
                stored,
                document_id: snapshot.document_id,
                refused: snapshot.refused,
            },
            completed: snapshot.completed,
            requested: snapshot.requested,
        };
        if flow.submission.document_id.is_some() {
            flow.step = Step::Submitted;
        } else {
            flow.step = flow.first_open_step();
            flow.walk_to(snapshot.step, today);
        }
        Some(Resumed { flow, lost })
    }

    /// Moves forward step by step towards `target`, stopping at the first step that blocks.
    fn walk_to(&mut self, target: Step, today: Date) {
        for _ in 0..self.steps().len() {
            if self.step == target {
                return;
            }
            let before = self.step;
            if self.next(today).is_err() || self.step == before {
                return;
            }
        }
    }
}

/// Whether a snapshot could have been taken under `settings`.
fn fits(settings: &Settings, snapshot: &Snapshot) -> bool {
    let purpose_fits = match (settings.purpose, snapshot.purpose) {
        (PurposeSetting::Only(only), purpose) => purpose == Some(only),
        (_, None) => snapshot.kind.is_none(),
        (_, Some(_)) => true,
    };
    let kind_fits = match (snapshot.kind, snapshot.purpose) {
        (None, _) => true,
        (Some(kind), Some(purpose)) => settings.document_choices(purpose).contains(&kind),
        (Some(_), None) => false,
    };
    let reference_fits = !snapshot.reference.is_empty()
        && snapshot.reference.len() <= 64
        && snapshot
            .reference
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    snapshot.coworker_id == settings.coworker_id
        && snapshot.business_id == settings.business_id
        && purpose_fits
        && kind_fits
        && reference_fits
        && (1..=MAX_ATTEMPTS).contains(&snapshot.attempt)
        && (snapshot.document_id.is_none() || snapshot.check_id.is_some())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{good_details, settings, to_review, today};
    use super::*;
    use crate::model::{AddressDocumentType, IdentityDocumentType};

    fn round_trip(flow: &Flow) -> Option<Resumed> {
        let json = flow.snapshot().to_json();
        assert!(!json.contains("jpeg"), "no image is ever in a snapshot");
        Flow::resume(
            flow.settings().clone(),
            Snapshot::from_json(&json)?,
            today(),
        )
    }

    #[test]
    fn a_reload_comes_back_to_the_same_step_with_the_answers() {
        let mut flow = Flow::new(settings(PurposeSetting::Ask), "ref-1".into());
        flow.set_consent(true);
        flow.next(today()).unwrap();
        flow.choose_purpose(Purpose::Identity);
        flow.next(today()).unwrap();
        flow.choose_document(DocumentKind::Identity(IdentityDocumentType::Passport));
        flow.next(today()).unwrap();
        flow.edit_details(Details {
            number: "X12".into(),
            ..Details::default()
        });
        // Details half typed: the reload shows them again on the same step.
        let resumed = round_trip(&flow).expect("resumes");
        assert_eq!(resumed.flow, flow);
        assert!(resumed.lost.is_empty());
    }

    #[test]
    fn images_not_yet_stored_are_asked_for_again_and_stored_ones_kept() {
        let mut flow = to_review(DocumentKind::Identity(IdentityDocumentType::Passport));
        flow.sending();
        flow.record_check_created(41);
        flow.record_image_stored(Slot::Photo, "https://gw/u/1".into());
        let resumed = round_trip(&flow).expect("resumes");
        assert_eq!(resumed.lost, vec![Slot::Front]);
        assert_eq!(resumed.flow.step(), Step::Capture(Slot::Front));
        let submission = resumed.flow.submission();
        assert_eq!(submission.check_id, Some(41));
        assert_eq!(submission.attempt, 1);
        assert!(submission.sent);
        assert_eq!(
            submission.stored.get(&Slot::Photo).map(|s| s.url.as_str()),
            Some("https://gw/u/1")
        );
        assert_eq!(
            submission.stored[&Slot::Photo].sha256,
            flow.capture(Slot::Photo).map(|c| c.sha256),
            "the digest of what was sent is kept with it"
        );
        // The same keys and reference as before the reload: a retry stays in the attempt.
        assert_eq!(
            resumed
                .flow
                .idempotency_key(crate::flow::Milestone::CreateDocument),
            flow.idempotency_key(crate::flow::Milestone::CreateDocument)
        );
    }

    #[test]
    fn the_record_of_each_kept_image_comes_back_with_it() {
        use crate::capture::{Exposure, Method, Quality};
        use crate::frame::{Advice, Side};
        let mut flow = to_review(DocumentKind::Identity(IdentityDocumentType::Passport));
        let quality = Quality {
            sharpness: 412,
            exposure: Exposure::Ok,
            glare_tiles: 3,
            fill_permille: Some(910),
            tilt_tenths: Some(-25),
            advice: Some(Advice::ShowWholeDocument(Side::Left)),
        };
        flow.go_to(Step::Capture(Slot::Front), today());
        flow.captured(
            Slot::Front,
            Capture::new(Method::Auto, Some(quality), b"front"),
        );
        flow.next(today()).unwrap();
        flow.record_check_created(41);
        flow.record_image_stored(Slot::Photo, "u1".into());
        flow.record_image_stored(Slot::Front, "u2".into());
        let resumed = round_trip(&flow).expect("resumes");
        assert!(resumed.lost.is_empty());
        for slot in [Slot::Photo, Slot::Front] {
            assert_eq!(resumed.flow.capture(slot), flow.capture(slot), "{slot:?}");
        }
        assert_eq!(
            resumed
                .flow
                .capture(Slot::Front)
                .map(|c| (c.method, c.quality)),
            Some((Method::Auto, Some(quality)))
        );
    }

    #[test]
    fn the_refused_images_are_still_recognised_after_a_reload() {
        let mut flow = to_review(DocumentKind::Address(AddressDocumentType::Mortgage));
        flow.record_check_created(41);
        flow.record_image_stored(Slot::Front, "u".into());
        flow.record_document_created(7);
        let refused_front = *flow.capture(Slot::Front).unwrap();
        flow.start_resubmission();
        let mut resumed = round_trip(&flow).expect("resumes").flow;
        assert_eq!(resumed.submission().refused, vec![refused_front.sha256]);
        resumed.captured(Slot::Front, refused_front);
        assert!(resumed.repeats_refused(Slot::Front));
    }

    #[test]
    fn a_submitted_flow_comes_back_submitted() {
        let mut flow = to_review(DocumentKind::Address(AddressDocumentType::Mortgage));
        flow.record_check_created(41);
        flow.record_image_stored(Slot::Front, "u".into());
        flow.record_document_created(7);
        let resumed = round_trip(&flow).expect("resumes");
        assert_eq!(resumed.flow.step(), Step::Submitted);
        assert!(resumed.lost.is_empty());
    }

    #[test]
    fn a_snapshot_of_another_member_or_configuration_is_refused() {
        let flow = to_review(DocumentKind::Identity(IdentityDocumentType::Passport));
        let snapshot = flow.snapshot();
        let mut other_member = settings(PurposeSetting::Ask);
        other_member.coworker_id = 8;
        assert_eq!(Flow::resume(other_member, snapshot.clone(), today()), None);
        let address_only = settings(PurposeSetting::Only(Purpose::Address));
        assert_eq!(Flow::resume(address_only, snapshot.clone(), today()), None);
        let mut no_passports = settings(PurposeSetting::Ask);
        no_passports.identity_types = vec![IdentityDocumentType::IdCard];
        assert_eq!(Flow::resume(no_passports, snapshot.clone(), today()), None);
        let forged = snapshot.to_json().replace("\"ref-1\"", "\"ref 1<script>\"");
        let forged = Snapshot::from_json(&forged).expect("still JSON");
        assert_eq!(
            Flow::resume(settings(PurposeSetting::Ask), forged, today()),
            None
        );
        assert_eq!(Snapshot::from_json("{\"step\":"), None);
    }

    #[test]
    fn details_that_no_longer_pass_stop_the_walk_on_their_step() {
        let flow = to_review(DocumentKind::Identity(IdentityDocumentType::Passport));
        // The document expired between the visit and the reload.
        let later = Date::new(2031, 1, 1).unwrap();
        let resumed = Flow::resume(flow.settings().clone(), flow.snapshot(), later).unwrap();
        assert_eq!(resumed.flow.step(), Step::Details);
        assert_eq!(resumed.flow.details(), &good_details());
    }
}
