//! drift-cargo-duplicate: a crate locked at several versions.

use super::Ctx;
use crate::registry::{Def, RuleId};
use crate::report::{Finding, Severity};
use std::collections::BTreeMap;

pub(crate) const ID: &str = RuleId::DriftCargoDuplicate.as_str();

pub(crate) const DEF: Def = Def::new(
    Severity::Warning,
    "A crate is locked at several versions in one Cargo.lock",
    include_str!("cargo_duplicate.md"),
);

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for lock in &ctx.facts.locks {
        let mut by_name: BTreeMap<&str, Vec<&crate::drift::cargo::LockedPackage>> = BTreeMap::new();
        for package in &lock.packages {
            by_name
                .entry(package.name.as_str())
                .or_default()
                .push(package);
        }
        for (name, packages) in by_name {
            if packages.len() < 2 {
                continue;
            }
            let skipped = ctx
                .config
                .cargo_skip
                .iter()
                .zip(&ctx.skip_hits)
                .filter(|(skip, _)| {
                    skip.name.value == name
                        && skip
                            .version
                            .as_ref()
                            .is_none_or(|v| packages.iter().any(|p| &p.version == v))
                })
                .map(|(_, hits)| hits.set(hits.get() + 1))
                .count()
                > 0;
            if skipped {
                continue;
            }
            let versions: Vec<&str> = packages.iter().map(|p| p.version.as_str()).collect();
            let mut finding = Finding::new(
                ID,
                Severity::Warning,
                &lock.path,
                format!("{name} is locked at {} versions: {}", versions.len(), versions.join(", ")),
                name,
            )
            .at_line(packages[0].line)
            .module(name.to_string())
            .help(format!(
                "`cargo tree -d -i {name}` shows who pulls each version; upgrade the older dependents, or add a drift.cargo-skip entry with a reason"
            ));
            for package in &packages {
                finding = finding.note(format!(
                    "{name} {} at {}:{}",
                    package.version, lock.path, package.line
                ));
            }
            out.push(finding);
        }
    }
}
