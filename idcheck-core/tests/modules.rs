//! The core's modules import one another without cycles, and the violation module that every rule
//! reports with imports none of them.
//!
//! Read from the source by `module-graph` (see there what counts as an import). Before issue 12
//! `rules ↔ files` was a cycle (the file rules reported the rules' `Violation`, whose words for
//! files read the file rules' limits): this test failed there, naming it.

use std::path::{Path, PathBuf};

use module_graph::Graph;

/// The source folder (`IDCHECK_CORE_SRC` may point at another tree, to try the check on it).
fn src() -> PathBuf {
    std::env::var_os("IDCHECK_CORE_SRC")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let cycles = Graph::read(&src()).cycles();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_violation_module_imports_nothing_of_the_core() {
    // Every module that judges input reports a `Violation`, so it must sit below all of them.
    let graph = Graph::read(&src());
    let imported = graph
        .edges
        .get(&vec!["violation".to_string()])
        .expect("a violation module");
    assert!(imported.is_empty(), "violation imports {imported:?}");
}

#[test]
fn the_reader_of_the_source_sees_these_edges() {
    // The checker itself: it sees the edges it must see, `crate::` and `super::` alike.
    let graph = Graph::read(&src());
    for (from, to) in [
        ("rules", "violation"),
        ("files", "violation"),
        ("model::envelopes", "violation"),
        ("masstack::rules", "masstack::model"),
        ("masstack::rules", "violation"),
        ("masstack::model", "masstack::state"),
    ] {
        assert!(graph.imports(from, to), "{from} → {to} is not seen");
    }
}
