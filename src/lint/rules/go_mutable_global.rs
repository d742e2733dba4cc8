use crate::lint::go::GoFile;
use crate::lint::go::GoNode;
use crate::lint::go::is_go_literal_kind;
use crate::lint::go_skim::{BodyInterest, FileHeader};
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::settings::Settings;
use crate::registry::RuleId;
use crate::report::Severity;

pub(crate) struct GoMutableGlobal;

static META: RuleMeta = RuleMeta {
    id: RuleId::GoMutableGlobal.as_str(),
    target: Target::Go,
    default_severity: Severity::Warning,
    summary: "A package-level var holds mutable state",
    docs: include_str!("go_mutable_global.md"),
    needs: &[],
};

impl Rule for GoMutableGlobal {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn go_body_interest<'s>(
        &self,
        _file: &FileHeader<'_>,
        _settings: &'s Settings,
        _interest: &mut BodyInterest<'s>,
    ) {
        // Signatures and top-level declarations only: always parsed.
    }

    fn check_go(&self, file: &GoFile<'_>, cx: &mut Cx<'_>) {
        if file.is_test {
            return;
        }
        let stateless = stateless_types(file);
        for spec in &file.global_vars {
            if has_embed_directive(*spec, file) {
                continue;
            }
            let mut cursor = spec.walk();
            let names: Vec<_> = spec.fields("name", &mut cursor).collect();
            let values: Vec<_> = match spec.field("value") {
                Some(list) => {
                    let mut c = list.walk();
                    list.named_children(&mut c).collect()
                }
                None => Vec::new(),
            };
            let ty = spec.field("type");
            for (i, name_node) in names.iter().enumerate() {
                let name = file.text(*name_node);
                if name == "_" {
                    continue;
                }
                let value = values.get(i).copied();
                let why = if cx.settings.allowed_globals.is_match(name) {
                    Some("listed in lint.allowed-globals")
                } else if is_linker_set(file, name, ty, value) {
                    Some("a build-information string the linker sets (`-ldflags -X`)")
                } else if value.is_some_and(|v| is_enum_value(file, v)) {
                    Some(
                        "an enum-like value of a local type built from literals (Go has no const structs)",
                    )
                } else if is_stateless(file, &stateless, ty, value) {
                    Some("a value of a type with no fields: there is no state to share")
                } else if value.is_some_and(|v| is_declarative_value(file, v, name)) {
                    Some(
                        "a value the program only reads (sentinel error, compiled pattern, flag, wire set or cobra command)",
                    )
                } else {
                    None
                };
                if let Some(why) = why {
                    cx.exempt(file.span(*name_node), format!("`{name}`: {why}"));
                    continue;
                }
                cx.emit(
                    file.span(*name_node),
                    format!("package-level variable `{name}` is shared mutable state"),
                    name,
                )
                .help("pass it in through a constructor, make it a const, or list it in lint.allowed-globals");
            }
        }
    }
}

/// `var version = "dev"`, `var (Version, Commit string)`: a string the
/// build stamps with `-ldflags "-X main.Version=..."`, by a name that says
/// build information (in `package main`, also `Name`, which kratos' template
/// stamps).
fn is_linker_set(
    file: &GoFile<'_>,
    name: &str,
    ty: Option<tree_sitter::Node<'_>>,
    value: Option<tree_sitter::Node<'_>>,
) -> bool {
    let string_typed = match (ty, value) {
        (Some(ty), _) => file.text(ty) == "string",
        (None, Some(value)) => matches!(
            value.kind(),
            "interpreted_string_literal" | "raw_string_literal"
        ),
        (None, None) => false,
    };
    // -X only sets an uninitialised string or one initialised to a constant.
    let settable = value.is_none_or(|v| {
        matches!(
            v.kind(),
            "interpreted_string_literal" | "raw_string_literal"
        )
    });
    if name == "version" {
        return true;
    }
    if !string_typed || !settable {
        return false;
    }
    const WORDS: &[&str] = &[
        "version", "commit", "build", "date", "revision", "hash", "sha", "branch", "tag",
    ];
    // Whole words of the name: `updateStmt` says nothing about a date.
    words(name).any(|w| WORDS.contains(&w.to_ascii_lowercase().as_str()))
        || (file.is_main_package()
            && matches!(
                name.to_ascii_lowercase().as_str(),
                "name" | "appname" | "servicename"
            ))
}

/// `gitCommitSHA` -> `git`, `Commit`, `SHA`; `build_time` -> `build`, `time`.
fn words(name: &str) -> impl Iterator<Item = &str> {
    let bytes = name.as_bytes();
    let mut starts = vec![0];
    for i in 1..bytes.len() {
        let (before, here) = (bytes[i - 1], bytes[i]);
        let next_lower = bytes.get(i + 1).is_some_and(u8::is_ascii_lowercase);
        if here == b'_'
            || before == b'_'
            || (before.is_ascii_lowercase() && here.is_ascii_uppercase())
            || (before.is_ascii_uppercase() && here.is_ascii_uppercase() && next_lower)
        {
            starts.push(i);
        }
    }
    starts.push(bytes.len());
    starts
        .windows(2)
        .map(move |w| name[w[0]..w[1]].trim_matches('_'))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .into_iter()
}

/// `Available = Availability{"available"}`, `Admin = newRole("ADMIN")`: one
/// of a fixed set of values of a local type, which Go cannot declare const
/// when the type is a struct. Built only from literals, it is never written.
fn is_enum_value(file: &GoFile<'_>, value: tree_sitter::Node<'_>) -> bool {
    let arguments = match value.kind() {
        "composite_literal" => {
            let local_type = value
                .field("type")
                .is_some_and(|ty| ty.kind() == "type_identifier");
            if !local_type {
                return false;
            }
            value.field("body")
        }
        "call_expression" => {
            let local_constructor = value
                .field("function")
                .is_some_and(|f| f.kind() == "identifier" && file.text(f).starts_with("new"));
            if !local_constructor {
                return false;
            }
            value.field("arguments")
        }
        _ => return false,
    };
    let Some(arguments) = arguments else {
        return false;
    };
    let mut cursor = arguments.walk();
    let elements: Vec<_> = arguments.named_children(&mut cursor).collect();
    !elements.is_empty() && elements.iter().all(|e| is_literal_element(*e))
}

fn is_literal_element(node: tree_sitter::Node<'_>) -> bool {
    match node.kind() {
        kind if is_go_literal_kind(kind) => true,
        "comment" => true,
        "literal_element" => node.named_child(0).is_some_and(is_literal_element),
        // `{value: 4}`: the key is a field name, the value must be a literal.
        "keyed_element" => node.named_child(1).is_some_and(is_literal_element),
        "unary_expression" => node.field("operand").is_some_and(is_literal_element),
        _ => false,
    }
}

/// Whether a global's value is one the program only reads: a compiled
/// pattern, a sentinel error, a wire provider set, a flag definition or a
/// cobra command.
fn is_declarative_value(file: &GoFile<'_>, value: tree_sitter::Node<'_>, name: &str) -> bool {
    if is_command_definition(file, value) || is_reflect_type(file, value) {
        return true;
    }
    if value.kind() != "call_expression" {
        return false;
    }
    let Some((package, function)) = file.callee(value) else {
        return false;
    };
    match (package, function) {
        ("regexp", "MustCompile" | "MustCompilePOSIX") => true,
        ("fmt", "Errorf") => true,
        // Flag definitions: the flag package fills them in once, from the
        // command line, before the program reads them.
        ("flag" | "github.com/spf13/pflag", _) => true,
        // wire reads these at code-generation time; the program never writes them.
        (
            "github.com/google/wire",
            "NewSet" | "Build" | "Bind" | "Struct" | "FieldsOf" | "Value" | "InterfaceValue",
        ) => true,
        (package, function) if is_errors_package(package) => {
            // A constructor makes a sentinel whatever it is called; any other
            // function of the package (`Join`, `Wrap`) only when the name says so.
            is_error_constructor(function) || name.starts_with("Err") || name.starts_with("err")
        }
        // A sentinel error by Go's naming convention (`ErrNotFound`), made by
        // a project's own error package (`xerr.NewErrMsg`, `errno.NewErrNo`).
        (package, function) => {
            is_sentinel_error_name(name)
                && function.starts_with("New")
                && (function.contains("Err") || last_segment(package).contains("err"))
        }
    }
}

/// `reflect.TypeOf(x)`, `reflect.TypeOf((*I)(nil)).Elem()`: a reflect.Type
/// never changes, so a global holding one is a cached lookup, not state.
fn is_reflect_type(file: &GoFile<'_>, value: tree_sitter::Node<'_>) -> bool {
    if value.kind() != "call_expression" {
        return false;
    }
    if matches!(file.callee(value), Some(("reflect", "TypeOf"))) {
        return true;
    }
    let Some(function) = value.field("function") else {
        return false;
    };
    function.kind() == "selector_expression"
        && function
            .field("field")
            .is_some_and(|f| file.text(f) == "Elem")
        && function
            .field("operand")
            .is_some_and(|operand| is_reflect_type(file, operand))
}

/// The types this file declares as `struct{}`: a value of one holds nothing
/// (a stateless service singleton, a method set), so it cannot be shared
/// mutable state.
fn stateless_types<'f>(file: &GoFile<'f>) -> Vec<&'f str> {
    let root = file.tree.root_node();
    let mut cursor = root.walk();
    let mut found = Vec::new();
    for declaration in root.named_children(&mut cursor) {
        if declaration.kind() != "type_declaration" {
            continue;
        }
        let mut specs = declaration.walk();
        for spec in declaration.named_children(&mut specs) {
            let (Some(name), Some(ty)) = (spec.field("name"), spec.field("type")) else {
                continue;
            };
            if is_empty_struct(ty) {
                found.push(file.text(name));
            }
        }
    }
    found
}

fn is_empty_struct(ty: tree_sitter::Node<'_>) -> bool {
    ty.kind() == "struct_type"
        && ty
            .named_child(0)
            .is_none_or(|fields| fields.named_child_count() == 0)
}

/// `var svc Service`, `var svc *Service`, `var svc = &Service{}` or
/// `var _unused = struct{}{}`, where the type has no fields.
fn is_stateless(
    file: &GoFile<'_>,
    stateless: &[&str],
    ty: Option<tree_sitter::Node<'_>>,
    value: Option<tree_sitter::Node<'_>>,
) -> bool {
    let names_stateless = |ty: tree_sitter::Node<'_>| {
        let ty = match ty.kind() {
            "pointer_type" => match ty.named_child(0) {
                Some(inner) => inner,
                None => return false,
            },
            _ => ty,
        };
        is_empty_struct(ty)
            || (ty.kind() == "type_identifier" && stateless.contains(&file.text(ty)))
    };
    match value {
        None => ty.is_some_and(names_stateless),
        // `var DefaultConverter Converter = statusConverter{}`: typed as an
        // interface, the variable is a hook others may replace.
        Some(_) if ty.is_some_and(|ty| !names_stateless(ty)) => false,
        Some(value) => {
            let literal = match value.kind() {
                "unary_expression" => value.field("operand"),
                _ => Some(value),
            };
            literal.is_some_and(|literal| {
                literal.kind() == "composite_literal"
                    && literal
                        .field("body")
                        .is_some_and(|body| body.named_child_count() == 0)
                    && literal.field("type").is_some_and(names_stateless)
            })
        }
    }
}

/// `ErrNotFound`, `errClosed`: the names Go gives sentinel errors.
fn is_sentinel_error_name(name: &str) -> bool {
    name.strip_prefix("Err")
        .or_else(|| name.strip_prefix("err"))
        .and_then(|rest| rest.chars().next())
        .is_some_and(|first| first.is_uppercase())
}

/// `var rootCmd = &cobra.Command{...}`: the command tree of a cobra program,
/// declared once and read by cobra when it parses the command line.
fn is_command_definition(file: &GoFile<'_>, value: tree_sitter::Node<'_>) -> bool {
    let literal = if value.kind() == "unary_expression" {
        match value.field("operand") {
            Some(operand) => operand,
            None => return false,
        }
    } else {
        value
    };
    literal.kind() == "composite_literal"
        && literal
            .field("type")
            .and_then(|ty| file.qualified(ty))
            .is_some_and(|qualified| qualified == ("github.com/spf13/cobra", "Command"))
}

/// `errors`, `github.com/pkg/errors`, `golang.org/x/xerrors`, a framework's
/// `.../errors`: their constructors make the errors a sentinel names.
fn is_errors_package(path: &str) -> bool {
    matches!(last_segment(path), "errors" | "xerrors")
}

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `New`, `Newf`, `NewWithCode`, `Errorf`, and the HTTP-status helpers of
/// framework error packages (kratos: `errors.NotFound(reason, message)`).
fn is_error_constructor(function: &str) -> bool {
    function.starts_with("New")
        || function == "Errorf"
        || matches!(
            function,
            "BadRequest"
                | "Unauthorized"
                | "Forbidden"
                | "NotFound"
                | "Conflict"
                | "InternalServer"
                | "ServiceUnavailable"
                | "GatewayTimeout"
                | "ClientClosed"
        )
}

/// Whether a `//go:embed` directive sits right above the spec (in a group)
/// or above its `var` (alone).
fn has_embed_directive(spec: tree_sitter::Node<'_>, file: &GoFile<'_>) -> bool {
    let anchor = match spec.parent() {
        Some(parent) if parent.kind() == "var_declaration" => parent,
        _ => spec,
    };
    let mut previous = anchor.prev_sibling();
    while let Some(node) = previous {
        if node.kind() != "comment" {
            return false;
        }
        if file.text(node).starts_with("//go:embed ") {
            return true;
        }
        previous = node.prev_sibling();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::words;

    #[test]
    fn names_split_into_words() {
        let split = |name| words(name).collect::<Vec<_>>();
        assert_eq!(split("gitCommitSHA"), vec!["git", "Commit", "SHA"]);
        assert_eq!(split("build_time"), vec!["build", "time"]);
        assert_eq!(split("GitSHAShort"), vec!["Git", "SHA", "Short"]);
        assert_eq!(split("updateStmt"), vec!["update", "Stmt"]);
        assert_eq!(split("Version"), vec!["Version"]);
    }
}
