//! Frame analysis for live capture guidance: is this camera frame (or uploaded image) good enough
//! to keep, and if not, what single thing should the member change? Pure integer-leaning Rust on
//! a luma buffer, so it runs in the browser at 10 frames a second, natively in tests and benches,
//! and on the server for uploads.
//!
//! [`analyse`] takes the frame, the guide's rectangle (where the member is told to put the
//! document or their face), the [`Subject`] expected and the previous frame's [`Thumbnail`], and
//! returns a [`Report`]: every measurement, the [`Verdict`]s in priority order, `ready`, and the one
//! [`Advice`] to show. [`guidance`] turns the reports of a live preview into what to show, say and
//! do (auto-capture of the sharpest steady frame, announcements, giving up), and says where to cut a
//! kept image. Frames wider than ~960 pixels are first averaged down by an integer factor
//! to about [`ANALYSIS_WIDTH`] (640) pixels; every pixel threshold below is stated at that scale,
//! where an ID-1 card filling a guide of 64 % of the frame's width is ~410 px wide, 4.8 px/mm.
//!
//! # Thresholds, and why
//!
//! *Exposure*, from the guide's histogram:
//! - [`TOO_DARK_BRIGHT_BELOW`] = 72: the 95th percentile is the document's paper (or the face's
//!   lit side). A well-exposed white card sits at 180–230; below 72 it is more than 1.5 stops
//!   under, the print's contrast has shrunk to a few levels and sensor noise dominates.
//! - [`OVER_EXPOSED_CLIPPED_PERMILLE`] = 250: a quarter of the guide at 250 or above. A glare spot
//!   clips a few per cent, a correctly exposed white page none (paper reflects ~80 %, ~225); a
//!   quarter of the guide clipped means the print itself is being lost.
//! - [`LOW_CONTRAST_BELOW`] = 40: the 5th-to-95th percentile spread. A card on any desk, or dark
//!   print on paper, spans 100–170 levels; under 40 is fog, a dirty lens or a white card on a white
//!   table, where neither the edges nor the print can be found.
//!
//! *Sharpness*: [`BLURRY_BELOW`] = 220, the variance of the 4-neighbour Laplacian over the
//! document's interior. A step of contrast C blurred over w pixels leaves second differences of
//! about C/w at the ramp's two ends, so the variance falls as 1/w². Print on a card (strokes of
//! ~2 px, C ≈ 150, a tenth of the pixels on a stroke's edge) gives ~2 800 sharp; a box blur of
//! radius 1 (w = 3, 0.6 mm on the card) leaves ~340, 1/9 of it, and the smallest print is still
//! legible; radius 2 (w = 5, 1 mm) leaves ~140 and 2 mm characters smear into each other; radius 4
//! leaves ~90, the floor that sensor noise alone gives (20σ², 80 at σ = 2). 220 is the geometric
//! middle of radius 1 and 2, and well above that floor. The generated tests pin it (measured 2 836,
//! 339, 138, 92): radius 1 passes, radius 2 and 4 are [`Verdict::Blurry`]. The variance also scales
//! with the square of the print's contrast, so a very dark frame reads as blurry too: its
//! [`Verdict::TooDark`] comes first. [`BLURRY_FACE_BELOW`] = 30 is provisional: skin has far less
//! fine detail than print; calibrate it with the face detector.
//!
//! *Glare*, over 16-px tiles (2.7 mm) of the document: a tile is glare when its mean is at least
//! [`GLARE_MIN_MEAN`] = 240, its range at most [`GLARE_FLAT_RANGE`] = 24 (print under it is
//! washed out: print gives ranges of 100+, noise alone 6), and its mean at least
//! [`GLARE_ABOVE_PAPER`] = 12 above the paper, the median of the tiles' brightest pixels (almost
//! every tile, print or not, has paper in it). That last rule is why a white page is not glare:
//! its blank margins are bright and flat, but no brighter than the paper between its lines (an
//! earlier version compared with the median tile, and a page of dense print had its margins
//! called glare). The cost: on paper whiter than 243, glare cannot be told from paper at all.
//! [`GLARE_MIN_TILES`] = 2 tiles (about 5×2.7 mm, two or three characters lost) make the verdict.
//!
//! *Edges*: see the `edges` module (sixteen scan lines a side, edges of at least 14 levels, six
//! aligned points within 2.5 px). Of the corners found:
//! - fill, the square root of the document's area over the guide's: [`TOO_FAR_BELOW_PERMILLE`] =
//!   750 (the card then spans under half the frame, under 3.6 px/mm here and 7 px/mm in a 1280 px
//!   capture, where 2 mm characters are barely 14 px tall) and [`TOO_CLOSE_ABOVE_PERMILLE`] = 1150
//!   (15 % past the guide leaves little margin before the frame's edge and the crop's).
//! - aspect within ±[`ASPECT_TOLERANCE_PERMILLE`] = 6 % of the subject's: ID-1 (1.586) and a
//!   passport page (1.42) are 11 % apart, so ±6 % tells them apart, while a camera 15° off
//!   square-on foreshortens by only 3.4 % and the fitted sides are good to about a pixel (0.5 %).
//!   A4 (1.414) and a passport page cannot be told apart by shape and are not meant to be.
//! - tilt up to [`MAX_TILT_DEG`] = 10° is fine and straightened by the crop; past it the member is
//!   asked to hold the document straight (a 10° ID-1 card already needs a box 17 % taller than it).
//!
//! *Steadiness*: [`NOT_STEADY_ABOVE`] = 32 (two luma levels, in sixteenths) of mean absolute
//! difference between 32×18 thumbnails of consecutive frames, the global brightness change taken
//! out. Sensor noise averaged over a block of ~200 samples moves it by ~0.1 level (measured: 2);
//! a card scene moved by 1, 2, 4 and 8 px measures 13, 25, 48 and 92. So 32 is about 2.5 px from
//! one frame to the next: 25 px/s at 10 frames a second, where a 1/30 s exposure smears by under a
//! pixel, less than the 2-px strokes of print. Without a previous thumbnail (an upload)
//! steadiness is not judged.
//!
//! All together, one 640×360 frame costs about two hundred thousand additions and reads: about
//! 0.3 ms natively (release profile, `opt-level = "z"`). Subsampling (every other row for the
//! Laplacian and the thumbnail, every other pixel for the histogram and the glare tiles) halves
//! to quarters the reads without changing a verdict of the tests.

mod crop;
mod edges;
mod exposure;
mod glare;
pub mod guidance;
mod image;
mod sharpness;
mod steady;

pub use crop::Crop;
pub use exposure::Exposure;
pub use image::{
    ANALYSIS_WIDTH, FrameError, Luma, MAX_SIDE, MIN_HEIGHT, MIN_WIDTH, Rect, rgba_to_luma,
};
pub use steady::{THUMB_HEIGHT, THUMB_WIDTH, Thumbnail};

use image::Bounds;

use crate::slots::{DocumentKind, Slot};

pub const TOO_DARK_BRIGHT_BELOW: u8 = 72;
pub const OVER_EXPOSED_CLIPPED_PERMILLE: u16 = 250;
pub const LOW_CONTRAST_BELOW: u8 = 40;
pub const BLURRY_BELOW: u32 = 220;
pub const BLURRY_FACE_BELOW: u32 = 30;
pub const GLARE_MIN_MEAN: u8 = 240;
pub const GLARE_FLAT_RANGE: u8 = 24;
pub const GLARE_ABOVE_PAPER: u8 = 12;
pub const GLARE_MIN_TILES: u16 = 2;
pub const TOO_FAR_BELOW_PERMILLE: u16 = 750;
pub const TOO_CLOSE_ABOVE_PERMILLE: u16 = 1150;
pub const ASPECT_TOLERANCE_PERMILLE: u16 = 60;
pub const MAX_TILT_DEG: f32 = 10.0;
pub const NOT_STEADY_ABOVE: u32 = 32;

/// A point in frame pixels (x to the right, y down); corners may lie outside the frame.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

/// A side of the frame, the guide or the document, as the camera sees it (not mirrored).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Side {
    Top,
    Right,
    Bottom,
    Left,
}

impl Side {
    pub const ALL: [Side; 4] = [Side::Top, Side::Right, Side::Bottom, Side::Left];
}

/// What the guide should hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    /// An ID-1 card (identity card, driving licence): 85.60 × 53.98 mm.
    Id1Card,
    /// A passport's data page (ID-3): 125 × 88 mm.
    PassportPage,
    /// An A4 page (a bill, a lease): 297 × 210 mm.
    A4Page,
    /// A document of no known shape ("Other"): its edges are looked for, its shape is not judged.
    Document,
    /// The member's face: no edges, glare or shape are looked for.
    Face,
}

impl Subject {
    /// Long side over short side, in thousandths; `None` for a face.
    pub const fn aspect_permille(self) -> Option<u16> {
        match self {
            Subject::Id1Card => Some(1586),
            Subject::PassportPage => Some(1420),
            Subject::A4Page => Some(1414),
            Subject::Document | Subject::Face => None,
        }
    }

    /// What the guide of `slot` should hold for a document of `kind`: the face for the face
    /// photo, otherwise the document's own shape where its type has one.
    pub const fn for_slot(kind: DocumentKind, slot: Slot) -> Subject {
        use crate::model::{AddressDocumentType as A, IdentityDocumentType as I};
        match (slot, kind) {
            (Slot::Photo, _) => Subject::Face,
            (_, DocumentKind::Identity(I::Passport) | DocumentKind::Address(A::Passport)) => {
                Subject::PassportPage
            }
            (
                _,
                DocumentKind::Identity(
                    I::DriversLicense
                    | I::IdCard
                    | I::UniformedServiceId
                    | I::AccessCard
                    | I::MatriculaConsular
                    | I::ResidentCard
                    | I::UniversityId
                    | I::NexusCard,
                )
                | DocumentKind::Address(A::DriversLicense | A::IdCard),
            ) => Subject::Id1Card,
            (
                _,
                DocumentKind::Identity(I::CertificateOfNaturalization)
                | DocumentKind::Address(
                    A::LeaseRentalAgreement | A::InsurancePolicy | A::Mortgage,
                ),
            ) => Subject::A4Page,
            // Vehicle registrations and voter cards differ by country; "Other" is anything.
            _ => Subject::Document,
        }
    }
}

/// A problem with the frame. Declared in priority order: the first one found is the one to fix
/// first (no point asking to hold still in the dark).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// The bright end of the guide is under [`TOO_DARK_BRIGHT_BELOW`].
    TooDark,
    /// More than [`OVER_EXPOSED_CLIPPED_PERMILLE`] of the guide is clipped white.
    OverExposed,
    /// The guide's spread of levels is under [`LOW_CONTRAST_BELOW`] while a face or (at least two
    /// sides of) a document is in view.
    LowContrast,
    /// No document's edges were found (at most one side, or one side and the opposite of nothing).
    NoDocument,
    /// The document fills less than [`TOO_FAR_BELOW_PERMILLE`] of the guide.
    TooFar,
    /// It fills more than [`TOO_CLOSE_ABOVE_PERMILLE`] of the guide, or overflows it on two
    /// opposite sides.
    TooClose,
    /// This side of the document is missing or beyond the frame.
    CutOff(Side),
    /// Its aspect ratio is not the subject's (another document, or a part hidden).
    WrongShape,
    /// It is turned by more than [`MAX_TILT_DEG`].
    Tilted,
    /// At least [`GLARE_MIN_TILES`] glare tiles.
    Glare,
    /// The Laplacian variance is under [`BLURRY_BELOW`] (or [`BLURRY_FACE_BELOW`]).
    Blurry,
    /// The picture moved more than [`NOT_STEADY_ABOVE`] since the previous frame.
    NotSteady,
}

/// The one instruction to show, for the UI to translate.
/// Serializable: a kept image's [`crate::capture::Quality`] records the advice shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Advice {
    /// Every check passed: hold on, capturing.
    Ready,
    /// Find more light.
    MoreLight,
    /// Move away from the bright light.
    LessLight,
    /// Put the document on a plain, darker surface (or clean the lens).
    MoreContrast,
    /// Place the document inside the guide.
    PlaceDocument,
    /// Bring the document closer to the camera.
    MoveCloser,
    /// Move the document further from the camera.
    MoveBack,
    /// Show the whole document: this side of it is out of view (camera's side, not mirrored).
    ShowWholeDocument(Side),
    /// This does not look like the document asked for.
    CheckDocument,
    /// Hold the document straight.
    HoldStraight,
    /// Glare on the document: tilt it slightly away from the light.
    AvoidGlare,
    /// Hold still so the camera can focus.
    Focus,
    /// Hold still.
    HoldStill,
    /// Fit your face in the oval: no face was found there, or it is off to one side (the face
    /// step's face check, `crate::face`).
    FitFace,
    /// Only the member's face should be in view: the face check found several.
    OnlyOneFace,
}

impl Verdict {
    /// What the member should do about it.
    pub const fn advice(self) -> Advice {
        match self {
            Verdict::TooDark => Advice::MoreLight,
            Verdict::OverExposed => Advice::LessLight,
            Verdict::LowContrast => Advice::MoreContrast,
            Verdict::NoDocument => Advice::PlaceDocument,
            Verdict::TooFar => Advice::MoveCloser,
            Verdict::TooClose => Advice::MoveBack,
            Verdict::CutOff(side) => Advice::ShowWholeDocument(side),
            Verdict::WrongShape => Advice::CheckDocument,
            Verdict::Tilted => Advice::HoldStraight,
            Verdict::Glare => Advice::AvoidGlare,
            Verdict::Blurry => Advice::Focus,
            Verdict::NotSteady => Advice::HoldStill,
        }
    }
}

/// The document found: all four sides.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Document {
    /// Top-left, top-right, bottom-right, bottom-left, in frame pixels (possibly outside it).
    pub corners: [Point; 4],
    /// √(document area / guide area), in thousandths: 1000 fills the guide exactly.
    pub fill_permille: u16,
    /// Its tilt, clockwise on screen, in degrees.
    pub tilt_deg: f32,
    /// Its width over its height, in thousandths.
    pub aspect_permille: u16,
}

/// Everything measured of one frame, and what to make of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub subject: Subject,
    /// The integer factor the frame was averaged down by before analysis.
    pub scale: u8,
    pub exposure: Exposure,
    /// The Laplacian variance over the document's interior (the guide's, when none was found).
    pub sharpness: u32,
    /// Glare tiles over the document (the guide, when none was found).
    pub glare_tiles: u16,
    /// Which of the document's sides were found (top, right, bottom, left); none for a face.
    pub sides_found: [bool; 4],
    pub document: Option<Document>,
    /// The thumbnails' difference from the previous frame, in sixteenths of a level.
    pub motion: Option<u32>,
    /// This frame's thumbnail: hand it to the next analysis.
    pub thumbnail: Thumbnail,
    /// The problems, most important first; empty when ready.
    pub verdicts: Vec<Verdict>,
    pub ready: bool,
    pub advice: Advice,
}

/// Analyses one frame. `guide` is in frame pixels; `previous` is the last frame's
/// [`Report::thumbnail`] (`None` for an upload: steadiness is then not judged).
pub fn analyse(
    frame: &Luma,
    guide: Rect,
    subject: Subject,
    previous: Option<&Thumbnail>,
) -> Result<Report, FrameError> {
    let factor = image::downscale_factor(frame.width(), frame.height());
    let small;
    let img = if factor > 1 {
        small = image::downscale(frame, factor);
        Luma::new(&small.0, small.1, small.2, small.1)?
    } else {
        *frame
    };
    let (w, h) = (img.width(), img.height());
    let clip = |v: u32, size: usize, max: usize| ((v as usize).min(size) / factor).min(max);
    let g = Bounds {
        x0: clip(guide.x, frame.width(), w),
        y0: clip(guide.y, frame.height(), h),
        x1: clip(guide.x.saturating_add(guide.width), frame.width(), w),
        y1: clip(guide.y.saturating_add(guide.height), frame.height(), h),
    };
    if g.x1 < g.x0 + 32 || g.y1 < g.y0 + 24 {
        return Err(FrameError::GuideTooSmall);
    }

    let exposure = exposure::measure(&img, g);
    let thumbnail = Thumbnail::of(&img);
    let motion = previous.map(|p| thumbnail.difference(p));
    let mut verdicts = Vec::new();
    if exposure.bright < TOO_DARK_BRIGHT_BELOW {
        verdicts.push(Verdict::TooDark);
    }
    if exposure.clipped_permille > OVER_EXPOSED_CLIPPED_PERMILLE {
        verdicts.push(Verdict::OverExposed);
    }
    let low_contrast = exposure.contrast() < LOW_CONTRAST_BELOW;
    if motion.is_some_and(|m| m > NOT_STEADY_ABOVE) {
        verdicts.push(Verdict::NotSteady);
    }

    let mut sides_found = [false; 4];
    let mut document = None;
    let (sharpness, glare_tiles);
    if subject == Subject::Face {
        sharpness = sharpness::laplacian_variance(&img, g.inset(150));
        glare_tiles = 0;
        if low_contrast {
            verdicts.push(Verdict::LowContrast);
        }
        if sharpness < BLURRY_FACE_BELOW {
            verdicts.push(Verdict::Blurry);
        }
    } else {
        let found = edges::find(&img, g);
        for side in Side::ALL {
            sides_found[side as usize] = found.sides[side as usize].is_some();
        }
        // An empty guide over a plain desk has little contrast too, but what the member needs to
        // hear then is to place the document; low contrast is news once something is in view.
        if low_contrast && sides_found.iter().filter(|&&s| s).count() >= 2 {
            verdicts.push(Verdict::LowContrast);
        }
        let mut region = g;
        match found.sides {
            [Some(top), Some(right), Some(bottom), Some(left)] => {
                let corners = [
                    edges::intersect(&top, &left),
                    edges::intersect(&top, &right),
                    edges::intersect(&bottom, &right),
                    edges::intersect(&bottom, &left),
                ];
                let doc = measure_document(&corners, g);
                judge_document(&doc, g, w, h, subject, &mut verdicts);
                region = inside(&corners, w, h).unwrap_or(g);
                let to_frame = |p: Point| Point {
                    x: (p.x + 0.5) * factor as f32 - 0.5,
                    y: (p.y + 0.5) * factor as f32 - 0.5,
                };
                document = Some(Document {
                    corners: corners.map(to_frame),
                    ..doc
                });
            }
            _ => judge_partial(sides_found, &mut verdicts),
        }
        sharpness = sharpness::laplacian_variance(&img, region.inset(100));
        glare_tiles = glare::measure(&img, region.inset(20)).tiles;
        if glare_tiles >= GLARE_MIN_TILES {
            verdicts.push(Verdict::Glare);
        }
        if sharpness < BLURRY_BELOW {
            verdicts.push(Verdict::Blurry);
        }
    }

    insertion_sort(&mut verdicts);
    verdicts.dedup();
    let advice = verdicts.first().map_or(Advice::Ready, |v| v.advice());
    Ok(Report {
        subject,
        scale: factor.min(255) as u8,
        exposure,
        sharpness,
        glare_tiles,
        sides_found,
        document,
        motion,
        thumbnail,
        ready: verdicts.is_empty(),
        verdicts,
        advice,
    })
}

/// Fewer than four sides: which verdict says best what to do.
fn judge_partial(found: [bool; 4], verdicts: &mut Vec<Verdict>) {
    let missing: Vec<Side> = Side::ALL
        .into_iter()
        .filter(|&s| !found[s as usize])
        .collect();
    let opposite = |a: Side, b: Side| (a as usize + 2) % 4 == b as usize;
    match missing.as_slice() {
        // Three sides are the document with the fourth out of view (or under a thumb).
        [side] => verdicts.push(Verdict::CutOff(*side)),
        // Both ends out of view: the document is wider (or taller) than the frame.
        [a, b] if opposite(*a, *b) => verdicts.push(Verdict::TooClose),
        // A corner out of view.
        [a, b] => {
            verdicts.push(Verdict::CutOff(*a));
            verdicts.push(Verdict::CutOff(*b));
        }
        _ => verdicts.push(Verdict::NoDocument),
    }
}

fn measure_document(corners: &[Point; 4], g: Bounds) -> Document {
    let [tl, tr, br, bl] = *corners;
    let length =
        |a: Point, b: Point| ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).sqrt();
    let width = (length(tl, tr) + length(bl, br)) / 2.0;
    let height = (length(tl, bl) + length(tr, br)) / 2.0;
    // The shoelace formula; the corners run clockwise on screen.
    let mut twice_area = 0.0;
    for i in 0..4 {
        let (a, b) = (corners[i], corners[(i + 1) % 4]);
        twice_area += a.x * b.y - b.x * a.y;
    }
    let guide_area = (g.width() * g.height()) as f32;
    let fill = (twice_area.abs() / 2.0 / guide_area).sqrt();
    Document {
        corners: *corners,
        fill_permille: permille(fill),
        tilt_deg: tilt_degrees(corners),
        aspect_permille: if height > 0.0 {
            permille(width / height)
        } else {
            u16::MAX
        },
    }
}

fn judge_document(
    doc: &Document,
    g: Bounds,
    w: usize,
    h: usize,
    subject: Subject,
    verdicts: &mut Vec<Verdict>,
) {
    if doc.fill_permille < TOO_FAR_BELOW_PERMILLE {
        verdicts.push(Verdict::TooFar);
    }
    if doc.fill_permille > TOO_CLOSE_ABOVE_PERMILLE {
        verdicts.push(Verdict::TooClose);
    }
    for p in &doc.corners {
        if p.y < 0.0 {
            verdicts.push(Verdict::CutOff(Side::Top));
        }
        if p.x > (w - 1) as f32 {
            verdicts.push(Verdict::CutOff(Side::Right));
        }
        if p.y > (h - 1) as f32 {
            verdicts.push(Verdict::CutOff(Side::Bottom));
        }
        if p.x < 0.0 {
            verdicts.push(Verdict::CutOff(Side::Left));
        }
    }
    if let Some(expected) = subject.aspect_permille() {
        // The guide's orientation says which way round the document is to be held.
        let measured = u32::from(doc.aspect_permille);
        let expected = u32::from(expected);
        let expected = if g.width() >= g.height() {
            expected
        } else {
            1_000_000 / expected
        };
        if measured.abs_diff(expected) * 1000 > u32::from(ASPECT_TOLERANCE_PERMILLE) * expected {
            verdicts.push(Verdict::WrongShape);
        }
    }
    if doc.tilt_deg.abs() > MAX_TILT_DEG {
        verdicts.push(Verdict::Tilted);
    }
}

/// The corners' upright bounding box, clipped to the image; `None` if that leaves too little.
fn inside(corners: &[Point; 4], w: usize, h: usize) -> Option<Bounds> {
    let clip = |v: f32, max: usize| (v.max(0.0) as usize).min(max);
    let b = Bounds {
        x0: clip(
            corners.iter().map(|p| p.x).fold(f32::MAX, f32::min).ceil(),
            w,
        ),
        y0: clip(
            corners.iter().map(|p| p.y).fold(f32::MAX, f32::min).ceil(),
            h,
        ),
        x1: clip(
            corners.iter().map(|p| p.x).fold(f32::MIN, f32::max).floor(),
            w,
        ),
        y1: clip(
            corners.iter().map(|p| p.y).fold(f32::MIN, f32::max).floor(),
            h,
        ),
    };
    (b.x1 >= b.x0 + 16 && b.y1 >= b.y0 + 16).then_some(b)
}

/// For the dozen verdicts or sixteen strengths sorted here: a few bytes of wasm where the
/// standard library's sorts and selections bring several kilobytes.
pub(crate) fn insertion_sort<T: Ord + Copy>(items: &mut [T]) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && items[j - 1] > items[j] {
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

fn permille(v: f32) -> u16 {
    if v.is_finite() {
        (v * 1000.0).round().clamp(0.0, 65535.0) as u16
    } else {
        u16::MAX
    }
}

/// The quadrilateral's rotation, clockwise on screen, in degrees: the mean direction of its top
/// and bottom sides and of its left and right sides turned a quarter back.
pub(crate) fn tilt_degrees(corners: &[Point; 4]) -> f32 {
    let [tl, tr, br, bl] = *corners;
    let across = Point {
        x: (tr.x - tl.x) + (br.x - bl.x),
        y: (tr.y - tl.y) + (br.y - bl.y),
    };
    let down = Point {
        x: (bl.x - tl.x) + (br.x - tr.x),
        y: (bl.y - tl.y) + (br.y - tr.y),
    };
    // Turning "down" a quarter counter-clockwise lines it up with "across".
    let turned = Point {
        x: down.y,
        y: -down.x,
    };
    let unit = |p: Point| {
        let n = (p.x * p.x + p.y * p.y).sqrt();
        if n > 0.0 {
            Point {
                x: p.x / n,
                y: p.y / n,
            }
        } else {
            Point::default()
        }
    };
    let (a, b) = (unit(across), unit(turned));
    let (x, y) = (a.x + b.x, a.y + b.y);
    if x <= 0.0 {
        // Turned by 90° or more: not a tilt this analysis measures.
        return if y < 0.0 { -90.0 } else { 90.0 };
    }
    atan_deg(y / x)
}

/// atan in degrees without libm: `π/4·t + 0.273·t·(1 − |t|)` is within 0.22° on [−1, 1], and
/// `atan t = ±90° − atan(1/t)` beyond.
fn atan_deg(t: f32) -> f32 {
    if t.abs() > 1.0 {
        return 90.0f32.copysign(t) - atan_deg(1.0 / t);
    }
    (core::f32::consts::FRAC_PI_4 * t + 0.273 * t * (1.0 - t.abs())).to_degrees()
}
