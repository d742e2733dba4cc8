//! drift-cargo-duplicate: a crate locked at several versions.

use super::{Ctx, rule};
use crate::report::{Finding, RuleInfo, Severity};
use std::collections::BTreeMap;

pub const ID: &str = "drift-cargo-duplicate";

pub fn info() -> RuleInfo {
    rule(
        ID,
        Severity::Warning,
        "A crate is locked at several versions in one Cargo.lock",
        r#"
## What it does
Reports every crate that a Cargo.lock holds at more than one version, like
cargo-deny's `multiple-versions` ban. Crates listed under `drift.cargo_skip`
(each with a `reason`, optionally one `version`) are allowed; entries that no
longer match are reported by `drift-unused-policy`.

## Why is this bad?
Each copy is compiled and linked: build time and binary size grow, and types
from one copy do not match the other's.

## Example
```
syn 1.0.109 and syn 2.0.87 in Cargo.lock
```

## Fix
`cargo tree -d` shows who pulls each version; upgrade the laggard, or add a
`drift.cargo_skip` entry with the reason when it cannot be avoided yet.
"#,
    )
}

pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
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
