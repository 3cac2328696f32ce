//! The 896 anchors the model's boxes are relative to, as MediaPipe's `SsdAnchorsCalculator` makes
//! them for this model (`face_detection_short_range.pbtxt`: four layers of strides 8, 16, 16 and
//! 16 over the 128-pixel input, one aspect ratio plus the interpolated one, fixed anchor size).
//! Layers of the same stride share one grid, so there are two grids: 16×16 cells with two anchors
//! each (512), then 8×8 cells with six (384). With a fixed size, an anchor is only its centre; the
//! model's offsets and sizes are in input pixels (scale 128).

use crate::frame::Point;

use super::network::ANCHORS;

/// Each grid: its cells a side and the anchors of a cell.
const GRIDS: [(usize, usize); 2] = [(16, 2), (8, 6)];

/// The anchors' centres in the input's unit square, in the order of the model's outputs (grid by
/// grid, row by row, cell by cell, anchor by anchor).
pub(crate) fn centres() -> Vec<Point> {
    let mut out = Vec::with_capacity(ANCHORS);
    for (cells, per_cell) in GRIDS {
        for y in 0..cells {
            for x in 0..cells {
                let centre = Point {
                    x: (x as f32 + 0.5) / cells as f32,
                    y: (y as f32 + 0.5) / cells as f32,
                };
                out.extend(std::iter::repeat_n(centre, per_cell));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_cover_both_grids_in_output_order() {
        let anchors = centres();
        assert_eq!(anchors.len(), 896);
        // The first cell of the 16×16 grid, twice.
        assert_eq!(
            anchors[0],
            Point {
                x: 0.5 / 16.0,
                y: 0.5 / 16.0
            }
        );
        assert_eq!(anchors[1], anchors[0]);
        // Row 0, cell 1.
        assert_eq!(
            anchors[2],
            Point {
                x: 1.5 / 16.0,
                y: 0.5 / 16.0
            }
        );
        // The last cell of the 16×16 grid, then the first of the 8×8 six times.
        assert_eq!(
            anchors[511],
            Point {
                x: 15.5 / 16.0,
                y: 15.5 / 16.0
            }
        );
        assert!(anchors[512..518].iter().all(|&p| p
            == Point {
                x: 0.5 / 8.0,
                y: 0.5 / 8.0
            }));
        assert_eq!(
            anchors[518],
            Point {
                x: 1.5 / 8.0,
                y: 0.5 / 8.0
            }
        );
        assert_eq!(
            anchors[895],
            Point {
                x: 7.5 / 8.0,
                y: 7.5 / 8.0
            }
        );
    }
}
