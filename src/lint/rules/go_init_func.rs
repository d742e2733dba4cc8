use crate::lint::go::GoFile;
use crate::lint::go::GoNode;
use crate::lint::go_skim::{BodyInterest, FileHeader};
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::settings::Settings;
use crate::registry::RuleId;
use crate::report::Severity;

pub struct GoInitFunc;

static META: RuleMeta = RuleMeta {
    id: RuleId::GoInitFunc.as_str(),
    target: Target::Go,
    default_severity: Severity::Warning,
    summary: "A package declares func init()",
    docs: include_str!("go_init_func.md"),
    needs: &[],
};

impl Rule for GoInitFunc {
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
        for function in &file.functions {
            if function.kind() != "function_declaration" {
                continue;
            }
            let Some(name) = function.field("name") else {
                continue;
            };
            if file.text(name) != "init" {
                continue;
            }
            // Nothing imports package main: its init is hidden only from
            // the reader of main, who does not see it run first.
            if file.is_main_package() {
                cx.emit(
                    file.span(name),
                    "`func init()` in package main runs before `main`, outside its control flow",
                    "init",
                )
                .help("do the setup at the start of main, where it can return an error");
            } else {
                cx.emit(
                    file.span(name),
                    "`func init()` runs hidden side effects on import",
                    "init",
                )
                .help("move the setup into a constructor called from main");
            }
        }
    }
}
