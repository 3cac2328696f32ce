//! The face check in headless Chromium, with fake cameras showing scenes the tests draw: a face in
//! the oval is photographed by itself; an ID card held up to the front camera is not a face, is
//! never taken by itself, and can still be taken with *Take photo*, its review saying why it may
//! not do. The face detector's files are fetched on the face step and not before.

use std::path::{Path, PathBuf};
use std::time::Duration;

use idcheck_e2e::member::*;
use idcheck_e2e::pictures::Card;
use idcheck_e2e::{ApiServer, Browser, DESKTOP, scratch};

/// The camera's frames: 16:9, as the face oval (3:4, 80 % of the frame's height) is laid out for.
const CAMERA: (u32, u32) = (1280, 720);

/// Up to the face step of a passport check.
async fn to_the_face_step(browser: &Browser, server: &ApiServer, name: &str) {
    let url = server.page("&verify=identity").await;
    browser.consent(&url, name).await;
    // The first screens fetch nothing of the face detector.
    assert_eq!(
        face_files_fetched(browser).await,
        0,
        "fetched before the face step"
    );
    browser
        .choose(IDENTITY_DOCUMENT, "document", name, ("document", "1"))
        .await;
    browser
        .fill_details(
            &Details {
                number: "PA1234567",
                issued_by: "Kingdom of Spain",
                expires: "2031-03-15",
            },
            name,
        )
        .await;
    browser.at_step(PHOTO, "photo", name).await;
}

/// How many of the face detector's files (`face/…`) the page fetched.
async fn face_files_fetched(browser: &Browser) -> u64 {
    browser
        .js("performance.getEntriesByType('resource').filter(e => e.name.includes('/face/')).length")
        .await
        .as_u64()
        .unwrap_or(0)
}

/// Waits until both face files were fetched.
async fn wait_for_the_detector(browser: &Browser) {
    for _ in 0..80 {
        if face_files_fetched(browser).await >= 2 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    browser
        .fail("the face detector's files were never fetched")
        .await
}

#[tokio::test]
async fn a_face_in_the_oval_is_photographed_by_itself() {
    let server = ApiServer::start(&[]).await;
    let camera = write_y4m(&face_scene(), &scratch("face-good").join("camera.y4m"));
    let browser = Browser::start(DESKTOP, Some(&camera)).await;
    let name = "face-good";
    to_the_face_step(&browser, &server, name).await;
    wait_for_the_detector(&browser).await;
    // Nobody presses Take photo: the face check passes and the review comes by itself.
    browser
        .wait_for_text(".idcheck-nav .idcheck-primary", "Use this photo")
        .await;
    browser.screenshot(&format!("{name}-photo-auto")).await;
    assert_eq!(
        browser
            .js("document.querySelectorAll('.idcheck-capture-poor').length")
            .await,
        0,
        "a face photographed by itself has no advice"
    );
    browser.press("Use this photo").await;
    browser.wait_for_text("h1", FRONT).await;
    browser.close().await;
}

#[tokio::test]
async fn a_card_held_to_the_front_camera_is_not_a_face() {
    let server = ApiServer::start(&[]).await;
    let card = Card::new(CAMERA.0, CAMERA.1);
    let camera = card.write_y4m(&scratch("face-card").join("camera.y4m"));
    let browser = Browser::start(DESKTOP, Some(&camera)).await;
    let name = "face-card";
    to_the_face_step(&browser, &server, name).await;
    wait_for_the_detector(&browser).await;
    // Four seconds of frames: the advice asks for a face, and nothing is taken.
    for _ in 0..16 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let primary = browser.find(".idcheck-nav .idcheck-primary").await;
        assert_eq!(
            primary.text().await.unwrap_or_default(),
            "Take photo",
            "a card was photographed by itself as a face"
        );
    }
    browser
        .wait_for_text(".idcheck-advice", "Fit your face in the oval")
        .await;
    browser.screenshot(&format!("{name}-photo-advice")).await;
    // The member may still take it, and is told why it may not do.
    browser.press("Take photo").await;
    browser
        .wait_for_text(".idcheck-nav .idcheck-primary", "Use this photo")
        .await;
    let note = browser
        .find(".idcheck-capture-poor")
        .await
        .text()
        .await
        .unwrap_or_default();
    assert!(
        note.contains("Fit your face in the oval"),
        "the review says {note:?}"
    );
    browser.screenshot(&format!("{name}-photo-review")).await;
    browser.close().await;
}

/// A plaster wall (with the grain of a sensor, so the frame is sharp) and a frontal head that fills
/// the oval: skin shaded towards its rim, hair, ears, eyes with brows, a nose and a mouth, a neck
/// and shoulders.
fn face_scene() -> Vec<[u8; 3]> {
    let (w, h) = CAMERA;
    let mut rgb: Vec<[f32; 3]> = vec![[0.0; 3]; (w * h) as usize];
    let mut state = 7u32;
    for (i, p) in rgb.iter_mut().enumerate() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let grain = (state % 13) as f32 - 6.0;
        let y = (i as u32 / w) as f32;
        let v = 175.0 - 25.0 * y / h as f32 + grain;
        *p = [v, v * 0.98, v * 0.93];
    }
    let (cx, cy, u) = (640.0f32, 330.0f32, 205.0f32);
    let mut paint = |colour: [f32; 3], inside: &dyn Fn(f32, f32) -> bool| {
        for y in 0..h {
            for x in 0..w {
                if inside(x as f32 + 0.5, y as f32 + 0.5) {
                    rgb[(y * w + x) as usize] = colour;
                }
            }
        }
    };
    let ellipse = |ex: f32, ey: f32, rx: f32, ry: f32| {
        move |x: f32, y: f32| ((x - ex) / rx).powi(2) + ((y - ey) / ry).powi(2) < 1.0
    };
    let skin = [222.0, 170.0, 138.0];
    paint(
        [60.0, 70.0, 110.0],
        &ellipse(cx, cy + 2.6 * u, 2.2 * u, 1.2 * u),
    );
    paint([200.0, 150.0, 122.0], &|x, y| {
        (x - cx).abs() < 0.45 * u && y > cy + 0.8 * u && y < cy + 1.5 * u
    });
    paint(
        [55.0, 38.0, 28.0],
        &ellipse(cx, cy - 0.25 * u, 1.08 * u, 1.2 * u),
    );
    paint(
        skin,
        &ellipse(cx - 0.95 * u, cy + 0.05 * u, 0.16 * u, 0.28 * u),
    );
    paint(
        skin,
        &ellipse(cx + 0.95 * u, cy + 0.05 * u, 0.16 * u, 0.28 * u),
    );
    paint(skin, &ellipse(cx, cy + 0.1 * u, 0.92 * u, 1.22 * u));
    let forehead = ellipse(cx, cy - 0.25 * u, 1.0 * u, 1.15 * u);
    paint([55.0, 38.0, 28.0], &|x, y| {
        forehead(x, y) && y < cy - 0.62 * u + 0.1 * ((x - cx) / u).powi(2) * u
    });
    for side in [-1.0, 1.0] {
        let (ex, ey) = (cx + side * 0.36 * u, cy - 0.12 * u);
        paint([190.0, 140.0, 115.0], &ellipse(ex, ey, 0.26 * u, 0.16 * u));
        paint([240.0, 238.0, 232.0], &ellipse(ex, ey, 0.17 * u, 0.075 * u));
        paint([80.0, 55.0, 40.0], &ellipse(ex, ey, 0.075 * u, 0.075 * u));
        paint([15.0, 10.0, 10.0], &ellipse(ex, ey, 0.035 * u, 0.035 * u));
        paint(
            [60.0, 42.0, 30.0],
            &ellipse(ex + side * 0.02 * u, ey - 0.2 * u, 0.22 * u, 0.045 * u),
        );
    }
    paint(
        [200.0, 148.0, 120.0],
        &ellipse(cx - 0.06 * u, cy + 0.12 * u, 0.05 * u, 0.26 * u),
    );
    paint(
        [236.0, 188.0, 158.0],
        &ellipse(cx + 0.02 * u, cy + 0.3 * u, 0.09 * u, 0.07 * u),
    );
    paint(
        [120.0, 75.0, 60.0],
        &ellipse(cx - 0.08 * u, cy + 0.38 * u, 0.045 * u, 0.025 * u),
    );
    paint(
        [120.0, 75.0, 60.0],
        &ellipse(cx + 0.08 * u, cy + 0.38 * u, 0.045 * u, 0.025 * u),
    );
    paint(
        [180.0, 95.0, 90.0],
        &ellipse(cx, cy + 0.62 * u, 0.24 * u, 0.075 * u),
    );
    paint(
        [90.0, 40.0, 40.0],
        &ellipse(cx, cy + 0.62 * u, 0.22 * u, 0.015 * u),
    );
    // Light from the front: the head's rim is darker.
    for y in 0..h {
        for x in 0..w {
            let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
            let r = (((fx - cx) / (0.95 * u)).powi(2) + ((fy - cy - 0.1 * u) / (1.25 * u)).powi(2))
                .sqrt();
            if r < 1.0 {
                let p = &mut rgb[(y * w + x) as usize];
                *p = p.map(|c| c * (1.0 - 0.3 * r.powi(3)));
            }
        }
    }
    rgb.into_iter()
        .map(|p| p.map(|c| c.round().clamp(0.0, 255.0) as u8))
        .collect()
}

/// One I420 frame as a `.y4m` (Chromium loops it), limited-range BT.601 as Chromium reads it.
fn write_y4m(rgb: &[[u8; 3]], path: &Path) -> PathBuf {
    let (w, h) = (CAMERA.0 as usize, CAMERA.1 as usize);
    let mut out = format!("YUV4MPEG2 W{w} H{h} F15:1 Ip A1:1 C420\nFRAME\n").into_bytes();
    let yuv = |[r, g, b]: [u8; 3]| {
        let (r, g, b) = (f64::from(r), f64::from(g), f64::from(b));
        [
            16.0 + 0.257 * r + 0.504 * g + 0.098 * b,
            128.0 - 0.148 * r - 0.291 * g + 0.439 * b,
            128.0 + 0.439 * r - 0.368 * g - 0.071 * b,
        ]
    };
    out.extend(rgb.iter().map(|p| yuv(*p)[0].round() as u8));
    for plane in [1, 2] {
        for y in (0..h).step_by(2) {
            for x in (0..w).step_by(2) {
                let mean = [(0, 0), (1, 0), (0, 1), (1, 1)]
                    .iter()
                    .map(|(dx, dy)| yuv(rgb[(y + dy) * w + x + dx])[plane])
                    .sum::<f64>()
                    / 4.0;
                out.push(mean.round() as u8);
            }
        }
    }
    std::fs::create_dir_all(path.parent().expect("a folder")).expect("the scratch folder");
    std::fs::write(path, out).expect("the y4m is written");
    path.to_path_buf()
}
