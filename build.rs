//! Checks the translation files and turns them into the component's typed keys (see the
//! `idcheck-locales` crate): a broken file fails the build, naming the file and the key.

fn main() {
    println!("cargo::rerun-if-changed=locales");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("texts.rs");
    if let Err(problems) = idcheck_locales::build(std::path::Path::new("locales"), &out) {
        eprintln!("The translation files have problems:\n{problems}");
        std::process::exit(1);
    }
}
