//! The camera and the pictures taken from it: open a stream facing the right way, show it, copy a
//! frame, cut a crop out of a frame or an upload (turned upright) and encode it as a JPEG of
//! bounded size, and stop every track when done, so no camera light stays on after a capture
//! screen is left.

use idcheck_core::frame::Crop;
use js_sys::{Object, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    CanvasRenderingContext2d, HtmlCanvasElement, HtmlVideoElement, MediaStream, MediaStreamTrack,
};

use crate::browser::describe;
use crate::config::ImageOptions;

/// Which way the camera looks: at the member (face photo) or away (documents).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Facing {
    User,
    Environment,
}

impl Facing {
    fn constraint(self) -> &'static str {
        match self {
            Facing::User => "user",
            Facing::Environment => "environment",
        }
    }
}

/// Why the camera could not be used; each has its own explanation for the member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameraError {
    /// No camera API: an old browser or a page not served over HTTPS.
    Unsupported,
    /// The member or the browser's settings refused permission.
    Denied,
    /// No camera is connected.
    NoCamera,
    /// Another app holds the camera.
    Busy,
    Other(String),
}

impl CameraError {
    fn from_js(error: JsValue) -> CameraError {
        let name = error
            .dyn_ref::<web_sys::DomException>()
            .map(|exception| exception.name())
            .unwrap_or_default();
        match name.as_str() {
            "NotAllowedError" | "SecurityError" | "PermissionDeniedError" => CameraError::Denied,
            "NotFoundError" | "OverconstrainedError" | "DevicesNotFoundError" => {
                CameraError::NoCamera
            }
            "NotReadableError" | "TrackStartError" | "AbortError" => CameraError::Busy,
            _ => CameraError::Other(describe(error)),
        }
    }
}

/// An open camera stream. Dropping it stops every track.
pub struct Camera {
    stream: MediaStream,
}

fn set(target: &Object, key: &str, value: &JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

impl Camera {
    /// Opens the camera facing `facing`, or the device `device_id` when the member picked one.
    pub async fn open(facing: Facing, device_id: Option<&str>) -> Result<Camera, CameraError> {
        let devices = web_sys::window()
            .map(|window| window.navigator())
            .and_then(|navigator| navigator.media_devices().ok())
            .ok_or(CameraError::Unsupported)?;
        // Ask for a large frame: documents need their small print; the browser gives what it has.
        let video = Object::new();
        let ideal = |value: JsValue| {
            let wrapper = Object::new();
            set(&wrapper, "ideal", &value);
            wrapper
        };
        match device_id {
            Some(id) => {
                let exact = Object::new();
                set(&exact, "exact", &JsValue::from_str(id));
                set(&video, "deviceId", &exact);
            }
            None => set(&video, "facingMode", &ideal(facing.constraint().into())),
        }
        set(&video, "width", &ideal(1920.into()));
        set(&video, "height", &ideal(1080.into()));
        let constraints = Object::new();
        set(&constraints, "video", &video);
        set(&constraints, "audio", &JsValue::FALSE);
        let promise = devices
            .get_user_media_with_constraints(constraints.unchecked_ref())
            .map_err(|_| CameraError::Unsupported)?;
        let stream = JsFuture::from(promise)
            .await
            .map_err(CameraError::from_js)?;
        Ok(Camera {
            stream: stream.unchecked_into(),
        })
    }

    /// Shows the stream in `video` and waits until frames play. iOS Safari plays inline only when
    /// the video is muted and `playsinline`, and only after an explicit `play()`.
    pub async fn show_in(&self, video: &HtmlVideoElement) -> Result<(), CameraError> {
        video.set_muted(true);
        let _ = video.set_attribute("playsinline", "");
        let _ = video.set_attribute("muted", "");
        video.set_src_object(Some(&self.stream));
        let played = video.play().map_err(CameraError::from_js)?;
        JsFuture::from(played).await.map_err(CameraError::from_js)?;
        Ok(())
    }

    /// The device in use, so a switch can move to another one.
    pub fn device_id(&self) -> Option<String> {
        let track: MediaStreamTrack = self.stream.get_video_tracks().get(0).dyn_into().ok()?;
        let settings = track.get_settings();
        Reflect::get(&settings, &JsValue::from_str("deviceId"))
            .ok()
            .and_then(|id| id.as_string())
    }

    pub fn stop(&self) {
        for track in self.stream.get_tracks().iter() {
            if let Ok(track) = track.dyn_into::<MediaStreamTrack>() {
                track.stop();
            }
        }
    }
}

impl Drop for Camera {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The ids of the connected cameras, for the switch button (shown only when there are several).
pub async fn video_inputs() -> Vec<String> {
    let Some(devices) = web_sys::window()
        .map(|window| window.navigator())
        .and_then(|navigator| navigator.media_devices().ok())
    else {
        return Vec::new();
    };
    let Ok(promise) = devices.enumerate_devices() else {
        return Vec::new();
    };
    let Ok(list) = JsFuture::from(promise).await else {
        return Vec::new();
    };
    js_sys::Array::from(&list)
        .iter()
        .filter_map(|device| device.dyn_into::<web_sys::MediaDeviceInfo>().ok())
        .filter(|device| device.kind() == web_sys::MediaDeviceKind::Videoinput)
        .map(|device| device.device_id())
        .collect()
}

/// A captured frame, encoded.
pub struct Frame {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// The size a `width`×`height` frame is scaled to so its longest side is at most `max_side`.
pub fn scaled(width: u32, height: u32, max_side: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= max_side || longest == 0 {
        return (width, height);
    }
    let scale = f64::from(max_side) / f64::from(longest);
    (
        ((f64::from(width) * scale).round() as u32).max(1),
        ((f64::from(height) * scale).round() as u32).max(1),
    )
}

/// A picture to draw: the live video, a decoded upload, or a frame already copied to a canvas.
#[derive(Clone, Copy)]
pub enum Source<'a> {
    Video(&'a HtmlVideoElement),
    Bitmap(&'a web_sys::ImageBitmap),
    Canvas(&'a HtmlCanvasElement),
}

impl Source<'_> {
    /// Its size in its own pixels (the camera's, not the preview's); zero before a video plays.
    pub fn size(&self) -> (u32, u32) {
        match self {
            Source::Video(video) => (video.video_width(), video.video_height()),
            Source::Bitmap(bitmap) => (bitmap.width(), bitmap.height()),
            Source::Canvas(canvas) => (canvas.width(), canvas.height()),
        }
    }

    /// Draws all of it at (`x`, `y`), `width`×`height` in `context`'s current transform.
    pub fn draw(
        &self,
        context: &CanvasRenderingContext2d,
        x: f64,
        y: f64,
        width: f64,
        height: f64,
    ) -> Result<(), String> {
        match self {
            Source::Video(video) => {
                context.draw_image_with_html_video_element_and_dw_and_dh(video, x, y, width, height)
            }
            Source::Bitmap(bitmap) => {
                context.draw_image_with_image_bitmap_and_dw_and_dh(bitmap, x, y, width, height)
            }
            Source::Canvas(canvas) => context
                .draw_image_with_html_canvas_element_and_dw_and_dh(canvas, x, y, width, height),
        }
        .map_err(describe)
    }
}

/// A new canvas of `width`×`height`, not in the page, with its 2D context. `read_often` asks for a
/// canvas kept in memory rather than on the GPU, which makes reading its pixels back cheap.
pub fn canvas(
    width: u32,
    height: u32,
    read_often: bool,
) -> Result<(HtmlCanvasElement, CanvasRenderingContext2d), String> {
    let document = web_sys::window()
        .and_then(|window| window.document())
        .ok_or("no document")?;
    let canvas: HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(describe)?
        .unchecked_into();
    canvas.set_width(width);
    canvas.set_height(height);
    let options = Object::new();
    set(
        &options,
        "willReadFrequently",
        &JsValue::from_bool(read_often),
    );
    let context: CanvasRenderingContext2d = canvas
        .get_context_with_context_options("2d", &options)
        .map_err(describe)?
        .ok_or("no 2D canvas")?
        .unchecked_into();
    Ok((canvas, context))
}

/// Copies the frame `source` shows now, at its full size: what is analysed and what is kept are
/// then the very same frame.
pub fn snapshot(source: Source<'_>) -> Result<HtmlCanvasElement, String> {
    let (width, height) = source.size();
    if width == 0 || height == 0 {
        return Err("the camera has not shown a picture yet".into());
    }
    let (canvas, context) = self::canvas(width, height, false)?;
    source.draw(&context, 0.0, 0.0, f64::from(width), f64::from(height))?;
    Ok(canvas)
}

/// Cuts `crop` (in `source`'s pixels) out of `source`, turned upright, scaled so its longest side
/// is at most the configured one (never enlarged), and encodes it as JPEG with the browser's own
/// encoder. Parts of the crop beyond the source come out black.
pub async fn encode_crop(
    source: Source<'_>,
    crop: Crop,
    options: ImageOptions,
) -> Result<Frame, String> {
    let (crop_width, crop_height) = (crop.width.round().max(1.0), crop.height.round().max(1.0));
    let (width, height) = scaled(crop_width as u32, crop_height as u32, options.max_side);
    let (source_width, source_height) = source.size();
    if source_width == 0 || source_height == 0 {
        return Err("the image is empty".into());
    }
    let (canvas, context) = self::canvas(width, height, false)?;
    context.set_fill_style_str("#000");
    context.fill_rect(0.0, 0.0, f64::from(width), f64::from(height));
    context.set_image_smoothing_enabled(true);
    // Crop pixel q comes from frame point centre + R(angle)·(q − size/2) (`Crop::source`), so the
    // frame is drawn through the inverse: about the centre, turned back, then scaled.
    let scale = f64::from(width) / f64::from(crop.width.max(1.0));
    let turned = (|| {
        context.scale(scale, scale)?;
        context.translate(f64::from(crop.width) / 2.0, f64::from(crop.height) / 2.0)?;
        context.rotate(-f64::from(crop.angle_deg).to_radians())?;
        context.translate(-f64::from(crop.centre.x), -f64::from(crop.centre.y))
    })();
    turned.map_err(describe)?;
    source.draw(
        &context,
        0.0,
        0.0,
        f64::from(source_width),
        f64::from(source_height),
    )?;
    let jpeg = encode(&canvas, options.quality).await?;
    Ok(Frame {
        jpeg,
        width,
        height,
    })
}

async fn encode(canvas: &HtmlCanvasElement, quality: f64) -> Result<Vec<u8>, String> {
    let mut failure = None;
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        if let Err(err) = canvas.to_blob_with_type_and_encoder_options(
            &resolve,
            "image/jpeg",
            &JsValue::from_f64(quality),
        ) {
            failure = Some(describe(err.clone()));
            let _ = reject.call1(&JsValue::NULL, &err);
        }
    });
    let blob = JsFuture::from(promise)
        .await
        .map_err(|err| failure.take().unwrap_or_else(|| describe(err)))?;
    let blob: web_sys::Blob = blob
        .dyn_into()
        .map_err(|_| "the browser could not encode the image")?;
    crate::browser::file_bytes(&blob).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[test]
    fn frames_are_scaled_to_the_longest_side() {
        assert_eq!(scaled(4000, 3000, 2000), (2000, 1500));
        assert_eq!(scaled(1080, 1920, 1000), (563, 1000));
        assert_eq!(scaled(640, 480, 2000), (640, 480));
        assert_eq!(scaled(0, 0, 2000), (0, 0));
    }
}
