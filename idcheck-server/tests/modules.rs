//! The server's modules import one another without cycles, and the store knows nothing of HTTP.
//!
//! Read from the source by `module-graph` (see there what counts as an import). On the code
//! before this check, `auth → state → db → auth`, `state ↔ faults` and `files ↔ routes::uploads`
//! were cycles, and `store` imported `error` and `extract`: both tests failed there.

use std::path::{Path, PathBuf};

use module_graph::{Graph, code_of};

/// The source folder (`IDCHECK_SERVER_SRC` may point at another tree, to try the check on it).
fn src() -> PathBuf {
    std::env::var_os("IDCHECK_SERVER_SRC")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let cycles = Graph::read(&src()).cycles();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_store_and_the_database_know_nothing_of_http() {
    let graph = Graph::read(&src());
    let http = ["error", "extract", "state", "routes", "auth::request"];
    let mut found = Vec::new();
    for (module, targets) in &graph.edges {
        if !(module[0] == "store" || module[0] == "db") {
            continue;
        }
        for target in targets {
            let name = target.join("::");
            if http
                .iter()
                .any(|h| name == *h || name.starts_with(&format!("{h}::")))
            {
                found.push(format!("{} → {name}", module.join("::")));
            }
        }
        if code_of(&graph.files[module]).contains("axum") {
            found.push(format!("{} uses axum", module.join("::")));
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_reader_of_the_source_sees_these_edges() {
    // The checker itself: it sees an edge it must see.
    let graph = Graph::read(&src());
    assert!(graph.imports("routes::documents", "routes::sources"));
    assert!(graph.imports("state", "fetch"));
}
