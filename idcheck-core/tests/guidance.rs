//! Live guidance's decisions (`idcheck_core::frame::guidance`): observations in, at times the tests
//! choose, decisions out. No clock and no browser: the component's loop only feeds and renders this.

use idcheck_core::frame::guidance::{
    self, ANNOUNCE_EVERY_MS, Decision, GIVE_UP_AFTER_MS, Guidance, HOLD_MS, Observation, Origin,
    Speech,
};
use idcheck_core::frame::{self, Advice, Luma, Point, Rect, Side, Subject, Verdict};
use idcheck_core::model::{AddressDocumentType, IdentityDocumentType};
use idcheck_core::slots::{DocumentKind, Slot};

fn ready(sharpness: u32) -> Observation {
    Observation {
        advice: Advice::Ready,
        sharpness,
    }
}

fn poor(advice: Advice) -> Observation {
    Observation {
        advice,
        sharpness: 100,
    }
}

/// Feeds `frames` one every `step_ms` from `start_ms`, returning each decision with its time.
fn feed(
    guidance: &mut Guidance,
    start_ms: u64,
    step_ms: u64,
    frames: &[Observation],
) -> Vec<(u64, Decision)> {
    frames
        .iter()
        .enumerate()
        .map(|(i, frame)| {
            let at = start_ms + i as u64 * step_ms;
            (at, guidance.observe(*frame, at))
        })
        .collect()
}

#[test]
fn half_a_second_of_ready_frames_captures_the_sharpest() {
    let mut guidance = Guidance::new(true);
    let frames = [300, 500, 400, 450, 600, 550].map(ready);
    let decisions = feed(&mut guidance, 1_000, 100, &frames);
    let kept: Vec<bool> = decisions.iter().map(|(_, d)| d.keep).collect();
    assert_eq!(kept, [true, true, false, false, true, false]);
    let captured: Vec<u64> = decisions
        .iter()
        .filter(|(_, d)| d.capture)
        .map(|(at, _)| *at)
        .collect();
    assert_eq!(captured, [1_000 + HOLD_MS], "once, after the hold");
    for (at, decision) in &decisions {
        assert!(decision.ready, "the guide is ready at {at}");
        let hold = decision.hold.expect("a countdown");
        assert_eq!(hold.elapsed_ms, at - 1_000);
        assert_eq!(hold.total_ms, HOLD_MS);
    }
    // Nothing more is captured afterwards.
    let after = feed(&mut guidance, 1_600, 100, &[ready(900), ready(900)]);
    assert!(after.iter().all(|(_, d)| !d.capture && !d.keep));
}

#[test]
fn a_frame_that_fails_a_check_ends_the_countdown() {
    let mut guidance = Guidance::new(true);
    let mut frames = vec![ready(500); 4];
    frames.push(poor(Advice::HoldStill));
    frames.extend([ready(400); 6]);
    let decisions = feed(&mut guidance, 0, 100, &frames);
    assert!(decisions[4].1.hold.is_none() && !decisions[4].1.ready);
    let captured: Vec<u64> = decisions
        .iter()
        .filter(|(_, d)| d.capture)
        .map(|(at, _)| *at)
        .collect();
    assert_eq!(
        captured,
        [500 + HOLD_MS],
        "a new hold from the next ready frame"
    );
    // The new hold keeps its own sharpest frame, although the first hold's was sharper.
    assert!(decisions[5].1.keep);
}

#[test]
fn a_slow_device_needs_three_ready_frames() {
    let mut guidance = Guidance::new(true);
    let decisions = feed(&mut guidance, 0, 400, &[ready(500); 3]);
    let captured: Vec<bool> = decisions.iter().map(|(_, d)| d.capture).collect();
    assert_eq!(captured, [false, false, true]);
}

#[test]
fn without_auto_capture_nothing_is_taken_and_the_guide_is_never_ready() {
    let mut guidance = Guidance::new(false);
    let decisions = feed(&mut guidance, 0, 100, &[ready(500); 300]);
    assert!(
        decisions
            .iter()
            .all(|(_, d)| !d.capture && !d.keep && !d.ready && d.hold.is_none())
    );
    // Good frames were seen: there is nothing to give up on.
    assert!(decisions.iter().all(|(_, d)| d.gave_up.is_none()));
    assert_eq!(decisions.last().unwrap().1.advice, Advice::Ready);
}

#[test]
fn the_advice_shown_changes_only_once_the_new_one_holds() {
    let mut guidance = Guidance::new(true);
    // Flickering between two advices: the first one stays.
    let flicker: Vec<Observation> = (0..20)
        .map(|i| {
            poor(if i % 2 == 0 {
                Advice::MoveCloser
            } else {
                Advice::HoldStill
            })
        })
        .collect();
    let decisions = feed(&mut guidance, 0, 100, &flicker);
    assert!(
        decisions
            .iter()
            .all(|(_, d)| d.advice == Advice::MoveCloser)
    );
    // A steady new advice replaces it after 300 ms.
    let decisions = feed(&mut guidance, 2_000, 100, &[poor(Advice::MoreLight); 5]);
    let shown: Vec<Advice> = decisions.iter().map(|(_, d)| d.advice).collect();
    assert_eq!(
        shown,
        [
            Advice::MoveCloser,
            Advice::MoveCloser,
            Advice::MoveCloser,
            Advice::MoreLight,
            Advice::MoreLight
        ]
    );
}

fn spoken(decisions: &[(u64, Decision)]) -> Vec<(u64, Speech)> {
    decisions
        .iter()
        .filter_map(|(at, d)| d.say.map(|say| (*at, say)))
        .collect()
}

#[test]
fn advice_is_spoken_once_shown_for_a_second_only_when_it_changes_and_not_too_often() {
    let mut guidance = Guidance::new(true);
    let mut frames = vec![poor(Advice::MoveCloser); 30];
    frames.extend(vec![poor(Advice::AvoidGlare); 20]);
    frames.extend(vec![poor(Advice::MoveCloser); 60]);
    let decisions = feed(&mut guidance, 0, 100, &frames);
    assert_eq!(
        spoken(&decisions),
        [
            (1_000, Speech::Advice(Advice::MoveCloser)),
            // Glare is shown from 3.3 s and stable from 4.3 s; spoken four seconds after the first.
            (5_000, Speech::Advice(Advice::AvoidGlare)),
            // Back to "closer" from 5.3 s: spoken four seconds after the glare.
            (9_000, Speech::Advice(Advice::MoveCloser)),
        ]
    );
    for pair in spoken(&decisions).windows(2) {
        assert!(pair[1].0 - pair[0].0 >= ANNOUNCE_EVERY_MS);
    }
}

#[test]
fn the_countdown_is_spoken_when_it_starts_and_not_again_at_once() {
    let mut guidance = Guidance::new(true);
    let mut frames = vec![poor(Advice::MoveCloser); 12];
    frames.extend([ready(500), ready(500), poor(Advice::HoldStill), ready(500)]);
    let decisions = feed(&mut guidance, 0, 100, &frames);
    assert_eq!(
        spoken(&decisions),
        [
            (1_000, Speech::Advice(Advice::MoveCloser)),
            (1_200, Speech::Holding),
        ],
        "the second hold, 300 ms later, is not announced again"
    );
}

#[test]
fn after_20_seconds_without_a_good_frame_it_says_what_went_wrong_most_and_goes_on() {
    let mut guidance = Guidance::new(true);
    let mut frames = vec![poor(Advice::MoreLight); 50];
    frames.extend(vec![poor(Advice::AvoidGlare); 150]);
    frames.extend(vec![poor(Advice::MoreLight); 10]);
    let decisions = feed(&mut guidance, 0, 100, &frames);
    let gave_up: Vec<(u64, Speech)> = spoken(&decisions)
        .into_iter()
        .filter(|(_, s)| matches!(s, Speech::GaveUp(_)))
        .collect();
    assert_eq!(
        gave_up,
        [(GIVE_UP_AFTER_MS, Speech::GaveUp(Advice::AvoidGlare))]
    );
    assert!(
        decisions
            .iter()
            .all(|(at, d)| d.gave_up == (*at >= GIVE_UP_AFTER_MS).then_some(Advice::AvoidGlare))
    );
    // A good hold afterwards is still captured.
    let later = feed(&mut guidance, 21_100, 100, &[ready(500); 6]);
    assert!(later.last().unwrap().1.capture);
    assert_eq!(later.last().unwrap().1.gave_up, Some(Advice::AvoidGlare));
}

#[test]
fn a_good_frame_before_20_seconds_means_no_giving_up() {
    let mut guidance = Guidance::new(false);
    let mut frames = vec![ready(500); 6];
    frames.extend(vec![poor(Advice::MoreLight); 250]);
    let decisions = feed(&mut guidance, 0, 100, &frames);
    assert!(decisions.iter().all(|(_, d)| d.gave_up.is_none()));
}

#[test]
fn another_check_speaks_only_once_the_frame_itself_is_fine() {
    let dark = poor(Advice::MoreLight);
    assert_eq!(dark.and(Some(Advice::PlaceDocument)), dark);
    assert_eq!(
        ready(500).and(Some(Advice::PlaceDocument)).advice,
        Advice::PlaceDocument
    );
    assert_eq!(ready(500).and(None), ready(500));
}

/// A real report to vary: a mid-grey frame with a darker square, analysed as an ID-1 card.
fn some_report(subject: Subject) -> frame::Report {
    let (w, h) = (640usize, 360usize);
    let pixels: Vec<u8> = (0..w * h)
        .map(|i| {
            let (x, y) = (i % w, i / w);
            if (200..440).contains(&x) && (100..260).contains(&y) {
                40
            } else {
                150
            }
        })
        .collect();
    let luma = Luma::new(&pixels, w, h, w).unwrap();
    frame::analyse(&luma, GUIDE, subject, None).unwrap()
}

const GUIDE: Rect = Rect::new(114, 50, 412, 260);

fn card_corners() -> [Point; 4] {
    [
        Point { x: 130.0, y: 60.0 },
        Point { x: 510.0, y: 60.0 },
        Point { x: 510.0, y: 300.0 },
        Point { x: 130.0, y: 300.0 },
    ]
}

fn with(mut report: frame::Report, verdicts: &[Verdict], corners: bool) -> frame::Report {
    report.verdicts = verdicts.to_vec();
    report.ready = verdicts.is_empty();
    report.document = corners.then(|| frame::Document {
        corners: card_corners(),
        fill_permille: 950,
        tilt_deg: 0.0,
        aspect_permille: 1583,
    });
    report
}

#[test]
fn an_upload_is_judged_on_light_glare_and_focus_and_a_photo_on_everything_but_stillness() {
    let report = some_report(Subject::Id1Card);
    // (verdicts, advice for an upload, advice for a photo taken with Take photo)
    let cases: &[(&[Verdict], Option<Advice>, Option<Advice>)] = &[
        (&[], None, None),
        (&[Verdict::NoDocument], None, Some(Advice::PlaceDocument)),
        (
            &[Verdict::TooFar, Verdict::NotSteady],
            None,
            Some(Advice::MoveCloser),
        ),
        (&[Verdict::NotSteady], None, None),
        (
            &[Verdict::CutOff(Side::Left), Verdict::TooClose],
            None,
            Some(Advice::ShowWholeDocument(Side::Left)),
        ),
        (
            &[Verdict::CutOff(Side::Top), Verdict::Glare],
            Some(Advice::AvoidGlare),
            Some(Advice::ShowWholeDocument(Side::Top)),
        ),
        (
            &[Verdict::TooDark, Verdict::Blurry],
            Some(Advice::MoreLight),
            Some(Advice::MoreLight),
        ),
        (
            &[Verdict::NoDocument, Verdict::Blurry],
            Some(Advice::Focus),
            Some(Advice::PlaceDocument),
        ),
        (
            &[Verdict::OverExposed],
            Some(Advice::LessLight),
            Some(Advice::LessLight),
        ),
        (
            &[Verdict::LowContrast],
            Some(Advice::MoreContrast),
            Some(Advice::MoreContrast),
        ),
    ];
    for (verdicts, upload, photo) in cases {
        let report = with(report.clone(), verdicts, false);
        assert_eq!(
            guidance::kept_advice(&report, Origin::Upload),
            *upload,
            "{verdicts:?}"
        );
        assert_eq!(
            guidance::kept_advice(&report, Origin::Camera),
            *photo,
            "{verdicts:?}"
        );
    }
}

#[test]
fn only_a_face_step_without_a_face_check_does_not_capture_by_itself() {
    assert!(guidance::auto_captures(Subject::Id1Card, false));
    assert!(guidance::auto_captures(Subject::Document, false));
    assert!(!guidance::auto_captures(Subject::Face, false));
    assert!(guidance::auto_captures(Subject::Face, true));
}

#[test]
fn a_document_found_whole_is_cut_at_its_corners_else_at_the_guide_or_not_at_all() {
    let base = some_report(Subject::Id1Card);
    let found = with(base.clone(), &[], true);
    let crop = guidance::crop_for(&found, GUIDE, 640, 360, Origin::Camera);
    // 380×240 with 3 % of 240 (7.2 px) on each side.
    assert!((crop.width - 394.4).abs() < 0.1, "{crop:?}");
    assert!((crop.height - 254.4).abs() < 0.1, "{crop:?}");
    assert_eq!((crop.centre.x, crop.centre.y), (320.0, 180.0));
    // The same from an upload, and with a problem that leaves the corners right (glare).
    let glare = with(base.clone(), &[Verdict::Glare], true);
    assert_eq!(
        guidance::crop_for(&glare, GUIDE, 640, 360, Origin::Upload),
        crop
    );

    // Cut off, or of another shape: the guide and 4 % around it, or the whole upload.
    for verdicts in [
        &[Verdict::CutOff(Side::Right)][..],
        &[Verdict::WrongShape],
        &[Verdict::Tilted],
    ] {
        let report = with(base.clone(), verdicts, true);
        let crop = guidance::crop_for(&report, GUIDE, 640, 360, Origin::Camera);
        let bounds = crop.bounds(640, 360);
        assert_eq!(bounds, Rect::new(98, 40, 444, 280), "{verdicts:?}");
        let crop = guidance::crop_for(&report, GUIDE, 640, 360, Origin::Upload);
        assert_eq!(crop.bounds(640, 360), Rect::new(0, 0, 640, 360));
    }
    let nothing = with(base, &[Verdict::NoDocument], false);
    let crop = guidance::crop_for(&nothing, GUIDE, 640, 360, Origin::Camera);
    assert_eq!(crop.bounds(640, 360), Rect::new(98, 40, 444, 280));
}

#[test]
fn a_face_is_cut_around_the_oval_within_the_frame() {
    let face = some_report(Subject::Face);
    let oval = Rect::new(220, 36, 200, 288);
    let crop = guidance::crop_for(&face, oval, 640, 360, Origin::Camera);
    // 20 % of 200 on each side, 12 % of 288 (34 px) above and below, clipped to the frame.
    assert_eq!(crop.bounds(640, 360), Rect::new(180, 2, 280, 356));
    let crop = guidance::crop_for(&face, oval, 640, 360, Origin::Upload);
    assert_eq!(crop.bounds(640, 360), Rect::new(0, 0, 640, 360));
}

#[test]
fn each_slot_and_document_has_its_subject() {
    use AddressDocumentType as A;
    use IdentityDocumentType as I;
    let identity = DocumentKind::Identity;
    let address = DocumentKind::Address;
    let cases = [
        (identity(I::Passport), Slot::Photo, Subject::Face),
        (identity(I::Passport), Slot::Front, Subject::PassportPage),
        (identity(I::IdCard), Slot::Front, Subject::Id1Card),
        (identity(I::DriversLicense), Slot::Back, Subject::Id1Card),
        (identity(I::NexusCard), Slot::Front, Subject::Id1Card),
        (
            identity(I::CertificateOfNaturalization),
            Slot::Front,
            Subject::A4Page,
        ),
        (identity(I::Other), Slot::Front, Subject::Document),
        (
            address(A::LeaseRentalAgreement),
            Slot::Front,
            Subject::A4Page,
        ),
        (address(A::Mortgage), Slot::Back, Subject::A4Page),
        (address(A::IdCard), Slot::Front, Subject::Id1Card),
        (address(A::Passport), Slot::Front, Subject::PassportPage),
        (address(A::VoterCard), Slot::Front, Subject::Document),
        (address(A::Other), Slot::Front, Subject::Document),
    ];
    for (kind, slot, subject) in cases {
        assert_eq!(Subject::for_slot(kind, slot), subject, "{kind:?} {slot:?}");
    }
}

#[test]
fn a_document_of_no_known_shape_has_its_edges_found_but_no_shape_judged() {
    let report = some_report(Subject::Document);
    assert!(!report.verdicts.contains(&Verdict::WrongShape));
    assert!(Subject::Document.aspect_permille().is_none());
}

#[test]
fn rgba_becomes_bt601_luma() {
    let rgba = [
        255, 255, 255, 255, 0, 0, 0, 255, 255, 0, 0, 255, 0, 255, 0, 0, 0, 0, 255, 9,
    ];
    let mut luma = vec![7; 99];
    frame::rgba_to_luma(&rgba, &mut luma);
    assert_eq!(luma, [255, 0, 77, 149, 29]);
}
