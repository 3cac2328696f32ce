//! What the flow records of each image it keeps: how it was obtained (captured by itself, by the
//! member's press, or uploaded), what the frame analysis made of it, and the SHA-256 of the bytes
//! that will be sent. The reviewer reads the first two in the document's `Notes`; the digest
//! recognises an image a reviewer already refused when the member sends it again.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::frame::{Advice, Report, Verdict};
use crate::slots::Slot;

/// How the image of a slot was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Method {
    /// Taken by the component when every check passed on steady frames.
    Auto,
    /// Taken when the member pressed *Take photo*.
    Manual,
    /// A file the member chose.
    Uploaded,
}

/// The exposure verdict of the analysed frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Exposure {
    Ok,
    TooDark,
    OverExposed,
    LowContrast,
}

/// The frame analysis' scores of the kept image, the few numbers a reviewer can weigh (the rest of
/// a [`Report`] describes one moment of the live preview, not the image).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quality {
    /// The Laplacian variance over the document (or the face): see `frame::BLURRY_BELOW`.
    pub sharpness: u32,
    pub exposure: Exposure,
    pub glare_tiles: u16,
    /// How much of the guide the document filled, in thousandths, when its edges were found.
    pub fill_permille: Option<u16>,
    /// The document's tilt in tenths of a degree, clockwise, when its edges were found.
    pub tilt_tenths: Option<i16>,
    /// The advice shown when the image was taken; `None` when every check passed.
    pub advice: Option<Advice>,
}

impl Quality {
    /// The scores of `report`, the analysis of the frame that was kept.
    pub fn of(report: &Report) -> Quality {
        let exposure = report
            .verdicts
            .iter()
            .find_map(|verdict| match verdict {
                Verdict::TooDark => Some(Exposure::TooDark),
                Verdict::OverExposed => Some(Exposure::OverExposed),
                Verdict::LowContrast => Some(Exposure::LowContrast),
                _ => None,
            })
            .unwrap_or(Exposure::Ok);
        Quality {
            sharpness: report.sharpness,
            exposure,
            glare_tiles: report.glare_tiles,
            fill_permille: report.document.map(|document| document.fill_permille),
            tilt_tenths: report
                .document
                .map(|document| (document.tilt_deg * 10.0).round() as i16),
            advice: (!report.ready && report.advice != Advice::Ready).then_some(report.advice),
        }
    }
}

/// A SHA-256 digest, written as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Digest([u8; 32]);

/// The SHA-256 of `bytes`: of exactly what is sent, so the same file sent twice has one digest.
pub fn sha256(bytes: &[u8]) -> Digest {
    Digest(Sha256::digest(bytes).into())
}

impl Digest {
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

impl From<Digest> for String {
    fn from(digest: Digest) -> String {
        digest.to_string()
    }
}

impl TryFrom<String> for Digest {
    type Error = &'static str;

    fn try_from(hex: String) -> Result<Digest, Self::Error> {
        const NOT_HEX: &str = "a SHA-256 digest is 64 hex digits";
        if hex.len() != 64 || !hex.is_ascii() {
            return Err(NOT_HEX);
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(hex.as_bytes().chunks_exact(2)) {
            let pair = std::str::from_utf8(pair).map_err(|_| NOT_HEX)?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| NOT_HEX)?;
        }
        Ok(Digest(bytes))
    }
}

/// The record of one kept image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capture {
    pub method: Method,
    /// `None` when the image was not analysed (a PDF, or a capture without analysis).
    pub quality: Option<Quality>,
    /// The digest of the bytes that will be sent.
    pub sha256: Digest,
}

impl Capture {
    /// The record of `bytes`, the encoded image (or file) exactly as it will be sent.
    pub fn new(method: Method, quality: Option<Quality>, bytes: &[u8]) -> Capture {
        Capture {
            method,
            quality,
            sha256: sha256(bytes),
        }
    }
}

/// The longest [`quality_line`] can be: three slots with every score at its widest. The seeds
/// state no limit for a document's `Notes`; this bound keeps the line readable at a glance and far
/// under any free-text column.
pub const QUALITY_LINE_MAX_CHARS: usize = 400;

/// One short line for the reviewer, in English like the rest of the record (the reviewer's
/// language is not the member's): how each image was obtained and its scores, in the order given,
/// e.g. `Quality: face auto (sharp 412, exposure ok); front manual (sharp 120, glare 3); back
/// uploaded (not analysed)`. `None` without any image.
pub fn quality_line(captures: &[(Slot, Capture)]) -> Option<String> {
    if captures.is_empty() {
        return None;
    }
    let parts: Vec<String> = captures
        .iter()
        .map(|(slot, capture)| {
            let name = match slot {
                Slot::Photo => "face",
                Slot::Front => "front",
                Slot::Back => "back",
            };
            let method = match capture.method {
                Method::Auto => "auto",
                Method::Manual => "manual",
                Method::Uploaded => "uploaded",
            };
            let scores = capture
                .quality
                .map_or_else(|| "not analysed".to_string(), |quality| scores(&quality));
            format!("{name} {method} ({scores})")
        })
        .collect();
    Some(format!("Quality: {}", parts.join("; ")))
}

fn scores(quality: &Quality) -> String {
    let exposure = match quality.exposure {
        Exposure::Ok => "ok",
        Exposure::TooDark => "too dark",
        Exposure::OverExposed => "over-exposed",
        Exposure::LowContrast => "low contrast",
    };
    let mut parts = vec![
        format!("sharp {}", quality.sharpness),
        format!("exposure {exposure}"),
    ];
    if quality.glare_tiles > 0 {
        parts.push(format!("glare {}", quality.glare_tiles));
    }
    if let Some(fill) = quality.fill_permille {
        parts.push(format!("fill {}%", (u32::from(fill) + 5) / 10));
    }
    // Straightened by the crop up to `frame::MAX_TILT_DEG`; only a visible tilt is worth a word.
    if let Some(tilt) = quality.tilt_tenths.filter(|tilt| tilt.unsigned_abs() >= 10) {
        parts.push(format!(
            "tilt {}°",
            (i32::from(tilt) + 5 * i32::from(tilt.signum())) / 10
        ));
    }
    if let Some(advice) = quality.advice {
        parts.push(format!("advice: {}", advice_words(advice)));
    }
    parts.join(", ")
}

/// `ShowWholeDocument(Left)` as `show whole document (left)`: the advice's own name, so a new
/// kind of advice is described without a table to keep in step.
fn advice_words(advice: Advice) -> String {
    let name = format!("{advice:?}");
    let mut words = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        match c {
            '(' => words.push_str(" ("),
            c if c.is_ascii_uppercase() => {
                if !words.is_empty() && !words.ends_with('(') {
                    words.push(' ');
                }
                words.push(c.to_ascii_lowercase());
            }
            c => words.push(c),
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_the_published_test_vectors() {
        // FIPS 180-2, appendix B.1, and the empty message.
        assert_eq!(
            sha256(b"abc").to_string(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256(b"").to_string(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn a_digest_round_trips_as_hex_and_refuses_anything_else() {
        let digest = sha256(b"an image");
        let json = serde_json::to_string(&digest).unwrap();
        assert_eq!(json.len(), 66, "64 hex digits in quotes: {json}");
        assert_eq!(serde_json::from_str::<Digest>(&json).unwrap(), digest);
        for bad in [
            "\"abc\"",
            "\"zz7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"",
            "\"é816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"",
            "[1,2]",
        ] {
            assert!(serde_json::from_str::<Digest>(bad).is_err(), "{bad}");
        }
    }

    fn auto(quality: Quality) -> Capture {
        Capture::new(Method::Auto, Some(quality), b"x")
    }

    #[test]
    fn the_quality_line_reads_as_the_reviewer_needs_it() {
        let face = Quality {
            sharpness: 412,
            exposure: Exposure::Ok,
            glare_tiles: 0,
            fill_permille: None,
            tilt_tenths: None,
            advice: None,
        };
        let front = Quality {
            sharpness: 120,
            exposure: Exposure::TooDark,
            glare_tiles: 3,
            fill_permille: Some(914),
            tilt_tenths: Some(-46),
            advice: Some(Advice::ShowWholeDocument(crate::frame::Side::Left)),
        };
        let line = quality_line(&[
            (Slot::Photo, auto(face)),
            (Slot::Front, Capture::new(Method::Manual, Some(front), b"y")),
            (Slot::Back, Capture::new(Method::Uploaded, None, b"z")),
        ]);
        assert_eq!(
            line.as_deref(),
            Some(
                "Quality: face auto (sharp 412, exposure ok); front manual (sharp 120, exposure \
                 too dark, glare 3, fill 91%, tilt -5°, advice: show whole document (left)); \
                 back uploaded (not analysed)"
            )
        );
        assert_eq!(quality_line(&[]), None);
        // A small tilt, straightened by the crop anyway, is not worth a word.
        let level = Quality {
            tilt_tenths: Some(9),
            fill_permille: Some(1000),
            ..face
        };
        assert_eq!(
            quality_line(&[(Slot::Front, auto(level))]).as_deref(),
            Some("Quality: front auto (sharp 412, exposure ok, fill 100%)")
        );
    }

    #[test]
    fn the_longest_quality_line_stays_within_its_bound() {
        let widest = Quality {
            sharpness: u32::MAX,
            exposure: Exposure::OverExposed,
            glare_tiles: u16::MAX,
            fill_permille: Some(u16::MAX),
            tilt_tenths: Some(i16::MIN),
            advice: Some(Advice::ShowWholeDocument(crate::frame::Side::Bottom)),
        };
        let line = quality_line(&[
            (Slot::Photo, auto(widest)),
            (Slot::Front, auto(widest)),
            (
                Slot::Back,
                Capture::new(Method::Uploaded, Some(widest), b""),
            ),
        ])
        .unwrap();
        assert!(
            line.chars().count() <= QUALITY_LINE_MAX_CHARS,
            "{} chars: {line}",
            line.chars().count()
        );
    }

    #[test]
    fn the_scores_of_a_report_are_taken_as_measured() {
        use crate::frame::{self, Luma, Rect, Subject};
        // A dark, flat frame: too dark, no document, nothing sharp.
        let (width, height) = (640, 360);
        let pixels = vec![20u8; width * height];
        let frame = Luma::new(&pixels, width, height, width).unwrap();
        let guide = Rect {
            x: 64,
            y: 40,
            width: 512,
            height: 280,
        };
        let report = frame::analyse(&frame, guide, Subject::Id1Card, None).unwrap();
        let quality = Quality::of(&report);
        assert_eq!(quality.exposure, Exposure::TooDark);
        assert_eq!(quality.sharpness, report.sharpness);
        assert_eq!(quality.glare_tiles, report.glare_tiles);
        assert_eq!(quality.fill_permille, None, "no document was found");
        assert_eq!(quality.tilt_tenths, None);
        assert_eq!(quality.advice, Some(report.advice));
        assert_ne!(report.advice, Advice::Ready);
    }

    #[test]
    fn the_record_names_the_bytes_so_one_changed_byte_is_another_image() {
        let one = Capture::new(Method::Manual, None, b"\xff\xd8one");
        let same = Capture::new(Method::Uploaded, None, b"\xff\xd8one");
        let other = Capture::new(Method::Manual, None, b"\xff\xd8onf");
        assert_eq!(one.sha256, same.sha256);
        assert_ne!(one.sha256, other.sha256);
    }
}
