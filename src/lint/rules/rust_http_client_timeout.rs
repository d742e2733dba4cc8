use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::rust::{ReqwestNames, RustFile, lazy_statics, path_text, span_of};
use crate::registry::RuleId;
use crate::report::Severity;
use syn::visit::Visit;

pub(crate) struct RustHttpClientTimeout;

static META: RuleMeta = RuleMeta {
    id: RuleId::RustHttpClientTimeout.as_str(),
    target: Target::Rust,
    default_severity: Severity::Error,
    summary: "reqwest::get, Client::new() or a Client builder without .timeout(...)",
    docs: include_str!("rust_http_client_timeout.md"),
    needs: &[],
};

struct Visitor<'c, 'f> {
    cx: &'c mut Cx<'f>,
    names: ReqwestNames,
}

/// `Type::function` split at the last `::`.
fn split_call(path: &str) -> Option<(&str, &str)> {
    path.rsplit_once("::")
}

/// Walks a method chain down to its root call; true when `.timeout(` appears on the way.
fn chain_has_timeout(mut expr: &syn::Expr) -> (bool, &syn::Expr) {
    let mut timeout = false;
    while let syn::Expr::MethodCall(m) = expr {
        if m.method == "timeout" {
            timeout = true;
        }
        expr = &m.receiver;
    }
    (timeout, expr)
}

impl<'ast> Visit<'ast> for Visitor<'_, '_> {
    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let Some(path) = path_text(&call.func) {
            if path == "reqwest::get" || path == "reqwest::blocking::get" {
                self.cx
                    .emit(
                        span_of(&call.func),
                        format!("`{path}` uses a client without a timeout"),
                        &path,
                    )
                    .help("build one reqwest::Client with .timeout(...) and reuse it");
            } else if split_call(&path).is_some_and(|(ty, function)| {
                self.names.is_client(ty) && matches!(function, "new" | "default")
            }) {
                self.cx
                    .emit(
                        span_of(&call.func),
                        format!("`{path}()` builds a client without a timeout"),
                        &path,
                    )
                    .help("use Client::builder().timeout(Duration::from_secs(..)).build()");
            }
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        if call.method == "build" {
            let (timeout, root) = chain_has_timeout(&call.receiver);
            if let syn::Expr::Call(root_call) = root
                && let Some(path) = path_text(&root_call.func)
                && split_call(&path).is_some_and(|(ty, function)| {
                    (self.names.is_client(ty) && function == "builder")
                        || (self.names.is_builder(ty) && function == "new")
                })
                && !timeout
            {
                self.cx
                    .emit(
                        span_of(&call.method),
                        format!("`{path}()` is built without .timeout(...)"),
                        &format!("{path}.build"),
                    )
                    .help("add .timeout(Duration::from_secs(..)) before .build()");
            }
        }
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        for item in lazy_statics(mac) {
            self.visit_item_static(&item);
        }
        syn::visit::visit_macro(self, mac);
    }
}

impl Rule for RustHttpClientTimeout {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_rust(&self, file: &RustFile<'_>, cx: &mut Cx<'_>) {
        // Test code is not deployed: a test that hangs fails on its own.
        if file.is_test_path || !file.source.contains("reqwest") {
            return;
        }
        let names = ReqwestNames::of(file.ast);
        Visitor { cx, names }.visit_file(file.ast);
    }
}
