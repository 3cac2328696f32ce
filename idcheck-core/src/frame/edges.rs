//! The document's edges, found cheaply near the guide's sides: sixteen scan lines cross each side,
//! each keeps its outermost strong transition of the document's polarity, and a robust line fit
//! (every pair of points tried as a line, then least squares on the best pair's inliers) ignores
//! the lines that caught print, a finger or the photo instead of the edge. About 15 000 pixel reads
//! a frame, instead of an edge map of the whole image.

use super::image::{Bounds, Luma};
use super::{Point, Side};

/// Scan lines per side, spread over the middle 70 % of the guide's side (its ends are where a
/// rounded or tilted corner would be).
const LINES: usize = 16;
/// Pixels averaged on each side of a candidate edge. A step gives 4× its contrast, a 2-pixel
/// stroke of print at most 2×, so the document's border outweighs its text.
const WINDOW: usize = 4;
/// Parallel samples averaged per scan position, against sensor noise.
const PARALLEL: i32 = 3;
/// A response is in these units per luma level of contrast.
const UNITS: i32 = WINDOW as i32 * PARALLEL;
/// The weakest edge kept, in luma levels (twice the noise of a 12-pixel mean at σ = 3 and then
/// some): a white card on a light grey desk still has 30–40.
const MIN_EDGE_LEVELS: i32 = 14;
/// A transition within this fraction of the line's strongest counts, and the outermost such wins:
/// the border rather than the photo's edge just inside it.
const OUTERMOST_SHARE_PERMILLE: i32 = 600;
/// How far inside each side to look (half the guide's depth, so a document anywhere in the guide
/// is seen, even one pushed against the far side) and outside it (30 %, for one overflowing it).
const DEPTH_IN_PERMILLE: usize = 500;
const DEPTH_OUT_PERMILLE: usize = 300;
/// A point within this distance of a line supports it: a straight edge fits to about a pixel,
/// and a card's slight bow or a blur of 4 pixels stays within 2.5.
const INLIER_PX: f32 = 2.5;
/// Fewer supporting lines than this is no edge: six aligned by chance out of random print or
/// desk grain is negligible (each lands within ±2.5 px of a given line with p ≈ 3 %).
const MIN_INLIERS: usize = 6;
/// Steeper than ~35° is not this side: the document would be on its corner.
const MAX_SLOPE: f32 = 0.7;
/// Probe distances beyond a corner, along the neighbouring edges, when checking that a side is the
/// document's end and not a feature inside it.
const PROBES: [f32; 3] = [6.0, 12.0, 18.0];

/// A fitted side: `across = a + b · along`, where `along` is x for the top and bottom, y for the
/// left and right.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SideLine {
    pub a: f32,
    pub b: f32,
    /// The median response of the supporting points, signed by the polarity.
    pub strength: i32,
}

impl SideLine {
    fn across_at(&self, along: f32) -> f32 {
        self.a + self.b * along
    }
}

/// What the scan found: each side's line if it is there (top, right, bottom, left).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Edges {
    pub sides: [Option<SideLine>; 4],
}

fn inward(side: Side) -> isize {
    match side {
        Side::Top | Side::Left => 1,
        Side::Bottom | Side::Right => -1,
    }
}

fn horizontal(side: Side) -> bool {
    matches!(side, Side::Top | Side::Bottom)
}

/// The sum of three pixels side by side along the edge, or `None` outside the image.
fn sample(img: &Luma, side: Side, along: isize, across: isize) -> Option<i32> {
    let (w, h) = (img.width() as isize, img.height() as isize);
    let mut sum = 0;
    for d in -1..=1 {
        let (x, y) = if horizontal(side) {
            (along + d, across)
        } else {
            (across, along + d)
        };
        if x < 0 || y < 0 || x >= w || y >= h {
            return None;
        }
        sum += i32::from(img.at(x as usize, y as usize));
    }
    Some(sum)
}

/// Inside minus outside across the edge at `across` (a boundary between pixels), or `None` when a
/// window leaves the image.
fn response_at(img: &Luma, side: Side, along: f32, across: f32) -> Option<i32> {
    let dir = inward(side);
    let along = along.round() as isize;
    let first_inside = (across + 0.5 * dir as f32).round() as isize;
    let mut r = 0;
    for k in 0..WINDOW as isize {
        r += sample(img, side, along, first_inside + dir * k)?;
        r -= sample(img, side, along, first_inside - dir * (k + 1))?;
    }
    Some(r)
}

/// One scan line's best edge of each polarity: (across position, response), brighter-inside
/// first.
type Hits = [Option<(f32, i32)>; 2];

/// The running sums of a scan line's samples (three pixels side by side, along the edge), from
/// `outer` inward: `prefix[t]` sums the first `t`. The caller keeps the line inside the image, so
/// the walk is a fixed step through the buffer.
fn profile(img: &Luma, side: Side, along: usize, outer: usize, len: usize, prefix: &mut Vec<i32>) {
    prefix.clear();
    prefix.push(0);
    let mut sum = 0i32;
    let mut add = |v: i32| {
        sum += v;
        prefix.push(sum);
    };
    if horizontal(side) {
        // Down (or up) a column: each step is a row, and the three samples sit side by side in it.
        for t in 0..len {
            let y = if inward(side) > 0 {
                outer + t
            } else {
                outer - t
            };
            let s = &img.row(y)[along - 1..along + 2];
            add(i32::from(s[0]) + i32::from(s[1]) + i32::from(s[2]));
        }
    } else {
        // Along three rows at once.
        let (lo, hi) = if inward(side) > 0 {
            (outer, outer + len)
        } else {
            (outer + 1 - len, outer + 1)
        };
        let (a, b, c) = (
            &img.row(along - 1)[lo..hi],
            &img.row(along)[lo..hi],
            &img.row(along + 1)[lo..hi],
        );
        let columns = a
            .iter()
            .zip(b)
            .zip(c)
            .map(|((&a, &b), &c)| i32::from(a) + i32::from(b) + i32::from(c));
        if inward(side) > 0 {
            columns.for_each(add);
        } else {
            columns.rev().for_each(add);
        }
    }
}

fn scan_line(prefix: &[i32], side: Side, outer: isize, responses: &mut Vec<i32>) -> Hits {
    let dir = inward(side);
    let len = prefix.len() - 1;
    let mut hits = [None, None];
    if len < 2 * WINDOW + 1 {
        return hits;
    }
    // responses[i] is the edge between pixels t − 1 and t, t = i + WINDOW.
    responses.clear();
    responses.extend(
        (WINDOW..=len - WINDOW).map(|t| prefix[t + WINDOW] - 2 * prefix[t] + prefix[t - WINDOW]),
    );
    for (polarity, hit) in hits.iter_mut().enumerate() {
        let sign = if polarity == 0 { 1 } else { -1 };
        let best = responses.iter().map(|&r| r * sign).max().unwrap_or(0);
        if best <= 0 {
            continue;
        }
        let floor = best * OUTERMOST_SHARE_PERMILLE / 1000;
        let Some(mut i) = responses.iter().position(|&r| r * sign >= floor) else {
            continue;
        };
        while i + 1 < responses.len() && responses[i + 1] * sign > responses[i] * sign {
            i += 1;
        }
        let peak = responses[i] * sign;
        // A parabola through the peak and its neighbours places the edge between pixels.
        let mut offset = 0.0;
        if i > 0 && i + 1 < responses.len() {
            let (l, r) = (responses[i - 1] * sign, responses[i + 1] * sign);
            let curvature = l - 2 * peak + r;
            if curvature < 0 {
                offset = (l - r) as f32 / (2 * curvature) as f32;
            }
        }
        let t = (i + WINDOW) as f32 + offset;
        *hit = Some((outer as f32 + dir as f32 * (t - 0.5), peak));
    }
    hits
}

/// Every pair of points tried as a line; the pair with most points within [`INLIER_PX`] (ties:
/// the smaller residuals) gives the inliers, refitted by least squares. Deterministic, and with
/// at most 16 points only 120 pairs.
fn fit(points: &[(f32, f32, i32)]) -> Option<SideLine> {
    let n = points.len();
    if n < MIN_INLIERS {
        return None;
    }
    let mut best: Option<(usize, f32, usize, usize)> = None;
    for i in 0..n {
        for j in i + 1..n {
            let (ai, ci, _) = points[i];
            let (aj, cj, _) = points[j];
            if (aj - ai).abs() < 1.0 {
                continue;
            }
            let b = (cj - ci) / (aj - ai);
            if b.abs() > MAX_SLOPE {
                continue;
            }
            let (mut count, mut residuals) = (0, 0.0);
            for &(ak, ck, _) in points {
                let r = (ck - (ci + b * (ak - ai))).abs();
                if r <= INLIER_PX {
                    count += 1;
                    residuals += r;
                }
            }
            if best.is_none_or(|(c, s, _, _)| count > c || (count == c && residuals < s)) {
                best = Some((count, residuals, i, j));
            }
        }
    }
    let (count, _, i, j) = best?;
    if count < MIN_INLIERS {
        return None;
    }
    let (ai, ci, _) = points[i];
    let (aj, cj, _) = points[j];
    let b0 = (cj - ci) / (aj - ai);
    let inliers: Vec<(f32, f32, i32)> = points
        .iter()
        .copied()
        .filter(|&(a, c, _)| (c - (ci + b0 * (a - ai))).abs() <= INLIER_PX)
        .collect();
    let m = inliers.len() as f32;
    let mean_a = inliers.iter().map(|p| p.0).sum::<f32>() / m;
    let mean_c = inliers.iter().map(|p| p.1).sum::<f32>() / m;
    let (mut sac, mut saa) = (0.0, 0.0);
    for &(a, c, _) in &inliers {
        sac += (a - mean_a) * (c - mean_c);
        saa += (a - mean_a) * (a - mean_a);
    }
    let b = if saa > 0.0 { sac / saa } else { b0 };
    if b.abs() > MAX_SLOPE {
        return None;
    }
    let mut strengths: Vec<i32> = inliers.iter().map(|p| p.2).collect();
    super::insertion_sort(&mut strengths);
    let strength = strengths[strengths.len() / 2];
    Some(SideLine {
        a: mean_c - b * mean_a,
        b,
        strength,
    })
}

/// Scans the four sides of the guide `g` and fits each one's edge.
pub(crate) fn find(img: &Luma, g: Bounds) -> Edges {
    let mut hits = [[[None; 2]; LINES]; 4];
    let mut alongs = [[0isize; LINES]; 4];
    let (mut prefix, mut responses) = (Vec::new(), Vec::new());
    for side in Side::ALL {
        let (along0, along_len, side_pos, depth, limit) = match side {
            Side::Top => (g.x0, g.width(), g.y0, g.height(), img.height()),
            Side::Bottom => (g.x0, g.width(), g.y1 - 1, g.height(), img.height()),
            Side::Left => (g.y0, g.height(), g.x0, g.width(), img.width()),
            Side::Right => (g.y0, g.height(), g.x1 - 1, g.width(), img.width()),
        };
        let dir = inward(side);
        let depth_in = (depth * DEPTH_IN_PERMILLE / 1000) as isize;
        let depth_out = (depth * DEPTH_OUT_PERMILLE / 1000) as isize;
        let clamp = |v: isize| v.clamp(0, limit as isize - 1);
        let outer = clamp(side_pos as isize - dir * depth_out);
        let inner = clamp(side_pos as isize + dir * depth_in);
        let len = (inner - outer).unsigned_abs() + 1;
        for line in 0..LINES {
            let along = along0 + along_len * (150 + 700 * line / (LINES - 1)) / 1000;
            alongs[side as usize][line] = along as isize;
            // `along` is at least 15 % into a guide of 24 px or more, so its neighbours exist.
            profile(img, side, along, outer as usize, len, &mut prefix);
            hits[side as usize][line] = scan_line(&prefix, side, outer, &mut responses);
        }
    }
    // The document is brighter than the desk or darker: the polarity whose strongest transitions
    // add up to more, over all sides, is the border's; print inside the card is the other way
    // round or weaker.
    let total = |p: usize| {
        hits.iter()
            .flatten()
            .filter_map(|h| h[p])
            .map(|(_, r)| i64::from(r))
            .sum::<i64>()
    };
    let polarity = if total(0) >= total(1) { 0 } else { 1 };
    let mut sides = [None; 4];
    for side in Side::ALL {
        let points: Vec<(f32, f32, i32)> = hits[side as usize]
            .iter()
            .zip(alongs[side as usize])
            .filter_map(|(h, along)| h[polarity].map(|(across, r)| (along as f32, across, r)))
            .filter(|&(_, _, r)| r >= MIN_EDGE_LEVELS * UNITS)
            .collect();
        sides[side as usize] = fit(&points).map(|mut line| {
            if polarity == 1 {
                line.strength = -line.strength;
            }
            line
        });
    }
    let mut edges = Edges { sides };
    drop_inner_features(img, &mut edges);
    edges
}

/// Where a horizontal side (`y = a + b·x`) meets a vertical one (`x = a + b·y`).
pub(crate) fn intersect(h: &SideLine, v: &SideLine) -> Point {
    let x = (v.a + v.b * h.a) / (1.0 - v.b * h.b);
    Point {
        x,
        y: h.a + h.b * x,
    }
}

fn neighbours(side: Side) -> [Side; 2] {
    if horizontal(side) {
        [Side::Left, Side::Right]
    } else {
        [Side::Top, Side::Bottom]
    }
}

/// A side found inside the document (the photo's edge, a fold, a band of colour) has the
/// neighbouring edges carrying on past it; the document's true end has desk there. Such a side is
/// dropped, so a card whose left part is out of the frame reads as cut off on the left rather than
/// as a narrow card.
fn drop_inner_features(img: &Luma, edges: &mut Edges) {
    let original = edges.sides;
    for side in Side::ALL {
        let Some(line) = original[side as usize] else {
            continue;
        };
        let mut continued_at_both = true;
        for neighbour in neighbours(side) {
            let Some(other) = original[neighbour as usize] else {
                continued_at_both = false;
                break;
            };
            let corner = if horizontal(side) {
                intersect(&line, &other)
            } else {
                intersect(&other, &line)
            };
            let along_corner = if horizontal(neighbour) {
                corner.x
            } else {
                corner.y
            };
            let outward = -(inward(side) as f32);
            let (mut measured, mut continued) = (0, 0);
            for distance in PROBES {
                let along = along_corner + outward * distance;
                if let Some(r) = response_at(img, neighbour, along, other.across_at(along)) {
                    measured += 1;
                    // Same sign as the neighbour's edge and at least half as strong.
                    if r.signum() == other.strength.signum() && 2 * r.abs() >= other.strength.abs()
                    {
                        continued += 1;
                    }
                }
            }
            if measured == 0 || 2 * continued <= measured {
                continued_at_both = false;
                break;
            }
        }
        if continued_at_both {
            edges.sides[side as usize] = None;
        }
    }
}
