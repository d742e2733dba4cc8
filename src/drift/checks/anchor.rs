//! drift-anchor: a service's version is outside what the anchor allows.

use super::{Ctx, also_in, list_some};
use crate::drift::gomod::Require;
use crate::drift::model::GoModule;
use crate::registry::{Def, RuleId};
use crate::report::{Applicability, Edit, Finding, Fix, Severity};
use std::collections::BTreeMap;

pub(crate) const ID: &str = RuleId::DriftAnchor.as_str();

pub(crate) const DEF: Def = Def::new(
    Severity::Error,
    "A service requires a module outside the version its anchor allows",
    include_str!("anchor.md"),
);

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    // (module, version) -> the services requiring it: one finding for all of
    // them, since the message and the fix are the same.
    let mut groups: BTreeMap<(&str, &str), Vec<(&GoModule, &Require)>> = BTreeMap::new();
    for module in ctx.facts.service_modules() {
        for req in &module.parsed.requires {
            let Some(anchored) = ctx.anchors.get(&req.path) else {
                continue;
            };
            if anchored.constraint.allows(&req.version) || ctx.excepted(ID, &req.path, &module.name)
            {
                continue;
            }
            groups
                .entry((req.path.as_str(), req.version.as_str()))
                .or_default()
                .push((module, req));
        }
    }
    for ((path, version), mut uses) in groups {
        let Some(anchored) = ctx.anchors.get(path) else {
            continue;
        };
        uses.sort_by(|a, b| a.0.manifest.cmp(&b.0.manifest));
        let (module, req) = uses[0];
        let names: Vec<String> = uses.iter().map(|(m, _)| m.name.clone()).collect();
        let source = match anchored.line {
            Some(line) => format!("{}:{line}", anchored.source),
            None => anchored.source.clone(),
        };
        let help = match anchored.constraint.target() {
            Some(target) => format!(
                "`go get {path}@{target}` in {}, or add a drift.exceptions entry with a reason",
                list_some(&names, 5)
            ),
            None => format!(
                "move {path} into the allowed range, or add a drift.exceptions entry with a reason"
            ),
        };
        let mut finding = Finding::new(
            ID,
            Severity::Error,
            &module.manifest,
            format!(
                "{path} {version} is outside the anchor: {source} allows {}{}",
                anchored.constraint.describe(),
                also_in(uses.len() - 1, "go.mod file")
            ),
            path,
        )
        .at(req.pos.span())
        .service(Some(module.name.clone()))
        .module(path.to_string())
        .help(help)
        .note(format!("anchor: {source}"));
        if let Some(target) = anchored.constraint.target() {
            finding = finding.fix(Fix {
                description: format!(
                    "require {path} {target} in every go.mod outside the anchor, then run `go mod tidy` in each"
                ),
                applicability: Applicability::Unsafe,
                edits: uses
                    .iter()
                    .map(|(module, req)| {
                        Edit::new(&module.manifest, req.version_pos.span(), target.to_string())
                    })
                    .collect(),
            });
        }
        for (other, req) in &uses[1..] {
            finding = finding.related(
                &other.manifest,
                Some(req.pos.span()),
                format!("{} requires {path} {version} too", other.name),
            );
        }
        out.push(finding);
    }
}
