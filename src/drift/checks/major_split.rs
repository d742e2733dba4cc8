//! drift-major-split: one module used at different major versions.

use super::Ctx;
use crate::drift::version::{effective_major, split_path_major};
use crate::registry::{Def, RuleId};
use crate::report::{Finding, Severity};
use std::collections::BTreeMap;

pub(crate) const ID: &str = RuleId::DriftMajorSplit.as_str();

pub(crate) const DEF: Def = Def::new(
    Severity::Warning,
    "The same module is used at different major versions",
    include_str!("major_split.md"),
);

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    // base path -> major -> [(module, require)]
    let mut groups: BTreeMap<&str, BTreeMap<u64, Vec<_>>> = BTreeMap::new();
    for module in &ctx.facts.modules {
        for req in &module.parsed.requires {
            let (base, _) = split_path_major(&req.path);
            groups
                .entry(base)
                .or_default()
                .entry(effective_major(&req.path, &req.version))
                .or_default()
                .push((module, req));
        }
    }
    for (base, majors) in groups {
        if majors.len() < 2 {
            continue;
        }
        // The anchor's major is the target when the anchor names this module;
        // otherwise the newest major in use.
        let anchored = ctx.anchors.iter().find_map(|(path, anchored)| {
            let target = anchored.constraint.target()?;
            (split_path_major(path).0 == base).then(|| effective_major(path, target))
        });
        let Some(newest) = anchored.or_else(|| majors.keys().max().copied()) else {
            continue;
        };
        let notes: Vec<String> = majors
            .iter()
            .rev()
            .map(|(major, uses)| {
                let who: Vec<String> = uses
                    .iter()
                    .map(|(m, r)| format!("{} ({} {})", m.name, r.path, r.version))
                    .collect();
                format!("v{major}: {}", super::list_some(&who, 5))
            })
            .collect();
        for (major, uses) in &majors {
            if *major == newest {
                continue;
            }
            let mut lagging: Vec<_> = uses
                .iter()
                .filter(|(module, req)| {
                    // A module that also requires the target major has both on
                    // purpose (or through its dependencies): not a split between services.
                    let has_target = majors.get(&newest).is_some_and(|users| {
                        users.iter().any(|(m, _)| m.manifest == module.manifest)
                    });
                    // drift-anchor already reports an anchored path at the wrong major.
                    !(has_target
                        || module.is_anchor
                        || ctx.anchors.contains_key(&req.path)
                        || ctx.excepted(ID, &req.path, &module.name))
                })
                .collect();
            lagging.sort_by(|a, b| a.0.manifest.cmp(&b.0.manifest));
            let Some((module, req)) = lagging.first() else {
                continue;
            };
            // One finding per lagging major, at its first go.mod.
            let severity = if lagging.iter().all(|(_, r)| r.indirect) {
                ctx.config.indirect_severity()
            } else {
                Severity::Warning
            };
            let mut finding = Finding::new(
                ID,
                severity,
                &module.manifest,
                format!(
                    "{base} is used at major v{major} here{} and at v{newest} {}",
                    super::also_in(lagging.len() - 1, "go.mod file"),
                    if anchored.is_some() {
                        "in the anchor"
                    } else {
                        "elsewhere"
                    }
                ),
                &req.path,
            )
            .at(req.pos.span())
            .service(Some(module.name.clone()))
            .module(req.path.clone())
            .help(format!(
                "migrate {} to v{newest}",
                super::list_some(
                    &lagging
                        .iter()
                        .map(|(m, _)| m.name.clone())
                        .collect::<Vec<_>>(),
                    5
                )
            ));
            for note in &notes {
                finding = finding.note(note.clone());
            }
            for (other, req) in &lagging[1..] {
                finding = finding.related(
                    &other.manifest,
                    Some(req.pos.span()),
                    format!(
                        "{} requires {} {}{} here",
                        other.name,
                        req.path,
                        req.version,
                        if req.indirect { " (indirect)" } else { "" }
                    ),
                );
            }
            out.push(finding);
        }
    }
}
