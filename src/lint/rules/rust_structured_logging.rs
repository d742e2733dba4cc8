use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::rust::{RustFile, is_test_attr, macro_name, span_of};
use crate::registry::RuleId;
use crate::report::Severity;
use syn::visit::Visit;

pub(crate) struct RustStructuredLogging;

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
    /// Inside a statement where printing is the only channel there is: before
    /// a logger is installed, or a fatal message right before `exit`.
    unlogged: bool,
}

const PRINTS: [&str; 5] = ["println", "eprintln", "print", "eprint", "dbg"];

impl<'ast> Visit<'ast> for Visitor<'_, '_> {
    fn visit_block(&mut self, block: &'ast syn::Block) {
        if self.unlogged {
            return syn::visit::visit_block(self, block);
        }
        let unlogged = unlogged_statements(&block.stmts);
        for (i, stmt) in block.stmts.iter().enumerate() {
            self.unlogged = unlogged.contains(&i);
            self.visit_stmt(stmt);
        }
        self.unlogged = false;
    }

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
        // `dbg!` is a leftover wherever it is, not a message.
        let exempt = self.unlogged && name != "dbg";
        if !exempt && PRINTS.contains(&name.as_str()) {
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
        Visitor {
            cx,
            unlogged: false,
        }
        .visit_file(file.ast);
    }
}

/// The statements of a block that may print: every one up to the last that
/// installs a logger (nothing logs before it, and a failed install can only be
/// printed), and the prints right before `process::exit` (a fatal message,
/// often from configuration loading, before or instead of logging).
fn unlogged_statements(stmts: &[syn::Stmt]) -> Vec<usize> {
    let mut out: Vec<usize> = match stmts.iter().rposition(installs_logger) {
        Some(last) => (0..=last).collect(),
        None => Vec::new(),
    };
    for (i, stmt) in stmts.iter().enumerate() {
        if is_exit(stmt) {
            out.extend((0..i).rev().take_while(|&j| only_prints(&stmts[j])));
        }
    }
    out
}

/// Words in a path or receiver that say the call is about logging.
const LOG_WORDS: [&str; 12] = [
    "tracing",
    "tracing_subscriber",
    "subscriber",
    "LogTracer",
    "tracing_log",
    "env_logger",
    "pretty_env_logger",
    "simple_logger",
    "log",
    "log4rs",
    "fern",
    "Registry",
];

/// `init_logging(..)`, `setup_tracing(..)`: a project's own logger setup
/// (by its words, so `init_catalog` is not one).
fn is_setup_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let words: Vec<&str> = name.split('_').collect();
    let verb = words
        .first()
        .is_some_and(|w| matches!(*w, "init" | "setup" | "install" | "configure"));
    let noun = words.iter().skip(1).any(|w| {
        matches!(
            *w,
            "log" | "logs" | "logging" | "logger" | "tracing" | "tracer" | "telemetry"
        )
    });
    verb && noun
}

#[derive(Default)]
struct Idents(Vec<String>);

impl<'ast> Visit<'ast> for Idents {
    fn visit_ident(&mut self, ident: &'ast proc_macro2::Ident) {
        self.0.push(ident.to_string());
    }
}

fn idents_of(expr: &syn::Expr) -> Vec<String> {
    let mut idents = Idents::default();
    idents.visit_expr(expr);
    idents.0
}

/// Whether a statement installs a global logger or tracing subscriber:
/// `tracing::subscriber::set_global_default(..)`, `LogTracer::init()`,
/// `env_logger::init()`, `tracing_subscriber::fmt().init()`, `log::set_logger(..)`.
fn installs_logger(stmt: &syn::Stmt) -> bool {
    #[derive(Default)]
    struct Find(bool);
    impl<'ast> Visit<'ast> for Find {
        fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
            if let syn::Expr::Path(path) = &*call.func {
                let segments: Vec<String> = path
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                let last = segments.last().map(String::as_str).unwrap_or("");
                let installs = matches!(
                    last,
                    "set_global_default" | "set_logger" | "set_boxed_logger"
                ) || (matches!(last, "init" | "try_init" | "init_from_env")
                    && segments.iter().any(|s| LOG_WORDS.contains(&s.as_str())));
                self.0 |= installs || is_setup_name(last);
            }
            syn::visit::visit_expr_call(self, call);
        }
        fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
            let method = call.method.to_string();
            if matches!(method.as_str(), "init" | "try_init") {
                let words = idents_of(&call.receiver);
                self.0 |= words
                    .iter()
                    .any(|w| LOG_WORDS.contains(&w.as_str()) || w == "fmt" || w == "registry");
            }
            syn::visit::visit_expr_method_call(self, call);
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut find = Find::default();
    find.visit_stmt(stmt);
    find.0
}

/// `exit(..)`, `process::exit(..)`, `std::process::exit(..)` as a statement.
fn is_exit(stmt: &syn::Stmt) -> bool {
    let syn::Stmt::Expr(syn::Expr::Call(call), _) = stmt else {
        return false;
    };
    let syn::Expr::Path(path) = &*call.func else {
        return false;
    };
    let segments: Vec<String> = path
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    match segments.as_slice() {
        [only] => only == "exit",
        [.., parent, last] => last == "exit" && parent == "process",
        [] => false,
    }
}

/// A print statement, or a loop or `if` whose body holds only prints (the
/// lines of one fatal message).
fn only_prints(stmt: &syn::Stmt) -> bool {
    let is_print = |mac: &syn::Macro| {
        let name = macro_name(mac);
        PRINTS.contains(&name.as_str()) && name != "dbg"
    };
    let body_prints =
        |block: &syn::Block| !block.stmts.is_empty() && block.stmts.iter().all(only_prints);
    match stmt {
        syn::Stmt::Macro(m) => is_print(&m.mac),
        syn::Stmt::Expr(syn::Expr::Macro(m), _) => is_print(&m.mac),
        syn::Stmt::Expr(syn::Expr::ForLoop(l), _) => body_prints(&l.body),
        syn::Stmt::Expr(syn::Expr::If(i), _) => {
            body_prints(&i.then_branch)
                && match &i.else_branch {
                    None => true,
                    Some((_, e)) => match &**e {
                        syn::Expr::Block(b) => body_prints(&b.block),
                        _ => false,
                    },
                }
        }
        _ => false,
    }
}
