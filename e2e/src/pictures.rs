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

/// xorshift64*: the scenes below are the same at every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `-amplitude..=amplitude`.
    fn noise(&mut self, amplitude: i32) -> i32 {
        (self.next() % (2 * amplitude as u64 + 1)) as i32 - amplitude
    }
}

fn hash(values: &[i64]) -> u64 {
    let mut h = 0x9E37_79B9_7F4A_7C15u64;
    for &v in values {
        h = (h ^ v as u64).wrapping_mul(0x100_0000_01B3).rotate_left(29);
    }
    h ^ (h >> 31)
}

impl Card {
    /// A photograph as a camera would take it: a light ID-1 card `card_width` pixels wide with a
    /// blue band, a photo and rows of text-like print (characters of 4-pixel strokes), its corners
    /// rounded, centred at (`cx`, `cy`) on a darker wooden desk of blotches and grain, with ±3
    /// levels of sensor noise. Parts of the card beyond the picture are simply not in it.
    pub fn on_desk(width: u32, height: u32, card_width: f32, cx: f32, cy: f32) -> Card {
        let card_height = card_width * 53.98 / 85.6;
        let radius = card_width * 3.18 / 85.6;
        let mut rng = Rng(0x1D_C4EC);
        let mut rgb = Vec::with_capacity((width * height) as usize);
        for y in 0..height {
            for x in 0..width {
                let (u, v) = (
                    x as f32 + 0.5 - (cx - card_width / 2.0),
                    y as f32 + 0.5 - (cy - card_height / 2.0),
                );
                let base = card_pixel(u, v, card_width, card_height, radius)
                    .unwrap_or_else(|| desk_pixel(x, y));
                let grain = rng.noise(3) as f32;
                rgb.push(base.map(|c| (c + grain).round().clamp(0.0, 255.0) as u8));
            }
        }
        Card { width, height, rgb }
    }

    /// The same picture out of focus: a box blur of radius `r` pixels, twice (nearly Gaussian).
    pub fn blurred(mut self, r: usize) -> Card {
        let (w, h) = (self.width as usize, self.height as usize);
        for _ in 0..2 {
            for channel in 0..3 {
                let mut plane: Vec<f32> =
                    self.rgb.iter().map(|px| f32::from(px[channel])).collect();
                box_blur(&mut plane, w, h, r);
                for (px, value) in self.rgb.iter_mut().zip(plane) {
                    px[channel] = value.round().clamp(0.0, 255.0) as u8;
                }
            }
        }
        self
    }

    /// The same picture with `factor` of the light: a dim room.
    pub fn darkened(mut self, factor: f32) -> Card {
        for px in &mut self.rgb {
            *px = px.map(|c| (f32::from(c) * factor).round() as u8);
        }
        self
    }

    /// The picture's luma (BT.601), as the component computes it from a canvas.
    pub fn luma(&self) -> Vec<u8> {
        self.rgb
            .iter()
            .map(|[r, g, b]| {
                ((77 * u32::from(*r) + 150 * u32::from(*g) + 29 * u32::from(*b) + 128) >> 8) as u8
            })
            .collect()
    }
}

/// The card's colour at (`u`, `v`) in its own pixels, or `None` outside it.
fn card_pixel(u: f32, v: f32, w: f32, h: f32, radius: f32) -> Option<[f32; 3]> {
    if u < 0.0 || v < 0.0 || u >= w || v >= h {
        return None;
    }
    let (cu, cv) = (u.clamp(radius, w - radius), v.clamp(radius, h - radius));
    if (u - cu).powi(2) + (v - cv).powi(2) > radius * radius {
        return None;
    }
    const PAPER: [f32; 3] = [232.0, 228.0, 218.0];
    const INK: [f32; 3] = [40.0, 40.0, 48.0];
    if v < h * 0.14 {
        // The header band, pale blue, with the issuer's name in dark blue print.
        return Some(if print(u - w * 0.06, v - h * 0.04, w * 0.6, 1, 0.0) {
            [30.0, 50.0, 110.0]
        } else {
            [150.0, 185.0, 230.0]
        });
    }
    if (0.05 * w..0.32 * w).contains(&u) && (0.22 * h..0.88 * h).contains(&v) {
        // The holder's photo: a head and shoulders on a pale ground.
        let (pu, pv) = ((u - 0.185 * w) / (0.09 * w), (v - 0.47 * h) / (0.14 * h));
        let person = pu * pu + pv * pv < 1.0 || v > 0.72 * h;
        return Some(if person {
            [120.0, 92.0, 80.0]
        } else {
            [190.0, 200.0, 205.0]
        });
    }
    let pitch = h * 0.085;
    if print(u - 0.38 * w, v - 0.22 * h, 0.56 * w, 7, pitch)
        || print(u - 0.05 * w, v - 0.90 * h, 0.9 * w, 1, 0.0)
    {
        return Some(INK);
    }
    Some(PAPER)
}

/// Rows of text-like print, characters of 3×5 blocks of 4 pixels with a gap of 2, words of up to
/// six; `u`, `v` from the block's top-left corner.
fn print(u: f32, v: f32, width: f32, rows: i64, pitch: f32) -> bool {
    if u < 0.0 || v < 0.0 || u >= width {
        return false;
    }
    let row = if pitch > 0.0 { (v / pitch) as i64 } else { 0 };
    let (cu, cv) = (u as i64 % 14, (v - row as f32 * pitch) as i64);
    if row >= rows || cu >= 12 || cv >= 20 {
        return false;
    }
    let column = u as i64 / 14;
    if hash(&[row, column]).is_multiple_of(7) {
        return false; // a space
    }
    hash(&[row, column, cu / 4, cv / 4]) % 100 < 45
}

/// The desk at (`x`, `y`): brown blotches (value noise on a 40-pixel grid) between 45 and 95.
fn desk_pixel(x: u32, y: u32) -> [f32; 3] {
    let cell = 40.0;
    let node = |i: i64, j: i64| 45.0 + (hash(&[7, i, j]) % 51) as f32;
    let (fx, fy) = (x as f32 / cell, y as f32 / cell);
    let (i, j) = (fx.floor() as i64, fy.floor() as i64);
    let (tx, ty) = (fx - i as f32, fy - j as f32);
    let top = node(i, j) * (1.0 - tx) + node(i + 1, j) * tx;
    let bottom = node(i, j + 1) * (1.0 - tx) + node(i + 1, j + 1) * tx;
    let level = top * (1.0 - ty) + bottom * ty;
    [level * 1.25, level, level * 0.75]
}

/// A separable box blur of radius `r`, edges clamped.
fn box_blur(plane: &mut [f32], w: usize, h: usize, r: usize) {
    let n = (2 * r + 1) as f32;
    let mut tmp = vec![0.0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            let sum: f32 = (0..=2 * r)
                .map(|k| plane[y * w + (x + k).saturating_sub(r).min(w - 1)])
                .sum();
            tmp[y * w + x] = sum / n;
        }
    }
    for y in 0..h {
        for x in 0..w {
            let sum: f32 = (0..=2 * r)
                .map(|k| tmp[(y + k).saturating_sub(r).min(h - 1) * w + x])
                .sum();
            plane[y * w + x] = sum / n;
        }
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

    /// The card guide the component draws over a 16:9 picture, at the analysed 640×360: 64 % of
    /// the width, the card's shape, centred (see the stylesheet's `.idcheck-guide-card`).
    const GUIDE: idcheck_core::frame::Rect = idcheck_core::frame::Rect::new(115, 51, 410, 259);

    /// The scene at the scale the component analyses it (2×2 means of its luma).
    fn advice(card: &Card) -> idcheck_core::frame::Advice {
        use idcheck_core::frame::{self, Luma, Subject};
        let (w, h) = (card.width as usize, card.height as usize);
        let luma = card.luma();
        let small: Vec<u8> = (0..(w / 2) * (h / 2))
            .map(|i| {
                let (x, y) = (2 * (i % (w / 2)), 2 * (i / (w / 2)));
                let sum: u32 = [(0, 0), (1, 0), (0, 1), (1, 1)]
                    .iter()
                    .map(|(dx, dy)| u32::from(luma[(y + dy) * w + x + dx]))
                    .sum();
                ((sum + 2) / 4) as u8
            })
            .collect();
        let frame = Luma::new(&small, w / 2, h / 2, w / 2).unwrap();
        let report = frame::analyse(&frame, GUIDE, Subject::Id1Card, None).unwrap();
        println!("{:?} sharpness {}", report.verdicts, report.sharpness);
        report.advice
    }

    #[test]
    fn the_capture_scenes_get_the_advice_the_end_to_end_tests_expect() {
        use idcheck_core::frame::{Advice, Side};
        let good = || Card::on_desk(1280, 720, 742.0, 640.0, 360.0);
        assert_eq!(advice(&good()), Advice::Ready);
        assert_eq!(advice(&good().blurred(4)), Advice::Focus);
        assert_eq!(advice(&good().darkened(0.2)), Advice::MoreLight);
        let aside = Card::on_desk(1280, 720, 742.0, 590.0 + 371.0, 360.0);
        assert_eq!(advice(&aside), Advice::ShowWholeDocument(Side::Right));
        // The flows' plainer card overflows the guide: never captured by itself, so those tests,
        // which press Take photo, are never overtaken by an auto-capture.
        assert_ne!(advice(&Card::new(1280, 720)), Advice::Ready);
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
