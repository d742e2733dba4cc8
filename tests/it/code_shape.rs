//! The shape of the source: orchestration stays a short pipeline of named
//! stages, so no function outside tests grows past [`MAX_LINES`].

use std::path::{Path, PathBuf};
use syn::spanned::Spanned;

const MAX_LINES: usize = 150;

/// Functions still over the limit, each with where it is being split.
/// Remove an entry when its function is short again: the test says so.
const KNOWN_LONG: &[(&str, &str)] = &[];

/// A function of the crate: `module::Type::name` and its length in lines,
/// from `fn` to the closing brace.
#[derive(Debug)]
struct FnLength {
    path: String,
    lines: usize,
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("test")
            || (attr.path().is_ident("cfg")
                && attr
                    .parse_args::<syn::Meta>()
                    .is_ok_and(|meta| meta.path().is_ident("test")))
    })
}

fn length(sig: &syn::Signature, block: &syn::Block) -> usize {
    let start = sig.fn_token.span.start().line;
    let end = block.span().end().line;
    end - start + 1
}

fn collect(module: &str, items: &[syn::Item], out: &mut Vec<FnLength>) {
    let join = |name: &str| {
        if module.is_empty() {
            name.to_string()
        } else {
            format!("{module}::{name}")
        }
    };
    for item in items {
        match item {
            syn::Item::Fn(f) if !is_test_only(&f.attrs) => out.push(FnLength {
                path: join(&f.sig.ident.to_string()),
                lines: length(&f.sig, &f.block),
            }),
            syn::Item::Impl(imp) if !is_test_only(&imp.attrs) => {
                let owner = match &*imp.self_ty {
                    syn::Type::Path(p) => p
                        .path
                        .segments
                        .last()
                        .map_or(String::new(), |s| s.ident.to_string()),
                    _ => String::new(),
                };
                for item in &imp.items {
                    if let syn::ImplItem::Fn(f) = item
                        && !is_test_only(&f.attrs)
                    {
                        out.push(FnLength {
                            path: join(&format!("{owner}::{}", f.sig.ident)),
                            lines: length(&f.sig, &f.block),
                        });
                    }
                }
            }
            syn::Item::Mod(m) if !is_test_only(&m.attrs) => {
                if let Some((_, items)) = &m.content {
                    collect(&join(&m.ident.to_string()), items, out);
                }
            }
            _ => {}
        }
    }
}

/// `src/lint/mod.rs` is `lint`, `src/lint/go.rs` is `lint::go`.
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts.join("::")
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

fn function_lengths() -> Vec<FnLength> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut lengths = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let parsed = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        collect(&module_of(&src, &file), &parsed.items, &mut lengths);
    }
    lengths
}

#[test]
fn no_function_outside_tests_is_longer_than_the_limit() {
    let lengths = function_lengths();
    assert!(
        lengths.iter().any(|f| f.path == "lint::run"),
        "the walk finds the crate's functions"
    );
    let too_long: Vec<String> = lengths
        .iter()
        .filter(|f| f.lines > MAX_LINES && !KNOWN_LONG.iter().any(|(p, _)| *p == f.path))
        .map(|f| format!("{} ({} lines)", f.path, f.lines))
        .collect();
    assert!(
        too_long.is_empty(),
        "split these into named stages of at most {MAX_LINES} lines: {too_long:?}"
    );
    let short_again: Vec<&str> = KNOWN_LONG
        .iter()
        .filter(|(path, _)| {
            !lengths
                .iter()
                .any(|f| f.path == *path && f.lines > MAX_LINES)
        })
        .map(|(path, _)| *path)
        .collect();
    assert!(
        short_again.is_empty(),
        "these are no longer over {MAX_LINES} lines (or were renamed): remove them from KNOWN_LONG: {short_again:?}"
    );
}

#[test]
fn test_code_is_not_measured() {
    let text = "fn short() {}\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn long() {\n\n\n    }\n}\nimpl S {\n    fn method(&self) {\n        let _ = 1;\n    }\n}\n";
    let parsed = syn::parse_file(text).unwrap();
    let mut lengths = Vec::new();
    collect("m", &parsed.items, &mut lengths);
    let found: Vec<(&str, usize)> = lengths.iter().map(|f| (f.path.as_str(), f.lines)).collect();
    assert_eq!(found, [("m::short", 1), ("m::S::method", 3)]);
}
