//! Whether a side read from git has every blob the comparison needs. A
//! history may lack objects (a partial clone, a mirror without large
//! blobs); such a file is an error only when the comparison compiles it or
//! one of the files it compiles imports it, and then the error names the
//! side, the file and what needs it. Every other file git lacks is left
//! out of the comparison on both sides (it is unchanged, so both sides lose
//! the same definitions), and `-v` says so.

use super::source::{Header, ProtoSet};
use super::units::SideUnits;
use crate::error::InputError;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One compilation of a side: the unit and the import names it compiles.
pub(crate) struct Wanted<'a> {
    pub(crate) unit: usize,
    pub(crate) targets: &'a BTreeSet<String>,
}

/// One side of the comparison, as the check reads it.
pub(crate) struct Side<'a> {
    pub(crate) set: &'a ProtoSet,
    /// The other side, to tell a changed file from an unchanged one.
    pub(crate) other: &'a ProtoSet,
    pub(crate) units: &'a SideUnits,
    pub(crate) headers: &'a HashMap<String, Header>,
}

/// `Err` for the first file of the side that git lacks and `wanted` needs:
/// a target, a file a target imports (transitively), or, when PACKAGE
/// rules run (`packages`), a file in the directory of a compared package,
/// whose package cannot be read (a package's files share a directory, as
/// buf's PACKAGE_DIRECTORY_MATCH asks, and PACKAGE rules compare all of them).
pub(crate) fn check(
    side: &Side<'_>,
    wanted: &[Wanted<'_>],
    packages: bool,
) -> Result<(), InputError> {
    let set = side.set;
    if set.unreadable.is_empty() {
        return Ok(());
    }
    let mut needed: BTreeSet<&String> = BTreeSet::new();
    for want in wanted {
        let layout = &side.units.units[want.unit].layout;
        // Imports resolve from the compiled unit: walked once per unit.
        let mut seen: BTreeSet<&String> = BTreeSet::new();
        // (repository path, the compiled file that imports it)
        let mut stack: Vec<(&String, Option<&String>)> = want
            .targets
            .iter()
            .filter_map(|name| Some((layout.names.get(name)?, None)))
            .collect();
        while let Some((path, by)) = stack.pop() {
            if !seen.insert(path) {
                continue;
            }
            needed.insert(path);
            if set.unreadable.contains_key(path) {
                return Err(set.unreadable_error(path, &why(side, path, by)));
            }
            let imports = side.headers.get(path).map(|h| h.imports.iter());
            for import in imports.into_iter().flatten() {
                if let Some((_, found)) = side.units.resolve(want.unit, import) {
                    stack.push((found, Some(path)));
                }
            }
        }
        if packages {
            package_directories(side, want, layout)?;
        }
    }
    let skipped: Vec<&String> = set
        .unreadable
        .keys()
        .filter(|path| !needed.contains(path))
        .collect();
    if skipped.is_empty() {
        return Ok(());
    }
    let files = match skipped.len() {
        1 => "1 unchanged file".to_string(),
        n => format!("{n} unchanged files"),
    };
    log::info!(
        "contract: {}: git lacks the blobs of {files} the comparison does not compile ({}); whether one imports a changed file cannot be read, so they are not compared",
        set.label,
        list(&skipped)
    );
    Ok(())
}

fn package_directories(
    side: &Side<'_>,
    want: &Wanted<'_>,
    layout: &super::source::Layout,
) -> Result<(), InputError> {
    let mut packages: BTreeMap<&str, &str> = BTreeMap::new();
    for name in want.targets {
        let Some(path) = layout.names.get(name) else {
            continue;
        };
        if let Some(package) = side.headers.get(path).and_then(|h| h.package.as_deref()) {
            packages.insert(directory(path), package);
        }
    }
    for path in layout.names.values() {
        if !side.set.unreadable.contains_key(path) {
            continue;
        }
        if let Some(package) = packages.get(directory(path)) {
            let why = format!(
                "PACKAGE rules compare every file of package `{package}`, and this file is in its directory; without its text trellis cannot tell whether it belongs to the package"
            );
            return Err(side.set.unreadable_error(path, &why));
        }
    }
    Ok(())
}

fn directory(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// What needs a file: the comparison itself (it changed, or it is compared
/// as an importer or package member of a changed file), or a file it compiles.
fn why(side: &Side<'_>, path: &str, by: Option<&String>) -> String {
    match by {
        Some(by) => format!("{by} imports it, and the comparison compiles {by}"),
        None => {
            let id = |set: &ProtoSet| set.files.get(path).map(|file| file.id);
            match id(side.set) != id(side.other) {
                true => "the file changed, so the comparison compiles it".to_string(),
                false => "the comparison compiles it (it imports a changed file or shares a package with one)".to_string(),
            }
        }
    }
}

/// The first few paths, for a log line.
fn list(paths: &[&String]) -> String {
    const SHOWN: usize = 5;
    let mut out: Vec<&str> = paths.iter().take(SHOWN).map(|p| p.as_str()).collect();
    let more = paths.len().saturating_sub(SHOWN);
    let more = format!("and {more} more");
    if paths.len() > SHOWN {
        out.push(&more);
    }
    out.join(", ")
}
