//! Files that do not compile. A failure the change is to blame for stops the
//! comparison (exit 2), as a side that does not compile cannot be compared;
//! one it is not to blame for (a file broken on both sides, copies that
//! collide in a unit) becomes a `contract-not-compiled` warning, the files
//! that need it are left out on both sides, and the rest is compared.

use super::compile::{Failure, SideSource, UnitBuild};
use super::source::{ProtoSet, under};
use super::units::{Unit, UnitKind};
use crate::error::InputError;
use crate::registry::{Def, RuleId};
use crate::repo::Repo;
use crate::report::{Finding, Severity, Span};
use std::collections::{BTreeMap, BTreeSet};

pub(crate) const ID: &str = RuleId::ContractNotCompiled.as_str();

pub(crate) const DEF: Def = Def::new(
    Severity::Warning,
    "A .proto file the change does not touch does not compile; the files that need it were not compared",
    include_str!("failures.md"),
);

/// One compared pair of units, built: unit indices and builds, old side first.
pub(crate) struct PairBuilds<'a> {
    pub(crate) units: [usize; 2],
    pub(crate) builds: &'a [UnitBuild; 2],
}

/// A failure the change is not to blame for.
#[derive(Debug, Clone)]
pub(crate) struct NotCompiled {
    pub(crate) path: String,
    pub(crate) line: Option<u32>,
    pub(crate) column: Option<u32>,
    pub(crate) message: String,
    pub(crate) help: String,
    /// The first definition of a name the file defines again.
    pub(crate) other: Option<String>,
}

impl NotCompiled {
    pub(crate) fn to_finding(&self, repo: &Repo) -> Finding {
        let mut finding = Finding::new(
            ID,
            Severity::Warning,
            self.path.clone(),
            self.message.clone(),
            &self.message,
        )
        .service(super::compare::owner(repo, &self.path))
        .help(self.help.clone());
        finding = match (self.line, self.column) {
            (Some(line), Some(column)) => finding.at(Span {
                line,
                column,
                end_line: line,
                end_column: column,
            }),
            _ => finding.at_line(1),
        };
        if let Some(other) = &self.other {
            finding = finding.related(other.clone(), None, "defined first here");
        }
        finding
    }
}

/// What settling the failures leaves: per pair (index into the pairs
/// given), the targets to leave out of the comparison on both sides, so
/// that a file left out on one side does not look added or deleted; and the
/// warnings.
#[derive(Debug, Default)]
pub(crate) struct Settled {
    pub(crate) left_out: BTreeMap<usize, BTreeSet<String>>,
    pub(crate) warnings: Vec<NotCompiled>,
}

/// Decides for every failure whether the change is to blame: an `Err` for
/// the first one that is (old side first, naming the others), else the warnings.
pub(crate) fn settle(
    sets: [&ProtoSet; 2],
    sources: [&SideSource; 2],
    pairs: &[PairBuilds<'_>],
    ignore: &[String],
) -> Result<Settled, InputError> {
    let touched =
        |path: &str| sets[0].files.get(path).map(|f| f.id) != sets[1].files.get(path).map(|f| f.id);
    let mut settled = Settled::default();
    let mut blamed: Vec<InputError> = Vec::new();
    // Broken file -> the failure to show and the targets that needed it.
    let mut broken: BTreeMap<String, Broken<'_>> = BTreeMap::new();
    for (side, source) in sources.iter().enumerate() {
        for (index, pair) in pairs.iter().enumerate() {
            let unit = &source.units.units[pair.units[side]];
            let path_of = |name: &str| {
                source
                    .open(pair.units[side], name)
                    .map_or_else(|| name.to_string(), |(path, _)| path.clone())
            };
            for failure in &pair.builds[side].failures {
                let target = path_of(&failure.target);
                let first = failure.other.as_deref().map(path_of);
                let why = if touched(&failure.path) || first.as_deref().is_some_and(touched) {
                    Some(Blame::ChangedFile)
                } else if touched(&target) {
                    Some(Blame::ChangedTarget)
                } else if side == 1 && pair.builds[0].compiled.contains(&failure.path) {
                    Some(Blame::BrokenByChange)
                } else {
                    None
                };
                if let Some(why) = why {
                    let first = first.as_deref().unwrap_or_default();
                    blamed.push(blame(failure, unit, &target, first, why));
                    continue;
                }
                settled
                    .left_out
                    .entry(index)
                    .or_default()
                    .insert(failure.target.clone());
                let entry = broken
                    .entry(failure.path.clone())
                    .or_insert_with(|| Broken {
                        failure,
                        unit,
                        first: first.clone(),
                        sides: [false; 2],
                        needed_by: BTreeSet::new(),
                    });
                // The new side's failure wins: its lines are the work tree's.
                if side == 1 {
                    (entry.failure, entry.unit, entry.first) = (failure, unit, first);
                }
                entry.sides[side] = true;
                entry.needed_by.insert(target);
            }
        }
    }
    if let Some(first) = first_of(blamed) {
        return Err(first);
    }
    settled.warnings = broken
        .into_iter()
        .filter(|(path, _)| !ignore.iter().any(|prefix| under(path, prefix)))
        .map(|(path, broken)| warning(path, &broken))
        .collect();
    Ok(settled)
}

/// The first error, its help naming the other files that fail too, so that
/// a layout with several problems is not fixed one run at a time.
fn first_of(blamed: Vec<InputError>) -> Option<InputError> {
    let mut blamed = blamed.into_iter();
    let first = blamed.next()?;
    let mut others: Vec<String> = Vec::new();
    for error in blamed {
        if let Some(path) = error.path.filter(|path| Some(path) != first.path.as_ref()) {
            let path = path.display().to_string();
            if !others.contains(&path) {
                others.push(path);
            }
        }
    }
    if others.is_empty() {
        return Some(first);
    }
    let help = format!(
        "{}\nalso failing: {}",
        first.help.clone().unwrap_or_default(),
        others.join(", ")
    );
    Some(first.help(help))
}

/// Why the change is to blame for a failure.
#[derive(Debug, Clone, Copy)]
enum Blame {
    /// The file the error is in (or the first definition of a name it
    /// defines again) is one the change touched.
    ChangedFile,
    /// The file that failed is one the change touched; what it needs is not.
    ChangedTarget,
    /// Nothing it is made of changed, but it compiled on the old side and
    /// fails on the new one, against what changed.
    BrokenByChange,
}

/// A file that does not compile, the change not to blame.
struct Broken<'a> {
    failure: &'a Failure,
    unit: &'a Unit,
    /// The repository path of the first definition of a name it defines again.
    first: Option<String>,
    /// Whether it failed on the old side, on the new side.
    sides: [bool; 2],
    /// The targets left out because of it.
    needed_by: BTreeSet<String>,
}

const NOT_FOUND_HELP: &str = "an import does not resolve: imports resolve inside the file's compilation unit first, \
    then in the other units, `contract.imports` and buf's module cache. Set the include roots with `contract.roots` in \
    trellis.yaml (or a buf.yaml), or add the missing file; a buf.yaml dependency from the Buf Schema Registry is read \
    from buf's module cache once buf has fetched what buf.lock pins (`buf dep update`, or any buf build online), or \
    export it (`buf export buf.build/OWNER/MODULE -o DIR`) and list DIR in `contract.imports`";

/// The error for a failure the change is to blame for, with the setting
/// that fixes the layout when the layout is the cause.
fn blame(failure: &Failure, unit: &Unit, target: &str, first: &str, why: Blame) -> InputError {
    let help = if failure.not_found {
        NOT_FOUND_HELP.to_string()
    } else if failure.other.is_some() {
        collision_help(&failure.path, first, unit)
    } else {
        match why {
            Blame::ChangedFile => "fix the file: the change touches it, and a changed file must compile to be \
                compared. A file that is not a contract (an example, a stale copy) can be left out with `exclude:` \
                in trellis.yaml"
                .to_string(),
            Blame::ChangedTarget => format!(
                "{target} is part of the change and needs {}, which does not compile: fix that file, or leave it out \
                 with `exclude:` in trellis.yaml",
                failure.path
            ),
            Blame::BrokenByChange => "the file did not change and compiled on the old side, but does not compile \
                against the changed files it imports: the change removed or renamed something it uses"
                .to_string(),
        }
    };
    failure.error.clone().help(help)
}

/// For a name defined twice: the settings that keep the two files apart.
fn collision_help(path: &str, first: &str, unit: &Unit) -> String {
    match unit.kind {
        UnitKind::Workspace => format!(
            "{path} and {first} define the same name, and buf builds a workspace as one image (so does trellis): \
             remove the copy, or leave it out of its module with `excludes` in buf.yaml (or `exclude:` in trellis.yaml)"
        ),
        UnitKind::Configured => format!(
            "{path} and {first} define the same name, and `contract.roots` compiles every root as one unit: remove \
             `contract.roots` from trellis.yaml so that each service and include root is compiled apart, or leave the \
             copy out with `exclude:` in trellis.yaml",
        ),
        UnitKind::Shared | UnitKind::Private | UnitKind::Imports => format!(
            "{path} and {first} define the same name in one compilation unit ({}). trellis compiles each service (a go.mod or \
             Cargo.toml, or `services:` in trellis.yaml), each `contracts.owners` directory, each owner of an \
             `internal/` directory and each include root apart: list one file's directory under `contracts.owners` in \
             trellis.yaml to compile it on its own, or leave the copy out with `exclude:` in trellis.yaml",
            unit.key.describe()
        ),
    }
}

fn warning(path: String, broken: &Broken<'_>) -> NotCompiled {
    let others: Vec<&str> = broken
        .needed_by
        .iter()
        .map(String::as_str)
        .filter(|target| *target != path)
        .collect();
    let left_out = match others.len() {
        0 => "it was not compared".to_string(),
        _ => format!("not compared: {}", others.join(", ")),
    };
    let reason = &broken.failure.reason;
    let sides = match broken.sides {
        [true, true] => "on both sides",
        [true, false] => "on the old side",
        _ => "on the new side",
    };
    let message = match broken.failure.not_found {
        true => format!("{path}: {reason} {sides}; the change is not to blame, so {left_out}"),
        false => format!(
            "{path} does not compile {sides} ({reason}); the change is not to blame, so {left_out}"
        ),
    };
    let help = match (&broken.first, broken.failure.not_found) {
        (Some(first), _) => collision_help(&path, first, broken.unit),
        (None, true) => NOT_FOUND_HELP.to_string(),
        (None, false) => "fix the file, or leave it out with `exclude:` in trellis.yaml if it is not a contract (an example, a stale copy)"
            .to_string(),
    };
    NotCompiled {
        line: broken.failure.error.line,
        column: broken.failure.error.column,
        path,
        message,
        help,
        other: broken.first.clone(),
    }
}

/// Files the comparison did not compile: unchanged, and neither importing
/// nor imported by nor sharing a package with a changed file. Compiling them
/// would cost what comparing the whole tree costs, so they are parsed and
/// their imports resolved, on the new side (the old side has the same
/// text): a file broken there is a warning too, not a silent pass. A name
/// it uses that is defined nowhere is found only by compiling; that is left
/// to the comparison that touches the file.
pub(crate) fn untouched(
    sets: [&ProtoSet; 2],
    new: &SideSource,
    headers: &std::collections::HashMap<String, super::source::Header>,
    compiled: &BTreeSet<&String>,
    ignore: &[String],
    cache: Option<&super::parsed::ParseCache>,
) -> Vec<NotCompiled> {
    use protox::file::FileResolver;
    use rayon::prelude::*;
    let well_known = protox::file::GoogleFileResolver::new();
    let mut candidates = Vec::new();
    for (index, unit) in new.units.units.iter().enumerate() {
        for (name, path) in &unit.layout.names {
            let unchanged =
                sets[0].files.get(path).map(|f| f.id) == sets[1].files.get(path).map(|f| f.id);
            if unchanged
                && !compiled.contains(path)
                && !ignore.iter().any(|prefix| under(path, prefix))
            {
                candidates.push((index, name, path));
            }
        }
    }
    let from_cache = std::sync::atomic::AtomicUsize::new(0);
    let warnings = candidates
        .par_iter()
        .filter_map(|&(unit, name, path)| {
            let text = new.text(path)?;
            let header = headers.get(path)?;
            let blob = sets[1]
                .files
                .get(path)
                .map_or(git2::Oid::ZERO_SHA1, |f| f.id);
            let known = cache.is_some_and(|cache| cache.parses(blob));
            if known {
                from_cache.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            // protox cannot read editions yet: such a file is not broken, only unread.
            let parsed = match known || header.edition.is_some() {
                true => Ok(()),
                false => protox_parse::parse(name, text).map(|_| ()),
            };
            if let Err(error) = parsed {
                let (line, column) = error
                    .span()
                    .map(|span| super::compile::line_column(text, span.start))
                    .unzip();
                return Some(untouched_warning(
                    path,
                    line,
                    column,
                    error.to_string(),
                    false,
                ));
            }
            if let Some(cache) = cache.filter(|_| !known && header.edition.is_none()) {
                cache.parsed(blob);
            }
            let missing = header.imports.iter().find(|import| {
                new.open(unit, import).is_none() && well_known.open_file(import).is_err()
            })?;
            let line = text
                .lines()
                .position(|line| line.contains(&format!("\"{missing}\"")))
                .map(|index| index as u32 + 1);
            let reason = format!("import '{missing}' not found");
            Some(untouched_warning(path, line, line.map(|_| 1), reason, true))
        })
        .collect();
    log::info!(
        "contract: {} untouched files checked, {} of them known to parse from earlier runs",
        candidates.len(),
        from_cache.into_inner()
    );
    warnings
}

fn untouched_warning(
    path: &str,
    line: Option<u32>,
    column: Option<u32>,
    reason: String,
    not_found: bool,
) -> NotCompiled {
    let help = match not_found {
        true => NOT_FOUND_HELP.to_string(),
        false => "fix the file, or leave it out with `exclude:` in trellis.yaml if it is not a contract (an example, a stale copy)"
            .to_string(),
    };
    NotCompiled {
        path: path.to_string(),
        line,
        column,
        message: format!(
            "{path} does not compile on either side ({reason}); the change does not touch it, so nothing that needs it was compared"
        ),
        help,
        other: None,
    }
}
