//! `trellis lint`: architecture and service-code rules for Go and Rust.
//!
//! Files are parsed in parallel (one tree-sitter parser per rayon worker), each
//! file's rules run right after its parse, then repository rules run over the
//! facts of every file (imports, table uses). Suppressions and the baseline are
//! applied last.

pub(crate) mod baseline;
pub(crate) mod cache;
pub mod config;
pub(crate) mod custom;
pub mod facts;
pub mod go;
pub mod go_skim;
pub(crate) mod layout;
pub mod registry;
pub mod rule;
pub(crate) mod rules;
pub mod rust;
pub mod settings;
pub(crate) mod suppress;

pub(crate) use config::LintConfig;
pub(crate) use settings::Settings;

use crate::error::InputError;
use crate::logging::timed;
use crate::policy::RuleKey;
use crate::registry::Need;
use crate::repo::programs::{self as go_programs, ProgramFile, Programs};
use crate::repo::tables::{self, TableUse};
use crate::repo::{Language, Repo};
use crate::report::{Finding, Report, RuleInfo, RuleLevel, Severity, Span};
use facts::{Facts, GoFacts, RustFacts};
use rayon::prelude::*;
use rule::{Cx, Rule, Target};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read as _;
use std::path::PathBuf;
use suppress::Suppression;

/// What to lint and how. `Default` lints the whole work tree.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// Files or directories (relative to the repository root) to report on; all when empty.
    pub paths: Vec<String>,
    /// Run only these rule ids (after the config is applied).
    pub only: Vec<String>,
    /// Report only on files changed since the merge base with this ref.
    pub changed_since: Option<String>,
    /// Lint the index blobs of staged files instead of the work tree.
    pub staged: bool,
    /// Hide the findings recorded in this baseline file.
    pub baseline: Option<PathBuf>,
    /// Reuse per-file results stored under `.git/trellis` (or the cache dir).
    pub cache: bool,
}

const PROGRAM_FILE_CAP: u64 = 16 << 20;

/// Every Go program of the repository and what it is, for `trellis
/// services` (lint classifies from the facts it collects anyway).
pub(crate) fn go_programs(repo: &Repo) -> Programs {
    let files: Vec<ProgramFile> = repo
        .files
        .par_iter()
        .filter(|path| path.ends_with(".go"))
        .filter_map(|path| {
            // Only the header and selectors matter: a larger file is cut.
            let mut bytes = Vec::new();
            std::fs::File::open(repo.absolute(path))
                .ok()?
                .take(PROGRAM_FILE_CAP)
                .read_to_end(&mut bytes)
                .ok()?;
            let text = String::from_utf8_lossy(&bytes);
            Some(go_skim::program_file(path, &text))
        })
        .collect();
    go_programs::classify(repo, &files)
}

/// Every built-in lint rule, for `trellis rules` and `trellis explain`.
pub fn rules() -> Vec<RuleInfo> {
    registry::all().iter().map(|r| r.meta().info()).collect()
}

/// The result of one file: cached by content hash and rule set.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct FileOutcome {
    pub(crate) findings: Vec<Finding>,
    pub(crate) go: Option<GoFacts>,
    pub(crate) rust: Option<RustFacts>,
    pub(crate) status: FileStatus,
    pub(crate) suppressions: Vec<Suppression>,
    pub(crate) tables: Vec<TableUse>,
    /// What classifying Go programs needs of the file (generated files too:
    /// their imports link a program to its packages).
    #[serde(default)]
    pub(crate) program: Option<ProgramFile>,
    /// Would-be findings a rule's convention or exemption silenced, logged
    /// at `-v` whether the outcome came from the cache or not.
    #[serde(default)]
    pub(crate) exemptions: Vec<Exemption>,
}

/// One would-be finding a rule did not report, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Exemption {
    pub(crate) rule: String,
    pub(crate) line: u32,
    pub(crate) why: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum FileStatus {
    #[default]
    Analysed,
    Degraded,
    SkippedGenerated,
    /// A source extension but binary content: reported, not analysed.
    Binary,
    /// Not a source file; only its tables (SQL) and suppressions were read.
    Other,
}

/// Where file contents come from: the work tree, or the index for `--staged`.
struct Contents<'r> {
    repo: &'r Repo,
    /// Index blobs of staged files, read before the parallel part (git2 is not Sync).
    staged: HashMap<String, Vec<u8>>,
}

impl Contents<'_> {
    fn read(&self, path: &str) -> Option<Vec<u8>> {
        if let Some(bytes) = self.staged.get(path) {
            return Some(bytes.clone());
        }
        std::fs::read(self.repo.absolute(path)).ok()
    }
}

/// Lints a repository: settings, the files to report on, per-file analysis
/// (cached), repository rules over the facts of every file, then
/// suppressions, the baseline and the report.
/// `config` is trellis.yaml's `lint:` section, `rules` its top-level `rules:`
/// (a lint id given a severity there is also turned on).
pub fn run(
    repo: &Repo,
    config: &LintConfig,
    rules: &BTreeMap<RuleKey, RuleLevel>,
    options: &LintOptions,
) -> Result<Report, InputError> {
    let settings = timed("lint: settings", || {
        resolve_settings(repo, config, rules, options)
    })?;
    let selection = timed("lint: selection", || select_files(repo, options))?;
    let enabled = |id: &str| settings.severity(id).is_some();
    let needs_tables = registry::needed(Need::SharedTables, enabled);
    let needs_all_imports = registry::needed(Need::AllImports, enabled);
    let needs = FactNeeds {
        tables: needs_tables,
        all_imports: needs_all_imports,
        programs: registry::needed(Need::Programs, enabled),
    };
    let work = plan_work(repo, &selection, needs);
    let outcomes = timed("lint: files", || {
        analyse_files(repo, options, &settings, &selection.contents, &work, needs)
    });
    let mut files = gather_outcomes(outcomes);
    let facts = Facts::new(
        repo,
        std::mem::take(&mut files.go_facts),
        std::mem::take(&mut files.rust_facts),
        std::mem::take(&mut files.table_uses),
        selection.files.as_ref(),
    );
    let repository_findings = timed("lint: repository rules", || {
        check_repository(&settings, &facts)
    });
    files.findings.extend(repository_findings);
    if needs.programs {
        let programs = timed("lint: programs", || {
            go_programs::classify(repo, &std::mem::take(&mut files.program_files))
        });
        files.findings = skip_tool_code(&programs, files.findings);
    }
    files
        .findings
        .extend(unwalked_findings(repo, options, &settings));
    read_remaining_suppressions(&mut files, &selection.contents);
    let findings = apply_suppressions(repo, &settings, files.findings, &files.suppressions);
    let (findings, hidden) = apply_baseline(repo, options, &settings, &selection, findings)?;
    ensure_something_linted(repo, options, &selection, &files.counts)?;
    Ok(build_report(
        repo,
        &settings,
        &selection.contents,
        findings,
        &files.counts,
        hidden,
    ))
}

/// The effective rule set, after checking that `--rule` names known rules.
fn resolve_settings(
    repo: &Repo,
    config: &LintConfig,
    rules: &BTreeMap<RuleKey, RuleLevel>,
    options: &LintOptions,
) -> Result<Settings, InputError> {
    let config_file = repo.config.files.last().map(PathBuf::as_path);
    let settings = Settings::resolve(
        config,
        rules,
        &settings::ConfigSource::read(config_file),
        &options.only,
    )?;
    for id in &options.only {
        if registry::find(id).is_none() && !settings.custom.iter().any(|c| c.id == *id) {
            let ids = settings.known_ids();
            let hint = match crate::error::did_you_mean(id, ids.iter().map(String::as_str)) {
                Some(close) => format!("did you mean `{close}`?"),
                None => "run `trellis rules` for the list of rule ids".to_string(),
            };
            return Err(InputError::new(format!("unknown rule `{id}`")).help(hint));
        }
    }
    Ok(settings)
}

/// The files a run reports on and where their contents come from.
struct Selection<'r> {
    /// `None` reports on every file.
    files: Option<HashSet<String>>,
    contents: Contents<'r>,
    /// Staged files the repository walk did not list (new since it ran).
    extra_files: Vec<String>,
}

impl Selection<'_> {
    fn contains(&self, path: &str) -> bool {
        self.files.as_ref().is_none_or(|s| s.contains(path))
    }
}

/// `--staged`, `--changed-since` and the paths, each narrowing the others.
fn select_files<'r>(repo: &'r Repo, options: &LintOptions) -> Result<Selection<'r>, InputError> {
    let mut selection = Selection {
        files: None,
        contents: Contents {
            repo,
            staged: HashMap::new(),
        },
        extra_files: Vec::new(),
    };
    if options.staged || options.changed_since.is_some() {
        select_from_git(repo, options, &mut selection)?;
    }
    if !options.paths.is_empty() {
        let matching: HashSet<String> = repo
            .files
            .iter()
            .filter(|f| options.paths.iter().any(|p| under(f, p)))
            .cloned()
            .collect();
        selection.files = Some(narrow(selection.files, matching));
    }
    Ok(selection)
}

fn narrow(current: Option<HashSet<String>>, with: HashSet<String>) -> HashSet<String> {
    match current {
        Some(current) => current.intersection(&with).cloned().collect(),
        None => with,
    }
}

/// The staged files (with their index blobs) and the files changed since
/// the merge base, as paths relative to the repository root.
fn select_from_git(
    repo: &Repo,
    options: &LintOptions,
    selection: &mut Selection<'_>,
) -> Result<(), InputError> {
    let git = crate::git::Git::open(&repo.root)?;
    let prefix = git.prefix_of(&repo.root);
    // git names paths from its top level, which may be above the repository root.
    let in_repo = |path: &str| -> Option<String> {
        match &prefix {
            Some(p) if !p.is_empty() => path
                .strip_prefix(p.as_str())
                .and_then(|r| r.strip_prefix('/'))
                .map(str::to_string),
            _ => Some(path.to_string()),
        }
    };
    if options.staged {
        let mut set = HashSet::new();
        for file in git.staged()? {
            if let Some(path) = in_repo(&file.path) {
                if !repo.files.contains(&path) && !repo.is_excluded(&path) {
                    selection.extra_files.push(path.clone());
                }
                selection
                    .contents
                    .staged
                    .insert(path.clone(), git.blob(file.blob)?);
                set.insert(path);
            }
        }
        selection.files = Some(set);
    }
    if let Some(reference) = &options.changed_since {
        let target = git.resolve(reference)?;
        let head = git.head()?;
        let base = git.merge_base(head, target)?;
        let changed: HashSet<String> = git
            .changed_since(base)?
            .iter()
            .filter_map(|p| in_repo(p))
            .collect();
        selection.files = Some(narrow(selection.files.take(), changed));
    }
    Ok(())
}

/// Which facts repository rules need from files that are not reported on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FactNeeds {
    pub(crate) tables: bool,
    pub(crate) all_imports: bool,
    /// Every Go file's package, imports and server signals, to tell
    /// services from command-line tools.
    pub(crate) programs: bool,
}

/// One file to read: how to analyse it and whether it is reported on (the
/// others only yield facts for repository rules).
struct WorkItem<'a> {
    path: &'a str,
    kind: Kind,
    selected: bool,
}

fn plan_work<'a>(
    repo: &'a Repo,
    selection: &'a Selection<'_>,
    needs: FactNeeds,
) -> Vec<WorkItem<'a>> {
    let listed = repo.files.iter().map(String::as_str);
    let extra = selection.extra_files.iter().map(String::as_str);
    listed
        .chain(extra)
        .filter_map(|path| {
            let kind = kind_of(repo, path)?;
            let selected = selection.contains(path);
            let wanted = selected
                || (kind == Kind::Other && needs.tables)
                || (kind == Kind::Go && (needs.tables || needs.all_imports || needs.programs));
            wanted.then_some(WorkItem {
                path,
                kind,
                selected,
            })
        })
        .collect()
}

/// How a file is analysed, from its extension and the crate it is in: Rust
/// libraries are linted with the rules for all code, as Go ones are.
fn kind_of(repo: &Repo, path: &str) -> Option<Kind> {
    let in_rust_crate = |path: &str| {
        repo.service_for(path)
            .or_else(|| repo.library_for(path))
            .is_some_and(|s| s.language == Language::Rust)
    };
    let ext = path.rsplit_once('.').map(|(_, e)| e)?;
    match ext {
        "go" => Some(Kind::Go),
        "rs" if in_rust_crate(path) => Some(Kind::Rust),
        "rs" | "sql" => Some(Kind::Other),
        _ => None,
    }
}

/// Where a file's outcome came from, for the cache's `-v` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// The cache, by stat: the file was not read.
    Unchanged,
    /// The cache, by content hash.
    SameContent,
    Analysed,
    Unreadable,
}

struct Analysed<'a> {
    path: &'a str,
    selected: bool,
    outcome: FileOutcome,
    record: Option<cache::Record>,
    origin: Origin,
}

/// Every file's outcome, in parallel, from the cache where it still holds.
fn analyse_files<'a>(
    repo: &Repo,
    options: &LintOptions,
    settings: &Settings,
    contents: &Contents<'_>,
    work: &[WorkItem<'a>],
    needs: FactNeeds,
) -> Vec<Analysed<'a>> {
    let cache = if options.cache && !options.staged {
        cache::Cache::open(repo, &settings.fingerprint)
    } else {
        None
    };
    let outcomes: Vec<Analysed<'a>> = work
        .par_iter()
        .map(|item| analyse_file(repo, cache.as_ref(), settings, contents, item, needs))
        .collect();
    log_exemptions(&outcomes);
    if let Some(cache) = &cache {
        log_cache_use(&outcomes);
        let entries: Vec<_> = outcomes
            .iter()
            .filter_map(|a| Some((a.path, a.record.as_ref()?, &a.outcome)))
            .collect();
        cache.save(&entries);
    }
    outcomes
}

fn analyse_file<'a>(
    repo: &Repo,
    cache: Option<&cache::Cache>,
    settings: &Settings,
    contents: &Contents<'_>,
    item: &WorkItem<'a>,
    needs: FactNeeds,
) -> Analysed<'a> {
    let WorkItem {
        path,
        kind,
        selected,
    } = *item;
    let done = |outcome, record, origin| Analysed {
        path,
        selected,
        outcome,
        record,
        origin,
    };
    let service = repo.service_for(path).map(|s| s.name.as_str());
    let role = (kind == Kind::Rust).then(|| rust::Role::of(repo, path));
    let scope = cache.map(|_| cache::Scope {
        selected,
        service: service.map(str::to_string),
        rust_role: role,
    });
    let stat = scope
        .as_ref()
        .and_then(|_| cache::FileStat::of(&repo.absolute(path)));
    if let (Some(cache), Some(scope), Some(stat)) = (cache, &scope, &stat)
        && let Some((outcome, record)) = cache.get_unchanged(path, stat, scope)
    {
        return done(outcome, Some(record), Origin::Unchanged);
    }
    let Some(bytes) = contents.read(path) else {
        // Listed by the walk, gone or unreadable now: said, not skipped.
        let findings = if selected {
            let message = "cannot be read; not analysed".to_string();
            degraded_finding(settings, path, service, None, message, "unreadable")
                .into_iter()
                .collect()
        } else {
            Vec::new()
        };
        let outcome = FileOutcome {
            status: FileStatus::Other,
            findings,
            ..FileOutcome::default()
        };
        return done(outcome, None, Origin::Unreadable);
    };
    let key = cache.map(|_| cache::content_key(&bytes));
    if let (Some(cache), Some(scope), Some(key)) = (cache, &scope, &key)
        && let Some((outcome, mut record)) = cache.get(path, key, scope)
    {
        record.stat = stat;
        return done(outcome, Some(record), Origin::SameContent);
    }
    let outcome = if selected {
        let file = FileToAnalyse {
            path,
            service,
            kind,
            rust_role: role.unwrap_or_default(),
        };
        analyse(&file, &bytes, settings, needs)
    } else {
        facts_only(path, service, &bytes, kind, needs)
    };
    let record = match (cache, key, scope) {
        (Some(cache), Some(key), Some(scope)) => {
            cache.miss(path);
            Some(cache::Record { key, stat, scope })
        }
        _ => None,
    };
    done(outcome, record, Origin::Analysed)
}

/// Each would-be finding a convention or exemption silenced, at `-v`, in
/// the files of this run: what a reader asks when a finding they expected
/// is missing.
fn log_exemptions(outcomes: &[Analysed<'_>]) {
    if !log::log_enabled!(log::Level::Info) {
        return;
    }
    for analysed in outcomes.iter().filter(|a| a.selected) {
        for e in &analysed.outcome.exemptions {
            log::info!(
                "{} not reported at {}:{}: {}",
                e.rule,
                analysed.path,
                e.line,
                e.why
            );
        }
    }
}

fn log_cache_use(outcomes: &[Analysed<'_>]) {
    let count = |origin| outcomes.iter().filter(|a| a.origin == origin).count();
    log::info!(
        "lint cache: {} hits unchanged by stat, {} hits by content hash, {} misses analysed",
        count(Origin::Unchanged),
        count(Origin::SameContent),
        count(Origin::Analysed)
    );
}

/// How many selected files ended each way, for the stats and the
/// nothing-to-lint error.
#[derive(Debug, Default)]
struct FileCounts {
    analysed: usize,
    degraded: usize,
    generated: usize,
    binary: usize,
}

/// The per-file outcomes merged: findings and suppressions of reported
/// files, facts of every file.
#[derive(Default)]
struct Gathered<'a> {
    findings: Vec<Finding>,
    go_facts: Vec<GoFacts>,
    rust_facts: Vec<RustFacts>,
    table_uses: Vec<TableUse>,
    program_files: Vec<ProgramFile>,
    suppressions: BTreeMap<String, Vec<Suppression>>,
    /// Files whose suppressions were read with their analysis (most have none).
    suppressions_read: HashSet<&'a str>,
    counts: FileCounts,
}

fn gather_outcomes(outcomes: Vec<Analysed<'_>>) -> Gathered<'_> {
    let mut gathered = Gathered::default();
    for Analysed {
        path,
        selected,
        outcome,
        origin,
        ..
    } in outcomes
    {
        if origin == Origin::Unreadable {
            log::debug!("skipped {path}: cannot be read");
        }
        if selected {
            gathered.suppressions_read.insert(path);
            count_status(&mut gathered.counts, path, outcome.status);
            gathered.findings.extend(outcome.findings);
            if !outcome.suppressions.is_empty() {
                gathered
                    .suppressions
                    .insert(path.to_string(), outcome.suppressions);
            }
        }
        gathered.go_facts.extend(outcome.go);
        gathered.rust_facts.extend(outcome.rust);
        gathered.table_uses.extend(outcome.tables);
        gathered.program_files.extend(outcome.program);
    }
    gathered.table_uses.sort();
    gathered
}

fn count_status(counts: &mut FileCounts, path: &str, status: FileStatus) {
    match status {
        FileStatus::Analysed => counts.analysed += 1,
        FileStatus::Degraded => {
            counts.analysed += 1;
            counts.degraded += 1;
        }
        FileStatus::SkippedGenerated => {
            log::debug!("skipped {path}: generated code (lint.include-generated lints it)");
            counts.generated += 1;
        }
        FileStatus::Binary => {
            log::debug!("skipped {path}: binary content");
            counts.binary += 1;
        }
        FileStatus::Other => {}
    }
}

/// One `parse-degraded` finding for each path the walk could not take in,
/// under the paths linted.
fn unwalked_findings(repo: &Repo, options: &LintOptions, settings: &Settings) -> Vec<Finding> {
    // `--staged` and `--changed-since` runs look at the files they name;
    // a run on paths reports what it could not read under them.
    if options.staged || options.changed_since.is_some() {
        return Vec::new();
    }
    let Some(severity) = settings.severity("parse-degraded") else {
        return Vec::new();
    };
    repo.unwalked
        .iter()
        .filter(|u| options.paths.is_empty() || options.paths.iter().any(|p| under(&u.path, p)))
        .map(|u| {
            let message = format!("not read: {}; no rule saw what it holds", u.reason);
            Finding::new("parse-degraded", severity, &u.path, message, "unwalked")
                .service(repo.service_for(&u.path).map(|s| s.name.as_str()))
                .help("make it readable (or rename it to UTF-8), or exclude it in trellis.yaml")
        })
        .collect()
}

/// The findings of the enabled repository rules.
fn check_repository(settings: &Settings, facts: &Facts<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in registry::all() {
        let meta = rule.meta();
        if meta.target != Target::Repo {
            continue;
        }
        let Some(severity) = settings.severity(meta.id) else {
            continue;
        };
        let mut cx = Cx::new(settings, meta.id, severity, "", None);
        rule.check_repo(facts, &mut cx);
        findings.extend(cx.findings);
    }
    findings
}

/// Drops the findings of rules that do not apply to command-line tools
/// (go-structured-logging: printing is a tool's interface) in code only tools
/// reach, and says at `-v` which code that was and why.
fn skip_tool_code(programs: &Programs, findings: Vec<Finding>) -> Vec<Finding> {
    for program in &programs.programs {
        log::debug!(
            "program {}: {:?}, {}",
            if program.dir.is_empty() {
                "."
            } else {
                &program.dir
            },
            program.kind,
            program.reason()
        );
    }
    for code in programs.tool_only() {
        log::info!(
            "structured logging not checked in {}: {}",
            if code.dir.is_empty() { "." } else { code.dir },
            code.reason()
        );
    }
    // A tool's own functions are the roots of what it does, as main is.
    let tool_rules = [
        crate::registry::RuleId::GoStructuredLogging.as_str(),
        crate::registry::RuleId::GoContextBackground.as_str(),
    ];
    findings
        .into_iter()
        .filter(|f| {
            let skipped =
                tool_rules.contains(&f.rule.as_str()) && programs.tool_code(&f.path).is_some();
            if skipped && f.rule != tool_rules[0] {
                log::info!(
                    "{} not reported at {}:{}: code only command-line tools reach",
                    f.rule,
                    f.path,
                    f.line.unwrap_or(0)
                );
            }
            !skipped
        })
        .collect()
}

/// Suppressions in files that only repository rules reported on (.sql, go.mod).
fn read_remaining_suppressions(files: &mut Gathered<'_>, contents: &Contents<'_>) {
    let mut paths_with_findings: Vec<&str> =
        files.findings.iter().map(|f| f.path.as_str()).collect();
    paths_with_findings.sort_unstable();
    paths_with_findings.dedup();
    for path in paths_with_findings {
        if files.suppressions_read.contains(path) || path.is_empty() {
            continue;
        }
        if let Some(bytes) = contents.read(path)
            && let Ok(text) = std::str::from_utf8(&bytes)
        {
            let list = suppress::parse(text);
            if !list.is_empty() {
                files.suppressions.insert(path.to_string(), list);
            }
        }
    }
}

/// Drops suppressed findings, reports unused or malformed suppressions, and
/// adds the configuration's own findings.
fn apply_suppressions(
    repo: &Repo,
    settings: &Settings,
    findings: Vec<Finding>,
    suppressions: &BTreeMap<String, Vec<Suppression>>,
) -> Vec<Finding> {
    let known = settings.known_ids();
    let service_of = |path: &str| repo.service_for(path).map(|s| s.name.clone());
    let mut findings = suppress::apply(
        findings,
        suppressions,
        &known,
        &settings.enabled,
        &service_of,
    );
    findings.extend(settings.config_findings.iter().cloned());
    findings
}

/// The findings `--baseline` does not hide, and how many it hid.
fn apply_baseline(
    repo: &Repo,
    options: &LintOptions,
    settings: &Settings,
    selection: &Selection<'_>,
    findings: Vec<Finding>,
) -> Result<(Vec<Finding>, Option<usize>), InputError> {
    let Some(path) = &options.baseline else {
        return Ok((findings, None));
    };
    let baseline = baseline::Baseline::read(path)?;
    let shown = path
        .canonicalize()
        .ok()
        .and_then(|p| crate::repo::relative_path(&repo.root, &p))
        .unwrap_or_else(|| path.display().to_string());
    let is_selected = |p: &str| selection.contains(p);
    let (kept, count) = baseline.apply(
        findings,
        &shown,
        settings.severity("baseline-stale"),
        &is_selected,
    );
    Ok((kept, Some(count)))
}

/// A run that analysed nothing is an input error (a wrong directory or
/// paths), unless a selection simply held no source files.
fn ensure_something_linted(
    repo: &Repo,
    options: &LintOptions,
    selection: &Selection<'_>,
    counts: &FileCounts,
) -> Result<(), InputError> {
    let nothing_selected = selection.files.as_ref().is_some_and(|s| {
        !s.iter()
            .any(|p| matches!(kind_of(repo, p), Some(Kind::Go | Kind::Rust)))
    });
    if counts.analysed > 0 || (nothing_selected && options.paths.is_empty()) {
        return Ok(());
    }
    // What could not be read there is reported: that is something to say.
    let unread_here = |u: &crate::repo::Unwalked| {
        options.paths.is_empty() || options.paths.iter().any(|p| under(&u.path, p))
    };
    if !options.staged && options.changed_since.is_none() && repo.unwalked.iter().any(unread_here) {
        return Ok(());
    }
    let what = if options.paths.is_empty() {
        format!("no Go or Rust files to lint in {}", repo.root.display())
    } else {
        format!(
            "no Go or Rust files to lint under {}",
            options.paths.join(", ")
        )
    };
    let (generated, binary) = (counts.generated, counts.binary);
    let err = InputError::new(what);
    Err(if generated + binary > 0 {
        err.help(format!(
            "{generated} generated and {binary} binary files were skipped; set lint.include-generated to lint generated code"
        ))
    } else {
        err.help("run trellis in a repository with Go or Rust services, or check `exclude:` in trellis.yaml")
    })
}

fn build_report(
    repo: &Repo,
    settings: &Settings,
    contents: &Contents<'_>,
    findings: Vec<Finding>,
    counts: &FileCounts,
    hidden: Option<usize>,
) -> Report {
    let mut report = Report::new("lint");
    // Staged findings quote the index, which may differ from the work tree.
    for finding in &findings {
        if let Some(bytes) = contents.staged.get(&finding.path)
            && !report.sources.contains_key(&finding.path)
        {
            let text = String::from_utf8_lossy(bytes).into_owned();
            report.sources.insert(finding.path.clone(), text);
        }
    }
    report.findings = findings;
    report.rules = enabled_rule_infos(settings);
    report.stats = report_stats(repo, counts, hidden, report.rules.len());
    report
}

/// The enabled built-in rules by id, then the enabled custom rules.
fn enabled_rule_infos(settings: &Settings) -> Vec<RuleInfo> {
    let mut ids: Vec<&str> = settings.enabled.keys().map(String::as_str).collect();
    ids.sort_unstable();
    ids.iter()
        .filter_map(|id| registry::find(id).map(|r| r.meta().info()))
        .chain(settings.custom.iter().filter_map(|c| {
            settings.severity(&c.id).map(|severity| RuleInfo {
                id: c.id.clone(),
                job: "lint".to_string(),
                default_severity: severity,
                summary: c.message.clone(),
                docs: format!("Custom rule from trellis.yaml.\n\n{}", c.message),
            })
        }))
        .collect()
}

fn report_stats(
    repo: &Repo,
    counts: &FileCounts,
    hidden: Option<usize>,
    rules: usize,
) -> Vec<(String, String)> {
    let mut stats = vec![
        ("files analysed".to_string(), counts.analysed.to_string()),
        ("degraded".to_string(), counts.degraded.to_string()),
        (
            "skipped generated".to_string(),
            counts.generated.to_string(),
        ),
    ];
    if counts.binary > 0 {
        stats.push(("binary".to_string(), counts.binary.to_string()));
    }
    if let Some(count) = hidden {
        stats.push(("baselined".to_string(), count.to_string()));
    }
    stats.push(("rules".to_string(), rules.to_string()));
    if !repo.skipped_modules.is_empty() {
        // Say once why whole modules were not analysed: Go does not build them.
        stats.push((
            "go.mod outside go.work".to_string(),
            format!(
                "{} not analysed (`trellis services` lists them)",
                repo.skipped_modules.len()
            ),
        ));
    }
    stats
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Go,
    Rust,
    /// SQL files and Rust files outside Rust services: read for tables only.
    Other,
}

fn under(path: &str, prefix: &str) -> bool {
    let prefix = prefix.trim_end_matches('/');
    prefix.is_empty()
        || prefix == "."
        || path == prefix
        || (path.starts_with(prefix) && path.as_bytes().get(prefix.len()) == Some(&b'/'))
}

fn is_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(8000).any(|b| *b == 0)
}

fn degraded_finding(
    settings: &Settings,
    path: &str,
    service: Option<&str>,
    span: Option<Span>,
    message: String,
    key: &str,
) -> Option<Finding> {
    let severity = settings.severity("parse-degraded")?;
    let mut f = Finding::new("parse-degraded", severity, path, message, key).service(service);
    if let Some(span) = span {
        f = f.at(span);
    }
    Some(f.help("fix the syntax so every rule can see the whole file; generated files can be marked `// Code generated ... DO NOT EDIT.`"))
}

fn too_large_finding(
    settings: &Settings,
    path: &str,
    service: Option<&str>,
    size: usize,
) -> Option<Finding> {
    let severity = settings.severity("parse-degraded")?;
    let message = format!(
        "{size} bytes, more than lint.max-file-size ({} bytes); not analysed",
        settings.max_file_size
    );
    let finding = Finding::new("parse-degraded", severity, path, message, "too-large");
    Some(finding.service(service).help(
        "raise lint.max-file-size in trellis.yaml to analyse it, or exclude the path if it is generated",
    ))
}

/// Decodes a source file; non-UTF-8 is decoded lossily and reported.
fn decode(
    bytes: &[u8],
    settings: &Settings,
    path: &str,
    service: Option<&str>,
    findings: &mut Vec<Finding>,
) -> (String, bool) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), false),
        Err(e) => {
            let offset = e.valid_up_to();
            let line = bytes[..offset].iter().filter(|b| **b == b'\n').count() as u32 + 1;
            findings.extend(degraded_finding(
                settings,
                path,
                service,
                Some(Span::point(line, 1)),
                format!("not valid UTF-8 (byte {offset}); checked after replacing invalid bytes"),
                "utf8",
            ));
            (String::from_utf8_lossy(bytes).into_owned(), true)
        }
    }
}

/// Parses one file and runs its per-file rules.
/// A selected file and what the repository model says about it.
pub(crate) struct FileToAnalyse<'a> {
    pub(crate) path: &'a str,
    pub(crate) service: Option<&'a str>,
    pub(crate) kind: Kind,
    pub(crate) rust_role: rust::Role,
}

pub(crate) fn analyse(
    file: &FileToAnalyse<'_>,
    bytes: &[u8],
    settings: &Settings,
    needs: FactNeeds,
) -> FileOutcome {
    let FileToAnalyse {
        path,
        service,
        kind,
        rust_role,
    } = *file;
    let mut outcome = FileOutcome::default();
    if kind != Kind::Other && bytes.len() as u64 > settings.max_file_size {
        outcome.status = FileStatus::Degraded;
        outcome
            .findings
            .extend(too_large_finding(settings, path, service, bytes.len()));
        return outcome;
    }
    if is_binary(bytes) {
        if kind != Kind::Other {
            outcome.status = FileStatus::Binary;
            outcome.findings.extend(degraded_finding(
                settings,
                path,
                service,
                None,
                "binary content in a source file; not analysed".to_string(),
                "binary",
            ));
        } else {
            outcome.status = FileStatus::Other;
        }
        return outcome;
    }
    let (text, lossy) = decode(bytes, settings, path, service, &mut outcome.findings);
    if needs.programs && kind == Kind::Go {
        outcome.program = Some(go_skim::program_file(path, &text));
    }
    if needs.tables {
        outcome.tables = tables::table_uses_in(path, &text, service.unwrap_or(""));
    }
    outcome.suppressions = suppress::parse(&text);
    match kind {
        Kind::Go => analyse_go(path, service, &text, settings, &mut outcome),
        Kind::Rust => analyse_rust(path, service, rust_role, &text, settings, &mut outcome),
        Kind::Other => outcome.status = FileStatus::Other,
    }
    if lossy && outcome.status == FileStatus::Analysed {
        outcome.status = FileStatus::Degraded;
    }
    outcome
}

fn analyse_go(
    path: &str,
    service: Option<&str>,
    text: &str,
    settings: &Settings,
    outcome: &mut FileOutcome,
) {
    if !settings.include_generated && go::is_generated(path, text) {
        outcome.status = FileStatus::SkippedGenerated;
        outcome.findings.clear();
        outcome.suppressions.clear();
        return;
    }
    let ranges = if settings.parse_all_bodies {
        None
    } else {
        go_skim::included_ranges(text, |package| {
            body_interest(path, service, package, settings)
        })
    };
    let Some(tree) = go::parse_ranges(text, ranges.as_deref().unwrap_or_default()) else {
        outcome.status = FileStatus::Degraded;
        outcome.findings.extend(degraded_finding(
            settings,
            path,
            service,
            None,
            "tree-sitter could not parse the file; not analysed".to_string(),
            "parse",
        ));
        return;
    };
    let file = go::GoFile::new(path, service, text, &tree);
    if let Some(first) = file.errors.first() {
        outcome.status = FileStatus::Degraded;
        let span = file.span(*first);
        let what = if first.is_missing() {
            format!("missing `{}`", first.kind())
        } else if go::is_top_level_statement(*first)
            && first.parent().is_some_and(|p| p.parent().is_none())
        {
            "a statement outside any function (Go allows only declarations at file level)"
                .to_string()
        } else {
            "syntax error".to_string()
        };
        outcome.findings.extend(degraded_finding(
            settings,
            path,
            service,
            Some(span),
            format!(
                "{what} at {}:{} ({} error node{}); the rest of the file was checked",
                span.line,
                span.column,
                file.errors.len(),
                if file.errors.len() == 1 { "" } else { "s" }
            ),
            "parse",
        ));
    }
    for (rule, severity) in enabled_go_rules(settings) {
        let mut cx = Cx::new(settings, rule.meta().id, severity, path, service);
        rule.check_go(&file, &mut cx);
        outcome.exemptions.extend(cx.exemptions());
        outcome.findings.extend(cx.findings);
    }
    for (check, severity) in go_custom_checks(settings, path) {
        let mut cx = Cx::new(settings, &check.id, severity, path, service);
        check.check_go(&file, &mut cx);
        outcome.exemptions.extend(cx.exemptions());
        outcome.findings.extend(cx.findings);
    }
    outcome.go = Some(GoFacts {
        path: path.to_string(),
        package: file.package.clone(),
        is_test: file.is_test,
        imports: file.imports.clone(),
    });
}

/// What the enabled Go rules and custom checks look for inside the bodies of
/// this file.
fn body_interest<'s>(
    path: &str,
    service: Option<&str>,
    package: &str,
    settings: &'s Settings,
) -> go_skim::BodyInterest<'s> {
    let header = go_skim::FileHeader {
        path,
        service,
        package,
        is_test: go::is_test_path(path),
    };
    let mut interest = go_skim::BodyInterest::default();
    for (rule, _) in enabled_go_rules(settings) {
        rule.go_body_interest(&header, settings, &mut interest);
    }
    for (check, _) in go_custom_checks(settings, path) {
        check.go_body_interest(&mut interest);
    }
    interest
}

/// The built-in Go rules this run reports, with their severities.
fn enabled_go_rules(
    settings: &Settings,
) -> impl Iterator<Item = (&'static dyn Rule, Severity)> + '_ {
    registry::all().iter().filter_map(|rule| {
        let meta = rule.meta();
        if meta.target != Target::Go {
            return None;
        }
        Some((*rule, settings.severity(meta.id)?))
    })
}

/// The custom Go checks that apply to `path`, with their severities.
fn go_custom_checks<'s>(
    settings: &'s Settings,
    path: &str,
) -> impl Iterator<Item = (&'s custom::CustomCheck, Severity)> {
    settings.custom.iter().filter_map(move |check| {
        if check.is_rust() || !check.applies_to(path) {
            return None;
        }
        Some((check, settings.severity(&check.id)?))
    })
}

fn analyse_rust(
    path: &str,
    service: Option<&str>,
    role: rust::Role,
    text: &str,
    settings: &Settings,
    outcome: &mut FileOutcome,
) {
    for check in &settings.custom {
        let Some(severity) = settings.severity(&check.id) else {
            continue;
        };
        if !check.is_rust() || !check.applies_to(path) {
            continue;
        }
        let mut cx = Cx::new(settings, &check.id, severity, path, service);
        check.check_rust_source(text, &mut cx);
        outcome.exemptions.extend(cx.exemptions());
        outcome.findings.extend(cx.findings);
    }
    if let Some(depth) = rust::nesting_estimate(text)
        && depth > rust::MAX_NESTING
    {
        outcome.status = FileStatus::Degraded;
        outcome.findings.extend(degraded_finding(
            settings,
            path,
            service,
            None,
            format!(
                "nested about {depth} levels deep, more than the {} syn can parse safely; only custom queries were checked",
                rust::MAX_NESTING
            ),
            "depth",
        ));
        return;
    }
    let ast = match syn::parse_file(text) {
        Ok(ast) => ast,
        Err(e) => {
            outcome.status = FileStatus::Degraded;
            let start = e.span().start();
            let span = Span::point(start.line as u32, start.column as u32 + 1);
            outcome.findings.extend(degraded_finding(
                settings,
                path,
                service,
                Some(span),
                format!("syn cannot parse the file ({e}); only custom queries were checked"),
                "parse",
            ));
            return;
        }
    };
    let file = rust::RustFile::new(path, text, &ast, role);
    for rule in registry::all() {
        let meta = rule.meta();
        if meta.target != Target::Rust {
            continue;
        }
        let Some(severity) = settings.severity(meta.id) else {
            continue;
        };
        let mut cx = Cx::new(settings, meta.id, severity, path, service);
        rule.check_rust(&file, &mut cx);
        outcome.exemptions.extend(cx.exemptions());
        outcome.findings.extend(cx.findings);
    }
    outcome.rust = Some(RustFacts {
        path: path.to_string(),
        is_test: file.is_test_path,
        uses: rust::used_crates(&ast),
    });
}

/// Facts of a file that is not reported on (imports for the cycle check, tables).
fn facts_only(
    path: &str,
    service: Option<&str>,
    bytes: &[u8],
    kind: Kind,
    needs: FactNeeds,
) -> FileOutcome {
    let mut outcome = FileOutcome {
        status: FileStatus::Other,
        ..FileOutcome::default()
    };
    if is_binary(bytes) {
        return outcome;
    }
    let text = String::from_utf8_lossy(bytes);
    if needs.programs && kind == Kind::Go {
        outcome.program = Some(go_skim::program_file(path, &text));
    }
    if needs.tables {
        outcome.tables = tables::table_uses_in(path, &text, service.unwrap_or(""));
    }
    if kind == Kind::Go && !go::is_generated(path, &text) {
        outcome.go = Some(GoFacts {
            path: path.to_string(),
            package: String::new(),
            is_test: path.ends_with("_test.go"),
            imports: go::quick_imports(&text),
        });
    }
    outcome
}
