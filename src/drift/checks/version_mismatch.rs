//! drift-version-mismatch: one module required at different versions by
//! different services.

use super::{Ctx, rule};
use crate::drift::version::{GoVersion, effective_major};
use crate::report::{Finding, RuleInfo, Severity};
use std::collections::BTreeMap;

pub const ID: &str = "drift-version-mismatch";

pub fn info() -> RuleInfo {
    rule(
        ID,
        Severity::Warning,
        "A module (or crate) is required at different versions by different services",
        r#"
## What it does
Finds Go modules required at more than one version (on the same major) by the
services' go.mod files, and Rust crates whose version requirements differ
between workspace members. Every service that is not on the newest version gets
a finding at its `require` line; the notes list each version and who requires it.

## Why is this bad?
Services that share a library at different versions behave differently in the
same situation, and upgrades scatter: each team runs `go get` on its own.
Mismatches only between `// indirect` requirements are reported at a lower
severity (`drift.indirect_severity`, default info): they follow from the direct ones.
Modules with an anchor (root go.mod or `drift.anchor`) are checked by
`drift-anchor` instead.

## Example
```
services/order-service/go.mod:      github.com/google/uuid v1.6.0
services/inventory-service/go.mod:  github.com/google/uuid v1.5.0
```

## Fix
Align the services: `go get github.com/google/uuid@v1.6.0 && go mod tidy` in
the lagging service, or pin the version in the root go.mod (the anchor). If a
service must stay behind, add a `drift.exceptions` entry with a `reason`.
"#,
    )
}

struct Use<'a> {
    version: &'a GoVersion,
    indirect: bool,
    module: &'a crate::drift::model::GoModule,
    line: u32,
    span: crate::drift::gomod::Pos,
}

pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let mut groups: BTreeMap<(&str, u64), Vec<Use<'_>>> = BTreeMap::new();
    for module in ctx.facts.service_modules() {
        for req in &module.parsed.requires {
            let replaced = module.parsed.replaces.iter().any(|r| {
                r.old_path == req.path && r.old_version.as_ref().is_none_or(|v| v == &req.version)
            });
            if replaced || ctx.anchors.contains_key(&req.path) {
                continue;
            }
            groups
                .entry((req.path.as_str(), effective_major(&req.path, &req.version)))
                .or_default()
                .push(Use {
                    version: &req.version,
                    indirect: req.indirect,
                    module,
                    line: req.pos.line,
                    span: req.pos,
                });
        }
    }
    for ((path, _), uses) in groups {
        let Some(newest) = uses.iter().map(|u| u.version).max() else {
            continue;
        };
        if uses.iter().all(|u| u.version == newest) {
            continue;
        }
        let severity = if uses.iter().all(|u| u.indirect) {
            ctx.config.indirect_severity()
        } else {
            Severity::Warning
        };
        let mut by_version: BTreeMap<&GoVersion, Vec<String>> = BTreeMap::new();
        for u in &uses {
            by_version.entry(u.version).or_default().push(format!(
                "{}{} ({}:{})",
                u.module.name,
                if u.indirect { ", indirect" } else { "" },
                u.module.manifest,
                u.line
            ));
        }
        let summary: Vec<String> = by_version
            .iter()
            .rev()
            .map(|(v, who)| {
                let names: Vec<&str> = who
                    .iter()
                    .map(|w| {
                        w.split(" (")
                            .next()
                            .unwrap_or(w)
                            .trim_end_matches(", indirect")
                    })
                    .collect();
                format!("{v} ({})", names.join(", "))
            })
            .collect();
        for u in uses.iter().filter(|u| u.version != newest) {
            if ctx.excepted(path, &u.module.name) {
                continue;
            }
            let mut finding = Finding::new(
                ID,
                severity,
                &u.module.manifest,
                format!(
                    "{path} is required at {} versions: {}",
                    by_version.len(),
                    summary.join(", ")
                ),
                path,
            )
            .at(u.span.span())
            .service(Some(u.module.name.clone()))
            .help(format!(
                "align on {newest}: `go get {path}@{newest}` in {}, or pin it in the root go.mod",
                u.module.name
            ));
            for (version, who) in by_version.iter().rev() {
                finding = finding.note(format!("{version}: {}", who.join(", ")));
            }
            out.push(finding);
        }
    }
}
