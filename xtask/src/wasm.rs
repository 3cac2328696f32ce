//! The component's Rust pipeline, which Trunk has no way to run: the release build with
//! relocations kept, the split into a first module and the parts fetched later (`src/parts.rs`),
//! wasm-bindgen on the first module, wasm-opt on every module, and the JS glue minified. Trunk
//! still builds the page, the stylesheet and the copied folders; this writes beside them.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd;
use crate::setup::Tools;

/// The module the split writes for wasm-bindgen, and the file the parts' loader is written to.
const SPLIT_MAIN: &str = "idcheck_split.wasm";
const SPLIT_LOADER: &str = "./__wasm_split.js";
/// The features the shipped modules use, which wasm-opt must be told it may keep.
pub const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-reference-types",
    "--enable-multivalue",
    "--enable-mutable-globals",
];

/// Writes the first module (`idcheck_bg.wasm` and its glue `idcheck.js`, with wasm-bindgen's
/// `snippets/`), each part (`split_<part>.wasm`), the code parts share (`chunk_<n>.wasm`) and the
/// parts' loader (`__wasm_split.js`) into `dist`.
pub fn build(tools: &Tools, dist: &Path) -> Result<(), String> {
    let target_dir = cmd::root().join("target/split");
    println!("build: component wasm (release, split into parts)");
    cmd::run(
        cmd::cargo()
            // Relocations are what the split reads to move code between modules; the cfg turns the
            // parts into split points. A target directory of its own, so the flags do not make
            // every other wasm build (the in-browser tests) start over.
            .env("RUSTFLAGS", "--cfg idcheck_split -Clink-args=--emit-relocs")
            .args([
                "build",
                "--quiet",
                "--release",
                "--lib",
                "-p",
                "idcheck",
                "--target",
                "wasm32-unknown-unknown",
                "--target-dir",
            ])
            .arg(&target_dir),
    )?;
    let input = target_dir.join("wasm32-unknown-unknown/release/idcheck.wasm");
    let bytes =
        std::fs::read(&input).map_err(|err| format!("cannot read {}: {err}", input.display()))?;
    let work = target_dir.join("parts");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)
        .map_err(|err| format!("cannot create {}: {err}", work.display()))?;
    let main = work.join(SPLIT_MAIN);
    let split = wasm_split_cli_support::transform({
        let mut options = wasm_split_cli_support::Options::new(&bytes);
        options.output_dir = &work;
        options.main_out_path = &main;
        options.main_module = "./idcheck.js";
        options.link_name = SPLIT_LOADER;
        options
    })
    .map_err(|err| format!("splitting the component's wasm failed: {err:#}"))?;

    // The first module goes through wasm-bindgen, keeping the exports the parts link against.
    // (Trunk has just written `dist` afresh, so nothing of a previous build is left in it.)
    cmd::run(
        Command::new("wasm-bindgen")
            .env("PATH", &tools.path)
            .args([
                "--target",
                "web",
                "--keep-lld-exports",
                "--no-typescript",
                "--out-name",
                "idcheck",
                "--out-dir",
            ])
            .arg(dist)
            .arg(&main),
    )?;
    let mut modules = vec![dist.join("idcheck_bg.wasm")];
    for module in &split.split_modules {
        let name = file_name(module)?;
        let shipped = dist.join(&name);
        std::fs::copy(module, &shipped)
            .map_err(|err| format!("cannot copy {} into dist: {err}", module.display()))?;
        modules.push(shipped);
    }
    optimise_all(tools, &modules)?;
    let loader = std::fs::read_to_string(work.join(SPLIT_LOADER))
        .map_err(|err| format!("cannot read the parts' loader: {err}"))?;
    let loader = versioned(&loader, &modules[1..])?;
    std::fs::write(dist.join(SPLIT_LOADER), loader)
        .map_err(|err| format!("cannot write the parts' loader into dist: {err}"))?;
    minify(tools, &dist.join("idcheck.js"))?;
    minify(tools, &dist.join(SPLIT_LOADER))?;
    Ok(())
}

/// The loader with each part's address naming its content (`split_capture.wasm?v=…`), so the
/// servers let browsers keep a part for a year (`immutable`) and a new build is fetched anew.
fn versioned(loader: &str, parts: &[PathBuf]) -> Result<String, String> {
    use sha2::Digest;
    let mut loader = loader.to_owned();
    for part in parts {
        let name = file_name(part)?;
        let bytes =
            std::fs::read(part).map_err(|err| format!("cannot read {}: {err}", part.display()))?;
        let digest = sha2::Sha256::digest(&bytes);
        let version: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        let quoted = format!("\"./{name}\"");
        if !loader.contains(&quoted) {
            return Err(format!("the parts' loader does not name {name}"));
        }
        loader = loader.replace(&quoted, &format!("\"./{name}?v={version}\""));
    }
    Ok(loader)
}

fn file_name(path: &Path) -> Result<String, String> {
    path.file_name()
        .and_then(|name| name.to_str())
        .map(str::to_owned)
        .ok_or_else(|| format!("{} has no file name", path.display()))
}

/// wasm-opt on every module, two at a time: each run is mostly Node.js starting up.
fn optimise_all(tools: &Tools, modules: &[PathBuf]) -> Result<(), String> {
    let (first, second) = modules.split_at(modules.len() / 2);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| first.iter().try_for_each(|module| optimise(tools, module)));
        let mine = second.iter().try_for_each(|module| optimise(tools, module));
        other
            .join()
            .unwrap_or_else(|_| Err("wasm-opt's thread panicked".into()))?;
        mine
    })
}

/// wasm-opt -Oz in place (binaryen from npm: see `setup`).
fn optimise(tools: &Tools, module: &Path) -> Result<(), String> {
    let mut command = Command::new("wasm-opt");
    command
        .env("PATH", &tools.path)
        .arg("-Oz")
        .args(WASM_FEATURES)
        .arg(module)
        .arg("-o")
        .arg(module);
    // Its output is shown only when it fails: on success it is one warning per split module about
    // a name subsection binaryen does not know (the split's local names), which says nothing.
    cmd::run_quiet(&mut command)
}

/// Minifies an ES module in place with terser (from npm: see `setup`), keeping its exports.
fn minify(tools: &Tools, script: &Path) -> Result<(), String> {
    cmd::run(
        Command::new(&tools.terser)
            .arg(script)
            .args(["--module", "--compress", "--mangle", "--output"])
            .arg(script),
    )
}

/// The page's start: the first module's glue and its wasm are asked for at once (preloads), then
/// started. Written into `dist/index.html` in place of Trunk's loader.
pub fn loader(snippets: &[PathBuf]) -> String {
    // The glue imports the parts' loader and the snippets: asked for with it, not after it.
    let mut html = String::from(
        "<link rel=\"modulepreload\" href=\"/idcheck.js\" />\n\
         <link rel=\"modulepreload\" href=\"/__wasm_split.js\" />\n\
         <link rel=\"preload\" href=\"/idcheck_bg.wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin />\n",
    );
    for snippet in snippets {
        html.push_str(&format!(
            "<link rel=\"modulepreload\" href=\"/{}\" />\n",
            snippet.display()
        ));
    }
    html.push_str(
        "<script type=\"module\">import init from '/idcheck.js'; await init({ module_or_path: '/idcheck_bg.wasm' });</script>\n",
    );
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_part_is_addressed_by_its_content() {
        let folder = std::env::temp_dir().join(format!("idcheck-versioned-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let (one, ten) = (folder.join("chunk_1.wasm"), folder.join("chunk_10.wasm"));
        std::fs::write(&one, b"one").unwrap();
        std::fs::write(&ten, b"ten").unwrap();
        let loader = r#"fetch(new URL("./chunk_1.wasm", import.meta.url)); fetch(new URL("./chunk_10.wasm", import.meta.url));"#;
        let out = versioned(loader, &[one.clone(), ten.clone()]).unwrap();
        let versions: Vec<&str> = out.split("?v=").skip(1).map(|rest| &rest[..12]).collect();
        assert_eq!(versions.len(), 2, "{out}");
        assert_ne!(versions[0], versions[1], "{out}");
        assert!(out.contains(r#""./chunk_1.wasm?v="#) && out.contains(r#""./chunk_10.wasm?v="#));
        // A part the loader does not name is a broken build, not a silent miss.
        let missing = folder.join("split_gone.wasm");
        std::fs::write(&missing, b"gone").unwrap();
        assert!(versioned(loader, &[missing]).is_err());
        let _ = std::fs::remove_dir_all(&folder);
    }
}
