use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::rust::{RustFile, is_test_attr, lazy_statics, span_of};
use crate::registry::RuleId;
use crate::report::Severity;
use quote_free::type_names;
use syn::visit::Visit;

pub(crate) struct RustMutableGlobal;

static META: RuleMeta = RuleMeta {
    id: RuleId::RustMutableGlobal.as_str(),
    target: Target::Rust,
    default_severity: Severity::Warning,
    summary: "static mut, or a static Mutex/RwLock/RefCell/Cell holding global state",
    docs: include_str!("rust_mutable_global.md"),
    needs: &[],
};

const CELLS: &[&str] = &["Mutex", "RwLock", "RefCell", "Cell", "UnsafeCell"];

mod quote_free {
    /// Every identifier in a type's paths: `LazyLock<Mutex<u8>>` -> [LazyLock, Mutex, u8].
    pub(crate) fn type_names(ty: &syn::Type) -> Vec<String> {
        struct Names(Vec<String>);
        impl<'ast> syn::visit::Visit<'ast> for Names {
            fn visit_path_segment(&mut self, segment: &'ast syn::PathSegment) {
                self.0.push(segment.ident.to_string());
                syn::visit::visit_path_segment(self, segment);
            }
        }
        let mut names = Names(Vec::new());
        syn::visit::Visit::visit_type(&mut names, ty);
        names.0
    }
}

struct Visitor<'c, 'f> {
    cx: &'c mut Cx<'f>,
}

impl<'ast> Visit<'ast> for Visitor<'_, '_> {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if !is_test_attr(&item.attrs) {
            syn::visit::visit_item_mod(self, item);
        }
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        if !is_test_attr(&item.attrs) {
            syn::visit::visit_item_fn(self, item);
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        for item in lazy_statics(mac) {
            self.visit_item_static(&item);
        }
        syn::visit::visit_macro(self, mac);
    }

    fn visit_item_static(&mut self, item: &'ast syn::ItemStatic) {
        let name = item.ident.to_string();
        if matches!(item.mutability, syn::StaticMutability::Mut(_)) {
            self.cx
                .emit(span_of(&item.ident), format!("`static mut {name}` is global mutable state"), &name)
                .help("own the state in a struct passed to its users; static mut is unsound under concurrency");
        } else if let Some(cell) = type_names(&item.ty)
            .into_iter()
            .find(|n| CELLS.contains(&n.as_str()))
        {
            self.cx
                .emit(
                    span_of(&item.ident),
                    format!("static `{name}` holds global mutable state in a {cell}"),
                    &name,
                )
                .help(
                    "own the state in a struct created at start-up and pass it where it is needed",
                );
        }
        syn::visit::visit_item_static(self, item);
    }
}

impl Rule for RustMutableGlobal {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_rust(&self, file: &RustFile<'_>, cx: &mut Cx<'_>) {
        if file.is_test_path {
            return;
        }
        Visitor { cx }.visit_file(file.ast);
    }
}
