//! The capture figures of `cargo xtask bench` (issue 12):
//!
//! - the frame analysis' time per 640×360 frame, natively (the core's timing test in a release
//!   build, the median of 200 runs) and in headless Chromium (the component's `tests/bench.rs` in a
//!   release build, the median of 200 frames: drawing the camera's frame into the analysis canvas,
//!   reading it back, luma and analysis; and the analysis alone);
//! - the wasm bytes live guidance adds to the first load: the code of `idcheck_core::frame` (the
//!   analysis and the guidance decisions), `idcheck::guidance` (the loop) and the camera's crop
//!   (not the capture record's serialisation of the frame types, which is the record's),
//!   found by name in a build made like the shipped one but keeping its function names (as twiggy
//!   would), raw, and as the gzip size the code section loses without them;
//! - the bytes of a stored image cut from a 1280×720 and a 1920×1080 camera, and the pixels per
//!   millimetre of the ID-1 card in it.
//!
//! Times are printed and recorded, never judged: the machine is shared.

use std::process::Command;

use crate::{cmd, compress, setup};

/// The names whose code counts as live guidance's (except [`RECORD_CODE`]).
const GUIDANCE_CODE: &[&str] = &[
    "idcheck_core::frame::",
    "idcheck::guidance::",
    "idcheck::camera::encode_crop",
    "idcheck::camera::snapshot",
    "idcheck::camera::canvas",
    "idcheck::camera::Source",
];

/// Of those, the code that reads and writes the frame types in the flow's capture record (kept
/// across a reload) and prints them: the record's, not the analysis'.
const RECORD_CODE: &[&str] = &["serde", "as core::fmt::Debug>"];

pub fn run(tools: &setup::Tools) -> Result<serde_json::Value, String> {
    let native_ms = native()?;
    let browser = browser(tools)?;
    let code = guidance_code(tools)?;
    println!();
    println!("capture guidance");
    println!("  analysis per 640×360 frame, native (median of 200):   {native_ms:.3} ms");
    println!(
        "  the same in headless Chromium, analysis alone:        {:.3} ms",
        browser.analysis_ms
    );
    println!(
        "  with drawing, reading back and luma (goal ≤ 4 ms):   {:.3} ms",
        browser.frame_ms
    );
    println!(
        "  wasm code it adds: {} bytes raw, {} bytes gzip (goal ≤ 15 000), {} functions",
        code.raw, code.gzip, code.functions
    );
    for image in &browser.stored {
        println!(
            "  stored image from a {} camera: {}, {} bytes, {:.1} px/mm on the card",
            image.camera, image.size, image.bytes, image.px_per_mm
        );
    }
    Ok(serde_json::json!({
        "analysis_ms_native": native_ms,
        "analysis_ms_browser": browser.analysis_ms,
        "frame_ms_browser": browser.frame_ms,
        "wasm_added": { "raw": code.raw, "gzip": code.gzip, "functions": code.functions },
        "stored_images": browser.stored.iter().map(|image| serde_json::json!({
            "camera": image.camera, "size": image.size, "bytes": image.bytes,
            "px_per_mm": image.px_per_mm,
        })).collect::<Vec<_>>(),
    }))
}

/// The core's timing test, in a release build.
fn native() -> Result<f64, String> {
    println!("bench: frame analysis, native");
    let (ok, output) = cmd::run_teed(cmd::cargo().args([
        "test",
        "--release",
        "-p",
        "idcheck-core",
        "--test",
        "frame",
        "--",
        "--exact",
        "time_per_640x360_frame",
        "--nocapture",
    ]))?;
    if !ok {
        return Err("the core's timing test failed".into());
    }
    output
        .lines()
        .find_map(|line| {
            let rest = line.split("median ").nth(1)?;
            duration_ms(rest.split(',').next()?)
        })
        .ok_or_else(|| "the core's timing test printed no median".into())
}

/// A `Duration` as `{:?}` prints it (`312.5µs`, `1.2ms`), in milliseconds.
fn duration_ms(text: &str) -> Option<f64> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let scale = match unit {
        "ns" => 1e-6,
        "µs" | "us" => 1e-3,
        "ms" => 1.0,
        "s" => 1e3,
        _ => return None,
    };
    Some(number * scale)
}

struct Stored {
    camera: String,
    size: String,
    bytes: u64,
    px_per_mm: f64,
}

struct Browser {
    frame_ms: f64,
    analysis_ms: f64,
    stored: Vec<Stored>,
}

/// The component's in-browser benches, in a release build.
fn browser(tools: &setup::Tools) -> Result<Browser, String> {
    println!("bench: frame analysis and stored images, headless Chromium");
    let (ok, output) = cmd::run_teed(
        cmd::cargo()
            .env("PATH", &tools.path)
            .env("CHROMEDRIVER", &tools.chromedriver)
            .env("WASM_BINDGEN_TEST_DRIVER_TIMEOUT", "60")
            .env("WASM_BINDGEN_TEST_TIMEOUT", "300")
            .args([
                "test",
                "--release",
                "-p",
                "idcheck",
                "--target",
                "wasm32-unknown-unknown",
                "--test",
                "bench",
                "--",
                "--nocapture",
            ]),
    )?;
    if !ok {
        return Err("the in-browser benches failed".into());
    }
    parse_browser(&output)
}

fn parse_browser(output: &str) -> Result<Browser, String> {
    let mut browser = Browser {
        frame_ms: f64::NAN,
        analysis_ms: f64::NAN,
        stored: Vec::new(),
    };
    for line in output.lines() {
        let Some(rest) = line.trim().strip_prefix("bench: ") else {
            continue;
        };
        let words: Vec<&str> = rest.split_whitespace().collect();
        let value = |key: &str| {
            words
                .iter()
                .position(|word| *word == key)
                .and_then(|at| words.get(at + 1))
                .copied()
        };
        match words.first() {
            Some(&"browser_frame_ms") => {
                browser.frame_ms = value("browser_frame_ms")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(f64::NAN);
                browser.analysis_ms = value("browser_analysis_ms")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(f64::NAN);
            }
            Some(&"stored_image") => browser.stored.push(Stored {
                camera: value("camera").unwrap_or_default().to_string(),
                size: value("image").unwrap_or_default().to_string(),
                bytes: value("bytes")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_default(),
                px_per_mm: value("px_per_mm")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(f64::NAN),
            }),
            _ => {}
        }
    }
    if browser.frame_ms.is_nan() || browser.stored.is_empty() {
        return Err("the in-browser benches printed no figures".into());
    }
    Ok(browser)
}

struct Code {
    raw: usize,
    gzip: usize,
    functions: usize,
}

/// Builds the component in one module (cargo, wasm-bindgen, wasm-opt -Oz) keeping function names,
/// and weighs the functions of live guidance (shipped in the capture steps' part).
fn guidance_code(tools: &setup::Tools) -> Result<Code, String> {
    println!("bench: the code of live guidance in the wasm");
    cmd::run(cmd::cargo().args([
        "build",
        "--release",
        "-p",
        "idcheck",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    let out = cmd::root().join("target/bench-names");
    std::fs::create_dir_all(&out).map_err(|err| format!("{}: {err}", out.display()))?;
    let built = cmd::root().join("target/wasm32-unknown-unknown/release/idcheck.wasm");
    cmd::run(
        Command::new("wasm-bindgen")
            .env("PATH", &tools.path)
            .args(["--target", "web", "--out-dir"])
            .arg(&out)
            .arg(&built),
    )?;
    let optimised = out.join("named.wasm");
    cmd::run(
        Command::new("wasm-opt")
            .env("PATH", &tools.path)
            .args(["-Oz", "-g"])
            .args(crate::wasm::WASM_FEATURES)
            .arg(out.join("idcheck_bg.wasm"))
            .arg("-o")
            .arg(&optimised),
    )?;
    let bytes =
        std::fs::read(&optimised).map_err(|err| format!("{}: {err}", optimised.display()))?;
    weigh(&bytes)
}

/// Splits a module's function bodies into live guidance's and the rest, by name.
fn weigh(module: &[u8]) -> Result<Code, String> {
    let functions = wasm::named_bodies(module)?;
    let (mut guidance, mut rest) = (Vec::new(), Vec::new());
    let mut count = 0;
    for (name, body) in &functions {
        if GUIDANCE_CODE.iter().any(|path| name.contains(path))
            && !RECORD_CODE.iter().any(|part| name.contains(part))
        {
            guidance.extend_from_slice(body);
            count += 1;
        } else {
            rest.extend_from_slice(body);
        }
    }
    let all: Vec<u8> = [rest.as_slice(), guidance.as_slice()].concat();
    Ok(Code {
        raw: guidance.len(),
        gzip: compress::gzip(&all)
            .len()
            .saturating_sub(compress::gzip(&rest).len()),
        functions: count,
    })
}

/// Just enough of the WebAssembly binary format to pair each function body with its name.
mod wasm {
    fn leb(bytes: &[u8], at: &mut usize) -> Result<u32, String> {
        let (mut value, mut shift) = (0u32, 0);
        loop {
            let byte = *bytes.get(*at).ok_or("truncated module")?;
            *at += 1;
            value |= u32::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return Ok(value);
            }
            shift += 7;
            if shift > 28 {
                return Err("malformed LEB128".into());
            }
        }
    }

    fn skip_name(bytes: &[u8], at: &mut usize) -> Result<(), String> {
        let len = leb(bytes, at)? as usize;
        *at += len;
        Ok(())
    }

    /// Every defined function's name (empty if it has none) and body.
    pub fn named_bodies(module: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
        if !module.starts_with(b"\0asm") {
            return Err("not a WebAssembly module".into());
        }
        let mut at = 8;
        let (mut imported, mut bodies, mut names) = (0u32, Vec::new(), Vec::new());
        while at < module.len() {
            let id = module[at];
            at += 1;
            let size = leb(module, &mut at)? as usize;
            let (start, end) = (at, at + size);
            let section = module.get(start..end).ok_or("truncated section")?;
            let mut p = 0;
            match id {
                2 => {
                    for _ in 0..leb(section, &mut p)? {
                        skip_name(section, &mut p)?;
                        skip_name(section, &mut p)?;
                        let kind = section[p];
                        p += 1;
                        match kind {
                            0 => {
                                leb(section, &mut p)?;
                                imported += 1;
                            }
                            1 => {
                                p += 1;
                                let flags = section[p];
                                p += 1;
                                leb(section, &mut p)?;
                                if flags & 1 == 1 {
                                    leb(section, &mut p)?;
                                }
                            }
                            2 => {
                                let flags = section[p];
                                p += 1;
                                leb(section, &mut p)?;
                                if flags & 1 == 1 {
                                    leb(section, &mut p)?;
                                }
                            }
                            3 => p += 2,
                            4 => {
                                p += 1;
                                leb(section, &mut p)?;
                            }
                            other => return Err(format!("unknown import kind {other}")),
                        }
                    }
                }
                10 => {
                    for _ in 0..leb(section, &mut p)? {
                        let len = leb(section, &mut p)? as usize;
                        bodies.push(section.get(p..p + len).ok_or("truncated body")?.to_vec());
                        p += len;
                    }
                }
                0 => {
                    let len = leb(section, &mut p)? as usize;
                    if section.get(p..p + len) == Some(b"name") {
                        p += len;
                        while p < section.len() {
                            let kind = section[p];
                            p += 1;
                            let len = leb(section, &mut p)? as usize;
                            let end = p + len;
                            if kind == 1 {
                                for _ in 0..leb(section, &mut p)? {
                                    let index = leb(section, &mut p)?;
                                    let len = leb(section, &mut p)? as usize;
                                    let name = String::from_utf8_lossy(
                                        section.get(p..p + len).ok_or("truncated name")?,
                                    );
                                    names.push((index, name.into_owned()));
                                    p += len;
                                }
                            }
                            p = end;
                        }
                    }
                }
                _ => {}
            }
            at = end;
        }
        if names.is_empty() {
            return Err("the module has no function names".into());
        }
        let mut named: Vec<(String, Vec<u8>)> = bodies
            .into_iter()
            .map(|body| (String::new(), body))
            .collect();
        for (index, name) in names {
            if let Some(slot) = index
                .checked_sub(imported)
                .and_then(|i| named.get_mut(i as usize))
            {
                slot.0 = name;
            }
        }
        Ok(named)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_durations_as_debug_prints_them() {
        assert_eq!(duration_ms("312.5µs"), Some(0.3125));
        assert_eq!(duration_ms("1.25ms"), Some(1.25));
        assert_eq!(duration_ms("2s"), Some(2000.0));
        assert_eq!(duration_ms("fast"), None);
    }

    #[test]
    fn reads_the_browser_bench_lines() {
        let output = "\
running 2 tests
bench: stored_image camera 1280x720 image 770x496 bytes 100229 px_per_mm 8.7
bench: browser_frame_ms 3.165 browser_analysis_ms 0.325 runs 200
test result: ok. 2 passed; 0 failed";
        let browser = parse_browser(output).unwrap();
        assert_eq!(browser.frame_ms, 3.165);
        assert_eq!(browser.analysis_ms, 0.325);
        assert_eq!(browser.stored.len(), 1);
        assert_eq!(browser.stored[0].bytes, 100229);
        assert_eq!(browser.stored[0].size, "770x496");
        assert!(parse_browser("test result: ok").is_err());
    }

    /// A module of two functions, one imported, with names: the defined ones are paired right.
    #[test]
    fn pairs_each_body_with_its_name() {
        let module: Vec<u8> = [
            &b"\0asm\x01\0\0\0"[..],
            // type section: one type () -> ()
            &[1, 4, 1, 0x60, 0, 0],
            // import section: "m" "f" func type 0
            &[2, 7, 1, 1, b'm', 1, b'f', 0, 0],
            // function section: two functions of type 0
            &[3, 3, 2, 0, 0],
            // code section: two bodies of 2 and 3 bytes
            &[10, 8, 2, 2, 0, 0x0b, 3, 0, 0x01, 0x0b],
            // name section: functions 1 "a" and 2 "idcheck_core::frame::x"
            &[
                0, 35, 4, b'n', b'a', b'm', b'e', 1, 28, 2, 1, 1, b'a', 2, 22,
            ],
            b"idcheck_core::frame::x",
        ]
        .concat();
        let named = wasm::named_bodies(&module).unwrap();
        assert_eq!(named.len(), 2);
        assert_eq!(named[0], ("a".to_string(), vec![0, 0x0b]));
        assert_eq!(named[1].0, "idcheck_core::frame::x");
        let code = weigh(&module).unwrap();
        assert_eq!((code.raw, code.functions), (3, 1));
    }
}
