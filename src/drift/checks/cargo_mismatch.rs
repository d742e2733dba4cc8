//! drift-version-mismatch for Rust: workspace members requiring one crate
//! with different version requirements.

use super::Ctx;
use super::version_mismatch::ID;
use crate::report::{Finding, Severity};
use std::collections::BTreeMap;

/// The lowest version a requirement admits (`^1.2` -> 1.2.0), to order them.
fn floor(req: &str) -> Option<semver::Version> {
    let parsed = semver::VersionReq::parse(req).ok()?;
    let c = parsed.comparators.first()?;
    Some(semver::Version::new(
        c.major,
        c.minor.unwrap_or(0),
        c.patch.unwrap_or(0),
    ))
}

/// Who requires a crate: the manifest, the service and the line.
type Requirer<'a> = (&'a str, String, u32);

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    // crate -> normalized requirement -> (manifest, service, line)
    let mut groups: BTreeMap<&str, BTreeMap<String, Vec<Requirer<'_>>>> = BTreeMap::new();
    for manifest in &ctx.facts.manifests {
        let service = manifest
            .service
            .clone()
            .or_else(|| manifest.parsed.package.clone())
            .unwrap_or_else(|| manifest.path.clone());
        for dep in manifest
            .parsed
            .deps
            .iter()
            .chain(&manifest.parsed.workspace_deps)
        {
            let Some(req) = &dep.req else { continue };
            let normalized = semver::VersionReq::parse(req)
                .map(|r| r.to_string())
                .unwrap_or_else(|_| req.clone());
            groups
                .entry(dep.name.as_str())
                .or_default()
                .entry(normalized)
                .or_default()
                .push((
                    manifest.path.as_str(),
                    if dep.kind == "workspace.dependencies" {
                        "workspace".to_string()
                    } else {
                        service.clone()
                    },
                    dep.line,
                ));
        }
    }
    for (name, reqs) in groups {
        if reqs.len() < 2 {
            continue;
        }
        let Some(newest) = reqs.keys().max_by_key(|r| floor(r)).cloned() else {
            continue;
        };
        let notes: Vec<String> = reqs
            .iter()
            .map(|(req, who)| {
                let names: Vec<String> = who
                    .iter()
                    .map(|(path, service, line)| format!("{service} ({path}:{line})"))
                    .collect();
                format!("\"{req}\": {}", super::list_some(&names, 5))
            })
            .collect();
        // One finding per crate, at the first lagging manifest; the others
        // are its related places.
        let mut lagging: Vec<(&str, &Requirer<'_>)> = reqs
            .iter()
            .filter(|(req, _)| **req != newest)
            .flat_map(|(req, who)| who.iter().map(move |w| (req.as_str(), w)))
            .filter(|(_, (_, service, _))| !ctx.excepted(ID, name, service))
            .collect();
        lagging.sort_by(|a, b| (a.1.0, a.1.2).cmp(&(b.1.0, b.1.2)));
        let Some(&(req, (path, service, line))) = lagging.first() else {
            continue;
        };
        let mut finding = Finding::new(
            ID,
            Severity::Warning,
            *path,
            format!(
                "crate {name} is required as \"{req}\" here and as \"{newest}\" elsewhere{}",
                super::also_in(lagging.len() - 1, "manifest")
            ),
            name,
        )
        .at_line(*line)
        .service(Some(service.clone()))
        .module(name.to_string())
        .help(format!(
            "require {name} = \"{newest}\", or declare it once in [workspace.dependencies] and use `{name}.workspace = true`"
        ));
        for note in &notes {
            finding = finding.note(note.clone());
        }
        for (req, (path, service, line)) in &lagging[1..] {
            finding = finding.related(
                *path,
                Some(crate::report::Span::point(*line, 1)),
                format!("{service} requires \"{req}\" here"),
            );
        }
        out.push(finding);
    }
}
