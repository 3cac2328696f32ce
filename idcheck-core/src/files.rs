//! The file rules: which images are accepted (sniffed from the bytes, never the name, since names
//! and declared types are whatever the sender says), how big they may be, and the `data:` URLs that
//! carry them. [`check_file`] is the member rule (the component and the gateway); the local API
//! server, standing in for Nexudus, applies the more lenient [`check_stored_file`].
//!
//! A PDF (sniffed as `%PDF-`, within the same size limits) is accepted where a slot's
//! [`Accepts::for_slot`] says so: an address document's pages, since most bills and leases are
//! PDFs; identity documents are photographed. The API itself stores any of them ("a file" in the
//! seeds), so the server takes a PDF in any slot; [`check_member_file`] is the member's rule.

mod base64;
pub mod pdf;

use std::fmt;

use crate::error::CoreError;
use crate::slots::{DocumentKind, Slot};
use crate::violation::{Violation, ViolationCode};

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

/// A type of file the API stores: an image, or a PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileType {
    Image(ImageType),
    Pdf,
}

impl FileType {
    /// The media type, e.g. `image/jpeg` or `application/pdf`.
    pub const fn mime(self) -> &'static str {
        match self {
            FileType::Image(image) => image.mime(),
            FileType::Pdf => "application/pdf",
        }
    }

    /// The file name extension to store it under, without the dot.
    pub const fn extension(self) -> &'static str {
        match self {
            FileType::Image(image) => image.extension(),
            FileType::Pdf => "pdf",
        }
    }

    /// The name people know it by.
    pub const fn name(self) -> &'static str {
        match self {
            FileType::Image(image) => image.name(),
            FileType::Pdf => "PDF",
        }
    }

    /// The type a stored file's media type names (`image/png; q=1` included).
    pub fn from_mime(mime: &str) -> Option<FileType> {
        let mime = mime.split(';').next().unwrap_or_default().trim();
        ImageType::ALL
            .into_iter()
            .map(FileType::Image)
            .chain([FileType::Pdf])
            .find(|file| file.mime().eq_ignore_ascii_case(mime))
    }
}

impl From<ImageType> for FileType {
    fn from(image: ImageType) -> FileType {
        FileType::Image(image)
    }
}

impl fmt::Display for FileType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a member may send for a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Accepts {
    /// A JPEG, PNG or WebP image.
    Images,
    /// An image, or a PDF.
    ImagesOrPdf,
}

impl Accepts {
    /// What a member may send for `slot` of a document of `kind`: a PDF for an address
    /// document's pages (front and back), an image everywhere else. An identity document is a
    /// physical card or booklet the reviewer must see as photographed, and a face is a photo.
    pub const fn for_slot(kind: DocumentKind, slot: Slot) -> Accepts {
        match (kind, slot) {
            (DocumentKind::Address(_), Slot::Front | Slot::Back) => Accepts::ImagesOrPdf,
            _ => Accepts::Images,
        }
    }

    /// Whether a file of type `file` may be sent.
    pub const fn allows(self, file: FileType) -> bool {
        matches!(
            (self, file),
            (_, FileType::Image(_)) | (Accepts::ImagesOrPdf, FileType::Pdf)
        )
    }

    /// The types for people, e.g. `JPEG, PNG, WebP or PDF`.
    pub fn names(self) -> String {
        let mut names: Vec<&str> = ImageType::ALL.iter().map(|image| image.name()).collect();
        if self == Accepts::ImagesOrPdf {
            names.push(FileType::Pdf.name());
        }
        match names.split_last() {
            Some((last, [])) => (*last).to_owned(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }

    /// The media types as an `<input type="file" accept="…">` value.
    pub fn accept_attribute(self) -> String {
        let mut mimes: Vec<&str> = ImageType::ALL.iter().map(|image| image.mime()).collect();
        if self == Accepts::ImagesOrPdf {
            mimes.push(FileType::Pdf.mime());
        }
        mimes.join(",")
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

/// The file type of `bytes`, from their magic number: an image, or a PDF (`%PDF-`).
pub fn sniff_file(bytes: &[u8]) -> Option<FileType> {
    sniff(bytes)
        .map(FileType::Image)
        .or_else(|| bytes.starts_with(pdf::MAGIC).then_some(FileType::Pdf))
}

/// Whether a member may send `bytes` as `property`'s file: not empty, within the size limits and
/// an accepted image type. The violation's `attempted` is `null`; the caller knows what was sent
/// (see [`Violation::with_attempted`]).
///
/// # Errors
///
/// The first problem found, in the order empty, too small, too large, not an accepted image.
pub fn check_file(property: &str, bytes: &[u8]) -> Result<ImageType, Violation> {
    match check_member_file(property, bytes, Accepts::Images)? {
        FileType::Image(image) => Ok(image),
        FileType::Pdf => Err(pdf_not_taken(property)),
    }
}

/// Whether a member may send `bytes` as `property`'s file where `accepts` says what the slot
/// takes: [`check_file`]'s rules, with a PDF allowed where the slot takes one.
///
/// # Errors
///
/// The first problem found, in the order empty, too small, too large, not an accepted type (a
/// PDF where only images are taken is named as such).
pub fn check_member_file(
    property: &str,
    bytes: &[u8],
    accepts: Accepts,
) -> Result<FileType, Violation> {
    if !bytes.is_empty() && bytes.len() < MIN_FILE_BYTES {
        return Err(Violation::file_too_small(property, MIN_FILE_BYTES));
    }
    match check_stored_file(property, bytes) {
        Ok(file) if accepts.allows(file) => Ok(file),
        Ok(_) => Err(pdf_not_taken(property)),
        Err(violation) if violation.code == ViolationCode::FileNotAnImage => {
            Err(not_accepted(property, accepts))
        }
        Err(violation) => Err(violation),
    }
}

/// A file of none of the types `accepts` names.
fn not_accepted(property: &str, accepts: Accepts) -> Violation {
    match accepts {
        Accepts::Images => Violation::file_not_an_image(property, &accepted_types()),
        Accepts::ImagesOrPdf => {
            let message = format!("is not an accepted file type ({})", accepts.names());
            Violation::new(property, ViolationCode::FileNotAnImage, message)
        }
    }
}

/// A PDF sent where only images are taken (an identity document, a face photo).
pub fn pdf_not_taken(property: &str) -> Violation {
    let message = format!(
        "is a PDF, which only an address document's pages may be (send a {} image)",
        Accepts::Images.names()
    );
    Violation::new(property, ViolationCode::FileNotAnImage, message)
}

/// Whether the API stores `bytes` as `property`'s file: not empty, at most [`MAX_FILE_BYTES`], and
/// an accepted image type or a PDF however small. The seeds state no minimum size; [`MIN_FILE_BYTES`]
/// is a member rule that catches placeholders and broken captures before they are sent, so the
/// local API server, standing in for Nexudus, leaves it to [`check_file`]'s callers. Nor do they
/// restrict a file's type by slot ("URL of a new file"): which slots take a PDF is the member's
/// rule ([`Accepts::for_slot`]).
///
/// # Errors
///
/// The first problem found, in the order empty, too large, not an accepted type.
pub fn check_stored_file(property: &str, bytes: &[u8]) -> Result<FileType, Violation> {
    if bytes.is_empty() {
        Err(Violation::file_empty(property))
    } else if bytes.len() > MAX_FILE_BYTES {
        Err(Violation::file_too_large(property, MAX_FILE_BYTES))
    } else {
        sniff_file(bytes).ok_or_else(|| not_accepted(property, Accepts::ImagesOrPdf))
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

/// `bytes` as a base64 `data:` URL of type `file` (an [`ImageType`] or a [`FileType`]).
pub fn to_data_url(file: impl Into<FileType>, bytes: &[u8]) -> String {
    format!(
        "data:{};base64,{}",
        file.into().mime(),
        base64::encode(bytes)
    )
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
            assert_eq!(checked, expected.map(FileType::Image), "{label}");
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
                    assert_eq!(
                        stored,
                        Ok(FileType::Image(kind)),
                        "{length} bytes of {header:?}"
                    );
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

    /// A small but complete one-page PDF.
    fn one_page_pdf() -> Vec<u8> {
        let mut bytes = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
            2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
            3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n\
            trailer << /Root 1 0 R >>\n%%EOF\n"
            .to_vec();
        bytes.resize(bytes.len().max(MIN_FILE_BYTES), b'\n');
        bytes
    }

    #[test]
    fn a_pdf_is_sniffed_by_its_magic_number_and_taken_only_where_the_slot_takes_one() {
        use crate::model::{AddressDocumentType, IdentityDocumentType};
        let pdf = one_page_pdf();
        assert_eq!(sniff_file(&pdf), Some(FileType::Pdf));
        assert_eq!(sniff(&pdf), None, "not an image");
        assert_eq!(sniff_file(b"%PDF"), None, "the magic number is %PDF-");
        assert_eq!(sniff_file(b" %PDF-1.4"), None, "at the very start");
        assert_eq!(sniff_file(PNG), Some(FileType::Image(ImageType::Png)));
        assert_eq!(pdf::page_count(&pdf), Some(1));

        let address = DocumentKind::Address(AddressDocumentType::LeaseRentalAgreement);
        let identity = DocumentKind::Identity(IdentityDocumentType::IdCard);
        assert_eq!(
            Accepts::for_slot(address, Slot::Front),
            Accepts::ImagesOrPdf
        );
        assert_eq!(Accepts::for_slot(address, Slot::Back), Accepts::ImagesOrPdf);
        assert_eq!(Accepts::for_slot(address, Slot::Photo), Accepts::Images);
        for slot in Slot::ALL {
            assert_eq!(
                Accepts::for_slot(identity, slot),
                Accepts::Images,
                "{slot:?}"
            );
        }

        let taken = check_member_file("NewDocumentUrl", &pdf, Accepts::ImagesOrPdf);
        assert_eq!(taken, Ok(FileType::Pdf));
        let refused = check_member_file("NewDocumentUrl", &pdf, Accepts::Images).unwrap_err();
        assert_eq!(refused.code, ViolationCode::FileNotAnImage);
        assert_eq!(
            refused.message,
            "is a PDF, which only an address document's pages may be (send a JPEG, PNG or WebP \
             image)"
        );
        assert_eq!(check_file("NewDocumentUrl", &pdf), Err(refused));
        // The same limits as an image: 10 MB, and the member's minimum.
        let mut large = pdf.clone();
        large.resize(MAX_FILE_BYTES + 1, b' ');
        assert_eq!(
            check_member_file("NewDocumentUrl", &large, Accepts::ImagesOrPdf).map_err(|v| v.code),
            Err(ViolationCode::FileTooLarge)
        );
        assert_eq!(
            check_member_file("NewDocumentUrl", b"%PDF-1.4\n", Accepts::ImagesOrPdf)
                .map_err(|v| v.code),
            Err(ViolationCode::FileTooSmall)
        );
        let gif = image(b"GIF89a", 500);
        assert_eq!(
            check_member_file("NewDocumentUrl", &gif, Accepts::ImagesOrPdf)
                .unwrap_err()
                .message,
            "is not an accepted file type (JPEG, PNG, WebP or PDF)"
        );
        // The API stores a PDF in any slot, however small.
        assert_eq!(
            check_stored_file("NewPhotoUrl", b"%PDF-"),
            Ok(FileType::Pdf)
        );
    }

    #[test]
    fn file_types_name_their_mime_and_extension_and_read_back() {
        assert_eq!(
            (
                FileType::Pdf.mime(),
                FileType::Pdf.extension(),
                FileType::Pdf.to_string()
            ),
            ("application/pdf", "pdf", "PDF".to_string())
        );
        for file in ImageType::ALL
            .into_iter()
            .map(FileType::from)
            .chain([FileType::Pdf])
        {
            assert_eq!(FileType::from_mime(file.mime()), Some(file));
        }
        assert_eq!(
            FileType::from_mime("Application/PDF; charset=binary"),
            Some(FileType::Pdf)
        );
        assert_eq!(FileType::from_mime("image/gif"), None);
        assert_eq!(Accepts::Images.accept_attribute(), accept_attribute());
        assert_eq!(
            Accepts::ImagesOrPdf.accept_attribute(),
            "image/jpeg,image/png,image/webp,application/pdf"
        );
        let pdf = one_page_pdf();
        let url = to_data_url(FileType::Pdf, &pdf);
        assert!(url.starts_with("data:application/pdf;base64,"), "{url}");
        let (mime, bytes) = parse_data_url(&url).unwrap();
        assert_eq!((mime.as_deref(), bytes), (Some("application/pdf"), pdf));
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
