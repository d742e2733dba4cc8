//! drift-deprecated (with --upstream): a module whose newest go.mod says `// Deprecated:`.

use super::{Ctx, rule};
use crate::drift::upstream::UpstreamData;
use crate::report::{Finding, RuleInfo, Severity};

pub const ID: &str = "drift-deprecated";

pub fn info() -> RuleInfo {
    rule(
        ID,
        Severity::Warning,
        "A required module is deprecated by its authors",
        r#"
## What it does
With `--upstream`, reads the `// Deprecated:` comment of the `module` line in
the newest go.mod of each required module (as `go list -m -u` does) and reports
each service that requires it, with the authors' message.

## Why is this bad?
A deprecated module gets no more fixes; its authors usually name a successor.

## Example
```
// Deprecated: use github.com/org/auth/v2 instead.
module github.com/org/auth
```

## Fix
Move to the successor the message names, then drop the requirement.
"#,
    )
}

pub fn check(ctx: &Ctx<'_>, data: &UpstreamData, out: &mut Vec<Finding>) {
    for module in ctx.facts.service_modules() {
        for req in &module.parsed.requires {
            let Some(message) = data
                .go
                .get(&req.path)
                .and_then(|u| u.latest_mod.as_ref())
                .and_then(|m| m.module.as_ref())
                .and_then(|m| m.deprecated.as_ref())
            else {
                continue;
            };
            out.push(
                Finding::new(
                    ID,
                    Severity::Warning,
                    &module.manifest,
                    format!("{} is deprecated: {message}", req.path),
                    &req.path,
                )
                .at(req.pos.span())
                .service(Some(module.name.clone()))
                .help("move to the successor the deprecation names"),
            );
        }
    }
}
