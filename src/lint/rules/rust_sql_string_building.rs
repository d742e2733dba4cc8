use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::rust::{RustFile, macro_name, path_text, span_of};
use crate::registry::RuleId;
use crate::report::Severity;
use std::collections::HashMap;
use syn::visit::Visit;

pub(crate) struct RustSqlStringBuilding;

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
    /// `let` bindings of format! results in the current function: their line
    /// and what the format string splices in.
    formatted: HashMap<String, (u32, Spliced)>,
}

/// What a format string splices into SQL text, which decides the fix: a
/// value can be bound, an identifier (table, schema, column) cannot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Spliced {
    values: bool,
    identifiers: bool,
    /// Into a `SET` statement, which takes no bind parameters at all.
    setting: bool,
}

const BIND_HELP: &str =
    "keep the SQL constant and bind values ($1 / ?), or use sqlx::query! for checked SQL";
const IDENTIFIER_HELP: &str = "a table, schema or column name cannot be bound: pick it from a fixed set of names in code (match an enum to string literals, never pass user input through) and quote it as an identifier (\"name\", with any \" doubled)";

impl Spliced {
    fn help(self) -> String {
        if self.setting {
            return SET_HELP.to_string();
        }
        match (self.values, self.identifiers) {
            (_, false) => BIND_HELP.to_string(),
            (false, true) => IDENTIFIER_HELP.to_string(),
            (true, true) => format!("bind the values ($1 / ?); {IDENTIFIER_HELP}"),
        }
    }
}

const SET_HELP: &str = "SET takes no bind parameters: run `SELECT set_config('search_path', $1, false)` (any setting by name) with the value bound";

/// SQL keywords after which a spliced word names a table, schema or column.
const IDENTIFIER_KEYWORDS: &[&str] = &[
    "FROM", "JOIN", "INTO", "UPDATE", "TABLE", "EXISTS", "TRUNCATE", "SCHEMA", "BY", "INDEX",
];

/// What the `format!` in `expr` splices in, from its format string: a
/// placeholder right after one of [`IDENTIFIER_KEYWORDS`], inside `"..."`,
/// or joined to a `.` (`{schema}.prices`) is an identifier; any other one a value.
fn spliced(expr: &syn::Expr) -> Spliced {
    let syn::Expr::Macro(m) = strip(expr) else {
        return Spliced::default();
    };
    let Ok(syn::Lit::Str(text)) = m.mac.parse_body_with(|input: syn::parse::ParseStream| {
        let lit: syn::Lit = input.parse()?;
        let _: proc_macro2::TokenStream = input.parse()?;
        Ok(lit)
    }) else {
        return Spliced::default();
    };
    let text = text.value();
    let mut out = Spliced {
        setting: text
            .trim_start()
            .get(..4)
            .is_some_and(|head| head.eq_ignore_ascii_case("set ")),
        ..Spliced::default()
    };
    let mut rest = text.as_str();
    let mut before = String::new();
    while let Some(open) = rest.find('{') {
        before.push_str(&rest[..open]);
        let after_open = &rest[open + 1..];
        if let Some(escaped) = after_open.strip_prefix('{') {
            before.push('{');
            rest = escaped;
            continue;
        }
        let Some(close) = after_open.find('}') else {
            break;
        };
        rest = &after_open[close + 1..];
        if is_identifier_position(&before, rest) {
            out.identifiers = true;
        } else {
            out.values = true;
        }
        before.push('x');
    }
    out
}

fn is_identifier_position(before: &str, after: &str) -> bool {
    if before.ends_with('\'') {
        return false;
    }
    // Quoted or qualified: "{table}", `{table}`, {schema}.prices, app.{table}.
    if before.ends_with(['"', '`', '.']) || after.starts_with(['"', '`', '.']) {
        return true;
    }
    let trimmed = before.trim_end();
    let word: String = trimmed
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    IDENTIFIER_KEYWORDS.contains(&word.to_ascii_uppercase().as_str())
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
            .help(spliced(inner).help());
        } else if let Some(name) = path_text(inner)
            && let Some((line, spliced)) = self.formatted.get(&name)
        {
            cx.emit(
                span_of(argument),
                format!(
                    "SQL in `{name}` is built with format! (line {line}) and passed to `{callee}`"
                ),
                &format!("{callee}:{name}"),
            )
            .help(spliced.help());
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
            self.formatted.insert(
                ident.ident.to_string(),
                (span_of(&local.pat).line, spliced(&init.expr)),
            );
        } else if let (syn::Pat::Type(typed), Some(init)) = (&local.pat, &local.init)
            && let syn::Pat::Ident(ident) = &*typed.pat
            && is_format(&init.expr)
        {
            self.formatted.insert(
                ident.ident.to_string(),
                (span_of(&local.pat).line, spliced(&init.expr)),
            );
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
