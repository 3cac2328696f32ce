//! Live capture guidance in the browser: while a capture step shows the camera, up to ten times a
//! second, draw the video into a small canvas (about 640 pixels wide), read its pixels, turn them
//! into luma and hand them to `idcheck_core::frame::analyse` with the guide's rectangle; feed the
//! outcome to the core's `Guidance` and pass its decision to the view. When the core says so, keep
//! the frame at full resolution and, at the end of the hold, cut it and encode it. The same
//! analysis, once, judges a photo taken with *Take photo* and an upload, and says where to cut it.
//!
//! Everything that decides (when to capture, which frame is sharpest, what to say and when, where to
//! cut) is in `idcheck_core::frame::guidance`; this module only moves pixels and time. Each loop
//! belongs to one capture step of one instance: it shares nothing, and dropping its [`Live`] handle
//! stops it at once, clearing its pending timer.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use idcheck_core::capture::{Method, Quality};
use idcheck_core::frame::guidance::{
    self, Decision, FRAME_INTERVAL_MS, Guidance, Observation, Origin,
};
use idcheck_core::frame::{
    self, ANALYSIS_WIDTH, Advice, Crop, Luma, Rect, Report, Subject, Thumbnail,
};
use js_sys::{Reflect, Uint8ClampedArray};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlVideoElement};

use crate::browser::describe;
use crate::camera::{self, Frame, Source};
use crate::config::ImageOptions;

/// An image to keep: encoded, with its analysis and how it was obtained.
pub struct Kept {
    pub frame: Frame,
    pub report: Report,
    pub method: Method,
}

impl Kept {
    /// The scores the reviewer is shown with the image.
    pub fn quality(&self) -> Quality {
        Quality::of(&self.report)
    }
}

/// A frame as analysed: the report, and the sizes to take its guide and crop back to the source.
pub struct Analysed {
    pub report: Report,
    /// The guide, in analysed pixels.
    pub guide: Rect,
    /// The analysed frame's size.
    pub width: u32,
    pub height: u32,
    /// Source pixels per analysed pixel.
    pub scale: f32,
}

impl Analysed {
    /// Where to cut the source (in its own pixels) to keep the document or the face.
    pub fn crop(&self, origin: Origin) -> Crop {
        guidance::crop_for(&self.report, self.guide, self.width, self.height, origin)
            .scaled(self.scale)
    }
}

/// A small canvas to draw frames into and the buffers their pixels are read into, kept from frame
/// to frame so the loop allocates nothing.
pub struct Analyser {
    canvas: HtmlCanvasElement,
    context: CanvasRenderingContext2d,
    rgba: Vec<u8>,
    luma: Vec<u8>,
}

impl Analyser {
    pub fn new() -> Result<Analyser, String> {
        let (canvas, context) = camera::canvas(ANALYSIS_WIDTH as u32, 360, true)?;
        Ok(Analyser {
            canvas,
            context,
            rgba: Vec::new(),
            luma: Vec::new(),
        })
    }

    /// Draws `source` at most [`ANALYSIS_WIDTH`] pixels wide and analyses it with `guide` (in the
    /// source's pixels).
    pub fn analyse(
        &mut self,
        source: Source<'_>,
        guide: Rect,
        subject: Subject,
        previous: Option<&Thumbnail>,
    ) -> Result<Analysed, String> {
        let (source_width, source_height) = source.size();
        if source_width == 0 || source_height == 0 {
            return Err("the picture is empty".into());
        }
        let width = source_width.min(ANALYSIS_WIDTH as u32);
        let height = ((u64::from(source_height) * u64::from(width) + u64::from(source_width) / 2)
            / u64::from(source_width))
        .max(1) as u32;
        if (self.canvas.width(), self.canvas.height()) != (width, height) {
            self.canvas.set_width(width);
            self.canvas.set_height(height);
        }
        source.draw(&self.context, 0.0, 0.0, f64::from(width), f64::from(height))?;
        let image = self
            .context
            .get_image_data(0.0, 0.0, f64::from(width), f64::from(height))
            .map_err(describe)?;
        // Copied straight into the kept buffer; `ImageData::data()` would allocate a new one.
        let data: Uint8ClampedArray = Reflect::get(&image, &JsValue::from_str("data"))
            .map_err(describe)?
            .unchecked_into();
        self.rgba.resize(data.length() as usize, 0);
        data.copy_to(&mut self.rgba);
        frame::rgba_to_luma(&self.rgba, &mut self.luma);

        let scale = source_width as f32 / width as f32;
        let to_small = |v: u32| (v as f32 / scale).round() as u32;
        let small_guide = Rect::new(
            to_small(guide.x),
            to_small(guide.y),
            to_small(guide.width),
            to_small(guide.height),
        );
        let luma = Luma::new(&self.luma, width as usize, height as usize, width as usize)
            .map_err(|err| err.to_string())?;
        let report =
            frame::analyse(&luma, small_guide, subject, previous).map_err(|err| err.to_string())?;
        Ok(Analysed {
            report,
            guide: small_guide,
            width,
            height,
            scale,
        })
    }

    /// The analysed frame's pixels, for a check besides the analysis.
    pub(crate) fn input(&self, guide: Rect, width: u32, height: u32) -> ExtraInput<'_> {
        ExtraInput {
            rgba: &self.rgba,
            luma: &self.luma,
            width,
            height,
            canvas: &self.canvas,
            guide,
        }
    }
}

/// Analyses one still (a copy of the video frame the member took, or an upload's bitmap) with
/// `guide` in its pixels, cuts it where the core says and encodes it.
pub async fn keep_still(
    source: Source<'_>,
    guide: Rect,
    subject: Subject,
    origin: Origin,
    method: Method,
    options: ImageOptions,
) -> Result<Kept, String> {
    let analysed = Analyser::new()?.analyse(source, guide, subject, None)?;
    let frame = camera::encode_crop(source, analysed.crop(origin), options).await?;
    Ok(Kept {
        frame,
        report: analysed.report,
        method,
    })
}

/// The guide's rectangle in the video's own pixels, from where both are laid out: the video is
/// shown whole (`object-fit: contain`), perhaps mirrored. `None` before the video has a size.
pub fn guide_in_video(
    video: &HtmlVideoElement,
    guide: &web_sys::Element,
    mirrored: bool,
) -> Option<Rect> {
    let (width, height) = (
        f64::from(video.video_width()),
        f64::from(video.video_height()),
    );
    let shown = video.get_bounding_client_rect();
    let outline = guide.get_bounding_client_rect();
    if width <= 0.0 || height <= 0.0 || shown.width() <= 0.0 || shown.height() <= 0.0 {
        return None;
    }
    let scale = (shown.width() / width).min(shown.height() / height);
    let left = shown.left() + (shown.width() - width * scale) / 2.0;
    let top = shown.top() + (shown.height() - height * scale) / 2.0;
    let (mut x0, mut x1) = (
        (outline.left() - left) / scale,
        (outline.right() - left) / scale,
    );
    if mirrored {
        (x0, x1) = (width - x1, width - x0);
    }
    let y0 = (outline.top() - top) / scale;
    let y1 = (outline.bottom() - top) / scale;
    let (x0, x1) = (x0.clamp(0.0, width), x1.clamp(0.0, width));
    let (y0, y1) = (y0.clamp(0.0, height), y1.clamp(0.0, height));
    (x1 > x0 && y1 > y0).then(|| {
        Rect::new(
            x0.round() as u32,
            y0.round() as u32,
            (x1 - x0).round() as u32,
            (y1 - y0).round() as u32,
        )
    })
}

/// What a check besides the frame analysis is given: the analysed frame (RGBA, luma, and the
/// canvas it was drawn in) and the guide, in analysed pixels.
pub struct ExtraInput<'a> {
    pub rgba: &'a [u8],
    pub luma: &'a [u8],
    pub width: u32,
    pub height: u32,
    pub canvas: &'a HtmlCanvasElement,
    pub guide: Rect,
}

/// A check besides the frame analysis (the face step's face detector), run on each frame whose own
/// checks pass: the problem it finds, if any, as the advice to show.
pub type ExtraCheck =
    Rc<dyn for<'a> Fn(ExtraInput<'a>) -> Pin<Box<dyn Future<Output = Option<Advice>> + 'a>>>;

/// What one live loop needs to know.
pub struct Setup {
    pub subject: Subject,
    /// The preview is mirrored (the front camera): the guide's sides swap in the video's pixels.
    pub mirrored: bool,
    pub auto_capture: bool,
    pub extra: Option<ExtraCheck>,
    pub options: ImageOptions,
}

/// A running loop. Dropping it stops the loop at once.
pub struct Live {
    stop: Rc<Stop>,
}

impl Drop for Live {
    fn drop(&mut self) {
        self.stop.stop();
    }
}

/// Whether a loop was stopped, and the timer it is waiting on, so stopping clears it.
#[derive(Default)]
struct Stop {
    stopped: Cell<bool>,
    waiting: RefCell<Option<(i32, js_sys::Function)>>,
}

impl Stop {
    fn stop(&self) {
        self.stopped.set(true);
        if let Some((handle, wake)) = self.waiting.borrow_mut().take() {
            if let Some(window) = web_sys::window() {
                window.clear_timeout_with_handle(handle);
            }
            // Wakes the loop, which sees it was stopped and ends, rather than leaving it pending.
            let _ = wake.call0(&JsValue::NULL);
        }
    }

    async fn sleep(&self, ms: i32) {
        if self.stopped.get() {
            return;
        }
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            let timer = web_sys::window().and_then(|window| {
                window
                    .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
                    .ok()
            });
            match timer {
                Some(handle) => *self.waiting.borrow_mut() = Some((handle, resolve)),
                None => {
                    let _ = resolve.call0(&JsValue::NULL);
                }
            }
        });
        let _ = JsFuture::from(promise).await;
        self.waiting.borrow_mut().take();
    }
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|window| window.performance())
        .map_or(0.0, |performance| performance.now())
}

/// Starts analysing what `video` shows inside `guide`. `on_decision` gets every frame's decision;
/// `on_capture` gets the auto-captured image (or why it could not be encoded), after which the loop
/// ends.
pub fn start(
    video: HtmlVideoElement,
    guide: web_sys::Element,
    setup: Setup,
    on_decision: impl Fn(&Decision) + 'static,
    on_capture: impl FnOnce(Result<Kept, String>) + 'static,
) -> Live {
    let stop = Rc::new(Stop::default());
    let live = Live { stop: stop.clone() };
    wasm_bindgen_futures::spawn_local(async move {
        run(&video, &guide, setup, &stop, on_decision, on_capture).await;
    });
    live
}

async fn run(
    video: &HtmlVideoElement,
    guide: &web_sys::Element,
    setup: Setup,
    stop: &Stop,
    on_decision: impl Fn(&Decision),
    on_capture: impl FnOnce(Result<Kept, String>),
) {
    let Ok(mut analyser) = Analyser::new() else {
        return; // no canvas: the member still has Take photo and the upload
    };
    let mut guidance = Guidance::new(setup.auto_capture);
    let mut previous: Option<Thumbnail> = None;
    // The sharpest frame of the hold so far, at full size, and its analysis.
    let mut kept: Option<(HtmlCanvasElement, Analysed)> = None;
    while !stop.stopped.get() {
        let began = now_ms();
        let playing = video.ready_state() >= 2 && !video.paused();
        let outline = playing
            .then(|| guide_in_video(video, guide, setup.mirrored))
            .flatten();
        let analysed = outline.and_then(|outline| {
            analyser
                .analyse(
                    Source::Video(video),
                    outline,
                    setup.subject,
                    previous.as_ref(),
                )
                .ok()
        });
        if let Some(analysed) = analysed {
            previous = Some(analysed.report.thumbnail.clone());
            let mut observation = Observation::of(&analysed.report);
            if let Some(extra) = setup.extra.as_ref().filter(|_| observation.is_ready()) {
                let input = analyser.input(analysed.guide, analysed.width, analysed.height);
                observation = observation.and(extra(input).await);
                if stop.stopped.get() {
                    return;
                }
            }
            let decision = guidance.observe(observation, now_ms() as u64);
            if decision.keep {
                // The frame just analysed: the video shows the same one until this task yields.
                if let Ok(canvas) = camera::snapshot(Source::Video(video)) {
                    kept = Some((canvas, analysed));
                }
            }
            on_decision(&decision);
            if decision.capture {
                let Some((canvas, analysed)) = kept.take() else {
                    // The frame could not be copied: the view must not wait for it.
                    on_capture(Err("no frame was kept".into()));
                    return;
                };
                let encoded = camera::encode_crop(
                    Source::Canvas(&canvas),
                    analysed.crop(Origin::Camera),
                    setup.options,
                )
                .await;
                if !stop.stopped.get() {
                    on_capture(encoded.map(|frame| Kept {
                        frame,
                        report: analysed.report,
                        method: Method::Auto,
                    }));
                }
                return;
            }
        }
        let spent = now_ms() - began;
        stop.sleep((f64::from(FRAME_INTERVAL_MS) - spent).max(0.0) as i32)
            .await;
    }
}
