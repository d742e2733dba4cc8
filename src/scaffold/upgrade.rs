//! `trellis upgrade`: a service generated from an older version of its
//! template gets the new version, the way copier's update does it. The
//! template is rendered at the recorded version with the recorded
//! variables (the base) and at the target version (theirs), and the
//! difference is merged into the service's files (ours), file by file.
//! Conflicts are written with git's markers; the new base is recorded once
//! none remain (`--continue`, or a re-run).

use super::apply::{self, Action, PlannedFile};
use super::limits::{self, Limits};
use super::merge;
use super::render::{self, Identity, RenderInput, RenderedFile};
use super::state::{self, STATE_FILE, State};
use super::template::{self, Origin, Template};
use super::{Outcome, proto, staging};
use crate::error::InputError;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// An upgrade with conflicts left: the state to record once they are resolved.
pub(crate) const PENDING_FILE: &str = ".trellis/upgrade.json";
/// How far back the repository's history is searched for the content a
/// file was generated with, when the template's old version is gone.
const HISTORY_DEPTH: usize = 2000;

#[derive(Debug, Clone, Default)]
pub(crate) struct UpgradeOptions {
    /// A git template's target revision (tag, branch, commit).
    pub(crate) to: Option<String>,
    pub(crate) dry_run: bool,
    /// `--continue`: finish an upgrade whose conflicts are resolved.
    pub(crate) resume: bool,
    pub(crate) set: Vec<(String, String)>,
    pub(crate) no_generate: bool,
    pub(crate) trust: bool,
    pub(crate) limits: Limits,
}

/// What `upgrade` did (or, with --dry-run, would do).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct UpgradeOutcome {
    #[serde(flatten)]
    pub(crate) outcome: Outcome,
    pub(crate) from_version: String,
    pub(crate) to_version: String,
    /// Files with conflict markers left to resolve.
    pub(crate) conflicts: Vec<String>,
    /// Files the new version adds that a file of the service is in the way of.
    pub(crate) blocked: Vec<String>,
    /// Variables added and dropped, edited files the template removed, and
    /// how the base was found.
    pub(crate) notes: Vec<String>,
}

impl UpgradeOutcome {
    /// Something is left for a person to do (exit 1).
    pub(crate) fn unfinished(&self) -> bool {
        !self.conflicts.is_empty() || !self.blocked.is_empty()
    }
}

/// `.trellis/upgrade.json`, written while conflicts are left.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Pending {
    from_version: String,
    to_version: String,
    template: String,
    conflicts: Vec<String>,
    state: State,
}

/// `trellis upgrade [SERVICE_DIR]`.
pub(crate) fn upgrade(dir: &Path, options: &UpgradeOptions) -> anyhow::Result<UpgradeOutcome> {
    let _lock = staging::OutputLock::acquire(dir)?;
    let recovered = staging::recover(dir, options.dry_run)?;
    let previous = State::load(dir)?;
    if let Some(pending) = read_pending(dir)? {
        if options.to.is_some() || !options.set.is_empty() {
            return Err(InputError::new(format!(
                "an upgrade to {} {} is in progress in {}; --to and --set apply to a new upgrade",
                pending.template,
                pending.to_version,
                dir.display()
            ))
            .help("resolve the conflicts and run `trellis upgrade --continue`; to abandon it, restore the files from version control and delete .trellis/upgrade.json")
            .into());
        }
        return finish(dir, pending, options, recovered);
    }
    if options.resume {
        return Err(InputError::new(format!(
            "no upgrade is in progress in {} (no {PENDING_FILE})",
            dir.display()
        ))
        .help("run `trellis upgrade` to start one")
        .into());
    }
    let contract_text = check_contract(dir, &previous, &options.limits)?;
    let mut notes = Vec::new();
    let sides = load_sides(dir, &previous, options, &mut notes)?;
    let variables = upgraded_variables(&sides.theirs, &previous, &options.set, &mut notes)?;
    let contract = super::shared::parse(
        dir,
        &previous.identity,
        options.limits.max_input_bytes,
        None,
    )?;
    let rpc_names = render::assign_rpc_names(&contract, &previous.rpcs);
    let render_with = |template: &Template, variables: &BTreeMap<String, serde_json::Value>| {
        render_within(
            template,
            &previous.identity,
            variables,
            &contract,
            &rpc_names,
            &options.limits,
        )
    };
    let theirs = render_with(&sides.theirs, &variables)?;
    let base = match &sides.base {
        Some(template) => Some(render_with(template, &previous.variables)?),
        None => None,
    };
    let label = merge::their_label(&sides.theirs.manifest.version);
    let planned = plan_files(dir, &previous, base, theirs, &label, &mut notes)?;
    let mut next = super::build_state(
        &sides.theirs,
        previous.identity.clone(),
        variables,
        &contract_text,
        rpc_names,
        &planned.recorded,
        Some(&planned.remaining),
    );
    next.template.origin = state::origin_to_store(&next.template.origin, dir);
    let from_version = previous.template.version.clone();
    let to_version = sides.theirs.manifest.version.clone();
    let mut files = planned.files;
    if planned.conflicts.is_empty() {
        files.extend(super::planned_state(&previous, &next));
    } else {
        let pending = Pending {
            from_version: from_version.clone(),
            to_version: to_version.clone(),
            template: sides.theirs.manifest.name.clone(),
            conflicts: planned.conflicts.clone(),
            state: next,
        };
        files.push(PlannedFile {
            path: PENDING_FILE.to_string(),
            action: Action::Create,
            reason: Some("the upgrade is recorded once the conflicts are resolved".to_string()),
            content: pending_json(&pending).into_bytes(),
        });
    }
    let mut outcome = UpgradeOutcome {
        outcome: outcome_for(dir, options, &sides.theirs, &from_version, files, recovered),
        from_version,
        to_version,
        conflicts: planned.conflicts,
        blocked: planned.blocked,
        notes,
    };
    apply_and_run(dir, options, &sides.theirs, &mut outcome)?;
    Ok(outcome)
}

fn outcome_for(
    dir: &Path,
    options: &UpgradeOptions,
    theirs: &Template,
    from_version: &str,
    files: Vec<PlannedFile>,
    recovered: Vec<staging::Recovered>,
) -> Outcome {
    Outcome::new(
        "upgrade",
        dir.to_path_buf(),
        format!(
            "{} {from_version} -> {}, {}",
            theirs.manifest.name,
            theirs.manifest.version,
            theirs.origin.describe()
        ),
        options.dry_run,
        files,
        recovered,
    )
}

/// Writes the plan (all or nothing) and, once the upgrade is complete,
/// runs the template's steps (code generation, `go mod tidy`).
fn apply_and_run(
    dir: &Path,
    options: &UpgradeOptions,
    theirs: &Template,
    outcome: &mut UpgradeOutcome,
) -> Result<(), InputError> {
    if options.dry_run {
        if !outcome.unfinished() && outcome.outcome.changed() {
            outcome.outcome.next = super::step_commands(theirs, dir, &outcome.outcome.files, false);
        }
        return Ok(());
    }
    apply::apply(dir, &outcome.outcome.files)?;
    remove_emptied_dirs(dir, &outcome.outcome.files);
    if outcome.conflicts.is_empty() && outcome.outcome.changed() {
        super::run_steps(
            theirs,
            dir,
            options.no_generate,
            options.trust,
            false,
            options.limits.step_timeout,
            &mut outcome.outcome,
        );
    }
    Ok(())
}

/// `--continue` (or a re-run while an upgrade is pending): records the new
/// base once no conflict markers are left.
fn finish(
    dir: &Path,
    pending: Pending,
    options: &UpgradeOptions,
    recovered: Vec<staging::Recovered>,
) -> anyhow::Result<UpgradeOutcome> {
    let remaining: Vec<String> = pending
        .conflicts
        .iter()
        .filter(|path| std::fs::read(dir.join(path)).is_ok_and(|c| merge::has_markers(&c)))
        .cloned()
        .collect();
    let mut files = Vec::new();
    if remaining.is_empty() {
        files.push(super::state_entry(&pending.state));
        files.push(PlannedFile {
            path: PENDING_FILE.to_string(),
            action: Action::Delete,
            reason: Some("the conflicts are resolved".to_string()),
            content: Vec::new(),
        });
    }
    let theirs_origin = state::origin_to_load(&pending.state.template.origin, dir);
    let mut outcome = UpgradeOutcome {
        outcome: Outcome::new(
            "upgrade",
            dir.to_path_buf(),
            format!(
                "{} {} -> {}, {}",
                pending.template,
                pending.from_version,
                pending.to_version,
                theirs_origin.describe()
            ),
            options.dry_run,
            files,
            recovered,
        ),
        from_version: pending.from_version,
        to_version: pending.to_version,
        conflicts: remaining,
        blocked: Vec::new(),
        notes: Vec::new(),
    };
    if options.dry_run || outcome.unfinished() {
        return Ok(outcome);
    }
    apply::apply(dir, &outcome.outcome.files)?;
    // The steps need the template; a failure to load it now is not a
    // reason to undo a finished upgrade, so they are then only printed.
    match template::reload(&theirs_origin, &template::cache_root(), &options.limits) {
        Ok(theirs) => super::run_steps(
            &theirs,
            dir,
            options.no_generate,
            options.trust,
            false,
            options.limits.step_timeout,
            &mut outcome.outcome,
        ),
        Err(e) => outcome
            .notes
            .push(format!("the template's steps were not run: {}", e.message)),
    }
    Ok(outcome)
}

fn read_pending(dir: &Path) -> Result<Option<Pending>, InputError> {
    let path = dir.join(PENDING_FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        InputError::new(format!("invalid pending upgrade: {e}"))
            .in_file(&path)
            .at(e.line() as u32, e.column() as u32)
            .help("trellis writes this file while an upgrade has conflicts; delete it and restore the service's files from version control to start over")
    })
}

fn pending_json(pending: &Pending) -> String {
    let mut text = serde_json::to_string_pretty(pending).unwrap_or_default();
    text.push('\n');
    text
}

/// The base renders only from the contract it was generated from: a
/// contract changed since is `sync`'s job first.
fn check_contract(dir: &Path, previous: &State, limits: &Limits) -> Result<String, InputError> {
    let shown = previous.identity.proto_file.clone();
    let text = limits::read_input(&dir.join(&shown), &shown, limits.max_input_bytes)?;
    if state::hash(text.as_bytes()) != previous.contract_sha256 {
        return Err(InputError::new(format!(
            "{shown} changed since trellis last generated code from it"
        ))
        .help("run `trellis sync` first (it adds the new RPCs' stubs), then `trellis upgrade`"));
    }
    Ok(text)
}

/// The template at the recorded version (when it can still be had) and at
/// the target version.
struct Sides {
    base: Option<Template>,
    theirs: Template,
}

fn load_sides(
    dir: &Path,
    previous: &State,
    options: &UpgradeOptions,
    notes: &mut Vec<String>,
) -> Result<Sides, InputError> {
    let cache = template::cache_root();
    let origin = state::origin_to_load(&previous.template.origin, dir);
    let recorded = &previous.template.version;
    if options.to.is_some() && !matches!(origin, Origin::Git { .. }) {
        return Err(InputError::new(format!(
            "--to names a revision of a git template; {} is not one",
            origin.describe()
        ))
        .help("a built-in template upgrades to the version in this trellis, a directory template to the directory's content: run without --to"));
    }
    match &origin {
        Origin::Builtin { name } => {
            let theirs = template::load_builtin(name)?;
            let base = (&theirs.manifest.version == recorded).then(|| theirs.clone());
            if base.is_none() {
                notes.push(format!(
                    "built-in template {name} {recorded} is not in this trellis; edited files are merged against the content trellis wrote, found in the repository's history"
                ));
            }
            Ok(Sides { base, theirs })
        }
        Origin::Dir { path } => {
            notes.push(format!(
                "a directory template keeps no old versions: edited files are merged against the content trellis wrote, found in the repository's history (template {path})"
            ));
            let theirs = template::load_dir(Path::new(path), origin.clone(), &options.limits)?;
            Ok(Sides { base: None, theirs })
        }
        Origin::Git { url, rev, .. } => {
            let base = template::reload(&origin, &cache, &options.limits)?;
            let fresh = super::git_source::fetch_fresh(
                url,
                options.to.as_deref(),
                |repo| super::git_source::tracked_branch(repo, rev),
                &cache,
                &options.limits,
            )?;
            let theirs_origin = Origin::Git {
                url: url.clone(),
                rev: fresh.rev.clone(),
                commit: fresh.commit.clone(),
            };
            let theirs = template::load_dir(&fresh.dir, theirs_origin, &options.limits)?;
            Ok(Sides {
                base: Some(base),
                theirs,
            })
        }
    }
}

/// The recorded values of the variables the new version still has, with
/// `--set` applied; new ones take their defaults.
fn upgraded_variables(
    theirs: &Template,
    previous: &State,
    set: &[(String, String)],
    notes: &mut Vec<String>,
) -> Result<BTreeMap<String, serde_json::Value>, InputError> {
    let known: BTreeSet<&str> = theirs
        .manifest
        .variables
        .iter()
        .map(|v| v.name.as_str())
        .collect();
    let mut given: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in &previous.variables {
        if known.contains(name.as_str()) {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            given.insert(name.clone(), text);
        } else {
            notes.push(format!(
                "variable `{name}` (was {value}) is gone from the template; dropped"
            ));
        }
    }
    given.extend(set.iter().cloned());
    let ctx = render::base_context(&previous.identity, &theirs.versions);
    let values = template::resolve_variables(&theirs.manifest, &given, &ctx)?;
    template::check_go_version(&values, &theirs.versions)?;
    for (name, value) in &values {
        if !previous.variables.contains_key(name) {
            let how = if set.iter().any(|(n, _)| n == name) {
                "--set"
            } else {
                "its default"
            };
            notes.push(format!(
                "variable `{name}` is new in the template: {value} ({how})"
            ));
        }
    }
    Ok(values)
}

fn render_within(
    template: &Template,
    identity: &Identity,
    variables: &BTreeMap<String, serde_json::Value>,
    contract: &proto::Contract,
    rpc_names: &BTreeMap<String, state::RpcRecord>,
    limits: &Limits,
) -> Result<BTreeMap<String, RenderedFile>, InputError> {
    let (template, identity, variables, contract, rpc_names) = (
        template.clone(),
        identity.clone(),
        variables.clone(),
        contract.clone(),
        rpc_names.clone(),
    );
    let max_output_bytes = limits.max_output_bytes;
    let files = limits::within(
        limits.render_timeout,
        &format!("rendering template `{}`", template.manifest.name),
        move || {
            render::render(&RenderInput {
                template: &template,
                identity: &identity,
                variables: &variables,
                contract: &contract,
                rpc_names: &rpc_names,
                max_output_bytes,
            })
        },
    )??;
    Ok(files.into_iter().map(|f| (f.path.clone(), f)).collect())
}

/// What the template's old version had at a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Base {
    Known(Vec<u8>),
    /// Trellis wrote it, but its content then cannot be found.
    Unknown,
    /// Not the template's.
    Absent,
}

/// The plan over every file of either version.
struct Planned {
    files: Vec<PlannedFile>,
    /// The new version's files whose hash the state records.
    recorded: Vec<RenderedFile>,
    /// The previous state without the files the upgrade forgets.
    remaining: State,
    conflicts: Vec<String>,
    blocked: Vec<String>,
}

fn plan_files(
    dir: &Path,
    previous: &State,
    base: Option<BTreeMap<String, RenderedFile>>,
    theirs: BTreeMap<String, RenderedFile>,
    label: &str,
    notes: &mut Vec<String>,
) -> Result<Planned, InputError> {
    let history = base.is_none().then(|| History::open(dir)).flatten();
    let mut paths: BTreeSet<String> = theirs.keys().cloned().collect();
    match &base {
        Some(base) => paths.extend(base.keys().cloned()),
        // Without a base every recorded file is the template's, except the
        // clients' files: they come from `new client`, not the template.
        None => paths.extend(
            previous
                .files
                .keys()
                .filter(|path| !previous.clients.values().any(|c| c.files.contains(path)))
                .cloned(),
        ),
    }
    let trellis_owned = [
        STATE_FILE,
        PENDING_FILE,
        previous.identity.proto_file.as_str(),
    ];
    let mut planned = Planned {
        files: Vec::new(),
        recorded: Vec::new(),
        remaining: previous.clone(),
        conflicts: Vec::new(),
        blocked: Vec::new(),
    };
    let mut unknown_bases = Vec::new();
    for path in paths
        .iter()
        .filter(|p| !trellis_owned.contains(&p.as_str()))
    {
        apply::check_no_symlinks(dir, path)
            .map_err(|why| InputError::new(why).help("remove the link, then upgrade again"))?;
        let recorded = previous.files.get(path).map(|r| r.sha256.as_str());
        let base_content = match &base {
            Some(base) => base.get(path).map_or(Base::Absent, |f| {
                Base::Known(f.content.clone().into_bytes())
            }),
            None => match (recorded, &history) {
                (None, _) => Base::Absent,
                (Some(sha), Some(history)) => {
                    history.find(path, sha).map_or(Base::Unknown, Base::Known)
                }
                (Some(_), None) => Base::Unknown,
            },
        };
        let ours = std::fs::read(dir.join(path)).ok();
        let new = theirs.get(path);
        let decision = decide(
            path,
            &base_content,
            new.map(|f| f.content.as_bytes()),
            ours.as_deref(),
            recorded,
            label,
        )?;
        if matches!(decision.action, Action::Merge | Action::Conflicted)
            && base_content == Base::Unknown
        {
            unknown_bases.push(path.clone());
        }
        match decision.record {
            Record::Theirs => planned.recorded.extend(new.cloned()),
            Record::Forget => {
                planned.remaining.files.remove(path);
            }
            Record::Keep => {}
        }
        match decision.action {
            Action::Conflicted => planned.conflicts.push(path.clone()),
            Action::Skip if decision.blocked => planned.blocked.push(path.clone()),
            _ => {}
        }
        if decision.action != Action::Unchanged {
            planned.files.push(PlannedFile {
                path: path.clone(),
                action: decision.action,
                reason: decision.reason,
                content: decision.content,
            });
        }
    }
    if !unknown_bases.is_empty() {
        notes.push(format!(
            "the content trellis generated is not in the repository's history for {}: merged two ways (every difference from the template is a conflict)",
            unknown_bases.join(", ")
        ));
    }
    Ok(planned)
}

/// What the state records for a path after the upgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Record {
    /// The new version's content (so a later run tells edits apart).
    Theirs,
    /// Nothing: the file is no longer the template's.
    Forget,
    /// What it recorded before.
    Keep,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decision {
    pub(crate) action: Action,
    pub(crate) reason: Option<String>,
    pub(crate) content: Vec<u8>,
    pub(crate) record: Record,
    /// A file of the service is in the way of one the template adds.
    pub(crate) blocked: bool,
}

/// One file's fate: `base` and `theirs` are the template's old and new
/// versions, `ours` the file on disk, `recorded` the hash of what trellis
/// last wrote there.
pub(crate) fn decide(
    path: &str,
    base: &Base,
    theirs: Option<&[u8]>,
    ours: Option<&[u8]>,
    recorded: Option<&str>,
    label: &str,
) -> Result<Decision, InputError> {
    let decision = |action, reason: Option<&str>, content: &[u8], record| Decision {
        action,
        reason: reason.map(str::to_string),
        content: content.to_vec(),
        record,
        blocked: false,
    };
    let untouched = |o: &[u8]| {
        recorded.is_some_and(|r| r == state::hash(o)) || matches!(base, Base::Known(b) if b == o)
    };
    let template_unchanged = matches!((base, theirs), (Base::Known(b), Some(t)) if b == t);
    Ok(match (theirs, ours) {
        (None, None) => decision(Action::Unchanged, None, b"", Record::Forget),
        (None, Some(_)) if *base == Base::Absent => {
            decision(Action::Unchanged, None, b"", Record::Keep)
        }
        (None, Some(o)) if untouched(o) => decision(
            Action::Delete,
            Some("removed from the template"),
            b"",
            Record::Forget,
        ),
        (None, Some(_)) => decision(
            Action::Skip,
            Some(
                "removed from the template, but edited here: kept; delete it once it is no longer needed",
            ),
            b"",
            Record::Forget,
        ),
        (Some(_), None) if template_unchanged && recorded.is_some() => {
            decision(Action::Unchanged, None, b"", Record::Keep)
        }
        (Some(_), None) if recorded.is_some() => decision(
            Action::Skip,
            Some("deleted here; the template's new version is not restored"),
            b"",
            Record::Theirs,
        ),
        (Some(t), None) => {
            let reason = if *base == Base::Absent {
                "new in the template"
            } else {
                "in the template, missing here"
            };
            decision(Action::Create, Some(reason), t, Record::Theirs)
        }
        (Some(t), Some(o)) if t == o => decision(Action::Unchanged, None, b"", Record::Theirs),
        (Some(_), Some(o)) if *base == Base::Absent && !untouched(o) => Decision {
            blocked: true,
            ..decision(
                Action::Skip,
                Some(
                    "new in the template, but a file trellis did not write is in the way: move it away and run `trellis upgrade` again",
                ),
                b"",
                Record::Keep,
            )
        },
        (Some(_), Some(_)) if template_unchanged => {
            decision(Action::Unchanged, None, b"", Record::Keep)
        }
        (Some(t), Some(o)) if untouched(o) => decision(Action::Update, None, t, Record::Theirs),
        (Some(t), Some(o)) => {
            let base_bytes: &[u8] = match base {
                Base::Known(b) => b,
                _ => b"",
            };
            let Some(merged) = merge::merge3(path, base_bytes, o, t, label)? else {
                return Ok(Decision {
                    blocked: true,
                    ..decision(
                        Action::Skip,
                        Some(
                            "binary, and edited here: the template's new version is not merged; replace it by hand",
                        ),
                        b"",
                        Record::Keep,
                    )
                });
            };
            if merged.conflicts == 0 {
                decision(
                    Action::Merge,
                    Some("edited here; the template's changes merged in"),
                    &merged.content,
                    Record::Theirs,
                )
            } else {
                let reason = format!(
                    "{} conflict{} to resolve",
                    merged.conflicts,
                    if merged.conflicts == 1 { "" } else { "s" }
                );
                decision(
                    Action::Conflicted,
                    Some(&reason),
                    &merged.content,
                    Record::Theirs,
                )
            }
        }
    })
}

/// The service's repository, where a file's generated content is found
/// by the hash the state recorded when the template's old version is gone.
struct History {
    repo: git2::Repository,
    /// The service directory, relative to the work tree.
    prefix: std::path::PathBuf,
}

impl History {
    fn open(dir: &Path) -> Option<History> {
        let repo = git2::Repository::discover(dir).ok()?;
        let root = std::fs::canonicalize(repo.workdir()?).ok()?;
        let service = std::fs::canonicalize(dir).ok()?;
        let prefix = service.strip_prefix(&root).ok()?.to_path_buf();
        Some(History { repo, prefix })
    }

    fn find(&self, rel: &str, sha256: &str) -> Option<Vec<u8>> {
        let path = self.prefix.join(rel);
        let mut walk = self.repo.revwalk().ok()?;
        walk.push_head().ok()?;
        let mut seen = BTreeSet::new();
        for oid in walk.take(HISTORY_DEPTH).flatten() {
            let Ok(commit) = self.repo.find_commit(oid) else {
                continue;
            };
            let Ok(entry) = commit.tree().and_then(|t| t.get_path(&path)) else {
                continue;
            };
            if !seen.insert(entry.id()) {
                continue;
            }
            if let Ok(blob) = self.repo.find_blob(entry.id())
                && state::hash(blob.content()) == sha256
            {
                return Some(blob.content().to_vec());
            }
        }
        None
    }
}

/// Directories a deletion left empty go too (they were the template's).
fn remove_emptied_dirs(dir: &Path, files: &[PlannedFile]) {
    for file in files.iter().filter(|f| f.action == Action::Delete) {
        let mut parent = Path::new(&file.path).parent();
        while let Some(rel) = parent.filter(|p| !p.as_os_str().is_empty()) {
            if std::fs::remove_dir(dir.join(rel)).is_err() {
                break;
            }
            parent = rel.parent();
        }
    }
}

/// Renders an upgrade for people: the plan, then what is left to do.
pub(crate) fn render_text(outcome: &UpgradeOutcome) -> String {
    // "up to date" would be wrong while conflicts wait to be resolved.
    let mut text = if outcome.outcome.changed() || !outcome.unfinished() {
        super::render_text(&outcome.outcome)
    } else {
        format!(
            "upgrade not finished: nothing written (template {})\n",
            outcome.outcome.template
        )
    };
    for note in &outcome.notes {
        text.push_str(&format!("note: {note}\n"));
    }
    let verb = if outcome.outcome.dry_run {
        "would be left"
    } else {
        "left"
    };
    if !outcome.conflicts.is_empty() {
        text.push_str(&format!(
            "conflicts {verb} in {} file(s); resolve each `<<<<<<< ours` ... `>>>>>>> {}` hunk, then run `trellis upgrade --continue`:\n",
            outcome.conflicts.len(),
            merge::their_label(&outcome.to_version)
        ));
        for path in &outcome.conflicts {
            text.push_str(&format!(
                "  {}\n",
                outcome.outcome.directory.join(path).display()
            ));
        }
    }
    if !outcome.blocked.is_empty() {
        text.push_str(&format!(
            "not created, a file of yours is in the way: {}\n",
            outcome.blocked.join(", ")
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(
        base: Base,
        theirs: Option<&str>,
        ours: Option<&str>,
        recorded: Option<&str>,
    ) -> Decision {
        let recorded = recorded.map(|r| state::hash(r.as_bytes()));
        decide(
            "f.go",
            &base,
            theirs.map(str::as_bytes),
            ours.map(str::as_bytes),
            recorded.as_deref(),
            "template 2",
        )
        .unwrap()
    }

    fn known(text: &str) -> Base {
        Base::Known(text.as_bytes().to_vec())
    }

    #[test]
    fn untouched_files_are_replaced_and_edited_ones_merged() {
        let d = run(
            known("a\nb\n"),
            Some("a\nB\n"),
            Some("a\nb\n"),
            Some("a\nb\n"),
        );
        assert_eq!((d.action, d.content), (Action::Update, b"a\nB\n".to_vec()));
        let d = run(
            known("a\nb\nc\nd\n"),
            Some("a\nb\nc\nD\n"),
            Some("A\nb\nc\nd\n"),
            Some("a\nb\nc\nd\n"),
        );
        assert_eq!(
            (d.action, d.content),
            (Action::Merge, b"A\nb\nc\nD\n".to_vec())
        );
        let d = run(known("a\n"), Some("theirs\n"), Some("mine\n"), Some("a\n"));
        assert_eq!(d.action, Action::Conflicted);
        assert_eq!(d.record, Record::Theirs);
    }

    #[test]
    fn a_template_change_nobody_needs_leaves_edits_alone() {
        let d = run(known("a\n"), Some("a\n"), Some("mine\n"), Some("a\n"));
        assert_eq!((d.action, d.record), (Action::Unchanged, Record::Keep));
    }

    #[test]
    fn removed_files_go_only_when_untouched() {
        let d = run(known("a\n"), None, Some("a\n"), Some("a\n"));
        assert_eq!((d.action, d.record), (Action::Delete, Record::Forget));
        let d = run(known("a\n"), None, Some("mine\n"), Some("a\n"));
        assert_eq!((d.action, d.record), (Action::Skip, Record::Forget));
        let d = run(Base::Absent, None, Some("user file\n"), None);
        assert_eq!(d.action, Action::Unchanged);
    }

    #[test]
    fn added_files_never_replace_a_file_in_the_way() {
        let d = run(Base::Absent, Some("new\n"), None, None);
        assert_eq!((d.action, d.record), (Action::Create, Record::Theirs));
        let d = run(Base::Absent, Some("new\n"), Some("mine\n"), None);
        assert_eq!(
            (d.action, d.blocked, d.record),
            (Action::Skip, true, Record::Keep)
        );
        let d = run(Base::Absent, Some("new\n"), Some("new\n"), None);
        assert_eq!(d.action, Action::Unchanged);
    }

    #[test]
    fn a_template_file_never_written_here_is_created() {
        // Once a file that was in the way is moved, a re-run creates it.
        let d = run(known("new\n"), Some("new\n"), None, None);
        assert_eq!((d.action, d.record), (Action::Create, Record::Theirs));
    }

    #[test]
    fn files_deleted_here_stay_deleted() {
        let d = run(known("a\n"), Some("b\n"), None, Some("a\n"));
        assert_eq!(d.action, Action::Skip);
        let d = run(known("a\n"), Some("a\n"), None, Some("a\n"));
        assert_eq!(d.action, Action::Unchanged);
    }

    #[test]
    fn edited_binary_files_are_listed_not_merged() {
        let d = run(known("a\0"), Some("b\0"), Some("c\0"), Some("a\0"));
        assert_eq!(
            (d.action, d.blocked, d.record),
            (Action::Skip, true, Record::Keep)
        );
    }

    #[test]
    fn an_unknown_base_still_replaces_untouched_files() {
        let d = run(Base::Unknown, Some("b\n"), Some("a\n"), Some("a\n"));
        assert_eq!(d.action, Action::Update);
        let d = run(Base::Unknown, Some("b\n"), Some("mine\n"), Some("a\n"));
        assert_eq!(d.action, Action::Conflicted);
    }
}
