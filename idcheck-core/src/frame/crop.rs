//! What to cut out of the frame once the document is found: a rectangle around its corners with a
//! margin, turned upright when it is tilted a little, or simply the axis-aligned box of the corners
//! when it is tilted more (turning it then would only make a large rotation of a poor capture). The
//! component applies it to the full-resolution frame with [`Crop::scaled`].

use super::image::Rect;
use super::{MAX_TILT_DEG, Point, tilt_degrees};

/// A rotated rectangle of the frame: the crop is `width`×`height` pixels around `centre`, turned by
/// `angle_deg` (clockwise on screen, the document's own tilt). Drawing it upright is rotating the
/// frame by `-angle_deg` about `centre`; [`Crop::source`] gives the frame point of any crop pixel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crop {
    pub centre: Point,
    pub width: f32,
    pub height: f32,
    pub angle_deg: f32,
}

impl Crop {
    /// The crop of a document found at `corners` (top-left, top-right, bottom-right, bottom-left,
    /// in frame pixels), with `margin_permille` of its shorter side added on every side. Within
    /// [`MAX_TILT_DEG`] it is straightened; beyond, it is the corners' upright bounding box.
    pub fn around(corners: &[Point; 4], margin_permille: u16) -> Crop {
        let [tl, tr, br, bl] = *corners;
        let centre = Point {
            x: (tl.x + tr.x + br.x + bl.x) / 4.0,
            y: (tl.y + tr.y + br.y + bl.y) / 4.0,
        };
        let angle = tilt_degrees(corners);
        if angle.abs() <= MAX_TILT_DEG {
            let width = (distance(tl, tr) + distance(bl, br)) / 2.0;
            let height = (distance(tl, bl) + distance(tr, br)) / 2.0;
            let margin = width.min(height) * f32::from(margin_permille) / 1000.0;
            Crop {
                centre,
                width: width + 2.0 * margin,
                height: height + 2.0 * margin,
                angle_deg: angle,
            }
        } else {
            let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
            for p in corners {
                x0 = x0.min(p.x);
                y0 = y0.min(p.y);
                x1 = x1.max(p.x);
                y1 = y1.max(p.y);
            }
            let margin = (x1 - x0).min(y1 - y0) * f32::from(margin_permille) / 1000.0;
            Crop {
                centre: Point {
                    x: (x0 + x1) / 2.0,
                    y: (y0 + y1) / 2.0,
                },
                width: x1 - x0 + 2.0 * margin,
                height: y1 - y0 + 2.0 * margin,
                angle_deg: 0.0,
            }
        }
    }

    /// The guide itself, upright: the crop when no document was found (or for the face step).
    pub fn of_rect(rect: Rect) -> Crop {
        Crop {
            centre: Point {
                x: rect.x as f32 + rect.width as f32 / 2.0,
                y: rect.y as f32 + rect.height as f32 / 2.0,
            },
            width: rect.width as f32,
            height: rect.height as f32,
            angle_deg: 0.0,
        }
    }

    /// The same crop on a frame `factor` times larger (the capture, when the analysis ran on a
    /// smaller copy).
    pub fn scaled(self, factor: f32) -> Crop {
        Crop {
            centre: Point {
                x: self.centre.x * factor,
                y: self.centre.y * factor,
            },
            width: self.width * factor,
            height: self.height * factor,
            ..self
        }
    }

    /// The frame point that pixel (`u`, `v`) of the upright crop comes from (`0 ≤ u < width`).
    pub fn source(&self, u: f32, v: f32) -> Point {
        let (sin, cos) = sin_cos_deg(self.angle_deg);
        let (du, dv) = (u - self.width / 2.0, v - self.height / 2.0);
        Point {
            x: self.centre.x + du * cos - dv * sin,
            y: self.centre.y + du * sin + dv * cos,
        }
    }

    /// The upright box of frame pixels the crop reads, clipped to a `frame_width`×`frame_height`
    /// frame: what to copy out before turning it.
    pub fn bounds(&self, frame_width: u32, frame_height: u32) -> Rect {
        let (sin, cos) = sin_cos_deg(self.angle_deg);
        let half_w = (self.width * cos.abs() + self.height * sin.abs()) / 2.0;
        let half_h = (self.width * sin.abs() + self.height * cos.abs()) / 2.0;
        let clip = |v: f32, max: u32| (v.max(0.0) as u32).min(max);
        let x0 = clip((self.centre.x - half_w).floor(), frame_width);
        let y0 = clip((self.centre.y - half_h).floor(), frame_height);
        let x1 = clip((self.centre.x + half_w).ceil(), frame_width);
        let y1 = clip((self.centre.y + half_h).ceil(), frame_height);
        Rect {
            x: x0,
            y: y0,
            width: x1 - x0,
            height: y1 - y0,
        }
    }
}

fn distance(a: Point, b: Point) -> f32 {
    ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).sqrt()
}

/// Sine and cosine of a small angle without pulling libm into the wasm: from its tangent, by the
/// series `tan θ ≈ θ + θ³/3 + 2θ⁵/15` (error below 1e-6 up to 20°; only straightened tilts, at most
/// [`MAX_TILT_DEG`], reach here with a non-zero angle).
fn sin_cos_deg(deg: f32) -> (f32, f32) {
    let t = deg.to_radians();
    let tan = t + t * t * t / 3.0 + 2.0 * t * t * t * t * t / 15.0;
    let cos = 1.0 / (1.0 + tan * tan).sqrt();
    (tan * cos, cos)
}
