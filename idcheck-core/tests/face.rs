//! The face detector with the real model's weights, on pictures the tests draw: a face-like
//! pattern (a skin-toned oval with hair, eyes, brows, nose and mouth, shaded), an ID card and a
//! blank wall. The weights file is made by `cargo xtask face-assets` (which `cargo xtask test`
//! runs first, naming the file in `IDCHECK_FACE_WEIGHTS`): without that variable and without the
//! file these tests say so and pass; with the variable, a missing file fails them.

use idcheck_core::face::{self, Detector, Face, FaceProblem, Image};
use idcheck_core::frame::Rect;

fn weights() -> Option<Vec<u8>> {
    if let Some(path) = std::env::var_os("IDCHECK_FACE_WEIGHTS") {
        let bytes = std::fs::read(&path)
            .unwrap_or_else(|err| panic!("IDCHECK_FACE_WEIGHTS={path:?}: {err}"));
        return Some(bytes);
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/face-assets")
        .join(face::WEIGHTS_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(_) => {
            eprintln!(
                "skipped: no face weights at {} (run `cargo xtask face-assets`)",
                path.display()
            );
            None
        }
    }
}

/// An RGBA canvas.
struct Canvas {
    width: usize,
    height: usize,
    pixels: Vec<[f32; 3]>,
}

impl Canvas {
    fn new(width: usize, height: usize, colour: [f32; 3]) -> Canvas {
        Canvas {
            width,
            height,
            pixels: vec![colour; width * height],
        }
    }

    /// Paints `colour` where `inside(x, y)` gives a coverage above 0 (times that coverage).
    fn paint(&mut self, colour: [f32; 3], inside: impl Fn(f32, f32) -> f32) {
        for y in 0..self.height {
            for x in 0..self.width {
                let a = inside(x as f32 + 0.5, y as f32 + 0.5).clamp(0.0, 1.0);
                if a > 0.0 {
                    let p = &mut self.pixels[y * self.width + x];
                    for c in 0..3 {
                        p[c] = p[c] * (1.0 - a) + colour[c] * a;
                    }
                }
            }
        }
    }

    /// Multiplies brightness by `factor(x, y)`.
    fn shade(&mut self, factor: impl Fn(f32, f32) -> f32) {
        for y in 0..self.height {
            for x in 0..self.width {
                let f = factor(x as f32 + 0.5, y as f32 + 0.5);
                let p = &mut self.pixels[y * self.width + x];
                for c in p.iter_mut() {
                    *c *= f;
                }
            }
        }
    }

    fn rgba(&self) -> Vec<u8> {
        self.pixels
            .iter()
            .flat_map(|p| {
                [p[0], p[1], p[2]]
                    .map(|v| v.round().clamp(0.0, 255.0) as u8)
                    .into_iter()
                    .chain([255])
            })
            .collect()
    }
}

/// Coverage of an ellipse centred at (cx, cy) with radii (rx, ry), soft over about a pixel.
fn ellipse(cx: f32, cy: f32, rx: f32, ry: f32) -> impl Fn(f32, f32) -> f32 {
    move |x, y| {
        let d = (((x - cx) / rx).powi(2) + ((y - cy) / ry).powi(2)).sqrt();
        (1.0 - d) * rx.min(ry) + 0.5
    }
}

/// A frontal face-like head, `size` pixels wide (the head's width), centred at (cx, cy).
fn draw_face(canvas: &mut Canvas, cx: f32, cy: f32, size: f32) {
    let u = size / 2.0;
    let skin = [222.0, 170.0, 138.0];
    // Neck and shoulders.
    canvas.paint([200.0, 150.0, 122.0], |x, y| {
        if (x - cx).abs() < 0.45 * u && y > cy + 0.8 * u && y < cy + 1.6 * u {
            1.0
        } else {
            0.0
        }
    });
    canvas.paint(
        [60.0, 70.0, 110.0],
        ellipse(cx, cy + 2.6 * u, 2.2 * u, 1.2 * u),
    );
    // Hair behind the head, then the head and the ears.
    canvas.paint(
        [55.0, 38.0, 28.0],
        ellipse(cx, cy - 0.25 * u, 1.08 * u, 1.2 * u),
    );
    canvas.paint(
        skin,
        ellipse(cx - 0.95 * u, cy + 0.05 * u, 0.16 * u, 0.28 * u),
    );
    canvas.paint(
        skin,
        ellipse(cx + 0.95 * u, cy + 0.05 * u, 0.16 * u, 0.28 * u),
    );
    canvas.paint(skin, ellipse(cx, cy + 0.1 * u, 0.92 * u, 1.22 * u));
    // The fringe over the forehead.
    canvas.paint([55.0, 38.0, 28.0], |x, y| {
        let inside_head = ellipse(cx, cy - 0.25 * u, 1.0 * u, 1.15 * u)(x, y);
        if y < cy - 0.62 * u + 0.1 * ((x - cx) / u).powi(2) * u {
            inside_head
        } else {
            0.0
        }
    });
    // Eye sockets, eyes, irises, pupils, brows.
    for side in [-1.0, 1.0] {
        let ex = cx + side * 0.36 * u;
        let ey = cy - 0.12 * u;
        canvas.paint([190.0, 140.0, 115.0], ellipse(ex, ey, 0.26 * u, 0.16 * u));
        canvas.paint([240.0, 238.0, 232.0], ellipse(ex, ey, 0.17 * u, 0.075 * u));
        canvas.paint([80.0, 55.0, 40.0], ellipse(ex, ey, 0.075 * u, 0.075 * u));
        canvas.paint([15.0, 10.0, 10.0], ellipse(ex, ey, 0.035 * u, 0.035 * u));
        canvas.paint(
            [60.0, 42.0, 30.0],
            ellipse(ex + side * 0.02 * u, ey - 0.2 * u, 0.22 * u, 0.045 * u),
        );
    }
    // Nose: the shaded side of the bridge, the tip's highlight, the nostrils.
    canvas.paint(
        [200.0, 148.0, 120.0],
        ellipse(cx - 0.06 * u, cy + 0.12 * u, 0.05 * u, 0.26 * u),
    );
    canvas.paint(
        [236.0, 188.0, 158.0],
        ellipse(cx + 0.02 * u, cy + 0.3 * u, 0.09 * u, 0.07 * u),
    );
    canvas.paint(
        [120.0, 75.0, 60.0],
        ellipse(cx - 0.08 * u, cy + 0.38 * u, 0.045 * u, 0.025 * u),
    );
    canvas.paint(
        [120.0, 75.0, 60.0],
        ellipse(cx + 0.08 * u, cy + 0.38 * u, 0.045 * u, 0.025 * u),
    );
    // Mouth: lips and the dark line between them.
    canvas.paint(
        [180.0, 95.0, 90.0],
        ellipse(cx, cy + 0.62 * u, 0.24 * u, 0.075 * u),
    );
    canvas.paint(
        [90.0, 40.0, 40.0],
        ellipse(cx, cy + 0.62 * u, 0.22 * u, 0.015 * u),
    );
    // Light from the front: the head's rim is darker.
    canvas.shade(|x, y| {
        let r =
            (((x - cx) / (0.95 * u)).powi(2) + ((y - cy - 0.1 * u) / (1.25 * u)).powi(2)).sqrt();
        if r < 1.0 { 1.0 - 0.3 * r.powi(3) } else { 1.0 }
    });
}

fn detect(weights: &[u8], canvas: &Canvas, region: Option<Rect>) -> Vec<Face> {
    let rgba = canvas.rgba();
    let image = Image::rgba(&rgba, canvas.width, canvas.height).unwrap();
    let mut detector = Detector::new(weights).unwrap();
    detector.detect(&image, region)
}

/// Something drawn on a frame.
type Draw = dyn Fn(&mut Canvas);

/// The frame of the tests: 640×360 (the component's analysis size), a wall behind.
const WIDTH: usize = 640;
const HEIGHT: usize = 360;
/// The square the component hands the detector: the frame's middle, around the oval.
const REGION: Rect = Rect::new(140, 0, 360, 360);
/// The face step's oval: 200×280, centred in the frame.
const OVAL: Rect = Rect::new(220, 40, 200, 280);

/// A wall: plaster-like noise over a gentle gradient.
fn wall(width: usize, height: usize) -> Canvas {
    let mut canvas = Canvas::new(width, height, [0.0; 3]);
    let mut state = 12345u32;
    for y in 0..height {
        for x in 0..width {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let grain = (state % 17) as f32 - 8.0;
            let v =
                190.0 + 30.0 * x as f32 / width as f32 - 20.0 * y as f32 / height as f32 + grain;
            canvas.pixels[y * width + x] = [v, v * 0.97, v * 0.9];
        }
    }
    canvas
}

/// An ID-1 card filling the middle of the frame: a pale background with a wave pattern, a
/// portrait area (`portrait` draws the face-like pattern in it, otherwise a flat grey silhouette,
/// as on a card whose photo is printed in ghost tone), a chip and lines of print.
fn card(canvas: &mut Canvas, cx: f32, cy: f32, width: f32, portrait: bool) {
    let height = width / 1.586;
    let (x0, y0) = (cx - width / 2.0, cy - height / 2.0);
    let inside = move |x: f32, y: f32, l: f32, t: f32, w: f32, h: f32| {
        if x >= l && x < l + w && y >= t && y < t + h {
            1.0
        } else {
            0.0
        }
    };
    canvas.paint([40.0, 40.0, 45.0], |x, y| {
        inside(x, y, x0 + 3.0, y0 + 4.0, width, height)
    });
    canvas.paint([214.0, 226.0, 236.0], |x, y| {
        inside(x, y, x0, y0, width, height)
    });
    canvas.paint([170.0, 190.0, 215.0], |x, y| {
        let wave = ((x - x0) / width * 25.0).sin() * 0.02 * height;
        inside(x, y, x0, y0, width, height)
            * if ((y - y0 - wave) / height * 30.0).sin() > 0.9 {
                1.0
            } else {
                0.0
            }
    });
    let (px, py, pw, ph) = (
        x0 + 0.06 * width,
        y0 + 0.22 * height,
        0.3 * width,
        0.68 * height,
    );
    canvas.paint([200.0, 200.0, 200.0], |x, y| inside(x, y, px, py, pw, ph));
    if portrait {
        draw_face(canvas, px + pw / 2.0, py + ph * 0.42, pw * 0.62);
    } else {
        canvas.paint(
            [150.0, 150.0, 155.0],
            ellipse(px + pw / 2.0, py + ph * 0.4, pw * 0.27, ph * 0.25),
        );
        canvas.paint(
            [150.0, 150.0, 155.0],
            ellipse(px + pw / 2.0, py + ph * 1.05, pw * 0.48, ph * 0.38),
        );
        canvas.paint([200.0, 200.0, 200.0], |x, y| if y >= py + ph { 1.0 } else { 0.0 } * inside(x, y, x0, y0, width, height + 10.0));
        canvas.paint([214.0, 226.0, 236.0], |x, y| {
            inside(x, y, px, py + ph, pw, height)
        });
    }
    canvas.paint([205.0, 170.0, 80.0], |x, y| {
        inside(
            x,
            y,
            x0 + 0.42 * width,
            y0 + 0.3 * height,
            0.12 * width,
            0.16 * height,
        )
    });
    for line in 0..6 {
        let ty = y0 + (0.52 + 0.07 * line as f32) * height;
        canvas.paint([30.0, 30.0, 40.0], |x, y| {
            let glyph = (((x - x0) / 3.0) as i32 * 7 + line * 3) % 5 != 0;
            inside(
                x,
                y,
                x0 + 0.42 * width,
                ty,
                (0.5 - 0.05 * (line % 3) as f32) * width,
                0.035 * height,
            ) * if glyph { 1.0 } else { 0.0 }
        });
    }
}

#[test]
fn the_weights_file_holds_blazeface_short_range() {
    let Some(weights) = weights() else { return };
    assert!(Detector::new(&weights).is_ok());
    assert!(matches!(
        Detector::new(&weights[..weights.len() - 1]),
        Err(face::FaceError::WeightsCorrupt(_))
    ));
    // Without its last layer (the 8×8 head's boxes, 96→96: an 8-byte header and 96·96 + 96
    // halves) the file still reads, but is not this network.
    let mut short = weights[..weights.len() - 8 - (96 * 96 + 96) * 2].to_vec();
    short[5] -= 1;
    assert!(matches!(
        Detector::new(&short),
        Err(face::FaceError::WrongModel(_))
    ));
}

#[test]
fn a_face_like_pattern_is_found_where_it_is_drawn() {
    let Some(weights) = weights() else { return };
    let mut detector = Detector::new(&weights).unwrap();
    // Centred at three sizes, and off to one side.
    for (cx, cy, size) in [
        (320.0, 180.0, 110.0),
        (320.0, 175.0, 160.0),
        (320.0, 190.0, 220.0),
        (250.0, 170.0, 150.0),
    ] {
        let mut canvas = wall(WIDTH, HEIGHT);
        draw_face(&mut canvas, cx, cy, size);
        let rgba = canvas.rgba();
        let faces = detector.detect(&Image::rgba(&rgba, WIDTH, HEIGHT).unwrap(), Some(REGION));
        assert_eq!(
            faces.len(),
            1,
            "a head {size} px wide at ({cx}, {cy}): {faces:?}"
        );
        let found = faces[0];
        assert!(found.score > 0.8, "{found:?}");
        // The box spans most of the head's width, centred on the face (the nose, a little
        // below the head's centre).
        let centre = found.bounds.centre();
        assert!((centre.x - cx).abs() < 0.08 * size, "{found:?}");
        assert!((centre.y - cy).abs() < 0.2 * size, "{found:?}");
        assert!(
            found.bounds.width > 0.6 * size && found.bounds.width < 1.05 * size,
            "{found:?}"
        );
        // The keypoints where they were drawn: the person's right eye on the picture's left.
        let u = size / 2.0;
        let k = found.keypoints;
        let near = |p: idcheck_core::frame::Point, x: f32, y: f32| {
            (p.x - x).abs() < 0.15 * u && (p.y - y).abs() < 0.15 * u
        };
        assert!(
            near(k[face::RIGHT_EYE], cx - 0.36 * u, cy - 0.12 * u),
            "{k:?}"
        );
        assert!(
            near(k[face::LEFT_EYE], cx + 0.36 * u, cy - 0.12 * u),
            "{k:?}"
        );
        assert!(
            k[face::RIGHT_EYE].y < k[face::NOSE_TIP].y && k[face::NOSE_TIP].y < k[face::MOUTH].y
        );
        assert!(near(k[face::MOUTH], cx, cy + 0.62 * u), "{k:?}");
        assert!(
            k[face::RIGHT_EAR].x < k[face::RIGHT_EYE].x
                && k[face::LEFT_EAR].x > k[face::LEFT_EYE].x
        );
    }
}

#[test]
fn a_grey_frame_works_too() {
    let Some(weights) = weights() else { return };
    let mut canvas = wall(WIDTH, HEIGHT);
    draw_face(&mut canvas, 320.0, 180.0, 160.0);
    let luma: Vec<u8> = canvas
        .rgba()
        .chunks_exact(4)
        .map(|p| ((77 * u32::from(p[0]) + 150 * u32::from(p[1]) + 29 * u32::from(p[2])) >> 8) as u8)
        .collect();
    let mut detector = Detector::new(&weights).unwrap();
    let faces = detector.detect(&Image::luma(&luma, WIDTH, HEIGHT).unwrap(), Some(REGION));
    assert_eq!(faces.len(), 1, "{faces:?}");
    assert!((faces[0].bounds.centre().x - 320.0).abs() < 12.0);
}

#[test]
fn the_face_in_the_oval_is_judged() {
    let Some(weights) = weights() else { return };
    let judge = |draw: &Draw| {
        let mut canvas = wall(WIDTH, HEIGHT);
        draw(&mut canvas);
        face::check(&detect(&weights, &canvas, Some(REGION)), OVAL)
    };
    // A head that fills the oval's width: ready.
    let good = judge(&|c| draw_face(c, 320.0, 175.0, 190.0));
    assert_eq!(good.problem, None, "{good:?}");
    assert_eq!(good.advice(), None);
    assert_eq!(good.faces, 1);
    let cases: [(&Draw, FaceProblem); 5] = [
        (&|c| draw_face(c, 320.0, 180.0, 100.0), FaceProblem::TooFar),
        (
            &|c| draw_face(c, 320.0, 150.0, 290.0),
            FaceProblem::TooClose,
        ),
        (
            &|c| draw_face(c, 250.0, 175.0, 170.0),
            FaceProblem::OffCentre,
        ),
        (
            &|c| draw_face(c, 320.0, 95.0, 170.0),
            FaceProblem::OffCentre,
        ),
        (
            &|c| {
                draw_face(c, 260.0, 180.0, 120.0);
                draw_face(c, 390.0, 190.0, 120.0);
            },
            FaceProblem::SeveralFaces,
        ),
    ];
    for (draw, problem) in cases {
        let judged = judge(draw);
        assert_eq!(judged.problem, Some(problem), "{judged:?}");
    }
}

#[test]
fn a_card_a_wall_and_a_page_are_not_faces() {
    let Some(weights) = weights() else { return };
    let mut detector = Detector::new(&weights).unwrap();
    let mut look = |canvas: &Canvas| {
        let rgba = canvas.rgba();
        let faces = detector.detect(&Image::rgba(&rgba, WIDTH, HEIGHT).unwrap(), Some(REGION));
        face::check(&faces, OVAL)
    };
    // A card whose photo is a ghost-tone silhouette, held at several distances.
    for width in [220.0, 320.0, 420.0] {
        let mut canvas = wall(WIDTH, HEIGHT);
        card(&mut canvas, 320.0, 180.0, width, false);
        assert_eq!(
            look(&canvas).problem,
            Some(FaceProblem::NoFace),
            "card {width} px wide"
        );
    }
    // A blank wall, and an A4 page of print.
    assert_eq!(
        look(&wall(WIDTH, HEIGHT)).problem,
        Some(FaceProblem::NoFace)
    );
    let mut page = wall(WIDTH, HEIGHT);
    page.paint([245.0, 245.0, 240.0], |x, y| {
        if (x - 320.0).abs() < 125.0 && (y - 180.0).abs() < 177.0 {
            1.0
        } else {
            0.0
        }
    });
    for line in 0..24 {
        let ty = 30.0 + line as f32 * 12.0;
        page.paint([40.0, 40.0, 40.0], |x, y| {
            let glyph = ((x / 3.0) as i32 * 5 + line) % 4 != 0;
            if (x - 320.0).abs() < 105.0 && y >= ty && y < ty + 5.0 && glyph {
                1.0
            } else {
                0.0
            }
        });
    }
    assert_eq!(look(&page).problem, Some(FaceProblem::NoFace));
    // A card with a real-looking portrait is found as a face, but never passes: the portrait is
    // off the oval's centre and a fraction of its size.
    for width in [220.0, 320.0, 420.0] {
        let mut canvas = wall(WIDTH, HEIGHT);
        card(&mut canvas, 320.0, 180.0, width, true);
        let judged = look(&canvas);
        assert!(
            judged.problem.is_some(),
            "card {width} with a portrait: {judged:?}"
        );
    }
    // Even centred on the portrait, a card held in the oval is too far.
    let mut canvas = wall(WIDTH, HEIGHT);
    card(&mut canvas, 320.0 + 0.29 * 420.0, 180.0, 420.0, true);
    let judged = look(&canvas);
    assert!(
        matches!(
            judged.problem,
            Some(FaceProblem::TooFar | FaceProblem::NoFace)
        ),
        "{judged:?}"
    );
}
