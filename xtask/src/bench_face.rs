//! The face detector's part of `cargo xtask bench`: its bytes (the weights and the face module,
//! raw and gzip: what a face step fetches), its time per frame natively (the `idcheck-face`
//! crate's `bench` example, `--profile face`) and in headless Chromium (the shipped module, run by
//! a page on a 640×360 frame with a face drawn on it: 20 frames to warm up, the median of 200).
//! Each timed frame is what the component does: copy the RGBA frame into the module, detect.

use std::time::Duration;

use serde_json::{Value, json};

use crate::chromium::{self, File};
use crate::{cmd, compress, face, setup};

/// The budget the issue sets: per analysed frame in Chromium, and bytes (gzip) fetched.
const BUDGET_MS: f64 = 15.0;
const BUDGET_GZIP: usize = 250_000;

pub fn measure(tools: &setup::Tools) -> Result<Value, String> {
    let weights_path = face::weights()?;
    let module_path = face::module()?;
    let weights = std::fs::read(&weights_path).map_err(|err| err.to_string())?;
    let module = std::fs::read(&module_path).map_err(|err| err.to_string())?;
    let (weights_gzip, module_gzip) = (
        compress::gzip(&weights).len(),
        compress::gzip(&module).len(),
    );

    let output = std::process::Command::new(std::env::var_os("CARGO").unwrap_or("cargo".into()))
        .current_dir(cmd::root())
        .args([
            "run",
            "--quiet",
            "--profile",
            "face",
            "-p",
            "idcheck-face",
            "--example",
            "bench",
            "--",
        ])
        .arg(&weights_path)
        .output()
        .map_err(|err| format!("cannot run the native face bench: {err}"))?;
    if !output.status.success() {
        return Err(format!(
            "the native face bench failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let native: Value = serde_json::from_slice(&output.stdout)
        .map_err(|err| format!("the native face bench printed no JSON: {err}"))?;

    let files = vec![
        File {
            path: "index.html".into(),
            bytes: PAGE.as_bytes().to_vec(),
            mime: "text/html; charset=utf-8",
        },
        File {
            path: face::MODULE_FILE.into(),
            bytes: module.clone(),
            mime: "application/wasm",
        },
        File {
            path: "weights.bin".into(),
            bytes: weights.clone(),
            mime: "application/octet-stream",
        },
    ];
    let reported = chromium::run_page(&tools.chromium, files, Duration::from_secs(120))?;
    let browser: Value = serde_json::from_str(&reported)
        .map_err(|err| format!("the browser's face bench reported {reported:?}: {err}"))?;
    if let Some(error) = browser.get("error") {
        return Err(format!("the browser's face bench failed: {error}"));
    }

    let total_gzip = weights_gzip + module_gzip;
    let median = browser["median_ms"].as_f64().unwrap_or(f64::NAN);
    println!();
    println!("face detector (fetched on the face step only)");
    println!("{:<40} {:>10} {:>10}", "", "raw", "gzip");
    println!(
        "{:<40} {:>10} {:>10}",
        weights_path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy(),
        weights.len(),
        weights_gzip
    );
    println!(
        "{:<40} {:>10} {:>10}",
        face::MODULE_FILE,
        module.len(),
        module_gzip
    );
    println!(
        "{:<40} {:>10} {:>10}  (budget {BUDGET_GZIP})",
        "total",
        weights.len() + module.len(),
        total_gzip
    );
    println!(
        "time per frame: native {} ms (median of {}), headless Chromium {median:.2} ms (median of {}, p90 {} ms; budget {BUDGET_MS} ms); ready after {} ms",
        native["median_ms"],
        native["frames"],
        browser["frames"],
        browser["p90_ms"],
        browser["ready_ms"]
    );
    Ok(json!({
        "bytes": {
            "weights": {"file": weights_path.file_name().map(|n| n.to_string_lossy().into_owned()), "raw": weights.len(), "gzip": weights_gzip},
            "module": {"file": face::MODULE_FILE, "raw": module.len(), "gzip": module_gzip},
            "total_gzip": total_gzip,
            "budget_gzip": BUDGET_GZIP,
        },
        "native": native,
        "chromium": browser,
        "budget_ms": BUDGET_MS,
    }))
}

/// The page: instantiates the module as the component does, draws a head on a 640×360 canvas,
/// and times copy + detect.
const PAGE: &str = r#"<!doctype html>
<meta charset="utf-8">
<canvas id="c" width="640" height="360"></canvas>
<script type="module">
const report = (value) => fetch("/result", { method: "POST", body: JSON.stringify(value) });
try {
  const started = performance.now();
  const [{ instance }, weights] = await Promise.all([
    WebAssembly.instantiateStreaming(fetch("idcheck-face.wasm"), {}),
    fetch("weights.bin").then((r) => r.arrayBuffer()),
  ]);
  const e = instance.exports;
  const bytes = new Uint8Array(weights);
  // Asking for the buffer may grow the memory (detaching older views): view it afterwards.
  const into = e.buffer(bytes.length);
  new Uint8Array(e.memory.buffer, into, bytes.length).set(bytes);
  if (e.load(bytes.length) !== 0) throw new Error("the module refused the weights");
  const ready = performance.now() - started;

  const g = document.getElementById("c").getContext("2d", { willReadFrequently: true });
  const oval = (x, y, rx, ry, colour) => {
    g.fillStyle = colour; g.beginPath(); g.ellipse(x, y, rx, ry, 0, 0, 2 * Math.PI); g.fill();
  };
  g.fillStyle = "rgb(150,155,160)"; g.fillRect(0, 0, 640, 360);
  oval(320, 160, 86, 100, "rgb(55,38,28)");
  oval(320, 188, 74, 98, "rgb(222,170,138)");
  for (const x of [291, 349]) {
    oval(x, 150, 17, 6, "rgb(240,238,232)"); oval(x, 150, 6, 6, "rgb(40,30,25)");
    oval(x, 134, 17, 4, "rgb(60,42,30)");
  }
  oval(320, 210, 19, 6, "rgb(180,95,90)");
  const frame = g.getImageData(0, 0, 640, 360).data;

  const detect = () => {
    const at = e.buffer(frame.length);
    new Uint8Array(e.memory.buffer, at, frame.length).set(frame);
    return e.detect(640, 360, 4, 140, 0, 360, 360);
  };
  let faces = 0;
  for (let i = 0; i < 20; i++) faces = detect();
  const times = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    detect();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  await report({
    frames: times.length, faces, ready_ms: Math.round(ready),
    median_ms: +times[100].toFixed(3), p90_ms: +times[180].toFixed(3), min_ms: +times[0].toFixed(3),
    user_agent: navigator.userAgent,
  });
} catch (error) {
  await report({ error: String(error) });
}
</script>
"#;
