//! `trellis lint`: architecture and service-code rules for Go and Rust.
//!
//! Files are parsed in parallel (one tree-sitter parser per rayon worker), each
//! file's rules run right after its parse, then repository rules run over the
//! facts of every file (imports, table uses). Suppressions and the baseline are
//! applied last.

pub mod baseline;
pub mod cache;
pub mod config;
pub mod custom;
pub mod facts;
pub mod go;
pub mod go_skim;
pub mod registry;
pub mod rule;
pub mod rules;
pub mod rust;
pub mod settings;
pub mod suppress;

pub use config::LintConfig;
pub use settings::Settings;

use crate::error::InputError;
use crate::registry::Need;
use crate::repo::tables::{self, TableUse};
use crate::repo::{Language, Repo};
use crate::report::{Finding, Report, RuleInfo, Severity, Span};
use facts::{Facts, GoFacts, RustFacts};
use rayon::prelude::*;
use rule::{Cx, Rule, Target};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
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

/// Every built-in lint rule, for `trellis rules` and `trellis explain`.
pub fn rules() -> Vec<RuleInfo> {
    registry::all().iter().map(|r| r.meta().info()).collect()
}

/// The result of one file: cached by content hash and rule set.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FileOutcome {
    pub findings: Vec<Finding>,
    pub go: Option<GoFacts>,
    pub rust: Option<RustFacts>,
    pub status: FileStatus,
    pub suppressions: Vec<Suppression>,
    pub tables: Vec<TableUse>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileStatus {
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

/// Lints a repository.
pub fn run(repo: &Repo, options: &LintOptions) -> Result<Report, InputError> {
    let config_file = repo.config.files.last().map(PathBuf::as_path);
    let settings = Settings::resolve(
        &repo.config.config.lint,
        &repo.config.config.rules,
        config_file,
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

    // Which files to report on.
    let mut selection: Option<HashSet<String>> = None;
    let mut contents = Contents {
        repo,
        staged: HashMap::new(),
    };
    let mut extra_files: Vec<String> = Vec::new();
    if options.staged || options.changed_since.is_some() {
        let git = crate::git::Git::open(&repo.root)?;
        let prefix = git.prefix_of(&repo.root);
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
                        extra_files.push(path.clone());
                    }
                    contents.staged.insert(path.clone(), git.blob(file.blob)?);
                    set.insert(path);
                }
            }
            selection = Some(set);
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
            selection = Some(match selection {
                Some(current) => current.intersection(&changed).cloned().collect(),
                None => changed,
            });
        }
    }
    if !options.paths.is_empty() {
        let matching: HashSet<String> = repo
            .files
            .iter()
            .filter(|f| options.paths.iter().any(|p| under(f, p)))
            .cloned()
            .collect();
        selection = Some(match selection {
            Some(current) => current.intersection(&matching).cloned().collect(),
            None => matching,
        });
    }

    let mut all_files: Vec<&str> = repo.files.iter().map(String::as_str).collect();
    all_files.extend(extra_files.iter().map(String::as_str));
    // Rust libraries are linted with the rules for all code, as Go ones are.
    let in_rust_crate = |path: &str| {
        repo.service_for(path)
            .or_else(|| repo.library_for(path))
            .is_some_and(|s| s.language == Language::Rust)
    };
    let kind_of = |path: &str| -> Option<Kind> {
        let ext = path.rsplit_once('.').map(|(_, e)| e)?;
        match ext {
            "go" => Some(Kind::Go),
            "rs" if in_rust_crate(path) => Some(Kind::Rust),
            "rs" | "sql" => Some(Kind::Other),
            _ => None,
        }
    };
    let enabled = |id: &str| settings.severity(id).is_some();
    let needs_tables = crate::registry::needed(Need::SharedTables, enabled);
    let needs_all_imports = crate::registry::needed(Need::AllImports, enabled);
    let work: Vec<(&str, Kind, bool)> = all_files
        .iter()
        .filter_map(|path| {
            let kind = kind_of(path)?;
            let selected = selection.as_ref().is_none_or(|s| s.contains(*path));
            let wanted = selected
                || (kind == Kind::Other && needs_tables)
                || (kind == Kind::Go && (needs_tables || needs_all_imports));
            wanted.then_some((*path, kind, selected))
        })
        .collect();

    let cache = if options.cache && !options.staged {
        cache::Cache::open(repo, &settings.fingerprint)
    } else {
        None
    };
    let outcomes: Vec<(&str, bool, FileOutcome, Option<cache::Record>)> = work
        .par_iter()
        .map(|(path, kind, selected)| {
            let service = repo.service_for(path).map(|s| s.name.as_str());
            let scope = cache.as_ref().map(|_| cache::Scope {
                selected: *selected,
                service: service.map(str::to_string),
            });
            let stat = scope
                .as_ref()
                .and_then(|_| cache::FileStat::of(&repo.absolute(path)));
            if let (Some(cache), Some(scope), Some(stat)) = (&cache, &scope, &stat)
                && let Some((outcome, record)) = cache.get_unchanged(path, stat, scope)
            {
                return (*path, *selected, outcome, Some(record));
            }
            let Some(bytes) = contents.read(path) else {
                let outcome = FileOutcome {
                    status: FileStatus::Other,
                    ..FileOutcome::default()
                };
                return (*path, *selected, outcome, None);
            };
            let key = cache.as_ref().map(|_| cache::content_key(&bytes));
            if let (Some(cache), Some(scope), Some(key)) = (&cache, &scope, &key)
                && let Some((outcome, mut record)) = cache.get(path, key, scope)
            {
                record.stat = stat;
                return (*path, *selected, outcome, Some(record));
            }
            let outcome = if *selected {
                analyse(path, service, &bytes, *kind, &settings, needs_tables)
            } else {
                facts_only(path, service, &bytes, *kind, needs_tables)
            };
            let record = match (&cache, key, scope) {
                (Some(cache), Some(key), Some(scope)) => {
                    cache.miss(path);
                    Some(cache::Record { key, stat, scope })
                }
                _ => None,
            };
            (*path, *selected, outcome, record)
        })
        .collect();
    if let Some(cache) = &cache {
        let entries: Vec<_> = outcomes
            .iter()
            .filter_map(|(path, _, outcome, record)| Some((*path, record.as_ref()?, outcome)))
            .collect();
        cache.save(&entries);
    }

    let mut findings: Vec<Finding> = Vec::new();
    let mut go_facts = Vec::new();
    let mut rust_facts = Vec::new();
    let mut table_uses = Vec::new();
    let mut suppressions: BTreeMap<String, Vec<Suppression>> = BTreeMap::new();
    // Files whose suppressions were read with their analysis (most have none).
    let mut suppressions_read: HashSet<&str> = HashSet::new();
    let (mut analysed, mut degraded, mut generated, mut binary) = (0usize, 0usize, 0usize, 0usize);
    for (path, selected, outcome, _) in outcomes {
        if selected {
            suppressions_read.insert(path);
            match outcome.status {
                FileStatus::Analysed => analysed += 1,
                FileStatus::Degraded => {
                    analysed += 1;
                    degraded += 1;
                }
                FileStatus::SkippedGenerated => generated += 1,
                FileStatus::Binary => binary += 1,
                FileStatus::Other => {}
            }
            findings.extend(outcome.findings);
            if !outcome.suppressions.is_empty() {
                suppressions.insert(path.to_string(), outcome.suppressions);
            }
        }
        go_facts.extend(outcome.go);
        rust_facts.extend(outcome.rust);
        table_uses.extend(outcome.tables);
    }
    table_uses.sort();

    let selection_ref = selection.as_ref();
    let facts = Facts::new(repo, go_facts, rust_facts, table_uses, selection_ref);
    for rule in registry::all() {
        let meta = rule.meta();
        if meta.target != Target::Repo {
            continue;
        }
        let Some(severity) = settings.severity(meta.id) else {
            continue;
        };
        let mut cx = Cx::new(&settings, meta.id, severity, "", None);
        rule.check_repo(&facts, &mut cx);
        findings.extend(cx.findings);
    }

    // Suppressions in files that only repository rules reported on (.sql, go.mod).
    let mut paths_with_findings: Vec<&str> = findings.iter().map(|f| f.path.as_str()).collect();
    paths_with_findings.sort_unstable();
    paths_with_findings.dedup();
    for path in paths_with_findings {
        if suppressions_read.contains(path) || path.is_empty() {
            continue;
        }
        if let Some(bytes) = contents.read(path)
            && let Ok(text) = std::str::from_utf8(&bytes)
        {
            let list = suppress::parse(text);
            if !list.is_empty() {
                suppressions.insert(path.to_string(), list);
            }
        }
    }
    let known = settings.known_ids();
    let service_of = |path: &str| repo.service_for(path).map(|s| s.name.clone());
    let mut findings = suppress::apply(
        findings,
        &suppressions,
        &known,
        &settings.enabled,
        &service_of,
    );
    findings.extend(settings.config_findings.iter().cloned());

    let mut hidden = None;
    if let Some(path) = &options.baseline {
        let baseline = baseline::Baseline::read(path)?;
        let shown = path
            .canonicalize()
            .ok()
            .and_then(|p| crate::repo::relative_path(&repo.root, &p))
            .unwrap_or_else(|| path.display().to_string());
        let is_selected = |p: &str| selection_ref.is_none_or(|s| s.contains(p));
        let (kept, count) = baseline.apply(
            findings,
            &shown,
            settings.severity("baseline-stale"),
            &is_selected,
        );
        findings = kept;
        hidden = Some(count);
    }

    let nothing_selected = selection.as_ref().is_some_and(|s| {
        !s.iter()
            .any(|p| matches!(kind_of(p), Some(Kind::Go | Kind::Rust)))
    });
    if analysed == 0 && !(nothing_selected && options.paths.is_empty()) {
        let what = if options.paths.is_empty() {
            format!("no Go or Rust files to lint in {}", repo.root.display())
        } else {
            format!(
                "no Go or Rust files to lint under {}",
                options.paths.join(", ")
            )
        };
        let mut err = InputError::new(what);
        err = if generated + binary > 0 {
            err.help(format!(
                "{generated} generated and {binary} binary files were skipped; set lint.include-generated to lint generated code"
            ))
        } else {
            err.help("run trellis in a repository with Go or Rust services, or check `exclude:` in trellis.yaml")
        };
        return Err(err);
    }

    let mut report = Report::new("lint");
    for finding in &findings {
        if let Some(bytes) = contents.staged.get(&finding.path)
            && !report.sources.contains_key(&finding.path)
        {
            let text = String::from_utf8_lossy(bytes).into_owned();
            report.sources.insert(finding.path.clone(), text);
        }
    }
    report.findings = findings;
    let mut ids: Vec<&str> = settings.enabled.keys().map(String::as_str).collect();
    ids.sort_unstable();
    report.rules = ids
        .iter()
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
        .collect();
    report.stats = vec![
        ("files analysed".to_string(), analysed.to_string()),
        ("degraded".to_string(), degraded.to_string()),
        ("skipped generated".to_string(), generated.to_string()),
    ];
    if binary > 0 {
        report
            .stats
            .push(("binary".to_string(), binary.to_string()));
    }
    if let Some(count) = hidden {
        report
            .stats
            .push(("baselined".to_string(), count.to_string()));
    }
    report
        .stats
        .push(("rules".to_string(), report.rules.len().to_string()));
    if !repo.skipped_modules.is_empty() {
        // Say once why whole modules were not analysed: Go does not build them.
        report.stats.push((
            "go.mod outside go.work".to_string(),
            format!(
                "{} not analysed (`trellis services` lists them)",
                repo.skipped_modules.len()
            ),
        ));
    }
    Ok(report)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
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
fn analyse(
    path: &str,
    service: Option<&str>,
    bytes: &[u8],
    kind: Kind,
    settings: &Settings,
    tables_wanted: bool,
) -> FileOutcome {
    let mut outcome = FileOutcome::default();
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
    if tables_wanted {
        outcome.tables = tables::table_uses_in(path, &text, service.unwrap_or(""));
    }
    outcome.suppressions = suppress::parse(&text);
    match kind {
        Kind::Go => analyse_go(path, service, &text, settings, &mut outcome),
        Kind::Rust => analyse_rust(path, service, &text, settings, &mut outcome),
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
        outcome.findings.extend(cx.findings);
    }
    for (check, severity) in go_custom_checks(settings, path) {
        let mut cx = Cx::new(settings, &check.id, severity, path, service);
        check.check_go(&file, &mut cx);
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
        outcome.findings.extend(cx.findings);
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
    let file = rust::RustFile::new(path, text, &ast);
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
        outcome.findings.extend(cx.findings);
    }
    outcome.rust = Some(RustFacts {
        path: path.to_string(),
        crates: rust::used_crates(&ast),
    });
}

/// Facts of a file that is not reported on (imports for the cycle check, tables).
fn facts_only(
    path: &str,
    service: Option<&str>,
    bytes: &[u8],
    kind: Kind,
    tables_wanted: bool,
) -> FileOutcome {
    let mut outcome = FileOutcome {
        status: FileStatus::Other,
        ..FileOutcome::default()
    };
    if is_binary(bytes) {
        return outcome;
    }
    let text = String::from_utf8_lossy(bytes);
    if tables_wanted {
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
