//! Steadiness between frames: each frame leaves a 32×18 thumbnail of block means, and the next
//! frame is compared with it. A hand that moves shifts every edge in the picture, and the block
//! means along those edges change; sensor noise averages out over a block. The threshold is in
//! [`super`]'s doc comment.

use super::image::Luma;

/// Columns of a [`Thumbnail`].
pub const THUMB_WIDTH: usize = 32;
/// Rows of a [`Thumbnail`].
pub const THUMB_HEIGHT: usize = 18;
const CELLS: usize = THUMB_WIDTH * THUMB_HEIGHT;

/// A frame's block means, in sixteenths of a luma level (so sub-level changes still count).
/// Keep the one of the last analysed frame and hand it to the next analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumbnail {
    cells: [u16; CELLS],
}

impl Thumbnail {
    /// Block means over a 32×18 grid of the whole frame, from every other row: half the reads,
    /// and still hundreds of samples a block.
    pub fn of(frame: &Luma) -> Thumbnail {
        let (w, h) = (frame.width(), frame.height());
        let mut sums = [0u32; CELLS];
        let mut counts = [0u32; THUMB_HEIGHT];
        for y in (0..h).step_by(2) {
            let cy = y * THUMB_HEIGHT / h;
            counts[cy] += 1;
            let row = frame.row(y);
            for (cx, sum) in sums[cy * THUMB_WIDTH..(cy + 1) * THUMB_WIDTH]
                .iter_mut()
                .enumerate()
            {
                let (x0, x1) = (cx * w / THUMB_WIDTH, (cx + 1) * w / THUMB_WIDTH);
                *sum += row[x0..x1].iter().map(|&v| u32::from(v)).sum::<u32>();
            }
        }
        let mut cells = [0u16; CELLS];
        for (i, cell) in cells.iter_mut().enumerate() {
            let (cx, cy) = (i % THUMB_WIDTH, i / THUMB_WIDTH);
            let n = counts[cy] * ((cx + 1) * w / THUMB_WIDTH - cx * w / THUMB_WIDTH) as u32;
            *cell = (u64::from(sums[i]) * 16 / u64::from(n.max(1))) as u16;
        }
        Thumbnail { cells }
    }

    /// The mean absolute difference of the blocks, in sixteenths of a level, once the mean change
    /// of the whole picture is taken out: auto-exposure settling brightens every block alike
    /// without moving the document.
    pub fn difference(&self, other: &Thumbnail) -> u32 {
        let total = |t: &Thumbnail| t.cells.iter().map(|&c| i64::from(c)).sum::<i64>();
        let shift = (total(self) - total(other)) / CELLS as i64;
        let sum: i64 = self
            .cells
            .iter()
            .zip(&other.cells)
            .map(|(&a, &b)| (i64::from(a) - i64::from(b) - shift).abs())
            .sum();
        (sum / CELLS as i64) as u32
    }
}
