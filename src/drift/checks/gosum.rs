//! drift-gosum: go.sum lacks a hash for a required version, or two go.sum
//! files disagree on one.

use super::{Ctx, rule};
use crate::report::{Finding, RuleInfo, Severity};
use std::collections::BTreeMap;

pub const ID: &str = "drift-gosum";

pub fn info() -> RuleInfo {
    rule(
        ID,
        Severity::Error,
        "go.sum lacks a required module version, or two go.sum files disagree on a hash",
        r#"
## What it does
Only where a go.sum exists: reports each `require` of the go.mod beside it that
has no line in that go.sum (nor in the go.work.sum of a workspace using the
module), and every module version whose hash differs between two go.sum or
go.work.sum files of the repository.

## Why is this bad?
A missing hash makes `go build` fail with "missing go.sum entry" in CI and for
anyone who checks the service out. Two different hashes for one module version
mean one file was edited by hand or a proxy served different content: one of
them is wrong, and the checksum database will reject it.

## Example
```
services/a/go.sum:  github.com/google/uuid v1.6.0 h1:AAAA...
services/b/go.sum:  github.com/google/uuid v1.6.0 h1:BBBB...
```

## Fix
Run `go mod tidy` in the module; for a disagreement, delete the wrong line and
run `go mod download -x` to fetch the hash again (verified against sum.golang.org).
"#,
    )
}

/// A go.sum file and a line in it.
type Place<'a> = (&'a str, u32);

pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for module in &ctx.facts.modules {
        let Some(sum) = ctx.facts.sum_for(module) else {
            continue;
        };
        let work_sum = ctx.facts.work_sum_for(module);
        for req in &module.parsed.requires {
            let replaced_locally = module
                .parsed
                .replaces
                .iter()
                .any(|r| r.old_path == req.path && r.is_local());
            if replaced_locally {
                continue;
            }
            let version = req.version.as_str();
            let known = sum.parsed.has_any(&req.path, version)
                || work_sum.is_some_and(|w| w.parsed.has_any(&req.path, version));
            if known {
                continue;
            }
            out.push(
                Finding::new(
                    ID,
                    Severity::Error,
                    &module.manifest,
                    format!("{} has no hash for {} {version}", sum.path, req.path),
                    &format!("missing:{}@{version}", req.path),
                )
                .at(req.pos.span())
                .service(Some(module.name.clone()))
                .help(format!(
                    "run `go mod tidy` in {}",
                    if module.dir.is_empty() {
                        "."
                    } else {
                        &module.dir
                    }
                )),
            );
        }
    }
    // (module, version, go.mod-only) -> hash -> [(file, line)]
    let mut hashes: BTreeMap<(&str, &str, bool), BTreeMap<&str, Vec<Place<'_>>>> = BTreeMap::new();
    for sum in &ctx.facts.sums {
        for line in &sum.parsed.lines {
            hashes
                .entry((line.path.as_str(), line.version.as_str(), line.go_mod_only))
                .or_default()
                .entry(line.hash.as_str())
                .or_default()
                .push((sum.path.as_str(), line.line));
        }
    }
    for ((path, version, go_mod_only), by_hash) in hashes {
        if by_hash.len() < 2 {
            continue;
        }
        let what = if go_mod_only {
            format!("{path} {version}/go.mod")
        } else {
            format!("{path} {version}")
        };
        let notes: Vec<String> = by_hash
            .iter()
            .map(|(hash, files)| {
                let places: Vec<String> = files.iter().map(|(f, l)| format!("{f}:{l}")).collect();
                format!("{hash}: {}", places.join(", "))
            })
            .collect();
        for files in by_hash.values() {
            for (file, line) in files {
                let service = ctx
                    .facts
                    .modules
                    .iter()
                    .find(|m| crate::drift::model::join(&m.dir, "go.sum") == *file)
                    .map(|m| m.name.clone());
                let mut finding = Finding::new(
                    ID,
                    Severity::Error,
                    *file,
                    format!("go.sum files disagree on the hash of {what}"),
                    &format!("conflict:{what}"),
                )
                .at_line(*line)
                .service(service)
                .help("delete the wrong line and run `go mod download` to fetch the hash again from a verified source");
                for note in &notes {
                    finding = finding.note(note.clone());
                }
                out.push(finding);
            }
        }
    }
}
