//! Live guidance's decisions: a stream of frame analyses in, what to show, say and do out. The
//! component analyses up to [`FRAMES_PER_SECOND`] frames, hands each outcome to [`Guidance::observe`]
//! with the time in milliseconds, and renders the [`Decision`]; it decides nothing itself. Also here:
//! what of an analysis a kept image is shown with ([`kept_advice`]) and where to cut a kept image
//! ([`crop_for`]).
//!
//! # Timings, and why
//!
//! - [`SHOW_AFTER_MS`] = 300: a new advice replaces the one shown only once it has held for three
//!   frames. A hand crossing a threshold flips the analysis from frame to frame; text that changed
//!   ten times a second could not be read.
//! - [`HOLD_MS`] = 500 and [`HOLD_MIN_FRAMES`] = 3: auto-capture fires when every check has passed
//!   on every frame for half a second (and on at least three frames, so a slow device that analyses
//!   two frames a second does not fire on two). The hold is the countdown the member sees and
//!   hears; any frame that fails a check ends it. Of the frames of the hold, the sharpest is kept
//!   ([`Decision::keep`]): the hand's tremor and the autofocus still vary between steady frames.
//! - [`GIVE_UP_AFTER_MS`] = 20 000: after 20 s without one complete hold, the member is told what
//!   went wrong most often and offered the upload. Guidance goes on, so a good frame still counts.
//! - [`ANNOUNCE_EVERY_MS`] = 4 000 and [`ANNOUNCE_STABLE_MS`] = 1 000: a screen reader hears an
//!   advice only once it has been shown for a second, only when it differs from the last one
//!   spoken, and at most once every four seconds, so speech (which takes about a second per
//!   instruction) is never a queue of stale advice. The start of a hold and the giving up are
//!   spoken when they happen: they are the moments the member needs to know of.

use super::{Advice, Crop, Rect, Report, Subject, Verdict};

/// The most frames analysed a second: enough to follow a hand, and at ~4 ms a frame it leaves the
/// page more than nine tenths of the processor.
pub const FRAMES_PER_SECOND: u32 = 10;
/// The time between two analyses, in milliseconds.
pub const FRAME_INTERVAL_MS: u32 = 1000 / FRAMES_PER_SECOND;
pub const SHOW_AFTER_MS: u64 = 300;
pub const HOLD_MS: u64 = 500;
pub const HOLD_MIN_FRAMES: u32 = 3;
pub const GIVE_UP_AFTER_MS: u64 = 20_000;
pub const ANNOUNCE_EVERY_MS: u64 = 4_000;
pub const ANNOUNCE_STABLE_MS: u64 = 1_000;
/// The margin kept around a document's corners, in thousandths of its shorter side: 1.6 mm on an
/// ID-1 card, a few times the corners' uncertainty (about a pixel at the analysed scale).
pub const CORNER_MARGIN_PERMILLE: u16 = 30;
/// The margin added around the guide when no document was found, in thousandths of the guide's
/// size on each side: the member was told to fill the guide, and a document slightly past it is
/// kept whole.
pub const GUIDE_MARGIN_PERMILLE: u32 = 40;
/// The face photo's margins around the oval, in thousandths of its width and height on each side:
/// hair, ears and chin, which the oval is drawn just inside of.
pub const FACE_MARGIN_PERMILLE: (u32, u32) = (200, 120);

/// One analysed frame, as guidance sees it: the advice (or [`Advice::Ready`]) and how sharp it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observation {
    pub advice: Advice,
    pub sharpness: u32,
}

impl Observation {
    pub fn of(report: &Report) -> Observation {
        Observation {
            advice: report.advice,
            sharpness: report.sharpness,
        }
    }

    /// Adds the outcome of a check besides the frame analysis (the face step's face detector):
    /// its problem is the advice once light, focus and stillness are fine, since those come first
    /// (a detector in the dark says "no face" when the fix is light).
    pub fn and(self, problem: Option<Advice>) -> Observation {
        match problem {
            Some(advice) if self.advice == Advice::Ready => Observation { advice, ..self },
            _ => self,
        }
    }

    pub fn is_ready(&self) -> bool {
        self.advice == Advice::Ready
    }
}

/// What to say to a screen reader, through a polite live region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speech {
    /// The advice shown.
    Advice(Advice),
    /// A hold began: the photo is about to be taken, hold still.
    Holding,
    /// 20 s without a good frame: what went wrong most often, and that the upload is there.
    GaveUp(Advice),
}

/// The countdown to an auto-capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hold {
    /// Milliseconds since the hold began.
    pub elapsed_ms: u64,
    /// The hold's length, [`HOLD_MS`].
    pub total_ms: u64,
}

/// What the component does after one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// The one instruction to show ([`Advice::Ready`] once every check passes).
    pub advice: Advice,
    /// The guide shows its *ready* style: every check passes and auto-capture is counting down.
    pub ready: bool,
    /// The countdown, while one runs.
    pub hold: Option<Hold>,
    /// This frame is the sharpest of the hold so far: keep it at full resolution.
    pub keep: bool,
    /// Take the kept frame now: the hold is complete.
    pub capture: bool,
    /// What to announce now, if anything.
    pub say: Option<Speech>,
    /// Set, and kept, once [`GIVE_UP_AFTER_MS`] passed without a good frame: what went wrong most.
    pub gave_up: Option<Advice>,
}

/// The state of one camera session's guidance: created when the preview starts, fed every analysed
/// frame.
#[derive(Debug, Clone)]
pub struct Guidance {
    auto_capture: bool,
    started_ms: Option<u64>,
    /// The advice shown and the latest one seen, with when each began.
    shown: Option<(Advice, u64)>,
    seen: Option<(Advice, u64)>,
    /// The hold under way: when it began, its frames, the sharpest one's sharpness.
    hold: Option<(u64, u32, u32)>,
    good_frame_seen: bool,
    /// The last thing spoken and when; the last time a hold was announced.
    said: Option<(Speech, u64)>,
    holding_said_ms: Option<u64>,
    /// How many frames gave each advice (other than ready).
    counts: Vec<(Advice, u32)>,
    gave_up: Option<Advice>,
    captured: bool,
}

impl Guidance {
    /// `auto_capture`: whether a complete hold takes the photo. Off where the checks cannot tell a
    /// good frame yet (the face step without a face check): the member then presses *Take photo*,
    /// and the guide never shows *ready*.
    pub fn new(auto_capture: bool) -> Guidance {
        Guidance {
            auto_capture,
            started_ms: None,
            shown: None,
            seen: None,
            hold: None,
            good_frame_seen: false,
            said: None,
            holding_said_ms: None,
            counts: Vec::new(),
            gave_up: None,
            captured: false,
        }
    }

    /// Takes one analysed frame, at `now_ms` (any monotonic clock), and says what to do.
    pub fn observe(&mut self, frame: Observation, now_ms: u64) -> Decision {
        let started = *self.started_ms.get_or_insert(now_ms);
        if self.captured {
            return self.decision(now_ms, false, false, None);
        }
        self.follow_advice(frame.advice, now_ms);
        if !frame.is_ready() {
            match self
                .counts
                .iter_mut()
                .find(|(advice, _)| *advice == frame.advice)
            {
                Some((_, count)) => *count += 1,
                None => self.counts.push((frame.advice, 1)),
            }
        }

        let (mut keep, mut capture) = (false, false);
        if frame.is_ready() {
            let (since, frames, sharpest) = self.hold.get_or_insert((now_ms, 0, 0));
            *frames += 1;
            if *frames == 1 || frame.sharpness > *sharpest {
                *sharpest = frame.sharpness;
                keep = self.auto_capture;
            }
            let complete = now_ms.saturating_sub(*since) >= HOLD_MS && *frames >= HOLD_MIN_FRAMES;
            if complete {
                self.good_frame_seen = true;
                if self.auto_capture {
                    capture = true;
                    self.captured = true;
                }
            }
        } else {
            self.hold = None;
        }

        let mut say = None;
        if self.gave_up.is_none()
            && !self.good_frame_seen
            && now_ms.saturating_sub(started) >= GIVE_UP_AFTER_MS
        {
            let worst = self
                .counts
                .iter()
                .fold(None::<(Advice, u32)>, |best, &(advice, count)| match best {
                    Some((_, most)) if most >= count => best,
                    _ => Some((advice, count)),
                });
            if let Some((advice, _)) = worst {
                self.gave_up = Some(advice);
                say = Some(Speech::GaveUp(advice));
            }
        }
        if say.is_none() && !capture {
            say = self.speech(now_ms);
        }
        if let Some(speech) = say {
            self.said = Some((speech, now_ms));
            if speech == Speech::Holding {
                self.holding_said_ms = Some(now_ms);
            }
        }
        self.decision(now_ms, keep, capture, say)
    }

    /// Debounces the advice shown: a new one replaces it once seen for [`SHOW_AFTER_MS`].
    fn follow_advice(&mut self, advice: Advice, now_ms: u64) {
        match self.seen {
            Some((seen, _)) if seen == advice => {}
            _ => self.seen = Some((advice, now_ms)),
        }
        let (seen, since) = self.seen.unwrap_or((advice, now_ms));
        match self.shown {
            None => self.shown = Some((advice, now_ms)),
            Some((shown, _)) if shown != seen && now_ms.saturating_sub(since) >= SHOW_AFTER_MS => {
                self.shown = Some((seen, now_ms));
            }
            _ => {}
        }
    }

    fn counting_down(&self) -> bool {
        self.auto_capture && self.hold.is_some() && !self.captured
    }

    fn speech(&self, now_ms: u64) -> Option<Speech> {
        if self.counting_down() {
            let recently = self
                .holding_said_ms
                .is_some_and(|at| now_ms.saturating_sub(at) < ANNOUNCE_EVERY_MS);
            return (!recently).then_some(Speech::Holding);
        }
        let (advice, since) = self.shown?;
        if now_ms.saturating_sub(since) < ANNOUNCE_STABLE_MS {
            return None;
        }
        match self.said {
            Some((Speech::Advice(said), _)) if said == advice => None,
            Some((_, at)) if now_ms.saturating_sub(at) < ANNOUNCE_EVERY_MS => None,
            _ => Some(Speech::Advice(advice)),
        }
    }

    fn decision(&self, now_ms: u64, keep: bool, capture: bool, say: Option<Speech>) -> Decision {
        let counting_down = self.counting_down() || capture;
        Decision {
            advice: self.shown.map_or(Advice::Ready, |(advice, _)| advice),
            ready: counting_down,
            hold: self
                .hold
                .filter(|_| counting_down)
                .map(|(since, _, _)| Hold {
                    elapsed_ms: now_ms.saturating_sub(since).min(HOLD_MS),
                    total_ms: HOLD_MS,
                }),
            keep,
            capture,
            say,
            gave_up: self.gave_up,
        }
    }
}

/// Whether a step captures by itself: a document step does; the face step only with a face check,
/// since exposure, focus and stillness alone would take a wall or a card for a face.
pub const fn auto_captures(subject: Subject, face_check: bool) -> bool {
    !matches!(subject, Subject::Face) || face_check
}

/// The advice a kept image is shown with on its review, if any; the member may keep it anyway. A
/// photo taken with *Take photo* is judged as a live frame (steadiness aside: one frame has none).
/// An upload is a still the member chose, often a scan or a photo cropped already: where the
/// document lies in it, how much of it it fills and whether it has edges to find say nothing about
/// it. Light, glare and focus apply to both.
pub fn kept_advice(report: &Report, origin: Origin) -> Option<Advice> {
    report
        .verdicts
        .iter()
        .find(|verdict| match origin {
            Origin::Camera => **verdict != Verdict::NotSteady,
            Origin::Upload => matches!(
                verdict,
                Verdict::TooDark
                    | Verdict::OverExposed
                    | Verdict::LowContrast
                    | Verdict::Glare
                    | Verdict::Blurry
            ),
        })
        .map(|verdict| verdict.advice())
}

/// Where a kept image came from, for [`crop_for`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A camera frame, with the guide the member filled.
    Camera,
    /// A file the member chose: the guide is the whole image.
    Upload,
}

/// Where to cut a kept image of `width`×`height` pixels, analysed as `report` with `guide` (all in
/// the same pixels). A document found whole (four sides inside the frame, of the expected shape,
/// tilted at most `MAX_TILT_DEG`) is cut at its corners with [`CORNER_MARGIN_PERMILLE`] and turned
/// upright. Otherwise a camera frame is cut at the guide with [`GUIDE_MARGIN_PERMILLE`] (the member
/// was told to fill it) and an upload is kept whole: cutting at edges that may be something else
/// could lose part of the document. A face is cut at the oval with [`FACE_MARGIN_PERMILLE`].
pub fn crop_for(report: &Report, guide: Rect, width: u32, height: u32, origin: Origin) -> Crop {
    let whole = Rect::new(0, 0, width, height);
    if report.subject == Subject::Face {
        return match origin {
            Origin::Camera => Crop::of_rect(grow(guide, FACE_MARGIN_PERMILLE, whole)),
            Origin::Upload => Crop::of_rect(whole),
        };
    }
    let found_whole = !report.verdicts.iter().any(|verdict| {
        matches!(
            verdict,
            Verdict::CutOff(_) | Verdict::WrongShape | Verdict::Tilted | Verdict::NoDocument
        )
    });
    if let Some(document) = report.document.filter(|_| found_whole) {
        return Crop::around(&document.corners, CORNER_MARGIN_PERMILLE);
    }
    match origin {
        Origin::Camera => Crop::of_rect(grow(
            guide,
            (GUIDE_MARGIN_PERMILLE, GUIDE_MARGIN_PERMILLE),
            whole,
        )),
        Origin::Upload => Crop::of_rect(whole),
    }
}

/// `rect` grown by (`x`, `y`) thousandths of its width and height on each side, within `bounds`.
fn grow(rect: Rect, (x, y): (u32, u32), bounds: Rect) -> Rect {
    let dx = (u64::from(rect.width) * u64::from(x) / 1000) as u32;
    let dy = (u64::from(rect.height) * u64::from(y) / 1000) as u32;
    let x0 = rect.x.saturating_sub(dx).max(bounds.x);
    let y0 = rect.y.saturating_sub(dy).max(bounds.y);
    let x1 = rect
        .x
        .saturating_add(rect.width)
        .saturating_add(dx)
        .min(bounds.x.saturating_add(bounds.width));
    let y1 = rect
        .y
        .saturating_add(rect.height)
        .saturating_add(dy)
        .min(bounds.y.saturating_add(bounds.height));
    Rect::new(x0, y0, x1.saturating_sub(x0), y1.saturating_sub(y0))
}
