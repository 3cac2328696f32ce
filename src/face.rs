//! The face step's face detector in the browser, opened when a face step opens and dropped with
//! it. Where the browser has one, the Shape Detection API's `FaceDetector` is used; everywhere else
//! the face module (`face/idcheck-face.wasm`, the `idcheck-face` crate: BlazeFace short range in
//! Rust, built with WebAssembly SIMD) and its weights (`face/blazeface-short-range-….bin`) are
//! fetched, once per page, and each instance instantiates its own copy of the module, so two
//! instances share only those immutable files. Nothing of it is in the component's first load.
//!
//! [`FaceDetector::detect`] takes an RGBA frame (a canvas' `ImageData`) and the square around the
//! oval, and returns the faces in frame pixels; `idcheck_core::face::check` then judges them
//! against the oval, and [`live_check`] makes of both the check live guidance runs on each frame
//! whose light, focus and stillness are fine ([`check_still`], the one a photo taken with *Take
//! photo* gets). A browser without WebAssembly SIMD (Safari before
//! 16.4) cannot compile the module: [`FaceDetector::open`] then fails, and the step goes on without
//! a face check (no auto-capture; the member takes the photo).

use std::cell::RefCell;
use std::rc::Rc;

use idcheck_core::face::{self, Face, FaceBox, WEIGHTS_FILE};
use idcheck_core::frame::{Advice, Point, Rect, Subject};
use js_sys::{Array, Function, Object, Reflect, Uint8Array, WebAssembly};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::browser::describe;
use crate::camera::Source;
use crate::guidance::{Analyser, ExtraCheck, ExtraInput};

/// How much of the frame around the oval the detector looks at, in thousandths of the oval's size
/// on each side: a face half out of the oval, or a second person beside it, is still seen.
const MARGIN_PERMILLE: u32 = 150;

/// The face check of live guidance: the faces in the square around the oval, judged against it.
/// A frame the detector cannot read counts as no face, so nothing is taken by itself unchecked.
pub fn live_check(detector: Rc<FaceDetector>) -> ExtraCheck {
    Rc::new(move |input: ExtraInput<'_>| {
        let detector = detector.clone();
        Box::pin(async move {
            let region = around(input.guide);
            match detector
                .detect(input.rgba, input.width, input.height, region)
                .await
            {
                Ok(faces) => face::check(&faces, input.guide).advice(),
                Err(_) => Some(Advice::FitFace),
            }
        })
    })
}

/// The face check of a still (a photo taken with *Take photo*, `guide` in its pixels): the advice
/// its review shows, if any. The member may keep it anyway, as with any poor picture.
pub async fn check_still(
    detector: &FaceDetector,
    source: Source<'_>,
    guide: Rect,
) -> Option<Advice> {
    let mut analyser = Analyser::new().ok()?;
    let analysed = analyser.analyse(source, guide, Subject::Face, None).ok()?;
    let input = analyser.input(analysed.guide, analysed.width, analysed.height);
    match detector
        .detect(input.rgba, input.width, input.height, around(input.guide))
        .await
    {
        Ok(faces) => face::check(&faces, input.guide).advice(),
        Err(_) => None,
    }
}

/// The guide grown by [`MARGIN_PERMILLE`] on each side (it may extend past the frame, which the
/// detector sees as black).
fn around(guide: Rect) -> Rect {
    let dx = guide.width * MARGIN_PERMILLE / 1000;
    let dy = guide.height * MARGIN_PERMILLE / 1000;
    let x = guide.x.saturating_sub(dx);
    let y = guide.y.saturating_sub(dy);
    Rect::new(
        x,
        y,
        guide.x + guide.width + dx - x,
        guide.y + guide.height + dy - y,
    )
}

/// The face module's interface version (`idcheck_face::ABI_VERSION`): a module left in a cache
/// from another build is refused rather than misread.
const ABI_VERSION: u32 = 1;
/// Values the module gives a face: box, score, six keypoints (`idcheck_face::FACE_VALUES`).
const FACE_VALUES: usize = 17;
const MODULE_FILE: &str = "idcheck-face.wasm";

thread_local! {
    /// The compiled face module and its weights, fetched once per page (a promise of
    /// `[WebAssembly.Module, Uint8Array]`, so two face steps opening together fetch once). Both are
    /// immutable; a failed fetch is forgotten so a later face step tries again.
    static ASSETS: RefCell<Option<js_sys::Promise>> = const { RefCell::new(None) };
}

/// A face detector for one camera session.
pub struct FaceDetector {
    backend: Backend,
}

enum Backend {
    /// The browser's `FaceDetector` object.
    Browser(JsValue),
    /// This instance's face module.
    Module(Module),
}

struct Module {
    memory: WebAssembly::Memory,
    buffer: Function,
    detect: Function,
    faces: Function,
}

impl FaceDetector {
    /// The browser's detector if it has a working one, otherwise the face module with its weights.
    pub async fn open() -> Result<FaceDetector, String> {
        if let Some(browser) = browser_detector().await {
            return Ok(FaceDetector {
                backend: Backend::Browser(browser),
            });
        }
        let assets = match JsFuture::from(assets()).await {
            Ok(assets) => assets,
            Err(error) => {
                ASSETS.with_borrow_mut(|cached| *cached = None);
                return Err(format!(
                    "the face detector could not be fetched: {}",
                    describe(error)
                ));
            }
        };
        let assets: Array = assets.unchecked_into();
        let module: WebAssembly::Module = assets.get(0).unchecked_into();
        let weights: Uint8Array = assets.get(1).unchecked_into();
        let instance = JsFuture::from(WebAssembly::instantiate_module(&module, &Object::new()))
            .await
            .map_err(describe)?;
        let exports = Reflect::get(&instance, &"exports".into()).map_err(describe)?;
        let export = |name: &str| -> Result<JsValue, String> {
            Reflect::get(&exports, &name.into())
                .ok()
                .filter(|value| !value.is_undefined())
                .ok_or(format!("the face module has no `{name}`"))
        };
        let function = |name: &str| -> Result<Function, String> {
            export(name)?
                .dyn_into::<Function>()
                .map_err(|_| format!("the face module's `{name}` is not a function"))
        };
        let version = call(&function("abi_version")?, &[])?;
        if version != ABI_VERSION as f64 {
            return Err(format!(
                "the face module is version {version}, not {ABI_VERSION}"
            ));
        }
        let module = Module {
            memory: export("memory")?.unchecked_into(),
            buffer: function("buffer")?,
            detect: function("detect")?,
            faces: function("faces")?,
        };
        let len = weights.length();
        module.write(len, |view| view.set(&weights, 0))?;
        if call(&function("load")?, &[len.into()])? != 0.0 {
            return Err("the face module refused its weights".into());
        }
        Ok(FaceDetector {
            backend: Backend::Module(module),
        })
    }

    /// Whether the browser's own detector is in use (its boxes are not BlazeFace's, and it gives
    /// no score).
    pub fn is_browsers(&self) -> bool {
        matches!(self.backend, Backend::Browser(_))
    }

    /// The faces in `region` (the square around the oval, in frame pixels) of an RGBA frame
    /// `width`×`height`, best first.
    pub async fn detect(
        &self,
        rgba: &[u8],
        width: u32,
        height: u32,
        region: Rect,
    ) -> Result<Vec<Face>, String> {
        let needed = width as usize * height as usize * 4;
        if rgba.len() < needed || width == 0 || height == 0 {
            return Err(format!(
                "a {width}×{height} frame needs {needed} bytes, not {}",
                rgba.len()
            ));
        }
        match &self.backend {
            Backend::Module(module) => module.detect(&rgba[..needed], width, height, region),
            Backend::Browser(detector) => {
                let faces = browser_detect(detector, &rgba[..needed], width, height).await?;
                // The module sees only the square around the oval: so do the browser's faces.
                let (x0, y0) = (region.x as f32, region.y as f32);
                let (x1, y1) = (x0 + region.width as f32, y0 + region.height as f32);
                Ok(faces
                    .into_iter()
                    .filter(|face| {
                        let c = face.bounds.centre();
                        c.x >= x0 && c.x < x1 && c.y >= y0 && c.y < y1
                    })
                    .collect())
            }
        }
    }
}

impl Module {
    /// Lets `fill` write `len` bytes into the module's buffer.
    fn write(&self, len: u32, fill: impl FnOnce(&Uint8Array)) -> Result<(), String> {
        let at = call(&self.buffer, &[len.into()])?;
        // Asking for the buffer may grow the memory, which detaches earlier views: view it now.
        let view =
            Uint8Array::new_with_byte_offset_and_length(&self.memory.buffer(), at as u32, len);
        fill(&view);
        Ok(())
    }

    fn detect(
        &self,
        rgba: &[u8],
        width: u32,
        height: u32,
        region: Rect,
    ) -> Result<Vec<Face>, String> {
        self.write(rgba.len() as u32, |view| view.copy_from(rgba))?;
        let args: [JsValue; 7] = [
            width.into(),
            height.into(),
            4.into(),
            region.x.into(),
            region.y.into(),
            region.width.into(),
            region.height.into(),
        ];
        let count = call(&self.detect, &args)?;
        if count < 0.0 {
            return Err(format!(
                "the face module could not read the frame ({count})"
            ));
        }
        let at = call(&self.faces, &[])? as u32;
        let values = js_sys::Float32Array::new_with_byte_offset_and_length(
            &self.memory.buffer(),
            at,
            count as u32 * FACE_VALUES as u32,
        )
        .to_vec();
        Ok(values
            .chunks_exact(FACE_VALUES)
            .map(face_from_values)
            .collect())
    }
}

fn face_from_values(v: &[f32]) -> Face {
    Face {
        bounds: FaceBox {
            x: v[0],
            y: v[1],
            width: v[2],
            height: v[3],
        },
        score: v[4],
        keypoints: std::array::from_fn(|k| Point {
            x: v[5 + 2 * k],
            y: v[6 + 2 * k],
        }),
    }
}

/// Calls an exported function that returns a number.
fn call(function: &Function, args: &[JsValue]) -> Result<f64, String> {
    let args: Array = args.iter().collect();
    Reflect::apply(function, &JsValue::UNDEFINED, &args)
        .map_err(describe)?
        .as_f64()
        .ok_or_else(|| "the face module returned no number".to_string())
}

/// The page's promise of the compiled module and the weights, started on first use.
fn assets() -> js_sys::Promise {
    ASSETS.with_borrow_mut(|cached| {
        cached
            .get_or_insert_with(|| {
                wasm_bindgen_futures::future_to_promise(async {
                    let base = format!("{}face/", crate::translations::assets_base());
                    // Both fetches at once.
                    let module = wasm_bindgen_futures::future_to_promise(fetch_bytes(format!(
                        "{base}{MODULE_FILE}"
                    )));
                    let weights = wasm_bindgen_futures::future_to_promise(fetch_bytes(format!(
                        "{base}{WEIGHTS_FILE}"
                    )));
                    let module = JsFuture::from(module).await?;
                    let weights = JsFuture::from(weights).await?;
                    let module = JsFuture::from(WebAssembly::compile(&module)).await?;
                    Ok(Array::of2(&module, &weights).into())
                })
            })
            .clone()
    })
}

/// A static file's bytes as a `Uint8Array`.
async fn fetch_bytes(url: String) -> Result<JsValue, JsValue> {
    let response = gloo_net::http::Request::get(&url)
        .send()
        .await
        .map_err(|err| JsValue::from_str(&err.to_string()))?;
    if !response.ok() {
        return Err(JsValue::from_str(&format!(
            "{url}: HTTP {}",
            response.status()
        )));
    }
    let bytes = response
        .binary()
        .await
        .map_err(|err| JsValue::from_str(&err.to_string()))?;
    Ok(Uint8Array::from(&bytes[..]).into())
}

/// The browser's `FaceDetector`, if it has one that works here (Chrome defines it on some
/// platforms where `detect` then refuses every image).
async fn browser_detector() -> Option<JsValue> {
    let window: JsValue = web_sys::window()?.into();
    let class = Reflect::get(&window, &"FaceDetector".into()).ok()?;
    let class: Function = class.dyn_into().ok()?;
    let options = Object::new();
    let _ = Reflect::set(&options, &"fastMode".into(), &true.into());
    let _ = Reflect::set(&options, &"maxDetectedFaces".into(), &4.into());
    let detector = Reflect::construct(&class, &Array::of1(&options)).ok()?;
    // A blank probe: a detector that cannot run rejects it.
    browser_detect(&detector, &[0; 16 * 16 * 4], 16, 16)
        .await
        .ok()?;
    Some(detector)
}

async fn browser_detect(
    detector: &JsValue,
    rgba: &[u8],
    width: u32,
    height: u32,
) -> Result<Vec<Face>, String> {
    let window: JsValue = web_sys::window().ok_or("no window")?.into();
    let image_data: Function = Reflect::get(&window, &"ImageData".into())
        .map_err(describe)?
        .dyn_into()
        .map_err(|_| "no ImageData")?;
    let pixels = js_sys::Uint8ClampedArray::new_with_length(rgba.len() as u32);
    pixels.copy_from(rgba);
    let image = Reflect::construct(
        &image_data,
        &Array::of3(&pixels, &width.into(), &height.into()),
    )
    .map_err(describe)?;
    let detect: Function = Reflect::get(detector, &"detect".into())
        .map_err(describe)?
        .dyn_into()
        .map_err(|_| "FaceDetector has no detect")?;
    let promise: js_sys::Promise = detect
        .call1(detector, &image)
        .map_err(describe)?
        .dyn_into()
        .map_err(|_| "FaceDetector.detect returned no promise")?;
    let found: Array = JsFuture::from(promise)
        .await
        .map_err(describe)?
        .unchecked_into();
    let number = |object: &JsValue, key: &str| {
        Reflect::get(object, &key.into())
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0) as f32
    };
    Ok(found
        .iter()
        .map(|face| {
            let rect = Reflect::get(&face, &"boundingBox".into()).unwrap_or(JsValue::NULL);
            let mut keypoints = [Point::default(); 6];
            // Landmarks are named, not ordered: eyes go left to right on the picture (the
            // person's right eye first), then the nose and the mouth.
            let mut eyes = Vec::new();
            if let Ok(landmarks) = Reflect::get(&face, &"landmarks".into()) {
                for landmark in Array::from(&landmarks).iter() {
                    let kind = Reflect::get(&landmark, &"type".into())
                        .ok()
                        .and_then(|v| v.as_string())
                        .unwrap_or_default();
                    let locations = Reflect::get(&landmark, &"locations".into())
                        .map(|v| Array::from(&v))
                        .unwrap_or_else(|_| Array::new());
                    let n = locations.length().max(1) as f32;
                    let centre = locations.iter().fold(Point::default(), |p, l| Point {
                        x: p.x + number(&l, "x") / n,
                        y: p.y + number(&l, "y") / n,
                    });
                    match kind.as_str() {
                        "eye" => eyes.push(centre),
                        "nose" => keypoints[idcheck_core::face::NOSE_TIP] = centre,
                        "mouth" => keypoints[idcheck_core::face::MOUTH] = centre,
                        _ => {}
                    }
                }
            }
            eyes.sort_by(|a, b| a.x.total_cmp(&b.x));
            if let [right, left] = eyes[..] {
                keypoints[idcheck_core::face::RIGHT_EYE] = right;
                keypoints[idcheck_core::face::LEFT_EYE] = left;
            }
            Face {
                bounds: FaceBox {
                    x: number(&rect, "x"),
                    y: number(&rect, "y"),
                    width: number(&rect, "width"),
                    height: number(&rect, "height"),
                },
                // The Shape Detection API gives no score: what it reports, it found.
                score: 1.0,
                keypoints,
            }
        })
        .collect())
}
