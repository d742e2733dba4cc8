//! drift-replace-local: `replace` directives that point at local paths or
//! forks, or pin a module's version.

use super::Ctx;
use crate::drift::gomod::{Replace, is_absolute_path};
use crate::drift::model::{join, normalize};
use crate::registry::{Def, RuleId};
use crate::report::{Finding, Severity};
use std::collections::BTreeMap;

pub(crate) const ID: &str = RuleId::DriftReplaceLocal.as_str();

pub(crate) const DEF: Def = Def::new(
    Severity::Error,
    "A replace directive points outside the repository, at an absolute path or at a fork, or pins a version",
    include_str!("replace_local.md"),
)
.severity_varies("warning for a fork; info for a sibling module or a pin");

/// `X => X vN`: not a fork, but a version that wins over every requirement.
fn pin(replace: &Replace, what: &str, drop: &str) -> (Severity, String, String) {
    let path = &replace.old_path;
    let to = replace
        .new_version
        .as_ref()
        .map_or_else(String::new, ToString::to_string);
    match &replace.old_version {
        None => (
            Severity::Info,
            format!(
                "{what}: pins {path} to {to}; it silently overrides every requirement of {path}, so `go get {path}@...` upgrades change nothing"
            ),
            format!(
                "keep the pin only with a reason written beside it; to move, require the version you want and `go mod edit -dropreplace {drop}`"
            ),
        ),
        Some(from) => (
            Severity::Info,
            format!(
                "{what}: pins {path} {from} to {to}; wherever {from} is selected, {to} is built instead"
            ),
            format!(
                "require {path} {to} and `go mod edit -dropreplace {drop}`, or write why the swap must stay beside it"
            ),
        ),
    }
}

/// What one replace directive is, and what it points at.
struct Verdict {
    severity: Severity,
    message: String,
    help: String,
    /// The replacement, named the same from every directory: a module
    /// version, or a directory relative to the repository root.
    target: String,
}

/// `dir` joined with a relative path, keeping the `..` that climb above the
/// root (`../auth`): one directory outside has one name from everywhere.
fn lexical(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in dir.split('/').chain(rel.split(['/', '\\'])) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

fn judge(ctx: &Ctx<'_>, dir: &str, replace: &Replace) -> Verdict {
    let target = match &replace.new_version {
        Some(v) => format!("{} {v}", replace.new_path),
        None => replace.new_path.clone(),
    };
    let (old, drop) = match &replace.old_version {
        Some(v) => (
            format!("{} {v}", replace.old_path),
            format!("{}@{v}", replace.old_path),
        ),
        None => (replace.old_path.clone(), replace.old_path.clone()),
    };
    let what = format!("replace {old} => {target}");
    let elsewhere = format!(
        "`go mod edit -dropreplace {drop}` and require a published version, or use an uncommitted go.work"
    );
    let (severity, message, help) = if !replace.is_local() {
        if replace.is_pin() {
            pin(replace, &what, &drop)
        } else {
            (
                Severity::Warning,
                format!("{what}: a fork replaces the upstream module"),
                format!(
                    "upstream the change and drop the replace (`go mod edit -dropreplace {drop}`), or record why in a drift.exceptions entry"
                ),
            )
        }
    } else if is_absolute_path(&replace.new_path) {
        (
            Severity::Error,
            format!("{what}: an absolute path exists only on one machine"),
            elsewhere,
        )
    } else {
        match normalize(&join(dir, &replace.new_path)) {
            None => (
                Severity::Error,
                format!("{what}: the directory is outside the repository"),
                elsewhere,
            ),
            Some(target_dir) => {
                let go_mod = join(&target_dir, "go.mod");
                match ctx.facts.modules.iter().find(|m| m.manifest == go_mod) {
                    Some(sibling) => (
                        Severity::Info,
                        format!(
                            "{what}: uses the sibling module {} from this repository",
                            sibling.name
                        ),
                        "fine for a monorepo; publish and require a version when the module is released on its own".to_string(),
                    ),
                    None => (
                        Severity::Error,
                        format!("{what}: {target_dir} has no go.mod in this repository"),
                        "point the replace at a directory with a go.mod, or drop it".to_string(),
                    ),
                }
            }
        }
    };
    let target = if replace.is_local() && !is_absolute_path(&replace.new_path) {
        lexical(dir, &replace.new_path)
    } else {
        target
    };
    Verdict {
        severity,
        message,
        help,
        target,
    }
}

/// One replace directive where it is written.
struct Place<'a> {
    file: &'a str,
    service: Option<&'a str>,
    replace: &'a Replace,
}

/// One finding per replacement: the same replace in many go.mod (or go.work)
/// files is reported at the first, with the others as related places.
pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let written = ctx
        .facts
        .modules
        .iter()
        .flat_map(|m| {
            m.parsed.replaces.iter().map(move |r| {
                let place = Place {
                    file: m.manifest.as_str(),
                    service: Some(m.name.as_str()),
                    replace: r,
                };
                (m.dir.as_str(), place)
            })
        })
        .chain(ctx.facts.works.iter().flat_map(|w| {
            w.parsed.replaces.iter().map(move |r| {
                let place = Place {
                    file: w.path.as_str(),
                    service: None,
                    replace: r,
                };
                (w.dir.as_str(), place)
            })
        }));
    // (severity, old path, old version, target) -> every place it is written
    type Key<'a> = (Severity, &'a str, String, String);
    let mut groups: BTreeMap<Key<'_>, Vec<(Verdict, Place<'_>)>> = BTreeMap::new();
    for (dir, place) in written {
        let verdict = judge(ctx, dir, place.replace);
        if verdict.severity > Severity::Info
            && let Some(service) = place.service
            && ctx.excepted(ID, &place.replace.old_path, service)
        {
            continue;
        }
        let old_version = place
            .replace
            .old_version
            .as_ref()
            .map_or_else(String::new, ToString::to_string);
        let key = (
            verdict.severity,
            place.replace.old_path.as_str(),
            old_version,
            verdict.target.clone(),
        );
        groups.entry(key).or_default().push((verdict, place));
    }
    for (_, mut places) in groups {
        places.sort_by(|a, b| {
            (a.1.file, a.1.replace.pos.line).cmp(&(b.1.file, b.1.replace.pos.line))
        });
        let mut places = places.into_iter();
        let Some((verdict, first)) = places.next() else {
            continue;
        };
        let others: Vec<Place<'_>> = places.map(|(_, place)| place).collect();
        let mut finding = Finding::new(
            ID,
            verdict.severity,
            first.file,
            format!(
                "{}{}",
                verdict.message,
                super::also_in(others.len(), "file")
            ),
            &first.replace.old_path,
        )
        .at(first.replace.pos.span())
        .service(first.service)
        .module(first.replace.old_path.clone())
        .help(verdict.help);
        for other in &others {
            finding = finding.related(
                other.file,
                Some(other.replace.pos.span()),
                format!(
                    "the same replace in {}",
                    other.service.unwrap_or(other.file)
                ),
            );
        }
        out.push(finding);
    }
}
