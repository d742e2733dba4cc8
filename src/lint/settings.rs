//! The effective rule set: packs, then `lint.rules`, then custom rules, with
//! every setting validated against the config file it came from.

use super::config::{Boundary, Component, LintConfig, RuleLevel};
use super::custom::{self, CustomCheck};
use super::layout::{self, LayoutFile};
use super::registry;
use crate::error::{InputError, did_you_mean};
use crate::policy::level_for;
use crate::policy::{Located, RuleKey};
use crate::report::{Finding, Severity};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A built-in pack from `rules/*.yaml`.
pub(crate) struct Pack {
    pub(crate) name: &'static str,
    pub(crate) text: &'static str,
}

pub(crate) const PACKS: &[Pack] = &[
    Pack {
        name: "recommended",
        text: include_str!("../../rules/recommended.yaml"),
    },
    Pack {
        name: "architecture",
        text: include_str!("../../rules/architecture.yaml"),
    },
    Pack {
        name: "go-style",
        text: include_str!("../../rules/go-style.yaml"),
    },
    Pack {
        name: "rust",
        text: include_str!("../../rules/rust.yaml"),
    },
];

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PackFile {
    // Part of the file's schema (deny_unknown_fields), for people reading it;
    // only the tests read it.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) description: String,
    pub(crate) rules: BTreeMap<String, RuleLevel>,
}

pub(crate) fn pack(name: &str) -> Option<PackFile> {
    let pack = PACKS.iter().find(|p| p.name == name)?;
    serde_saphyr::from_str(pack.text).ok()
}

/// A layer of a service for `arch-layer`.
#[derive(Debug, Clone)]
pub(crate) struct Layer {
    pub(crate) name: String,
    pub(crate) paths: globset::GlobSet,
    /// `*` allows everything.
    pub(crate) may_depend_on: Vec<String>,
}

impl Layer {
    pub(crate) fn allows(&self, other: &str) -> bool {
        self.name == other || self.may_depend_on.iter().any(|m| m == "*" || m == other)
    }
}

/// The layer tables of `arch-layer` and how a service gets one.
#[derive(Debug)]
pub(crate) struct Layouts {
    /// `lint.components`: one table for every service.
    configured: Option<Vec<Layer>>,
    /// `lint.layout`: the index of the built-in layout every service follows.
    named: Option<usize>,
    /// The built-in layouts in detection order, compiled.
    builtin: Vec<(LayoutFile, Vec<Layer>)>,
}

/// The layers one service is checked against, and where they come from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ServiceLayout<'s> {
    /// A built-in layout's name, or `lint.components`.
    pub(crate) name: &'s str,
    pub(crate) layers: &'s [Layer],
}

impl<'s> ServiceLayout<'s> {
    pub(crate) fn layer_of(self, service_relative: &str) -> Option<&'s Layer> {
        self.layers
            .iter()
            .find(|l| l.paths.is_match(service_relative))
    }
}

impl Layouts {
    /// Whether every service gets the same table (`lint.components` or
    /// `lint.layout`), so nothing is detected.
    pub(crate) fn is_fixed(&self) -> bool {
        self.configured.is_some() || self.named.is_some()
    }

    /// The built-in layout whose directories `dir` has, if any: for an
    /// application nested in a service (go-zero's `cmd/api` and `cmd/rpc`,
    /// each with its own `internal/`).
    pub(crate) fn detect_at(&self, dir: &Path) -> Option<ServiceLayout<'_>> {
        let (layout, layers) = self
            .builtin
            .iter()
            .find(|(layout, _)| layout.matches(dir))?;
        Some(ServiceLayout {
            name: &layout.name,
            layers,
        })
    }

    /// The layers for the service whose root directory is `root`: the
    /// configured table, the named layout, or the one its directories show;
    /// `None` when it follows no known layout.
    pub(crate) fn for_service(&self, root: &Path) -> Option<ServiceLayout<'_>> {
        if let Some(layers) = &self.configured {
            return Some(ServiceLayout {
                name: "lint.components",
                layers,
            });
        }
        let (layout, layers) = match self.named {
            Some(index) => self.builtin.get(index)?,
            None => self
                .builtin
                .iter()
                .find(|(layout, _)| layout.matches(root))?,
        };
        Some(ServiceLayout {
            name: &layout.name,
            layers,
        })
    }
}

/// A boundary with `{name}` captures, compiled.
#[derive(Debug, Clone)]
pub(crate) struct CompiledBoundary {
    pub(crate) from: SlicePattern,
    pub(crate) to: SlicePattern,
    pub(crate) message: Option<String>,
    pub(crate) text: String,
}

/// `lint.max-file-size` when unset: hand-written Go and Rust files stay far
/// below it (the largest in the corpus of real repositories is under 1 MB);
/// larger ones are generated tables and bundles.
pub(crate) const DEFAULT_MAX_FILE_SIZE: u64 = 4 << 20;

#[derive(Debug)]
pub struct Settings {
    /// Enabled rules and the severity each reports at.
    pub(crate) enabled: BTreeMap<String, Severity>,
    pub(crate) max_params: usize,
    pub(crate) naked_return_max_lines: usize,
    pub(crate) allowed_globals: globset::GlobSet,
    pub(crate) layouts: Layouts,
    pub(crate) boundaries: Vec<CompiledBoundary>,
    pub(crate) include_generated: bool,
    pub(crate) parse_all_bodies: bool,
    /// Go and Rust files larger than this many bytes are not analysed.
    pub(crate) max_file_size: u64,
    pub(crate) custom: Vec<CustomCheck>,
    /// Problems in the configuration that are findings, not errors (unknown rule ids).
    pub(crate) config_findings: Vec<Finding>,
    /// Changes whenever anything above changes: part of the cache key.
    pub(crate) fingerprint: String,
}

impl Settings {
    pub(crate) fn severity(&self, rule: &str) -> Option<Severity> {
        self.enabled.get(rule).copied()
    }

    /// Every rule id a comment or `rules:` may name.
    pub(crate) fn known_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = registry::all()
            .iter()
            .map(|r| r.meta().id.to_string())
            .collect();
        ids.extend(self.custom.iter().map(|c| c.id.clone()));
        ids
    }

    /// Resolves the `lint:` section and the lint ids of the top-level
    /// `rules:` (`top`). `only` limits the run to these rule ids.
    pub(crate) fn resolve(
        config: &LintConfig,
        top: &BTreeMap<RuleKey, RuleLevel>,
        file: &ConfigSource<'_>,
        only: &[String],
    ) -> Result<Settings, InputError> {
        let builtin: Vec<&'static str> = registry::all().iter().map(|r| r.meta().id).collect();
        let mut enabled = enable_packs(&config.packs, file)?;
        let custom_checks = compile_custom_rules(&config.custom, &builtin, file, &mut enabled)?;
        let mut config_findings =
            apply_lint_rules(&config.rules, &builtin, &custom_checks, file, &mut enabled);
        let custom_ids = custom_checks.iter().map(|c| c.id.as_str());
        apply_top_level(&mut enabled, top, builtin.iter().copied().chain(custom_ids));
        restrict_to_only(&mut enabled, only);
        relevel_config_findings(&mut config_findings, &enabled);
        Ok(Settings {
            max_params: config.max_params.unwrap_or(4),
            naked_return_max_lines: config.naked_return_max_lines.unwrap_or(30),
            allowed_globals: compile_allowed_globals(&config.allowed_globals, file)?,
            layouts: compile_layouts(config, file)?,
            boundaries: compile_boundaries(&config.boundaries, file)?,
            include_generated: config.include_generated,
            parse_all_bodies: config.parse_all_bodies,
            max_file_size: config.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE),
            custom: custom_checks,
            config_findings,
            fingerprint: fingerprint(&enabled, config, only),
            enabled,
        })
    }
}

/// The configuration file the settings were read from and its text, to point
/// errors at the setting they are about. Positions come from the parsed
/// values (serde-saphyr spans), never from searching the text: a pack name
/// may also be written in a comment, an id in another rule's message.
pub(crate) struct ConfigSource<'p> {
    pub(crate) path: Option<&'p Path>,
    pub(crate) text: Option<String>,
}

impl<'p> ConfigSource<'p> {
    pub(crate) fn read(path: Option<&'p Path>) -> ConfigSource<'p> {
        ConfigSource {
            path,
            text: path.and_then(|p| std::fs::read_to_string(p).ok()),
        }
    }

    /// An error in the configuration file, at `location` when the value
    /// was read from it (a value merged from `extends` has none).
    fn error_at(&self, message: String, location: Option<(u32, u32)>) -> InputError {
        let mut err = InputError::new(message);
        if let Some(path) = self.path {
            err = err.in_file(PathBuf::from(path));
            if let Some(text) = &self.text {
                err = err.with_source(text.clone());
            }
            if let Some((line, column)) = location {
                err = err.at(line, column);
            }
        }
        err
    }
}

/// The rules the packs enable (`recommended` when none are named), plus the
/// engine rules, which are always on unless switched off later.
fn enable_packs(
    names: &[Located<String>],
    file: &ConfigSource<'_>,
) -> Result<BTreeMap<String, Severity>, InputError> {
    let mut enabled = BTreeMap::new();
    let default = [Located::new("recommended".to_string())];
    let names = if names.is_empty() {
        &default[..]
    } else {
        names
    };
    for name in names {
        let Some(pack) = pack(&name.value) else {
            let names: Vec<&str> = PACKS.iter().map(|p| p.name).collect();
            let hint = match did_you_mean(name, names.iter().copied()) {
                Some(close) => format!("did you mean `{close}`? packs: {}", names.join(", ")),
                None => format!("packs: {}", names.join(", ")),
            };
            return Err(file
                .error_at(format!("unknown rule pack `{name}`"), name.location)
                .help(hint));
        };
        for (id, level) in pack.rules {
            set_level(&mut enabled, &id, level);
        }
    }
    for rule in registry::all() {
        let meta = rule.meta();
        if meta.target == super::rule::Target::Engine {
            enabled.insert(meta.id.to_string(), meta.default_severity);
        }
    }
    Ok(enabled)
}

/// The custom rules, compiled, each enabled at its own severity.
fn compile_custom_rules(
    rules: &[super::config::CustomRule],
    builtin: &[&str],
    file: &ConfigSource<'_>,
    enabled: &mut BTreeMap<String, Severity>,
) -> Result<Vec<CustomCheck>, InputError> {
    let mut checks: Vec<CustomCheck> = Vec::new();
    for rule in rules {
        if builtin.contains(&rule.id.as_str()) {
            return Err(file
                .error_at(
                    format!("custom rule id `{}` is a built-in rule id", rule.id),
                    rule.id.location,
                )
                .help("give the custom rule its own id, for example with your team's prefix"));
        }
        if checks.iter().any(|c| c.id == rule.id.value) {
            return Err(file
                .error_at(
                    format!("custom rule id `{}` is used twice", rule.id),
                    rule.id.location,
                )
                .help("every custom rule needs its own id"));
        }
        let check = custom::compile(rule).map_err(|e| custom_rule_error(file, &rule.id, e))?;
        if let Some(severity) = level_severity(rule.severity) {
            enabled.insert(rule.id.value.clone(), severity);
        }
        checks.push(check);
    }
    Ok(checks)
}

/// A custom rule that does not compile, pointed into its query text when the
/// error has a position there.
fn custom_rule_error(
    file: &ConfigSource<'_>,
    id: &Located<String>,
    e: custom::CompileError,
) -> InputError {
    let mut err = file.error_at(e.message.clone(), id.location);
    if let (Some(rule_line), Some(query_line), Some(text)) = (err.line, e.query_line, &file.text)
        && let Some((line, indent)) = query_text_line(text, rule_line, query_line)
    {
        err = err.at(line, (indent + e.query_column + 1) as u32);
    }
    err.help(e.help)
}

/// The file line (1-based) and indentation of line `query_line` (0-based) of
/// the first `query:` after `rule_line`: a block scalar (`|`, `>`) starts on
/// the line after the key.
fn query_text_line(text: &str, rule_line: u32, query_line: u32) -> Option<(u32, usize)> {
    let start = text
        .lines()
        .enumerate()
        .skip(rule_line as usize)
        .find(|(_, l)| l.trim_start().starts_with("query:"))
        .map(|(i, _)| i as u32 + 1)?;
    let block = text
        .lines()
        .nth(start as usize - 1)
        .is_some_and(|l| l.trim_end().ends_with('|') || l.trim_end().ends_with('>'));
    let target = start + u32::from(block) + query_line;
    let indent = text
        .lines()
        .nth(target as usize - 1)
        .map_or(0, |l| l.len() - l.trim_start().len());
    Some((target, indent))
}

/// `lint.rules` over the packs; an unknown id is an `unknown-rule` finding
/// (at error until [`relevel_config_findings`]), not an input error, so an
/// old trellis still runs a newer configuration.
fn apply_lint_rules(
    rules: &BTreeMap<Located<String>, RuleLevel>,
    builtin: &[&str],
    custom_checks: &[CustomCheck],
    file: &ConfigSource<'_>,
    enabled: &mut BTreeMap<String, Severity>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, level) in rules {
        let known =
            builtin.contains(&id.as_str()) || custom_checks.iter().any(|c| c.id == id.value);
        if known {
            set_level(enabled, id, *level);
        } else {
            findings.push(unknown_rule_finding(id, builtin, custom_checks, file));
        }
    }
    findings
}

fn unknown_rule_finding(
    key: &Located<String>,
    builtin: &[&str],
    custom_checks: &[CustomCheck],
    file: &ConfigSource<'_>,
) -> Finding {
    let id = key.value.as_str();
    let config_path = file
        .path
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| crate::policy::FILE_NAME.to_string());
    let mut finding = Finding::new(
        "unknown-rule",
        Severity::Error,
        config_file_name(file.path, &config_path),
        format!("`lint.rules` names an unknown rule `{id}`"),
        id,
    );
    if let Some((line, column)) = key.location {
        finding = finding.at(crate::report::Span::over(line, column, id));
    }
    let candidates = builtin
        .iter()
        .copied()
        .chain(custom_checks.iter().map(|c| c.id.as_str()));
    let other_job = crate::registry::RuleId::parse(id).map(|rule| rule.job().as_str());
    match (other_job, did_you_mean(id, candidates)) {
        (Some(job), _) => finding.help(format!(
            "`{id}` is a {job} rule: set it under the top-level `rules:`, which covers every job"
        )),
        (None, Some(close)) => finding.help(format!("did you mean `{close}`?")),
        (None, None) => finding.help("run `trellis rules` for the list of rule ids"),
    }
}

/// `--rule`: only these ids, each at its configured severity or, when the
/// configuration leaves it off, its default one.
fn restrict_to_only(enabled: &mut BTreeMap<String, Severity>, only: &[String]) {
    if only.is_empty() {
        return;
    }
    enabled.retain(|id, _| only.iter().any(|o| o == id));
    for id in only {
        if !enabled.contains_key(id)
            && let Some(rule) = registry::find(id)
        {
            enabled.insert(id.clone(), rule.meta().default_severity);
        }
    }
}

/// The configuration's findings take `unknown-rule`'s configured severity,
/// and disappear when it is off.
fn relevel_config_findings(findings: &mut Vec<Finding>, enabled: &BTreeMap<String, Severity>) {
    let severity_of_unknown = enabled.get("unknown-rule").copied();
    findings.retain_mut(|f| match severity_of_unknown {
        Some(severity) => {
            f.severity = severity;
            true
        }
        None => false,
    });
}

fn compile_allowed_globals(
    names: &[Located<String>],
    file: &ConfigSource<'_>,
) -> Result<globset::GlobSet, InputError> {
    let mut globals = globset::GlobSetBuilder::new();
    for name in names {
        let glob = globset::Glob::new(name).map_err(|e| {
            file.error_at(
                format!("invalid name pattern `{name}`: {}", e.kind()),
                name.location,
            )
            .help("use a name or a glob such as `Default*`")
        })?;
        globals.add(glob);
    }
    globals
        .build()
        .map_err(|e| InputError::new(format!("allowed-globals: {e}")))
}

/// The layer tables of `arch-layer`: the configured components, the layout
/// `lint.layout` names, or the built-in layouts to detect per service.
fn compile_layouts(config: &LintConfig, file: &ConfigSource<'_>) -> Result<Layouts, InputError> {
    let configured = if config.components.is_empty() {
        None
    } else {
        Some(compile_layers(&config.components, file)?)
    };
    let builtin = layout::builtin()
        .iter()
        .cloned()
        .map(|layout| {
            let layers = compile_layers(&layout.components, file)?;
            Ok((layout, layers))
        })
        .collect::<Result<Vec<_>, InputError>>()?;
    let named = match &config.layout {
        None => None,
        Some(name) => Some(
            builtin
                .iter()
                .position(|(layout, _)| layout.name == name.value)
                .ok_or_else(|| {
                    let known: Vec<&str> = layout::names().collect();
                    let hint = match did_you_mean(name, known.iter().copied()) {
                        Some(close) => format!("did you mean `{close}`?"),
                        None => format!("built-in layouts: {}", known.join(", ")),
                    };
                    file.error_at(
                        format!("unknown layout `{name}` in lint.layout"),
                        name.location,
                    )
                    .help(hint)
                })?,
        ),
    };
    Ok(Layouts {
        configured,
        named,
        builtin,
    })
}

fn compile_layers(
    components: &BTreeMap<String, Component>,
    file: &ConfigSource<'_>,
) -> Result<Vec<Layer>, InputError> {
    components
        .iter()
        .map(|(name, component)| compile_layer(name, component, components, file))
        .collect()
}

fn compile_layer(
    name: &str,
    component: &Component,
    components: &BTreeMap<String, Component>,
    file: &ConfigSource<'_>,
) -> Result<Layer, InputError> {
    let mut builder = globset::GlobSetBuilder::new();
    for glob in &component.paths {
        let compiled = glob.compile().map_err(|e| {
            let err = file.error_at(
                format!(
                    "invalid glob `{}` in component `{name}`: {}",
                    glob.pattern,
                    e.kind()
                ),
                glob.location,
            );
            err.help("globs use `*`, `**`, `?`, `[abc]` and `{a,b}`")
        })?;
        builder.add(compiled);
    }
    for other in &component.may_depend_on {
        if other.value != "*" && !components.contains_key(&other.value) {
            let names: Vec<&str> = components.keys().map(String::as_str).collect();
            let hint = match did_you_mean(other, names.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("components: {}", names.join(", ")),
            };
            return Err(file
                .error_at(
                    format!("component `{name}` may depend on `{other}`, which is not a component"),
                    other.location,
                )
                .help(hint));
        }
    }
    Ok(Layer {
        name: name.to_string(),
        paths: builder
            .build()
            .map_err(|e| InputError::new(e.to_string()))?,
        may_depend_on: component
            .may_depend_on
            .iter()
            .map(|other| other.value.clone())
            .collect(),
    })
}

fn compile_boundaries(
    boundaries: &[Boundary],
    file: &ConfigSource<'_>,
) -> Result<Vec<CompiledBoundary>, InputError> {
    boundaries
        .iter()
        .map(|boundary| {
            compile_boundary(boundary).map_err(|message| {
                file.error_at(message, boundary.from.location).help(
                    "write paths with `*`, `**` and `{name}` segments, for example `services/{svc}/**`",
                )
            })
        })
        .collect()
}

/// What built this trellis: the version, and the hash of the sources and
/// rule packs it was built from (builds between releases share the version;
/// their rules may differ).
const BUILD: &str = concat!(env!("CARGO_PKG_VERSION"), "+", env!("TRELLIS_SOURCE_HASH"));

/// Changes whenever the effective settings or trellis itself change: the
/// lint cache's key.
fn fingerprint(
    enabled: &BTreeMap<String, Severity>,
    config: &LintConfig,
    only: &[String],
) -> String {
    fingerprint_of(BUILD, enabled, config, only)
}

fn fingerprint_of(
    build: &str,
    enabled: &BTreeMap<String, Severity>,
    config: &LintConfig,
    only: &[String],
) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(build);
    hasher.update(format!("{enabled:?}"));
    hasher.update(serde_json::to_string(config).unwrap_or_default());
    hasher.update(only.join(","));
    let digest = hasher.finalize();
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}

fn config_file_name(config_file: Option<&Path>, fallback: &str) -> String {
    config_file
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| fallback.to_string())
}

/// The top-level `rules:` for lint ids, after `lint.rules` so they win. An
/// exact id turns its rule on (the report sink cannot: a rule that did not
/// run has no findings to re-level); a prefix only re-levels rules already
/// on, so `go-: warning` does not switch on every opt-in Go rule. `off`
/// spares the work of running the rule; the sink would drop its findings anyway.
fn apply_top_level<'a>(
    enabled: &mut BTreeMap<String, Severity>,
    top: &BTreeMap<RuleKey, RuleLevel>,
    ids: impl Iterator<Item = &'a str>,
) {
    if top.is_empty() {
        return;
    }
    for id in ids {
        let Some(level) = level_for(top, id) else {
            continue;
        };
        let exact = top.contains_key(&RuleKey::new(id));
        if exact || level == RuleLevel::Off || enabled.contains_key(id) {
            set_level(enabled, id, level);
        }
    }
}

fn level_severity(level: RuleLevel) -> Option<Severity> {
    match level {
        RuleLevel::Off => None,
        RuleLevel::Info => Some(Severity::Info),
        RuleLevel::Warning => Some(Severity::Warning),
        RuleLevel::Error => Some(Severity::Error),
    }
}

fn set_level(enabled: &mut BTreeMap<String, Severity>, id: &str, level: RuleLevel) {
    match level_severity(level) {
        Some(severity) => {
            enabled.insert(id.to_string(), severity);
        }
        None => {
            enabled.remove(id);
        }
    }
}

// ---------------------------------------------------------------------------
// Capture slices

#[derive(Debug, Clone)]
enum Segment {
    Literal(String),
    /// `*` or a glob inside one segment.
    Glob(globset::GlobMatcher),
    /// `**`: any number of segments.
    Any,
    /// `{name}`: one segment, remembered.
    Capture(String),
}

/// A path pattern whose `{name}` segments capture what they match.
#[derive(Debug, Clone)]
pub(crate) struct SlicePattern {
    segments: Vec<Segment>,
}

impl SlicePattern {
    pub(crate) fn parse(pattern: &str) -> Result<SlicePattern, String> {
        let mut segments = Vec::new();
        for part in pattern.trim_matches('/').split('/') {
            let segment = if part == "**" {
                Segment::Any
            } else if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}'))
                && !name.is_empty()
                && name.chars().all(|c| c.is_alphanumeric() || c == '_')
            {
                Segment::Capture(name.to_string())
            } else if part.contains(['*', '?', '[', '{']) {
                let glob = globset::Glob::new(part)
                    .map_err(|e| format!("invalid pattern `{pattern}`: {}", e.kind()))?;
                Segment::Glob(glob.compile_matcher())
            } else if part.is_empty() {
                return Err(format!("invalid pattern `{pattern}`: empty segment"));
            } else {
                Segment::Literal(part.to_string())
            };
            segments.push(segment);
        }
        Ok(SlicePattern { segments })
    }

    /// The captures when `path` matches.
    pub(crate) fn matches(&self, path: &str) -> Option<Vec<(String, String)>> {
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        let mut captures = Vec::new();
        if match_segments(&self.segments, &parts, &mut captures) {
            Some(captures)
        } else {
            None
        }
    }
}

fn match_segments(
    segments: &[Segment],
    parts: &[&str],
    captures: &mut Vec<(String, String)>,
) -> bool {
    let Some((first, rest)) = segments.split_first() else {
        return parts.is_empty();
    };
    match first {
        Segment::Any => (0..=parts.len()).any(|skip| {
            let saved = captures.len();
            let ok = match_segments(rest, &parts[skip..], captures);
            if !ok {
                captures.truncate(saved);
            }
            ok
        }),
        _ => {
            let Some((part, tail)) = parts.split_first() else {
                return false;
            };
            let saved = captures.len();
            let ok = match first {
                Segment::Literal(l) => l == part,
                Segment::Glob(g) => g.is_match(part),
                Segment::Capture(name) => {
                    captures.push((name.clone(), part.to_string()));
                    true
                }
                Segment::Any => false,
            };
            if ok && match_segments(rest, tail, captures) {
                return true;
            }
            captures.truncate(saved);
            false
        }
    }
}

fn compile_boundary(boundary: &Boundary) -> Result<CompiledBoundary, String> {
    Ok(CompiledBoundary {
        from: SlicePattern::parse(&boundary.from)?,
        to: SlicePattern::parse(&boundary.to)?,
        message: boundary.message.clone(),
        text: format!("{} may not import {}", boundary.from, boundary.to),
    })
}

impl CompiledBoundary {
    /// Whether a file at `from` importing the package directory `to` crosses the boundary.
    pub(crate) fn forbids(&self, from: &str, to: &str) -> bool {
        let Some(from_captures) = self.from.matches(from) else {
            return false;
        };
        // The package directory matches `to/**` patterns through a pseudo file.
        let Some(to_captures) = self
            .to
            .matches(to)
            .or_else(|| self.to.matches(&format!("{to}/_")))
        else {
            return false;
        };
        for (name, value) in &from_captures {
            for (other_name, other_value) in &to_captures {
                let same_name = name == other_name;
                if same_name != (value == other_value) {
                    return false;
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_build_of_the_rules_keys_the_lint_cache_apart() {
        let enabled: BTreeMap<String, Severity> =
            [("go-init-func".to_string(), Severity::Warning)].into();
        let config = LintConfig::default();
        let key = |build: &str| fingerprint_of(build, &enabled, &config, &[]);
        assert_eq!(fingerprint(&enabled, &config, &[]), key(BUILD));
        assert!(BUILD.starts_with(concat!(env!("CARGO_PKG_VERSION"), "+")));
        assert!(BUILD.len() > env!("CARGO_PKG_VERSION").len() + 1);
        // Same version, other sources (a rule changed between releases);
        // other version, same sources.
        let version = env!("CARGO_PKG_VERSION");
        assert_ne!(key(BUILD), key(&format!("{version}+0000000000000000")));
        assert_ne!(key(BUILD), key(&BUILD.replacen(version, "0.0.0-other", 1)));
        assert_eq!(key(BUILD), key(BUILD));
    }

    #[test]
    fn packs_parse_and_name_only_known_rules() {
        for p in PACKS {
            let parsed: PackFile = serde_saphyr::from_str(p.text).expect(p.name);
            assert!(!parsed.description.is_empty());
            for id in parsed.rules.keys() {
                assert!(registry::find(id).is_some(), "pack {} names {id}", p.name);
            }
        }
    }

    #[test]
    fn capture_slices() {
        let b = compile_boundary(&Boundary {
            from: "services/{svc}/**".into(),
            to: "services/{other}/**".into(),
            message: None,
        })
        .unwrap();
        assert!(b.forbids("services/a/internal/x.go", "services/b/internal/repo"));
        assert!(!b.forbids("services/a/internal/x.go", "services/a/internal/repo"));
        assert!(!b.forbids("libs/x.go", "services/b/internal"));
        let same = compile_boundary(&Boundary {
            from: "services/{svc}/internal/handlers/**".into(),
            to: "services/{svc}/internal/repo".into(),
            message: None,
        })
        .unwrap();
        assert!(same.forbids(
            "services/a/internal/handlers/h.go",
            "services/a/internal/repo"
        ));
        assert!(!same.forbids(
            "services/a/internal/handlers/h.go",
            "services/b/internal/repo"
        ));
    }

    #[test]
    fn query_errors_point_into_the_block_or_the_inline_query() {
        let text = "lint:\n  custom:\n    - id: acme-x\n      query: |\n        (call\n          bad)\n    - id: acme-y\n      query: (call bad)\n";
        // Line 3 holds `id: acme-x`; the query block starts on line 5.
        assert_eq!(query_text_line(text, 3, 1), Some((6, 10)));
        // An inline query is on the `query:` line itself.
        assert_eq!(query_text_line(text, 7, 0), Some((8, 6)));
        assert_eq!(query_text_line("id: x\n", 1, 0), None);
    }

    #[test]
    fn only_keeps_the_named_rules_and_enables_them_at_their_defaults() {
        let mut enabled = BTreeMap::from([
            ("go-naked-return".to_string(), Severity::Error),
            ("go-init-func".to_string(), Severity::Warning),
        ]);
        restrict_to_only(
            &mut enabled,
            &["go-naked-return".to_string(), "arch-layer".to_string()],
        );
        let default = registry::find("arch-layer")
            .unwrap()
            .meta()
            .default_severity;
        assert_eq!(
            enabled,
            BTreeMap::from([
                ("go-naked-return".to_string(), Severity::Error),
                ("arch-layer".to_string(), default),
            ])
        );
    }

    #[test]
    fn configuration_findings_follow_unknown_rule() {
        let finding = || Finding::new("unknown-rule", Severity::Error, "trellis.yaml", "m", "k");
        let mut findings = vec![finding()];
        let info = BTreeMap::from([("unknown-rule".to_string(), Severity::Info)]);
        relevel_config_findings(&mut findings, &info);
        assert_eq!(findings[0].severity, Severity::Info);
        relevel_config_findings(&mut findings, &BTreeMap::new());
        assert!(findings.is_empty());
    }

    #[test]
    fn unknown_pack_is_an_input_error() {
        let config = LintConfig {
            packs: vec!["recomended".into()],
            ..LintConfig::default()
        };
        let err = Settings::resolve(&config, &BTreeMap::new(), &ConfigSource::read(None), &[])
            .unwrap_err();
        assert!(err.help.unwrap().contains("recommended"));
    }

    #[test]
    fn an_unknown_rule_id_is_found_at_its_key_not_at_an_earlier_mention() {
        let path = Path::new("trellis.yaml");
        // The id is mentioned in a comment and in a custom rule's message first.
        let text = "version: 1\n# go-structured-loging: typo kept on purpose\nlint:\n  custom:\n    - id: no-printf\n      message: \"go-structured-loging: no\"\n      forbid-call: [fmt.Printf]\n  rules:\n    go-structured-loging: off\n";
        let config = crate::config::parse(path, text).unwrap();
        let source = ConfigSource {
            path: Some(path),
            text: Some(text.to_string()),
        };
        let settings = Settings::resolve(&config.lint, &BTreeMap::new(), &source, &[]).unwrap();
        let finding = &settings.config_findings[0];
        assert_eq!(finding.rule, "unknown-rule");
        assert_eq!((finding.line, finding.column), (Some(9), Some(5)));
        assert_eq!(finding.end_column, Some(25));
    }

    #[test]
    fn unknown_rule_ids_are_findings_with_a_suggestion() {
        let mut config = LintConfig::default();
        config
            .rules
            .insert("go-structured-loging".into(), RuleLevel::Off);
        let settings =
            Settings::resolve(&config, &BTreeMap::new(), &ConfigSource::read(None), &[]).unwrap();
        let finding = &settings.config_findings[0];
        assert_eq!(finding.rule, "unknown-rule");
        assert!(
            finding
                .help
                .as_deref()
                .unwrap()
                .contains("go-structured-logging")
        );
        assert!(settings.severity("go-structured-logging").is_some());
    }

    #[test]
    fn top_level_rules_enable_exact_ids_and_relevel_with_prefixes() {
        let config = LintConfig {
            packs: vec!["rust".into()],
            rules: BTreeMap::from([("go-naked-return".into(), RuleLevel::Error)]),
            ..LintConfig::default()
        };
        let top = BTreeMap::from([
            (RuleKey::new("go-init-func"), RuleLevel::Warning),
            (RuleKey::new("go-"), RuleLevel::Info),
            (RuleKey::new("rust-"), RuleLevel::Off),
        ]);
        let settings = Settings::resolve(&config, &top, &ConfigSource::read(None), &[]).unwrap();
        // An exact id turns on a rule no chosen pack has.
        assert_eq!(settings.severity("go-init-func"), Some(Severity::Warning));
        // A prefix re-levels what `lint.rules` turned on, and turns on nothing else.
        assert_eq!(settings.severity("go-naked-return"), Some(Severity::Info));
        assert_eq!(settings.severity("go-too-many-params"), None);
        assert!(!settings.enabled.keys().any(|id| id.starts_with("rust-")));
    }

    #[test]
    fn other_jobs_ids_in_lint_rules_point_to_top_level_rules() {
        let mut config = LintConfig::default();
        config
            .rules
            .insert("drift-version-mismatch".into(), RuleLevel::Off);
        let settings =
            Settings::resolve(&config, &BTreeMap::new(), &ConfigSource::read(None), &[]).unwrap();
        let help = settings.config_findings[0].help.as_deref().unwrap();
        assert!(help.contains("drift rule"), "{help}");
        assert!(help.contains("top-level `rules:`"), "{help}");
    }
}
