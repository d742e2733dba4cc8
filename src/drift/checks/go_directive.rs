//! drift-go-directive: services on different `go` or `toolchain` lines.

use super::{Ctx, rule};
use crate::drift::gomod::Setting;
use crate::drift::version::parse_go_language;
use crate::report::{Finding, RuleInfo, Severity};
use std::collections::BTreeMap;

pub const ID: &str = "drift-go-directive";

pub fn info() -> RuleInfo {
    rule(
        ID,
        Severity::Warning,
        "Services declare different `go` or `toolchain` versions",
        r#"
## What it does
Compares the `go` and `toolchain` lines of every go.mod (and go.work) in the
repository and reports the files behind the newest. A go.work whose `go` line is
older than a module it uses is an error: the go command refuses it.

## Why is this bad?
The `go` line selects language semantics (loop variables, range-over-func) and
the minimum toolchain; services on different lines build and behave differently,
and shared code cannot use newer features.

## Example
```
services/a/go.mod:  go 1.22
services/b/go.mod:  go 1.24.0
```

## Fix
`go mod edit -go=1.24.0` (and `-toolchain=...`) in the older modules, then `go mod tidy`.
"#,
    )
}

type Key = (u64, u64, u64, String);

fn key(value: &str) -> Option<Key> {
    let (a, b, c, pre) = parse_go_language(value)?;
    // A release sorts after its rc and beta: an empty prerelease sorts last.
    let pre = if pre.is_empty() { "~".to_string() } else { pre };
    Some((a, b, c, pre))
}

pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for (directive, get) in [
        (
            "go",
            (|m: &crate::drift::gomod::GoMod| m.go.as_ref()) as fn(&_) -> Option<&Setting>,
        ),
        ("toolchain", |m| m.toolchain.as_ref()),
    ] {
        let mut values: BTreeMap<Key, Vec<(&crate::drift::model::GoModule, &Setting)>> =
            BTreeMap::new();
        for module in &ctx.facts.modules {
            if let Some(setting) = get(&module.parsed)
                && let Some(k) = key(&setting.value)
            {
                values.entry(k).or_default().push((module, setting));
            }
        }
        if values.len() < 2 {
            continue;
        }
        let Some((_, newest_uses)) = values.iter().next_back() else {
            continue;
        };
        let newest = newest_uses[0].1.value.clone();
        let notes: Vec<String> = values
            .values()
            .rev()
            .map(|uses| {
                let who: Vec<String> = uses.iter().map(|(m, _)| m.name.clone()).collect();
                format!(
                    "{directive} {}: {}",
                    uses[0].1.value,
                    super::list_some(&who, 8)
                )
            })
            .collect();
        for uses in values.values().rev().skip(1) {
            for (module, setting) in uses {
                let mut finding = Finding::new(
                    ID,
                    Severity::Warning,
                    &module.manifest,
                    format!(
                        "`{directive} {}` here, but other modules are on `{directive} {newest}`",
                        setting.value
                    ),
                    directive,
                )
                .at(setting.pos.span())
                .service(Some(module.name.clone()))
                .help(format!(
                    "`go mod edit -{directive}={newest}` in {}",
                    module.name
                ));
                for note in &notes {
                    finding = finding.note(note.clone());
                }
                out.push(finding);
            }
        }
    }
    // go.work must be at least as new as every module it uses.
    for work in &ctx.facts.works {
        let Some(work_go) = &work.parsed.go else {
            continue;
        };
        let Some(work_key) = key(&work_go.value) else {
            continue;
        };
        for module in &ctx.facts.modules {
            if !work.uses_dir(&module.dir) {
                continue;
            }
            if let Some(go) = &module.parsed.go
                && key(&go.value).is_some_and(|k| k > work_key)
            {
                out.push(
                    Finding::new(
                        ID,
                        Severity::Error,
                        &work.path,
                        format!(
                            "go.work says `go {}` but {} needs `go {}`",
                            work_go.value, module.name, go.value
                        ),
                        &format!("go.work:{}", module.manifest),
                    )
                    .at(work_go.pos.span())
                    .help(format!("`go work edit -go={}`", go.value)),
                );
            }
        }
    }
}
