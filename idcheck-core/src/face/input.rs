//! The model's input: a square of the frame (the region around the face guide, or the whole frame
//! with black bands, as MediaPipe letterboxes it), averaged down to 128×128 and mapped to
//! `[-1, 1]` as the model was trained. Averaging every source pixel (rather than sampling a few)
//! keeps a 640-pixel frame's fine detail from aliasing into the small input.

use crate::frame::{Point, Rect};

use super::FaceError;
use super::network::INPUT;

/// The frame the faces are looked for in: 8-bit RGBA (a canvas' `ImageData`) or luma, rows
/// packed.
#[derive(Debug, Clone, Copy)]
pub struct Image<'a> {
    data: &'a [u8],
    width: usize,
    height: usize,
    channels: usize,
}

impl<'a> Image<'a> {
    /// Four bytes a pixel, red, green, blue, alpha (ignored).
    pub fn rgba(data: &'a [u8], width: usize, height: usize) -> Result<Image<'a>, FaceError> {
        Image::new(data, width, height, 4)
    }

    /// One byte a pixel; the model then sees a grey picture (it still finds faces, a little less
    /// surely than in colour).
    pub fn luma(data: &'a [u8], width: usize, height: usize) -> Result<Image<'a>, FaceError> {
        Image::new(data, width, height, 1)
    }

    fn new(
        data: &'a [u8],
        width: usize,
        height: usize,
        channels: usize,
    ) -> Result<Self, FaceError> {
        let needed = width
            .checked_mul(height)
            .and_then(|n| n.checked_mul(channels))
            .filter(|_| width > 0 && height > 0 && width <= 8192 && height <= 8192);
        match needed {
            Some(needed) if data.len() >= needed => Ok(Image {
                data,
                width,
                height,
                channels,
            }),
            _ => Err(FaceError::ImageSize {
                width,
                height,
                got: data.len(),
            }),
        }
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn height(&self) -> usize {
        self.height
    }
}

/// Where the input's unit square lies in the frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Square {
    pub x: f32,
    pub y: f32,
    pub side: f32,
}

impl Square {
    /// The square centred on `region` whose side is the region's longer one.
    pub fn around(region: Rect) -> Square {
        let side = region.width.max(region.height).max(1) as f32;
        Square {
            x: region.x as f32 + region.width as f32 / 2.0 - side / 2.0,
            y: region.y as f32 + region.height as f32 / 2.0 - side / 2.0,
            side,
        }
    }

    /// A point of the input's unit square in frame pixels.
    pub fn to_frame(self, p: Point) -> Point {
        Point {
            x: self.x + p.x * self.side,
            y: self.y + p.y * self.side,
        }
    }
}

/// The source pixels averaged into each input pixel along one axis, as half-open ranges (possibly
/// outside the frame, which counts as black), at least one pixel each.
fn spans(start: f32, side: f32) -> [(isize, isize); INPUT] {
    let step = side / INPUT as f32;
    std::array::from_fn(|i| {
        let a = (start + i as f32 * step).round() as isize;
        let b = (start + (i + 1) as f32 * step).round() as isize;
        if b > a {
            (a, b)
        } else {
            // Upscaling: the pixel under the input pixel's centre.
            let nearest = (start + (i as f32 + 0.5) * step).floor() as isize;
            (nearest, nearest + 1)
        }
    })
}

/// Fills `tensor` (`128×128×3`, `[y][x][rgb]`) with `square` of `image`.
pub(crate) fn fill(image: &Image, square: Square, tensor: &mut [f32]) {
    debug_assert_eq!(tensor.len(), INPUT * INPUT * 3);
    let columns = spans(square.x, square.side);
    let rows = spans(square.y, square.side);
    let clip = |(a, b): (isize, isize), max: usize| {
        (
            a.clamp(0, max as isize) as usize,
            b.clamp(0, max as isize) as usize,
        )
    };
    let mut sums = [[0u32; 3]; INPUT];
    for (v, &row_span) in rows.iter().enumerate() {
        sums.fill([0; 3]);
        let (y0, y1) = clip(row_span, image.height);
        for y in y0..y1 {
            let row = &image.data
                [y * image.width * image.channels..(y + 1) * image.width * image.channels];
            for (sum, &column_span) in sums.iter_mut().zip(&columns) {
                let (x0, x1) = clip(column_span, image.width);
                if image.channels == 4 {
                    for px in row[x0 * 4..x1 * 4].chunks_exact(4) {
                        sum[0] += u32::from(px[0]);
                        sum[1] += u32::from(px[1]);
                        sum[2] += u32::from(px[2]);
                    }
                } else {
                    let grey: u32 = row[x0..x1].iter().map(|&v| u32::from(v)).sum();
                    *sum = [sum[0] + grey, sum[1] + grey, sum[2] + grey];
                }
            }
        }
        let rows_spanned = (row_span.1 - row_span.0) as f32;
        for (u, (sum, &(a, b))) in sums.iter().zip(&columns).enumerate() {
            let count = rows_spanned * (b - a) as f32;
            let at = (v * INPUT + u) * 3;
            for c in 0..3 {
                tensor[at + c] = sum[c] as f32 / count / 127.5 - 1.0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_checked_for_size() {
        assert!(Image::rgba(&[0; 16], 2, 2).is_ok());
        assert_eq!(
            Image::rgba(&[0; 15], 2, 2).unwrap_err(),
            FaceError::ImageSize {
                width: 2,
                height: 2,
                got: 15
            }
        );
        assert!(Image::luma(&[], 0, 0).is_err());
        assert!(Image::luma(&[0; 4], usize::MAX, 2).is_err());
    }

    #[test]
    fn a_wide_frame_is_letterboxed_with_black() {
        // 256×128 white: the square is 256 a side, so the input's top and bottom quarters are
        // outside the frame.
        let data = vec![255u8; 256 * 128 * 4];
        let image = Image::rgba(&data, 256, 128).unwrap();
        let square = Square::around(Rect::new(0, 0, 256, 128));
        assert_eq!(
            square,
            Square {
                x: 0.0,
                y: -64.0,
                side: 256.0
            }
        );
        let mut tensor = vec![0.0; INPUT * INPUT * 3];
        fill(&image, square, &mut tensor);
        let at = |x: usize, y: usize| tensor[(y * INPUT + x) * 3];
        assert_eq!(at(0, 0), -1.0);
        assert_eq!(at(64, 31), -1.0);
        assert_eq!(at(64, 32), 1.0);
        assert_eq!(at(127, 95), 1.0);
        assert_eq!(at(127, 96), -1.0);
        // And back: the input's centre is the frame's.
        assert_eq!(
            square.to_frame(Point { x: 0.5, y: 0.5 }),
            Point { x: 128.0, y: 64.0 }
        );
    }

    #[test]
    fn each_input_pixel_averages_its_source_block() {
        // 256×256 luma, a vertical stripe pattern of period 2: every 2×2 block averages to 127.5.
        let data: Vec<u8> = (0..256 * 256)
            .map(|i| if i % 2 == 0 { 0 } else { 255 })
            .collect();
        let image = Image::luma(&data, 256, 256).unwrap();
        let mut tensor = vec![9.0; INPUT * INPUT * 3];
        fill(
            &image,
            Square::around(Rect::new(0, 0, 256, 256)),
            &mut tensor,
        );
        assert!(tensor.iter().all(|&v| v.abs() < 1e-6));
        // Colour channels stay apart.
        let rgba: Vec<u8> = (0..64 * 64).flat_map(|_| [255, 0, 51, 255]).collect();
        let image = Image::rgba(&rgba, 64, 64).unwrap();
        fill(&image, Square::around(Rect::new(0, 0, 64, 64)), &mut tensor);
        assert_eq!(&tensor[..3], &[1.0, -1.0, -0.6]);
    }
}
