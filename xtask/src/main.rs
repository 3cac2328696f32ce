//! The project's task runner, run as `cargo xtask <task>`: plain Rust instead of shell scripts, so the
//! tasks work the same on every machine and are checked by the compiler.
//!
//! Every task first runs `setup`, which installs what is missing and skips what is present.

mod bench;
mod bench_capture;
mod bench_face;
mod bench_load;
mod build;
mod cdp;
mod chromium;
mod cmd;
mod compress;
mod dev;
mod face;
mod server;
mod setup;
mod test;
mod tflite;
mod wasm;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task> [options]

tasks:
  setup              install the tools the other tasks need (wasm target, trunk, wasm-bindgen-cli,
                     wasm-opt, Chromium and ChromeDriver); skips what is present
  build              build the shipped component into dist/ (page, split wasm parts, compressed copies)
  dev [--port N]     build the component, serve it with the local API server and print the URL
  test               run every test: native, in-browser and end-to-end
  bench              build the component and measure its page load (the first load and the later
                     parts in raw, gzip and brotli bytes, the welcome step's time to usable in
                     headless Chromium on loopback and a mobile network; fails when the first load
                     is over budget), the face detector (bytes, time per frame natively and in
                     headless Chromium), and live capture guidance (analysis time per frame
                     natively and in headless Chromium, the wasm it adds, bytes per stored image)
  bench-face         only the face detector's figures (no bundle build)
  bench-capture      only live capture guidance's figures (no bundle build)
  bench-load         only the page-load figures, on dist/ as it is (no bundle build); fails when the
                     first load is over budget
  face-assets        fetch the face detector's model (npm) and convert it into target/face-assets/; as
                     Trunk's post-build hook, copy that folder into the build as face/
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((task, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    let result = match task.as_str() {
        "setup" => setup::run().map(|_| ()),
        "build" => setup::run().and_then(|tools| build::component(&tools)).map(|_| ()),
        "dev" => dev::run(rest),
        "test" => test::run(),
        "bench" => bench::run(),
        "face-assets" => face::run(),
        "bench-face" => setup::run().and_then(|tools| bench_face::measure(&tools)).map(|_| ()),
        "bench-load" => setup::run()
            .and_then(|tools| bench_load::run(&tools.chromium, &build::dist()))
            .and_then(|figures| figures.verdict()),
        "bench-capture" => setup::run()
            .and_then(|tools| bench_capture::run(&tools))
            .map(|_| ()),
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown task `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask {task}: {message}");
            ExitCode::FAILURE
        }
    }
}
