use crate::lint::go::GoFile;
use crate::lint::go::GoNode;
use crate::lint::go_skim::{BodyInterest, FileHeader};
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::settings::Settings;
use crate::registry::RuleId;
use crate::report::Severity;

pub struct GoMutableGlobal;

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
            for (i, name_node) in names.iter().enumerate() {
                let name = file.text(*name_node);
                if name == "_" || name == "version" || cx.settings.allowed_globals.is_match(name) {
                    continue;
                }
                if values
                    .get(i)
                    .is_some_and(|v| is_declarative_value(file, *v, name))
                {
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

/// Whether a global's value is one the program only reads: a compiled
/// pattern, a sentinel error, a wire provider set, a flag definition or a
/// cobra command.
fn is_declarative_value(file: &GoFile<'_>, value: tree_sitter::Node<'_>, name: &str) -> bool {
    if is_command_definition(file, value) {
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
