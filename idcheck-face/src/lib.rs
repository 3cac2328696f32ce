//! The face detector of the face step (`idcheck_core::face::Detector`) as a WebAssembly module of
//! its own, which the component fetches and instantiates only when a face step opens: the first
//! load of the page carries none of it. It is built for speed (`--profile face`: `opt-level = 3`
//! and WebAssembly SIMD) where the component is built for size, by `cargo xtask face-assets`.
//!
//! The interface is a handful of plain exported functions, no wasm-bindgen: the component writes
//! the weights, then each frame, into a buffer the module owns, and reads the faces back as
//! numbers. One instance holds one detector; each component instance makes its own instance.
//!
//! - [`abi_version`]: [`ABI_VERSION`]; the component refuses a module of another version.
//! - [`buffer`]`(len)`: a pointer to `len` bytes of the module's memory to write into.
//! - [`load`]`(len)`: reads the weights from the buffer; 0 on success.
//! - [`detect`]`(width, height, channels, x, y, w, h)`: finds the faces in the frame in the buffer
//!   (RGBA or luma, rows packed) within the region; returns how many (at most [`MAX_FACES`]), or
//!   a negative number when no weights are loaded (-1) or the frame does not fit the buffer (-2).
//! - [`faces`]: a pointer to [`FACE_VALUES`] `f32`s a face: box x, y, width, height, score, then
//!   the six keypoints' x and y.

use std::cell::RefCell;

use idcheck_core::face::{Detector, Image};
use idcheck_core::frame::Rect;

pub const ABI_VERSION: u32 = 1;
pub const FACE_VALUES: usize = 5 + 12;
pub const MAX_FACES: usize = 8;

#[derive(Default)]
struct State {
    buffer: Vec<u8>,
    detector: Option<Detector>,
    faces: Vec<f32>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

#[unsafe(no_mangle)]
pub extern "C" fn abi_version() -> u32 {
    ABI_VERSION
}

/// The module's buffer, grown to at least `len` bytes.
#[unsafe(no_mangle)]
pub extern "C" fn buffer(len: usize) -> *mut u8 {
    STATE.with_borrow_mut(|state| {
        if state.buffer.len() < len {
            state.buffer.resize(len, 0);
        }
        state.buffer.as_mut_ptr()
    })
}

/// Reads the weights from the first `len` bytes of the buffer. 0: loaded; 1: not a weights file
/// this build reads.
#[unsafe(no_mangle)]
pub extern "C" fn load(len: usize) -> u32 {
    STATE.with_borrow_mut(|state| {
        let Some(bytes) = state.buffer.get(..len) else {
            return 1;
        };
        match Detector::new(bytes) {
            Ok(detector) => {
                state.detector = Some(detector);
                // The weights are in the detector now; the buffer will hold frames.
                state.buffer = Vec::new();
                0
            }
            Err(_) => 1,
        }
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn detect(
    width: usize,
    height: usize,
    channels: usize,
    x: u32,
    y: u32,
    w: u32,
    h: u32,
) -> i32 {
    STATE.with_borrow_mut(|state| {
        let State {
            buffer,
            detector,
            faces,
        } = state;
        let Some(detector) = detector else {
            return -1;
        };
        let image = match channels {
            4 => Image::rgba(buffer, width, height),
            1 => Image::luma(buffer, width, height),
            _ => return -2,
        };
        let Ok(image) = image else {
            return -2;
        };
        let found = detector.detect(&image, Some(Rect::new(x, y, w, h)));
        faces.clear();
        for face in found.iter().take(MAX_FACES) {
            let b = face.bounds;
            faces.extend([b.x, b.y, b.width, b.height, face.score]);
            faces.extend(face.keypoints.iter().flat_map(|p| [p.x, p.y]));
        }
        found.len().min(MAX_FACES) as i32
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn faces() -> *const f32 {
    STATE.with_borrow(|state| state.faces.as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_frames_before_weights_and_bad_weights() {
        assert_eq!(abi_version(), ABI_VERSION);
        let at = buffer(16);
        assert!(!at.is_null());
        assert_eq!(detect(2, 2, 4, 0, 0, 2, 2), -1);
        assert_eq!(load(16), 1);
        assert_eq!(load(1 << 20), 1);
    }
}
