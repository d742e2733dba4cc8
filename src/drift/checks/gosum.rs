//! drift-gosum: go.sum lacks the hash Go needs for a required version (or
//! for what replaces it), or two go.sum files disagree on one.

use super::{Ctx, list_some};
use crate::drift::gomod::{Replace, Require, replacement_for};
use crate::drift::model::{GoModule, SumFile, WorkFile};
use crate::drift::version::GoVersion;
use crate::registry::{Def, RuleId};
use crate::report::{Finding, Severity};
use std::collections::BTreeMap;

pub(crate) const ID: &str = RuleId::DriftGosum.as_str();

pub(crate) const DEF: Def = Def::new(
    Severity::Error,
    "go.sum lacks the hash Go needs for a requirement (or its replacement), or two go.sum files disagree on one",
    include_str!("gosum.md"),
);

/// What go.sum must hold for one requirement.
enum Needed<'a> {
    /// Nothing: the requirement is replaced by a directory.
    Nothing,
    /// A line for this module version (content or go.mod hash), `via` the
    /// replace that chose it, if any.
    Hash {
        path: &'a str,
        version: &'a GoVersion,
        via: Option<&'a Replace>,
    },
}

impl<'a> Needed<'a> {
    fn of(req: &'a Require, replace: Option<&'a Replace>) -> Needed<'a> {
        match replace {
            None => Needed::Hash {
                path: &req.path,
                version: &req.version,
                via: None,
            },
            Some(r) => match r.target() {
                None => Needed::Nothing,
                Some((path, version)) => Needed::Hash {
                    path,
                    version,
                    via: Some(r),
                },
            },
        }
    }

    fn found_in(&self, sums: &[&SumFile]) -> bool {
        match self {
            Needed::Nothing => true,
            Needed::Hash { path, version, .. } => sums
                .iter()
                .any(|s| s.parsed.has_any(path, version.as_str())),
        }
    }
}

/// The replace workspace mode applies: the go.work's own wins; otherwise any
/// module of the workspace may replace it for all of them.
fn workspace_replacement<'a>(
    ctx: &Ctx<'a>,
    work: &'a WorkFile,
    req: &Require,
) -> Option<&'a Replace> {
    replacement_for(&work.parsed.replaces, &req.path, &req.version).or_else(|| {
        ctx.facts
            .workspace_modules(work)
            .find_map(|m| replacement_for(&m.parsed.replaces, &req.path, &req.version))
    })
}

/// A requirement whose hash is nowhere Go would look.
struct Missing<'a> {
    module: &'a GoModule,
    sum: &'a SumFile,
    req: &'a Require,
    via: Option<&'a Replace>,
    /// The go.work using the module, and what workspace mode needs instead.
    workspace: Option<(&'a WorkFile, Needed<'a>)>,
}

fn missing<'a>(ctx: &Ctx<'a>) -> BTreeMap<(&'a str, &'a str), Vec<Missing<'a>>> {
    let mut out: BTreeMap<(&str, &str), Vec<Missing<'_>>> = BTreeMap::new();
    for module in &ctx.facts.modules {
        let Some(sum) = ctx.facts.sum_for(module) else {
            continue;
        };
        let work = ctx.facts.workspace_of(module);
        let work_sums = work.map(|w| ctx.facts.workspace_sums(w));
        for req in &module.parsed.requires {
            // First as `go mod tidy` sees the module: on its own, go.work ignored.
            let replace = replacement_for(&module.parsed.replaces, &req.path, &req.version);
            let alone = Needed::of(req, replace);
            if alone.found_in(&[sum]) {
                continue;
            }
            // A module that only builds inside its workspace is fine when
            // the workspace has what it needs there.
            let workspace = work.map(|w| (w, Needed::of(req, workspace_replacement(ctx, w, req))));
            if let (Some((_, needed)), Some(sums)) = (&workspace, &work_sums)
                && needed.found_in(sums)
            {
                continue;
            }
            let Needed::Hash { path, version, via } = alone else {
                continue;
            };
            out.entry((path, version.as_str()))
                .or_default()
                .push(Missing {
                    module,
                    sum,
                    req,
                    via,
                    workspace,
                });
        }
    }
    out
}

fn report_missing(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for ((path, version), mut places) in missing(ctx) {
        places.sort_by(|a, b| a.module.manifest.cmp(&b.module.manifest));
        let first = &places[0];
        let replaced = first.via.map_or_else(String::new, |_| {
            format!(", which replaces {} {}", first.req.path, first.req.version)
        });
        let others = match places.len() - 1 {
            0 => String::new(),
            1 => " (nor has 1 other go.sum)".to_string(),
            n => format!(" (nor have {n} other go.sum files)"),
        };
        let dirs: Vec<String> = places
            .iter()
            .map(|m| {
                if m.module.dir.is_empty() {
                    ".".to_string()
                } else {
                    m.module.dir.clone()
                }
            })
            .collect();
        let mut finding = Finding::new(
            ID,
            Severity::Error,
            &first.module.manifest,
            format!(
                "{} has no hash for {path} {version}{replaced}{others}",
                first.sum.path
            ),
            &format!("missing:{path}@{version}"),
        )
        .at(first.req.pos.span())
        .service(Some(first.module.name.clone()))
        .module(path.to_string())
        .help(match &first.workspace {
            Some((work, _)) => format!(
                "run `go mod tidy` in {}, or a build beside {} to fill its go.work.sum",
                list_some(&dirs, 5),
                work.path
            ),
            None => format!("run `go mod tidy` in {}", list_some(&dirs, 5)),
        });
        if let Some((work, Needed::Hash { path, version, .. })) = &first.workspace {
            finding = finding.note(format!(
                "the workspace of {} needs {path} {version} and has no hash for it either: a build there adds it to go.work.sum",
                work.path
            ));
        }
        for other in &places[1..] {
            finding = finding.related(
                &other.module.manifest,
                Some(other.req.pos.span()),
                format!("{} has no hash for {path} {version} either", other.sum.path),
            );
        }
        out.push(finding);
    }
}

/// A go.sum file and a line in it.
type Place<'a> = (&'a str, u32);

fn report_conflicts(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
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
        // The finding sits on the rarest hash, the likelier to be wrong; the
        // other lines are its related places.
        let Some((primary_hash, primary_files)) =
            by_hash.iter().min_by_key(|(_, files)| files.len())
        else {
            continue;
        };
        let (file, line) = primary_files[0];
        let service = ctx
            .facts
            .modules
            .iter()
            .find(|m| crate::drift::model::join(&m.dir, "go.sum") == file)
            .map(|m| m.name.clone());
        let mut finding = Finding::new(
            ID,
            Severity::Error,
            file,
            format!("go.sum files disagree on the hash of {what}"),
            &format!("conflict:{what}"),
        )
        .at_line(line)
        .service(service)
        .module(path.to_string())
        .help("delete the wrong line and run `go mod download` to fetch the hash again from a verified source");
        for note in notes {
            finding = finding.note(note);
        }
        for (hash, files) in &by_hash {
            for &(other, other_line) in files {
                if (other, other_line) == (file, line) {
                    continue;
                }
                let label = if hash == primary_hash {
                    format!("the same {hash} here")
                } else {
                    format!("{hash} here")
                };
                finding = finding.related(
                    other,
                    Some(crate::report::Span::point(other_line, 1)),
                    label,
                );
            }
        }
        out.push(finding);
    }
}

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    report_missing(ctx, out);
    report_conflicts(ctx, out);
}
