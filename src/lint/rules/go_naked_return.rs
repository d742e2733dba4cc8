use crate::lint::go::GoFile;
use crate::lint::go::GoNode;
use crate::lint::go_skim::{BodyInterest, FileHeader};
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::settings::Settings;
use crate::registry::RuleId;
use crate::report::Severity;

pub(crate) struct GoNakedReturn;

static META: RuleMeta = RuleMeta {
    id: RuleId::GoNakedReturn.as_str(),
    target: Target::Go,
    default_severity: Severity::Warning,
    summary: "A bare `return` in a function with named results",
    docs: include_str!("go_naked_return.md"),
    needs: &[],
};

impl Rule for GoNakedReturn {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn go_body_interest<'s>(
        &self,
        _file: &FileHeader<'_>,
        _settings: &'s Settings,
        interest: &mut BodyInterest<'s>,
    ) {
        interest.naked_returns();
    }

    fn check_go(&self, file: &GoFile<'_>, cx: &mut Cx<'_>) {
        for function in &file.functions {
            let Some(result) = function.field("result") else {
                continue;
            };
            if result.kind() != "parameter_list" {
                continue;
            }
            let mut cursor = result.walk();
            let named = result
                .named_children(&mut cursor)
                .any(|p| p.field("name").is_some());
            if !named {
                continue;
            }
            let Some(body) = function.field("body") else {
                continue;
            };
            // Go's review guidance: naked returns are fine in a function of a
            // handful of lines, where the results are in view.
            let lines = function.end_position().row - function.start_position().row;
            if lines <= cx.settings.naked_return_max_lines {
                continue;
            }
            let name = function
                .field("name")
                .map_or("func literal", |n| file.text(n));
            let mut stack = vec![body];
            while let Some(node) = stack.pop() {
                if node.kind() == "func_literal" {
                    continue; // its returns belong to it
                }
                if node.kind() == "return_statement" && node.named_child_count() == 0 {
                    cx.emit(
                        file.span(node),
                        format!("naked return in `{name}`, which has named results"),
                        &format!("return:{name}"),
                    )
                    .help("return the values explicitly");
                }
                let mut c = node.walk();
                stack.extend(node.named_children(&mut c));
            }
        }
    }
}
