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
                if is_root_or_test_helper(file, *call) {
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

/// Whether the call is inside `func init()` (no caller, so no context to
/// receive) or inside a function taking `*testing.T`, `*testing.B`,
/// `*testing.F` or `testing.TB` (a test helper: the test is the root).
fn is_root_or_test_helper<'a>(file: &GoFile<'a>, call: Node<'a>) -> bool {
    let mut current = file.enclosing_function(call);
    while let Some(function) = current {
        if function.kind() == "function_declaration"
            && function
                .field("name")
                .is_some_and(|n| file.text(n) == "init")
        {
            return true;
        }
        if function
            .field("parameters")
            .is_some_and(|p| takes_testing_handle(file, p))
        {
            return true;
        }
        current = file.enclosing_function(function);
    }
    false
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
