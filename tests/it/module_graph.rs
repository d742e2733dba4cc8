//! The layering of the crate's top-level modules, computed from the
//! `crate::` paths of non-test code, so that no import cycle among them
//! comes back unnoticed.
//!
//! The layers, from the bottom (a module may use the ones below it):
//! 1. `error`, `fsutil`, `redact`, `logging`, `cache`: no `crate::` imports
//!    beyond each other.
//! 2. `report` (the one finding type and its renderers), `gomod`, `git`:
//!    nothing above them; `report` knows no config, job or CLI.
//! 3. `registry` (the list of every rule and the `RuleId` it makes) and
//!    `policy` (located values, globs, rule keys, exceptions and the sink).
//! 4. `repo` (services, walking, parsed facts, Go imports), which holds only
//!    the repository's own keys of trellis.yaml.
//! 5. The jobs: `lint`, `drift`, `contract`, `scaffold`, each handed its own
//!    config section; then `score`, which reaches contract and drift only
//!    through narrow functions.
//! 6. `config` (trellis.yaml, which composes each job's section) and `rules`
//!    (every job's rule entries, made from the registry's list).
//! 7. `cli`, `commands`: parse the command line and dispatch.
//!
//! The test fails on any edge that closes a cycle among top-level modules.

use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use syn::visit::Visit;

/// Whether attributes make an item test-only (`#[test]`, `#[cfg(test)]`).
fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("test")
            || (attr.path().is_ident("cfg")
                && attr
                    .parse_args::<syn::Meta>()
                    .is_ok_and(|meta| meta.path().is_ident("test")))
    })
}

/// The top-level modules a file's non-test code names through `crate::`,
/// and the test-only modules it declares out of line (`#[cfg(test)] mod x;`).
#[derive(Default)]
struct Uses {
    modules: BTreeSet<String>,
    test_modules: Vec<String>,
}

impl Uses {
    fn add_path<'a>(&mut self, mut segments: impl Iterator<Item = &'a syn::Ident>) {
        if segments.next().is_some_and(|first| first == "crate")
            && let Some(module) = segments.next()
        {
            self.modules.insert(module.to_string());
        }
    }

    fn add_use_tree(&mut self, tree: &syn::UseTree, under_crate: bool) {
        match tree {
            syn::UseTree::Path(path) if !under_crate && path.ident == "crate" => {
                self.add_use_tree(&path.tree, true);
            }
            syn::UseTree::Path(_) if !under_crate => {}
            syn::UseTree::Path(path) => {
                self.modules.insert(path.ident.to_string());
            }
            syn::UseTree::Name(name) if under_crate => {
                self.modules.insert(name.ident.to_string());
            }
            syn::UseTree::Rename(rename) if under_crate => {
                self.modules.insert(rename.ident.to_string());
            }
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.add_use_tree(tree, under_crate);
                }
            }
            _ => {}
        }
    }

    /// `crate::x` written inside a macro's arguments (`matches!`, `format!`).
    fn add_tokens(&mut self, tokens: proc_macro2::TokenStream) {
        let tokens: Vec<proc_macro2::TokenTree> = tokens.into_iter().collect();
        for (index, token) in tokens.iter().enumerate() {
            match token {
                proc_macro2::TokenTree::Group(group) => self.add_tokens(group.stream()),
                proc_macro2::TokenTree::Ident(ident) if ident == "crate" => {
                    let colons = tokens[index + 1..].iter().take(2).all(
                        |t| matches!(t, proc_macro2::TokenTree::Punct(p) if p.as_char() == ':'),
                    );
                    if colons
                        && let Some(proc_macro2::TokenTree::Ident(module)) = tokens.get(index + 3)
                    {
                        self.modules.insert(module.to_string());
                    }
                }
                _ => {}
            }
        }
    }
}

impl<'ast> Visit<'ast> for Uses {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs = match item {
            syn::Item::Fn(f) => &f.attrs,
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Impl(i) => &i.attrs,
            syn::Item::Use(u) => &u.attrs,
            syn::Item::Struct(s) => &s.attrs,
            syn::Item::Enum(e) => &e.attrs,
            syn::Item::Const(c) => &c.attrs,
            syn::Item::Static(s) => &s.attrs,
            _ => return syn::visit::visit_item(self, item),
        };
        if is_test_only(attrs) {
            if let syn::Item::Mod(m) = item
                && m.content.is_none()
            {
                self.test_modules.push(m.ident.to_string());
            }
            return;
        }
        syn::visit::visit_item(self, item);
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.add_use_tree(&item.tree, false);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.add_path(path.segments.iter().map(|s| &s.ident));
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.add_tokens(mac.tokens.clone());
        syn::visit::visit_macro(self, mac);
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/lint/go.rs` -> `["lint", "go"]`; `mod.rs` names its directory.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let mut parts: Vec<String> = file
        .strip_prefix(src)
        .unwrap()
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|last| last == "mod") {
        parts.pop();
    }
    parts
}

/// Top-level module -> the top-level modules its non-test code uses.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut per_file: Vec<(Vec<String>, Uses)> = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let parsed = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let mut uses = Uses::default();
        uses.visit_file(&parsed);
        per_file.push((module_path(&src, &file), uses));
    }
    let test_only: Vec<Vec<String>> = per_file
        .iter()
        .flat_map(|(module, uses)| {
            // `lib.rs` declares top-level modules; any other file its children.
            let parent: Vec<String> = module.iter().filter(|p| *p != "lib").cloned().collect();
            uses.test_modules.iter().map(move |name| {
                let mut path = parent.clone();
                path.push(name.clone());
                path
            })
        })
        .collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, uses) in per_file {
        let Some(top) = module.first() else { continue };
        if matches!(top.as_str(), "main" | "lib")
            || test_only.iter().any(|test| module.starts_with(test))
        {
            continue;
        }
        let used = graph.entry(top.clone()).or_default();
        used.extend(uses.modules.into_iter().filter(|m| m != top));
    }
    graph
}

/// Edges that lie on a cycle: both ends in one strongly connected component.
fn cycle_edges(graph: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<(String, String)> {
    let mut g = DiGraph::<&str, ()>::new();
    let mut nodes: BTreeMap<&str, NodeIndex> = BTreeMap::new();
    for (from, tos) in graph {
        for name in std::iter::once(from).chain(tos) {
            nodes.entry(name).or_insert_with(|| g.add_node(name));
        }
    }
    for (from, tos) in graph {
        for to in tos {
            g.add_edge(nodes[from.as_str()], nodes[to.as_str()], ());
        }
    }
    let mut component = BTreeMap::new();
    for (index, scc) in petgraph::algo::tarjan_scc(&g).into_iter().enumerate() {
        for node in scc {
            component.insert(g[node], index);
        }
    }
    graph
        .iter()
        .flat_map(|(from, tos)| tos.iter().map(move |to| (from, to)))
        .filter(|(from, to)| component[from.as_str()] == component[to.as_str()])
        .map(|(from, to)| (from.clone(), to.clone()))
        .collect()
}

#[test]
fn no_import_cycle_among_top_level_modules() {
    let graph = module_graph();
    assert!(
        graph
            .get("commands")
            .is_some_and(|used| used.contains("lint") && used.contains("report")),
        "the walk finds the crate's imports: {graph:?}"
    );
    let on_cycles: Vec<String> = cycle_edges(&graph)
        .into_iter()
        .map(|(from, to)| format!("{from} -> {to}"))
        .collect();
    assert!(
        on_cycles.is_empty(),
        "these imports close a cycle among top-level modules (see the layers in tests/it/module_graph.rs): {on_cycles:?}"
    );
}

#[test]
fn report_depends_on_no_module_above_it() {
    let graph = module_graph();
    let report = graph.get("report").cloned().unwrap_or_default();
    let above: Vec<&String> = report
        .iter()
        .filter(|m| !matches!(m.as_str(), "error" | "fsutil" | "redact" | "logging"))
        .collect();
    assert!(above.is_empty(), "report uses {above:?}");
}

#[test]
fn the_walk_sees_uses_paths_and_macros_but_not_tests() {
    let text = "use crate::{a::X, b};\nuse crate::c as d;\nfn f() { crate::e::g(); matches!(x, crate::h::Y); }\n#[cfg(test)]\nmod tests { use crate::z; }\n#[cfg(test)]\nmod more;\n";
    let parsed = syn::parse_file(text).unwrap();
    let mut uses = Uses::default();
    uses.visit_file(&parsed);
    let found: Vec<&str> = uses.modules.iter().map(String::as_str).collect();
    assert_eq!(found, ["a", "b", "c", "e", "h"]);
    assert_eq!(uses.test_modules, ["more"]);
}
