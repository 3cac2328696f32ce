//! `cargo xtask bench`: measures the shipped bundle (the .wasm, the JS glue, the CSS) in raw, gzip and
//! brotli bytes, the face detector (`bench_face`: its bytes, its time per frame natively and in
//! headless Chromium) and live capture guidance (`bench_capture`: the frame analysis' time per
//! frame natively and in headless Chromium, the code it adds, bytes per stored image), prints tables
//! and writes the same figures to `target/bench.json`.

use std::path::Path;

use crate::{build, cmd, compress, setup};

struct Asset {
    kind: &'static str,
    file: String,
    raw: usize,
    gzip: usize,
    brotli: usize,
}

pub fn run() -> Result<(), String> {
    let tools = setup::run()?;
    let dist = build::component(&tools)?;
    let assets = measure(&dist)?;
    print_table(&assets);
    let face = crate::bench_face::measure(&tools)?;
    let capture = crate::bench_capture::run(&tools)?;
    let json = serde_json::json!({
        "face": face,
        "capture": capture,
        "bundle": assets.iter().map(|a| serde_json::json!({
            "kind": a.kind, "file": a.file, "raw": a.raw, "gzip": a.gzip, "brotli": a.brotli,
        })).collect::<Vec<_>>(),
        "total": {
            "raw": assets.iter().map(|a| a.raw).sum::<usize>(),
            "gzip": assets.iter().map(|a| a.gzip).sum::<usize>(),
            "brotli": assets.iter().map(|a| a.brotli).sum::<usize>(),
        },
    });
    let out = cmd::root().join("target/bench.json");
    std::fs::create_dir_all(out.parent().expect("target/ has a parent"))
        .and_then(|()| {
            std::fs::write(
                &out,
                serde_json::to_string_pretty(&json).expect("plain JSON"),
            )
        })
        .map_err(|err| format!("cannot write {}: {err}", out.display()))?;
    println!("written to {}", out.display());
    Ok(())
}

/// The files a host loads: those at the top of `dist/` and wasm-bindgen's `snippets/` (not the
/// example portal).
fn shipped_files(dist: &Path) -> Result<Vec<std::path::PathBuf>, String> {
    let mut files = Vec::new();
    let mut folders = vec![dist.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder)
            .map_err(|err| format!("cannot read {}: {err}", folder.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if !path.is_dir() {
                files.push(path);
            } else if folder != dist || entry.file_name() == "snippets" {
                folders.push(path);
            }
        }
    }
    Ok(files)
}

fn measure(dist: &Path) -> Result<Vec<Asset>, String> {
    let mut assets = Vec::new();
    for path in shipped_files(dist)? {
        let name = path
            .strip_prefix(dist)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        let kind = match Path::new(&name).extension().and_then(|ext| ext.to_str()) {
            Some("wasm") => "wasm",
            Some("js") => "js",
            Some("css") => "css",
            _ => continue,
        };
        let bytes = std::fs::read(&path).map_err(|err| format!("cannot read {name}: {err}"))?;
        assets.push(Asset {
            kind,
            file: name,
            raw: bytes.len(),
            gzip: compress::gzip(&bytes).len(),
            brotli: compress::brotli(&bytes).len(),
        });
    }
    if !assets.iter().any(|asset| asset.kind == "wasm") {
        return Err(format!(
            "no .wasm in {}: did the build run?",
            dist.display()
        ));
    }
    assets.sort_by(|a, b| (a.kind, &a.file).cmp(&(b.kind, &b.file)));
    Ok(assets)
}

fn print_table(assets: &[Asset]) {
    println!(
        "{:<6} {:>10} {:>10} {:>10}  file",
        "asset", "raw", "gzip", "brotli"
    );
    for asset in assets {
        println!(
            "{:<6} {:>10} {:>10} {:>10}  {}",
            asset.kind, asset.raw, asset.gzip, asset.brotli, asset.file
        );
    }
    let sum = |f: fn(&Asset) -> usize| assets.iter().map(f).sum::<usize>();
    println!(
        "{:<6} {:>10} {:>10} {:>10}",
        "total",
        sum(|a| a.raw),
        sum(|a| a.gzip),
        sum(|a| a.brotli)
    );
}
