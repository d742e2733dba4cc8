//! drift-version-mismatch: one module required at different versions by
//! different services.

use super::{Ctx, list_some};
use crate::drift::config::Align;
use crate::drift::version::{GoVersion, effective_major};
use crate::registry::{Def, RuleId};
use crate::report::{Applicability, Edit, Finding, Fix, Severity};
use std::collections::BTreeMap;

pub(crate) const ID: &str = RuleId::DriftVersionMismatch.as_str();

pub(crate) const DEF: Def = Def::new(
    Severity::Warning,
    "A module (or crate) is required at different versions by different services",
    include_str!("version_mismatch.md"),
)
.severity_varies("info when only `// indirect` requirements differ, `drift.indirect-severity`");

struct Use<'a> {
    version: &'a GoVersion,
    indirect: bool,
    module: &'a crate::drift::model::GoModule,
    line: u32,
    span: crate::drift::gomod::Pos,
    version_span: crate::drift::gomod::Pos,
}

/// The version the services should align on.
fn target<'a>(uses: &[Use<'a>], align: Align) -> Option<&'a GoVersion> {
    match align {
        Align::Newest => uses.iter().map(|u| u.version).max(),
        Align::Majority => {
            let mut counts: BTreeMap<&GoVersion, usize> = BTreeMap::new();
            for u in uses {
                *counts.entry(u.version).or_default() += 1;
            }
            // Ties go to the newest: max_by_key keeps the last maximum.
            counts.into_iter().max_by_key(|(_, n)| *n).map(|(v, _)| v)
        }
    }
}

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
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
                    version_span: req.version_pos,
                });
        }
    }
    for ((path, _), uses) in groups {
        if uses.iter().all(|u| u.version == uses[0].version) {
            continue;
        }
        let Some(newest) = target(&uses, ctx.config.align) else {
            continue;
        };
        let severity = if uses.iter().all(|u| u.indirect) {
            ctx.config.indirect_severity()
        } else {
            Severity::Warning
        };
        let mut by_version: BTreeMap<&GoVersion, Vec<&Use<'_>>> = BTreeMap::new();
        for u in &uses {
            by_version.entry(u.version).or_default().push(u);
        }
        // Large monorepos have dozens of services per version: name a few.
        let summary: Vec<String> = by_version
            .iter()
            .rev()
            .map(|(v, who)| {
                let names: Vec<String> = who.iter().map(|u| u.module.name.clone()).collect();
                format!("{v} ({})", list_some(&names, 3))
            })
            .collect();
        let notes: Vec<String> = by_version
            .iter()
            .rev()
            .map(|(version, who)| {
                let places: Vec<String> = who
                    .iter()
                    .map(|u| {
                        format!(
                            "{}{} ({}:{})",
                            u.module.name,
                            if u.indirect { ", indirect" } else { "" },
                            u.module.manifest,
                            u.line
                        )
                    })
                    .collect();
                format!("{version}: {}", list_some(&places, 5))
            })
            .collect();
        // One finding for the whole module, at the first lagging go.mod; the
        // other laggards are its related places.
        let mut lagging: Vec<&Use<'_>> = uses
            .iter()
            .filter(|u| u.version != newest && !ctx.excepted(ID, path, &u.module.name))
            .collect();
        lagging.sort_by(|a, b| a.module.manifest.cmp(&b.module.manifest));
        let Some(first) = lagging.first() else {
            continue;
        };
        let names: Vec<String> = lagging.iter().map(|u| u.module.name.clone()).collect();
        let mut finding = Finding::new(
            ID,
            severity,
            &first.module.manifest,
            format!(
                "{path} is required at {} versions: {}",
                by_version.len(),
                summary.join(", ")
            ),
            path,
        )
        .at(first.span.span())
        .service(Some(first.module.name.clone()))
        .module(path.to_string())
        .help(format!(
            "align on {newest}: `go get {path}@{newest}` in {}, or pin it in the root go.mod",
            list_some(&names, 5)
        ));
        for note in &notes {
            finding = finding.note(note.clone());
        }
        finding = finding.fix(align_fix(path, newest, &lagging));
        for u in &lagging[1..] {
            finding = finding.related(
                &u.module.manifest,
                Some(u.span.span()),
                format!("{} requires {} here", u.module.name, u.version),
            );
        }
        out.push(finding);
    }
}

/// Every lagging `require` moved to the version the services align on. Unsafe:
/// go.sum needs `go mod tidy` afterwards, and the upgrade may change behaviour.
fn align_fix(path: &str, target: &GoVersion, lagging: &[&Use<'_>]) -> Fix {
    Fix {
        description: format!(
            "require {path} {target} in every lagging go.mod, then run `go mod tidy` in each"
        ),
        applicability: Applicability::Unsafe,
        edits: lagging
            .iter()
            .map(|u| {
                Edit::new(
                    &u.module.manifest,
                    u.version_span.span(),
                    target.to_string(),
                )
            })
            .collect(),
    }
}
