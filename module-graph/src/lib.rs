//! A test helper shared by the crates that check their own module structure (`tests/modules.rs` of
//! `idcheck-core` and `idcheck-server`): which of a crate's modules import which, read from its
//! `src/` folder, and the import cycles among them.
//!
//! It reads the source as text rather than parsing it: every `crate::…` path (and `super::…`
//! path, which names the parent module) is an edge from the file it is written in to the module
//! file the path names. A file's tests (from its first `#[cfg(test)]`) and comment lines (doc
//! links are not imports) are left out. A parent's `mod child;` and its re-exports (`pub use
//! child::…`) are not edges: a module contains its children, and a child that uses what its
//! parent defines is not a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module's path from the crate root, e.g. `["routes", "uploads"]`; the root is `["<lib>"]`
/// (or `["<main>"]`).
pub type Module = Vec<String>;

/// The modules of one crate and the modules each imports.
#[derive(Debug, Clone)]
pub struct Graph {
    /// Every module, with its file.
    pub files: BTreeMap<Module, PathBuf>,
    /// The modules each module imports, itself left out.
    pub edges: BTreeMap<Module, BTreeSet<Module>>,
}

impl Graph {
    /// The graph of the crate whose source folder is `src`.
    ///
    /// # Panics
    ///
    /// When `src` or a file in it cannot be read: the test reading it should fail.
    pub fn read(src: &Path) -> Graph {
        let files = module_files(src);
        let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
        for (module, path) in &files {
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
                if let Some(target) = resolve(&target, &files)
                    && &target != module
                {
                    entry.insert(target);
                }
            }
        }
        Graph { files, edges }
    }

    /// Whether `from` imports `to` directly (`to` given as `a::b`).
    pub fn imports(&self, from: &str, to: &str) -> bool {
        self.edges
            .get(&split(from))
            .is_some_and(|targets| targets.contains(&split(to)))
    }

    /// Every import cycle found, each as `a → b → a`; empty when there is none.
    pub fn cycles(&self) -> Vec<String> {
        let mut cycles = Vec::new();
        let mut done = BTreeSet::new();
        for node in self.edges.keys() {
            self.visit(node, &mut Vec::new(), &mut done, &mut cycles);
        }
        cycles
    }

    /// Depth-first search for a back edge, reporting the cycle it closes.
    fn visit(
        &self,
        node: &Module,
        path: &mut Vec<Module>,
        done: &mut BTreeSet<Module>,
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
        for next in self.edges.get(node).into_iter().flatten() {
            self.visit(next, path, done, cycles);
        }
        path.pop();
        done.insert(node.clone());
    }
}

fn split(path: &str) -> Module {
    path.split("::").map(str::to_owned).collect()
}

/// Module path → file, for every `.rs` file under `src`.
fn module_files(src: &Path) -> BTreeMap<Module, PathBuf> {
    let mut modules = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|err| panic!("cannot read {}: {err}", dir.display()));
        for entry in entries.flatten() {
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

/// The code of a file before its tests, without its comment lines.
///
/// # Panics
///
/// When the file cannot be read.
pub fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    let code = match text.find("#[cfg(test)]") {
        Some(index) => &text[..index],
        None => &text,
    };
    code.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The module a path names: its longest prefix that is a module file.
fn resolve(path: &[String], modules: &BTreeMap<Module, PathBuf>) -> Option<Module> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|prefix| modules.contains_key(prefix))
}

/// Every path segment list after `anchor` (`crate::`, `super::`) in `code`, with a `{a, b::c}`
/// group expanded one level (its items' own groups are not).
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
            if let Some(group) = text.strip_prefix('{') {
                let close = group.find('}').unwrap_or(group.len());
                for item in group[..close].split(',') {
                    let item: Vec<String> = item
                        .trim()
                        .split("::")
                        .map(|s| s.split(" as ").next().unwrap_or(s).trim().to_string())
                        .filter(|s| !s.is_empty() && s != "self")
                        .collect();
                    let mut full = segments.clone();
                    full.extend(item);
                    found.push(full);
                }
                segments.clear();
                break;
            }
            let end = text
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(text.len());
            if end == 0 {
                break;
            }
            segments.push(text[..end].to_string());
            text = &text[end..];
            match text.strip_prefix("::") {
                Some(next) => text = next,
                None => break,
            }
        }
        if !segments.is_empty() {
            found.push(segments);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A crate written into a fresh folder: `(path under src, text)` each.
    fn crate_of(name: &str, files: &[(&str, &str)]) -> PathBuf {
        let src = std::env::temp_dir().join(format!("module-graph-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&src);
        for (path, text) in files {
            let path = src.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        src
    }

    #[test]
    fn a_cycle_is_named_and_its_absence_is_not() {
        let src = crate_of(
            "cycle",
            &[
                ("lib.rs", "pub mod a;\npub mod b;\npub mod c;\n"),
                ("a.rs", "use crate::b::Thing;\n"),
                ("b.rs", "use crate::{c, a::{self as first, Other}};\n"),
                ("c.rs", "pub struct C;\n"),
            ],
        );
        let graph = Graph::read(&src);
        assert!(graph.imports("a", "b"));
        assert!(graph.imports("b", "c") && graph.imports("b", "a"));
        assert_eq!(graph.cycles(), ["a → b → a"]);
        std::fs::write(src.join("b.rs"), "use crate::c;\n").unwrap();
        assert!(Graph::read(&src).cycles().is_empty());
        let _ = std::fs::remove_dir_all(&src);
    }

    #[test]
    fn super_names_the_parent_and_tests_and_comments_are_no_imports() {
        let src = crate_of(
            "super",
            &[
                ("lib.rs", "pub mod outer;\npub mod other;\n"),
                ("outer/mod.rs", "mod inner;\npub use inner::Thing;\n"),
                (
                    "outer/inner.rs",
                    "use super::Shared;\n/// See [`crate::other::Doc`].\nfn f() {}\n\
                     #[cfg(test)]\nmod tests { use crate::other::Test; }\n",
                ),
                ("other.rs", "// crate::outer::inner is named only here\n"),
            ],
        );
        let graph = Graph::read(&src);
        assert!(graph.imports("outer::inner", "outer"));
        assert!(!graph.imports("outer::inner", "other"));
        assert!(!graph.imports("other", "outer::inner"));
        assert!(!graph.imports("outer", "outer::inner"));
        assert!(graph.cycles().is_empty());
        let _ = std::fs::remove_dir_all(&src);
    }
}
