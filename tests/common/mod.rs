//! Scenes the in-browser tests and benches draw: a light ID-1 card with a blue band, a photo and
//! rows of text-like print, on a darker desk of blotches, with ±3 levels of sensor noise, as a
//! camera would see it (the same scene as the end-to-end tests' fake camera).

#![allow(dead_code)] // each test file uses its part

use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// Where the card lies in the picture.
#[derive(Clone, Copy)]
pub struct Scene {
    pub width: u32,
    pub height: u32,
    /// The card's width in pixels and its centre.
    pub card_width: f32,
    pub cx: f32,
    pub cy: f32,
    /// A box blur of this radius (0: sharp).
    pub blur: usize,
}

impl Scene {
    /// A card filling 90 % of the card guide (64 % of a 16:9 picture's width), centred.
    pub fn good(width: u32, height: u32) -> Scene {
        Scene {
            width,
            height,
            card_width: width as f32 * 0.58,
            cx: width as f32 / 2.0,
            cy: height as f32 / 2.0,
            blur: 0,
        }
    }

    /// The card guide the stylesheet draws over a 16:9 picture of this size: 64 % of its width, the
    /// card's shape, centred.
    pub fn guide(&self) -> idcheck_core::frame::Rect {
        let width = (self.width as f32 * 0.6413).round();
        let height = (width / 1.5858).round();
        idcheck_core::frame::Rect::new(
            ((self.width as f32 - width) / 2.0).round() as u32,
            ((self.height as f32 - height) / 2.0).round() as u32,
            width as u32,
            height as u32,
        )
    }

    /// The picture's RGBA pixels.
    pub fn rgba(&self) -> Vec<u8> {
        let card_height = self.card_width * 53.98 / 85.6;
        let radius = self.card_width * 3.18 / 85.6;
        let mut rng = Rng(0x1D_C4EC);
        let mut planes: [Vec<f32>; 3] = Default::default();
        for y in 0..self.height {
            for x in 0..self.width {
                let (u, v) = (
                    x as f32 + 0.5 - (self.cx - self.card_width / 2.0),
                    y as f32 + 0.5 - (self.cy - card_height / 2.0),
                );
                let colour = card_pixel(u, v, self.card_width, card_height, radius)
                    .unwrap_or_else(|| desk_pixel(x, y));
                for (plane, c) in planes.iter_mut().zip(colour) {
                    plane.push(c);
                }
            }
        }
        if self.blur > 0 {
            for plane in &mut planes {
                box_blur(plane, self.width as usize, self.height as usize, self.blur);
            }
        }
        let mut out = Vec::with_capacity((self.width * self.height * 4) as usize);
        for i in 0..planes[0].len() {
            let grain = rng.noise(3) as f32;
            for plane in &planes {
                out.push((plane[i] + grain).round().clamp(0.0, 255.0) as u8);
            }
            out.push(255);
        }
        out
    }

    /// A canvas (not in the page) showing the scene.
    pub fn canvas(&self) -> HtmlCanvasElement {
        let document = web_sys::window().unwrap().document().unwrap();
        let canvas: HtmlCanvasElement = document.create_element("canvas").unwrap().unchecked_into();
        canvas.set_width(self.width);
        canvas.set_height(self.height);
        let context: CanvasRenderingContext2d =
            canvas.get_context("2d").unwrap().unwrap().unchecked_into();
        let pixels = self.rgba();
        let image =
            web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(&pixels), self.width, self.height)
                .unwrap();
        context.put_image_data(&image, 0.0, 0.0).unwrap();
        canvas
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

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

fn card_pixel(u: f32, v: f32, w: f32, h: f32, radius: f32) -> Option<[f32; 3]> {
    if u < 0.0 || v < 0.0 || u >= w || v >= h {
        return None;
    }
    let (cu, cv) = (u.clamp(radius, w - radius), v.clamp(radius, h - radius));
    if (u - cu).powi(2) + (v - cv).powi(2) > radius * radius {
        return None;
    }
    // Print scales with the card: strokes of 4 pixels on a 742-pixel card.
    let unit = w / 742.0;
    if v < h * 0.14 {
        return Some(if print((u - w * 0.06) / unit, (v - h * 0.04) / unit, w * 0.6 / unit, 1, 0.0) {
            [30.0, 50.0, 110.0]
        } else {
            [150.0, 185.0, 230.0]
        });
    }
    if (0.05 * w..0.32 * w).contains(&u) && (0.22 * h..0.88 * h).contains(&v) {
        let (pu, pv) = ((u - 0.185 * w) / (0.09 * w), (v - 0.47 * h) / (0.14 * h));
        return Some(if pu * pu + pv * pv < 1.0 || v > 0.72 * h {
            [120.0, 92.0, 80.0]
        } else {
            [190.0, 200.0, 205.0]
        });
    }
    let pitch = h * 0.085 / unit;
    if print((u - 0.38 * w) / unit, (v - 0.22 * h) / unit, 0.56 * w / unit, 7, pitch)
        || print((u - 0.05 * w) / unit, (v - 0.90 * h) / unit, 0.9 * w / unit, 1, 0.0)
    {
        return Some([40.0, 40.0, 48.0]);
    }
    Some([232.0, 228.0, 218.0])
}

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
        return false;
    }
    hash(&[row, column, cu / 4, cv / 4]) % 100 < 45
}

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

/// Milliseconds on the page's clock.
pub fn now_ms() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}
