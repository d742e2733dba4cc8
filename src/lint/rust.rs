//! The Rust front end: syn (full) with span locations.

use crate::report::Span;
use syn::spanned::Spanned;

pub struct RustFile<'a> {
    pub path: &'a str,
    pub source: &'a str,
    pub ast: &'a syn::File,
    /// `src/main.rs`, `src/bin/**`, `build.rs`: entry points may print.
    pub is_entry_point: bool,
    /// Under `tests/`, `benches/` or `examples/`.
    pub is_test_path: bool,
}

impl<'a> RustFile<'a> {
    pub fn new(path: &'a str, source: &'a str, ast: &'a syn::File) -> RustFile<'a> {
        let segments: Vec<&str> = path.split('/').collect();
        let is_entry_point = path.ends_with("src/main.rs")
            || path.ends_with("/build.rs")
            || path == "build.rs"
            || segments.windows(2).any(|w| w == ["src", "bin"]);
        let is_test_path = segments
            .iter()
            .any(|s| matches!(*s, "tests" | "benches" | "examples"));
        RustFile {
            path,
            source,
            ast,
            is_entry_point,
            is_test_path,
        }
    }
}

/// How deep syn's tree for a file may be, estimated from its tokens, and
/// above which trellis does not parse the file: syn's parser, its visitors
/// and the drop of its tree all recurse once per level of nesting.
pub const MAX_NESTING: usize = 10_000;

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
pub fn nesting_estimate(source: &str) -> Option<usize> {
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

/// 1-based span of a syntax node, columns in characters.
pub fn span_of(node: &impl Spanned) -> Span {
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
pub fn is_test_attr(attrs: &[syn::Attribute]) -> bool {
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
pub fn macro_name(mac: &syn::Macro) -> String {
    mac.path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

/// The path of an expression as `a::b::c` when it is a plain path.
pub fn path_text(expr: &syn::Expr) -> Option<String> {
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

fn first_segments(tree: &syn::UseTree, out: &mut Vec<(String, Span)>) {
    match tree {
        syn::UseTree::Path(p) => out.push((p.ident.to_string(), span_of(&p.ident))),
        syn::UseTree::Name(n) => out.push((n.ident.to_string(), span_of(&n.ident))),
        syn::UseTree::Rename(r) => out.push((r.ident.to_string(), span_of(&r.ident))),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| first_segments(t, out)),
        syn::UseTree::Glob(_) => {}
    }
}

/// The crates a file names in `use` items and `extern crate`.
pub fn used_crates(ast: &syn::File) -> Vec<(String, Span)> {
    struct Uses(Vec<(String, Span)>);
    impl<'ast> syn::visit::Visit<'ast> for Uses {
        fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
            first_segments(&item.tree, &mut self.0);
        }
        fn visit_item_extern_crate(&mut self, item: &'ast syn::ItemExternCrate) {
            self.0.push((item.ident.to_string(), span_of(&item.ident)));
        }
    }
    let mut uses = Uses(Vec::new());
    syn::visit::Visit::visit_file(&mut uses, ast);
    uses.0
        .into_iter()
        .filter(|(name, _)| {
            !matches!(
                name.as_str(),
                "crate" | "self" | "super" | "std" | "core" | "alloc"
            )
        })
        .collect()
}

/// The statics a `lazy_static!` invocation declares (`static ref X: T = e;`),
/// parsed from its tokens: syn leaves macro bodies as tokens, and services
/// declare their shared clients and caches this way more than any other.
/// Spans stay those of the source. Anything that does not parse gives none.
pub fn lazy_statics(mac: &syn::Macro) -> Vec<syn::ItemStatic> {
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
pub struct ReqwestNames {
    pub clients: Vec<String>,
    pub builders: Vec<String>,
}

impl ReqwestNames {
    pub fn of(ast: &syn::File) -> ReqwestNames {
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
    pub fn is_client(&self, path: &str) -> bool {
        matches!(path, "reqwest::Client" | "reqwest::blocking::Client")
            || self.clients.iter().any(|c| c == path)
    }

    /// Whether `path` names reqwest's `ClientBuilder`.
    pub fn is_builder(&self, path: &str) -> bool {
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
