//! The face check of the face-photo step: is there one face, centred in the oval, of the right
//! size? A photo of a card, of a wall or of the ceiling must not pass for a face.
//!
//! Where the browser has a face detector of its own (the Shape Detection API's `FaceDetector`),
//! the component uses it; everywhere else it runs [`Detector`]: Google's BlazeFace short-range
//! model (the one MediaPipe's `@mediapipe/face_detection` ships, Apache-2.0), its fixed network
//! written out in plain Rust. Either way the faces found go through [`check`], which judges them
//! against the oval.
//!
//! - [`Detector::new`] takes the weights file (`cargo xtask face-assets` converts it from the
//!   model; see `weights` for its layout) and [`Detector::detect`] a frame: boxes, scores and six
//!   keypoints, in frame pixels. No I/O: the component fetches the file and hands the bytes in.
//! - What happens inside: `input` averages a square of the frame down to 128×128, `network` runs
//!   the model (about 31 million multiply-adds), `anchors` and `decode` turn its 896 outputs into
//!   boxes and merge the overlapping ones.
//!
//! # Thresholds, and why
//!
//! - [`MIN_SCORE`] = 0.5: MediaPipe's default `min_detection_confidence` for this model. The
//!   tests' drawn faces score 0.93–0.97 at every size the oval asks for; their walls, ID cards
//!   (portrait in ghost tone) and printed pages give nothing above 0.5. [`MIN_OVERLAP`] = 0.3 is
//!   the graph's `min_suppression_threshold`.
//! - [`OFF_CENTRE_ABOVE_PERMILLE`] = 300: the face box's centre may stray from the oval's by 30 %
//!   of the oval's half-width (and half-height) combined as an ellipse. A face box is about 70 %
//!   of the oval's width when the head fills it, so at 30 % it still lies within the oval; the
//!   box's centre is near the nose, and hair above the forehead puts a well-placed head's box a
//!   little below the oval's centre, which this leaves room for.
//! - [`TOO_FAR_BELOW_PERMILLE`] = 500 and [`TOO_CLOSE_ABOVE_PERMILLE`] = 1100: the face box's
//!   width over the oval's. BlazeFace's box spans the face from cheek to cheek, about 0.85 of the
//!   head's width with the ears (the tests' drawn heads measure 0.82–0.89), so a head that fills
//!   the oval gives about 850. Under 500 the head fills less than 60 % of the oval's width, and
//!   in a 1280-pixel capture with the component's oval the face is then under 200 pixels wide,
//!   little for a reviewer to compare with a document's portrait; over 1100 the head is 30 %
//!   wider than the oval, and the chin or the hair leaves the frame.
//! - Several faces above [`MIN_SCORE`] are refused, whatever their size: a second person, or a
//!   card's portrait held up beside the face, is not what the photo is for.

mod anchors;
mod decode;
mod input;
mod network;
mod weights;

pub use input::Image;

use thiserror::Error;

use crate::frame::{Advice, Point, Rect};
use input::Square;
use network::{INPUT, Network};

/// The weights file's name, served in `face/` beside the component: versioned by its content, so
/// a cached copy never outlives a change. `cargo xtask face-assets` makes it and checks its digest.
pub const WEIGHTS_FILE: &str = "blazeface-short-range-87ffb2d968dd.bin";
/// The SHA-256 of the weights file, hex.
pub const WEIGHTS_SHA256: &str = "87ffb2d968ddaaa42c59e000fb1d7700400165acf317301aa11302e980a8442d";

pub const MIN_SCORE: f32 = 0.5;
pub const MIN_OVERLAP: f32 = 0.3;
pub const OFF_CENTRE_ABOVE_PERMILLE: u16 = 300;
pub const TOO_FAR_BELOW_PERMILLE: u16 = 500;
pub const TOO_CLOSE_ABOVE_PERMILLE: u16 = 1100;

/// The keypoints of a [`Face`], in this order. "Right" is the person's right: on the left of an
/// unmirrored picture.
pub const RIGHT_EYE: usize = 0;
pub const LEFT_EYE: usize = 1;
pub const NOSE_TIP: usize = 2;
pub const MOUTH: usize = 3;
pub const RIGHT_EAR: usize = 4;
pub const LEFT_EAR: usize = 5;

/// Why the detector or an image could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FaceError {
    #[error("this is not a face detector weights file")]
    NotWeights,
    #[error("the weights file has format version {found}; this build reads version 1")]
    WeightsVersion { found: u8 },
    #[error("the weights file is damaged: {0}")]
    WeightsCorrupt(String),
    #[error("the weights are not BlazeFace short range's: {0}")]
    WrongModel(String),
    #[error("a {width}×{height} image cannot be read from {got} bytes")]
    ImageSize {
        width: usize,
        height: usize,
        got: usize,
    },
}

/// A rectangle in frame pixels, with fractions.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FaceBox {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

impl FaceBox {
    pub fn centre(&self) -> Point {
        Point {
            x: self.x + self.width / 2.0,
            y: self.y + self.height / 2.0,
        }
    }
}

/// A face found in a frame, in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Face {
    pub bounds: FaceBox,
    /// How sure the detector is, 0 to 1.
    pub score: f32,
    /// [`RIGHT_EYE`], [`LEFT_EYE`], [`NOSE_TIP`], [`MOUTH`], [`RIGHT_EAR`], [`LEFT_EAR`]; empty
    /// (all zero) when the browser's detector gave none.
    pub keypoints: [Point; 6],
}

/// BlazeFace short range, ready to run. Holds about 3 MB of weights and working memory, so make
/// one per camera session (or per page) and reuse it for every frame.
pub struct Detector {
    network: Network,
    anchors: Vec<Point>,
    tensor: Vec<f32>,
}

impl Detector {
    /// Reads the weights file and checks it holds this network.
    pub fn new(weights: &[u8]) -> Result<Detector, FaceError> {
        Ok(Detector {
            network: Network::new(weights::parse(weights)?)?,
            anchors: anchors::centres(),
            tensor: vec![0.0; INPUT * INPUT * 3],
        })
    }

    /// The faces in `region` of `image` (the whole image when `None`), best first. The region is
    /// looked at as the square around it, averaged down to the model's 128×128 input, so a face
    /// needs to be at least about a sixth of the square's side to be found: give the region around
    /// the guide rather than a wide frame.
    pub fn detect(&mut self, image: &Image, region: Option<Rect>) -> Vec<Face> {
        let region = region.unwrap_or(Rect::new(0, 0, image.width() as u32, image.height() as u32));
        let square = Square::around(region);
        input::fill(image, square, &mut self.tensor);
        let output = self.network.run(&self.tensor);
        let found = decode::decode(&output.scores, &output.boxes, &self.anchors, MIN_SCORE);
        decode::suppress(found, MIN_OVERLAP)
            .into_iter()
            .map(|c| {
                let min = square.to_frame(c.min);
                let max = square.to_frame(c.max);
                Face {
                    bounds: FaceBox {
                        x: min.x,
                        y: min.y,
                        width: max.x - min.x,
                        height: max.y - min.y,
                    },
                    score: c.score,
                    keypoints: c.keypoints.map(|p| square.to_frame(p)),
                }
            })
            .collect()
    }
}

/// What is wrong with the faces in the oval. Declared in the order to fix them: a face wider
/// than the oval cannot be centred in it, so moving back comes before centring; a small face is
/// put in the oval first, then brought closer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FaceProblem {
    /// No face scored [`MIN_SCORE`].
    NoFace,
    /// More than one did.
    SeveralFaces,
    /// The face is wider than [`TOO_CLOSE_ABOVE_PERMILLE`] of the oval.
    TooClose,
    /// Its centre is further than [`OFF_CENTRE_ABOVE_PERMILLE`] from the oval's.
    OffCentre,
    /// It is narrower than [`TOO_FAR_BELOW_PERMILLE`] of the oval.
    TooFar,
}

impl FaceProblem {
    pub const fn advice(self) -> Advice {
        match self {
            FaceProblem::NoFace | FaceProblem::OffCentre => Advice::FitFace,
            FaceProblem::SeveralFaces => Advice::OnlyOneFace,
            FaceProblem::TooFar => Advice::MoveCloser,
            FaceProblem::TooClose => Advice::MoveBack,
        }
    }
}

/// The faces judged against the oval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceCheck {
    /// How many faces scored [`MIN_SCORE`].
    pub faces: usize,
    /// The best face, if any.
    pub face: Option<Face>,
    /// The face box's width over the oval's, in thousandths.
    pub size_permille: u16,
    /// How far the face box's centre is from the oval's, in thousandths of the oval's half-axes.
    pub offset_permille: u16,
    /// The first thing to fix; `None` when the face is fine.
    pub problem: Option<FaceProblem>,
}

impl FaceCheck {
    /// What to tell the member, or `None` when the face is fine: the value live guidance combines
    /// with the frame analysis' own advice.
    pub fn advice(&self) -> Option<Advice> {
        self.problem.map(FaceProblem::advice)
    }
}

/// Judges `faces` (from [`Detector::detect`] or the browser's detector) against the oval drawn
/// over the preview, given by its bounding rectangle in the same frame pixels.
pub fn check(faces: &[Face], oval: Rect) -> FaceCheck {
    let faces_found = faces.iter().filter(|f| f.score >= MIN_SCORE).count();
    let face = faces
        .iter()
        .filter(|f| f.score >= MIN_SCORE)
        .max_by(|a, b| a.score.total_cmp(&b.score))
        .copied();
    let Some(best) = face else {
        return FaceCheck {
            faces: 0,
            face: None,
            size_permille: 0,
            offset_permille: 0,
            problem: Some(FaceProblem::NoFace),
        };
    };
    let half_w = (oval.width as f32 / 2.0).max(1.0);
    let half_h = (oval.height as f32 / 2.0).max(1.0);
    let centre = best.bounds.centre();
    let dx = (centre.x - (oval.x as f32 + half_w)) / half_w;
    let dy = (centre.y - (oval.y as f32 + half_h)) / half_h;
    let offset_permille = permille((dx * dx + dy * dy).sqrt());
    let size_permille = permille(best.bounds.width / (2.0 * half_w));
    let problem = if faces_found > 1 {
        Some(FaceProblem::SeveralFaces)
    } else if size_permille > TOO_CLOSE_ABOVE_PERMILLE {
        Some(FaceProblem::TooClose)
    } else if offset_permille > OFF_CENTRE_ABOVE_PERMILLE {
        Some(FaceProblem::OffCentre)
    } else if size_permille < TOO_FAR_BELOW_PERMILLE {
        Some(FaceProblem::TooFar)
    } else {
        None
    };
    FaceCheck {
        faces: faces_found,
        face,
        size_permille,
        offset_permille,
        problem,
    }
}

fn permille(v: f32) -> u16 {
    if v.is_finite() {
        (v * 1000.0).round().clamp(0.0, 65535.0) as u16
    } else {
        u16::MAX
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face_at(x: i32, y: i32, side: i32, score: f32) -> Face {
        let (x, y, side) = (x as f32, y as f32, side as f32);
        Face {
            bounds: FaceBox {
                x: x - side / 2.0,
                y: y - side / 2.0,
                width: side,
                height: side,
            },
            score,
            keypoints: [Point::default(); 6],
        }
    }

    #[test]
    fn one_face_centred_and_sized_passes_and_each_fault_names_its_fix() {
        // An oval 200 wide and 260 tall, centred at (320, 180).
        let oval = Rect::new(220, 50, 200, 260);
        let good = check(&[face_at(322, 190, 140, 0.95)], oval);
        assert_eq!(good.problem, None);
        assert_eq!(good.advice(), None);
        assert_eq!((good.faces, good.size_permille), (1, 700));

        let cases = [
            (vec![], FaceProblem::NoFace, Advice::FitFace),
            // Under the score, a wall's best guess is no face.
            (
                vec![face_at(320, 180, 140, 0.3)],
                FaceProblem::NoFace,
                Advice::FitFace,
            ),
            (
                vec![face_at(320, 180, 140, 0.95), face_at(500, 150, 60, 0.6)],
                FaceProblem::SeveralFaces,
                Advice::OnlyOneFace,
            ),
            // 40 % of the half-width to the left.
            (
                vec![face_at(280, 180, 140, 0.9)],
                FaceProblem::OffCentre,
                Advice::FitFace,
            ),
            // 35 % of the half-height down.
            (
                vec![face_at(320, 226, 140, 0.9)],
                FaceProblem::OffCentre,
                Advice::FitFace,
            ),
            (
                vec![face_at(320, 180, 80, 0.9)],
                FaceProblem::TooFar,
                Advice::MoveCloser,
            ),
            (
                vec![face_at(320, 180, 230, 0.9)],
                FaceProblem::TooClose,
                Advice::MoveBack,
            ),
            // Too close comes first: a face wider than the oval cannot be centred in it.
            (
                vec![face_at(260, 180, 230, 0.9)],
                FaceProblem::TooClose,
                Advice::MoveBack,
            ),
            // A small face off to the side is put in the oval first.
            (
                vec![face_at(260, 180, 80, 0.9)],
                FaceProblem::OffCentre,
                Advice::FitFace,
            ),
        ];
        for (faces, problem, advice) in cases {
            let judged = check(&faces, oval);
            assert_eq!(judged.problem, Some(problem), "{faces:?}");
            assert_eq!(judged.advice(), Some(advice));
        }
    }

    #[test]
    fn the_limits_are_inclusive_of_good_faces() {
        let oval = Rect::new(0, 0, 200, 200);
        // Exactly 500 and 1100 thousandths wide, exactly 300 off: still fine.
        assert_eq!(check(&[face_at(100, 100, 100, 0.9)], oval).problem, None);
        assert_eq!(check(&[face_at(100, 100, 220, 0.9)], oval).problem, None);
        assert_eq!(check(&[face_at(130, 100, 140, 0.9)], oval).problem, None);
        assert_eq!(
            check(&[face_at(131, 100, 140, 0.9)], oval).problem,
            Some(FaceProblem::OffCentre)
        );
    }
}
