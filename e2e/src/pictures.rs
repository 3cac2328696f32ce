//! Pictures the tests generate: a synthetic ID card as a `.y4m` video for Chromium's fake camera,
//! the same card as a PNG file to upload, and reading a JPEG's size back from the stored bytes.

use std::path::{Path, PathBuf};

/// An RGB picture of a made-up identity card on a grey table.
pub struct Card {
    pub width: u32,
    pub height: u32,
    rgb: Vec<[u8; 3]>,
}

impl Card {
    pub fn new(width: u32, height: u32) -> Card {
        let mut rgb = vec![[96, 96, 96]; (width * height) as usize];
        let (card_w, card_h) = (width * 8 / 10, width * 8 / 10 * 54 / 86);
        let (left, top) = ((width - card_w) / 2, (height.saturating_sub(card_h)) / 2);
        for y in 0..height {
            for x in 0..width {
                let (cx, cy) = (x.wrapping_sub(left), y.wrapping_sub(top));
                if cx >= card_w || cy >= card_h {
                    continue;
                }
                let colour = if cy < card_h / 6 {
                    [20, 60, 160] // the header band
                } else if cx > card_w / 20
                    && cx < card_w * 3 / 10
                    && cy > card_h / 4
                    && cy < card_h * 17 / 20
                {
                    [60, 40, 30] // the holder's photo
                } else if cx > card_w * 4 / 10
                    && (cy / (card_h / 14)) % 2 == 1
                    && cy > card_h / 4
                    && cx < card_w * 19 / 20
                {
                    [25, 25, 25] // lines of print
                } else {
                    [245, 242, 235]
                };
                rgb[(y * width + x) as usize] = colour;
            }
        }
        Card { width, height, rgb }
    }

    /// Writes the card as a one-frame I420 `.y4m` (Chromium loops it), in limited-range BT.601 as
    /// Chromium reads it.
    pub fn write_y4m(&self, path: &Path) -> PathBuf {
        let (w, h) = (self.width as usize, self.height as usize);
        let mut out = format!("YUV4MPEG2 W{w} H{h} F15:1 Ip A1:1 C420\nFRAME\n").into_bytes();
        let yuv = |[r, g, b]: [u8; 3]| {
            let (r, g, b) = (f64::from(r), f64::from(g), f64::from(b));
            let y = 16.0 + 0.257 * r + 0.504 * g + 0.098 * b;
            let u = 128.0 - 0.148 * r - 0.291 * g + 0.439 * b;
            let v = 128.0 + 0.439 * r - 0.368 * g - 0.071 * b;
            (y.round() as u8, u.round() as u8, v.round() as u8)
        };
        out.extend(self.rgb.iter().map(|pixel| yuv(*pixel).0));
        for plane in [1, 2] {
            for y in (0..h).step_by(2) {
                for x in (0..w).step_by(2) {
                    let (_, u, v) = yuv(self.rgb[y * w + x]);
                    out.push(if plane == 1 { u } else { v });
                }
            }
        }
        std::fs::write(path, out).expect("the .y4m file is written");
        path.to_path_buf()
    }

    pub fn write_png(&self, path: &Path) -> PathBuf {
        let file = std::fs::File::create(path).expect("the PNG file is created");
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("a PNG header");
        let bytes: Vec<u8> = self.rgb.iter().flatten().copied().collect();
        writer.write_image_data(&bytes).expect("the PNG data");
        path.to_path_buf()
    }
}

/// The width and height a JPEG declares in its start-of-frame segment, or `None` if the bytes are
/// not a JPEG.
pub fn jpeg_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut at = 2;
    while at + 9 < bytes.len() {
        if bytes[at] != 0xFF {
            return None;
        }
        let marker = bytes[at + 1];
        let length = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        let start_of_frame = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if start_of_frame {
            let height = u16::from_be_bytes([bytes[at + 5], bytes[at + 6]]);
            let width = u16::from_be_bytes([bytes[at + 7], bytes[at + 8]]);
            return Some((u32::from(width), u32::from(height)));
        }
        at += 2 + length;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_y4m_frame_has_the_size_its_header_says() {
        let dir = std::env::temp_dir().join(format!("idcheck-y4m-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = Card::new(64, 48).write_y4m(&dir.join("card.y4m"));
        let bytes = std::fs::read(path).unwrap();
        let header = b"YUV4MPEG2 W64 H48 F15:1 Ip A1:1 C420\nFRAME\n";
        assert!(bytes.starts_with(header));
        assert_eq!(bytes.len(), header.len() + 64 * 48 * 3 / 2);
    }

    #[test]
    fn reads_a_jpeg_size_and_rejects_other_bytes() {
        // SOI, then a SOF0 segment declaring 480 rows of 640 columns.
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80, 0x03, 0, 0, 0, 0,
        ];
        assert_eq!(jpeg_size(&jpeg), Some((640, 480)));
        assert_eq!(jpeg_size(b"\x89PNG\r\n\x1a\n0000000000"), None);
    }
}
