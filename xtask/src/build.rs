//! Building the shipped component (Trunk, release, wasm-opt), the local API server and the gateway.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::setup::Tools;
use crate::{cmd, compress, wasm};

/// Builds the component into `dist/`: Trunk makes the page, the stylesheet and the copied folders,
/// `wasm` the split, optimised wasm modules and the minified glue, whose start goes into the page;
/// then each asset's `.br` and `.gz` are written beside it.
pub fn component(tools: &Tools) -> Result<PathBuf, String> {
    println!("build: page and stylesheet (trunk build --release)");
    cmd::run(
        Command::new(&tools.trunk)
            .current_dir(cmd::root())
            .env("PATH", &tools.path)
            // Trunk would otherwise try to reach the network to check for its own updates.
            .env("TRUNK_SKIP_VERSION_CHECK", "true")
            .args(["build", "--release"]),
    )?;
    let dist = dist();
    wasm::build(tools, &dist)?;
    start_page(&dist)?;
    let written = compress::precompress(&dist)?;
    println!("build: {written} precompressed files (.br, .gz) beside the assets");
    Ok(dist)
}

/// Where `index.html` says the component starts; Trunk keeps the comment as it is.
const START_MARK: &str = "<!-- idcheck:start -->";

/// Puts the component's start (preloads and the loader script) at the page's mark.
fn start_page(dist: &Path) -> Result<(), String> {
    let page = dist.join("index.html");
    let html = std::fs::read_to_string(&page)
        .map_err(|err| format!("cannot read {}: {err}", page.display()))?;
    if !html.contains(START_MARK) {
        return Err(format!("{} has no {START_MARK}", page.display()));
    }
    // wasm-bindgen's snippets (when the component has any), which the glue imports: preloaded with it.
    let folder = dist.join("snippets");
    let found = if folder.is_dir() {
        cmd::files_under(&folder)?
    } else {
        Vec::new()
    };
    let snippets = found
        .into_iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == "js"))
        .map(|path| path.strip_prefix(dist).map(Path::to_path_buf))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| err.to_string())?;
    let html = html.replace(START_MARK, &wasm::loader(&snippets));
    std::fs::write(&page, html).map_err(|err| format!("cannot write {}: {err}", page.display()))
}

pub fn dist() -> PathBuf {
    cmd::root().join("dist")
}

/// Builds the local API server and the member gateway (dev profile: fast to build, and it keeps
/// unwinding panics) and returns the paths of their binaries.
pub fn servers() -> Result<Servers, String> {
    cmd::run(cmd::cargo().args([
        "build",
        "--quiet",
        "-p",
        "idcheck-server",
        "-p",
        "idcheck-gateway",
    ]))?;
    let bin = cmd::root().join("target/debug");
    Ok(Servers {
        double: bin.join("idcheck-server"),
        gateway: bin.join("idcheck-gateway"),
    })
}

/// The binaries of the two servers.
pub struct Servers {
    /// `idcheck-server`, the stand-in for Nexudus and MasStack.
    pub double: PathBuf,
    /// `idcheck-gateway`, the member-facing back end.
    pub gateway: PathBuf,
}
