//! Figures for `cargo xtask bench`, measured in the browser: the time of one frame's analysis at
//! 640×360 (the median of 200 frames: drawing the camera's 1280×720 frame into the analysis canvas,
//! reading its pixels, luma, analysis; and the analysis alone), and the bytes of a stored image cut
//! from 1280×720 and 1920×1080 cameras. Not a test target of `cargo test` (`test = false` in
//! Cargo.toml); `cargo xtask bench` runs it with `--test bench -- --nocapture` and reads the
//! `bench:` lines. Nothing is asserted about time: the machine is shared.

mod common;

use common::{Scene, now_ms};
use idcheck::camera::Source;
use idcheck::config::DEFAULT_IMAGE;
use idcheck::guidance::{self, Analyser};
use idcheck_core::capture::Method;
use idcheck_core::frame::guidance::Origin;
use idcheck_core::frame::{self, Luma, Subject};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const RUNS: usize = 200;

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

#[wasm_bindgen_test]
fn analysis_time_per_frame() {
    let scene = Scene::good(1280, 720);
    let canvas = scene.canvas();
    let guide = scene.guide();
    let mut analyser = Analyser::new().unwrap();
    let mut previous = None;
    let mut whole = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = now_ms();
        let analysed = analyser
            .analyse(Source::Canvas(&canvas), guide, Subject::Id1Card, previous.as_ref())
            .unwrap();
        whole.push(now_ms() - start);
        previous = Some(analysed.report.thumbnail);
    }
    // The analysis alone, on the 640×360 luma of the same frame.
    let small = Scene::good(640, 360);
    let luma: Vec<u8> = small
        .rgba()
        .chunks_exact(4)
        .map(|px| ((77 * u32::from(px[0]) + 150 * u32::from(px[1]) + 29 * u32::from(px[2]) + 128) >> 8) as u8)
        .collect();
    let luma = Luma::new(&luma, 640, 360, 640).unwrap();
    let mut previous = None;
    let mut alone = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = now_ms();
        let report = frame::analyse(&luma, small.guide(), Subject::Id1Card, previous.as_ref()).unwrap();
        alone.push(now_ms() - start);
        previous = Some(report.thumbnail);
    }
    console_log!(
        "bench: browser_frame_ms {:.3} browser_analysis_ms {:.3} runs {RUNS}",
        median(whole),
        median(alone)
    );
}

#[wasm_bindgen_test]
async fn bytes_per_stored_image() {
    for (width, height) in [(1280, 720), (1920, 1080)] {
        let scene = Scene::good(width, height);
        let canvas = scene.canvas();
        let kept = guidance::keep_still(
            Source::Canvas(&canvas),
            scene.guide(),
            Subject::Id1Card,
            Origin::Camera,
            Method::Manual,
            DEFAULT_IMAGE,
        )
        .await
        .unwrap();
        // The card's pixels in the stored image, over its 85.6 mm.
        let crop_width = scene.card_width * (1.0 + 2.0 * 0.03 * 53.98 / 85.6);
        let card = scene.card_width * kept.frame.width as f32 / crop_width;
        console_log!(
            "bench: stored_image camera {width}x{height} image {}x{} bytes {} px_per_mm {:.1}",
            kept.frame.width,
            kept.frame.height,
            kept.frame.jpeg.len(),
            card / 85.6
        );
    }
}
