//! The file rules: which images are accepted (sniffed from the bytes, never the name, since names
//! and declared types are whatever the sender says), how big they may be, and the `data:` URLs that
//! carry them. [`check_file`] is the member rule (the component and the gateway); the local API
//! server, standing in for Nexudus, applies the more lenient [`check_stored_file`].

mod base64;

use std::fmt;

use crate::error::CoreError;
use crate::violation::Violation;

/// The largest file accepted, 10 MB: a phone photo of a document fits well within it.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// The smallest file accepted. No photo of a face or a document is this small; anything smaller
/// is a placeholder or a broken upload.
pub const MIN_FILE_BYTES: usize = 100;

/// An accepted image type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageType {
    Jpeg,
    Png,
    Webp,
}

impl ImageType {
    /// Every accepted type.
    pub const ALL: [ImageType; 3] = [ImageType::Jpeg, ImageType::Png, ImageType::Webp];

    /// The media type, e.g. `image/jpeg`.
    pub const fn mime(self) -> &'static str {
        match self {
            ImageType::Jpeg => "image/jpeg",
            ImageType::Png => "image/png",
            ImageType::Webp => "image/webp",
        }
    }

    /// The file name extension to store it under, without the dot.
    pub const fn extension(self) -> &'static str {
        match self {
            ImageType::Jpeg => "jpg",
            ImageType::Png => "png",
            ImageType::Webp => "webp",
        }
    }

    /// The name people know it by, e.g. `JPEG`.
    pub const fn name(self) -> &'static str {
        match self {
            ImageType::Jpeg => "JPEG",
            ImageType::Png => "PNG",
            ImageType::Webp => "WebP",
        }
    }

    /// Whether `bytes` start with this type's magic number.
    fn starts(self, bytes: &[u8]) -> bool {
        match self {
            ImageType::Jpeg => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
            ImageType::Png => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            ImageType::Webp => bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP"),
        }
    }
}

impl fmt::Display for ImageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The accepted types for people, e.g. `JPEG, PNG or WebP`.
pub fn accepted_types() -> String {
    let names: Vec<&str> = ImageType::ALL.iter().map(|image| image.name()).collect();
    match names.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// The accepted media types as an `<input type="file" accept="…">` value.
pub fn accept_attribute() -> String {
    let mimes: Vec<&str> = ImageType::ALL.iter().map(|image| image.mime()).collect();
    mimes.join(",")
}

/// The image type of `bytes`, from their magic number.
pub fn sniff(bytes: &[u8]) -> Option<ImageType> {
    ImageType::ALL.into_iter().find(|image| image.starts(bytes))
}

/// Whether a member may send `bytes` as `property`'s file: not empty, within the size limits and
/// an accepted image type. The violation's `attempted` is `null`; the caller knows what was sent
/// (see [`Violation::with_attempted`]).
///
/// # Errors
///
/// The first problem found, in the order empty, too small, too large, not an accepted image.
pub fn check_file(property: &str, bytes: &[u8]) -> Result<ImageType, Violation> {
    if !bytes.is_empty() && bytes.len() < MIN_FILE_BYTES {
        Err(Violation::file_too_small(property, MIN_FILE_BYTES))
    } else {
        check_stored_file(property, bytes)
    }
}

/// Whether the API stores `bytes` as `property`'s file: not empty, at most [`MAX_FILE_BYTES`], and
/// an accepted image type however small. The seeds state no minimum size; [`MIN_FILE_BYTES`] is a
/// member rule that catches placeholders and broken captures before they are sent, so the local
/// API server, standing in for Nexudus, leaves it to [`check_file`]'s callers.
///
/// # Errors
///
/// The first problem found, in the order empty, too large, not an accepted image.
pub fn check_stored_file(property: &str, bytes: &[u8]) -> Result<ImageType, Violation> {
    if bytes.is_empty() {
        Err(Violation::file_empty(property))
    } else if bytes.len() > MAX_FILE_BYTES {
        Err(Violation::file_too_large(property, MAX_FILE_BYTES))
    } else {
        sniff(bytes).ok_or_else(|| Violation::file_not_an_image(property, &accepted_types()))
    }
}

/// Reads a `data:` URL (RFC 2397), e.g. `data:image/jpeg;base64,/9j/…`, into its declared media
/// type (lower-cased, without parameters, `None` when it declares none) and its bytes.
///
/// The declared type is only informative: run [`check_file`] on the bytes.
///
/// # Errors
///
/// [`CoreError::InvalidDataUrl`] when it is not a `data:` URL or has a bad `%`-escape, and
/// [`CoreError::InvalidBase64`] when its base64 payload does not decode.
pub fn parse_data_url(url: &str) -> Result<(Option<String>, Vec<u8>), CoreError> {
    let url = url.trim();
    let rest = url
        .get(..5)
        .filter(|scheme| scheme.eq_ignore_ascii_case("data:"))
        .map(|_| &url[5..])
        .ok_or(CoreError::InvalidDataUrl {
            reason: "it does not start with data:",
        })?;
    let (header, payload) = rest.split_once(',').ok_or(CoreError::InvalidDataUrl {
        reason: "it has no comma before the data",
    })?;
    let mut parameters = header.split(';');
    let media_type = parameters
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let is_base64 = parameters.any(|parameter| parameter.trim().eq_ignore_ascii_case("base64"));
    let bytes = if is_base64 {
        base64::decode(payload)?
    } else {
        percent_decode(payload)?
    };
    Ok(((!media_type.is_empty()).then_some(media_type), bytes))
}

/// `bytes` as a base64 `data:` URL of type `image`.
pub fn to_data_url(image: ImageType, bytes: &[u8]) -> String {
    format!("data:{};base64,{}", image.mime(), base64::encode(bytes))
}

fn percent_decode(text: &str) -> Result<Vec<u8>, CoreError> {
    const BAD_ESCAPE: CoreError = CoreError::InvalidDataUrl {
        reason: "it has a bad %-escape",
    };
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        if byte == b'%' {
            let escape = tail.get(..2).ok_or(BAD_ESCAPE)?;
            let value = hex_digit(escape[0])
                .zip(hex_digit(escape[1]))
                .ok_or(BAD_ESCAPE)?;
            bytes.push((value.0 << 4) | value.1);
            rest = &tail[2..];
        } else {
            bytes.push(byte);
            rest = tail;
        }
    }
    Ok(bytes)
}

fn hex_digit(byte: u8) -> Option<u8> {
    char::from(byte)
        .to_digit(16)
        .and_then(|digit| u8::try_from(digit).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::violation::ViolationCode;

    const JPEG: &[u8] = &[
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00,
    ];
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
    const WEBP: &[u8] = b"RIFF\x24\x00\x00\x00WEBPVP8 ";

    /// `header` padded with zeros to `length` bytes, a stand-in for an image of that size.
    fn image(header: &[u8], length: usize) -> Vec<u8> {
        let mut bytes = header.to_vec();
        bytes.resize(length, 0);
        bytes
    }

    #[test]
    fn sniffs_magic_numbers_and_rejects_near_misses() {
        let cases: &[(&str, &[u8], Option<ImageType>)] = &[
            ("JPEG/JFIF", JPEG, Some(ImageType::Jpeg)),
            (
                "JPEG/Exif",
                &[0xFF, 0xD8, 0xFF, 0xE1],
                Some(ImageType::Jpeg),
            ),
            ("PNG", PNG, Some(ImageType::Png)),
            ("WebP", WEBP, Some(ImageType::Webp)),
            (
                "JPEG missing its third byte",
                &[0xFF, 0xD8, 0x00, 0xE0],
                None,
            ),
            ("JPEG truncated", &[0xFF, 0xD8], None),
            ("PNG with a Unix line ending", b"\x89PNG\n\x1a\n\x00", None),
            ("PNG without its high byte", b"PNG\r\n\x1a\n", None),
            (
                "WAV, a RIFF that is not WebP",
                b"RIFF\x24\x00\x00\x00WAVEfmt ",
                None,
            ),
            ("WebP truncated", b"RIFF\x24\x00\x00\x00WEB", None),
            ("GIF", b"GIF89a\x01\x00", None),
            ("PDF", b"%PDF-1.7\n", None),
            ("text", b"hello, world", None),
            ("empty", b"", None),
        ];
        for &(label, bytes, expected) in cases {
            assert_eq!(sniff(bytes), expected, "{label}");
        }
    }

    #[test]
    fn check_file_reports_each_problem() {
        let cases: &[(&str, Vec<u8>, Result<ImageType, ViolationCode>)] = &[
            ("empty", vec![], Err(ViolationCode::FileEmpty)),
            (
                "one byte short of the minimum",
                image(PNG, MIN_FILE_BYTES - 1),
                Err(ViolationCode::FileTooSmall),
            ),
            (
                "the minimum",
                image(PNG, MIN_FILE_BYTES),
                Ok(ImageType::Png),
            ),
            (
                "the maximum",
                image(JPEG, MAX_FILE_BYTES),
                Ok(ImageType::Jpeg),
            ),
            (
                "one byte over the maximum",
                image(JPEG, MAX_FILE_BYTES + 1),
                Err(ViolationCode::FileTooLarge),
            ),
            ("a WebP", image(WEBP, 4096), Ok(ImageType::Webp)),
            (
                "a GIF",
                image(b"GIF89a", 4096),
                Err(ViolationCode::FileNotAnImage),
            ),
        ];
        for (label, bytes, expected) in cases {
            let checked = check_file("NewPhotoUrl", bytes).map_err(|violation| {
                assert_eq!(violation.property, "NewPhotoUrl", "{label}");
                violation.code
            });
            assert_eq!(&checked, expected, "{label}");
        }
    }

    #[test]
    fn check_stored_file_takes_any_real_image_however_small() {
        let cases: &[(&str, Vec<u8>, Result<ImageType, ViolationCode>)] = &[
            ("empty", vec![], Err(ViolationCode::FileEmpty)),
            (
                "a bare JPEG magic number",
                vec![0xFF, 0xD8, 0xFF],
                Ok(ImageType::Jpeg),
            ),
            ("a PNG header alone", PNG.to_vec(), Ok(ImageType::Png)),
            ("a WebP header alone", WEBP.to_vec(), Ok(ImageType::Webp)),
            (
                "one byte short of the member minimum",
                image(PNG, MIN_FILE_BYTES - 1),
                Ok(ImageType::Png),
            ),
            (
                "the maximum",
                image(WEBP, MAX_FILE_BYTES),
                Ok(ImageType::Webp),
            ),
            (
                "one byte over the maximum",
                image(JPEG, MAX_FILE_BYTES + 1),
                Err(ViolationCode::FileTooLarge),
            ),
            (
                "a small GIF",
                b"GIF89a\x01\x00".to_vec(),
                Err(ViolationCode::FileNotAnImage),
            ),
            (
                "a truncated JPEG magic number",
                vec![0xFF, 0xD8],
                Err(ViolationCode::FileNotAnImage),
            ),
            (
                "a large text",
                image(b"hello", 4096),
                Err(ViolationCode::FileNotAnImage),
            ),
        ];
        for (label, bytes, expected) in cases {
            let checked = check_stored_file("NewDocumentUrl", bytes).map_err(|violation| {
                assert_eq!(violation.property, "NewDocumentUrl", "{label}");
                violation.code
            });
            assert_eq!(&checked, expected, "{label}");
        }
    }

    #[test]
    fn what_check_file_accepts_is_stored() {
        // A file a member may send is one the API stores: the member rule only adds the minimum.
        for length in [0, 1, 3, 12, MIN_FILE_BYTES - 1, MIN_FILE_BYTES, 4096] {
            for header in [JPEG, PNG, WEBP, b"GIF89a".as_slice()] {
                // Shorter than its header, the magic number is cut: no longer an image.
                let bytes = image(header, length);
                let member = check_file("NewPhotoUrl", &bytes);
                let stored = check_stored_file("NewPhotoUrl", &bytes);
                if let Ok(kind) = member {
                    assert_eq!(stored, Ok(kind), "{length} bytes of {header:?}");
                }
                if length > 0 && length < MIN_FILE_BYTES && stored.is_ok() {
                    assert_eq!(
                        member.map_err(|v| v.code),
                        Err(ViolationCode::FileTooSmall),
                        "{length} bytes of {header:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn messages_state_the_cap_and_the_accepted_types() {
        let too_large = check_file("NewDocumentUrl", &image(PNG, MAX_FILE_BYTES + 1)).unwrap_err();
        assert_eq!(too_large.message, "is larger than the 10 MB limit");
        let not_an_image = check_file("NewDocumentUrl", &image(b"GIF89a", 500)).unwrap_err();
        assert_eq!(
            not_an_image.message,
            "is not an accepted image type (JPEG, PNG or WebP)"
        );
    }

    #[test]
    fn image_types_name_their_mime_and_extension() {
        let described: Vec<String> = ImageType::ALL
            .iter()
            .map(|image| format!("{image} {} .{}", image.mime(), image.extension()))
            .collect();
        assert_eq!(
            described,
            [
                "JPEG image/jpeg .jpg",
                "PNG image/png .png",
                "WebP image/webp .webp"
            ]
        );
        assert_eq!(accepted_types(), "JPEG, PNG or WebP");
        assert_eq!(accept_attribute(), "image/jpeg,image/png,image/webp");
    }

    #[test]
    fn data_url_round_trips_each_type() {
        for (image_type, header) in [
            (ImageType::Jpeg, JPEG),
            (ImageType::Png, PNG),
            (ImageType::Webp, WEBP),
        ] {
            let bytes = image(header, 300);
            let url = to_data_url(image_type, &bytes);
            assert!(
                url.starts_with(&format!("data:{};base64,", image_type.mime())),
                "{url}"
            );
            let (mime, parsed) = parse_data_url(&url).expect("parses");
            assert_eq!(mime.as_deref(), Some(image_type.mime()));
            assert_eq!(check_file("NewPhotoUrl", &parsed), Ok(image_type));
            assert_eq!(parsed, bytes);
        }
    }

    #[test]
    fn parse_data_url_reads_the_forms_browsers_write() {
        let cases: &[(&str, Option<&str>, &[u8])] = &[
            (
                "data:image/jpeg;base64,/9j/4A==",
                Some("image/jpeg"),
                &[0xFF, 0xD8, 0xFF, 0xE0],
            ),
            (
                "DATA:Image/PNG;BASE64,iVBORw==",
                Some("image/png"),
                b"\x89PNG",
            ),
            (
                "data:image/png;name=scan.png;base64,iVBORw",
                Some("image/png"),
                b"\x89PNG",
            ),
            ("data:;base64,Zm9v", None, b"foo"),
            ("data:,a%20b%2Cc", None, b"a b,c"),
            (
                "data:text/plain;charset=utf-8,hi",
                Some("text/plain"),
                b"hi",
            ),
            (
                "  data:image/webp;base64,UklGRg==\n",
                Some("image/webp"),
                b"RIFF",
            ),
        ];
        for &(url, mime, bytes) in cases {
            assert_eq!(
                parse_data_url(url),
                Ok((mime.map(str::to_owned), bytes.to_vec())),
                "{url:?}"
            );
        }
    }

    #[test]
    fn parse_data_url_rejects_the_rest() {
        let cases = [
            (
                "https://example.com/a.jpg",
                CoreError::InvalidDataUrl {
                    reason: "it does not start with data:",
                },
            ),
            (
                "dat",
                CoreError::InvalidDataUrl {
                    reason: "it does not start with data:",
                },
            ),
            (
                "data:image/png;base64",
                CoreError::InvalidDataUrl {
                    reason: "it has no comma before the data",
                },
            ),
            (
                "data:image/png;base64,iVB*Rw==",
                CoreError::InvalidBase64 { offset: 3 },
            ),
            (
                "data:,100%",
                CoreError::InvalidDataUrl {
                    reason: "it has a bad %-escape",
                },
            ),
            (
                "data:,%+1",
                CoreError::InvalidDataUrl {
                    reason: "it has a bad %-escape",
                },
            ),
            (
                "data:,%é",
                CoreError::InvalidDataUrl {
                    reason: "it has a bad %-escape",
                },
            ),
        ];
        for (url, error) in cases {
            assert_eq!(parse_data_url(url), Err(error), "{url:?}");
        }
    }
}
