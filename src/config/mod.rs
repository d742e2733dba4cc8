//! `trellis.yaml`: typed, validated, with `extends`. The YAML crate is used
//! only here (serde-saphyr: maintained, panic-free, and it reports the line
//! and column of every error and of every value we need to point at).

//!
//! `Config` composes the repository's keys (read by `crate::repo`), each
//! job's own section (the type is the job's) and the keys of `crate::policy`.
//! Nothing below the commands reads `Config`: each job is handed its section.

mod deprecated;
mod keys;
pub(crate) mod selection;

pub(crate) use crate::policy::FILE_NAME;
pub(crate) use crate::repo::ContractsConfig;
pub(crate) use deprecated::Deprecation;

use crate::policy::sink::Policy;
use crate::policy::{Exception, Glob, Located, RuleKey, ServiceEntry};
use crate::repo::RepoConfig;

use crate::error::{InputError, did_you_mean};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub(crate) const VERSION: u32 = 1;

/// The whole configuration. Every section is optional; a repository without a
/// `trellis.yaml` gets the defaults, which follow the seeds' layout.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "trellis.yaml")]
pub struct Config {
    /// Schema version of this file. Always 1.
    pub(crate) version: Located<u32>,
    /// Other config files (relative to this one) to start from; keys here win.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) extends: Vec<Located<String>>,
    /// Service directories, as globs (`app/*/service`) or `{path, name}` entries,
    /// for repositories where a service is a directory rather than a module.
    /// When empty, every go.mod or Cargo.toml package that builds a binary is
    /// a service, and one that builds none is a library.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) services: Vec<ServiceEntry>,
    /// Directories of shared library modules, as globs (`internal/common`,
    /// `pkg/*`): their go.mod or Cargo.toml makes no service, so services may
    /// import them. Modules that build no binary are libraries without being
    /// listed. Their code is linted and their dependencies checked for drift.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) libraries: Vec<Glob>,
    /// Paths never analysed, in addition to vendor/, testdata/, node_modules/,
    /// hidden directories and what .gitignore ignores.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) exclude: Vec<Glob>,
    /// Where contracts (.proto files) live and which service owns them.
    #[serde(default)]
    pub(crate) contracts: ContractsConfig,
    /// `trellis lint`: rule packs, severities, layers, boundaries, custom rules.
    #[serde(default)]
    pub lint: crate::lint::LintConfig,
    /// `trellis score`: window, bots, aliases, thresholds and weights.
    #[serde(default)]
    pub(crate) score: crate::score::ScoreConfig,
    /// `trellis contract`: breaking .proto changes (buf's rules and keys).
    #[serde(
        default,
        skip_serializing_if = "crate::contract::ContractConfig::is_default"
    )]
    pub contract: crate::contract::ContractConfig,
    /// Dependency drift: anchor policy, exceptions, Cargo duplicates.
    #[serde(default)]
    pub(crate) drift: crate::drift::DriftConfig,
    /// Per rule id of any job, or per prefix of ids ending in `-` or `_`
    /// (`drift-`, `go-`, `FIELD_`): `off`, or the severity to report it at
    /// (`info`, `warning`, `error`). An exact id wins over a prefix, a longer
    /// prefix over a shorter one. Applies to lint, drift and contract findings;
    /// a lint id given a severity here is also turned on, as in `lint.rules`
    /// (the older spelling, for lint rules only).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rules: BTreeMap<RuleKey, crate::report::RuleLevel>,
    /// Accepted findings: `{rule, path | module | service, reason}`. A finding
    /// of `rule` (an id or prefix) whose path matches the glob, or whose
    /// module (drift findings name one) or service is the one named, is left
    /// out of the report and counted as excepted. An exception that matches
    /// no finding of a rule that ran is reported.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) exceptions: Vec<Exception>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            version: Located::new(VERSION),
            extends: Vec::new(),
            services: Vec::new(),
            libraries: Vec::new(),
            exclude: Vec::new(),
            contracts: ContractsConfig::default(),
            lint: crate::lint::LintConfig::default(),
            score: crate::score::ScoreConfig::default(),
            contract: crate::contract::ContractConfig::default(),
            drift: crate::drift::DriftConfig::default(),
            rules: BTreeMap::new(),
            exceptions: Vec::new(),
        }
    }
}

impl Config {
    /// What `trellis score` reads: its section and those of the jobs it asks.
    pub(crate) fn score_sections(&self) -> crate::score::Sections<'_> {
        crate::score::Sections {
            score: &self.score,
            contract: &self.contract,
            drift: &self.drift,
        }
    }

    /// What the sink applies to every job's findings.
    pub(crate) fn policy(&self) -> Policy<'_> {
        Policy {
            rules: &self.rules,
            exceptions: &self.exceptions,
            drift_exceptions: &self.drift.exceptions,
        }
    }
}

/// A loaded configuration and where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    /// The files read, the given one last; empty when defaults were used.
    pub(crate) files: Vec<PathBuf>,
    /// Old spellings the files use, to print once per run.
    pub(crate) deprecations: Vec<Deprecation>,
}

impl Loaded {
    pub(crate) fn defaults() -> Loaded {
        Loaded {
            config: Config::default(),
            files: Vec::new(),
            deprecations: Vec::new(),
        }
    }

    /// The file that was read last (the given one), relative to `root` when
    /// inside it: where findings about the configuration point.
    /// `trellis.yaml` when defaults were used.
    pub(crate) fn display_path(&self, root: &Path) -> String {
        crate::repo::config_display_path(&self.files, root)
    }

    /// What the repository model reads: its keys and the files they came from.
    pub fn repo_config(&self) -> RepoConfig {
        RepoConfig {
            services: self.config.services.clone(),
            libraries: self.config.libraries.clone(),
            exclude: self.config.exclude.clone(),
            contracts: self.config.contracts.clone(),
            files: self.files.clone(),
        }
    }
}

/// Loads `explicit`, or `ROOT/trellis.yaml` when it exists, or the defaults.
pub fn load(root: &Path, explicit: Option<&Path>) -> Result<Loaded, InputError> {
    let path = match explicit {
        Some(path) => {
            if let Err(problem) = regular_file(path) {
                return Err(InputError::new(format!(
                    "config file {} {problem}",
                    path.display()
                ))
                .help("pass a YAML file to --config, or drop the flag to use trellis.yaml at the repository root"));
            }
            path.to_path_buf()
        }
        None => {
            let default = root.join(FILE_NAME);
            match regular_file(&default) {
                Ok(()) => {}
                Err(FileProblem::Missing) => return Ok(Loaded::defaults()),
                // A trellis.yaml that cannot be read must not silently mean "the defaults".
                Err(problem) => {
                    return Err(InputError::new(format!("{FILE_NAME} {problem}"))
                        .in_file(&default)
                        .help(format!(
                            "make {FILE_NAME} a regular YAML file, or remove it to use the defaults"
                        )));
                }
            }
            default
        }
    };
    let mut files = Vec::new();
    let mut parsed = Vec::new();
    let merged = load_merged(&path, &mut files, &mut parsed, &mut Vec::new())?;
    let deprecations = files
        .iter()
        .filter_map(|file| Some(deprecated::scan(file, &std::fs::read_to_string(file).ok()?)))
        .flatten()
        .collect();
    let Some(own) = parsed.pop() else {
        return Err(InputError::new("no configuration was read").in_file(&path));
    };
    let mut config = if parsed.is_empty() {
        // One file: its own parse keeps where every entry was written.
        own
    } else {
        let mut config: Config = serde_json::from_value(merged).map_err(|e| {
            InputError::new(format!("the merged configuration is invalid: {e}"))
                .in_file(&path)
                .help("check the files named in `extends` for conflicting types")
        })?;
        adopt_locations(&mut config, own);
        config
    };
    fold_lint_rules(&mut config);
    Ok(Loaded {
        config,
        files,
        deprecations,
    })
}

/// `lint.rules` is the older spelling of `rules:`: the ids of other jobs'
/// rules in it move to the top-level map (where that does not name them
/// already), so `lint.rules: {drift-outdated: off}` turns drift's rule off.
/// Lint ids stay: `lint.rules` turns them on before the top-level map
/// re-levels them, and an unknown id there stays an `unknown-rule` finding.
fn fold_lint_rules(config: &mut Config) {
    if config.lint.rules.is_empty() {
        return;
    }
    let other_jobs: std::collections::BTreeSet<String> = crate::registry::RuleId::ALL
        .iter()
        .filter(|rule| rule.job() != crate::registry::Job::Lint)
        .map(|rule| rule.as_str().to_string())
        .collect();
    let (moved, kept) = std::mem::take(&mut config.lint.rules)
        .into_iter()
        .partition(|(id, _)| other_jobs.contains(&id.value));
    config.lint.rules = kept;
    for (id, level) in moved {
        let key = RuleKey {
            id: id.value,
            location: id.location,
        };
        config.rules.entry(key).or_insert(level);
    }
}

/// Merging goes through JSON, which forgets where values were written: puts
/// back the locations of what the given file itself set (lists replace the
/// parents' lists whole, map keys are merged one by one), so findings about
/// those entries point into it.
fn adopt_locations(merged: &mut Config, own: Config) {
    if !own.exceptions.is_empty() {
        merged.exceptions = own.exceptions;
    }
    for (key, level) in own.rules {
        merged.rules.remove(&key);
        merged.rules.insert(key, level);
    }
    for (key, level) in own.lint.rules {
        merged.lint.rules.remove(&key);
        merged.lint.rules.insert(key, level);
    }
    let (merged, own) = (&mut merged.drift, own.drift);
    if !own.exceptions.is_empty() {
        merged.exceptions = own.exceptions;
    }
    if !own.cargo_skip.is_empty() {
        merged.cargo_skip = own.cargo_skip;
    }
    for (module, constraint) in own.anchor {
        merged.anchor.remove(&module);
        merged.anchor.insert(module, constraint);
    }
    if own.indirect_severity.location.is_some() {
        merged.indirect_severity = own.indirect_severity;
    }
}

/// Why a path is not a config file trellis reads.
#[derive(Debug, PartialEq, Eq)]
enum FileProblem {
    Missing,
    Directory,
    /// A FIFO, socket or device: reading it could block or never end.
    NotRegular,
    Unreadable(String),
}

impl std::fmt::Display for FileProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileProblem::Missing => write!(f, "does not exist"),
            FileProblem::Directory => write!(f, "is a directory, not a file"),
            FileProblem::NotRegular => {
                write!(f, "is not a regular file (a FIFO, socket or device)")
            }
            FileProblem::Unreadable(e) => write!(f, "cannot be read: {e}"),
        }
    }
}

/// Whether `path` is a regular file (a symbolic link to one counts), checked
/// before opening it: opening a FIFO waits for a writer.
fn regular_file(path: &Path) -> Result<(), FileProblem> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => Ok(()),
        Ok(meta) if meta.is_dir() => Err(FileProblem::Directory),
        Ok(_) => Err(FileProblem::NotRegular),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // A dangling symbolic link is there, pointing nowhere.
            match std::fs::symlink_metadata(path) {
                Ok(_) => Err(FileProblem::Unreadable(
                    "it is a symbolic link to a missing file".into(),
                )),
                Err(_) => Err(FileProblem::Missing),
            }
        }
        Err(e) => Err(FileProblem::Unreadable(e.to_string())),
    }
}

/// Reads one file and the files it extends, merged with later keys winning.
/// `parsed` gets each file's own configuration, in the order of `files`.
fn load_merged(
    path: &Path,
    files: &mut Vec<PathBuf>,
    parsed: &mut Vec<Config>,
    stack: &mut Vec<PathBuf>,
) -> Result<serde_json::Value, InputError> {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    if stack.contains(&canonical) {
        return Err(InputError::new(format!(
            "`extends` forms a cycle through {}",
            path.display()
        ))
        .in_file(path)
        .help("remove one of the `extends` entries"));
    }
    let text = read_text(path)?;
    let mut value = parse_mapping(path, &text)?;
    let own = parse_typed(path, &text)?;
    deprecated::normalize(&mut value);
    stack.push(canonical);
    let mut merged = serde_json::Value::Object(Default::default());
    let base_dir = path.parent().unwrap_or(Path::new("."));
    for parent in &own.extends {
        let parent_path = base_dir.join(&parent.value);
        if let Err(problem) = regular_file(&parent_path) {
            let mut err = InputError::new(format!("`extends` names {parent}, which {problem}"))
                .in_file(path)
                .with_source(text.clone())
                .help(
                    "`extends` takes YAML files, with paths relative to the file that names them",
                );
            if let Some((line, column)) = parent.location {
                err = err.at(line, column);
            }
            return Err(err);
        }
        let parent_value = load_merged(&parent_path, files, parsed, stack)?;
        merge(&mut merged, parent_value);
    }
    stack.pop();
    let mut own_value = value;
    if let Some(map) = own_value.as_object_mut() {
        map.remove("extends");
    }
    merge(&mut merged, own_value);
    files.push(path.to_path_buf());
    parsed.push(own);
    Ok(merged)
}

/// Later keys win; maps merge key by key, everything else is replaced.
fn merge(base: &mut serde_json::Value, over: serde_json::Value) {
    match (base, over) {
        (serde_json::Value::Object(base), serde_json::Value::Object(over)) => {
            for (key, value) in over {
                match base.get_mut(&key) {
                    Some(slot) => merge(slot, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (slot, value) => *slot = value,
    }
}

/// A config file's text. Only a regular file is opened (checked again here:
/// `--config` and the default were checked, an `extends` parent too, but
/// the check is what keeps a FIFO from blocking), and what is not UTF-8 text
/// is refused without a byte of it shown.
fn read_text(path: &Path) -> Result<String, InputError> {
    if let Err(problem) = regular_file(path) {
        return Err(InputError::new(format!("config file {problem}"))
            .in_file(path)
            .help("config files and `extends` entries must be regular YAML files"));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        InputError::new(format!("cannot read config file: {e}"))
            .in_file(path)
            .help("check that the file is readable")
    })?;
    String::from_utf8(bytes).map_err(|_| {
        InputError::new("config file is not UTF-8 text; its content is not shown")
            .in_file(path)
            .help("config files and `extends` entries must be YAML files")
    })
}

/// The file as untyped YAML, which must be a mapping before anything of it
/// is quoted back: a file that is not YAML, or is a bare scalar (an
/// environment dump, a `.env` file, a key), may hold secrets, and an error
/// about it must not put them into CI logs.
fn parse_mapping(path: &Path, text: &str) -> Result<serde_json::Value, InputError> {
    if text.trim().is_empty() {
        return Err(InputError::new("config file is empty")
            .in_file(path)
            .help("start it with `version: 1`, or run `trellis init`"));
    }
    let value: serde_json::Value = serde_saphyr::from_str(text).map_err(|e| {
        let mut err = InputError::new("config file is not valid YAML; its content is not shown")
            .in_file(path)
            .help("fix the YAML syntax at this position");
        if let Some(loc) = e.location()
            && loc.line() > 0
        {
            err = err.at(loc.line() as u32, loc.column().max(1) as u32);
        }
        err
    })?;
    if !value.is_object() {
        return Err(InputError::new(
            "config file is not a trellis configuration (its top level is not a mapping of keys); its content is not shown",
        )
        .in_file(path)
        .help("start it with `version: 1`, or run `trellis init`"));
    }
    Ok(value)
}

/// Parses and validates one file on its own, so errors point into it.
pub(crate) fn parse(path: &Path, text: &str) -> Result<Config, InputError> {
    parse_mapping(path, text)?;
    parse_typed(path, text)
}

/// [`parse`] of a file known to be a YAML mapping.
fn parse_typed(path: &Path, text: &str) -> Result<Config, InputError> {
    let config: Config = serde_saphyr::from_str(text).map_err(|e| yaml_error(path, text, &e))?;
    if config.version.value != VERSION {
        let (line, column) = config.version.location.unwrap_or((1, 1));
        return Err(InputError::new(format!(
            "unsupported config version {} (this trellis reads version {VERSION})",
            config.version
        ))
        .in_file(path)
        .at(line, column)
        .with_source(text)
        .help("set `version: 1`"));
    }
    for glob in config
        .services
        .iter()
        .map(|entry| &entry.path)
        .chain(&config.libraries)
        .chain(&config.exclude)
    {
        if let Err(e) = glob.compile() {
            let (line, column) = glob.location.unwrap_or((0, 0));
            let mut err = InputError::new(format!(
                "invalid glob `{}`: {}",
                glob.pattern,
                glob_reason(&e)
            ))
            .in_file(path)
            .with_source(text)
            .help("globs use `*`, `**`, `?`, `[abc]` and `{a,b}`; close every bracket and brace");
            if line > 0 {
                err = err.at(line, column);
            }
            return Err(err);
        }
    }
    selection::validate(&config, path, text)?;
    // Each file's lint section is checked on its own, so an error about a
    // value from an `extends`-ed file points into that file.
    crate::lint::config::validate(&config.lint, &config.rules, path, text)?;
    Ok(config)
}

fn glob_reason(e: &globset::Error) -> String {
    e.kind().to_string()
}

/// Turns a YAML or type error into one that names the line, the column and a fix.
fn yaml_error(path: &Path, text: &str, e: &serde_saphyr::Error) -> InputError {
    let location = e.location();
    let raw = e.to_string();
    let message = clean_message(&first_line(&raw));
    let mut err = InputError::new(message.clone())
        .in_file(path)
        .with_source(text);
    if let Some(loc) = location
        && loc.line() > 0
    {
        err = err.at(loc.line() as u32, loc.column().max(1) as u32);
    }
    if let Some((unknown, expected)) = unknown_field(&raw) {
        err.message = format!("unknown key `{unknown}`");
        if err.line.is_none()
            && let Some((line, column)) = keys::first_key(text, &unknown)
        {
            err = err.at(line, column);
        }
        let hint = match did_you_mean(&unknown, expected.iter().map(String::as_str)) {
            Some(close) => format!(
                "did you mean `{close}`? valid keys here: {}",
                expected.join(", ")
            ),
            None => format!("valid keys here: {}", expected.join(", ")),
        };
        err = err.help(hint);
    } else if let Some(field) = missing_field(&raw) {
        err.message = format!("missing key `{field}`");
        err = err.help(if field == "version" {
            "add `version: 1` at the top of the file".to_string()
        } else {
            format!("add `{field}:`")
        });
    } else if message.starts_with("expected ")
        || raw.contains("invalid type")
        || raw.contains("invalid value")
    {
        if message.starts_with("expected ") {
            err.message = format!("wrong type: {message}");
        }
        err = err.help("see `trellis config schema` for the type each key takes");
    } else {
        err = err.help("fix the YAML syntax at this position");
    }
    err
}

/// Drops the "error: line N column M:" prefix; the location is shown separately.
fn clean_message(text: &str) -> String {
    let mut text = text.trim_start_matches("error:").trim();
    if let Some(rest) = text.strip_prefix("line ")
        && let Some((_, after)) = rest.split_once(": ")
    {
        text = after;
    }
    text.to_string()
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or(text).trim().to_string()
}

/// Reads serde's "unknown field `x`, expected one of `a`, `b`" message (the
/// backticks around the expected names vary between YAML layers).
fn unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = &message[message.find("unknown field `")? + "unknown field `".len()..];
    let end = rest.find('`')?;
    let unknown = rest[..end].to_string();
    let tail = first_line(&rest[end + 1..]);
    let list = tail
        .split_once("expected one of ")
        .map(|(_, list)| list)
        .or_else(|| tail.split_once("expected ").map(|(_, list)| list))
        .unwrap_or("");
    let expected = list
        .split(',')
        .map(|name| name.trim().trim_matches('`').to_string())
        .filter(|name| !name.is_empty() && !name.contains(' '))
        .collect();
    Some((unknown, expected))
}

fn missing_field(message: &str) -> Option<String> {
    let rest = &message[message.find("missing field `")? + "missing field `".len()..];
    Some(rest[..rest.find('`')?].to_string())
}

/// The JSON Schema of trellis.yaml, for editors.
pub(crate) fn schema() -> String {
    let schema = schemars::schema_for!(Config);
    let mut out = serde_json::to_string_pretty(&schema).expect("schema serializes");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Config, InputError> {
        parse(Path::new("trellis.yaml"), text)
    }

    #[test]
    fn minimal_file() {
        let config = parse_str("version: 1\n").unwrap();
        assert_eq!(config.contracts.root, "api");
    }

    #[test]
    fn unknown_key_has_position_and_suggestion() {
        let err = parse_str("version: 1\nservces:\n  - app/*\n").unwrap_err();
        assert_eq!(err.message, "unknown key `servces`");
        assert_eq!(err.line, Some(2));
        let help = err.help.unwrap();
        assert!(help.contains("did you mean `services`"), "{help}");
    }

    #[test]
    fn wrong_type_has_position() {
        let err = parse_str("version: 1\nservices: 3\n").unwrap_err();
        assert_eq!(err.line, Some(2), "{err:?}");
    }

    #[test]
    fn bad_glob_has_position() {
        let err = parse_str("version: 1\nservices:\n  - \"app/[x\"\n").unwrap_err();
        assert!(err.message.contains("invalid glob"), "{err:?}");
        assert_eq!(err.line, Some(3), "{err:?}");
    }

    #[test]
    fn missing_version() {
        let err = parse_str("services: []\n").unwrap_err();
        assert_eq!(err.message, "missing key `version`");
    }

    #[test]
    fn wrong_version() {
        let err = parse_str("version: 7\n").unwrap_err();
        assert!(err.message.contains("unsupported config version 7"));
        assert_eq!(err.line, Some(1));
    }

    #[test]
    fn extends_merges_later_keys_win() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("team.yaml"),
            "version: 1\nexclude: [\"legacy/**\"]\ncontracts:\n  root: proto\n  owners:\n    proto/a: a\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join(FILE_NAME),
            "version: 1\nextends: [team.yaml]\ncontracts:\n  owners:\n    proto/b: b\n",
        )
        .unwrap();
        let loaded = load(dir.path(), None).unwrap();
        assert_eq!(loaded.files.len(), 2);
        assert_eq!(loaded.config.contracts.root, "proto");
        assert_eq!(loaded.config.contracts.owners.len(), 2);
        assert_eq!(loaded.config.exclude[0].pattern, "legacy/**");
    }

    #[test]
    fn entries_of_the_given_file_keep_their_place_through_extends() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("team.yaml"),
            "version: 1\nrules:\n  drift-: warning\n  go-: info\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join(FILE_NAME),
            "version: 1\nextends: [team.yaml]\nrules:\n  go-: error\nexceptions:\n  - rule: drift-\n    module: x\n    reason: frozen\n",
        )
        .unwrap();
        let config = load(dir.path(), None).unwrap().config;
        let located: Vec<(&str, Option<(u32, u32)>)> = config
            .rules
            .keys()
            .map(|key| (key.id.as_str(), key.location))
            .collect();
        // The parent's key has no place in this file.
        assert_eq!(located, vec![("drift-", None), ("go-", Some((4, 3)))]);
        assert_eq!(config.exceptions[0].rule.location, Some((6, 11)));
    }

    #[test]
    fn a_missing_parent_is_an_error_at_its_own_entry() {
        let dir = tempfile::tempdir().unwrap();
        // `team.yaml` also appears earlier, in a comment: the entry is found, not the text.
        std::fs::write(
            dir.path().join(FILE_NAME),
            "# extends team.yaml\nversion: 1\nextends:\n  - base.yaml\n  - team.yaml\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("base.yaml"), "version: 1\n").unwrap();
        let err = load(dir.path(), None).unwrap_err();
        assert!(err.message.contains("names team.yaml"), "{err:?}");
        assert_eq!((err.line, err.column), (Some(5), Some(5)), "{err:?}");
    }

    #[test]
    fn lint_errors_point_at_the_value_not_an_earlier_mention_of_it() {
        // The pack name is in a comment first: the old text search found that.
        let err = parse_str(
            "version: 1\n# recomended was misspelt once\nlint:\n  packs: [architecture, recomended]\n",
        )
        .unwrap_err();
        assert_eq!(err.message, "unknown rule pack `recomended`");
        assert_eq!((err.line, err.column), (Some(4), Some(25)), "{err:?}");
        // The second of two rules with one id is the one used twice.
        let err = parse_str(
            "version: 1\nlint:\n  custom:\n    - id: no-printf\n      message: no-printf\n      forbid-call: [fmt.Printf]\n    - id: no-printf\n      message: again\n      forbid-call: [log.Printf]\n",
        )
        .unwrap_err();
        assert!(err.message.contains("used twice"), "{err:?}");
        assert_eq!((err.line, err.column), (Some(7), Some(11)), "{err:?}");
        // The same component name in two sections: the one that is not a component.
        let err = parse_str(
            "version: 1\nlint:\n  components:\n    api:\n      paths: [\"api/**\"]\n      may-depend-on: [core]\n    core:\n      paths: [\"core/**\"]\n      may-depend-on: [cor]\n",
        )
        .unwrap_err();
        assert!(
            err.message.contains("`cor`, which is not a component"),
            "{err:?}"
        );
        assert_eq!((err.line, err.column), (Some(9), Some(23)), "{err:?}");
    }

    #[test]
    fn lint_errors_in_an_extended_file_point_into_that_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("team.yaml"),
            "version: 1\nlint:\n  layout: kratoss\n",
        )
        .unwrap();
        // The child mentions the name too, in a comment, where the text search looked.
        std::fs::write(
            dir.path().join(FILE_NAME),
            "version: 1\n# team.yaml sets layout kratoss\nextends: [team.yaml]\n",
        )
        .unwrap();
        let err = load(dir.path(), None).unwrap_err();
        assert!(err.message.contains("unknown layout `kratoss`"), "{err:?}");
        assert_eq!(
            err.path.as_deref(),
            Some(dir.path().join("team.yaml").as_path())
        );
        assert_eq!((err.line, err.column), (Some(3), Some(11)), "{err:?}");
    }

    #[test]
    fn extends_cycle_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.yaml"),
            "version: 1\nextends: [trellis.yaml]\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join(FILE_NAME),
            "version: 1\nextends: [a.yaml]\n",
        )
        .unwrap();
        let err = load(dir.path(), None).unwrap_err();
        assert!(err.message.contains("cycle"), "{err:?}");
    }

    #[test]
    fn unknown_rule_key_has_position_and_suggestion() {
        let err =
            parse_str("version: 1\nrules:\n  drift-: warning\n  drift-version-mismatc: off\n")
                .unwrap_err();
        assert!(err.message.contains("drift-version-mismatc"), "{err:?}");
        assert_eq!(err.line, Some(4), "{err:?}");
        let help = err.help.unwrap();
        assert!(
            help.contains("did you mean `drift-version-mismatch`"),
            "{help}"
        );
    }

    #[test]
    fn rule_keys_may_be_ids_of_any_job_or_prefixes() {
        let config = parse_str(
            "version: 1\nrules:\n  FIELD_NO_DELETE: warning\n  go-: info\n  drift-version-mismatch: off\n",
        )
        .unwrap();
        assert_eq!(config.rules.len(), 3);
        let err = parse_str("version: 1\nrules:\n  nope-: off\n").unwrap_err();
        assert!(err.message.contains("prefix of no rule id"), "{err:?}");
    }

    #[test]
    fn exceptions_need_one_target_and_a_reason() {
        let ok = "version: 1\nexceptions:\n  - rule: drift-\n    service: legacy\n    reason: frozen until Q3\n";
        assert_eq!(parse_str(ok).unwrap().exceptions.len(), 1);
        let both = "version: 1\nexceptions:\n  - rule: drift-\n    service: legacy\n    path: a/**\n    reason: x\n";
        let err = parse_str(both).unwrap_err();
        assert!(err.message.contains("either `path`"), "{err:?}");
        assert_eq!(err.line, Some(3), "{err:?}");
        let blank =
            "version: 1\nexceptions:\n  - rule: go-init-func\n    path: a/**\n    reason: \" \"\n";
        assert!(
            parse_str(blank)
                .unwrap_err()
                .message
                .contains("empty `reason`")
        );
        let missing = "version: 1\nexceptions:\n  - rule: go-init-func\n    path: a/**\n";
        assert_eq!(
            parse_str(missing).unwrap_err().message,
            "missing key `reason`"
        );
        let module = "version: 1\nexceptions:\n  - rule: drift-\n    module: x\n    service: legacy\n    reason: y\n";
        let parsed = parse_str(module).unwrap();
        let located = parsed.exceptions[0].module.as_ref().unwrap();
        assert_eq!(
            (located.value.as_str(), located.location),
            ("x", Some((4, 13)))
        );
        let module_and_path = "version: 1\nexceptions:\n  - rule: drift-\n    module: x\n    path: a/**\n    reason: y\n";
        assert!(
            parse_str(module_and_path)
                .unwrap_err()
                .message
                .contains("either `path`")
        );
    }

    #[test]
    fn schema_names_the_keys() {
        let schema = schema();
        assert!(schema.contains("\"services\""));
        assert!(schema.contains("\"contracts\""));
        assert!(schema.contains("\"exceptions\""));
        assert!(schema.contains("RuleKey"));
    }
}
