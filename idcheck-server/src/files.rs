//! Stored images: the folder they live in (documents' files and uploads), and checking bytes given
//! for a record's `New…Url` (what a URL points at is `routes::sources`' business; fetching one is
//! `fetch`'s). Disk only: no network, no database, no HTTP.
//!
//! Every file is checked with the core's `check_stored_file`, the API's own rule: any JPEG, PNG,
//! WebP or PDF up to 10 MB, however small, in any slot. The member rule (`check_file`, which adds a 100-byte minimum)
//! is the component's and the gateway's; it accepts a subset, so a file the browser accepts is a
//! file this server accepts.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use idcheck_core::files::{self, FileType};
use idcheck_core::violation::{Violation, ViolationCode};

/// Where documents' files and uploads are kept.
pub struct FileStore {
    root: PathBuf,
    /// A temporary folder (with `--database :memory:`), removed when the store is dropped.
    temporary: bool,
}

impl FileStore {
    /// Opens `dir`, or a fresh temporary folder when `dir` is `None`.
    pub fn open(dir: Option<PathBuf>) -> Result<FileStore, String> {
        let (root, temporary) = match dir {
            Some(dir) => (dir, false),
            None => {
                sweep_stale_temporary_folders();
                let name = format!(
                    "{TEMP_PREFIX}{}-{}",
                    std::process::id(),
                    uuid::Uuid::new_v4().simple()
                );
                (std::env::temp_dir().join(name), true)
            }
        };
        for sub in [DOCUMENTS, UPLOADS] {
            std::fs::create_dir_all(root.join(sub))
                .map_err(|err| format!("cannot create {}: {err}", root.join(sub).display()))?;
        }
        Ok(FileStore { root, temporary })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Stores a document's file under a new name and returns the name.
    pub fn write_document_file(&self, file: FileType, bytes: &[u8]) -> std::io::Result<String> {
        let name = format!("{}.{}", uuid::Uuid::new_v4(), file.extension());
        std::fs::write(self.root.join(DOCUMENTS).join(&name), bytes)?;
        Ok(name)
    }

    pub fn read_document_file(&self, name: &str) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.root.join(DOCUMENTS).join(checked_name(name)?))
    }

    /// Removes a document's file; one already gone is not an error (the goal is reached).
    pub fn remove_document_file(&self, name: &str) {
        if let Ok(name) = checked_name(name) {
            let _ = std::fs::remove_file(self.root.join(DOCUMENTS).join(name));
        }
    }

    pub fn write_upload(&self, file: FileType, bytes: &[u8]) -> std::io::Result<String> {
        let name = format!("{}.{}", uuid::Uuid::new_v4(), file.extension());
        std::fs::write(self.root.join(UPLOADS).join(&name), bytes)?;
        Ok(name)
    }

    pub fn read_upload(&self, name: &str) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.root.join(UPLOADS).join(checked_name(name)?))
    }

    pub fn remove_upload(&self, name: &str) {
        if let Ok(name) = checked_name(name) {
            let _ = std::fs::remove_file(self.root.join(UPLOADS).join(name));
        }
    }

    /// Names of at most `limit` upload files last written more than `age` ago: what the
    /// retention sweep looks at besides the table (a file whose row was never written).
    pub fn uploads_older_than(&self, age: Duration, limit: usize) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.root.join(UPLOADS)) else {
            return Vec::new();
        };
        let now = SystemTime::now();
        entries
            .flatten()
            .filter(|entry| {
                entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|modified| now.duration_since(modified).unwrap_or_default() > age)
            })
            .filter_map(|entry| entry.file_name().into_string().ok())
            .filter(|name| checked_name(name).is_ok())
            .take(limit)
            .collect()
    }
}

impl Drop for FileStore {
    fn drop(&mut self) {
        if self.temporary {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}

const DOCUMENTS: &str = "documents";
const UPLOADS: &str = "uploads";
const TEMP_PREFIX: &str = "idcheck-server-files-";

/// Names come from our own `uuid.ext` scheme; anything else (a `..`, a slash) is refused so a
/// stored or requested name can never reach outside the folder.
fn checked_name(name: &str) -> std::io::Result<&str> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && !name.starts_with('.');
    if valid {
        Ok(name)
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "not a stored file name",
        ))
    }
}

/// A server killed without a chance to clean up (tests end it with SIGKILL) leaves its temporary
/// folder behind; the next start removes the folders of processes that no longer run.
fn sweep_stale_temporary_folders() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(TEMP_PREFIX)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        // Only where /proc tells whether a process lives; elsewhere leave the folder alone.
        if Path::new("/proc/self").exists() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// File bytes (an image or a PDF) that passed the core's file rule for stored files.
#[derive(Debug, Clone)]
pub struct Image {
    pub kind: FileType,
    pub bytes: Vec<u8>,
}

/// Checks bytes given for `property` by the API's own rule (`check_stored_file`).
pub fn check(property: &str, bytes: Vec<u8>, url: &str) -> Result<Image, Violation> {
    match files::check_stored_file(property, &bytes) {
        Ok(kind) => Ok(Image { kind, bytes }),
        Err(violation) => Err(violation.with_attempted(shorten(url))),
    }
}

/// Reads a `data:` URL given for `property`.
pub fn from_data_url(property: &str, url: &str) -> Result<Image, Violation> {
    let (_declared, bytes) = files::parse_data_url(url).map_err(|err| {
        let message = format!("is not a readable data: URL ({err})");
        Violation::new(property, ViolationCode::FileNotAnImage, message)
            .with_attempted(shorten(url))
    })?;
    check(property, bytes, url)
}

/// A `data:` URL can be megabytes long; an error's `AttemptedValue` only needs its start.
pub fn shorten(url: &str) -> String {
    const KEEP: usize = 120;
    let url = url.trim();
    if url.len() <= KEEP {
        return url.to_string();
    }
    let mut end = KEEP;
    while !url.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &url[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use idcheck_core::files::ImageType;

    fn png(len: usize) -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        bytes.resize(len, 0);
        bytes
    }

    #[test]
    fn data_urls_are_decoded_and_checked() {
        let url = files::to_data_url(ImageType::Png, &png(200));
        let image = from_data_url("NewPhotoUrl", &url).unwrap();
        assert_eq!(
            (image.kind, image.bytes.len()),
            (ImageType::Png.into(), 200)
        );
        let text = "data:text/plain;base64,aGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8gd29ybGQ=";
        let refused = from_data_url("NewPhotoUrl", text).unwrap_err();
        assert_eq!(refused.property, "NewPhotoUrl");
        assert!(from_data_url("NewPhotoUrl", "data:image/png;base64,@@@").is_err());
    }

    #[test]
    fn any_real_image_is_taken_however_small() {
        let url = files::to_data_url(ImageType::Png, &png(8));
        let image = from_data_url("NewDocumentUrl", &url).unwrap();
        assert_eq!((image.kind, image.bytes.len()), (ImageType::Png.into(), 8));
        // A PDF is a file the API stores too (a bill, a lease), in any slot.
        let pdf = b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n%%EOF\n";
        let url = files::to_data_url(FileType::Pdf, pdf);
        let stored = from_data_url("NewPhotoUrl", &url).unwrap();
        assert_eq!(stored.kind, FileType::Pdf);
        let refused = check(
            "NewDocumentUrl",
            b"GIF89a".to_vec(),
            "https://example.com/a.gif",
        )
        .unwrap_err();
        assert_eq!(
            (refused.property.as_str(), refused.attempted.as_str()),
            ("NewDocumentUrl", Some("https://example.com/a.gif"))
        );
    }

    #[test]
    fn stored_names_cannot_escape_the_folder() {
        assert!(checked_name("../etc/passwd").is_err());
        assert!(checked_name("a/b.png").is_err());
        assert!(checked_name(".hidden").is_err());
        assert!(checked_name("0f8e-1.png").is_ok());
    }

    #[test]
    fn a_temporary_store_keeps_files_and_removes_itself() {
        let store = FileStore::open(None).unwrap();
        let root = store.root().to_path_buf();
        let name = store
            .write_document_file(ImageType::Png.into(), &png(150))
            .unwrap();
        assert_eq!(store.read_document_file(&name).unwrap().len(), 150);
        store.remove_document_file(&name);
        assert!(store.read_document_file(&name).is_err());
        drop(store);
        assert!(!root.exists());
    }

    #[test]
    fn long_urls_are_shortened_on_a_char_boundary() {
        let long = "é".repeat(200);
        let short = shorten(&long);
        assert!(short.ends_with('…'));
        assert!(short.len() < long.len());
    }
}
