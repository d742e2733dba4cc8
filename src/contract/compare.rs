//! One comparison: which files to compile (only what changed, and what
//! depends on it), the rules over the pair, and buf's ignore semantics.

use super::compile::{ImportFiles, compile};
use super::config::{self, ContractConfig};
use super::model::{Loc, Model};
use super::rules::{self, Hit, Pair, Rule, Side, Sink};
use super::source::{Header, Layout, ProtoSet, layout, scan_header, under};
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
pub struct Settings {
    pub rules: Vec<&'static Rule>,
    pub roots: Vec<String>,
    pub ignore: Vec<String>,
    /// Rule ids -> paths where they do not run.
    pub ignore_only: Vec<(Vec<&'static str>, Vec<String>)>,
    pub ignore_unstable_packages: bool,
    pub field_no_reuse: bool,
    /// Where the configuration came from, for messages.
    pub origin: String,
    /// Import-only files (`contract.imports`, buf's module cache).
    pub imports: Arc<ImportFiles>,
}

impl Settings {
    /// From trellis.yaml's `contract:` section, or the repository's buf.yaml
    /// `breaking:` section when trellis.yaml sets none of its keys.
    pub fn from_repo(
        repo: &Repo,
        use_override: &[String],
        field_no_reuse: bool,
    ) -> Result<Settings, InputError> {
        let mut contract = repo.config.config.contract.clone();
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
        Ok(settings)
    }

    pub fn new(
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
            origin,
            imports: Arc::default(),
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
    pub name: String,
    pub side: Side,
    pub loc: Option<Loc>,
    pub message: String,
    pub key: String,
    /// For a deleted file: reported at the old path (buf gives no path at all).
    pub deleted_file: bool,
}

/// The outcome of comparing two sides.
#[derive(Debug, Default)]
pub struct Comparison {
    pub findings: Vec<ContractFinding>,
    pub rules: Vec<&'static Rule>,
    pub old_label: String,
    pub new_label: String,
    /// Files on each side, files compiled on each side, findings dropped by ignores.
    pub stats: Vec<(String, String)>,
    /// The compiled new side (only the compared files), for follow-up checks.
    pub new_model: Model,
    /// The compiled old side (only the compared files).
    pub old_model: Model,
    pub new_layout: Layout,
    /// Texts of the files new-side findings point into, when the new side is
    /// not the work tree (the index, a commit), so snippets show what was compared.
    pub new_sources: HashMap<String, String>,
}

/// Reads the headers (package, imports) of every file of a side.
fn headers(set: &ProtoSet, layout: &Layout) -> HashMap<String, Header> {
    layout
        .names
        .par_iter()
        .filter_map(|(name, path)| {
            set.files
                .get(path)
                .map(|f| (name.clone(), scan_header(&f.text)))
        })
        .collect()
}

/// Files imported from outside the side (the well-known types), with what they import.
fn external_imports(headers: &HashMap<String, Header>, layout: &Layout) -> BTreeSet<String> {
    let google = GoogleFileResolver::new();
    let mut out = BTreeSet::new();
    let mut stack: Vec<String> = headers
        .values()
        .flat_map(|h| h.imports.iter())
        .filter(|i| !layout.names.contains_key(*i))
        .cloned()
        .collect();
    while let Some(name) = stack.pop() {
        if !out.insert(name.clone()) {
            continue;
        }
        if let Ok(file) = google.open_file(&name) {
            for dependency in &file.file_descriptor_proto().dependency {
                if !layout.names.contains_key(dependency) {
                    stack.push(dependency.clone());
                }
            }
        }
    }
    out
}

pub fn compare(
    old: &ProtoSet,
    new: &ProtoSet,
    settings: &Settings,
    paths: &[String],
) -> Result<Comparison, InputError> {
    let (old_layout, new_layout) = (layout(old, &settings.roots)?, layout(new, &settings.roots)?);
    let blob = |set: &ProtoSet, layout: &Layout, name: &str| {
        layout
            .names
            .get(name)
            .and_then(|path| set.files.get(path))
            .map(|f| f.id)
    };
    // Files whose content differs, appeared or disappeared.
    let mut changed: BTreeSet<String> = BTreeSet::new();
    for name in new_layout.names.keys() {
        if blob(old, &old_layout, name) != blob(new, &new_layout, name) {
            changed.insert(name.clone());
        }
    }
    for name in old_layout.names.keys() {
        if !new_layout.names.contains_key(name) {
            changed.insert(name.clone());
        }
    }
    let mut targets = changed.clone();
    let mut old_external = BTreeSet::new();
    let mut new_external = BTreeSet::new();
    if !changed.is_empty() {
        let (old_headers, new_headers) =
            rayon::join(|| headers(old, &old_layout), || headers(new, &new_layout));
        // buf compares imported files (the well-known types) too: when the
        // set of them changes, both sides' imports are compared.
        let (old_imports, new_imports) = (
            external_imports(&old_headers, &old_layout),
            external_imports(&new_headers, &new_layout),
        );
        if old_imports != new_imports {
            old_external = old_imports;
            new_external = new_imports;
        }
        // Importers see a changed type through their fields and RPCs.
        for side in [&old_headers, &new_headers] {
            for (name, header) in side {
                if header.imports.iter().any(|i| changed.contains(i)) {
                    targets.insert(name.clone());
                }
            }
        }
        // Package rules need every file of a touched package on both sides.
        if settings.needs_packages() {
            let mut packages = BTreeSet::new();
            for name in &targets {
                for side in [&old_headers, &new_headers] {
                    if let Some(package) = side.get(name).and_then(|h| h.package.clone()) {
                        packages.insert(package);
                    }
                }
            }
            for side in [&old_headers, &new_headers] {
                for (name, header) in side {
                    if header
                        .package
                        .as_ref()
                        .is_some_and(|p| packages.contains(p))
                    {
                        targets.insert(name.clone());
                    }
                }
            }
        }
    }
    if !paths.is_empty() {
        targets.retain(|name| {
            let path = new_layout
                .names
                .get(name)
                .or_else(|| old_layout.names.get(name))
                .map_or(name.as_str(), String::as_str);
            paths
                .iter()
                .any(|prefix| under(path, prefix) || under(name, prefix))
        });
    }
    let old_targets: BTreeSet<String> = targets
        .iter()
        .filter(|n| old_layout.names.contains_key(*n))
        .cloned()
        .chain(old_external)
        .collect();
    let new_targets: BTreeSet<String> = targets
        .iter()
        .filter(|n| new_layout.names.contains_key(*n))
        .cloned()
        .chain(new_external)
        .collect();
    let old_model = compile(old, &old_layout, &old_targets, &settings.imports)?;
    let new_model = compile(new, &new_layout, &new_targets, &settings.imports)?;

    let pair = Pair {
        old: &old_model,
        new: &new_model,
    };
    let run_rules = || -> Vec<Hit> {
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
    };
    let hits = run_rules();

    let mut dropped = 0usize;
    let mut findings = Vec::new();
    for hit in hits {
        let (set, layout, model) = match hit.side {
            Side::New => (new, &new_layout, &new_model),
            Side::Old => (old, &old_layout, &old_model),
        };
        let path = layout
            .names
            .get(&hit.file)
            .cloned()
            .unwrap_or_else(|| hit.file.clone());
        if ignored(settings, &hit, &path, model, &old_model) || acknowledged(set, &path, &hit) {
            dropped += 1;
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
    let stats = vec![
        (
            "proto files (old / new)".to_string(),
            format!("{} / {}", old_layout.names.len(), new_layout.names.len()),
        ),
        ("files changed".to_string(), changed.len().to_string()),
        (
            "files compared".to_string(),
            format!("{} / {}", old_model.files.len(), new_model.files.len()),
        ),
        ("rules run".to_string(), settings.rules.len().to_string()),
        ("findings ignored".to_string(), dropped.to_string()),
    ];
    Ok(Comparison {
        findings,
        rules: settings.rules.clone(),
        old_label: String::new(),
        new_label: String::new(),
        stats,
        new_model,
        old_model,
        new_layout,
        new_sources: HashMap::new(),
    })
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
    let Some(file) = set.files.get(path) else {
        return false;
    };
    let lines: Vec<&str> = file.text.lines().collect();
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
    /// The findings as a trellis report: new-file locations, old-file ones labelled.
    pub fn into_report(self, repo: &Repo) -> Report {
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
        for finding in &self.findings {
            report.findings.push(to_finding(repo, finding));
            if let Some(info) = rule_infos.get(&finding.rule)
                && !report.rules.iter().any(|r| r.id == info.id)
            {
                report.rules.push(info.clone());
            }
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
pub fn owner(repo: &Repo, path: &str) -> Option<String> {
    if let Some(service) = repo.contract_owner(path) {
        return Some(service.name.clone());
    }
    let contracts = &repo.config.config.contracts;
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

pub fn to_finding(repo: &Repo, finding: &ContractFinding) -> Finding {
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
        Some(loc) => {
            out = out.at(Span {
                line: loc.line,
                column: loc.column,
                end_line: loc.end_line,
                end_column: loc.end_column,
            })
        }
        None => out = out.at_line(1),
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

pub fn rule_ids() -> Vec<&'static str> {
    rules::all().iter().map(|r| r.id).collect()
}
