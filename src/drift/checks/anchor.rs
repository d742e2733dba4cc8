//! drift-anchor: a service's version is outside what the anchor allows.

use super::{Ctx, rule};
use crate::report::{Finding, RuleInfo, Severity};

pub const ID: &str = "drift-anchor";

pub fn info() -> RuleInfo {
    rule(
        ID,
        Severity::Error,
        "A service requires a module outside the version its anchor allows",
        r#"
## What it does
Compares each service's `require` lines with the anchor: the root go.mod of the
repository (when it sits above the services' modules) and the `drift.anchor`
policy in trellis.yaml, which wins. An anchor version lets services float the
way Go's compatibility rules allow: v0 modules within the anchored minor
(`v0.8.0` allows `v0.8.*` at or above it), v1+ modules within the major at or
above the anchor. `=v1.5.2` pins exactly (also `drift.float: false` for the
root go.mod), and a range such as `>=v1.2.0, <v1.4.0` allows that range.

## Why is this bad?
The anchor is the authoritative baseline every service inherits. A service
below it, or beyond its compatible range, is the scattered upgrade the anchor
exists to prevent.

## Example
```
go.mod (root):                   github.com/org/auth v1.5.2
services/a/go.mod:               github.com/org/auth v1.4.0   <- below the anchor
```

## Fix
`go get github.com/org/auth@v1.5.2` in the service, or move the anchor. A
service that must differ gets a `drift.exceptions` entry with a `reason`.
"#,
    )
}

pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for module in ctx.facts.service_modules() {
        for req in &module.parsed.requires {
            let Some(anchored) = ctx.anchors.get(&req.path) else {
                continue;
            };
            if anchored.constraint.allows(&req.version) {
                continue;
            }
            if ctx.excepted(&req.path, &module.name) {
                continue;
            }
            let source = match anchored.line {
                Some(line) => format!("{}:{line}", anchored.source),
                None => anchored.source.clone(),
            };
            let help = match anchored.constraint.target() {
                Some(target) => format!(
                    "`go get {}@{target}` in {}, or add a drift.exceptions entry with a reason",
                    req.path, module.name
                ),
                None => format!(
                    "move {} into the allowed range, or add a drift.exceptions entry with a reason",
                    req.path
                ),
            };
            out.push(
                Finding::new(
                    ID,
                    Severity::Error,
                    &module.manifest,
                    format!(
                        "{} {} is outside the anchor: {} allows {}",
                        req.path,
                        req.version,
                        source,
                        anchored.constraint.describe()
                    ),
                    &req.path,
                )
                .at(req.pos.span())
                .service(Some(module.name.clone()))
                .help(help)
                .note(format!("anchor: {source}")),
            );
        }
    }
}
