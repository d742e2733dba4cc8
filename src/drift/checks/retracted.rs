//! drift-retracted (with --upstream): a required version is retracted (Go) or yanked (crates.io).

use super::{Ctx, rule};
use crate::drift::upstream::UpstreamData;
use crate::report::{Finding, RuleInfo, Severity};

pub const ID: &str = "drift-retracted";

pub fn info() -> RuleInfo {
    rule(
        ID,
        Severity::Error,
        "A service requires a version its authors retracted (Go) or yanked (crates.io)",
        r#"
## What it does
With `--upstream`, reads the `retract` directives of the newest go.mod of each
module (as the go command does) and reports every requirement of a retracted
version, with the authors' rationale. For Rust, reports locked versions that
are yanked in the crates.io index.

## Why is this bad?
Authors retract a version when it is broken: a security hole, data corruption,
a mistaken publish. `go get` will not pick it any more, but a go.mod that already
names it keeps using it.

## Example
```
example.com/lib v1.2.0 is retracted: "data race in Pool"
```

## Fix
Upgrade to a version that is not retracted (`go get example.com/lib@latest`),
or for Rust `cargo update -p crate`.
"#,
    )
}

pub fn check(ctx: &Ctx<'_>, data: &UpstreamData, out: &mut Vec<Finding>) {
    for module in &ctx.facts.modules {
        for req in &module.parsed.requires {
            let Some(upstream) = data.go.get(&req.path) else {
                continue;
            };
            let Some(latest_mod) = &upstream.latest_mod else {
                continue;
            };
            let Some(retract) = latest_mod
                .retracts
                .iter()
                .find(|r| r.contains(&req.version))
            else {
                continue;
            };
            let why = retract
                .rationale
                .as_deref()
                .map(|r| format!(": \"{r}\""))
                .unwrap_or_default();
            let latest = upstream
                .latest
                .as_ref()
                .map_or_else(|| "latest".to_string(), ToString::to_string);
            out.push(
                Finding::new(
                    ID,
                    Severity::Error,
                    &module.manifest,
                    format!(
                        "{} {} is retracted by its authors{why}",
                        req.path, req.version
                    ),
                    &format!("{}@{}", req.path, req.version),
                )
                .at(req.pos.span())
                .service(Some(module.name.clone()))
                .help(format!("`go get {}@{latest}` in {}", req.path, module.name)),
            );
        }
    }
    for manifest in &ctx.facts.manifests {
        for dep in manifest
            .parsed
            .deps
            .iter()
            .chain(&manifest.parsed.workspace_deps)
        {
            let (Some(req), Some(versions)) = (&dep.req, data.crates.get(&dep.name)) else {
                continue;
            };
            let Some((current, Some((lock, line)))) =
                super::outdated::resolved(ctx, &manifest.path, &dep.name, req)
            else {
                continue;
            };
            if versions.iter().any(|v| v.version == current && v.yanked) {
                out.push(
                    Finding::new(
                        ID,
                        Severity::Error,
                        &lock,
                        format!("crate {} {current} is yanked from the index", dep.name),
                        &format!("{}@{current}", dep.name),
                    )
                    .at_line(line)
                    .service(manifest.service.clone())
                    .help(format!("`cargo update -p {}@{current}`", dep.name)),
                );
            }
        }
    }
}
