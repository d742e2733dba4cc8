use crate::lint::go::GoFile;
use crate::lint::go::GoNode;
use crate::lint::go_skim::{BodyInterest, FileHeader};
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::settings::Settings;
use crate::registry::RuleId;
use crate::report::Severity;

pub(crate) struct GoErrorLast;

static META: RuleMeta = RuleMeta {
    id: RuleId::GoErrorLast.as_str(),
    target: Target::Go,
    default_severity: Severity::Warning,
    summary: "A Go function returns `error` before its last result",
    docs: include_str!("go_error_last.md"),
    needs: &[],
};

impl Rule for GoErrorLast {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn go_body_interest<'s>(
        &self,
        _file: &FileHeader<'_>,
        _settings: &'s Settings,
        interest: &mut BodyInterest<'s>,
    ) {
        // Declarations' signatures are always parsed; literals' are in bodies.
        interest.literals_returning_error_early();
    }

    fn check_go(&self, file: &GoFile<'_>, cx: &mut Cx<'_>) {
        for function in &file.functions {
            let Some(result) = function.field("result") else {
                continue;
            };
            if result.kind() != "parameter_list" {
                continue;
            }
            let mut types = Vec::new();
            let mut cursor = result.walk();
            for parameter in result.named_children(&mut cursor) {
                let Some(ty) = parameter.field("type") else {
                    continue;
                };
                let mut c = parameter.walk();
                let names = parameter.fields("name", &mut c).count().max(1);
                for _ in 0..names {
                    types.push(file.text(ty));
                }
            }
            let Some((last, rest)) = types.split_last() else {
                continue;
            };
            if rest.contains(&"error") && *last != "error" {
                let name = function
                    .field("name")
                    .map_or("func literal", |n| file.text(n));
                cx.emit(
                    file.span(result),
                    format!("`{name}` returns error before its last result"),
                    name,
                )
                .help("make error the last result: (T, error)");
            }
        }
    }
}
