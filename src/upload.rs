//! A file the member chose for a slot, before it is kept: a PDF (where the slot takes one, as the
//! core's `files::Accepts` says) is read and checked whole and kept exactly as chosen, since a PDF
//! is never put through a canvas; anything else goes on to the capture step's image path, which
//! decodes, analyses and re-encodes it.

use idcheck_core::files::{self, Accepts, FileType};

use crate::browser;
use crate::i18n::{Text, violation_text};

/// What the chosen file turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chosen {
    /// A PDF the slot takes, checked by the file rules: its bytes, to keep as they are.
    Pdf(Vec<u8>),
    /// Not a PDF: for the image path (which checks it is an image).
    Image,
}

/// Tells a PDF from an image by its first bytes (`%PDF-`, never the name or the browser's type),
/// refusing a PDF where the slot takes only images and one over the size limit before reading it.
pub async fn pdf_or_image(file: &web_sys::File, accepts: Accepts) -> Result<Chosen, Text> {
    if file.size() > files::MAX_FILE_BYTES as f64 {
        return Err(Text::FileTooLarge);
    }
    let head = file
        .slice_with_i32_and_i32(0, files::pdf::MAGIC.len() as i32)
        .map_err(|_| Text::FileUnreadable)?;
    let head = browser::file_bytes(&head)
        .await
        .map_err(|_| Text::FileUnreadable)?;
    if files::sniff_file(&head) != Some(FileType::Pdf) {
        return Ok(Chosen::Image);
    }
    if !accepts.allows(FileType::Pdf) {
        return Err(Text::FilePdfAddressOnly);
    }
    let bytes = browser::file_bytes(file)
        .await
        .map_err(|_| Text::FileUnreadable)?;
    files::check_member_file("file", &bytes, accepts).map_err(|v| violation_text(&v))?;
    Ok(Chosen::Pdf(bytes))
}

/// The text for a file the image path refused: where a PDF would have been taken too, the member
/// is told so.
pub fn image_refused(text: Text, accepts: Accepts) -> Text {
    match (text, accepts) {
        (Text::FileNotAnImage, Accepts::ImagesOrPdf) => Text::FileNotADocument,
        _ => text,
    }
}
