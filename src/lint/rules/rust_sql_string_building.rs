use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::rust::{RustFile, macro_name, path_text, span_of};
use crate::registry::RuleId;
use crate::report::Severity;
use std::collections::HashMap;
use syn::visit::Visit;

pub struct RustSqlStringBuilding;

static META: RuleMeta = RuleMeta {
    id: RuleId::RustSqlStringBuilding.as_str(),
    target: Target::Rust,
    default_severity: Severity::Error,
    summary: "SQL built with format! is passed to a sqlx, diesel or postgres query call",
    docs: include_str!("rust_sql_string_building.md"),
    needs: &[],
};

const QUERY_FUNCTIONS: &[&str] = &[
    "query",
    "query_as",
    "query_scalar",
    "query_with",
    "query_as_with",
    "sql_query",
];
const QUERY_METHODS: &[&str] = &[
    "query",
    "query_one",
    "query_opt",
    "query_raw",
    "execute",
    "batch_execute",
    "simple_query",
    "prepare",
];

struct Visitor<'c, 'f> {
    cx: Option<&'c mut Cx<'f>>,
    /// `let` bindings of format! results in the current function.
    formatted: HashMap<String, u32>,
}

fn strip(expr: &syn::Expr) -> &syn::Expr {
    match expr {
        syn::Expr::Reference(r) => strip(&r.expr),
        syn::Expr::Paren(p) => strip(&p.expr),
        syn::Expr::MethodCall(m)
            if matches!(m.method.to_string().as_str(), "as_str" | "as_ref") =>
        {
            strip(&m.receiver)
        }
        other => other,
    }
}

fn is_format(expr: &syn::Expr) -> bool {
    matches!(strip(expr), syn::Expr::Macro(m) if macro_name(&m.mac) == "format")
}

impl Visitor<'_, '_> {
    fn check_argument(&mut self, callee: &str, argument: &syn::Expr) {
        let Some(cx) = self.cx.as_deref_mut() else {
            return;
        };
        let inner = strip(argument);
        if is_format(inner) {
            cx.emit(
                span_of(argument),
                format!("SQL built with format! is passed to `{callee}`"),
                &format!("{callee}:format!"),
            )
            .help("keep the SQL constant and bind values ($1 / ?), or use sqlx::query! for checked SQL");
        } else if let Some(name) = path_text(inner)
            && let Some(line) = self.formatted.get(&name)
        {
            cx.emit(
                span_of(argument),
                format!("SQL in `{name}` is built with format! (line {line}) and passed to `{callee}`"),
                &format!("{callee}:{name}"),
            )
            .help("keep the SQL constant and bind values ($1 / ?), or use sqlx::query! for checked SQL");
        }
    }
}

impl<'ast> Visit<'ast> for Visitor<'_, '_> {
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        let saved = std::mem::take(&mut self.formatted);
        syn::visit::visit_item_fn(self, item);
        self.formatted = saved;
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        let saved = std::mem::take(&mut self.formatted);
        syn::visit::visit_impl_item_fn(self, item);
        self.formatted = saved;
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        if let (syn::Pat::Ident(ident), Some(init)) = (&local.pat, &local.init)
            && is_format(&init.expr)
        {
            self.formatted
                .insert(ident.ident.to_string(), span_of(&local.pat).line);
        } else if let (syn::Pat::Type(typed), Some(init)) = (&local.pat, &local.init)
            && let syn::Pat::Ident(ident) = &*typed.pat
            && is_format(&init.expr)
        {
            self.formatted
                .insert(ident.ident.to_string(), span_of(&local.pat).line);
        }
        syn::visit::visit_local(self, local);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let Some(path) = path_text(&call.func) {
            let last = path.rsplit("::").next().unwrap_or_default();
            let qualified = path.contains("::") || QUERY_FUNCTIONS.contains(&last);
            if QUERY_FUNCTIONS.contains(&last)
                && qualified
                && let Some(first) = call.args.first()
            {
                self.check_argument(&path, first);
            }
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let method = call.method.to_string();
        if QUERY_METHODS.contains(&method.as_str())
            && let Some(first) = call.args.first()
        {
            self.check_argument(&format!(".{method}"), first);
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}

impl Rule for RustSqlStringBuilding {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_rust(&self, file: &RustFile<'_>, cx: &mut Cx<'_>) {
        // Test code runs against a test database with inputs it chose itself.
        if file.is_test_path {
            return;
        }
        let mut visitor = Visitor {
            cx: Some(cx),
            formatted: HashMap::new(),
        };
        visitor.visit_file(file.ast);
    }
}
