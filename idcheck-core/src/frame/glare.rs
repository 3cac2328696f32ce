//! Glare: tiles of the document that are near-white, flat (their print washed out) and clearly
//! brighter than the document's paper. The last condition is what keeps a white page from being
//! glare: its blank tiles are bright and flat too, but no brighter than the paper between its
//! print. The paper's level is the median of the tiles' brightest pixels: almost every tile, print
//! or not, has some paper in it, and a glare spot covers only a few.

use super::image::{Bounds, Luma};
use super::{GLARE_ABOVE_PAPER, GLARE_FLAT_RANGE, GLARE_MIN_MEAN};

/// The side of a tile, in analysed pixels: about 2.7 mm of an ID-1 card filling the guide.
pub(crate) const TILE: usize = 16;

/// How many of the region's whole tiles are glare, and how many tiles it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Glare {
    pub tiles: u16,
    pub of: u16,
}

pub(crate) fn measure(img: &Luma, b: Bounds) -> Glare {
    let (cols, rows) = (b.width() / TILE, b.height() / TILE);
    if cols == 0 || rows == 0 {
        return Glare::default();
    }
    // (mean, min, max) per tile; a guide at 640 px holds at most a few hundred tiles.
    let mut tiles: Vec<(u8, u8, u8)> = Vec::with_capacity(cols * rows);
    for ty in 0..rows {
        for tx in 0..cols {
            let (x0, y0) = (b.x0 + tx * TILE, b.y0 + ty * TILE);
            // Every other pixel of every other row: 64 samples, plenty to see print or its absence.
            let (mut sum, mut lo, mut hi) = (0u32, 255u8, 0u8);
            for y in (y0..y0 + TILE).step_by(2) {
                for &v in img.row(y)[x0..x0 + TILE].iter().step_by(2) {
                    sum += u32::from(v);
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
            tiles.push(((sum / (TILE * TILE / 4) as u32) as u8, lo, hi));
        }
    }
    // The median from a histogram: no sorting code in the wasm for one number.
    let mut counts = [0u16; 256];
    for t in &tiles {
        counts[usize::from(t.2)] += 1;
    }
    let (mut seen, mut paper) = (0, 255u8);
    for (value, &count) in counts.iter().enumerate() {
        seen += usize::from(count);
        if 2 * seen > tiles.len() {
            paper = value as u8;
            break;
        }
    }
    let glare = tiles
        .iter()
        .filter(|&&(mean, lo, hi)| {
            mean >= GLARE_MIN_MEAN
                && hi - lo <= GLARE_FLAT_RANGE
                && u16::from(mean) >= u16::from(paper) + u16::from(GLARE_ABOVE_PAPER)
        })
        .count();
    Glare {
        tiles: glare.min(usize::from(u16::MAX)) as u16,
        of: tiles.len().min(usize::from(u16::MAX)) as u16,
    }
}
