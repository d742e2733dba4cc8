//! drift-retracted (with --upstream): a required version is retracted (Go) or yanked (crates.io).

use super::{Ctx, also_in, list_some};
use crate::drift::gomod::{Require, Retract};
use crate::drift::model::GoModule;
use crate::drift::upstream::UpstreamData;
use crate::registry::{Def, Need, RuleId};
use crate::report::{Finding, Severity};
use std::collections::BTreeMap;

pub(crate) const ID: &str = RuleId::DriftRetracted.as_str();

pub(crate) const DEF: Def = Def::new(
    Severity::Error,
    "A service requires a version its authors retracted (Go) or yanked (crates.io)",
    include_str!("retracted.md"),
)
.needing(&[Need::Upstream]);

pub(crate) fn check(ctx: &Ctx<'_>, data: &UpstreamData, out: &mut Vec<Finding>) {
    go(ctx, data, out);
    crates(ctx, data, out);
}

/// One finding per retracted module version, at the first go.mod requiring
/// it, with the others as related places.
fn go(ctx: &Ctx<'_>, data: &UpstreamData, out: &mut Vec<Finding>) {
    type Uses<'a> = Vec<(&'a GoModule, &'a Require)>;
    let mut groups: BTreeMap<(&str, &str), (&Retract, Uses<'_>)> = BTreeMap::new();
    for module in &ctx.facts.modules {
        for req in &module.parsed.requires {
            let Some(retract) = data
                .go
                .get(&req.path)
                .and_then(|u| u.latest_mod.as_ref())
                .and_then(|m| m.retracts.iter().find(|r| r.contains(&req.version)))
            else {
                continue;
            };
            groups
                .entry((req.path.as_str(), req.version.as_str()))
                .or_insert_with(|| (retract, Vec::new()))
                .1
                .push((module, req));
        }
    }
    for ((path, version), (retract, mut uses)) in groups {
        uses.sort_by(|a, b| a.0.manifest.cmp(&b.0.manifest));
        let (module, req) = uses[0];
        let why = retract
            .rationale
            .as_deref()
            .map(|r| format!(": \"{r}\""))
            .unwrap_or_default();
        let latest = data
            .go
            .get(path)
            .and_then(|u| u.latest.as_ref())
            .map_or_else(|| "latest".to_string(), ToString::to_string);
        let names: Vec<String> = uses.iter().map(|(m, _)| m.name.clone()).collect();
        let mut finding = Finding::new(
            ID,
            Severity::Error,
            &module.manifest,
            format!(
                "{path} {version} is retracted by its authors{why}{}",
                also_in(uses.len() - 1, "go.mod file")
            ),
            &format!("{path}@{version}"),
        )
        .at(req.pos.span())
        .service(Some(module.name.clone()))
        .module(path.to_string())
        .help(format!(
            "`go get {path}@{latest}` in {}",
            list_some(&names, 5)
        ));
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

/// One finding per yanked version in a Cargo.lock, however many manifests
/// of its workspace resolve to it.
fn crates(ctx: &Ctx<'_>, data: &UpstreamData, out: &mut Vec<Finding>) {
    type Requirers<'a> = Vec<(&'a str, Option<&'a str>, u32)>;
    let mut yanked: BTreeMap<(String, u32, &str, String), Requirers<'_>> = BTreeMap::new();
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
                ctx.facts.crate_in_use(&manifest.path, &dep.name, req)
            else {
                continue;
            };
            if versions.iter().any(|v| v.version == current && v.yanked) {
                yanked
                    .entry((lock, line, dep.name.as_str(), current.to_string()))
                    .or_default()
                    .push((
                        manifest.path.as_str(),
                        manifest.service.as_deref(),
                        dep.line,
                    ));
            }
        }
    }
    for ((lock, line, name, current), requirers) in yanked {
        let mut finding = Finding::new(
            ID,
            Severity::Error,
            &lock,
            format!("crate {name} {current} is yanked from the index"),
            &format!("{name}@{current}"),
        )
        .at_line(line)
        .service(requirers[0].1)
        .module(name.to_string())
        .help(format!("`cargo update -p {name}@{current}`"));
        for (manifest, service, dep_line) in &requirers {
            finding = finding.related(
                *manifest,
                Some(crate::report::Span::point(*dep_line, 1)),
                format!("{} requires {name} here", service.unwrap_or(manifest)),
            );
        }
        out.push(finding);
    }
}
