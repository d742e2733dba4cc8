//! drift-workspace-use: a go.work `use` of a directory that is missing or
//! holds no go.mod.

use super::Ctx;
use crate::registry::{Def, RuleId};
use crate::report::{Finding, Severity};

pub(crate) const ID: &str = RuleId::DriftWorkspaceUse.as_str();

pub(crate) const DEF: Def = Def::new(
    Severity::Error,
    "A go.work `use` directive names a directory that does not exist or holds no go.mod",
    include_str!("workspace_use.md"),
);

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for work in &ctx.facts.works {
        for (used, why) in &work.missing_uses {
            out.push(
                Finding::new(
                    ID,
                    Severity::Error,
                    &work.path,
                    format!(
                        "go.work uses {}, which {why}: the go command refuses to load this workspace",
                        used.value
                    ),
                    &format!("go.work-use:{}", used.value),
                )
                .at(used.pos.span())
                .help(format!(
                    "restore the module at {0}, or drop it with `go work edit -dropuse={0}`",
                    used.value
                )),
            );
        }
    }
}
