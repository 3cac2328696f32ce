//! The frame analysis (`idcheck_core::frame`) on images the tests draw themselves: an ID-1 card
//! with a photo and rows of 2-pixel print on a grainy desk, inside the guide of a 640×360 frame,
//! then blurred, glared, darkened, pushed off each side, tilted, moved away or closer, taken away,
//! swapped for a white page, shaken. Each scene is drawn sharp in floating point, then optics
//! (blur, glare, exposure) are applied, then sensor noise of ±3 levels, as a camera would.
//!
//! The timing test prints the time of one analysis; it asserts nothing about it (machines vary).

use idcheck_core::frame::{
    self, Advice, Crop, FrameError, Luma, Point, Rect, Report, Side, Subject, Thumbnail, Verdict,
};
use proptest::prelude::*;

const W: usize = 640;
const H: usize = 360;
/// The ID-1 guide: 260 px tall, 412 wide (1.586), centred.
const GUIDE: Rect = Rect::new(114, 50, 412, 260);
/// The A4 guide, portrait: 320 px tall, 226 wide (1.414), centred.
const A4_GUIDE: Rect = Rect::new(207, 20, 226, 320);

/// xorshift64*: deterministic, so every run draws the same scenes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn noise(&mut self, amplitude: i32) -> i32 {
        (self.next() % (2 * amplitude as u64 + 1)) as i32 - amplitude
    }
}

fn hash(values: &[i64]) -> u64 {
    let mut h = 0x9E37_79B9_7F4A_7C15u64;
    for &v in values {
        h = (h ^ v as u64).wrapping_mul(0x100_0000_01B3).rotate_left(29);
    }
    h ^ (h >> 31)
}

/// A scene in floating point, before the sensor.
struct Scene {
    w: usize,
    h: usize,
    px: Vec<f32>,
}

impl Scene {
    /// A desk: smooth blotches between 55 and 105 (value noise on a 24-px grid) and a fine grain.
    fn desk(w: usize, h: usize, seed: u64) -> Scene {
        let cell = 24.0;
        let node = |i: i64, j: i64| 55.0 + (hash(&[seed as i64, i, j]) % 51) as f32;
        let mut rng = Rng(seed | 1);
        let mut px = Vec::with_capacity(w * h);
        for y in 0..h {
            for x in 0..w {
                let (fx, fy) = (x as f32 / cell, y as f32 / cell);
                let (i, j) = (fx.floor() as i64, fy.floor() as i64);
                let (tx, ty) = (fx - i as f32, fy - j as f32);
                let top = node(i, j) * (1.0 - tx) + node(i + 1, j) * tx;
                let bottom = node(i, j + 1) * (1.0 - tx) + node(i + 1, j + 1) * tx;
                px.push(top * (1.0 - ty) + bottom * ty + rng.noise(4) as f32);
            }
        }
        Scene { w, h, px }
    }

    fn map(&mut self, f: impl Fn(f32) -> f32) -> &mut Self {
        self.px.iter_mut().for_each(|v| *v = f(*v));
        self
    }

    /// A box blur of radius `r` (a (2r+1)² kernel), separable, edges clamped: defocus.
    fn blur(&mut self, r: usize) -> &mut Self {
        if r == 0 {
            return self;
        }
        let (w, h) = (self.w, self.h);
        let n = (2 * r + 1) as f32;
        let mut tmp = vec![0.0f32; w * h];
        for y in 0..h {
            for x in 0..w {
                let s: f32 = (0..=2 * r)
                    .map(|k| self.px[y * w + (x + k).saturating_sub(r).min(w - 1)])
                    .sum();
                tmp[y * w + x] = s / n;
            }
        }
        for y in 0..h {
            for x in 0..w {
                let s: f32 = (0..=2 * r)
                    .map(|k| tmp[(y + k).saturating_sub(r).min(h - 1) * w + x])
                    .sum();
                self.px[y * w + x] = s / n;
            }
        }
        self
    }

    /// A specular reflection: a saturated disc of radius `r` fading out over 10 px.
    fn glare(&mut self, cx: f32, cy: f32, r: f32) -> &mut Self {
        for y in 0..self.h {
            for x in 0..self.w {
                let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
                let a = ((r + 10.0 - d) / 10.0).clamp(0.0, 1.0);
                let v = &mut self.px[y * self.w + x];
                *v = *v * (1.0 - a) + 280.0 * a;
            }
        }
        self
    }

    /// Shifts the whole scene right by `dx` pixels (a hand moving), repeating the first column.
    fn shift(&mut self, dx: usize) -> &mut Self {
        for y in 0..self.h {
            let row = &mut self.px[y * self.w..(y + 1) * self.w];
            row.rotate_right(dx);
            let first = row[dx];
            row[..dx].iter_mut().for_each(|v| *v = first);
        }
        self
    }

    /// The sensor: ±3 levels of noise (σ ≈ 2), rounded and clipped.
    fn capture(&self, seed: u64) -> Vec<u8> {
        let mut rng = Rng(seed.wrapping_mul(2).wrapping_add(0x5DEE_CE66) | 1);
        self.px
            .iter()
            .map(|&v| (v + rng.noise(3) as f32).round().clamp(0.0, 255.0) as u8)
            .collect()
    }

    fn draw(&mut self, doc: &Doc) -> &mut Self {
        let (sin, cos) = doc.angle_deg.to_radians().sin_cos();
        let reach = (doc.width.powi(2) + doc.height.powi(2)).sqrt() / 2.0 + 2.0;
        let x0 = (doc.cx - reach).floor().max(0.0) as usize;
        let x1 = ((doc.cx + reach).ceil() as usize).min(self.w);
        let y0 = (doc.cy - reach).floor().max(0.0) as usize;
        let y1 = ((doc.cy + reach).ceil() as usize).min(self.h);
        for y in y0..y1 {
            for x in x0..x1 {
                // 2×2 samples a pixel, so the document's border is antialiased as a lens would.
                let (mut sum, mut covered) = (0.0, 0);
                for (sx, sy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                    let (dx, dy) = (x as f32 + sx - doc.cx, y as f32 + sy - doc.cy);
                    // Into the document's own frame: turn back by its angle (clockwise on screen).
                    let u = dx * cos + dy * sin + doc.width / 2.0;
                    let v = -dx * sin + dy * cos + doc.height / 2.0;
                    if let Some(value) = doc.at(u, v) {
                        sum += value;
                        covered += 1;
                    }
                }
                if covered > 0 {
                    let p = &mut self.px[y * self.w + x];
                    *p = (*p * (4 - covered) as f32 + sum) / 4.0;
                }
            }
        }
        self
    }
}

/// A document to draw: an ID-1 card by default (photo on the left, print on the right).
#[derive(Clone, Copy)]
struct Doc {
    cx: f32,
    cy: f32,
    width: f32,
    height: f32,
    angle_deg: f32,
    paper: f32,
    ink: f32,
    card: bool,
}

impl Doc {
    /// An ID-1 card filling `fill` of the ID-1 guide, centred on (cx, cy).
    fn card(fill: f32, cx: f32, cy: f32) -> Doc {
        let height = GUIDE.height as f32 * fill;
        Doc {
            cx,
            cy,
            width: height * 1.586,
            height,
            angle_deg: 0.0,
            paper: 200.0,
            ink: 50.0,
            card: true,
        }
    }

    fn centred(fill: f32) -> Doc {
        Doc::card(fill, W as f32 / 2.0, H as f32 / 2.0)
    }

    fn turned(self, angle_deg: f32) -> Doc {
        Doc { angle_deg, ..self }
    }

    /// The value at (u, v) in the document's own pixels, or `None` outside it.
    fn at(&self, u: f32, v: f32) -> Option<f32> {
        let (w, h) = (self.width, self.height);
        if u < 0.0 || v < 0.0 || u >= w || v >= h {
            return None;
        }
        // ID-1 corners are rounded with a 3.18 mm radius; paper is square.
        let r = if self.card {
            (w * 3.18 / 85.6).min(w / 2.0).min(h / 2.0)
        } else {
            0.0
        };
        let (cu, cv) = (u.clamp(r, w - r), v.clamp(r, h - r));
        if (u - cu).powi(2) + (v - cv).powi(2) > r * r {
            return None;
        }
        if self.card {
            if (0.05 * w..0.33 * w).contains(&u) && (0.25 * h..0.88 * h).contains(&v) {
                // The photo: a head and shoulders, darker on a light-grey ground.
                let (pu, pv) = ((u - 0.19 * w) / (0.14 * w), (v - 0.5 * h) / (0.2 * h));
                let shoulders = v > 0.75 * h;
                return Some(if pu * pu + pv * pv < 1.0 || shoulders {
                    95.0
                } else {
                    150.0
                });
            }
            if self.print(u - 0.05 * w, v - 0.06 * h, 0.9 * w, 1, 16.0)
                || self.print(u - 0.38 * w, v - 0.25 * h, 0.57 * w, 6, 0.11 * h)
            {
                return Some(self.ink);
            }
        } else if self.print(u - 0.1 * w, v - 0.08 * h, 0.8 * w, 20, 0.04 * h) {
            return Some(self.ink);
        }
        Some(self.paper)
    }

    /// Rows of text-like print: characters of 3×5 blocks of 2 px (2-px strokes, 6×10 px with 1 px
    /// between characters), words of up to six, at `pitch` between rows. `u`, `v` are relative to
    /// the block's top-left corner.
    fn print(&self, u: f32, v: f32, width: f32, rows: i64, pitch: f32) -> bool {
        if u < 0.0 || v < 0.0 || u >= width {
            return false;
        }
        let row = (v / pitch) as i64;
        let (cu, cv) = (u as i64 % 7, (v - row as f32 * pitch) as i64);
        if row >= rows || cu >= 6 || cv >= 10 {
            return false;
        }
        let column = u as i64 / 7;
        if hash(&[row, column]).is_multiple_of(7) {
            return false; // a space
        }
        hash(&[row, column, cu / 2, cv / 2]) % 100 < 45
    }
}

fn analyse(
    pixels: &[u8],
    w: usize,
    h: usize,
    guide: Rect,
    subject: Subject,
    previous: Option<&Thumbnail>,
) -> Report {
    let luma = Luma::new(pixels, w, h, w).expect("a valid frame");
    let report = frame::analyse(&luma, guide, subject, previous).expect("a valid guide");
    println!(
        "verdicts {:?} advice {:?} sharpness {} glare {} exposure {:?} sides {:?} motion {:?}",
        report.verdicts,
        report.advice,
        report.sharpness,
        report.glare_tiles,
        report.exposure,
        report.sides_found,
        report.motion
    );
    if let Some(d) = &report.document {
        println!(
            "  fill {} aspect {} tilt {:.2} corners {:?}",
            d.fill_permille,
            d.aspect_permille,
            d.tilt_deg,
            d.corners.map(|p| (p.x.round(), p.y.round()))
        );
    }
    report
}

fn card_scene(doc: Doc) -> Scene {
    let mut scene = Scene::desk(W, H, 7);
    scene.draw(&doc);
    scene
}

fn id1(pixels: &[u8]) -> Report {
    analyse(pixels, W, H, GUIDE, Subject::Id1Card, None)
}

fn close(p: Point, x: f32, y: f32, tolerance: f32) -> bool {
    (p.x - x).abs() <= tolerance && (p.y - y).abs() <= tolerance
}

#[test]
fn a_sharp_card_in_the_guide_is_ready_with_its_corners() {
    let doc = Doc::centred(0.92);
    let report = id1(&card_scene(doc).capture(1));
    assert!(report.ready, "{:?}", report.verdicts);
    assert_eq!(report.advice, Advice::Ready);
    let found = report.document.expect("the card");
    let (hw, hh) = (doc.width / 2.0, doc.height / 2.0);
    let expected = [(-hw, -hh), (hw, -hh), (hw, hh), (-hw, hh)];
    for (corner, (dx, dy)) in found.corners.iter().zip(expected) {
        // The fitted lines meet where the card's rounded corner would be square.
        assert!(
            close(*corner, 320.0 + dx, 180.0 + dy, 1.5),
            "{corner:?} vs {dx},{dy}"
        );
    }
    assert!(
        found.fill_permille.abs_diff(920) <= 10,
        "{}",
        found.fill_permille
    );
    assert!(
        found.aspect_permille.abs_diff(1586) <= 15,
        "{}",
        found.aspect_permille
    );
    assert!(found.tilt_deg.abs() < 0.5);
}

#[test]
fn blur_flips_to_blurry_between_radius_1_and_2() {
    let mut sharpness = Vec::new();
    for (radius, blurry) in [(0, false), (1, false), (2, true), (4, true)] {
        let mut scene = card_scene(Doc::centred(0.92));
        let report = id1(&scene.blur(radius).capture(2));
        sharpness.push(report.sharpness);
        // The edges are still found: the verdict is about focus, not about the card.
        assert!(report.document.is_some(), "radius {radius}");
        assert_eq!(
            report.verdicts.contains(&Verdict::Blurry),
            blurry,
            "radius {radius}: {:?}",
            report.verdicts
        );
        if blurry {
            assert_eq!(report.advice, Advice::Focus);
        }
    }
    println!("Laplacian variance at box blur radius 0, 1, 2, 4: {sharpness:?}");
    assert!(sharpness.windows(2).all(|w| w[0] > w[1]), "{sharpness:?}");
}

#[test]
fn a_glare_spot_on_the_card_is_glare_but_not_over_exposure() {
    let doc = Doc::centred(0.92);
    let mut scene = card_scene(doc);
    let report = id1(&scene
        .glare(doc.cx + 0.15 * doc.width, doc.cy, 24.0)
        .capture(3));
    assert_eq!(report.verdicts, vec![Verdict::Glare]);
    assert_eq!(report.advice, Advice::AvoidGlare);
}

#[test]
fn a_dark_scene_is_too_dark_first() {
    let mut scene = card_scene(Doc::centred(0.92));
    let report = id1(&scene.map(|v| v * 0.25).capture(4));
    assert_eq!(report.verdicts.first(), Some(&Verdict::TooDark));
    assert_eq!(report.advice, Advice::MoreLight);
}

#[test]
fn a_burnt_out_scene_is_over_exposed() {
    let mut scene = card_scene(Doc::centred(0.92));
    let report = id1(&scene.map(|v| v * 1.6).capture(5));
    assert_eq!(report.verdicts.first(), Some(&Verdict::OverExposed));
    assert_eq!(report.advice, Advice::LessLight);
}

#[test]
fn a_foggy_scene_is_low_contrast() {
    let mut scene = card_scene(Doc::centred(0.92));
    let report = id1(&scene.map(|v| 150.0 + (v - 150.0) * 0.2).capture(6));
    assert_eq!(report.verdicts.first(), Some(&Verdict::LowContrast));
    assert_eq!(report.advice, Advice::MoreContrast);
}

#[test]
fn a_card_past_each_edge_of_the_frame_is_cut_off_on_that_side() {
    // A tenth of the card beyond the frame's edge.
    let card = Doc::centred(0.92);
    let (w, h) = (card.width, card.height);
    for (side, cx, cy) in [
        (Side::Left, 0.4 * w, 180.0),
        (Side::Right, W as f32 - 0.4 * w, 180.0),
        (Side::Top, 320.0, 0.4 * h),
        (Side::Bottom, 320.0, H as f32 - 0.4 * h),
    ] {
        let report = id1(&card_scene(Doc { cx, cy, ..card }).capture(7));
        assert_eq!(
            report.verdicts.first(),
            Some(&Verdict::CutOff(side)),
            "{side:?}"
        );
        assert_eq!(report.advice, Advice::ShowWholeDocument(side));
    }
}

#[test]
fn a_slight_tilt_is_measured_and_accepted() {
    let report = id1(&card_scene(Doc::centred(0.85).turned(5.0)).capture(8));
    assert!(report.ready, "{:?}", report.verdicts);
    let tilt = report.document.expect("the card").tilt_deg;
    assert!((tilt - 5.0).abs() < 0.5, "{tilt}");
}

#[test]
fn a_tilt_of_20_degrees_is_tilted() {
    for angle in [20.0, -20.0] {
        let report = id1(&card_scene(Doc::centred(0.85).turned(angle)).capture(9));
        let tilt = report.document.expect("the card").tilt_deg;
        assert!((tilt - angle).abs() < 1.0, "{tilt}");
        assert_eq!(report.verdicts, vec![Verdict::Tilted]);
        assert_eq!(report.advice, Advice::HoldStraight);
    }
}

#[test]
fn a_small_card_in_the_guide_is_too_far() {
    let report = id1(&card_scene(Doc::centred(0.6)).capture(10));
    assert_eq!(report.verdicts, vec![Verdict::TooFar]);
    assert_eq!(report.advice, Advice::MoveCloser);
}

#[test]
fn a_card_overflowing_the_guide_is_too_close() {
    let report = id1(&card_scene(Doc::centred(1.25)).capture(11));
    assert_eq!(report.verdicts.first(), Some(&Verdict::TooClose));
    assert_eq!(report.advice, Advice::MoveBack);
}

#[test]
fn a_card_taller_than_the_frame_is_too_close() {
    // 598×377 in a 640×360 frame: the top and bottom edges are out of view, the sides are not.
    let report = id1(&card_scene(Doc::centred(1.45)).capture(12));
    assert_eq!(report.sides_found, [false, true, false, true]);
    assert_eq!(report.verdicts.first(), Some(&Verdict::TooClose));
}

#[test]
fn a_bare_desk_has_no_document() {
    for seed in [7, 8, 9] {
        let report = id1(&Scene::desk(W, H, seed).capture(seed));
        assert_eq!(
            report.verdicts.first(),
            Some(&Verdict::NoDocument),
            "seed {seed}"
        );
        assert_eq!(report.advice, Advice::PlaceDocument);
        assert!(
            report.sides_found.iter().filter(|&&s| s).count() <= 1,
            "seed {seed}: {:?}",
            report.sides_found
        );
    }
}

#[test]
fn a_white_page_is_not_glare() {
    // A4 at 240: bright and flat between the lines of print, as glare is, but so is the whole page.
    let page = Doc {
        cx: 320.0,
        cy: 180.0,
        width: 0.92 * A4_GUIDE.width as f32,
        height: 0.92 * A4_GUIDE.height as f32,
        angle_deg: 0.0,
        paper: 240.0,
        ink: 70.0,
        card: false,
    };
    let mut scene = Scene::desk(W, H, 13);
    let report = analyse(
        &scene.draw(&page).capture(13),
        W,
        H,
        A4_GUIDE,
        Subject::A4Page,
        None,
    );
    assert!(
        !report.verdicts.contains(&Verdict::Glare),
        "{:?}",
        report.verdicts
    );
    assert!(report.ready, "{:?}", report.verdicts);
    let found = report.document.expect("the page");
    assert!(
        found.aspect_permille.abs_diff(707) <= 10,
        "{}",
        found.aspect_permille
    );
}

#[test]
fn a_passport_page_in_the_card_guide_is_the_wrong_shape() {
    let card = Doc::centred(0.92);
    let report = id1(&card_scene(Doc {
        width: card.height * 1.42,
        ..card
    })
    .capture(14));
    assert_eq!(report.verdicts, vec![Verdict::WrongShape]);
    // …and the same document is right in the passport guide.
    let passport = analyse(
        &card_scene(Doc {
            width: card.height * 1.42,
            ..card
        })
        .capture(14),
        W,
        H,
        Rect::new(135, 50, 370, 260),
        Subject::PassportPage,
        None,
    );
    assert!(passport.ready, "{:?}", passport.verdicts);
}

#[test]
fn identical_frames_are_steady_and_a_shift_of_8_px_is_not() {
    let scene = card_scene(Doc::centred(0.92));
    let first = id1(&scene.capture(15));
    let same = analyse(
        &scene.capture(15),
        W,
        H,
        GUIDE,
        Subject::Id1Card,
        Some(&first.thumbnail),
    );
    assert_eq!(same.motion, Some(0));
    assert!(same.ready, "{:?}", same.verdicts);
    // The next frame of a still scene: only the sensor noise differs.
    let next = analyse(
        &scene.capture(16),
        W,
        H,
        GUIDE,
        Subject::Id1Card,
        Some(&first.thumbnail),
    );
    assert!(next.ready, "{:?}", next.verdicts);
    // A brighter frame (auto-exposure settling) of a still scene.
    let mut brighter = card_scene(Doc::centred(0.92));
    let exposure = analyse(
        &brighter.map(|v| v + 12.0).capture(17),
        W,
        H,
        GUIDE,
        Subject::Id1Card,
        Some(&first.thumbnail),
    );
    assert!(exposure.ready, "{:?}", exposure.verdicts);
    let mut moved = card_scene(Doc::centred(0.92));
    let shifted = analyse(
        &moved.shift(8).capture(18),
        W,
        H,
        GUIDE,
        Subject::Id1Card,
        Some(&first.thumbnail),
    );
    assert_eq!(shifted.verdicts, vec![Verdict::NotSteady]);
    assert_eq!(shifted.advice, Advice::HoldStill);
    // A drift of 1 px (10 px/s at 10 frames a second) blurs nothing: still steady.
    let mut drifted = card_scene(Doc::centred(0.92));
    let drift = analyse(
        &drifted.shift(1).capture(19),
        W,
        H,
        GUIDE,
        Subject::Id1Card,
        Some(&first.thumbnail),
    );
    assert!(drift.ready, "{:?}", drift.verdicts);
    let mut two = card_scene(Doc::centred(0.92));
    let two = analyse(
        &two.shift(2).capture(19),
        W,
        H,
        GUIDE,
        Subject::Id1Card,
        Some(&first.thumbnail),
    );
    let mut four = card_scene(Doc::centred(0.92));
    let four = analyse(
        &four.shift(4).capture(19),
        W,
        H,
        GUIDE,
        Subject::Id1Card,
        Some(&first.thumbnail),
    );
    println!(
        "motion: still {:?}, exposure {:?}, 1 px {:?}, 2 px {:?}, 4 px {:?}, 8 px {:?}",
        next.motion, exposure.motion, drift.motion, two.motion, four.motion, shifted.motion
    );
}

#[test]
fn a_1280_frame_is_analysed_at_640_and_answers_in_its_own_pixels() {
    let doc = Doc::centred(0.92);
    let mut scene = Scene::desk(2 * W, 2 * H, 7);
    let big = Doc {
        cx: 2.0 * doc.cx,
        cy: 2.0 * doc.cy,
        width: 2.0 * doc.width,
        height: 2.0 * doc.height,
        ..doc
    };
    // The print is drawn at 640-px scale; a 1280 frame of the same card shows it twice as large.
    let mut small_print = Scene {
        w: 2 * W,
        h: 2 * H,
        px: vec![0.0; 4 * W * H],
    };
    small_print.px.copy_from_slice(&scene.draw(&big).px);
    let guide = Rect::new(2 * GUIDE.x, 2 * GUIDE.y, 2 * GUIDE.width, 2 * GUIDE.height);
    let report = analyse(
        &small_print.capture(19),
        2 * W,
        2 * H,
        guide,
        Subject::Id1Card,
        None,
    );
    assert_eq!(report.scale, 2);
    let found = report.document.expect("the card");
    assert!(
        close(
            found.corners[0],
            2.0 * (320.0 - doc.width / 2.0),
            2.0 * (180.0 - doc.height / 2.0),
            3.0
        ),
        "{:?}",
        found.corners
    );
    assert!(
        !report
            .verdicts
            .iter()
            .any(|v| !matches!(v, Verdict::Blurry)),
        "{:?}",
        report.verdicts
    );
}

#[test]
fn the_crop_straightens_a_small_tilt_and_boxes_a_large_one() {
    let doc = Doc::centred(0.85).turned(5.0);
    let report = id1(&card_scene(doc).capture(20));
    let corners = report.document.expect("the card").corners;
    let crop = Crop::around(&corners, 40);
    assert!((crop.angle_deg - 5.0).abs() < 0.5, "{crop:?}");
    let margin = 0.04 * doc.height;
    assert!(
        (crop.width - (doc.width + 2.0 * margin)).abs() < 3.0,
        "{crop:?}"
    );
    assert!(
        (crop.height - (doc.height + 2.0 * margin)).abs() < 3.0,
        "{crop:?}"
    );
    // The crop's top-left pixel is the card's top-left corner pushed out by the margin.
    let (sin, cos) = 5.0f32.to_radians().sin_cos();
    let (dx, dy) = (-doc.width / 2.0 - margin, -doc.height / 2.0 - margin);
    assert!(
        close(
            crop.source(0.0, 0.0),
            320.0 + dx * cos - dy * sin,
            180.0 + dx * sin + dy * cos,
            2.0
        ),
        "{:?}",
        crop.source(0.0, 0.0)
    );
    let bounds = crop.bounds(W as u32, H as u32);
    assert!(bounds.x + bounds.width <= W as u32 && bounds.y + bounds.height <= H as u32);
    let doubled = crop.scaled(2.0);
    assert!((doubled.width - 2.0 * crop.width).abs() < 0.01 && doubled.angle_deg == crop.angle_deg);

    let tilted = Doc::centred(0.85).turned(20.0);
    let corners = id1(&card_scene(tilted).capture(21))
        .document
        .expect("the card")
        .corners;
    let boxed = Crop::around(&corners, 0);
    assert_eq!(boxed.angle_deg, 0.0);
    let (sin, cos) = 20.0f32.to_radians().sin_cos();
    assert!(
        (boxed.width - (tilted.width * cos + tilted.height * sin)).abs() < 4.0,
        "{boxed:?}"
    );

    let guide = Crop::of_rect(GUIDE);
    assert_eq!(guide.bounds(W as u32, H as u32), GUIDE);
}

#[test]
fn frames_too_small_or_inconsistent_are_refused() {
    let pixels = vec![128u8; 640 * 480];
    assert_eq!(
        Luma::new(&pixels, 63, 48, 63).unwrap_err(),
        FrameError::TooSmall {
            width: 63,
            height: 48
        }
    );
    assert_eq!(
        Luma::new(&pixels, 64, 47, 64).unwrap_err(),
        FrameError::TooSmall {
            width: 64,
            height: 47
        }
    );
    assert_eq!(
        Luma::new(&pixels, 0, 0, 0).unwrap_err(),
        FrameError::TooSmall {
            width: 0,
            height: 0
        }
    );
    assert_eq!(
        Luma::new(&pixels, 100, 100, 99).unwrap_err(),
        FrameError::StrideTooShort {
            stride: 99,
            width: 100
        }
    );
    assert!(matches!(
        Luma::new(&pixels[..1000], 64, 48, 64),
        Err(FrameError::BufferTooShort { .. })
    ));
    assert!(matches!(
        Luma::new(&pixels, 64, 48, usize::MAX),
        Err(FrameError::BufferTooShort { .. })
    ));
    let luma = Luma::new(&pixels, 64, 48, 64).expect("the smallest frame");
    assert!(frame::analyse(&luma, Rect::new(0, 0, 64, 48), Subject::Id1Card, None).is_ok());
    assert_eq!(
        frame::analyse(&luma, Rect::new(60, 0, 64, 48), Subject::Id1Card, None).unwrap_err(),
        FrameError::GuideTooSmall
    );
    assert_eq!(
        frame::analyse(
            &luma,
            Rect::new(u32::MAX, u32::MAX, u32::MAX, u32::MAX),
            Subject::Face,
            None
        )
        .unwrap_err(),
        FrameError::GuideTooSmall
    );
}

#[test]
fn a_face_guide_judges_light_focus_and_stillness_only() {
    let scene = card_scene(Doc::centred(0.92));
    let oval = Rect::new(220, 40, 200, 280);
    let report = analyse(&scene.capture(22), W, H, oval, Subject::Face, None);
    assert!(report.document.is_none() && report.sides_found == [false; 4]);
    assert!(report.ready, "{:?}", report.verdicts);
    let mut dark = card_scene(Doc::centred(0.92));
    let report = analyse(
        &dark.map(|v| v * 0.25).capture(22),
        W,
        H,
        oval,
        Subject::Face,
        None,
    );
    assert_eq!(report.advice, Advice::MoreLight);
}

#[test]
fn time_per_640x360_frame() {
    // Printed, not asserted: `cargo test --release -p idcheck-core --test frame -- --nocapture`.
    let pixels = card_scene(Doc::centred(0.92)).capture(23);
    let luma = Luma::new(&pixels, W, H, W).expect("a valid frame");
    let mut previous = frame::analyse(&luma, GUIDE, Subject::Id1Card, None)
        .expect("a valid guide")
        .thumbnail;
    let runs = if cfg!(debug_assertions) { 20 } else { 200 };
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = std::time::Instant::now();
        let report = frame::analyse(
            std::hint::black_box(&luma),
            GUIDE,
            Subject::Id1Card,
            Some(&previous),
        );
        times.push(start.elapsed());
        previous = report.expect("a valid guide").thumbnail;
    }
    times.sort();
    println!(
        "analysis of a 640×360 frame: median {:?}, fastest {:?}, slowest {:?} ({runs} runs, {})",
        times[runs / 2],
        times[0],
        times[runs - 1],
        if cfg!(debug_assertions) {
            "debug build"
        } else {
            "release build"
        }
    );
}

proptest! {
    // Failures are not persisted (as in `properties.rs`): one a property finds becomes a named test.
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any bytes of any valid size, any guide: an answer or a refusal, never a panic, and the
    /// verdicts in priority order with the advice of the first.
    #[test]
    fn arbitrary_buffers_never_panic(
        w in 64usize..200, h in 48usize..150, pad in 0usize..8, seed in any::<u64>(),
        gx in 0u32..220, gy in 0u32..170, gw in 0u32..260, gh in 0u32..200,
        face in any::<bool>(), with_previous in any::<bool>(),
    ) {
        let stride = w + pad;
        let mut rng = Rng(seed | 1);
        let pixels: Vec<u8> = (0..stride * h).map(|_| rng.next() as u8).collect();
        let luma = Luma::new(&pixels, w, h, stride).expect("a valid frame");
        let previous = with_previous.then(|| Thumbnail::of(&luma));
        let subject = if face { Subject::Face } else { Subject::Id1Card };
        if let Ok(report) = frame::analyse(&luma, Rect::new(gx, gy, gw, gh), subject, previous.as_ref()) {
            prop_assert!(report.verdicts.windows(2).all(|p| p[0] < p[1]));
            prop_assert_eq!(report.ready, report.verdicts.is_empty());
            prop_assert_eq!(report.advice, report.verdicts.first().map_or(Advice::Ready, |v| v.advice()));
        }
    }

    /// Scenes with edges (bright and dark rectangles, tilted or not, partly outside), where the
    /// geometry runs: no panic, and the crop of whatever was found stays inside the frame.
    #[test]
    fn rectangles_never_panic(
        w in 64usize..260, h in 48usize..200, seed in any::<u64>(),
        rects in prop::collection::vec((-0.5f32..1.5, -0.5f32..1.5, 0.05f32..1.5, 0.05f32..1.5, -60.0f32..60.0, 0.0f32..255.0), 1..4),
        background in 0.0f32..255.0, blur in 0usize..3,
    ) {
        let mut scene = Scene { w, h, px: vec![background; w * h] };
        for (cx, cy, rw, rh, angle, value) in rects {
            let (rw, rh) = (rw * w as f32, rh * h as f32);
            scene.draw(&Doc { cx: cx * w as f32, cy: cy * h as f32, width: rw, height: rh, angle_deg: angle, paper: value, ink: 255.0 - value, card: seed % 2 == 0 });
        }
        let pixels = scene.blur(blur).capture(seed);
        let luma = Luma::new(&pixels, w, h, w).expect("a valid frame");
        let guide = Rect::new(w as u32 / 8, h as u32 / 8, w as u32 * 3 / 4, h as u32 * 3 / 4);
        let report = frame::analyse(&luma, guide, Subject::Id1Card, None).expect("a valid guide");
        if let Some(doc) = report.document {
            let bounds = Crop::around(&doc.corners, 30).bounds(w as u32, h as u32);
            prop_assert!(bounds.x + bounds.width <= w as u32 && bounds.y + bounds.height <= h as u32);
        }
    }

    /// Any four corners, even crossed or far away: a crop, and bounds inside the frame.
    #[test]
    fn any_corners_give_a_crop_inside_the_frame(
        corners in prop::array::uniform4((-1e4f32..1e4, -1e4f32..1e4)), margin in 0u16..500,
    ) {
        let corners = corners.map(|(x, y)| Point { x, y });
        let crop = Crop::around(&corners, margin);
        let bounds = crop.bounds(640, 360);
        prop_assert!(bounds.x + bounds.width <= 640 && bounds.y + bounds.height <= 360);
    }
}
