use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::rust::{RustFile, is_test_attr, macro_name, span_of};
use crate::registry::RuleId;
use crate::report::Severity;
use syn::visit::Visit;

pub struct RustStructuredLogging;

static META: RuleMeta = RuleMeta {
    id: RuleId::RustStructuredLogging.as_str(),
    target: Target::Rust,
    default_severity: Severity::Error,
    summary: "println!/eprintln!/print!/eprint!/dbg! in Rust service code outside tests and main",
    docs: include_str!("rust_structured_logging.md"),
    needs: &[],
};

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

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        if !is_test_attr(&item.attrs) {
            syn::visit::visit_impl_item_fn(self, item);
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let name = macro_name(mac);
        if matches!(
            name.as_str(),
            "println" | "eprintln" | "print" | "eprint" | "dbg"
        ) {
            self.cx
                .emit(
                    span_of(&mac.path),
                    format!("`{name}!` in service code: log through tracing or log"),
                    &name,
                )
                .help("use tracing::info!/warn! (or the log crate) with fields");
        }
        syn::visit::visit_macro(self, mac);
    }
}

impl Rule for RustStructuredLogging {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_rust(&self, file: &RustFile<'_>, cx: &mut Cx<'_>) {
        if file.is_entry_point || file.is_test_path || file.prints_by_design {
            return;
        }
        Visitor { cx }.visit_file(file.ast);
    }
}
