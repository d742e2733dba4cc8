//! drift-go-directive: services on different `go` or `toolchain` lines.

use super::Ctx;
use crate::drift::gomod::Setting;
use crate::drift::model::GoModule;
use crate::drift::version::parse_go_language;
use crate::registry::{Def, RuleId};
use crate::report::{Finding, Severity};
use std::collections::BTreeMap;

pub(crate) const ID: &str = RuleId::DriftGoDirective.as_str();

pub(crate) const DEF: Def = Def::new(
    Severity::Warning,
    "Services declare different `go` or `toolchain` versions",
    include_str!("go_directive.md"),
)
.severity_varies("error for a go.work older than a module it uses");

type Key = (u64, u64, u64, String);

fn key(value: &str) -> Option<Key> {
    let (a, b, c, pre) = parse_go_language(value)?;
    // A release sorts after its rc and beta: an empty prerelease sorts last.
    let pre = if pre.is_empty() { "~".to_string() } else { pre };
    Some((a, b, c, pre))
}

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    lines(ctx, out);
    workspaces(ctx, out);
}

/// One finding per older `go` (or `toolchain`) value, at its first go.mod,
/// with the other go.mod files on that value as related places.
fn lines(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for (directive, get) in [
        (
            "go",
            (|m: &crate::drift::gomod::GoMod| m.go.as_ref()) as fn(&_) -> Option<&Setting>,
        ),
        ("toolchain", |m| m.toolchain.as_ref()),
    ] {
        let mut values: BTreeMap<Key, Vec<(&GoModule, &Setting)>> = BTreeMap::new();
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
        for uses in values.values_mut().rev().skip(1) {
            uses.sort_by(|a, b| a.0.manifest.cmp(&b.0.manifest));
            let (module, setting) = uses[0];
            let names: Vec<String> = uses.iter().map(|(m, _)| m.name.clone()).collect();
            let mut finding = Finding::new(
                ID,
                Severity::Warning,
                &module.manifest,
                format!(
                    "`{directive} {}` here{}, but other modules are on `{directive} {newest}`",
                    setting.value,
                    super::also_in(uses.len() - 1, "go.mod file")
                ),
                directive,
            )
            .at(setting.pos.span())
            .service(Some(module.name.clone()))
            .help(format!(
                "`go mod edit -{directive}={newest}` in {}",
                super::list_some(&names, 5)
            ));
            for note in &notes {
                finding = finding.note(note.clone());
            }
            for (other, setting) in &uses[1..] {
                finding = finding.related(
                    &other.manifest,
                    Some(setting.pos.span()),
                    format!("{} is on `{directive} {}` too", other.name, setting.value),
                );
            }
            out.push(finding);
        }
    }
}

/// A go.work must be at least as new as every module it uses: one finding
/// per go.work, naming the newest module it is behind.
fn workspaces(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for work in &ctx.facts.works {
        let Some(work_go) = &work.parsed.go else {
            continue;
        };
        let Some(work_key) = key(&work_go.value) else {
            continue;
        };
        let mut newer: Vec<(Key, &GoModule, &Setting)> = ctx
            .facts
            .workspace_modules(work)
            .filter_map(|m| {
                let go = m.parsed.go.as_ref()?;
                let k = key(&go.value).filter(|k| *k > work_key)?;
                Some((k, m, go))
            })
            .collect();
        // The newest requirement first: it is the version the go.work needs.
        newer.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.manifest.cmp(&b.1.manifest)));
        let Some((_, module, go)) = newer.first() else {
            continue;
        };
        let mut finding = Finding::new(
            ID,
            Severity::Error,
            &work.path,
            format!(
                "go.work says `go {}` but {} needs `go {}`{}",
                work_go.value,
                module.name,
                go.value,
                match newer.len() - 1 {
                    0 => String::new(),
                    1 => " (and 1 other module needs more)".to_string(),
                    n => format!(" (and {n} other modules need more)"),
                }
            ),
            &format!("go.work:{}", module.manifest),
        )
        .at(work_go.pos.span())
        .help(format!("`go work edit -go={}`", go.value));
        for (_, other, go) in &newer[1..] {
            finding = finding.related(
                &other.manifest,
                Some(go.pos.span()),
                format!("{} needs `go {}`", other.name, go.value),
            );
        }
        out.push(finding);
    }
}
