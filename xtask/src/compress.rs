//! Precompression: the build writes `.br` and `.gz` beside each text or wasm asset of `dist/`, so
//! the servers send the smallest encoding the browser accepts without compressing per request.

use std::io::Write;
use std::path::Path;

/// The assets worth compressing; images and fonts are compressed already. Pages are left as they
/// are: they are small, and the gateway reads a page to admit its inline loader by hash.
const COMPRESSIBLE: [&str; 6] = ["wasm", "js", "css", "json", "svg", "txt"];

/// Writes `NAME.br` and `NAME.gz` beside every compressible file under `dist`, skipping an encoding
/// that would not be smaller (a server then sends the file itself). Returns how many were written.
pub fn precompress(dist: &Path) -> Result<usize, String> {
    let mut written = 0;
    for path in crate::cmd::files_under(dist)? {
        let compressible = path
            .extension()
            .and_then(|ext| ext.to_str())
            .is_some_and(|ext| COMPRESSIBLE.contains(&ext));
        if !compressible {
            continue;
        }
        let bytes =
            std::fs::read(&path).map_err(|err| format!("cannot read {}: {err}", path.display()))?;
        for (suffix, encoded) in [("br", brotli(&bytes)), ("gz", gzip(&bytes))] {
            let mut name = path.clone().into_os_string();
            name.push(".");
            name.push(suffix);
            if encoded.len() < bytes.len() {
                std::fs::write(&name, encoded)
                    .map_err(|err| format!("cannot write {}: {err}", Path::new(&name).display()))?;
                written += 1;
            } else {
                // A stale one from an earlier build would be served instead of the new file.
                let _ = std::fs::remove_file(&name);
            }
        }
    }
    Ok(written)
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

pub fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("writing to memory");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn each_compressible_file_gets_both_encodings_that_decode_to_it() {
        let dist = std::env::temp_dir().join(format!("idcheck-precompress-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dist);
        std::fs::create_dir_all(dist.join("locales")).unwrap();
        let text = "let idcheck = 'a component';\n".repeat(200);
        std::fs::write(dist.join("idcheck.js"), &text).unwrap();
        std::fs::write(
            dist.join("locales/es.json"),
            text.replace("component", "componente"),
        )
        .unwrap();
        std::fs::write(dist.join("photo.png"), &text).unwrap();
        // A tiny file does not shrink: no encoding is written, and a stale one is removed.
        std::fs::write(dist.join("tiny.css"), "a{}").unwrap();
        std::fs::write(dist.join("tiny.css.gz"), "stale").unwrap();

        assert_eq!(precompress(&dist).unwrap(), 4);

        let mut gunzipped = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(dist.join("idcheck.js.gz")).unwrap())
            .read_to_string(&mut gunzipped)
            .unwrap();
        assert_eq!(gunzipped, text);
        let mut unbrotlied = Vec::new();
        brotli::BrotliDecompress(
            &mut std::fs::File::open(dist.join("locales/es.json.br")).unwrap(),
            &mut unbrotlied,
        )
        .unwrap();
        assert_eq!(
            unbrotlied,
            text.replace("component", "componente").into_bytes()
        );
        assert!(
            !dist.join("photo.png.br").exists(),
            "images are not compressed again"
        );
        assert!(!dist.join("tiny.css.gz").exists() && !dist.join("tiny.css.br").exists());
        std::fs::remove_dir_all(&dist).unwrap();
    }
}
