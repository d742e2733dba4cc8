use crate::lint::go::GoFile;
use crate::lint::go::GoNode;
use crate::lint::go_skim::{BodyInterest, FileHeader};
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::settings::Settings;
use crate::registry::RuleId;
use crate::report::Severity;
use tree_sitter::Node;

pub struct GoContextBackground;

static META: RuleMeta = RuleMeta {
    id: RuleId::GoContextBackground.as_str(),
    target: Target::Go,
    default_severity: Severity::Warning,
    summary: "context.Background() or context.TODO() outside main packages and tests",
    docs: include_str!("go_context_background.md"),
    needs: &[],
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
            if takes_a_context(file, parameters) {
                // A context is in reach: dropping it is what the rule is for.
                return None;
            }
        }
        outermost = Some(function);
        current = file.enclosing_function(function);
    }
    let name = outermost
        .filter(|f| f.kind() != "func_literal")
        .and_then(|f| f.field("name"))
        .map(|n| file.text(n))?;
    is_startup_name(name).then_some(
        "in a constructor or initialiser with no context in reach: start-up code, or the root of a long-lived object's own context",
    )
}

/// `NewClient`, `newStore`, `InitTracing`, `MustConnect`, `SetupDB`.
fn is_startup_name(name: &str) -> bool {
    [
        "New", "new", "Init", "init", "Must", "must", "Setup", "setup",
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
        let Some(mut ty) = parameter.field("type") else {
            return false;
        };
        if ty.kind() == "pointer_type"
            && let Some(inner) = ty.named_child(0)
        {
            ty = inner;
        }
        matches!(
            file.qualified(ty),
            Some(("context", "Context") | ("net/http", "Request"))
        )
    })
}

fn takes_testing_handle(file: &GoFile<'_>, parameters: Node<'_>) -> bool {
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
        matches!(
            file.qualified(ty),
            Some(("testing", "T" | "B" | "F" | "TB"))
        )
    })
}
