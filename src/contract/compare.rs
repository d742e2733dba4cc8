//! One comparison: which files to compile (only what changed, and what
//! depends on it), the rules over the pair, and buf's ignore semantics.

use super::compile::{ImportFiles, SideSource, UnitBuild, compile_unit};
use super::config::{self, ContractConfig};
use super::failures::{self, NotCompiled};
use super::model::{Loc, Model};
use super::needed;
use super::rules::{self, Hit, Pair, Rule, Side, Sink};
use super::source::{Header, Layout, ProtoSet, under};
use super::units::{Partition, Scopes, SideUnits, UnitKey, UnitPair};
use crate::error::InputError;
use crate::repo::Repo;
use crate::report::{Finding, Report, Severity, Span};
use protox::file::{FileResolver, GoogleFileResolver};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

/// The resolved configuration of one run.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) rules: Vec<&'static Rule>,
    pub(crate) roots: Vec<String>,
    pub(crate) ignore: Vec<String>,
    /// Rule ids -> paths where they do not run.
    pub(crate) ignore_only: Vec<(Vec<&'static str>, Vec<String>)>,
    pub(crate) ignore_unstable_packages: bool,
    pub(crate) field_no_reuse: bool,
    /// Import-only files (`contract.imports`, buf's module cache).
    pub(crate) imports: Arc<ImportFiles>,
    /// The directories that bound compilation units.
    pub(crate) scopes: Scopes,
    /// Parse the files nothing in the change needs, to warn about broken
    /// ones; callers that only want the verdict (score) skip it.
    pub(crate) check_untouched: bool,
    /// Blobs known to parse from earlier runs, for that check.
    pub(crate) parse_cache: Option<Arc<super::parsed::ParseCache>>,
}

impl Settings {
    /// From trellis.yaml's `contract:` section, or the repository's buf.yaml
    /// `breaking:` section when trellis.yaml sets none of its keys.
    pub(crate) fn from_repo(
        repo: &Repo,
        config: &ContractConfig,
        use_override: &[String],
        field_no_reuse: bool,
    ) -> Result<Settings, InputError> {
        let mut contract = config.clone();
        let mut origin = "trellis.yaml (contract)".to_string();
        let buf_dir = super::source::work_tree_buf_dir(repo).unwrap_or_default();
        if contract.says_nothing()
            && let Ok(text) = std::fs::read_to_string(repo.root.join(&buf_dir).join("buf.yaml"))
            && let Some(from_buf) = ContractConfig::from_buf_yaml(&text)?
        {
            contract = ContractConfig {
                roots: contract.roots,
                field_no_reuse: contract.field_no_reuse,
                in_check: contract.in_check,
                imports: contract.imports,
                ..from_buf
            };
            origin = match buf_dir.as_str() {
                "" => "buf.yaml (breaking)".to_string(),
                dir => format!("{dir}/buf.yaml (breaking)"),
            };
        }
        let mut settings = Settings::new(&contract, use_override, field_no_reuse, origin)?;
        let mut imports = import_files(&repo.root, &contract.imports)?;
        // buf.yaml `deps` that buf has fetched, after the configured directories.
        if let Ok(lock) = std::fs::read_to_string(repo.root.join(&buf_dir).join("buf.lock"))
            && let Some(cache) = super::bufcache::cache_dir()
        {
            for pin in super::bufcache::pins(&lock) {
                if let Some(files) = super::bufcache::module_files(&cache, &pin) {
                    add_proto_files(&mut imports, &files, &files.display().to_string())?;
                }
            }
        }
        settings.imports = Arc::new(imports);
        settings.scopes = Scopes::from_repo(repo);
        settings.parse_cache = Some(Arc::new(super::parsed::ParseCache::load(repo)));
        Ok(settings)
    }

    pub(crate) fn new(
        contract: &ContractConfig,
        use_override: &[String],
        field_no_reuse: bool,
        origin: String,
    ) -> Result<Settings, InputError> {
        let use_ = if use_override.is_empty() {
            &contract.use_
        } else {
            use_override
        };
        let rules = config::select(use_, &contract.except, &origin)?;
        let mut ignore_only = Vec::new();
        for (item, paths) in &contract.ignore_only {
            ignore_only.push((config::expand(item, &origin)?, paths.clone()));
        }
        Ok(Settings {
            rules,
            roots: contract.roots.clone(),
            ignore: contract.ignore.clone(),
            ignore_only,
            ignore_unstable_packages: contract.ignore_unstable_packages,
            field_no_reuse: field_no_reuse || contract.field_no_reuse,
            imports: Arc::default(),
            scopes: Scopes::default(),
            check_untouched: true,
            parse_cache: None,
        })
    }

    fn needs_packages(&self) -> bool {
        self.rules.iter().any(|r| r.id.starts_with("PACKAGE_"))
    }
}

/// Reads the .proto files under each `contract.imports` directory, by their
/// path inside it. The first directory that has an import name wins, as with
/// protoc's `-I`.
fn import_files(root: &Path, dirs: &[String]) -> Result<ImportFiles, InputError> {
    let mut files = ImportFiles::new();
    for dir in dirs {
        let base = root.join(dir);
        if !base.is_dir() {
            return Err(InputError::new(format!(
                "contract.imports names `{dir}`, which is not a directory of the work tree"
            ))
            .in_file("trellis.yaml")
            .help(format!(
                "export the dependency there (`buf export buf.build/OWNER/MODULE -o {dir}`), or remove it from contract.imports"
            )));
        }
        add_proto_files(&mut files, &base, dir.trim_end_matches('/'))?;
    }
    Ok(files)
}

/// Adds the .proto files under `base` by their path inside it; `label` is
/// how messages name `base`. Names already present keep their file.
fn add_proto_files(files: &mut ImportFiles, base: &Path, label: &str) -> Result<(), InputError> {
    let mut found = Vec::new();
    proto_files_under(base, &mut found).map_err(|e| {
        InputError::new(format!("cannot read {label}: {e}"))
            .help("check the directory's permissions")
    })?;
    found.sort();
    for path in found {
        let Ok(inside) = path.strip_prefix(base) else {
            continue;
        };
        let name = inside.to_string_lossy().replace('\\', "/");
        let repo_path = format!("{label}/{name}");
        let text = std::fs::read_to_string(&path).map_err(|e| {
            InputError::new(format!("cannot read {repo_path}: {e}"))
                .in_file(&repo_path)
                .help("imported .proto files must be UTF-8")
        })?;
        files.entry(name).or_insert((repo_path, Arc::from(text)));
    }
    Ok(())
}

fn proto_files_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let path = entry.path();
        if kind.is_dir() {
            proto_files_under(&path, out)?;
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "proto") {
            out.push(path);
        }
    }
    Ok(())
}

/// One finding with everything the renderers need, buf-json included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractFinding {
    pub rule: String,
    /// Repository-relative path of the file the location is in.
    pub path: String,
    /// Import name (path relative to its proto root), what buf prints.
    pub(crate) name: String,
    pub(crate) side: Side,
    pub(crate) loc: Option<Loc>,
    pub message: String,
    pub(crate) key: String,
    /// For a deleted file: reported at the old path (buf gives no path at all).
    pub(crate) deleted_file: bool,
    /// buf's location and text where trellis's own formats differ on purpose.
    pub(crate) as_buf: Option<rules::AsBuf>,
    /// Where a deleted element was defined on the old side, for a related location.
    pub(crate) previously: Option<Previously>,
}

/// An old-side definition at its repository path, with the side's label
/// (`old (main@1a2b3c4)`): the path alone would name the work tree's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Previously {
    pub(crate) path: String,
    pub(crate) loc: Option<Loc>,
    pub(crate) side_label: String,
}

/// The outcome of comparing two sides.
#[derive(Debug, Default)]
pub(crate) struct Comparison {
    pub(crate) findings: Vec<ContractFinding>,
    pub(crate) rules: Vec<&'static Rule>,
    pub(crate) old_label: String,
    pub(crate) new_label: String,
    /// Files on each side, files compiled on each side, findings dropped by ignores.
    pub(crate) stats: Vec<(String, String)>,
    /// The compilation units that had something to compare, compiled.
    pub(crate) units: Vec<UnitComparison>,
    /// Files that do not compile and that the change is not to blame for.
    pub(crate) not_compiled: Vec<NotCompiled>,
    /// Texts of the files new-side findings point into, when the new side is
    /// not the work tree (the index, a commit), so snippets show what was compared.
    pub(crate) new_sources: HashMap<String, String>,
}

/// One compilation unit of a comparison, for follow-up checks.
#[derive(Debug)]
pub(crate) struct UnitComparison {
    pub(crate) key: UnitKey,
    /// The compiled old side (only the compared files).
    pub(crate) old_model: Model,
    /// The compiled new side (only the compared files).
    pub(crate) new_model: Model,
    pub(crate) new_layout: Layout,
}

/// Files imported from outside the side (the well-known types,
/// `contract.imports`), with what they import.
fn external_imports(units: &SideUnits, headers: &HashMap<String, Header>) -> BTreeSet<String> {
    let google = GoogleFileResolver::new();
    let outside = units.imports();
    let mut out = BTreeSet::new();
    let mut stack: Vec<String> = Vec::new();
    for (index, unit) in units.units.iter().enumerate() {
        for path in unit.layout.names.values() {
            let imports = headers
                .get(path)
                .map(|h| h.imports.iter())
                .into_iter()
                .flatten();
            stack.extend(
                imports
                    .filter(|import| units.resolve(index, import).is_none())
                    .cloned(),
            );
        }
    }
    while let Some(name) = stack.pop() {
        if !out.insert(name.clone()) {
            continue;
        }
        if let Ok(file) = google.open_file(&name) {
            for dependency in &file.file_descriptor_proto().dependency {
                if units.resolve(outside, dependency).is_none() {
                    stack.push(dependency.clone());
                }
            }
        }
    }
    out
}

/// What one pair of units compiles on each side: unit indices and import names.
#[derive(Debug)]
struct UnitPlan {
    key: UnitKey,
    units: [usize; 2],
    targets: [BTreeSet<String>; 2],
}

/// The two sides of a comparison, split into units and paired.
struct Sides<'a> {
    sets: [&'a ProtoSet; 2],
    sources: [Arc<SideSource>; 2],
    pairs: Vec<UnitPair>,
    /// Per side, unit index -> index of its pair.
    pair_of: [Vec<usize>; 2],
    /// Per side, repository path -> the file's package and imports.
    headers: [HashMap<String, Header>; 2],
}

impl Sides<'_> {
    fn new<'a>(
        sets: [&'a ProtoSet; 2],
        partition: Partition,
        imports: &Arc<ImportFiles>,
    ) -> Sides<'a> {
        let Partition {
            sides: [old, new],
            pairs,
            headers,
        } = partition;
        let mut pair_of = [vec![0; old.units.len()], vec![0; new.units.len()]];
        for (index, pair) in pairs.iter().enumerate() {
            for side in 0..2 {
                pair_of[side][pair.units[side]] = index;
            }
        }
        Sides {
            sets,
            sources: [
                SideSource::new(sets[0], old, imports.clone()),
                SideSource::new(sets[1], new, imports.clone()),
            ],
            pairs,
            pair_of,
            headers,
        }
    }

    fn layout(&self, side: usize, unit: usize) -> &Layout {
        &self.sources[side].units.units[unit].layout
    }

    fn blob(&self, side: usize, unit: usize, name: &str) -> Option<git2::Oid> {
        let path = self.layout(side, unit).names.get(name)?;
        self.sets[side].files.get(path).map(|file| file.id)
    }
}

/// Per pair of units, the files whose content differs between the sides,
/// appeared or disappeared.
fn changed_names(sides: &Sides<'_>) -> Vec<BTreeSet<String>> {
    sides
        .pairs
        .iter()
        .map(|pair| {
            let [old, new] = pair.units;
            let mut changed = BTreeSet::new();
            for name in sides.layout(1, new).names.keys() {
                if sides.blob(0, old, name) != sides.blob(1, new, name) {
                    changed.insert(name.clone());
                }
            }
            let new_names = &sides.layout(1, new).names;
            for name in sides.layout(0, old).names.keys() {
                if !new_names.contains_key(name) {
                    changed.insert(name.clone());
                }
            }
            changed
        })
        .collect()
}

/// Which files each unit compiles: the changed ones, the files that import
/// one (they see a changed type through their fields and RPCs), the other
/// files of a touched package when a PACKAGE rule runs, and the imported
/// well-known types when the set of them changed (buf compares them too).
fn plan(sides: &Sides<'_>, settings: &Settings, paths: &[String]) -> (Vec<UnitPlan>, usize) {
    let changed = changed_names(sides);
    let count = changed.iter().map(BTreeSet::len).sum();
    let mut targets = changed.clone();
    let mut external: [Vec<BTreeSet<String>>; 2] = [
        vec![BTreeSet::new(); sides.pairs.len()],
        vec![BTreeSet::new(); sides.pairs.len()],
    ];
    if count > 0 {
        let headers = &sides.headers;
        for (side, headers) in headers.iter().enumerate() {
            add_importers(sides, side, &changed, headers, &mut targets);
        }
        if settings.needs_packages() {
            for (pair, unit) in sides.pairs.iter().enumerate() {
                add_package_files(sides, &unit.units, headers, &mut targets[pair]);
            }
        }
        let imports = [
            external_imports(&sides.sources[0].units, &headers[0]),
            external_imports(&sides.sources[1].units, &headers[1]),
        ];
        if imports[0] != imports[1] {
            external = place_external(sides, imports);
        }
    }
    let plans = sides
        .pairs
        .iter()
        .zip(targets)
        .enumerate()
        .filter_map(|(index, (pair, mut targets))| {
            if !paths.is_empty() {
                targets.retain(|name| {
                    let path = [1, 0]
                        .into_iter()
                        .find_map(|side| sides.layout(side, pair.units[side]).names.get(name))
                        .map_or(name.as_str(), String::as_str);
                    paths
                        .iter()
                        .any(|prefix| under(path, prefix) || under(name, prefix))
                });
            }
            let mut on_side = |side: usize| -> BTreeSet<String> {
                let names = &sides.layout(side, pair.units[side]).names;
                let mut own: BTreeSet<String> = targets
                    .iter()
                    .filter(|name| names.contains_key(*name))
                    .cloned()
                    .collect();
                own.append(&mut external[side][index]);
                own
            };
            let targets = [on_side(0), on_side(1)];
            (targets.iter().any(|t| !t.is_empty())).then(|| UnitPlan {
                key: pair.key.clone(),
                units: pair.units,
                targets,
            })
        })
        .collect();
    (plans, count)
}

/// Where each side's files imported from outside are compared: in the unit
/// where the other side has a file by that name (a well-known type that is
/// vendored on one side only), else among the imports. Per side, by pair.
fn place_external(sides: &Sides<'_>, imports: [BTreeSet<String>; 2]) -> [Vec<BTreeSet<String>>; 2] {
    let pairs = sides.pairs.len();
    let mut placed = [vec![BTreeSet::new(); pairs], vec![BTreeSet::new(); pairs]];
    for (side, names) in imports.into_iter().enumerate() {
        let other = &sides.sources[1 - side].units;
        let outside = other.imports();
        for name in names {
            let unit = other
                .resolve(outside, &name)
                .map_or(outside, |(unit, _)| unit);
            placed[side][sides.pair_of[1 - side][unit]].insert(name);
        }
    }
    placed
}

/// Adds, on one side, the files that import a changed file (wherever the
/// import resolves: inside the unit or in another one) to their unit's targets.
fn add_importers(
    sides: &Sides<'_>,
    side: usize,
    changed: &[BTreeSet<String>],
    headers: &HashMap<String, Header>,
    targets: &mut [BTreeSet<String>],
) {
    let units = &sides.sources[side].units;
    let changed_paths: BTreeSet<&String> = sides
        .pairs
        .iter()
        .zip(changed)
        .flat_map(|(pair, names)| {
            let layout = sides.layout(side, pair.units[side]);
            names.iter().filter_map(|name| layout.names.get(name))
        })
        .collect();
    if changed_paths.is_empty() {
        return;
    }
    for (index, unit) in units.units.iter().enumerate() {
        let pair = sides.pair_of[side][index];
        for (name, path) in &unit.layout.names {
            let imports_changed = headers.get(path).is_some_and(|header| {
                header.imports.iter().any(|import| {
                    units
                        .resolve(index, import)
                        .is_some_and(|(_, found)| changed_paths.contains(found))
                })
            });
            if imports_changed {
                targets[pair].insert(name.clone());
            }
        }
    }
}

/// Package rules need every file of a touched package, on both sides of the unit.
fn add_package_files(
    sides: &Sides<'_>,
    units: &[usize; 2],
    headers: &[HashMap<String, Header>; 2],
    targets: &mut BTreeSet<String>,
) {
    let package = |side: usize, name: &str| -> Option<&String> {
        let path = sides.layout(side, units[side]).names.get(name)?;
        headers[side].get(path)?.package.as_ref()
    };
    let packages: BTreeSet<&String> = targets
        .iter()
        .flat_map(|name| [package(0, name), package(1, name)])
        .flatten()
        .collect();
    let mut more = Vec::new();
    for (side, &unit) in units.iter().enumerate() {
        for name in sides.layout(side, unit).names.keys() {
            if package(side, name).is_some_and(|p| packages.contains(p)) {
                more.push(name.clone());
            }
        }
    }
    targets.extend(more);
}

pub(crate) fn compare(
    old: &ProtoSet,
    new: &ProtoSet,
    settings: &Settings,
    paths: &[String],
) -> Result<Comparison, InputError> {
    let partition = Partition::new([old, new], &settings.roots, &settings.scopes)?;
    let sides = Sides::new([old, new], partition, &settings.imports);
    let (plans, changed) = plan(&sides, settings, paths);
    for side in 0..2 {
        let wanted: Vec<needed::Wanted<'_>> = plans
            .iter()
            .map(|plan| needed::Wanted {
                unit: plan.units[side],
                targets: &plan.targets[side],
            })
            .collect();
        let of_side = needed::Side {
            set: sides.sets[side],
            other: sides.sets[1 - side],
            units: &sides.sources[side].units,
            headers: &sides.headers[side],
        };
        needed::check(&of_side, &wanted, settings.needs_packages())?;
    }
    let outcomes: Vec<PlanOutcome> = plans
        .par_iter()
        .map(|plan| run_plan(&sides, plan, settings))
        .collect();
    let mut builds = Vec::with_capacity(outcomes.len());
    let outcomes: Vec<_> = outcomes
        .into_iter()
        .map(|outcome| {
            builds.push(outcome.builds);
            (outcome.findings, outcome.dropped)
        })
        .collect();
    let mut settled = settle(&sides, &plans, &builds, settings)?;
    let untouched = untouched_warnings(&sides, &plans, &settled, settings, paths);
    settled.warnings.extend(untouched);
    let mut dropped = 0usize;
    let mut findings = Vec::new();
    let mut units = Vec::new();
    for ((plan, [old_build, new_build]), (found, ignored)) in plans.iter().zip(builds).zip(outcomes)
    {
        findings.extend(found);
        dropped += ignored;
        units.push(UnitComparison {
            key: plan.key.clone(),
            old_model: old_build.model,
            new_model: new_build.model,
            new_layout: sides.layout(1, plan.units[1]).clone(),
        });
    }
    findings.sort_by(|a, b| {
        (
            &a.path,
            a.loc.map(|l| (l.line, l.column)),
            &a.rule,
            &a.message,
        )
            .cmp(&(
                &b.path,
                b.loc.map(|l| (l.line, l.column)),
                &b.rule,
                &b.message,
            ))
    });
    findings.dedup();
    let stats = statistics(&sides, &units, changed, settings, dropped);
    Ok(Comparison {
        findings,
        rules: settings.rules.clone(),
        old_label: String::new(),
        new_label: String::new(),
        stats,
        units,
        not_compiled: settled.warnings,
        new_sources: HashMap::new(),
    })
}

/// Broken files among those nothing in the change needed (see
/// [`failures::untouched`]), under `paths` when given.
fn untouched_warnings(
    sides: &Sides<'_>,
    plans: &[UnitPlan],
    settled: &failures::Settled,
    settings: &Settings,
    paths: &[String],
) -> Vec<NotCompiled> {
    if !settings.check_untouched {
        return Vec::new();
    }
    let compiled: BTreeSet<&String> = plans
        .iter()
        .flat_map(|plan| {
            let layout = sides.layout(1, plan.units[1]);
            plan.targets[1]
                .iter()
                .filter_map(|name| layout.names.get(name))
        })
        .chain(settled.warnings.iter().map(|warning| &warning.path))
        .collect();
    let asked_for = |path: &str| paths.is_empty() || paths.iter().any(|prefix| under(path, prefix));
    let warnings = failures::untouched(
        sides.sets,
        &sides.sources[1],
        &sides.headers[1],
        &compiled,
        &settings.ignore,
        settings.parse_cache.as_deref(),
    );
    if let Some(cache) = &settings.parse_cache {
        cache.save();
    }
    warnings
        .into_iter()
        .filter(|warning| asked_for(&warning.path))
        .collect()
}

/// One plan compiled and compared: per side, the build with the model cut
/// to the compared files (whole when FIELD_NO_REUSE still reads the
/// types), the failures and what compiled; the findings before sorting,
/// and how many buf's ignores dropped.
struct PlanOutcome {
    builds: [UnitBuild; 2],
    findings: Vec<ContractFinding>,
    dropped: usize,
}

/// Compiles and compares a plan one group of files at a time (see
/// [`groups`]), so that only one group's compiled sides are alive at once.
/// A target that does not compile is left out on both sides before the
/// rules run; whether the change is to blame is settled over all plans
/// afterwards (an `Err` then discards these findings).
fn run_plan(sides: &Sides<'_>, plan: &UnitPlan, settings: &Settings) -> PlanOutcome {
    let mut outcome = PlanOutcome {
        builds: Default::default(),
        findings: Vec::new(),
        dropped: 0,
    };
    for targets in groups(sides, plan, settings) {
        let compile = |side: usize| match targets[side].is_empty() {
            true => UnitBuild::default(),
            false => compile_unit(&sides.sources[side], plan.units[side], &targets[side]),
        };
        // One side after the other: the two compiled pools alive at once
        // would double the peak, and memory is what a large tree runs out of.
        let mut old = compile(0);
        let mut new = compile(1);
        let failed: Vec<String> = [&old, &new]
            .iter()
            .flat_map(|build| build.failures.iter().map(|f| f.target.clone()))
            .collect();
        for name in &failed {
            old.model.forget(name);
            new.model.forget(name);
        }
        outcome.findings.extend(unit_findings(
            sides,
            plan,
            [&old.model, &new.model],
            settings,
            &mut outcome.dropped,
        ));
        for (into, mut build) in outcome.builds.iter_mut().zip([old, new]) {
            into.failures.append(&mut build.failures);
            into.compiled.append(&mut build.compiled);
            if settings.field_no_reuse {
                // One group (see `groups`), whose types the history check
                // reads after the comparison: keep them all.
                into.model = build.model;
                continue;
            }
            build.model.keep_files_only();
            into.model.absorb_files(build.model);
        }
    }
    outcome
}

/// How much target text one group compiles at most (per side), unless one
/// package alone is larger.
const GROUP_BYTES: usize = 4 << 20;

/// Splits a plan's targets into groups compiled and compared apart, each
/// with its imports: a whole tree of thousands of files is not held
/// compiled at once. Nothing a rule pairs may be split: a group holds
/// every target of a package (on either side: a file that changes its
/// package joins both), and the files that declare extensions are kept
/// together (buf pairs extensions by extendee and number, across
/// packages). A small plan, or one whose types FIELD_NO_REUSE reads
/// afterwards, is one group.
fn groups(sides: &Sides<'_>, plan: &UnitPlan, settings: &Settings) -> Vec<[BTreeSet<String>; 2]> {
    let whole = || vec![plan.targets.clone()];
    if settings.field_no_reuse {
        return whole();
    }
    let names: BTreeSet<&String> = plan.targets[0].iter().chain(&plan.targets[1]).collect();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut parent: Vec<usize> = Vec::new();
    let mut node = |key: String, parent: &mut Vec<usize>| -> usize {
        *index.entry(key).or_insert_with(|| {
            parent.push(parent.len());
            parent.len() - 1
        })
    };
    fn root(parent: &mut [usize], mut at: usize) -> usize {
        while parent[at] != at {
            parent[at] = parent[parent[at]];
            at = parent[at];
        }
        at
    }
    let mut sizes = vec![0usize; names.len()];
    let mut of_name = Vec::with_capacity(names.len());
    for (at, name) in names.iter().enumerate() {
        let own = node(format!("file\0{name}"), &mut parent);
        of_name.push(own);
        for side in 0..2 {
            if !plan.targets[side].contains(*name) {
                continue;
            }
            let path = sides.layout(side, plan.units[side]).names.get(*name);
            let file = path.and_then(|path| sides.sets[side].files.get(path));
            let header = path.and_then(|path| sides.headers[side].get(path));
            // Files from outside the side (the well-known types) go together.
            let key = match (file, header) {
                (Some(_), Some(header)) => {
                    format!("package\0{}", header.package.as_deref().unwrap_or(""))
                }
                _ => "outside".to_string(),
            };
            let other = node(key, &mut parent);
            let (a, b) = (root(&mut parent, own), root(&mut parent, other));
            parent[a] = b;
            if let Some(text) = file.and_then(|file| file.text.as_deref()) {
                sizes[at] = sizes[at].max(text.len());
                if declares_extension(text) {
                    let extensions = node("extensions".to_string(), &mut parent);
                    let (a, b) = (root(&mut parent, own), root(&mut parent, extensions));
                    parent[a] = b;
                }
            }
        }
    }
    if sizes.iter().sum::<usize>() <= GROUP_BYTES {
        return whole();
    }
    // Components in the order of their first name, filled into groups.
    let mut components: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut slot: HashMap<usize, usize> = HashMap::new();
    for (at, &own) in of_name.iter().enumerate() {
        let component = root(&mut parent, own);
        let position = *slot.entry(component).or_insert_with(|| {
            components.push((0, Vec::new()));
            components.len() - 1
        });
        components[position].0 += sizes[at];
        components[position].1.push(at);
    }
    let names: Vec<&String> = names.into_iter().collect();
    let mut out: Vec<[BTreeSet<String>; 2]> = Vec::new();
    let mut filled = GROUP_BYTES;
    for (size, members) in components {
        if filled + size > GROUP_BYTES {
            out.push(Default::default());
            filled = 0;
        }
        filled += size;
        let group = out.last_mut().expect("a group was just pushed");
        for at in members {
            for (targets, group) in plan.targets.iter().zip(group.iter_mut()) {
                if targets.contains(names[at]) {
                    group.insert(names[at].clone());
                }
            }
        }
    }
    log::info!(
        "contract: {} targets of {} compiled in {} groups",
        names.len(),
        plan.key.describe(),
        out.len()
    );
    out
}

/// Whether a file declares an extension (`extend Foo {` starting a line,
/// as every formatter writes it). A comment line that starts with the word
/// only joins its file to the group of extensions, which is harmless.
fn declares_extension(text: &str) -> bool {
    text.lines().any(|line| {
        line.trim_start()
            .strip_prefix("extend")
            .is_some_and(|rest| rest.starts_with(char::is_whitespace))
    })
}

fn settle(
    sides: &Sides<'_>,
    plans: &[UnitPlan],
    builds: &[[UnitBuild; 2]],
    settings: &Settings,
) -> Result<failures::Settled, InputError> {
    let built: Vec<failures::PairBuilds<'_>> = plans
        .iter()
        .zip(builds)
        .map(|(plan, builds)| failures::PairBuilds {
            units: plan.units,
            builds,
        })
        .collect();
    failures::settle(
        sides.sets,
        [&sides.sources[0], &sides.sources[1]],
        &built,
        &settings.ignore,
    )
}

/// The rules' hits in one unit as findings at repository paths, minus
/// what buf's ignores and `trellis:ignore` comments drop (counted in `dropped`).
fn unit_findings(
    sides: &Sides<'_>,
    plan: &UnitPlan,
    [old_model, new_model]: [&Model; 2],
    settings: &Settings,
    dropped: &mut usize,
) -> Vec<ContractFinding> {
    let mut findings = Vec::new();
    for hit in run_rules(settings, old_model, new_model) {
        let (side, model) = match hit.side {
            Side::New => (1, new_model),
            Side::Old => (0, old_model),
        };
        let repo_path = |side: usize, file: &String| {
            sides
                .layout(side, plan.units[side])
                .names
                .get(file)
                .cloned()
                .unwrap_or_else(|| file.clone())
        };
        let path = repo_path(side, &hit.file);
        if ignored(settings, &hit, &path, model, old_model)
            || acknowledged(sides.sets[side], &path, &hit)
        {
            *dropped += 1;
            continue;
        }
        findings.push(ContractFinding {
            rule: hit.rule.to_string(),
            deleted_file: hit.rule == "FILE_NO_DELETE",
            path,
            name: hit.file,
            side: hit.side,
            loc: hit.loc,
            message: hit.message,
            key: hit.key,
            as_buf: hit.as_buf,
            previously: hit.previously.map(|old| Previously {
                path: repo_path(0, &old.file),
                loc: old.loc,
                side_label: sides.sets[0].label.clone(),
            }),
        });
    }
    findings
}

/// Every selected rule over one unit's pair of models.
fn run_rules(settings: &Settings, old: &Model, new: &Model) -> Vec<Hit> {
    let pair = Pair { old, new };
    settings
        .rules
        .par_iter()
        .flat_map_iter(|rule| {
            let mut hits = Vec::new();
            (rule.check)(
                &pair,
                &mut Sink {
                    rule: rule.id,
                    hits: &mut hits,
                },
            );
            hits
        })
        .collect()
}

fn statistics(
    sides: &Sides<'_>,
    units: &[UnitComparison],
    changed: usize,
    settings: &Settings,
    dropped: usize,
) -> Vec<(String, String)> {
    let compared = |model: fn(&UnitComparison) -> &Model| -> usize {
        units.iter().map(|unit| model(unit).files.len()).sum()
    };
    let all_units = sides.pairs.len() - 1; // the imports units are not the repository's
    let unreadable = sides.sets.map(|set| set.unreadable.len());
    let mut stats = vec![
        (
            "proto files (old / new)".to_string(),
            format!(
                "{} / {}",
                sides.sources[0].units.file_count(),
                sides.sources[1].units.file_count()
            ),
        ),
        ("files changed".to_string(), changed.to_string()),
        (
            "files compared".to_string(),
            format!(
                "{} / {}",
                compared(|u| &u.old_model),
                compared(|u| &u.new_model)
            ),
        ),
        (
            "compilation units (compared / all)".to_string(),
            format!(
                "{} / {all_units}",
                units.iter().filter(|u| u.key != UnitKey::Imports).count()
            ),
        ),
        ("rules run".to_string(), settings.rules.len().to_string()),
        ("findings ignored".to_string(), dropped.to_string()),
    ];
    if unreadable != [0, 0] {
        stats.push((
            "files git lacks, not compared (old / new)".to_string(),
            format!("{} / {}", unreadable[0], unreadable[1]),
        ));
    }
    stats
}

/// buf's `ignore`, `ignore_only` and `ignore_unstable_packages`.
fn ignored(settings: &Settings, hit: &Hit, path: &str, model: &Model, old: &Model) -> bool {
    let matches = |prefixes: &[String]| {
        prefixes
            .iter()
            .any(|prefix| under(path, prefix) || under(&hit.file, prefix))
    };
    if matches(&settings.ignore) {
        return true;
    }
    if settings
        .ignore_only
        .iter()
        .any(|(ids, paths)| ids.contains(&hit.rule) && matches(paths))
    {
        return true;
    }
    if settings.ignore_unstable_packages {
        let package = model
            .file(&hit.file)
            .or_else(|| old.file(&hit.file))
            .map(|f| f.package.as_str())
            .unwrap_or_default();
        if config::is_unstable_package(package) {
            return true;
        }
    }
    false
}

/// `// trellis:ignore RULE reason` on the reported line or in the comment
/// lines right above it, in the new file.
fn acknowledged(set: &ProtoSet, path: &str, hit: &Hit) -> bool {
    let (Side::New, Some(loc)) = (hit.side, hit.loc) else {
        return false;
    };
    let Some(text) = set.files.get(path).and_then(|file| file.text.as_deref()) else {
        return false;
    };
    let lines: Vec<&str> = text.lines().collect();
    let index = loc.line as usize - 1;
    // An acknowledgement names the rule and gives a reason, as a reviewed exception should.
    let says = |line: &str| {
        line.split_once("//").is_some_and(|(_, comment)| {
            let mut words = comment.split_whitespace();
            words.next() == Some("trellis:ignore")
                && words.next() == Some(hit.rule)
                && words.next().is_some()
        })
    };
    if lines.get(index).is_some_and(|l| says(l)) {
        return true;
    }
    let mut above = index;
    while above > 0 {
        above -= 1;
        let line = lines[above].trim();
        if !line.starts_with("//") {
            break;
        }
        if says(line) {
            return true;
        }
    }
    false
}

impl Comparison {
    /// The findings as a trellis report: new-file locations, old-file ones
    /// labelled, each breaking change with its consumers.
    pub(crate) fn into_report(self, repo: &Repo) -> Report {
        let consumers = super::consumers::Consumers::of(repo, &self);
        self.report(repo, &consumers)
    }

    /// [`Comparison::into_report`] without consumers (no Go code read), for
    /// callers that only judge whether a change breaks a contract.
    pub(crate) fn into_verdict_report(self, repo: &Repo) -> Report {
        self.report(repo, &super::consumers::Consumers::default())
    }

    fn report(self, repo: &Repo, consumers: &super::consumers::Consumers) -> Report {
        let mut report = Report::new("contract");
        let rule_infos: BTreeMap<String, crate::report::RuleInfo> = super::rules()
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        report.rules = self
            .rules
            .iter()
            .filter_map(|r| rule_infos.get(r.id).cloned())
            .collect();
        let warnings = self.not_compiled.iter().map(|w| w.to_finding(repo));
        let breaks = self.findings.iter().map(|contract| {
            let mut finding = to_finding(repo, contract);
            consumers.attach(&mut finding, contract);
            finding
        });
        for finding in breaks.chain(warnings) {
            if let Some(info) = rule_infos.get(&finding.rule)
                && !report.rules.iter().any(|r| r.id == info.id)
            {
                report.rules.push(info.clone());
            }
            report.findings.push(finding);
        }
        report.stats = self.stats;
        report.sources = self.new_sources;
        report.stats.insert(
            0,
            (
                "compared".to_string(),
                format!("{} -> {}", self.old_label, self.new_label),
            ),
        );
        report
    }
}

/// The service owning a contract, also for files gone from the work tree:
/// by location or the contracts map first, then by `contracts.owners`, then by
/// the directory name under `contracts.root` (`api/order/...` -> order-service).
pub(crate) fn owner(repo: &Repo, path: &str) -> Option<String> {
    if let Some(service) = repo.contract_owner(path) {
        return Some(service.name.clone());
    }
    let contracts = &repo.config.contracts;
    if let Some((_, owner)) = contracts
        .owners
        .iter()
        .filter(|(dir, _)| under(path, dir))
        .max_by_key(|(dir, _)| dir.len())
    {
        return Some(owner.clone());
    }
    let rest = path
        .strip_prefix(contracts.root.trim_end_matches('/'))?
        .strip_prefix('/')?;
    let name = rest.split('/').next()?;
    [
        name.to_string(),
        format!("{name}-service"),
        format!("{name}_service"),
    ]
    .into_iter()
    .find(|candidate| repo.service(candidate).is_some())
}

pub(crate) fn to_finding(repo: &Repo, finding: &ContractFinding) -> Finding {
    let owner = owner(repo, &finding.path);
    let mut out = Finding::new(
        finding.rule.clone(),
        Severity::Error,
        finding.path.clone(),
        finding.message.clone(),
        &finding.key,
    )
    .service(owner)
    .help(format!(
        "see `trellis explain {}`; acknowledge a reviewed break with `// trellis:ignore {} <reason>` on the element",
        finding.rule, finding.rule
    ));
    match finding.loc {
        Some(loc) => out = out.at(span_of(loc)),
        None => out = out.at_line(1),
    }
    if let Some(old) = &finding.previously {
        let span = old.loc.map(span_of);
        out = match old.side_label.as_str() {
            "" => out.related(old.path.clone(), span, "previously defined here"),
            side => out.related_in_revision(
                old.path.clone(),
                span,
                format!("previously defined here, in {side}"),
                side,
            ),
        };
    }
    if finding.side == Side::Old {
        out = out.note(if finding.deleted_file {
            "reported at the file's old path: it no longer exists on the new side".to_string()
        } else {
            "location is in the old file: the element is gone from the new side".to_string()
        });
    }
    out
}

fn span_of(loc: Loc) -> Span {
    Span {
        line: loc.line,
        column: loc.column,
        end_line: loc.end_line,
        end_column: loc.end_column,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A side of `packages` packages whose files are large enough (padded
    /// with comments, as generated APIs are) to be compiled in groups.
    fn side(label: &str, packages: usize, new: bool) -> ProtoSet {
        let padding = format!("// {}\n", "x".repeat(76)).repeat(1_000);
        let mut files: Vec<(String, String)> = Vec::new();
        // The extension moves from `common` to `p0` on the new side: buf
        // pairs it by extendee and number, across packages and groups.
        let extension = "extend google.protobuf.FieldOptions {\n  string tag = 50001;\n}\n";
        files.push((
            "common/v1/common.proto".into(),
            format!(
                "syntax = \"proto3\";\npackage common.v1;\nimport \"google/protobuf/descriptor.proto\";\n{}message Money {{\n  int64 units = 1;\n}}\nenum Kind {{\n  KIND_UNSPECIFIED = 0;\n}}\n",
                if new { "" } else { extension }
            ),
        ));
        for index in 0..packages {
            let field = match (new, index % 3) {
                (true, 0) => "string total = 2;",
                (true, 1) => "common.v1.Kind total = 2;",
                _ => "common.v1.Money total = 2;",
            };
            let extra = match (new, index) {
                (true, 0) => extension.to_string(),
                (true, _) if index % 4 == 0 => format!("message Added{index} {{}}\n"),
                (false, _) => format!("message Gone{index} {{}}\n"),
                _ => String::new(),
            };
            files.push((
                format!("p{index}/v1/api.proto"),
                format!(
                    "syntax = \"proto3\";\npackage p{index}.v1;\nimport \"common/v1/common.proto\";\nimport \"google/protobuf/descriptor.proto\";\n{padding}message Order {{\n  string id = 1;\n  {field}\n}}\n{extra}"
                ),
            ));
        }
        let texts: Vec<(&str, &str)> = files
            .iter()
            .map(|(path, text)| (path.as_str(), text.as_str()))
            .collect();
        let mut set = ProtoSet::from_texts(label, &texts);
        for file in set.files.values_mut() {
            let text = file.text.as_deref().unwrap();
            file.id = git2::Oid::hash_object(git2::ObjectType::Blob, text.as_bytes()).unwrap();
        }
        set
    }

    /// FIELD_NO_REUSE reads every compiled type afterwards, so its runs
    /// compile each unit whole: the same comparison in groups must find
    /// exactly what it finds.
    #[test]
    fn a_comparison_in_groups_finds_what_the_whole_unit_finds() {
        let (old, new) = (side("old", 120, false), side("new", 120, true));
        let text: usize = new
            .files
            .values()
            .flat_map(|f| f.text.as_deref())
            .map(str::len)
            .sum();
        assert!(text > 2 * GROUP_BYTES, "{text} bytes are too few to group");
        for category in ["FILE", "PACKAGE", "WIRE_JSON"] {
            let run = |field_no_reuse: bool| {
                let settings = Settings::new(
                    &ContractConfig::default(),
                    &[category.to_string()],
                    field_no_reuse,
                    "test".into(),
                )
                .unwrap();
                compare(&old, &new, &settings, &[]).unwrap()
            };
            let (grouped, whole) = (run(false), run(true));
            assert!(!whole.findings.is_empty(), "{category}: nothing to compare");
            assert!(
                whole.findings.iter().any(|f| f.path.starts_with("p5")),
                "{category}: {:?}",
                whole.findings
            );
            assert_eq!(grouped.findings, whole.findings, "{category}");
            assert_eq!(grouped.stats, whole.stats, "{category}");
            // The report keeps only the compared files of each group.
            assert!(
                grouped
                    .units
                    .iter()
                    .all(|u| u.new_model.messages.is_empty())
            );
        }
    }
}
