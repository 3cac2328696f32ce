//! The face detector's time per frame natively, as `cargo xtask bench` reports it: built with
//! `--profile face` (the module's own optimisations, SSE instead of WebAssembly SIMD), 20 frames
//! to warm up, then 200 timed detections on a 640×360 RGBA frame with a face-like pattern, of the
//! 360×360 square in its middle (what the component hands the detector). Prints one JSON line.
//!
//! Usage: `cargo run --profile face -p idcheck-face --example bench -- <weights file>`

use std::time::Instant;

use idcheck_core::face::{Detector, Image};
use idcheck_core::frame::Rect;

const WIDTH: usize = 640;
const HEIGHT: usize = 360;
const FRAMES: usize = 200;

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: bench <weights file>");
    let weights = std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    let mut detector = Detector::new(&weights).expect("a weights file");
    let frame = frame();
    let image = Image::rgba(&frame, WIDTH, HEIGHT).expect("a whole frame");
    let region = Some(Rect::new(140, 0, 360, 360));
    let mut faces = 0;
    for _ in 0..20 {
        faces = detector.detect(&image, region).len();
    }
    let mut times: Vec<f64> = (0..FRAMES)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(detector.detect(&image, region));
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "{{\"frames\": {FRAMES}, \"median_ms\": {:.3}, \"p90_ms\": {:.3}, \"min_ms\": {:.3}, \"faces\": {faces}}}",
        times[FRAMES / 2],
        times[FRAMES * 9 / 10],
        times[0]
    );
}

/// A grey wall with a head: a skin oval with dark hair above, eyes, brows and a mouth.
fn frame() -> Vec<u8> {
    let mut rgba = Vec::with_capacity(WIDTH * HEIGHT * 4);
    let inside = |x: f32, y: f32, cx: f32, cy: f32, rx: f32, ry: f32| {
        ((x - cx) / rx).powi(2) + ((y - cy) / ry).powi(2) < 1.0
    };
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let (x, y) = (x as f32, y as f32);
            let mut c = [150.0, 155.0, 160.0];
            if inside(x, y, 320.0, 160.0, 86.0, 100.0) {
                c = [55.0, 38.0, 28.0];
            }
            if inside(x, y, 320.0, 188.0, 74.0, 98.0) {
                c = [222.0, 170.0, 138.0];
            }
            for ex in [291.0, 349.0] {
                if inside(x, y, ex, 150.0, 17.0, 6.0) {
                    c = [240.0, 238.0, 232.0];
                }
                if inside(x, y, ex, 150.0, 6.0, 6.0) {
                    c = [40.0, 30.0, 25.0];
                }
                if inside(x, y, ex, 134.0, 17.0, 4.0) {
                    c = [60.0, 42.0, 30.0];
                }
            }
            if inside(x, y, 320.0, 210.0, 19.0, 6.0) {
                c = [180.0, 95.0, 90.0];
            }
            rgba.extend(c.map(|v| v as u8));
            rgba.push(255);
        }
    }
    rgba
}
