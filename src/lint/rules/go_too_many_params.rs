use crate::lint::go::GoFile;
use crate::lint::go::GoNode;
use crate::lint::go_skim::{BodyInterest, FileHeader};
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::settings::Settings;
use crate::registry::RuleId;
use crate::report::Severity;
use tree_sitter::Node;

pub(crate) struct GoTooManyParams;

static META: RuleMeta = RuleMeta {
    id: RuleId::GoTooManyParams.as_str(),
    target: Target::Go,
    default_severity: Severity::Warning,
    summary: "A Go function takes more than 4 parameters (lint.max-params)",
    docs: include_str!("go_too_many_params.md"),
    needs: &[],
};

impl Rule for GoTooManyParams {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn go_body_interest<'s>(
        &self,
        _file: &FileHeader<'_>,
        settings: &'s Settings,
        interest: &mut BodyInterest<'s>,
    ) {
        // Declarations' signatures are always parsed; literals' are in bodies.
        interest.literals_with_more_params_than(settings.max_params);
    }

    fn check_go(&self, file: &GoFile<'_>, cx: &mut Cx<'_>) {
        let max = cx.settings.max_params;
        // wire generates the real injector from the stub's signature: its
        // parameters are the providers' inputs, not a design choice.
        let wire_stub = is_wire_injector_stub(file.source);
        let servers = generated_server_types(file);
        let implemented = asserted_implementations(file);
        for function in &file.functions {
            let Some(parameters) = function.field("parameters") else {
                continue;
            };
            let count = parameter_count(file, parameters);
            if count <= max {
                continue;
            }
            let name = function
                .field("name")
                .map_or("func literal", |n| file.text(n));
            let at = function.field("name").unwrap_or(parameters);
            if let Some(why) = exemption(file, *function, &servers, &implemented, wire_stub) {
                cx.exempt(
                    file.span(at),
                    format!("`{name}` takes {count} parameters: {why}"),
                );
                continue;
            }
            cx.emit(
                file.span(at),
                format!("`{name}` takes {count} parameters (more than {max})"),
                name,
            )
            .help("group the optional or related parameters in an options struct");
        }
    }
}

/// The parameters a caller passes, less a `*testing.T` (`B`, `F`, `TB`):
/// a test helper takes the test's handle by convention, not by design.
fn parameter_count(file: &GoFile<'_>, parameters: Node<'_>) -> usize {
    let mut cursor = parameters.walk();
    parameters
        .named_children(&mut cursor)
        .map(|p| match p.kind() {
            "parameter_declaration" if file.is_testing_handle(p) => 0,
            "parameter_declaration" => {
                let mut c = p.walk();
                p.fields("name", &mut c).count().max(1)
            }
            "variadic_parameter_declaration" => 1,
            _ => 0,
        })
        .sum()
}

/// A parameter named `_`, or parameters with no names: the author kept a
/// parameter they do not use, which a method does when an interface fixes
/// its signature.
fn has_unused_parameters(file: &GoFile<'_>, parameters: Node<'_>) -> bool {
    let mut cursor = parameters.walk();
    parameters.named_children(&mut cursor).any(|p| {
        if !matches!(
            p.kind(),
            "parameter_declaration" | "variadic_parameter_declaration"
        ) {
            return false;
        }
        let mut c = p.walk();
        let mut names = p.fields("name", &mut c).peekable();
        names.peek().is_none() || names.any(|n| file.text(n) == "_")
    })
}

/// Types the file asserts implement an interface of another package:
/// `var _ pkg.Interface = (*T)(nil)` or `= &T{}` / `T{}`.
fn asserted_implementations<'a>(file: &GoFile<'a>) -> Vec<&'a str> {
    let mut types = Vec::new();
    for spec in &file.global_vars {
        let mut cursor = spec.walk();
        let blank = spec
            .fields("name", &mut cursor)
            .any(|n| file.text(n) == "_");
        let Some(ty) = spec.field("type") else {
            continue;
        };
        if !blank || ty.kind() != "qualified_type" {
            continue;
        }
        let Some(value) = spec.field("value") else {
            continue;
        };
        let mut pending = vec![value];
        while let Some(node) = pending.pop() {
            // `(*T)(nil)` parses as an expression: `T` is an identifier there.
            if matches!(node.kind(), "type_identifier" | "identifier") {
                types.push(file.text(node));
                continue;
            }
            let mut c = node.walk();
            pending.extend(node.named_children(&mut c));
        }
    }
    types
}

/// Why a function's arity is not its author's choice, if it is not.
fn exemption(
    file: &GoFile<'_>,
    function: Node<'_>,
    servers: &[(&str, String)],
    implemented: &[&str],
    wire_stub: bool,
) -> Option<&'static str> {
    if wire_stub {
        return Some(
            "a wire injector stub (`//go:build wireinject`): wire generates the injector from it",
        );
    }
    if implements_generated_interface(file, function, servers) {
        return Some("its signature is a generated server interface's");
    }
    if has_signature_of_receiver(function) {
        return Some(
            "a function literal whose signature the parameter or field it is passed to fixes",
        );
    }
    if is_returned_literal(function) {
        return Some(
            "a function literal returned as the function's result type (an interceptor, a handler)",
        );
    }
    // A method: an interface fixes its signature. A function keeping a `_`
    // parameter (`genService(_ *protogen.Plugin, ...)`) may only be keeping
    // its callers' argument lists alike.
    if function.kind() == "method_declaration"
        && function
            .field("parameters")
            .is_some_and(|p| has_unused_parameters(file, p))
    {
        return Some(
            "it keeps parameters it does not use (`_` or unnamed), so an interface or callback type fixes its signature",
        );
    }
    let receiver = function
        .field("receiver")
        .and_then(|r| receiver_type_name(file, r));
    if receiver.is_some_and(|name| implemented.contains(&name)) {
        return Some(
            "its type is asserted to implement an interface of another package (`var _ pkg.I = (*T)(nil)`)",
        );
    }
    None
}

/// `return func(ctx context.Context, ...) error {...}`: the declared result
/// type (`grpc.UnaryClientInterceptor`) fixes the literal's signature.
fn is_returned_literal(function: Node<'_>) -> bool {
    function.kind() == "func_literal"
        && function.parent().is_some_and(|list| {
            list.kind() == "expression_list"
                && list
                    .parent()
                    .is_some_and(|parent| parent.kind() == "return_statement")
        })
}

/// A function literal passed as an argument or given as a value in a
/// composite literal: the parameter or field it goes to fixes its signature
/// (`grpc.UnaryServerInterceptor`, a middleware's callback), not its author.
fn has_signature_of_receiver(function: tree_sitter::Node<'_>) -> bool {
    function.kind() == "func_literal"
        && function.parent().is_some_and(|parent| {
            matches!(
                parent.kind(),
                "argument_list" | "literal_element" | "keyed_element"
            )
        })
}

/// Whether the file's build constraint selects it only under the
/// `wireinject` tag: wire's injector stubs, never compiled into the program.
fn is_wire_injector_stub(source: &str) -> bool {
    for line in source.lines() {
        let line = line.trim();
        if line.starts_with("package ") {
            return false;
        }
        let constraint = line
            .strip_prefix("//go:build ")
            .or_else(|| line.strip_prefix("// +build "));
        if let Some(constraint) = constraint {
            let mentions = constraint
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '!'))
                .any(|term| term == "wireinject");
            if mentions {
                return true;
            }
        }
    }
    false
}

/// Struct types of this file that embed a gRPC `Unimplemented*Server`, with
/// the import path the embedded type comes from.
fn generated_server_types<'a>(file: &GoFile<'a>) -> Vec<(&'a str, String)> {
    let mut servers = Vec::new();
    let root = file.tree.root_node();
    let mut cursor = root.walk();
    for declaration in root.named_children(&mut cursor) {
        if declaration.kind() != "type_declaration" {
            continue;
        }
        let mut c = declaration.walk();
        for spec in declaration.named_children(&mut c) {
            let (Some(name), Some(body)) = (spec.field("name"), spec.field("type")) else {
                continue;
            };
            if body.kind() != "struct_type" {
                continue;
            }
            if let Some(path) = embedded_unimplemented_server(file, body) {
                servers.push((file.text(name), path));
            }
        }
    }
    servers
}

fn embedded_unimplemented_server(file: &GoFile<'_>, body: Node<'_>) -> Option<String> {
    let fields = body.named_child(0)?;
    let mut cursor = fields.walk();
    for field in fields.named_children(&mut cursor) {
        if field.kind() != "field_declaration" || field.field("name").is_some() {
            continue;
        }
        let Some(mut ty) = field.field("type") else {
            continue;
        };
        if ty.kind() == "pointer_type"
            && let Some(inner) = ty.named_child(0)
        {
            ty = inner;
        }
        if ty.kind() != "qualified_type" {
            continue;
        }
        let Some((path, name)) = file.qualified(ty) else {
            continue;
        };
        if name.starts_with("Unimplemented") && name.ends_with("Server") {
            return Some(path.to_string());
        }
    }
    None
}

/// Whether a method's signature is one a generated server interface of
/// another package dictates, as far as this file shows: the receiver embeds
/// that package's `Unimplemented*Server` and a parameter is of a type from
/// it, or a parameter is `*api.<Method>Request` (`Req`) from an API package.
fn implements_generated_interface(
    file: &GoFile<'_>,
    function: Node<'_>,
    servers: &[(&str, String)],
) -> bool {
    if function.kind() != "method_declaration" {
        return false;
    }
    let Some(method) = function.field("name").map(|n| file.text(n)) else {
        return false;
    };
    let receiver = function
        .field("receiver")
        .and_then(|r| receiver_type_name(file, r));
    let server_package = servers
        .iter()
        .find(|(name, _)| Some(*name) == receiver)
        .map(|(_, path)| path.as_str());
    let mut types = Vec::new();
    if let Some(parameters) = function.field("parameters") {
        qualified_types(file, parameters, &mut types);
    }
    types.iter().any(|(path, name)| {
        Some(path.as_str()) == server_package
            || (is_api_package(path)
                && name
                    .strip_prefix(method)
                    .is_some_and(|rest| matches!(rest, "Request" | "Req")))
    })
}

fn receiver_type_name<'a>(file: &GoFile<'a>, receiver: Node<'_>) -> Option<&'a str> {
    let declaration = receiver.named_child(0)?;
    let mut ty = declaration.field("type")?;
    if ty.kind() == "pointer_type" {
        ty = ty.named_child(0)?;
    }
    if ty.kind() == "generic_type" {
        ty = ty.field("type")?;
    }
    (ty.kind() == "type_identifier").then(|| file.text(ty))
}

/// Every `pkg.Type` inside a node, resolved to (import path, name).
fn qualified_types<'a>(file: &GoFile<'a>, root: Node<'_>, out: &mut Vec<(String, &'a str)>) {
    // An explicit stack in source order: types nest as deep as the input
    // makes them (`[][][]...T`), deeper than any call stack.
    let mut pending = vec![root];
    while let Some(node) = pending.pop() {
        if node.kind() == "qualified_type" {
            if let Some((path, name)) = file.qualified(node) {
                out.push((path.to_string(), name));
            }
            continue;
        }
        let mut cursor = node.walk();
        let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
        pending.extend(children.into_iter().rev());
    }
}

/// Where generated API code lives by convention: `.../api/...`, `...pb`.
fn is_api_package(path: &str) -> bool {
    path.contains("/api/")
        || path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.ends_with("pb"))
}
