//! Compilation units: each side is compiled as several protobuf namespaces,
//! not one. Services keep private protos that share a package and a name
//! (every Kratos service has its own `internal/conf/conf.proto` in package
//! `kratos.api`), and copies of one proto live in several directories; in
//! one namespace those are "already defined", though no build ever compiles
//! them together.
//!
//! A unit is a directory: a service's root, the owner of an `internal/`
//! directory (Go's visibility rule: nothing outside may use what is under
//! it), a `contracts.owners` directory, `contracts.root`, or an include
//! root; a file belongs to the deepest of those that holds it. A buf
//! workspace or configured `contract.roots` are one unit, as buf builds a
//! workspace as one image.

mod merge;

use super::source::{
    Header, Layout, ProtoSet, RootPlan, name_files, root_of, root_plans, scan_header,
};
use crate::error::InputError;
use crate::repo::Repo;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Which unit a file belongs to, the same on both sides of a comparison.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum UnitKey {
    /// The unit of a directory ("" for the repository root).
    Dir(String),
    /// Files imported from outside the side (the well-known types,
    /// `contract.imports`), compared when the set of them changes.
    Imports,
}

impl UnitKey {
    /// How messages name the unit.
    pub(crate) fn describe(&self) -> String {
        match self {
            UnitKey::Dir(dir) if dir.is_empty() => "the repository root".to_string(),
            UnitKey::Dir(dir) => format!("`{dir}`"),
            UnitKey::Imports => "the imported files".to_string(),
        }
    }
}

/// Why a unit exists; it decides what fixes a layout that does not compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnitKind {
    /// buf.yaml / buf.work.yaml modules: one image, as buf builds it.
    Workspace,
    /// `contract.roots` from trellis.yaml.
    Configured,
    /// A directory shared by services: `contracts.root`, an include root,
    /// or the repository root.
    Shared,
    /// A service, a `contracts.owners` directory, or the owner of `internal/`.
    Private,
    Imports,
}

#[derive(Debug, Clone)]
pub(crate) struct Unit {
    pub(crate) key: UnitKey,
    pub(crate) kind: UnitKind,
    pub(crate) layout: Layout,
}

/// The directories that bound units, from the repository model and its
/// configuration. Shared ones are searched before private ones when an
/// import is not found inside the importer's unit.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scopes {
    private: BTreeSet<String>,
    shared: BTreeSet<String>,
}

impl Scopes {
    pub(crate) fn from_repo(repo: &Repo) -> Scopes {
        let clean = |dir: &str| dir.trim_start_matches("./").trim_matches('/').to_string();
        let mut scopes = Scopes::default();
        let private = repo
            .services
            .iter()
            .map(|service| service.root.as_str())
            .chain(repo.config.contracts.owners.keys().map(String::as_str));
        scopes.private.extend(private.map(clean));
        scopes.shared.insert(clean(&repo.config.contracts.root));
        scopes.private.remove("");
        scopes.shared.remove("");
        scopes
    }

    /// The deepest scope holding `path` ("" when none), and whether it is private.
    fn of<'p>(&self, path: &'p str) -> (&'p str, bool) {
        let internal = internal_owner(path);
        let mut dir = path;
        while let Some((parent, _)) = dir.rsplit_once('/') {
            dir = parent;
            if internal == Some(dir) || self.private.contains(dir) {
                return (dir, true);
            }
            if self.shared.contains(dir) {
                return (dir, false);
            }
        }
        ("", false)
    }
}

/// The directory that holds the deepest `internal` directory on `path`.
fn internal_owner(path: &str) -> Option<&str> {
    let (dir, _) = path.rsplit_once('/')?;
    let mut owner = None;
    let mut offset = 0usize;
    for part in dir.split('/') {
        if part == "internal" {
            owner = Some(&dir[..offset.saturating_sub(1)]);
        }
        offset += part.len() + 1;
    }
    owner
}

/// The units of one side, and which of them hold each import name.
#[derive(Debug, Clone, Default)]
pub(crate) struct SideUnits {
    pub(crate) units: Vec<Unit>,
    /// Import name -> the units that have a file by that name, shared units first.
    holders: HashMap<String, Vec<usize>>,
}

/// Both sides split into units, and which unit of one side is compared
/// with which of the other.
#[derive(Debug)]
pub(crate) struct Partition {
    pub(crate) sides: [SideUnits; 2],
    /// Unit `i` of one side is compared with unit `i` of the other (an
    /// empty unit where a side has none); the imports units are the last.
    pub(crate) pairs: Vec<UnitPair>,
    /// Per side, repository path -> the file's package and imports.
    pub(crate) headers: [HashMap<String, Header>; 2],
}

#[derive(Debug, Clone)]
pub(crate) struct UnitPair {
    /// The new side's key (the old side's for a unit the new side lacks).
    pub(crate) key: UnitKey,
    /// Unit index on the old side, on the new side.
    pub(crate) units: [usize; 2],
}

impl Partition {
    /// Splits the sides into units, pairs them, and merges paired units
    /// that import each other where that changes no result (see `merge`).
    pub(crate) fn new(
        sets: [&ProtoSet; 2],
        configured: &[String],
        scopes: &Scopes,
    ) -> Result<Partition, InputError> {
        let (old_headers, new_headers) = rayon::join(|| headers(sets[0]), || headers(sets[1]));
        let headers = [old_headers, new_headers];
        let [old, new] = split(sets, configured, scopes)?;
        let (old, new, pairs) = pair_up(old, new);
        let sides = [SideUnits::new(old), SideUnits::new(new)];
        let groups = merge::groups(&sides, &pairs, &headers);
        let [old, new] = sides;
        let sides = [
            old.merged(&groups, &pairs, 0),
            new.merged(&groups, &pairs, 1),
        ];
        let mut pairs: Vec<UnitPair> = (0..groups.len())
            .map(|index| UnitPair {
                key: sides[1].units[index].key.clone(),
                units: [index, index],
            })
            .collect();
        pairs.push(UnitPair {
            key: UnitKey::Imports,
            units: [sides[0].imports(), sides[1].imports()],
        });
        Ok(Partition {
            sides,
            pairs,
            headers,
        })
    }
}

/// Reads the headers (package, imports) of every file of a side, by path;
/// a file whose blob git lacks has none.
fn headers(set: &ProtoSet) -> HashMap<String, Header> {
    set.files
        .par_iter()
        .filter_map(|(path, file)| Some((path.clone(), scan_header(file.text.as_deref()?))))
        .collect()
}

/// The units of each side. A side with a buf workspace or configured roots
/// is one namespace, and then so is the other: a repository that adds or
/// drops its buf.yaml keeps its files paired, as before units.
fn split(
    sets: [&ProtoSet; 2],
    configured: &[String],
    scopes: &Scopes,
) -> Result<[Vec<Unit>; 2], InputError> {
    let plans = root_plans(sets, configured)?;
    if plans.iter().any(|plan| plan.explicit) {
        let kind = match configured.is_empty() {
            true => UnitKind::Workspace,
            false => UnitKind::Configured,
        };
        let side = |side: usize| -> Result<Vec<Unit>, InputError> {
            let (set, plan) = (sets[side], &plans[side]);
            Ok(vec![Unit {
                key: UnitKey::Dir(String::new()),
                kind,
                layout: name_files(set, plan, set.files.keys())?,
            }])
        };
        return Ok([side(0)?, side(1)?]);
    }
    let new_keys = unit_keys(sets[1], &plans[1], scopes);
    let mut old_keys = unit_keys(sets[0], &plans[0], scopes);
    // The include roots are inferred per side and may differ; a file that
    // stays at its path stays in its unit (the new side's), so only files
    // that move change units.
    for (path, key) in old_keys.iter_mut() {
        if let Some(new_key) = new_keys.get(path) {
            key.clone_from(new_key);
        }
    }
    Ok([
        group(sets[0], &plans[0], old_keys)?,
        group(sets[1], &plans[1], new_keys)?,
    ])
}

/// Pairs the units of the sides, adding an empty unit where a side has
/// none, so that files imported from outside can be compared in it.
fn pair_up(mut old: Vec<Unit>, mut new: Vec<Unit>) -> (Vec<Unit>, Vec<Unit>, Vec<[usize; 2]>) {
    let counterpart = |unit: &Unit| Unit {
        key: unit.key.clone(),
        kind: unit.kind,
        layout: Layout::default(),
    };
    let mut pairs = Vec::new();
    for matched in match_units(&old, &new) {
        pairs.push(match matched {
            [Some(o), Some(n)] => [o, n],
            [Some(o), None] => {
                new.push(counterpart(&old[o]));
                [o, new.len() - 1]
            }
            [None, Some(n)] => {
                old.push(counterpart(&new[n]));
                [old.len() - 1, n]
            }
            [None, None] => continue,
        });
    }
    (old, new, pairs)
}

/// Units of the same directory are compared with each other. A unit whose
/// directory moved keeps its import names (buf pairs files by the path
/// inside their module): a unit left over on the old side is compared with
/// the left-over new unit that holds most of its names. The rest is
/// compared with nothing.
fn match_units(old: &[Unit], new: &[Unit]) -> Vec<[Option<usize>; 2]> {
    let by_key: HashMap<&UnitKey, usize> = new
        .iter()
        .enumerate()
        .map(|(index, unit)| (&unit.key, index))
        .collect();
    let mut taken = vec![false; new.len()];
    let mut matched = Vec::new();
    let mut left = Vec::new();
    for (index, unit) in old.iter().enumerate() {
        match by_key.get(&unit.key) {
            Some(&other) => {
                taken[other] = true;
                matched.push([Some(index), Some(other)]);
            }
            None => left.push(index),
        }
    }
    for index in left {
        let names = &old[index].layout.names;
        let best = (0..new.len())
            .filter(|other| !taken[*other])
            .map(|other| {
                let shared = new[other]
                    .layout
                    .names
                    .keys()
                    .filter(|name| names.contains_key(*name))
                    .count();
                (shared, std::cmp::Reverse(other))
            })
            .filter(|(shared, _)| *shared > 0)
            .max();
        match best {
            Some((_, std::cmp::Reverse(other))) => {
                taken[other] = true;
                matched.push([Some(index), Some(other)]);
            }
            None => matched.push([Some(index), None]),
        }
    }
    for (other, taken) in taken.into_iter().enumerate() {
        if !taken {
            matched.push([None, Some(other)]);
        }
    }
    matched
}

impl SideUnits {
    /// The index of the imports unit (always the last).
    pub(crate) fn imports(&self) -> usize {
        self.units.len() - 1
    }

    /// One unit per group of pairs (`pairs[i][side]` are this side's
    /// units), names and paths together; the imports unit stays last. The
    /// order in which units hold a name is kept, so an import outside a
    /// group still resolves where it did.
    fn merged(self, groups: &[Vec<usize>], pairs: &[[usize; 2]], side: usize) -> SideUnits {
        let mut index_of = vec![0; self.units.len()];
        let mut slots: Vec<Option<Unit>> = self.units.into_iter().map(Some).collect();
        let mut units = Vec::new();
        for (index, members) in groups.iter().enumerate() {
            let mut merged: Option<Unit> = None;
            for &pair in members {
                let at = pairs[pair][side];
                index_of[at] = index;
                let Some(unit) = slots[at].take() else {
                    continue;
                };
                match &mut merged {
                    None => merged = Some(unit),
                    Some(merged) => {
                        merged.layout.names.extend(unit.layout.names);
                        merged.layout.paths.extend(unit.layout.paths);
                    }
                }
            }
            units.extend(merged);
        }
        let imports = slots.len() - 1;
        index_of[imports] = units.len();
        units.extend(slots[imports].take());
        let holders = self
            .holders
            .into_iter()
            .map(|(name, held)| {
                let mut merged: Vec<usize> = Vec::new();
                for unit in held.into_iter().map(|unit| index_of[unit]) {
                    if !merged.contains(&unit) {
                        merged.push(unit);
                    }
                }
                (name, merged)
            })
            .collect();
        SideUnits { units, holders }
    }

    fn new(mut units: Vec<Unit>) -> SideUnits {
        units.push(Unit {
            key: UnitKey::Imports,
            kind: UnitKind::Imports,
            layout: Layout::default(),
        });
        let mut holders: HashMap<String, Vec<usize>> = HashMap::new();
        let mut order: Vec<usize> = (0..units.len()).collect();
        order.sort_by_key(|&index| units[index].kind == UnitKind::Private);
        for index in order {
            for name in units[index].layout.names.keys() {
                holders.entry(name.clone()).or_default().push(index);
            }
        }
        SideUnits { units, holders }
    }

    /// Where an import of a file in `unit` resolves: inside the unit, else
    /// in the first other unit that has the name (shared units first).
    pub(crate) fn resolve(&self, unit: usize, name: &str) -> Option<(usize, &String)> {
        if let Some(path) = self.units[unit].layout.names.get(name) {
            return Some((unit, path));
        }
        let holder = *self.holders.get(name)?.first()?;
        Some((holder, &self.units[holder].layout.names[name]))
    }

    /// Every file of the side, over all units.
    pub(crate) fn file_count(&self) -> usize {
        self.units.iter().map(|unit| unit.layout.names.len()).sum()
    }
}

/// Without configuration: each file goes to the deeper of its include root
/// and its scope. A file under no include root (named by its repository
/// path, and nothing imports it by a shorter one) goes to its directory, as
/// protoc compiles a directory at a time (one Go package per directory).
/// Path -> (unit directory, whether a private scope holds the file).
fn unit_keys<'s>(
    set: &'s ProtoSet,
    plan: &RootPlan,
    scopes: &Scopes,
) -> BTreeMap<&'s String, (String, bool)> {
    set.files
        .keys()
        .map(|path| {
            let (scope, private) = scopes.of(path);
            let key = match root_of(&plan.roots, path) {
                Some(root) if root.len() > scope.len() => root.as_str(),
                Some(_) => scope,
                None => path.rsplit_once('/').map_or("", |(dir, _)| dir),
            };
            (path, (key.to_string(), private))
        })
        .collect()
}

/// The units of `keys`, with import names relative to the include roots,
/// so a single-unit side names its files exactly as one namespace would.
fn group(
    set: &ProtoSet,
    plan: &RootPlan,
    keys: BTreeMap<&String, (String, bool)>,
) -> Result<Vec<Unit>, InputError> {
    let mut groups: BTreeMap<String, (bool, Vec<&String>)> = BTreeMap::new();
    for (path, (key, private)) in keys {
        let group = groups.entry(key).or_default();
        group.0 |= private;
        group.1.push(path);
    }
    groups
        .into_iter()
        .map(|(key, (private, paths))| {
            Ok(Unit {
                key: UnitKey::Dir(key),
                kind: match private {
                    true => UnitKind::Private,
                    false => UnitKind::Shared,
                },
                layout: name_files(set, plan, paths.into_iter())?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(files: &[(&str, &str)]) -> ProtoSet {
        ProtoSet::from_texts("test", files)
    }

    fn index_of(units: &SideUnits, key: &str) -> usize {
        let key = UnitKey::Dir(key.to_string());
        units.units.iter().position(|unit| unit.key == key).unwrap()
    }

    fn keys(units: &SideUnits) -> Vec<(String, Vec<String>)> {
        units
            .units
            .iter()
            .filter_map(|unit| match &unit.key {
                UnitKey::Dir(dir) => {
                    Some((dir.clone(), unit.layout.names.keys().cloned().collect()))
                }
                UnitKey::Imports => None,
            })
            .collect()
    }

    #[test]
    fn internal_directories_belong_to_their_parent() {
        assert_eq!(
            internal_owner("app/cart/service/internal/conf/conf.proto"),
            Some("app/cart/service")
        );
        assert_eq!(internal_owner("internal/conf/conf.proto"), Some(""));
        assert_eq!(
            internal_owner("a/internal/b/internal/c.proto"),
            Some("a/internal/b")
        );
        assert_eq!(internal_owner("a/internals/c.proto"), None);
        assert_eq!(internal_owner("api/v1/a.proto"), None);
    }

    #[test]
    fn private_protos_of_services_and_copies_under_roots_get_their_own_units() {
        let conf = "syntax = \"proto3\";\npackage kratos.api;\nmessage Bootstrap {}\n";
        let set = set(&[
            ("api/cart/v1/cart.proto", "package cart.v1;\n"),
            ("app/cart/internal/conf/conf.proto", conf),
            ("app/order/internal/conf/conf.proto", conf),
            (
                "ch1/idl/echo.proto",
                "package echo;\nimport \"api.proto\";\n",
            ),
            ("ch1/idl/api.proto", "package api;\n"),
            (
                "ch2/idl/echo.proto",
                "package echo;\nimport \"api.proto\";\n",
            ),
            ("ch2/idl/api.proto", "package api;\n"),
        ]);
        let [units, _] = Partition::new([&set, &set], &[], &Scopes::default())
            .unwrap()
            .sides;
        assert_eq!(
            keys(&units),
            vec![
                ("api".to_string(), vec!["cart/v1/cart.proto".to_string()]),
                (
                    "app/cart/internal/conf".to_string(),
                    vec!["app/cart/internal/conf/conf.proto".to_string()]
                ),
                (
                    "app/order/internal/conf".to_string(),
                    vec!["app/order/internal/conf/conf.proto".to_string()]
                ),
                (
                    "ch1/idl".to_string(),
                    vec!["api.proto".to_string(), "echo.proto".to_string()]
                ),
                (
                    "ch2/idl".to_string(),
                    vec!["api.proto".to_string(), "echo.proto".to_string()]
                ),
            ]
        );
        let ch2 = index_of(&units, "ch2/idl");
        assert_eq!(
            units.resolve(ch2, "api.proto"),
            Some((ch2, &"ch2/idl/api.proto".to_string()))
        );
        let cart = index_of(&units, "app/cart/internal/conf");
        let api = index_of(&units, "api");
        assert_eq!(
            units.resolve(cart, "cart/v1/cart.proto").map(|(u, _)| u),
            Some(api)
        );
    }

    #[test]
    fn services_and_internal_owners_split_the_repository_root() {
        // `errors/errors.proto` sits at its package's path: the root is an include root.
        let conf = "package kratos.api;\nmessage Bootstrap {}\n";
        let set = set(&[
            ("errors/errors.proto", "package errors;\n"),
            ("app/cart/internal/conf/conf.proto", conf),
            ("svc/billing/conf/conf.proto", conf),
            ("svc/ledger/conf/conf.proto", conf),
        ]);
        let scopes = Scopes {
            private: ["svc/billing".to_string(), "svc/ledger".to_string()].into(),
            shared: BTreeSet::new(),
        };
        let [units, _] = Partition::new([&set, &set], &[], &scopes).unwrap().sides;
        let keys: Vec<String> = keys(&units).into_iter().map(|(key, _)| key).collect();
        assert_eq!(keys, vec!["", "app/cart", "svc/billing", "svc/ledger"]);
        assert_eq!(units.units[1].kind, UnitKind::Private);
        assert_eq!(units.units[0].kind, UnitKind::Shared);
    }

    #[test]
    fn a_buf_workspace_is_one_unit_on_both_sides() {
        let mut set = set(&[
            ("proto/a/internal/x.proto", "package x;\n"),
            ("proto/b/internal/x.proto", "package x;\n"),
        ]);
        let inferred = set.clone();
        set.buf_yaml = Some("version: v2\n".into());
        // The other side has no buf.yaml: it is one namespace too, so its files stay paired.
        for units in Partition::new([&inferred, &set], &[], &Scopes::default())
            .unwrap()
            .sides
        {
            assert_eq!(units.units.len(), 2);
            assert_eq!(units.units[0].kind, UnitKind::Workspace);
            assert_eq!(units.units[0].layout.names.len(), 2);
        }
    }

    #[test]
    fn a_moved_directory_is_paired_by_its_import_names_and_a_moved_file_is_not() {
        let old = set(&[
            ("idl/api.proto", "package api;\n"),
            ("idl/echo.proto", "package echo;\nimport \"api.proto\";\n"),
            ("a/x.proto", "package one;\n"),
            ("b/y.proto", "package two;\n"),
        ]);
        let new = set(&[
            ("gomall/idl/api.proto", "package api;\n"),
            (
                "gomall/idl/echo.proto",
                "package echo;\nimport \"api.proto\";\n",
            ),
            ("a/x.proto", "package one;\n"),
            ("c/y.proto", "package two;\n"),
        ]);
        let partition = Partition::new([&old, &new], &[], &Scopes::default()).unwrap();
        let pairs: Vec<(String, String)> = partition
            .pairs
            .iter()
            .map(|pair| {
                let key = |side: usize| match &partition.sides[side].units[pair.units[side]] {
                    unit if unit.layout.names.is_empty() => "-".to_string(),
                    Unit {
                        key: UnitKey::Dir(dir),
                        ..
                    } => dir.clone(),
                    Unit {
                        key: UnitKey::Imports,
                        ..
                    } => "imports".to_string(),
                };
                (key(0), key(1))
            })
            .collect();
        // Files under no include root are units of their directory: b/y.proto
        // moved to c/ is deleted from one unit and added to another.
        let expected = [
            ("a", "a"),
            ("b", "-"),
            ("idl", "gomall/idl"),
            ("-", "c"),
            ("-", "-"),
        ];
        assert_eq!(
            pairs,
            expected.map(|(old, new)| (old.to_string(), new.to_string()))
        );
    }

    #[test]
    fn units_that_import_each_other_compile_together_unless_they_could_clash() {
        // svc/a/a.proto sits at its package's path: the root is an include root.
        let set = set(&[
            (
                "svc/a/a.proto",
                "package svc.a;\nimport \"svc/b/b.proto\";\n",
            ),
            ("svc/b/b.proto", "package svc.b;\n"),
            (
                "svc/c/conf.proto",
                "package kratos.api;\nimport \"svc/b/b.proto\";\n",
            ),
            (
                "svc/d/conf.proto",
                "package kratos.api;\nimport \"svc/b/b.proto\";\n",
            ),
        ]);
        let scopes = Scopes {
            private: ["svc/a", "svc/b", "svc/c", "svc/d"]
                .map(String::from)
                .into(),
            shared: BTreeSet::new(),
        };
        let [units, _] = Partition::new([&set, &set], &[], &scopes).unwrap().sides;
        // svc/d shares a package with svc/c, already merged: it stays apart.
        assert_eq!(
            keys(&units),
            vec![
                (
                    "svc/a".to_string(),
                    ["svc/a/a.proto", "svc/b/b.proto", "svc/c/conf.proto"]
                        .map(String::from)
                        .to_vec()
                ),
                ("svc/d".to_string(), vec!["svc/d/conf.proto".to_string()]),
            ]
        );
        let d = index_of(&units, "svc/d");
        assert_eq!(
            units.resolve(d, "svc/b/b.proto").map(|(unit, _)| unit),
            Some(0)
        );
    }
}
