//! The frame as the analysis sees it: a borrowed luma buffer checked once at the boundary, so the
//! measurements below index it without re-checking, and the integer downscale that brings any
//! camera frame to the ~640-pixel scale at which every threshold of [`super`] is stated.

use thiserror::Error;

/// The smallest frame analysed: below 64×48 a card's edge is a handful of pixels and the
/// measurements would be noise.
pub const MIN_WIDTH: usize = 64;
/// See [`MIN_WIDTH`].
pub const MIN_HEIGHT: usize = 48;
/// The largest side accepted. Far above any camera frame, it keeps every product of coordinates
/// and pixel sums inside 64-bit integers (and indices inside 32 bits on wasm).
pub const MAX_SIDE: usize = 8192;
/// The width the thresholds are stated at. Wider frames are averaged down by an integer factor
/// first, so a 1280×720 camera frame and the component's 640×360 one give the same verdicts.
pub const ANALYSIS_WIDTH: usize = 640;

/// Why a frame or a guide cannot be analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum FrameError {
    /// The frame is smaller than [`MIN_WIDTH`]×[`MIN_HEIGHT`] (or has a zero side).
    #[error("the frame is {width}×{height}; at least 64×48 is needed")]
    TooSmall { width: usize, height: usize },
    /// A side is longer than [`MAX_SIDE`].
    #[error("the frame is {width}×{height}; at most 8192 pixels a side are accepted")]
    TooLarge { width: usize, height: usize },
    /// The row stride is shorter than a row.
    #[error("the row stride {stride} is shorter than the width {width}")]
    StrideTooShort { stride: usize, width: usize },
    /// The buffer ends before the last row does.
    #[error("the buffer holds {got} bytes; the frame needs {needed}")]
    BufferTooShort { needed: usize, got: usize },
    /// The guide, once clipped to the frame (and scaled to the analysed size), is smaller than
    /// 32×24 pixels: nothing could be measured in it.
    #[error("the guide rectangle lies (almost) outside the frame")]
    GuideTooSmall,
}

/// A rectangle in frame pixels: the guide drawn over the preview, or a crop's bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl Rect {
    pub const fn new(x: u32, y: u32, width: u32, height: u32) -> Rect {
        Rect {
            x,
            y,
            width,
            height,
        }
    }
}

/// A borrowed 8-bit luma frame (row-major, `stride` bytes from one row to the next).
#[derive(Debug, Clone, Copy)]
pub struct Luma<'a> {
    data: &'a [u8],
    width: usize,
    height: usize,
    stride: usize,
}

impl<'a> Luma<'a> {
    /// Checks the sizes once; every later access stays inside the buffer.
    pub fn new(
        data: &'a [u8],
        width: usize,
        height: usize,
        stride: usize,
    ) -> Result<Self, FrameError> {
        if width < MIN_WIDTH || height < MIN_HEIGHT {
            return Err(FrameError::TooSmall { width, height });
        }
        if width > MAX_SIDE || height > MAX_SIDE {
            return Err(FrameError::TooLarge { width, height });
        }
        if stride < width {
            return Err(FrameError::StrideTooShort { stride, width });
        }
        // Cannot overflow: stride is not bounded, so check it.
        let needed = stride
            .checked_mul(height - 1)
            .and_then(|n| n.checked_add(width))
            .ok_or(FrameError::BufferTooShort {
                needed: usize::MAX,
                got: data.len(),
            })?;
        if data.len() < needed {
            return Err(FrameError::BufferTooShort {
                needed,
                got: data.len(),
            });
        }
        Ok(Luma {
            data,
            width,
            height,
            stride,
        })
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn height(&self) -> usize {
        self.height
    }

    #[inline]
    pub(crate) fn row(&self, y: usize) -> &'a [u8] {
        let start = y * self.stride;
        &self.data[start..start + self.width]
    }

    #[inline]
    pub(crate) fn at(&self, x: usize, y: usize) -> u8 {
        self.data[y * self.stride + x]
    }
}

/// The integer factor that brings `width` near [`ANALYSIS_WIDTH`] without going under the minimum
/// size: 1 up to 959 pixels, 2 for 960–1599 (a 1280×720 camera frame), 3 for 1600–2239…
pub(crate) fn downscale_factor(width: usize, height: usize) -> usize {
    let wanted = (width + ANALYSIS_WIDTH / 2) / ANALYSIS_WIDTH;
    wanted
        .min(width / MIN_WIDTH)
        .min(height / MIN_HEIGHT)
        .max(1)
}

/// Averages `factor`×`factor` blocks (the remainder rows and columns are dropped).
pub(crate) fn downscale(src: &Luma, factor: usize) -> (Vec<u8>, usize, usize) {
    let (w, h) = (src.width / factor, src.height / factor);
    let mut out = vec![0u8; w * h];
    let mut sums = vec![0u32; w];
    let area = (factor * factor) as u32;
    for y in 0..h {
        sums.iter_mut().for_each(|s| *s = 0);
        for sy in y * factor..(y + 1) * factor {
            let row = &src.row(sy)[..w * factor];
            for (sum, block) in sums.iter_mut().zip(row.chunks_exact(factor)) {
                *sum += block.iter().map(|&v| u32::from(v)).sum::<u32>();
            }
        }
        for (o, s) in out[y * w..(y + 1) * w].iter_mut().zip(&sums) {
            *o = ((s + area / 2) / area) as u8;
        }
    }
    (out, w, h)
}

/// A rectangle of the analysed image as half-open pixel ranges, already clipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bounds {
    pub x0: usize,
    pub y0: usize,
    pub x1: usize,
    pub y1: usize,
}

impl Bounds {
    pub fn width(&self) -> usize {
        self.x1 - self.x0
    }

    pub fn height(&self) -> usize {
        self.y1 - self.y0
    }

    /// Shrinks by `permille` of the width and height on every side, keeping at least 8×8.
    pub fn inset(&self, permille: usize) -> Bounds {
        let dx = (self.width() * permille / 1000).min(self.width().saturating_sub(8) / 2);
        let dy = (self.height() * permille / 1000).min(self.height().saturating_sub(8) / 2);
        Bounds {
            x0: self.x0 + dx,
            y0: self.y0 + dy,
            x1: self.x1 - dx,
            y1: self.y1 - dy,
        }
    }
}

/// Turns RGBA pixels (a canvas's `ImageData`) into luma, with the BT.601 weights in 256ths
/// (`(77 R + 150 G + 29 B) / 256`, within half a level of `0.299 R + 0.587 G + 0.114 B`), into
/// `out`, which is resized to one byte a pixel and can be kept from frame to frame.
pub fn rgba_to_luma(rgba: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.extend(rgba.chunks_exact(4).map(|px| {
        ((77 * u32::from(px[0]) + 150 * u32::from(px[1]) + 29 * u32::from(px[2]) + 128) >> 8) as u8
    }));
}
