//! `cargo xtask test`: every test, in layers, each reported on its own, then one closing line
//! (`N passed, N failed`) that CI reads. A layer that cannot run counts as a failure.
//!
//! The component is built once (release, as shipped) and every end-to-end test drives that build.

use std::process::Command;

use crate::{build, cmd, face, setup};

#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
}

struct Layer {
    name: &'static str,
    tally: Tally,
    /// Why the layer did not finish cleanly, if it did not.
    problem: Option<String>,
}

pub fn run() -> Result<(), String> {
    let mut layers = vec![native()];
    match setup::run() {
        Ok(tools) => {
            layers.push(browser(&tools));
            layers.push(end_to_end(&tools));
        }
        Err(err) => {
            for name in ["in-browser", "end-to-end"] {
                layers.push(Layer {
                    name,
                    tally: Tally::default(),
                    problem: Some(format!("cannot run: setup failed: {err}")),
                });
            }
        }
    }

    println!();
    println!("layer        passed  failed");
    let mut total = Tally::default();
    for layer in &mut layers {
        // A layer that could not run has failed even if no single test did.
        if layer.problem.is_some() && layer.tally.failed == 0 {
            layer.tally.failed = 1;
        }
        println!(
            "{:<12} {:>6}  {:>6}",
            layer.name, layer.tally.passed, layer.tally.failed
        );
        if let Some(problem) = &layer.problem {
            println!("  {problem}");
        }
        total.passed += layer.tally.passed;
        total.failed += layer.tally.failed;
    }
    println!("{} passed, {} failed", total.passed, total.failed);
    if total.failed == 0 {
        Ok(())
    } else {
        Err(format!("{} failed", total.failed))
    }
}

/// Native `cargo test` of the workspace. The component crate is browser code (tested in the browser
/// layer) and the end-to-end crate needs the built component (tested in the last layer).
/// The face detector's tests need the model's weights: they are made first and named to the
/// tests, which then fail, not skip, when the file is missing.
fn native() -> Layer {
    println!("== native tests");
    let (weights, weights_problem) = match face::weights() {
        Ok(path) => (path, None),
        Err(err) => (
            face::assets_dir().join(idcheck_core::face::WEIGHTS_FILE),
            Some(err),
        ),
    };
    let mut native = layer(
        "native",
        cmd::cargo().env("IDCHECK_FACE_WEIGHTS", &weights).args([
            "test",
            "--workspace",
            "--exclude",
            "idcheck",
            "--exclude",
            "idcheck-e2e",
        ]),
    );
    if let Some(err) = weights_problem {
        native
            .problem
            .get_or_insert(format!("the face detector's weights could not be made: {err}"));
    }
    native
}

/// The component's own tests, compiled to wasm and run in headless Chromium by wasm-bindgen-test.
/// The browser's flags are in `webdriver.json` at the workspace root.
fn browser(tools: &setup::Tools) -> Layer {
    println!("== in-browser tests");
    layer(
        "in-browser",
        cmd::cargo()
            .env("PATH", &tools.path)
            .env("CHROMEDRIVER", &tools.chromedriver)
            .env("WASM_BINDGEN_TEST_DRIVER_TIMEOUT", "60")
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
            .args([
                "test",
                "-p",
                "idcheck",
                "--target",
                "wasm32-unknown-unknown",
            ]),
    )
}

/// The shipped build driven in real headless Chromium over WebDriver, against the local API server.
fn end_to_end(tools: &setup::Tools) -> Layer {
    println!("== end-to-end tests");
    let built = build::component(tools).and_then(|dist| Ok((dist, build::servers()?)));
    let (dist, servers) = match built {
        Ok(built) => built,
        Err(err) => {
            return Layer {
                name: "end-to-end",
                tally: Tally::default(),
                problem: Some(format!("cannot run: build failed: {err}")),
            };
        }
    };
    layer(
        "end-to-end",
        cmd::cargo()
            .env("IDCHECK_DIST", dist)
            .env("IDCHECK_SERVER_BIN", servers.double)
            .env("IDCHECK_GATEWAY_BIN", servers.gateway)
            .env("CHROMEDRIVER", &tools.chromedriver)
            .env("CHROMIUM", &tools.chromium)
            .args(["test", "-p", "idcheck-e2e", "--", "--test-threads=1"]),
    )
}

fn layer(name: &'static str, command: &mut Command) -> Layer {
    let (tally, problem) = match cmd::run_teed(command) {
        Ok((succeeded, output)) => {
            let tally = count(&output);
            let problem = if !succeeded {
                Some(format!("`{}` failed", cmd::describe(command)))
            } else if tally.passed + tally.failed == 0 {
                Some("ran no test".to_string())
            } else {
                None
            };
            (tally, problem)
        }
        Err(err) => (Tally::default(), Some(err)),
    };
    Layer {
        name,
        tally,
        problem,
    }
}

/// Adds up the `test result: ok. N passed; M failed; …` lines of cargo's test harness and of
/// wasm-bindgen-test-runner, which prints the same form.
fn count(output: &str) -> Tally {
    let mut tally = Tally::default();
    for line in output.lines() {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            continue;
        };
        for part in rest.split([';', '.']) {
            let mut words = part.split_whitespace();
            if let (Some(number), Some(label)) = (words.next(), words.next()) {
                let Ok(number) = number.parse::<u64>() else {
                    continue;
                };
                match label {
                    "passed" => tally.passed += number,
                    "failed" => tally.failed += number,
                    _ => {}
                }
            }
        }
    }
    tally
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_every_result_line() {
        let output = "\
running 3 tests
test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s
test result: FAILED. 5 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.2s
test something ... ok
";
        let tally = count(output);
        assert_eq!((tally.passed, tally.failed), (8, 2));
    }

    #[test]
    fn output_without_results_counts_nothing() {
        let tally = count("Compiling idcheck\nerror: could not compile\n");
        assert_eq!((tally.passed, tally.failed), (0, 0));
    }
}
