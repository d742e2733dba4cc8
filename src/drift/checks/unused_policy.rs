//! drift-unused-policy: a `drift:` policy entry that matches nothing.

use super::Ctx;
use crate::policy::Located;
use crate::registry::{Def, RuleId};
use crate::report::{Finding, Severity, Span};

pub(crate) const ID: &str = RuleId::DriftUnusedPolicy.as_str();

pub(crate) const DEF: Def = Def::new(
    Severity::Warning,
    "A drift policy entry (anchor, exception or cargo skip) matches nothing",
    include_str!("unused_policy.md"),
);

/// A finding at the policy entry `at`, where the config file has it.
fn finding(ctx: &Ctx<'_>, key: &str, message: String, at: &Located<String>) -> Finding {
    let mut f = Finding::new(ID, Severity::Warning, &ctx.config_path, message, key)
        .help("remove the entry from trellis.yaml");
    if let Some((line, column)) = at.location {
        f = f.at(Span::over(line, column, at));
    }
    f
}

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for module in ctx.config.anchor.keys() {
        let used = ctx
            .facts
            .service_modules()
            .any(|m| m.parsed.requires.iter().any(|r| r.path == module.value));
        if !used {
            out.push(finding(
                ctx,
                &format!("anchor:{module}"),
                format!("drift.anchor names {module}, which no service requires"),
                module,
            ));
        }
    }
    for (entry, hits) in ctx.config.cargo_skip.iter().zip(&ctx.skip_hits) {
        if hits.get() == 0 {
            out.push(finding(
                ctx,
                &format!("cargo-skip:{}", entry.name),
                format!(
                    "drift.cargo-skip entry for {} matches no duplicate in any Cargo.lock",
                    entry.name
                ),
                &entry.name,
            ));
        }
    }
}
