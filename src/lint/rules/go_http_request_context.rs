use crate::lint::go::GoFile;
use crate::lint::go::GoNode;
use crate::lint::go_skim::{BodyInterest, FileHeader};
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::settings::Settings;
use crate::registry::RuleId;
use crate::report::Severity;
use tree_sitter::Node;

pub(crate) struct GoHttpRequestContext;

static META: RuleMeta = RuleMeta {
    id: RuleId::GoHttpRequestContext.as_str(),
    target: Target::Go,
    default_severity: Severity::Warning,
    summary: "http.NewRequest builds a request without a context",
    docs: include_str!("go_http_request_context.md"),
    needs: &[],
};

impl Rule for GoHttpRequestContext {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn go_body_interest<'s>(
        &self,
        file: &FileHeader<'_>,
        _settings: &'s Settings,
        interest: &mut BodyInterest<'s>,
    ) {
        if file.is_test || crate::lint::go::is_test_support(file.path, file.package) {
            return;
        }
        interest.members("net/http", &["NewRequest"]);
    }

    fn check_go(&self, file: &GoFile<'_>, cx: &mut Cx<'_>) {
        if file.is_test || crate::lint::go::is_test_support(file.path, &file.package) {
            return;
        }
        for call in &file.calls {
            if file.callee(*call) == Some(("net/http", "NewRequest")) {
                if let Some(why) = gets_context_later(file, *call) {
                    log::info!(
                        "go-http-request-context: {}:{}: not reported: {why}",
                        file.path,
                        call.start_position().row + 1
                    );
                    continue;
                }
                let function = call.field("function").unwrap_or(*call);
                cx.emit(
                    file.span(function),
                    "`http.NewRequest` builds a request that ignores the caller's context",
                    "http.NewRequest",
                )
                .help("use http.NewRequestWithContext(ctx, ...) with the request's context");
            }
        }
    }
}

/// Why the request `http.NewRequest` built does reach its caller's context
/// after all: `req = req.WithContext(ctx)` (or `req.Clone(ctx)`) in the same
/// function, closures included, or the request (or what is built from it)
/// handed to a call together with a context, whose callee binds them
/// (`client.invoke(ctx, req)`, `cli.GenericCall(ctx, "", generic.FromHTTPRequest(req))`).
fn gets_context_later(file: &GoFile<'_>, call: Node<'_>) -> Option<String> {
    let request = assigned_name(file, call)?;
    let mut outer = file.enclosing_function(call)?;
    while let Some(around) = file.enclosing_function(outer) {
        outer = around;
    }
    let text = &file.source[outer.byte_range()];
    for method in ["WithContext", "Clone"] {
        let needle = format!("{request}.{method}(");
        let bound = text.match_indices(&needle).any(|(at, _)| {
            !text[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
        });
        if bound {
            return Some(format!("`{request}.{method}(...)` gives it a context"));
        }
    }
    let contexts = context_names(file, call);
    if contexts.is_empty() {
        return None;
    }
    // The request and the values built from it, in source order.
    let mut carriers = vec![request.to_string()];
    let mut calls: Vec<Node<'_>> = file
        .calls
        .iter()
        .copied()
        .filter(|c| c.start_byte() > call.end_byte() && c.end_byte() <= outer.end_byte())
        .collect();
    calls.sort_by_key(|c| c.start_byte());
    for later in calls {
        let arguments = file.arguments(later);
        let sends = later
            .field("function")
            .and_then(|f| f.field("field"))
            .is_some_and(|n| matches!(file.text(n), "Do" | "RoundTrip"));
        let carries = arguments
            .iter()
            .any(|a| a.kind() == "identifier" && carriers.iter().any(|c| c == file.text(*a)));
        if !carries {
            continue;
        }
        // Sent before any context reached it.
        if sends {
            return None;
        }
        let with_context = arguments.iter().any(|a| is_context(file, *a, &contexts));
        if with_context {
            let callee = later.field("function").map_or("a call", |f| file.text(f));
            return Some(format!(
                "`{request}` is handed to `{callee}` with the caller's context"
            ));
        }
        if let Some(derived) = assigned_name(file, later) {
            carriers.push(derived.to_string());
        }
    }
    None
}

/// `x` in `x, err := call` or `x, err = call`.
fn assigned_name<'a>(file: &GoFile<'a>, call: Node<'_>) -> Option<&'a str> {
    let list = call.parent()?;
    if list.kind() != "expression_list" {
        return None;
    }
    let statement = list.parent()?;
    if !matches!(
        statement.kind(),
        "short_var_declaration" | "assignment_statement"
    ) {
        return None;
    }
    let first = statement.field("left")?.named_child(0)?;
    (first.kind() == "identifier" && file.text(first) != "_").then(|| file.text(first))
}

/// The `context.Context` parameters of the functions around a node.
fn context_names<'a>(file: &GoFile<'a>, node: Node<'a>) -> Vec<&'a str> {
    let mut names = Vec::new();
    let mut current = file.enclosing_function(node);
    while let Some(function) = current {
        if let Some(parameters) = function.field("parameters") {
            let mut cursor = parameters.walk();
            for parameter in parameters.named_children(&mut cursor) {
                if file.parameter_type(parameter) != Some(("context", "Context")) {
                    continue;
                }
                let mut names_cursor = parameter.walk();
                names.extend(
                    parameter
                        .fields("name", &mut names_cursor)
                        .map(|n| file.text(n)),
                );
            }
        }
        current = file.enclosing_function(function);
    }
    names
}

/// A context parameter, or `r.Context()`.
fn is_context(file: &GoFile<'_>, argument: Node<'_>, contexts: &[&str]) -> bool {
    match argument.kind() {
        "identifier" => contexts.contains(&file.text(argument)),
        "call_expression" => argument.field("function").is_some_and(|f| {
            f.kind() == "selector_expression"
                && f.field("field").is_some_and(|n| file.text(n) == "Context")
        }),
        _ => false,
    }
}
