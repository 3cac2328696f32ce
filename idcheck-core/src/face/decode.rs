//! From the network's raw outputs to faces: MediaPipe's `TensorsToDetectionsCalculator` (a
//! sigmoid score, offsets from the anchor's centre in input pixels, keypoints likewise) and its
//! weighted non-maximum suppression (`NonMaxSuppressionCalculator`, `WEIGHTED`): overlapping boxes
//! of one face are averaged, weighted by their scores, instead of keeping the single best one,
//! which steadies the box from frame to frame.

use crate::frame::Point;

use super::network::COORDS;

/// Offsets and sizes are in input pixels: `x_scale` … `h_scale` of the model's graph.
const SCALE: f32 = 128.0;
/// The graph clips the logits to ±100 before the sigmoid (`score_clipping_thresh`).
const LOGIT_CLIP: f32 = 100.0;

/// One detection, in the input's unit square.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Candidate {
    pub score: f32,
    pub min: Point,
    pub max: Point,
    pub keypoints: [Point; 6],
}

impl Candidate {
    fn area(&self) -> f32 {
        (self.max.x - self.min.x).max(0.0) * (self.max.y - self.min.y).max(0.0)
    }

    /// Intersection over union.
    pub fn overlap(&self, other: &Candidate) -> f32 {
        let w = self.max.x.min(other.max.x) - self.min.x.max(other.min.x);
        let h = self.max.y.min(other.max.y) - self.min.y.max(other.min.y);
        if w <= 0.0 || h <= 0.0 {
            return 0.0;
        }
        let inter = w * h;
        let union = self.area() + other.area() - inter;
        if union > 0.0 { inter / union } else { 0.0 }
    }
}

pub(crate) fn sigmoid(logit: f32) -> f32 {
    1.0 / (1.0 + (-logit.clamp(-LOGIT_CLIP, LOGIT_CLIP)).exp())
}

/// Every anchor scoring at least `min_score`, decoded.
pub(crate) fn decode(
    scores: &[f32],
    boxes: &[f32],
    anchors: &[Point],
    min_score: f32,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (i, (&logit, anchor)) in scores.iter().zip(anchors).enumerate() {
        let score = sigmoid(logit);
        if score < min_score || score.is_nan() {
            continue;
        }
        let raw = &boxes[i * COORDS..(i + 1) * COORDS];
        let centre = Point {
            x: raw[0] / SCALE + anchor.x,
            y: raw[1] / SCALE + anchor.y,
        };
        let (half_w, half_h) = (raw[2] / SCALE / 2.0, raw[3] / SCALE / 2.0);
        out.push(Candidate {
            score,
            min: Point {
                x: centre.x - half_w,
                y: centre.y - half_h,
            },
            max: Point {
                x: centre.x + half_w,
                y: centre.y + half_h,
            },
            keypoints: std::array::from_fn(|k| Point {
                x: raw[4 + 2 * k] / SCALE + anchor.x,
                y: raw[5 + 2 * k] / SCALE + anchor.y,
            }),
        });
    }
    out
}

/// Weighted non-maximum suppression: the best remaining candidate and every one overlapping it by
/// more than `min_overlap` become one face, placed at their score-weighted mean, scored as the
/// best. Faces come out best first.
pub(crate) fn suppress(mut candidates: Vec<Candidate>, min_overlap: f32) -> Vec<Candidate> {
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut faces = Vec::new();
    while let Some(best) = candidates.first().copied() {
        let (cluster, rest): (Vec<Candidate>, Vec<Candidate>) = candidates
            .into_iter()
            .partition(|c| c.overlap(&best) > min_overlap);
        // `best` overlaps itself fully, so the cluster is never empty.
        let total: f32 = cluster.iter().map(|c| c.score).sum();
        let mean = |f: &dyn Fn(&Candidate) -> f32| {
            cluster.iter().map(|c| c.score * f(c)).sum::<f32>() / total
        };
        faces.push(Candidate {
            score: best.score,
            min: Point {
                x: mean(&|c| c.min.x),
                y: mean(&|c| c.min.y),
            },
            max: Point {
                x: mean(&|c| c.max.x),
                y: mean(&|c| c.max.y),
            },
            keypoints: std::array::from_fn(|k| Point {
                x: mean(&|c| c.keypoints[k].x),
                y: mean(&|c| c.keypoints[k].y),
            }),
        });
        candidates = rest;
    }
    faces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_offsets_from_the_anchor_in_input_pixels() {
        let anchors = [Point { x: 0.25, y: 0.5 }, Point { x: 0.75, y: 0.75 }];
        // Anchor 0 scores sigmoid(2) ≈ 0.88; anchor 1 sigmoid(-1) ≈ 0.27, under the threshold.
        let scores = [2.0, -1.0];
        let mut boxes = [0.0f32; 2 * COORDS];
        // Centre 12.8 px right of the anchor and 6.4 px up, 32 px wide, 64 px tall.
        boxes[..4].copy_from_slice(&[12.8, -6.4, 32.0, 64.0]);
        // The first keypoint 6.4 px left of the anchor.
        boxes[4] = -6.4;
        let found = decode(&scores, &boxes, &anchors, 0.5);
        assert_eq!(found.len(), 1);
        let face = found[0];
        assert!((face.score - 0.880_797).abs() < 1e-5);
        let near = |a: f32, b: f32| (a - b).abs() < 1e-6;
        assert!(near(face.min.x, 0.35 - 0.125) && near(face.max.x, 0.35 + 0.125));
        assert!(near(face.min.y, 0.45 - 0.25) && near(face.max.y, 0.45 + 0.25));
        assert!(near(face.keypoints[0].x, 0.2) && near(face.keypoints[0].y, 0.5));
        assert!(near(face.keypoints[5].x, 0.25));
        // Clipped logits and NaN do not panic or pass.
        assert!((sigmoid(1e9) - 1.0).abs() < 1e-6);
        assert!(decode(&[f32::NAN, -1.0], &boxes, &anchors, 0.5).is_empty());
    }

    fn square(x: f32, y: f32, side: f32, score: f32) -> Candidate {
        Candidate {
            score,
            min: Point { x, y },
            max: Point {
                x: x + side,
                y: y + side,
            },
            keypoints: [Point { x, y }; 6],
        }
    }

    #[test]
    fn overlapping_boxes_merge_weighted_by_score_and_apart_ones_stay() {
        let faces = suppress(
            vec![
                square(0.1, 0.1, 0.2, 0.6),
                square(0.12, 0.1, 0.2, 0.9),
                square(0.6, 0.6, 0.2, 0.7),
            ],
            0.3,
        );
        assert_eq!(faces.len(), 2);
        // Best first, scored as the best of its cluster, placed at the weighted mean.
        assert_eq!(faces[0].score, 0.9);
        let x = (0.1 * 0.6 + 0.12 * 0.9) / 1.5;
        assert!((faces[0].min.x - x).abs() < 1e-6);
        assert!((faces[0].keypoints[3].x - x).abs() < 1e-6);
        assert_eq!(faces[1], square(0.6, 0.6, 0.2, 0.7));
        assert!(suppress(Vec::new(), 0.3).is_empty());
    }

    #[test]
    fn overlap_is_intersection_over_union() {
        let a = square(0.0, 0.0, 0.2, 1.0);
        assert!((a.overlap(&a) - 1.0).abs() < 1e-6);
        // Half of each: intersection 0.02, union 0.06.
        assert!((a.overlap(&square(0.1, 0.0, 0.2, 1.0)) - 1.0 / 3.0).abs() < 1e-5);
        assert_eq!(a.overlap(&square(0.5, 0.5, 0.2, 1.0)), 0.0);
    }
}
