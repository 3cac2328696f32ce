//! `cargo xtask bench`: measures the shipped component's page load (`bench_load`: the first load
//! and the later parts in raw, gzip and brotli bytes, the welcome step's time to usable in
//! headless Chromium), the face detector (`bench_face`: its bytes, its time per frame natively and
//! in headless Chromium) and live capture guidance (`bench_capture`: the frame analysis' time per
//! frame natively and in headless Chromium, the code it adds, bytes per stored image), prints
//! tables and writes the same figures to `target/bench.json`. Fails, once they are written, when
//! the first load is over its budget.

use crate::{bench_load, build, cmd, setup};

pub fn run() -> Result<(), String> {
    let tools = setup::run()?;
    let dist = build::component(&tools)?;
    let load = bench_load::run(&tools.chromium, &dist)?;
    let face = crate::bench_face::measure(&tools)?;
    let capture = crate::bench_capture::run(&tools)?;
    let mut json = load.json();
    json["face"] = face;
    json["capture"] = capture;
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
    load.verdict()
}
