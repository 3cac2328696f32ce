//! `cargo xtask setup`: installs what the other tasks need and skips what is present.
//!
//! Cargo-installed tools go under `$CARGO_HOME/bin` and wasm-opt under `~/.cache/idcheck-tools`,
//! where a second run (and CI on the same machine) finds them; a tool at the wrong version is reinstalled, never ignored, because Trunk would otherwise
//! try to download its own copy and this network refuses it.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd;

/// Trunk 0.22 needs a newer rustc than this machine's; 0.21.14 is the last release that builds.
const TRUNK_VERSION: &str = "0.21.14";
/// binaryen from the npm registry: Debian's (108) mangles the externref table that wasm-bindgen
/// 0.2.130 emits for this rustc's reference-types output, and the page then fails at start-up.
/// Trunk.toml pins the same (`version_132`) so Trunk uses it instead of downloading its own.
const WASM_OPT_VERSION: &str = "132";
/// terser from the npm registry minifies the JS glue (Trunk's minifier cannot read wasm-bindgen's
/// `export default`).
const TERSER_VERSION: &str = "5.51.2";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Where the installed tools are, for the tasks that use them.
pub struct Tools {
    pub trunk: PathBuf,
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
    /// The JS minifier, `terser`.
    pub terser: PathBuf,
    /// `PATH` with the cargo-installed tools first, for children (Trunk looks tools up on `PATH`).
    pub path: OsString,
}

pub fn run() -> Result<Tools, String> {
    let bin = cargo_home().join("bin");
    let binaryen = tools_home().join(format!("binaryen-{WASM_OPT_VERSION}"));
    let binaryen_bin = binaryen.join("node_modules/.bin");
    let path = path_with(&[&binaryen_bin, &bin]);
    // The quick system-wide installs first, then the long compiles.
    ensure_browser()?;
    ensure_wasm_target()?;
    ensure_wasm_opt(&binaryen)?;
    let terser = ensure_terser()?;
    let trunk = ensure_trunk(&bin)?;
    ensure_wasm_bindgen(&bin)?;
    Ok(Tools {
        trunk,
        chromium: PathBuf::from("/usr/bin/chromium"),
        chromedriver: PathBuf::from("/usr/bin/chromedriver"),
        terser,
        path,
    })
}

fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"))
}

/// Where tools that are not cargo's go: outside the work tree, so a fresh clone finds them.
pub fn tools_home() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"))
        .join("idcheck-tools")
}

fn path_with(first: &[&Path]) -> OsString {
    let mut dirs: Vec<PathBuf> = first.iter().map(|dir| dir.to_path_buf()).collect();
    if let Some(existing) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&existing).filter(|dir| !first.contains(&dir.as_path())));
    }
    std::env::join_paths(dirs).expect("PATH entries never contain the separator")
}

/// wasm-opt, installed if missing: the face module is optimised with it outside Trunk.
pub fn wasm_opt() -> Result<PathBuf, String> {
    let binaryen = tools_home().join(format!("binaryen-{WASM_OPT_VERSION}"));
    ensure_wasm_opt(&binaryen)?;
    Ok(binaryen.join("node_modules/.bin/wasm-opt"))
}

pub fn ensure_wasm_target() -> Result<(), String> {
    let installed = cmd::output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        return Ok(());
    }
    println!("setup: adding the {WASM_TARGET} target");
    cmd::run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

/// The version a tool reports, read from its `--version` line's last word ("trunk 0.21.14").
fn reported_version(program: &Path, word: usize) -> Option<String> {
    let line = cmd::output(program, &["--version"])?;
    line.split_whitespace().nth(word).map(str::to_string)
}

fn ensure_trunk(bin: &Path) -> Result<PathBuf, String> {
    let trunk = bin.join("trunk");
    if reported_version(&trunk, 1).as_deref() == Some(TRUNK_VERSION) {
        return Ok(trunk);
    }
    println!("setup: installing trunk {TRUNK_VERSION} (takes several minutes, once)");
    // --locked: trunk's newest compatible dependencies no longer build together.
    cmd::run(
        cmd::cargo()
            .args([
                "install",
                "trunk",
                "--version",
                TRUNK_VERSION,
                "--locked",
                "--force",
                "--root",
            ])
            .arg(cargo_home()),
    )?;
    Ok(trunk)
}

/// The `wasm-bindgen` version Cargo.lock resolved: the CLI must equal it exactly.
pub fn locked_wasm_bindgen_version() -> Result<String, String> {
    let lock_path = cmd::root().join("Cargo.lock");
    let lock = std::fs::read_to_string(&lock_path)
        .map_err(|err| format!("cannot read {}: {err}", lock_path.display()))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            let version = lines
                .next()
                .and_then(|next| next.trim().strip_prefix("version = \""))
                .and_then(|rest| rest.strip_suffix('"'));
            if let Some(version) = version {
                return Ok(version.to_string());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen package".into())
}

fn ensure_wasm_bindgen(bin: &Path) -> Result<(), String> {
    if !cmd::root().join("Cargo.lock").exists() {
        cmd::run(cmd::cargo().args(["generate-lockfile"]))?;
    }
    let wanted = locked_wasm_bindgen_version()?;
    let cli = reported_version(&bin.join("wasm-bindgen"), 1);
    let runner = reported_version(&bin.join("wasm-bindgen-test-runner"), 1);
    if cli.as_deref() == Some(wanted.as_str()) && runner.as_deref() == Some(wanted.as_str()) {
        return Ok(());
    }
    println!("setup: installing wasm-bindgen-cli {wanted} (takes several minutes, once)");
    // Not --locked: the registry lacks one of its locked dependencies.
    cmd::run(
        cmd::cargo()
            .args([
                "install",
                "wasm-bindgen-cli",
                "--version",
                &wanted,
                "--force",
                "--root",
            ])
            .arg(cargo_home()),
    )
}

/// wasm-opt from the npm package `binaryen` (it runs on the machine's Node.js).
fn ensure_wasm_opt(prefix: &Path) -> Result<(), String> {
    let wasm_opt = prefix.join("node_modules/.bin/wasm-opt");
    ensure_npm(prefix, "binaryen", &format!("{WASM_OPT_VERSION}.0.0"), || {
        reported_version(&wasm_opt, 2).as_deref() == Some(WASM_OPT_VERSION)
    })
}

/// terser from npm, in a folder of its own under the tools' home.
fn ensure_terser() -> Result<PathBuf, String> {
    let prefix = tools_home().join(format!("terser-{TERSER_VERSION}"));
    let terser = prefix.join("node_modules/.bin/terser");
    ensure_npm(&prefix, "terser", TERSER_VERSION, || {
        reported_version(&terser, 1).as_deref() == Some(TERSER_VERSION)
    })?;
    Ok(terser)
}

/// Installs `package@version` from npm under `prefix` unless `present` already holds.
fn ensure_npm(
    prefix: &Path,
    package: &str,
    version: &str,
    present: impl Fn() -> bool,
) -> Result<(), String> {
    if present() {
        return Ok(());
    }
    if cmd::output("npm", &["--version"]).is_none() {
        return Err(format!(
            "npm is missing: install Node.js and npm, which bring {package}"
        ));
    }
    println!("setup: installing {package} {version} with npm");
    std::fs::create_dir_all(prefix)
        .map_err(|err| format!("cannot create {}: {err}", prefix.display()))?;
    cmd::run(
        Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--no-save",
                "--prefix",
            ])
            .arg(prefix)
            .arg(format!("{package}@{version}")),
    )?;
    if present() {
        Ok(())
    } else {
        Err(format!(
            "{package} does not report version {version} after installing it with npm"
        ))
    }
}

/// Chromium and ChromeDriver come from Debian's packages.
fn ensure_browser() -> Result<(), String> {
    let mut missing = Vec::new();
    let chromium = reported_version(Path::new("/usr/bin/chromium"), 1);
    let driver = reported_version(Path::new("/usr/bin/chromedriver"), 1);
    let major = |version: &Option<String>| {
        version
            .as_deref()
            .and_then(|v| v.split('.').next().map(str::to_string))
    };
    if chromium.is_none() || driver.is_none() || major(&chromium) != major(&driver) {
        // A driver for another major version cannot drive this browser: reinstall both together.
        missing.extend(["chromium", "chromium-driver"]);
    }
    if missing.is_empty() {
        return Ok(());
    }
    if !cmd::is_root() {
        return Err(format!(
            "these Debian packages are missing or at the wrong version: {list}\n\
             install them and run again:  sudo apt-get install {list}",
            list = missing.join(" ")
        ));
    }
    println!("setup: installing {} with apt-get", missing.join(", "));
    cmd::run(Command::new("apt-get").args(["update", "-qq"]))?;
    cmd::run(
        Command::new("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "-qq"])
            .args(&missing),
    )
}
