//! Live guidance in the browser (`idcheck::guidance`): a still cut at the card's corners, an upload
//! kept whole, the guide measured in the video's pixels, and the live loop on a video of a drawn
//! scene: it captures a steady good card by itself, advises on a blurred one, and stops the moment
//! its handle is dropped.

mod common;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use common::Scene;
use idcheck::camera::Source;
use idcheck::config::DEFAULT_IMAGE;
use idcheck::guidance::{self, Kept, Setup};
use idcheck_core::capture::Method;
use idcheck_core::frame::guidance::Origin;
use idcheck_core::frame::{Advice, Rect, Subject};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlVideoElement};

wasm_bindgen_test_configure!(run_in_browser);

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

async fn until(what: &str, done: impl Fn() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        sleep(50).await;
    }
    panic!("{what} did not happen in 10 s");
}

/// The card's size in the scene, with the 3 % margin of its height on each side.
fn cut_size(scene: &Scene) -> (f32, f32) {
    let height = scene.card_width * 53.98 / 85.6;
    let margin = height * 0.03;
    (scene.card_width + 2.0 * margin, height + 2.0 * margin)
}

fn near(value: u32, expected: f32, tolerance: f32) -> bool {
    (value as f32 - expected).abs() <= tolerance
}

#[wasm_bindgen_test]
async fn a_photo_of_a_card_is_cut_at_its_corners() {
    let scene = Scene::good(1280, 720);
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
    .expect("a kept image");
    assert!(kept.report.ready, "{:?}", kept.report.verdicts);
    assert_eq!(kept.method, Method::Manual);
    assert!(kept.frame.jpeg.starts_with(&[0xFF, 0xD8]));
    let (width, height) = cut_size(&scene);
    assert!(
        near(kept.frame.width, width, 8.0) && near(kept.frame.height, height, 8.0),
        "{}×{} for a {width}×{height} cut",
        kept.frame.width,
        kept.frame.height
    );
}

#[wasm_bindgen_test]
async fn a_card_photo_is_cut_to_the_configured_longest_side() {
    let scene = Scene::good(1920, 1080);
    let canvas = scene.canvas();
    let mut options = DEFAULT_IMAGE;
    options.max_side = 800;
    let kept = guidance::keep_still(
        Source::Canvas(&canvas),
        scene.guide(),
        Subject::Id1Card,
        Origin::Camera,
        Method::Manual,
        options,
    )
    .await
    .unwrap();
    let (width, height) = cut_size(&scene);
    assert_eq!(kept.frame.width, 800);
    assert!(near(kept.frame.height, 800.0 * height / width, 2.0));
}

#[wasm_bindgen_test]
async fn an_upload_without_a_document_is_kept_whole_and_one_that_is_dark_says_so() {
    // A dark, blurred desk: no document, too dark.
    let mut scene = Scene::good(1000, 600);
    scene.card_width = 0.0;
    let canvas = scene.canvas();
    let context: web_sys::CanvasRenderingContext2d =
        canvas.get_context("2d").unwrap().unwrap().unchecked_into();
    context.set_fill_style_str("rgba(0, 0, 0, 0.7)");
    context.fill_rect(0.0, 0.0, 1000.0, 600.0);
    let kept = guidance::keep_still(
        Source::Canvas(&canvas),
        Rect::new(0, 0, 1000, 600),
        Subject::Id1Card,
        Origin::Upload,
        Method::Uploaded,
        DEFAULT_IMAGE,
    )
    .await
    .unwrap();
    assert_eq!((kept.frame.width, kept.frame.height), (1000, 600));
    assert_eq!(
        idcheck_core::frame::guidance::kept_advice(&kept.report, Origin::Upload),
        Some(Advice::MoreLight)
    );
}

/// A video in the page showing `scene` through a canvas stream, 640×360 on the screen, with a
/// guide drawn over it where the stylesheet would put the card guide.
async fn video_of(scene: &Scene) -> (HtmlVideoElement, HtmlElement, HtmlElement) {
    let document = web_sys::window().unwrap().document().unwrap();
    let holder: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    holder
        .style()
        .set_css_text("position: relative; width: 640px; height: 360px;");
    document.body().unwrap().append_child(&holder).unwrap();
    let video: HtmlVideoElement = document.create_element("video").unwrap().unchecked_into();
    video
        .style()
        .set_css_text("display: block; width: 640px; height: 360px; object-fit: contain;");
    video.set_muted(true);
    holder.append_child(&video).unwrap();
    let guide: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    let rect = scene.guide();
    let scale = 640.0 / scene.width as f32;
    guide.style().set_css_text(&format!(
        "position: absolute; left: {}px; top: {}px; width: {}px; height: {}px;",
        rect.x as f32 * scale,
        rect.y as f32 * scale,
        rect.width as f32 * scale,
        rect.height as f32 * scale
    ));
    holder.append_child(&guide).unwrap();
    let canvas = scene.canvas();
    let stream = canvas.capture_stream().unwrap();
    video.set_src_object(Some(&stream));
    JsFuture::from(video.play().unwrap()).await.unwrap();
    until("the video plays", || video.video_width() > 0).await;
    (video, guide, holder)
}

#[wasm_bindgen_test]
async fn the_guide_is_measured_in_the_video_s_own_pixels() {
    let scene = Scene::good(1280, 720);
    let (video, guide, holder) = video_of(&scene).await;
    let measured = guidance::guide_in_video(&video, &guide, false).unwrap();
    let expected = scene.guide();
    for (got, want) in [
        (measured.x, expected.x),
        (measured.y, expected.y),
        (measured.width, expected.width),
        (measured.height, expected.height),
    ] {
        assert!(got.abs_diff(want) <= 2, "{measured:?} vs {expected:?}");
    }
    // Mirrored, its left is the video's right.
    let mirrored = guidance::guide_in_video(&video, &guide, true).unwrap();
    assert!(
        mirrored
            .x
            .abs_diff(1280 - expected.x - expected.width)
            <= 2,
        "{mirrored:?}"
    );
    holder.remove();
}

#[wasm_bindgen_test]
async fn the_live_loop_captures_a_steady_good_card_by_itself() {
    let scene = Scene::good(1280, 720);
    let (video, guide, holder) = video_of(&scene).await;
    let decisions = Rc::new(Cell::new(0u32));
    let kept: Rc<RefCell<Option<Result<Kept, String>>>> = Rc::default();
    let live = guidance::start(
        video,
        guide.into(),
        Setup {
            subject: Subject::Id1Card,
            mirrored: false,
            auto_capture: true,
            extra: None,
            options: DEFAULT_IMAGE,
        },
        {
            let decisions = decisions.clone();
            move |_| decisions.set(decisions.get() + 1)
        },
        {
            let kept = kept.clone();
            move |result| *kept.borrow_mut() = Some(result)
        },
    );
    until("the auto-capture", || kept.borrow().is_some()).await;
    let kept = kept.borrow_mut().take().unwrap().expect("an image");
    assert_eq!(kept.method, Method::Auto);
    let (width, height) = cut_size(&scene);
    assert!(
        near(kept.frame.width, width, 8.0) && near(kept.frame.height, height, 8.0),
        "{}×{}",
        kept.frame.width,
        kept.frame.height
    );
    // At least the three frames of the hold; the loop then ended by itself.
    assert!(decisions.get() >= 3);
    let after = decisions.get();
    sleep(400).await;
    assert_eq!(decisions.get(), after);
    drop(live);
    holder.remove();
}

#[wasm_bindgen_test]
async fn a_blurred_card_gets_its_advice_and_the_loop_stops_when_dropped() {
    let mut scene = Scene::good(1280, 720);
    scene.blur = 6;
    let (video, guide, holder) = video_of(&scene).await;
    let advice = Rc::new(Cell::new(None::<Advice>));
    let decisions = Rc::new(Cell::new(0u32));
    let captured = Rc::new(Cell::new(false));
    let live = guidance::start(
        video,
        guide.into(),
        Setup {
            subject: Subject::Id1Card,
            mirrored: false,
            auto_capture: true,
            extra: None,
            options: DEFAULT_IMAGE,
        },
        {
            let (advice, decisions) = (advice.clone(), decisions.clone());
            move |decision| {
                advice.set(Some(decision.advice));
                decisions.set(decisions.get() + 1);
            }
        },
        {
            let captured = captured.clone();
            move |_| captured.set(true)
        },
    );
    until("ten frames", || decisions.get() >= 10).await;
    assert_eq!(advice.get(), Some(Advice::Focus));
    assert!(!captured.get());
    drop(live);
    let stopped_at = decisions.get();
    sleep(500).await;
    assert_eq!(decisions.get(), stopped_at, "no frame after the handle went");
    holder.remove();
}
