use crate::lint::go::GoFile;
use crate::lint::go::GoNode;
use crate::lint::go_skim::{BodyInterest, FileHeader};
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::settings::Settings;
use crate::registry::{Need, RuleId};
use crate::report::Severity;
use tree_sitter::Node;

pub(crate) struct GoContextBackground;

static META: RuleMeta = RuleMeta {
    id: RuleId::GoContextBackground.as_str(),
    target: Target::Go,
    default_severity: Severity::Warning,
    summary: "context.Background() or context.TODO() outside main packages and tests",
    docs: include_str!("go_context_background.md"),
    needs: &[Need::Programs],
};

impl Rule for GoContextBackground {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn go_body_interest<'s>(
        &self,
        file: &FileHeader<'_>,
        _settings: &'s Settings,
        interest: &mut BodyInterest<'s>,
    ) {
        if file.is_test
            || file.package == "main"
            || crate::lint::go::is_test_support(file.path, file.package)
        {
            return;
        }
        interest.members("context", &["Background", "TODO"]);
    }

    fn check_go(&self, file: &GoFile<'_>, cx: &mut Cx<'_>) {
        if file.is_test
            || file.is_main_package()
            || crate::lint::go::is_test_support(file.path, &file.package)
        {
            return;
        }
        for call in &file.calls {
            if let Some(("context", name @ ("Background" | "TODO"))) = file.callee(*call) {
                if let Some(why) = exemption(file, *call) {
                    cx.exempt(file.span(*call), format!("`context.{name}()` {why}"));
                    continue;
                }
                cx.emit(
                    file.span(*call),
                    format!("`context.{name}()` outside main drops the caller's deadline and cancellation"),
                    &format!("context.{name}"),
                )
                .help("accept ctx context.Context as the first parameter and pass it on");
            }
        }
    }
}

/// Why a call is the root of its context rather than a dropped one: inside
/// `func init()` (no caller), inside a test helper (`*testing.T` ... : the
/// test is the root), or in a constructor or initialiser (`NewX`, `InitX`,
/// `MustX`, `SetupX`) with no context in reach: code that runs while the
/// program starts, before any request exists, or that makes a long-lived
/// object (a watcher, a server) whose context is its own root.
fn exemption<'a>(file: &GoFile<'a>, call: Node<'a>) -> Option<&'static str> {
    if is_nil_context_fallback(file, call) {
        return Some(
            "a fallback for a nil context (`if ctx == nil`): there is no caller's context to keep",
        );
    }
    let mut current = file.enclosing_function(call);
    let mut outermost = None;
    while let Some(function) = current {
        if function.kind() == "function_declaration"
            && function
                .field("name")
                .is_some_and(|n| file.text(n) == "init")
        {
            return Some("in `func init()`: nothing calls it with a context");
        }
        if let Some(parameters) = function.field("parameters") {
            if takes_testing_handle(file, parameters) {
                return Some("in a test helper (it takes the test's handle): the test is the root");
            }
            if takes_command(file, parameters) {
                return Some(
                    "in a command's run function (it takes the `*cobra.Command`): the command is the root",
                );
            }
            if takes_a_context(file, parameters) {
                // A context is in reach: dropping it is what the rule is for.
                return None;
            }
        }
        outermost = Some(function);
        current = file.enclosing_function(function);
    }
    let outermost = outermost.filter(|f| f.kind() != "func_literal")?;
    let name = outermost.field("name").map(|n| file.text(n))?;
    // `func Run(cfg *config.Config)`, `func (s *Subscriber) Run() error`,
    // `Shutdown()`: the program's body or a long-lived object's life cycle,
    // which main drives.
    if matches!(
        name,
        "Run" | "Start" | "Serve" | "Stop" | "Shutdown" | "Close"
    ) {
        return Some(
            "in a Run, Start, Serve, Stop, Shutdown or Close with no context in reach: a life cycle main drives",
        );
    }
    is_startup_name(name).then_some(
        "in a constructor or initialiser with no context in reach: start-up code, or the root of a long-lived object's own context",
    )
}

/// `if ctx == nil { ctx = context.Background() }`, `if s.ctx == nil {
/// return context.Background() }`: the call only stands in for a context
/// that is missing.
fn is_nil_context_fallback(file: &GoFile<'_>, call: Node<'_>) -> bool {
    let mut node = call;
    while let Some(parent) = node.parent() {
        if matches!(
            parent.kind(),
            "function_declaration" | "method_declaration" | "func_literal"
        ) {
            return false;
        }
        if parent.kind() == "if_statement"
            && parent.field("consequence") == Some(node)
            && parent.field("condition").is_some_and(|condition| {
                condition.kind() == "binary_expression"
                    && condition
                        .field("operator")
                        .is_some_and(|op| file.text(op) == "==")
                    && condition
                        .field("right")
                        .is_some_and(|right| file.text(right) == "nil")
                    && condition.field("left").is_some_and(|left| {
                        let name = file.text(left).rsplit('.').next().unwrap_or("");
                        let name = name.to_ascii_lowercase();
                        name.ends_with("ctx") || name.ends_with("context")
                    })
            })
        {
            return true;
        }
        node = parent;
    }
    false
}

/// A cobra command's run function: `func(cmd *cobra.Command, args []string)`.
fn takes_command(file: &GoFile<'_>, parameters: Node<'_>) -> bool {
    let mut cursor = parameters.walk();
    parameters.named_children(&mut cursor).any(|parameter| {
        let Some(mut ty) = parameter.field("type") else {
            return false;
        };
        if ty.kind() == "pointer_type"
            && let Some(inner) = ty.named_child(0)
        {
            ty = inner;
        }
        file.qualified(ty) == Some(("github.com/spf13/cobra", "Command"))
    })
}

/// `NewClient`, `newStore`, `InitTracing`, `MustConnect`, `SetupDB`.
fn is_startup_name(name: &str) -> bool {
    [
        "New",
        "new",
        "Init",
        "init",
        "Initialize",
        "initialize",
        "Must",
        "must",
        "Setup",
        "setup",
    ]
    .iter()
    .any(|prefix| {
        name.strip_prefix(prefix).is_some_and(|rest| {
            rest.is_empty() || rest.starts_with(|c: char| c.is_uppercase() || c == '_')
        })
    })
}

/// A `context.Context` or an `*http.Request` (which carries one) among the
/// parameters.
fn takes_a_context(file: &GoFile<'_>, parameters: Node<'_>) -> bool {
    let mut cursor = parameters.walk();
    parameters.named_children(&mut cursor).any(|parameter| {
        matches!(
            file.parameter_type(parameter),
            Some(("context", "Context") | ("net/http", "Request"))
        )
    })
}

fn takes_testing_handle(file: &GoFile<'_>, parameters: Node<'_>) -> bool {
    let mut cursor = parameters.walk();
    parameters
        .named_children(&mut cursor)
        .any(|parameter| file.is_testing_handle(parameter))
}
