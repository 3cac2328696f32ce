//! The server's modules import one another without cycles, and the store knows nothing of HTTP.
//!
//! Read from the source: every `crate::…` path (and `super::…` at a file's top level) outside the
//! tests at a file's end is an edge from that file to the module file the path names. On the code
//! before this check, `auth → state → db → auth`, `state ↔ faults` and `files ↔ routes::uploads`
//! were cycles, and `store` imported `error` and `extract`: both tests failed there.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path (`["routes", "uploads"]`) → file.
fn module_files(src: &Path) -> BTreeMap<Vec<String>, PathBuf> {
    let mut modules = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).unwrap().with_extension("");
            let mut parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|p| p == "mod") {
                parts.pop();
            }
            if parts == ["lib"] || parts == ["main"] {
                parts = vec![format!("<{}>", parts[0])];
            }
            modules.insert(parts, path);
        }
    }
    modules
}

/// The code of a file before its tests.
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    match text.find("#[cfg(test)]") {
        Some(index) => text[..index].to_string(),
        None => text,
    }
}

/// The module a path names: its longest prefix that is a module file.
fn resolve(path: &[String], modules: &BTreeMap<Vec<String>, PathBuf>) -> Option<Vec<String>> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|prefix| modules.contains_key(prefix))
}

/// Every path segment list after `anchor::` in `code`, with `{a, b::c}` groups expanded one level.
fn paths_after(code: &str, anchor: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(index) = rest.find(anchor) {
        let preceded_by_word = rest[..index]
            .chars()
            .last()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':');
        rest = &rest[index + anchor.len()..];
        if preceded_by_word {
            continue;
        }
        let mut segments = Vec::new();
        let mut text = rest;
        loop {
            let end = text
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(text.len());
            if end == 0 {
                break;
            }
            segments.push(text[..end].to_string());
            text = &text[end..];
            if let Some(next) = text.strip_prefix("::") {
                text = next;
                if let Some(group) = text.strip_prefix('{') {
                    let close = group.find('}').unwrap_or(group.len());
                    for item in group[..close].split(',') {
                        let item: Vec<String> = item
                            .trim()
                            .split("::")
                            .map(|s| s.trim().trim_start_matches("self").to_string())
                            .filter(|s| !s.is_empty())
                            .collect();
                        let mut full = segments.clone();
                        full.extend(item);
                        found.push(full);
                    }
                    segments.clear();
                    break;
                }
            } else {
                break;
            }
        }
        if !segments.is_empty() {
            found.push(segments);
        }
    }
    found
}

/// The source folder (`IDCHECK_SERVER_SRC` may point at another tree, to try the check on it).
fn src() -> PathBuf {
    std::env::var_os("IDCHECK_SERVER_SRC")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

fn graph() -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let src = src();
    let modules = module_files(&src);
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (module, path) in &modules {
        let code = code_of(path);
        let mut targets: Vec<Vec<String>> = paths_after(&code, "crate::");
        // `super::` at a file's top level names the parent module (inline modules aside, which
        // only name their own file).
        if module.len() > 1 {
            let parent = module[..module.len() - 1].to_vec();
            for path in paths_after(&code, "super::") {
                let mut full = parent.clone();
                full.extend(path);
                targets.push(full);
            }
        }
        let entry = edges.entry(module.clone()).or_default();
        for target in targets {
            if let Some(target) = resolve(&target, &modules)
                && &target != module
            {
                entry.insert(target);
            }
        }
    }
    edges
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let edges = graph();
    // Depth-first search for a back edge, reporting the cycle it closes.
    fn visit(
        node: &Vec<String>,
        edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        path: &mut Vec<Vec<String>>,
        done: &mut BTreeSet<Vec<String>>,
        cycles: &mut Vec<String>,
    ) {
        if let Some(start) = path.iter().position(|n| n == node) {
            let cycle: Vec<String> = path[start..]
                .iter()
                .chain(std::iter::once(node))
                .map(|n| n.join("::"))
                .collect();
            cycles.push(cycle.join(" → "));
            return;
        }
        if done.contains(node) {
            return;
        }
        path.push(node.clone());
        for next in edges.get(node).into_iter().flatten() {
            visit(next, edges, path, done, cycles);
        }
        path.pop();
        done.insert(node.clone());
    }
    let mut cycles = Vec::new();
    let mut done = BTreeSet::new();
    for node in edges.keys() {
        visit(node, &edges, &mut Vec::new(), &mut done, &mut cycles);
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_store_and_the_database_know_nothing_of_http() {
    let edges = graph();
    let files = module_files(&src());
    let http = ["error", "extract", "state", "routes", "auth::request"];
    let mut found = Vec::new();
    for (module, targets) in &edges {
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
        if code_of(&files[module]).contains("axum") {
            found.push(format!("{} uses axum", module.join("::")));
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_reader_of_the_source_sees_these_edges() {
    // The checker itself: it sees an edge it must see.
    let edges = graph();
    assert!(
        edges[&vec!["routes".to_string(), "documents".to_string()]]
            .contains(&vec!["routes".to_string(), "sources".to_string()])
    );
    assert!(edges[&vec!["state".to_string()]].contains(&vec!["fetch".to_string()]));
}
