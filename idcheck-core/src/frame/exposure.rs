//! Exposure from one histogram of the guide: how dark its brightest part is, how much of it is
//! clipped white, and how far apart its dark and bright ends lie. The thresholds are in
//! [`super`]'s doc comment.

use super::image::{Bounds, Luma};

/// The guide's brightness, from one 256-bin histogram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Exposure {
    /// The mean luma.
    pub mean: u8,
    /// The 5th percentile: the dark end, ignoring specks.
    pub dark: u8,
    /// The 95th percentile: the bright end (a document's paper, usually), ignoring specks.
    pub bright: u8,
    /// Thousandths of the pixels at 250 or above: clipped, their detail lost.
    pub clipped_permille: u16,
}

impl Exposure {
    /// `bright - dark`: the spread the document's print has to live in.
    pub fn contrast(&self) -> u8 {
        self.bright.saturating_sub(self.dark)
    }
}

/// From every other pixel of every other row: a quarter of the reads, and still ~25 000 samples in
/// a guide at 640 px, far more than three percentiles need.
pub(crate) fn measure(img: &Luma, b: Bounds) -> Exposure {
    let mut hist = [0u32; 256];
    for y in (b.y0..b.y1).step_by(2) {
        for &v in img.row(y)[b.x0..b.x1].iter().step_by(2) {
            hist[usize::from(v)] += 1;
        }
    }
    let n: u64 = hist.iter().map(|&c| u64::from(c)).sum();
    if n == 0 {
        return Exposure::default();
    }
    let total: u64 = hist
        .iter()
        .enumerate()
        .map(|(v, &c)| v as u64 * u64::from(c))
        .sum();
    let percentile = |p: u64| -> u8 {
        // The smallest value with at least p% of the pixels at or below it.
        let target = (n * p).div_ceil(100).max(1);
        let mut seen = 0u64;
        for (v, &c) in hist.iter().enumerate() {
            seen += u64::from(c);
            if seen >= target {
                return v as u8;
            }
        }
        255
    };
    let clipped: u64 = hist[250..].iter().map(|&c| u64::from(c)).sum();
    Exposure {
        mean: (total / n) as u8,
        dark: percentile(5),
        bright: percentile(95),
        clipped_permille: (clipped * 1000 / n) as u16,
    }
}
