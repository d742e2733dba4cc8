//! The Rust front end: syn (full) with span locations.

use crate::lint::facts::CrateUse;
use crate::repo::Repo;
use crate::report::Span;
use serde::{Deserialize, Serialize};
use syn::spanned::Spanned;

pub struct RustFile<'a> {
    pub(crate) source: &'a str,
    pub(crate) ast: &'a syn::File,
    /// `src/main.rs`, `src/bin/**`, `build.rs`, a `[[bin]]` target's `path`:
    /// entry points may print.
    pub(crate) is_entry_point: bool,
    /// Under `tests/`, `test/`, `testdata/`, `benches/` or `examples/`, a `[[test]]`-like target,
    /// a module its parent declares under `#[cfg(test)]`, or in a test crate.
    pub(crate) is_test_path: bool,
    /// In a command-line or `xtask` crate.
    pub(crate) prints_by_design: bool,
}

impl<'a> RustFile<'a> {
    pub(crate) fn new(
        path: &'a str,
        source: &'a str,
        ast: &'a syn::File,
        role: Role,
    ) -> RustFile<'a> {
        let segments: Vec<&str> = path.split('/').collect();
        let is_entry_point = path.ends_with("src/main.rs")
            || path.ends_with("/build.rs")
            || path == "build.rs"
            || segments.windows(2).any(|w| w == ["src", "bin"])
            || role.entry_point;
        let is_test_path = segments
            .iter()
            .any(|s| matches!(*s, "tests" | "test" | "testdata" | "benches" | "examples"))
            || role.test;
        RustFile {
            source,
            ast,
            is_entry_point,
            is_test_path,
            prints_by_design: role.prints_by_design,
        }
    }
}

/// How deep syn's tree for a file may be, estimated from its tokens, and
/// above which trellis does not parse the file: syn's parser, its visitors
/// and the drop of its tree all recurse once per level of nesting.
pub(crate) const MAX_NESTING: usize = 10_000;

/// An upper estimate of the nesting depth of syn's tree for this source, or
/// `None` when it does not even lex (syn then reports the error).
///
/// Each level of a syntax tree takes at least one token, so the depth inside
/// a bracket group is bounded by the tokens before it in its expression plus
/// the depth of the group. An expression ends at `;` and `,`, and at a `{}`
/// block not followed by something that continues it (`.`, an operator,
/// `else`, `as`), and at an attribute: items, statements and match arms are
/// lists in syn, not nested nodes. Iterative, like proc-macro2's lexer and
/// its drop. Over the 9,766 `.rs` files of this project's dependencies the
/// largest estimate is 4,133 (a generated table matching one value against
/// a thousand alternatives, which syn keeps flat), the next 403.
pub(crate) fn nesting_estimate(source: &str) -> Option<usize> {
    use proc_macro2::{Delimiter, TokenTree};
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    // A shebang line is not Rust tokens; `#![attr]` is.
    let source = match source.strip_prefix("#!") {
        Some(rest) if !rest.trim_start().starts_with('[') => {
            rest.find('\n').map_or("", |end| &rest[end..])
        }
        _ => source,
    };
    let tokens: proc_macro2::TokenStream = source.parse().ok()?;
    // Per open group: its tokens not yet consumed, the depth it starts at,
    // and the tokens of the current expression in it.
    let mut stack = vec![(tokens.into_iter().peekable(), 0usize, 0usize)];
    let mut deepest = 0;
    while let Some((tokens, base, run)) = stack.last_mut() {
        let Some(token) = tokens.next() else {
            stack.pop();
            continue;
        };
        *run += 1;
        let depth = *base + *run;
        deepest = deepest.max(depth);
        match token {
            TokenTree::Punct(p) if matches!(p.as_char(), ';' | ',') => *run = 0,
            // An attribute starts an item, a statement or a field (doc
            // comments are attributes too): syn keeps attributes in lists.
            TokenTree::Punct(p) if p.as_char() == '#' => *run = 0,
            TokenTree::Group(group) => {
                let block_ends_expression = group.delimiter() == Delimiter::Brace
                    && !tokens.peek().is_some_and(continues_expression);
                if block_ends_expression {
                    *run = 0;
                }
                stack.push((group.stream().into_iter().peekable(), depth, 0));
            }
            _ => {}
        }
    }
    Some(deepest)
}

fn continues_expression(next: &proc_macro2::TokenTree) -> bool {
    match next {
        proc_macro2::TokenTree::Punct(p) => !matches!(p.as_char(), ';' | ',' | '#'),
        proc_macro2::TokenTree::Ident(i) => i == "else" || i == "as",
        _ => false,
    }
}

/// What other files say about a Rust file: its Cargo.toml (`[[bin]]` paths,
/// what the crate is for) and its parent module (`#[cfg(test)] mod x;`).
/// Part of the lint cache's scope, so a change there re-analyses the file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Role {
    pub(crate) entry_point: bool,
    pub(crate) test: bool,
    pub(crate) prints_by_design: bool,
}

/// Parent modules followed up from a file; deeper trees are read as non-test.
const MAX_MODULE_DEPTH: usize = 16;
/// Parent module files are read up to this size.
const MAX_PARENT_BYTES: u64 = 1024 * 1024;

impl Role {
    pub(crate) fn of(repo: &Repo, path: &str) -> Role {
        let krate = repo.rust_crate_for(path);
        Role {
            entry_point: krate.is_some_and(|c| c.bin_paths.iter().any(|p| p == path)),
            test: krate.is_some_and(|c| c.is_test_crate || c.test_paths.iter().any(|p| p == path))
                || declared_under_cfg_test(|p| read_capped(&repo.absolute(p)), path),
            prints_by_design: krate.is_some_and(|c| c.prints_by_design),
        }
    }
}

fn read_capped(path: &std::path::Path) -> Option<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)
        .ok()?
        .take(MAX_PARENT_BYTES)
        .read_to_string(&mut text)
        .ok()?;
    Some(text)
}

/// Whether `path`, or a module above it, is declared `#[cfg(test)] mod name;`
/// in its parent module file. A file no parent declares is not test code.
pub(crate) fn declared_under_cfg_test(read: impl Fn(&str) -> Option<String>, path: &str) -> bool {
    let mut current = path.to_string();
    for _ in 0..MAX_MODULE_DEPTH {
        let Some((name, parents)) = module_parents(&current) else {
            return false;
        };
        let Some((parent, declared_test)) = parents.into_iter().find_map(|p| {
            read(&p)
                .and_then(|text| mod_declaration(&text, &name))
                .map(|t| (p, t))
        }) else {
            return false;
        };
        if declared_test {
            return true;
        }
        current = parent;
    }
    false
}

/// The module name of a file and the files that may declare it: `a/b.rs`
/// and `a/b/mod.rs` are module `b` of `a.rs`, `a/mod.rs`, `a/lib.rs` or `a/main.rs`.
fn module_parents(path: &str) -> Option<(String, Vec<String>)> {
    let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
    let stem = file.strip_suffix(".rs")?;
    if matches!(stem, "lib" | "main") {
        return None;
    }
    let (module_dir, name) = if stem == "mod" {
        let (up, name) = dir.rsplit_once('/').unwrap_or(("", dir));
        (up, name)
    } else {
        (dir, stem)
    };
    if name.is_empty() {
        return None;
    }
    let join = |f: &str| {
        if module_dir.is_empty() {
            f.to_string()
        } else {
            format!("{module_dir}/{f}")
        }
    };
    let mut parents = vec![join("mod.rs"), join("lib.rs"), join("main.rs")];
    if !module_dir.is_empty() {
        parents.push(format!("{module_dir}.rs"));
    }
    Some((name.to_string(), parents))
}

/// Whether `text` declares `mod name;` and, if so, whether under an
/// attribute holding `cfg(test)` (on its line or the attribute lines above).
fn mod_declaration(text: &str, name: &str) -> Option<bool> {
    let lines: Vec<&str> = text.lines().collect();
    for (index, line) in lines.iter().enumerate() {
        let code = line.trim();
        let item = code.rsplit_once(']').map_or(code, |(_, rest)| rest).trim();
        let item = item
            .strip_prefix("pub(crate) ")
            .or_else(|| item.strip_prefix("pub(super) "))
            .or_else(|| item.strip_prefix("pub "))
            .unwrap_or(item)
            .trim_start();
        let Some(rest) = item.strip_prefix("mod ") else {
            continue;
        };
        if rest.trim_end().trim_end_matches(';').trim() != name || !rest.trim_end().ends_with(';') {
            continue;
        }
        let mut attributes = vec![code];
        for above in lines[..index].iter().rev().map(|l| l.trim()) {
            if above.starts_with("//") {
                continue; // a comment may mention cfg(test) without applying it
            }
            // An attribute line ends with `]`; `#[cfg(x)] mod other;` is another item.
            if above.ends_with(']') {
                attributes.push(above);
            } else {
                break;
            }
        }
        return Some(attributes.iter().any(|a| is_cfg_test_text(a)));
    }
    None
}

/// `#[cfg(test)]`, `#[cfg(all(test, ...))]`; not `cfg(not(test))` nor `feature = "test"`.
fn is_cfg_test_text(attribute: &str) -> bool {
    let compact: String = attribute.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(start) = compact.find("#[cfg(") else {
        return false;
    };
    let body = &compact[start + 6..];
    (body.starts_with("test)") || body.starts_with("test,") || body.starts_with("all(test"))
        || body.contains(",test)") && !body.contains("not(test")
}

/// 1-based span of a syntax node, columns in characters.
pub(crate) fn span_of(node: &impl Spanned) -> Span {
    let span = node.span();
    let start = span.start();
    let end = span.end();
    Span {
        line: start.line as u32,
        column: start.column as u32 + 1,
        end_line: end.line as u32,
        end_column: end.column as u32 + 1,
    }
}

/// Whether attributes hold `#[test]`, `#[cfg(test)]` or a `*::test` attribute (`#[tokio::test]`).
pub(crate) fn is_test_attr(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        let path = attr.path();
        if path.segments.last().is_some_and(|s| s.ident == "test") {
            return true;
        }
        if path.is_ident("cfg") {
            let mut test = false;
            let _ = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("test") {
                    test = true;
                }
                Ok(())
            });
            return test;
        }
        false
    })
}

/// The last segment of a macro's path: `println`, `format`.
pub(crate) fn macro_name(mac: &syn::Macro) -> String {
    mac.path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

/// The path of an expression as `a::b::c` when it is a plain path.
pub(crate) fn path_text(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Path(p) => Some(
            p.path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect::<Vec<_>>()
                .join("::"),
        ),
        _ => None,
    }
}

fn use_entries(tree: &syn::UseTree, out: &mut Vec<CrateUse>) {
    let mut push = |ident: &syn::Ident, module: Option<String>| {
        out.push(CrateUse {
            krate: ident.to_string(),
            module,
            span: span_of(ident),
        })
    };
    match tree {
        syn::UseTree::Path(p) => {
            let mut modules = Vec::new();
            second_segments(&p.tree, &mut modules);
            for module in modules {
                push(&p.ident, module);
            }
        }
        syn::UseTree::Name(n) => push(&n.ident, None),
        syn::UseTree::Rename(r) => push(&r.ident, None),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| use_entries(t, out)),
        syn::UseTree::Glob(_) => {}
    }
}

fn second_segments(tree: &syn::UseTree, out: &mut Vec<Option<String>>) {
    match tree {
        syn::UseTree::Path(p) => out.push(Some(p.ident.to_string())),
        syn::UseTree::Name(n) => out.push(Some(n.ident.to_string())),
        syn::UseTree::Rename(r) => out.push(Some(r.ident.to_string())),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| second_segments(t, out)),
        syn::UseTree::Glob(_) => out.push(None),
    }
}

/// The crates a file names in `use` items and `extern crate`, each with the
/// module it reaches into.
pub(crate) fn used_crates(ast: &syn::File) -> Vec<CrateUse> {
    struct Uses(Vec<CrateUse>);
    impl<'ast> syn::visit::Visit<'ast> for Uses {
        fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
            use_entries(&item.tree, &mut self.0);
        }
        fn visit_item_extern_crate(&mut self, item: &'ast syn::ItemExternCrate) {
            self.0.push(CrateUse {
                krate: item.ident.to_string(),
                module: None,
                span: span_of(&item.ident),
            });
        }
    }
    let mut uses = Uses(Vec::new());
    syn::visit::Visit::visit_file(&mut uses, ast);
    uses.0
        .into_iter()
        .filter(|u| {
            !matches!(
                u.krate.as_str(),
                "crate" | "self" | "super" | "std" | "core" | "alloc"
            )
        })
        .collect()
}

/// The statics a `lazy_static!` invocation declares (`static ref X: T = e;`),
/// parsed from its tokens: syn leaves macro bodies as tokens, and services
/// declare their shared clients and caches this way more than any other.
/// Spans stay those of the source. Anything that does not parse gives none.
pub(crate) fn lazy_statics(mac: &syn::Macro) -> Vec<syn::ItemStatic> {
    if macro_name(mac) != "lazy_static" {
        return Vec::new();
    }
    // `static ref X` is `static X` once `ref` is dropped.
    let mut previous_static = false;
    let tokens: proc_macro2::TokenStream = mac
        .tokens
        .clone()
        .into_iter()
        .filter(|token| {
            let is_ref = matches!(token, proc_macro2::TokenTree::Ident(i) if i == "ref");
            let keep = !(is_ref && previous_static);
            previous_static = matches!(token, proc_macro2::TokenTree::Ident(i) if i == "static");
            keep
        })
        .collect();
    match syn::parse2::<syn::File>(tokens) {
        Ok(file) => file
            .items
            .into_iter()
            .filter_map(|item| match item {
                syn::Item::Static(item) => Some(item),
                _ => None,
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The names a file gives reqwest's client types through `use`:
/// `use reqwest::Client;`, `use reqwest::{blocking::Client as Http}`.
#[derive(Debug, Default)]
pub(crate) struct ReqwestNames {
    pub(crate) clients: Vec<String>,
    pub(crate) builders: Vec<String>,
}

impl ReqwestNames {
    pub(crate) fn of(ast: &syn::File) -> ReqwestNames {
        let mut names = ReqwestNames::default();
        for item in &ast.items {
            if let syn::Item::Use(item) = item {
                names.collect(&item.tree, &mut Vec::new());
            }
        }
        names
    }

    fn collect(&mut self, tree: &syn::UseTree, prefix: &mut Vec<String>) {
        let mut record = |path: &[String], name: String| {
            let full = path.join("::");
            match full.as_str() {
                "reqwest::Client" | "reqwest::blocking::Client" => self.clients.push(name),
                "reqwest::ClientBuilder" | "reqwest::blocking::ClientBuilder" => {
                    self.builders.push(name)
                }
                _ => {}
            }
        };
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.collect(&p.tree, prefix);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut path = prefix.clone();
                path.push(n.ident.to_string());
                record(&path, n.ident.to_string());
            }
            syn::UseTree::Rename(r) => {
                let mut path = prefix.clone();
                path.push(r.ident.to_string());
                record(&path, r.rename.to_string());
            }
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| self.collect(t, prefix)),
            syn::UseTree::Glob(_) => {}
        }
    }

    /// Whether `path` (`a::b::c`) names reqwest's `Client`.
    pub(crate) fn is_client(&self, path: &str) -> bool {
        matches!(path, "reqwest::Client" | "reqwest::blocking::Client")
            || self.clients.iter().any(|c| c == path)
    }

    /// Whether `path` names reqwest's `ClientBuilder`.
    pub(crate) fn is_builder(&self, path: &str) -> bool {
        matches!(
            path,
            "reqwest::ClientBuilder" | "reqwest::blocking::ClientBuilder"
        ) || self.builders.iter().any(|b| b == path)
    }
}

#[cfg(test)]
mod tests {
    use super::nesting_estimate;

    #[test]
    fn lists_of_items_statements_and_arms_stay_shallow() {
        let mut source = String::from("//! Crate docs.\n//! More docs.\n");
        for i in 0..500 {
            source.push_str(&format!(
                "/// Doc.\n#[inline]\nfn f{i}(x: u8) -> u8 {{\n    if x > 1 {{ x }} else {{ 0 }}\n    match x {{ 0 => {{ 1 }} _ => {{ 2 }} }}\n}}\n"
            ));
        }
        let depth = nesting_estimate(&source).unwrap();
        assert!(depth < 20, "{depth}");
    }

    #[test]
    fn nesting_and_chains_count_every_level() {
        let parens = format!(
            "fn f() {{ let x = {}1{}; }}",
            "(".repeat(700),
            ")".repeat(700)
        );
        assert!(nesting_estimate(&parens).unwrap() >= 700);
        let sum = format!("fn f() {{ let x = {}; }}", vec!["1"; 300].join(" + "));
        assert!(nesting_estimate(&sum).unwrap() >= 599);
        // Blocks that continue an expression do not end it.
        let blocks = format!("fn f() {{ let x = {}; }}", vec!["{ 1 }"; 300].join(" + "));
        assert!(nesting_estimate(&blocks).unwrap() >= 599);
        let else_ifs = format!("fn f() {{ {} {{}} }}", "if a {} else ".repeat(300));
        assert!(nesting_estimate(&else_ifs).unwrap() >= 900);
    }

    #[test]
    fn a_shebang_is_not_lexed_and_bad_tokens_are_left_to_syn() {
        assert!(nesting_estimate("#!/usr/bin/env run-cargo-script\nfn main() {}\n").is_some());
        assert_eq!(nesting_estimate("fn main() { \" }"), None);
    }
}

#[cfg(test)]
mod role_tests {
    use super::*;

    fn tree<'a>(files: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |path| {
            files
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, text)| text.to_string())
        }
    }

    #[test]
    fn modules_declared_under_cfg_test_and_their_children_are_test_code() {
        let files = [
            (
                "src/lib.rs",
                "pub mod api;\n#[cfg(test)]\n#[allow(dead_code)]\nmod support;\n",
            ),
            ("src/support/mod.rs", "pub(crate) mod rows;\n"),
            (
                "src/api.rs",
                "#[cfg(all(test, feature = \"db\"))] mod db_tests;\n// #[cfg(test)]\nmod wire;\n",
            ),
        ];
        let read = tree(&files);
        assert!(declared_under_cfg_test(&read, "src/support/mod.rs"));
        assert!(declared_under_cfg_test(&read, "src/support/rows.rs"));
        assert!(declared_under_cfg_test(&read, "src/api/db_tests.rs"));
        assert!(!declared_under_cfg_test(&read, "src/api/wire.rs"));
        assert!(!declared_under_cfg_test(&read, "src/api.rs"));
        assert!(!declared_under_cfg_test(&read, "src/lib.rs"));
        assert!(!declared_under_cfg_test(&read, "src/undeclared.rs"));
    }

    #[test]
    fn only_cfg_test_itself_counts() {
        assert!(is_cfg_test_text("#[cfg(test)]"));
        assert!(is_cfg_test_text("#[cfg( all( test, unix ) )]"));
        assert!(!is_cfg_test_text("#[cfg(not(test))]"));
        assert!(!is_cfg_test_text("#[cfg(feature = \"test\")]"));
        assert!(!is_cfg_test_text("#[cfg(any(test, feature = \"mocks\"))]"));
    }
}
