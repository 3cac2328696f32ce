//! Building the shipped component (Trunk, release, wasm-opt), the local API server and the gateway.

use std::path::PathBuf;
use std::process::Command;

use crate::setup::Tools;
use crate::{cmd, compress};

/// Builds the component into `dist/` with Trunk in release mode (wasm-opt -Oz runs as part of it),
/// then writes each asset's `.br` and `.gz` beside it.
pub fn component(tools: &Tools) -> Result<PathBuf, String> {
    println!("build: component (trunk build --release)");
    cmd::run(
        Command::new(&tools.trunk)
            .current_dir(cmd::root())
            .env("PATH", &tools.path)
            // Trunk would otherwise try to reach the network to check for its own updates.
            .env("TRUNK_SKIP_VERSION_CHECK", "true")
            .args(["build", "--release"]),
    )?;
    let dist = dist();
    let written = compress::precompress(&dist)?;
    println!("build: {written} precompressed files (.br, .gz) beside the assets");
    Ok(dist)
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
