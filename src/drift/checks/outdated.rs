//! drift-outdated (with --upstream): how far each module lags its newest release.

use super::Ctx;
use crate::drift::upstream::{UpstreamData, format_date};
use crate::drift::version::GoVersion;
use crate::registry::{Def, Need, RuleId};
use crate::report::{Finding, Severity};
use std::collections::BTreeMap;

pub(crate) const ID: &str = RuleId::DriftOutdated.as_str();

pub(crate) const DEF: Def = Def::new(
    Severity::Info,
    "A dependency is behind its newest upstream release (with --upstream)",
    include_str!("outdated.md"),
)
.needing(&[Need::Upstream]);

/// (majors, minors, patches) behind: newer majors, newer minor lines on the
/// same major, newer patches on the same minor.
pub(crate) fn distance(
    current: &GoVersion,
    releases: &[GoVersion],
    newer_majors: u64,
) -> (u64, u64, u64) {
    let mut minors = std::collections::BTreeSet::new();
    let mut patches = 0;
    for v in releases.iter().filter(|v| v.is_release() && *v > current) {
        if v.major() != current.major() {
            continue;
        }
        if v.minor() > current.minor() {
            minors.insert(v.minor());
        } else if v.minor() == current.minor() && v.patch() > current.patch() {
            patches += 1;
        }
    }
    let newer_in_list: std::collections::BTreeSet<u64> = releases
        .iter()
        .filter(|v| v.is_release() && v.major() > current.major())
        .map(GoVersion::major)
        .collect();
    (
        newer_majors + newer_in_list.len() as u64,
        minors.len() as u64,
        patches,
    )
}

fn describe((majors, minors, patches): (u64, u64, u64)) -> String {
    let mut parts = Vec::new();
    for (n, what) in [(majors, "major"), (minors, "minor"), (patches, "patch")] {
        if n > 0 {
            parts.push(format!("{n} {what}{}", if n == 1 { "" } else { "s" }));
        }
    }
    if parts.is_empty() {
        "behind the newest prerelease".to_string()
    } else {
        format!("{} behind", parts.join(", "))
    }
}

pub(crate) fn check(ctx: &Ctx<'_>, data: &UpstreamData, out: &mut Vec<Finding>) {
    for (path, module_data) in &data.go {
        let Some(latest) = &module_data.latest else {
            continue;
        };
        let newer_majors = module_data
            .newer_major
            .as_ref()
            .map_or(0, |(_, v)| v.major().saturating_sub(latest.major().max(1)));
        let mut behind: BTreeMap<
            &GoVersion,
            Vec<(
                &crate::drift::model::GoModule,
                u32,
                crate::drift::gomod::Pos,
            )>,
        > = BTreeMap::new();
        for module in ctx.facts.service_modules() {
            for req in module.parsed.requires.iter().filter(|r| &r.path == path) {
                let (majors, minors, patches) =
                    distance(&req.version, &module_data.versions, newer_majors);
                if &req.version < latest || majors > 0 || minors > 0 || patches > 0 {
                    behind
                        .entry(&req.version)
                        .or_default()
                        .push((module, req.pos.line, req.pos));
                }
            }
        }
        let Some((oldest, users)) = behind.iter().next() else {
            continue;
        };
        let newest_text = match &module_data.newer_major {
            Some((major_path, v)) => format!("{latest}; newest major: {major_path} {v}"),
            None => match module_data.latest_time {
                Some(t) => format!("{latest} ({})", format_date(t)),
                None => latest.to_string(),
            },
        };
        let (module, _, pos) = users[0];
        let mut finding = Finding::new(
            ID,
            Severity::Info,
            &module.manifest,
            format!(
                "{path} {oldest} is {}: newest is {newest_text}",
                describe(distance(oldest, &module_data.versions, newer_majors))
            ),
            path,
        )
        .at(pos.span())
        .service(Some(module.name.clone()))
        .module(path.to_string())
        .help(match &module_data.newer_major {
            Some((major_path, v)) if *oldest >= latest => format!(
                "move to {major_path}@{v}: change the import paths, then `go mod tidy` (the major's release notes list what broke)"
            ),
            _ => format!("`go get {path}@{latest}` and `go mod tidy` in each service listed"),
        });
        for (version, users) in &behind {
            let names: Vec<String> = users
                .iter()
                .map(|(m, line, _)| format!("{} ({}:{line})", m.name, m.manifest))
                .collect();
            finding = finding.note(format!(
                "{version}: {} - {}",
                describe(distance(version, &module_data.versions, newer_majors)),
                super::list_some(&names, 5)
            ));
        }
        out.push(finding);
    }
    crates(ctx, data, out);
}

/// A crate behind its newest release, with the same message wherever the
/// same version is resolved.
struct Behind {
    message: String,
    help: String,
}

/// One finding per crate and resolved version, at the first manifest, with
/// the other manifests (workspace members) as related places.
fn crates(ctx: &Ctx<'_>, data: &UpstreamData, out: &mut Vec<Finding>) {
    type Requirers = Vec<(String, Option<String>, u32)>;
    let mut groups: BTreeMap<(&str, semver::Version), (Behind, Requirers)> = BTreeMap::new();
    for manifest in &ctx.facts.manifests {
        let service = manifest
            .service
            .clone()
            .or_else(|| manifest.parsed.package.clone());
        for dep in manifest
            .parsed
            .deps
            .iter()
            .chain(&manifest.parsed.workspace_deps)
        {
            let (Some(req), Some(versions)) = (&dep.req, data.crates.get(&dep.name)) else {
                continue;
            };
            let Some((current, _)) = ctx.facts.crate_in_use(&manifest.path, &dep.name, req) else {
                continue;
            };
            let Some(behind) = crate_behind(&dep.name, &current, versions) else {
                continue;
            };
            groups
                .entry((dep.name.as_str(), current))
                .or_insert_with(|| (behind, Vec::new()))
                .1
                .push((manifest.path.clone(), service.clone(), dep.line));
        }
    }
    for ((name, _), (behind, requirers)) in groups {
        let (path, service, line) = &requirers[0];
        let mut finding = Finding::new(
            ID,
            Severity::Info,
            path,
            format!(
                "{}{}",
                behind.message,
                super::also_in(requirers.len() - 1, "manifest")
            ),
            name,
        )
        .at_line(*line)
        .service(service.clone())
        .module(name.to_string())
        .help(behind.help);
        for (other, service, line) in &requirers[1..] {
            finding = finding.related(
                other,
                Some(crate::report::Span::point(*line, 1)),
                format!(
                    "{} requires {name} here",
                    service.as_deref().unwrap_or(other)
                ),
            );
        }
        out.push(finding);
    }
}

fn crate_behind(
    name: &str,
    current: &semver::Version,
    versions: &[crate::drift::upstream::crates::CrateVersion],
) -> Option<Behind> {
    let newest = versions
        .iter()
        .filter(|v| !v.yanked && v.version.pre.is_empty())
        .map(|v| &v.version)
        .max()?;
    if current >= newest {
        return None;
    }
    // Cargo's compatibility: 0.x minors and 1+ majors are breaking lines.
    let line_of = |v: &semver::Version| {
        if v.major == 0 {
            (0, v.minor)
        } else {
            (v.major, 0)
        }
    };
    let lines_behind: std::collections::BTreeSet<(u64, u64)> = versions
        .iter()
        .filter(|v| !v.yanked && v.version.pre.is_empty() && &v.version > current)
        .map(|v| line_of(&v.version))
        .filter(|l| *l != line_of(current))
        .collect();
    let what = if lines_behind.is_empty() {
        "a compatible update".to_string()
    } else {
        format!(
            "{} breaking release line{} behind",
            lines_behind.len(),
            if lines_behind.len() == 1 { "" } else { "s" }
        )
    };
    Some(Behind {
        message: format!("crate {name} {current} is {what}: newest is {newest}"),
        help: if lines_behind.is_empty() {
            format!("`cargo update -p {name}`")
        } else {
            format!("require {name} = \"{newest}\" and fix what breaks")
        },
    })
}
