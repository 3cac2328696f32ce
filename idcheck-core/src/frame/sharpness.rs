//! Sharpness as the variance of the 4-neighbour Laplacian, in integers. Focus blur and motion blur
//! both flatten the second derivative long before they change the mean or the histogram, so this
//! one number separates a readable document from a smeared one at a few additions per pixel.

use super::image::{Bounds, Luma};

/// The variance of `4·c − n − s − e − w` over every other row of `b` (the pixels whose four
/// neighbours lie in `b`): half the work, and tens of thousands of samples still.
pub(crate) fn laplacian_variance(img: &Luma, b: Bounds) -> u32 {
    if b.width() < 3 || b.height() < 3 {
        return 0;
    }
    let mut sum: i64 = 0;
    let mut squares: u64 = 0;
    let mut n: u64 = 0;
    for y in (b.y0 + 1..b.y1 - 1).step_by(2) {
        let up = &img.row(y - 1)[b.x0 + 1..b.x1 - 1];
        let down = &img.row(y + 1)[b.x0 + 1..b.x1 - 1];
        let row = &img.row(y)[b.x0..b.x1];
        let mut row_sum: i32 = 0;
        let mut row_squares: u64 = 0;
        for ((w, &u), &d) in row.windows(3).zip(up).zip(down) {
            // |l| ≤ 1020, so a row of 8192 sums to at most ~8.4e6 in i32, and its squares in u64.
            let l = 4 * i32::from(w[1])
                - i32::from(w[0])
                - i32::from(w[2])
                - i32::from(u)
                - i32::from(d);
            row_sum += l;
            row_squares += (l * l) as u64;
        }
        sum += i64::from(row_sum);
        squares += row_squares;
        n += up.len() as u64;
    }
    let mean_square = (sum * sum) as u64 / n;
    (squares.saturating_sub(mean_square) / n).min(u64::from(u32::MAX)) as u32
}
