//! Upstream facts: versions, release times, retractions and deprecations from
//! the Go module proxy (or the local module cache) and the crates.io index.

pub(crate) mod crates;
pub(crate) mod goproxy;
pub(crate) mod http;

use super::gomod::{GoMod, Mode, parse_go_mod};
use super::model::Facts;
use super::version::{GoVersion, split_path_major};
use crate::logging::timed;
use goproxy::{GoSource, PrivatePatterns, ProxyList};
use http::{Fetch, Http, HttpOptions};
use rayon::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct UpstreamConfig {
    /// Seconds to wait for one HTTP answer.
    #[serde(default = "default_timeout")]
    #[serde(alias = "timeout_secs")]
    pub(crate) timeout_secs: f64,
    /// Retries after a server error or a timeout (with backoff).
    #[serde(default = "default_retries")]
    pub(crate) retries: u32,
    /// Lookups in flight at once.
    #[serde(default = "default_concurrency")]
    pub(crate) concurrency: usize,
    /// Hours a cached answer is used without asking again.
    #[serde(default = "default_ttl")]
    #[serde(alias = "cache_ttl_hours")]
    pub(crate) cache_ttl_hours: f64,
    /// The crates.io sparse index (or a mirror of it).
    #[serde(default = "default_index")]
    #[serde(alias = "crates_index")]
    pub(crate) crates_index: String,
    /// The largest proxy, index or module-cache answer read, in MiB; a bigger
    /// one is that module's lookup failing.
    #[serde(default = "default_max_body_mib")]
    pub(crate) max_body_mib: u64,
    /// The crates.io API, asked for the release times of versions the index
    /// gives none for (`""`: never asked).
    #[serde(default = "default_api")]
    pub(crate) crates_api: String,
    /// Seconds between two requests to the crates.io API (its crawler
    /// policy: at least 1 against crates.io).
    #[serde(default = "default_api_interval")]
    pub(crate) crates_api_interval_secs: f64,
    /// The most requests one run sends to the crates.io API; the crates left
    /// over count as not found, and the next run asks for them (answers are
    /// cached).
    #[serde(default = "default_api_max_requests")]
    pub(crate) crates_api_max_requests: usize,
}

fn default_timeout() -> f64 {
    10.0
}
fn default_retries() -> u32 {
    2
}
fn default_concurrency() -> usize {
    8
}
fn default_ttl() -> f64 {
    24.0
}
fn default_max_body_mib() -> u64 {
    8
}
fn default_api() -> String {
    crates::DEFAULT_API.to_string()
}
fn default_api_interval() -> f64 {
    1.0
}
fn default_api_max_requests() -> usize {
    60
}
fn default_index() -> String {
    crates::DEFAULT_INDEX.to_string()
}

impl Default for UpstreamConfig {
    fn default() -> Self {
        UpstreamConfig {
            timeout_secs: default_timeout(),
            retries: default_retries(),
            concurrency: default_concurrency(),
            cache_ttl_hours: default_ttl(),
            crates_index: default_index(),
            max_body_mib: default_max_body_mib(),
            crates_api: default_api(),
            crates_api_interval_secs: default_api_interval(),
            crates_api_max_requests: default_api_max_requests(),
        }
    }
}

/// What upstream says about one Go module path.
#[derive(Debug, Clone, Default)]
pub(crate) struct GoModuleData {
    /// Every version the proxy lists (releases and prereleases).
    pub(crate) versions: Vec<GoVersion>,
    pub(crate) latest: Option<GoVersion>,
    pub(crate) latest_time: Option<i64>,
    /// The go.mod of the latest version: its retractions and deprecation.
    pub(crate) latest_mod: Option<GoMod>,
    /// A newer major (`/v2`...) and its latest version.
    pub(crate) newer_major: Option<(String, GoVersion)>,
    /// Release times of the versions the repository requires.
    pub(crate) times: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct UpstreamData {
    pub(crate) go: BTreeMap<String, GoModuleData>,
    pub(crate) crates: BTreeMap<String, Vec<crates::CrateVersion>>,
    /// One line per module that could not be looked up.
    pub(crate) warnings: Vec<String>,
    /// Where the data came from, for the report.
    pub(crate) source: String,
    /// Modules skipped because GOPRIVATE/GONOPROXY/GONOSUMDB match them.
    pub(crate) private: Vec<String>,
    /// Why nothing could be looked up (no network and no cache, or no module
    /// cache), without what the caller does about it: see [`UpstreamData::skipped`].
    pub(crate) unavailable: Option<String>,
    /// Whether only the local module cache was read.
    pub(crate) offline: bool,
    /// Where crate versions and release times came from, for the report.
    pub(crate) crates_source: String,
    /// Why no crate could be looked up (offline without cargo's index cache).
    pub(crate) crates_unavailable: Option<String>,
}

impl UpstreamData {
    /// What `trellis drift` says when nothing could be looked up.
    pub(crate) fn skipped(&self) -> Option<String> {
        let cause = self.unavailable.as_ref()?;
        Some(if self.offline {
            format!("--offline: {cause}; upstream checks skipped")
        } else {
            format!("{cause}; upstream checks skipped (use --offline to read the Go module cache)")
        })
    }
}

const NOT_CACHED: &str = "not in the module cache";
const CRATE_NOT_CACHED: &str = "not in cargo's index cache";

pub(crate) struct Lookups<'a> {
    pub(crate) facts: &'a Facts,
    pub(crate) config: &'a UpstreamConfig,
    pub(crate) offline: bool,
    pub(crate) progress: bool,
}

/// The module paths worth asking about: required somewhere, not one of this
/// repository's own modules, not replaced by a local directory.
fn go_wanted(facts: &Facts) -> BTreeMap<String, BTreeSet<String>> {
    let own: BTreeSet<&str> = facts
        .modules
        .iter()
        .map(|m| m.parsed.module_path())
        .collect();
    let mut wanted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for module in &facts.modules {
        for req in &module.parsed.requires {
            let local = module
                .parsed
                .replaces
                .iter()
                .any(|r| r.old_path == req.path && r.is_local());
            if own.contains(req.path.as_str()) || local {
                continue;
            }
            wanted
                .entry(req.path.clone())
                .or_default()
                .insert(req.version.to_string());
        }
    }
    wanted
}

/// Asks upstream about every module and crate the repository requires: the
/// Go module proxy (or, offline, the local module cache) and the crates.io
/// index (or, offline, cargo's index cache), in parallel; then the crates.io
/// API for release times the index lacks, one request at a time.
pub(crate) fn gather(lookups: &Lookups<'_>) -> UpstreamData {
    let config = lookups.config;
    let mut data = UpstreamData {
        offline: lookups.offline,
        ..UpstreamData::default()
    };
    let mut wanted = public_go_wanted(lookups.facts, &mut data.private);
    let crate_names = crates_wanted(lookups.facts);
    let max_body = config.max_body_mib.saturating_mul(1 << 20);
    let http = Http::new(http_options(config, config.cache_ttl_hours));
    let go_source = if wanted.is_empty() && lookups.facts.modules.is_empty() {
        None
    } else {
        match go_source(lookups.offline, &http, max_body) {
            Ok((source, described)) => {
                data.source = described;
                Some(source)
            }
            Err(reason) => {
                data.unavailable = Some(reason);
                if crate_names.is_empty() {
                    return data;
                }
                wanted.clear();
                None
            }
        }
    };
    let crate_source = crate_source(lookups, &http, &crate_names, &mut data);
    let answers = timed("drift: upstream lookups", || {
        look_up(
            lookups,
            go_source.as_ref(),
            &crate_source,
            &wanted,
            &crate_names,
        )
    });
    let crates_where = if lookups.offline {
        CRATE_NOT_CACHED.to_string()
    } else {
        format!("not in the index {}", http::redact(&config.crates_index))
    };
    let tally = record_answers(&mut data, answers, &crates_where);
    if !lookups.offline && !data.crates.is_empty() {
        timed("drift: crates.io API", || {
            fill_crate_times(lookups, &mut data)
        });
    }
    if !lookups.offline {
        http.log_cache_use();
    }
    data.warnings = merge_not_cached(std::mem::take(&mut data.warnings));
    if tally.asked > 0 && tally.unreachable == tally.asked {
        let reached = if data.source.is_empty() {
            http::redact(&config.crates_index)
        } else {
            data.source.clone()
        };
        data.unavailable = Some(format!(
            "no network and nothing cached: cannot reach {reached} for any of {} lookups",
            tally.asked
        ));
        data.warnings.clear();
    }
    data
}

fn http_options(config: &UpstreamConfig, ttl_hours: f64) -> HttpOptions {
    HttpOptions {
        timeout: Duration::from_secs_f64(config.timeout_secs.max(0.01)),
        retries: config.retries,
        ttl: Duration::from_secs_f64(ttl_hours.max(0.0) * 3600.0),
        cache_dir: http::default_cache_dir(),
        max_body: config.max_body_mib.saturating_mul(1 << 20),
    }
}

/// Where crate versions come from.
enum CrateSource<'h> {
    /// The index, through the same client and cache as Go's lookups.
    Index(&'h Http),
    /// cargo's index caches, offline.
    Cache(Vec<std::path::PathBuf>),
    None,
}

fn crate_source<'h>(
    lookups: &Lookups<'_>,
    http: &'h Http,
    crate_names: &BTreeSet<String>,
    data: &mut UpstreamData,
) -> CrateSource<'h> {
    let config = lookups.config;
    if crate_names.is_empty() {
        return CrateSource::None;
    }
    if !lookups.offline {
        data.crates_source = format!("crates index {}", http::redact(&config.crates_index));
        return CrateSource::Index(http);
    }
    match crates::cargo_index_caches() {
        Ok(caches) => {
            let shown: Vec<String> = caches.iter().map(|c| c.display().to_string()).collect();
            data.crates_source = format!("cargo's index cache {}", shown.join(", "));
            CrateSource::Cache(caches)
        }
        Err(reason) => {
            data.crates_unavailable = Some(reason);
            CrateSource::None
        }
    }
}

/// Release times of crate versions are not in every index line (crates.io
/// fills `pubtime` for recent publications): the ones libyears need and
/// lack are asked of the crates.io API, paced as its crawler policy says,
/// and cached for a month (a release's time never changes; a newer release
/// missing from a cached answer is asked for again).
fn fill_crate_times(lookups: &Lookups<'_>, data: &mut UpstreamData) {
    let config = lookups.config;
    if config.crates_api.trim().is_empty() {
        return;
    }
    let interval = if is_crates_io(&config.crates_api) {
        config.crates_api_interval_secs.max(1.0)
    } else {
        config.crates_api_interval_secs.max(0.0)
    };
    let pacer = http::Pacer::new(Duration::from_secs_f64(interval));
    let api = Http::new(http_options(config, 24.0 * 30.0));
    let needed = crate_versions_in_use(lookups.facts);
    let mut left_out = Vec::new();
    let mut asked = false;
    for (name, versions) in &mut data.crates {
        let Some(in_use) = needed.get(name) else {
            continue;
        };
        let mut wanted: Vec<semver::Version> = in_use.iter().cloned().collect();
        wanted.extend(crate::drift::libyears::newest_release(versions).cloned());
        let lacking = wanted.iter().any(|w| {
            versions
                .iter()
                .any(|v| &v.version == w && v.published.is_none())
        });
        if !lacking {
            continue;
        }
        asked = true;
        if pacer.sent() >= config.crates_api_max_requests {
            left_out.push(name.clone());
            continue;
        }
        if let Err(failure) =
            crates::fill_times(&api, &config.crates_api, &pacer, name, versions, &wanted)
        {
            data.warnings.push(format!(
                "crate {name}: release times from {}: {}",
                http::redact(&config.crates_api),
                failure.reason
            ));
        }
    }
    if pacer.sent() > 0 {
        data.crates_source.push_str(&format!(
            "; release times the index lacks from {} ({} request{})",
            http::redact(&config.crates_api),
            pacer.sent(),
            if pacer.sent() == 1 { "" } else { "s" }
        ));
    }
    if asked {
        api.log_cache_use();
    }
    if !left_out.is_empty() {
        data.warnings.push(format!(
            "release times of {} crate{} not asked of {} this run (drift.upstream.crates-api-max-requests: {}); the next run asks: {}",
            left_out.len(),
            if left_out.len() == 1 { "" } else { "s" },
            http::redact(&config.crates_api),
            config.crates_api_max_requests,
            left_out.join(", ")
        ));
    }
}

/// Whether an API URL is crates.io's own, whose crawler policy sets the pace.
fn is_crates_io(url: &str) -> bool {
    let host = url
        .split("://")
        .nth(1)
        .unwrap_or(url)
        .split(['/', ':'])
        .next()
        .unwrap_or_default()
        .rsplit('@')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    host == "crates.io" || host.ends_with(".crates.io")
}

/// The versions of each crate that packages' direct dependencies resolve
/// to (the ones libyears needs release times of).
fn crate_versions_in_use(facts: &Facts) -> BTreeMap<String, BTreeSet<semver::Version>> {
    let mut out: BTreeMap<String, BTreeSet<semver::Version>> = BTreeMap::new();
    for manifest in facts
        .manifests
        .iter()
        .filter(|m| m.parsed.package.is_some())
    {
        for dep in &manifest.parsed.deps {
            if let Some(req) = &dep.req
                && let Some((version, _)) = facts.crate_in_use(&manifest.path, &dep.name, req)
            {
                out.entry(dep.name.clone()).or_default().insert(version);
            }
        }
    }
    out
}

/// The crates this repository builds itself: a path dependency on one that
/// also names a version is not a crates.io crate to compare with.
pub(crate) fn own_crates(facts: &Facts) -> BTreeSet<&str> {
    facts
        .manifests
        .iter()
        .filter_map(|m| m.parsed.package.as_deref())
        .collect()
}

/// [`go_wanted`] without the modules GOPRIVATE/GONOPROXY/GONOSUMDB keep
/// private, which go to `private`.
fn public_go_wanted(
    facts: &Facts,
    private: &mut Vec<String>,
) -> BTreeMap<String, BTreeSet<String>> {
    let patterns = PrivatePatterns::from_env();
    let mut wanted = go_wanted(facts);
    wanted.retain(|path, _| {
        let skip = patterns.matches(path);
        if skip {
            log::debug!("skipped {path}: private (GOPRIVATE, GONOPROXY or GONOSUMDB)");
            private.push(path.clone());
        }
        !skip
    });
    wanted
}

/// The crates with a version requirement in some manifest, but the
/// repository's own.
fn crates_wanted(facts: &Facts) -> BTreeSet<String> {
    let own = own_crates(facts);
    facts
        .manifests
        .iter()
        .flat_map(|m| m.parsed.deps.iter().chain(&m.parsed.workspace_deps))
        .filter(|d| d.req.is_some() && !own.contains(d.name.as_str()))
        .map(|d| d.name.clone())
        .collect()
}

/// Where Go module data comes from, and how the report names it; `Err` says
/// why there is nowhere to look.
fn go_source(offline: bool, http: &Http, max_body: u64) -> Result<(GoSource<'_>, String), String> {
    if !offline {
        let list = ProxyList::from_env();
        let described = format!("GOPROXY={}", list.describe());
        return Ok((GoSource::Proxy { list, http }, described));
    }
    let Some(cache) = goproxy::module_cache().map(|d| d.join("cache/download")) else {
        return Err("no Go module cache (set GOMODCACHE or GOPATH)".into());
    };
    if !cache.is_dir() {
        return Err(format!(
            "no Go module cache at {} (run `go mod download` once, or set GOMODCACHE)",
            cache.display()
        ));
    }
    let described = format!("module cache {}", cache.display());
    Ok((
        GoSource::Cache {
            root: cache,
            max_body,
        },
        described,
    ))
}

/// Every lookup's answer, in the order asked.
struct Answers {
    go: Vec<(String, Result<GoModuleData, http::Failure>)>,
    crates: Vec<(String, crates::Lookup)>,
}

fn look_up(
    lookups: &Lookups<'_>,
    source: Option<&GoSource<'_>>,
    crate_source: &CrateSource<'_>,
    wanted: &BTreeMap<String, BTreeSet<String>>,
    crate_names: &BTreeSet<String>,
) -> Answers {
    let max_body = lookups.config.max_body_mib.saturating_mul(1 << 20);
    let bar = progress_bar(lookups.progress, wanted.len() + crate_names.len());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(lookups.config.concurrency.clamp(1, 64))
        .build();
    let run = || {
        let go = match source {
            Some(source) => wanted
                .par_iter()
                .map(|(path, versions)| {
                    bar.set_message(path.clone());
                    let result = lookup_go(source, path, versions);
                    bar.inc(1);
                    (path.clone(), result)
                })
                .collect(),
            None => Vec::new(),
        };
        let crates = crate_names
            .par_iter()
            .filter_map(|name| {
                bar.set_message(name.clone());
                let result = match crate_source {
                    CrateSource::Index(http) => {
                        crates::lookup(http, &lookups.config.crates_index, name)
                    }
                    CrateSource::Cache(caches) => crates::read_cached(caches, name, max_body),
                    CrateSource::None => return None,
                };
                bar.inc(1);
                Some((name.clone(), result))
            })
            .collect();
        Answers { go, crates }
    };
    let answers = match &pool {
        Ok(pool) => pool.install(run),
        Err(_) => run(),
    };
    bar.finish_and_clear();
    answers
}

fn progress_bar(shown: bool, total: usize) -> indicatif::ProgressBar {
    if !shown {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} upstream {bar:30} {pos}/{len} {wide_msg}",
    ) {
        bar.set_style(style);
    }
    bar
}

/// How many lookups were made and how many found no network at all.
struct Tally {
    asked: usize,
    unreachable: usize,
}

/// The answers into `data`: what was found, a warning for anything else.
fn record_answers(data: &mut UpstreamData, answers: Answers, not_found: &str) -> Tally {
    let mut tally = Tally {
        asked: 0,
        unreachable: 0,
    };
    for (path, result) in answers.go {
        tally.asked += 1;
        match result {
            Ok(module) => {
                data.go.insert(path, module);
            }
            Err(failure) => {
                tally.unreachable += usize::from(failure.unreachable);
                data.warnings.push(format!("{path}: {}", failure.reason));
            }
        }
    }
    for (name, result) in answers.crates {
        tally.asked += 1;
        match result {
            crates::Lookup::Found(versions) => {
                data.crates.insert(name, versions);
            }
            crates::Lookup::NotFound => data.warnings.push(format!("crate {name}: {not_found}")),
            crates::Lookup::Failed(failure) => {
                tally.unreachable += usize::from(failure.unreachable);
                data.warnings
                    .push(format!("crate {name}: {}", failure.reason));
            }
        }
    }
    tally
}

/// Offline, a module or crate missing from the cache is normal: one line
/// for all of them, after the other warnings.
fn merge_not_cached(warnings: Vec<String>) -> Vec<String> {
    let (crates, warnings): (Vec<String>, Vec<String>) = warnings
        .into_iter()
        .partition(|w| w.ends_with(CRATE_NOT_CACHED));
    let (missing, mut others): (Vec<String>, Vec<String>) =
        warnings.into_iter().partition(|w| w.ends_with(NOT_CACHED));
    if !missing.is_empty() {
        let names: Vec<&str> = missing
            .iter()
            .map(|w| w.trim_end_matches(NOT_CACHED).trim_end_matches(": "))
            .collect();
        others.push(format!(
            "{} module{} not in the module cache (run `go mod download` in the services): {}",
            names.len(),
            if names.len() == 1 { " is" } else { "s are" },
            names.join(", ")
        ));
    }
    if !crates.is_empty() {
        let names: Vec<&str> = crates
            .iter()
            .map(|w| {
                w.trim_end_matches(CRATE_NOT_CACHED)
                    .trim_end_matches(": ")
                    .trim_start_matches("crate ")
            })
            .collect();
        others.push(format!(
            "{} crate{} not in cargo's index cache (run `cargo fetch` in the workspace): {}",
            names.len(),
            if names.len() == 1 { " is" } else { "s are" },
            names.join(", ")
        ));
    }
    others
}

fn failure(reason: String) -> http::Failure {
    http::Failure {
        reason,
        unreachable: false,
    }
}

#[derive(Deserialize)]
struct Info {
    #[serde(rename = "Version")]
    version: String,
    #[serde(rename = "Time", default)]
    time: Option<String>,
}

/// A version an answer names for the module at `path`, refused unless it is a
/// canonical Go version that module can have (a `/v6` module has no v1.2.3).
fn answered_version(path: &str, text: &str, what: &str) -> Result<GoVersion, http::Failure> {
    let version = GoVersion::parse(text)
        .map_err(|_| failure(format!("the {what} answer names no valid version; refused")))?;
    if !super::version::fits_path_major(path, &version) {
        return Err(failure(format!(
            "the {what} answer names {version}, which {path} cannot have (its path says another major); refused"
        )));
    }
    Ok(version)
}

/// A `.info` (or `@latest`) answer: its version and release time.
fn parse_info(
    path: &str,
    body: &[u8],
    what: &str,
) -> Result<(GoVersion, Option<i64>), http::Failure> {
    let info: Info = serde_json::from_slice(body)
        .map_err(|_| failure(format!("the {what} answer is not version JSON; refused")))?;
    let version = answered_version(path, &info.version, what)?;
    let time = match info.time.as_deref() {
        None => None,
        Some(text) => Some(parse_time(text).ok_or_else(|| {
            failure(format!(
                "the {what} answer has no valid release time; refused"
            ))
        })?),
    };
    Ok((version, time))
}

/// An `@v/list` answer: one version per line (Go ignores any later fields);
/// a line that is not a version of this module makes the whole answer garbage.
fn parse_list(path: &str, body: &[u8]) -> Result<Vec<GoVersion>, http::Failure> {
    let text = std::str::from_utf8(body)
        .map_err(|_| failure("the @v/list answer is not text; refused".to_string()))?;
    text.lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(|v| answered_version(path, v, "@v/list"))
        .collect()
}

/// Go's @latest rule over a list: the highest release, else the highest prerelease.
fn latest_of(versions: &[GoVersion]) -> Option<GoVersion> {
    versions
        .iter()
        .filter(|v| v.is_release())
        .max()
        .or_else(|| versions.iter().max())
        .cloned()
}

fn lookup_go(
    source: &GoSource<'_>,
    path: &str,
    current: &BTreeSet<String>,
) -> Result<GoModuleData, http::Failure> {
    // A path from a go.mod goes into URLs and, offline, into file names.
    super::version::check_module_path(path)
        .map_err(|why| failure(format!("not a valid module path ({why}); not looked up")))?;
    let mut data = GoModuleData::default();
    match source.get(path, "@v/list") {
        Fetch::Found(body) => data.versions = parse_list(path, &body)?,
        Fetch::NotFound => {}
        Fetch::Failed(f) => return Err(f),
    }
    data.latest = latest_of(&data.versions);
    if data.latest.is_none() {
        match source.get(path, "@latest") {
            Fetch::Found(body) => {
                let (version, time) = parse_info(path, &body, "@latest")?;
                data.latest_time = time;
                data.latest = Some(version);
            }
            Fetch::NotFound => {}
            Fetch::Failed(f) => return Err(f),
        }
    }
    let Some(latest) = data.latest.clone() else {
        return Err(failure(match source {
            GoSource::Cache { .. } => NOT_CACHED.to_string(),
            GoSource::Proxy { .. } => "the proxy knows no version of it".to_string(),
        }));
    };
    if data.latest_time.is_none() {
        data.latest_time = version_time(source, path, &latest)?;
    }
    let mod_file = format!("@v/{latest}.mod");
    match source.get(path, &mod_file) {
        Fetch::Found(body) => data.latest_mod = Some(parse_answered_mod(path, &mod_file, &body)?),
        Fetch::NotFound => {}
        Fetch::Failed(f) => return Err(f),
    }
    for version in current {
        if let Ok(parsed) = GoVersion::parse(version)
            && let Some(time) = version_time(source, path, &parsed)?
        {
            data.times.insert(version.clone(), time);
        }
    }
    data.newer_major = newer_major(source, path)?;
    Ok(data)
}

/// The go.mod a proxy serves for `path`: it must parse and declare that path,
/// or its retractions and deprecation would be another module's.
fn parse_answered_mod(path: &str, what: &str, body: &[u8]) -> Result<GoMod, http::Failure> {
    let refused = |why: &str| failure(format!("the {what} answer {why}; refused"));
    let text = std::str::from_utf8(body).map_err(|_| refused("is not text"))?;
    let parsed = parse_go_mod(text, Mode::Lax).map_err(|_| refused("is not a go.mod file"))?;
    if parsed.module_path() != path {
        return Err(refused("declares another module path"));
    }
    Ok(parsed)
}

/// A newer major lives at another path: probe /v(N+1) upward; the newest
/// found and its latest version.
fn newer_major(
    source: &GoSource<'_>,
    path: &str,
) -> Result<Option<(String, GoVersion)>, http::Failure> {
    if path.starts_with("gopkg.in/") {
        return Ok(None);
    }
    let (base, suffix) = split_path_major(path);
    let mut found = None;
    let first = suffix.unwrap_or(1).max(1) + 1;
    for major in first..first + 5 {
        let candidate = format!("{base}/v{major}");
        let versions = match source.get(&candidate, "@v/list") {
            Fetch::Found(body) => parse_list(&candidate, &body)?,
            _ => Vec::new(),
        };
        let Some(newest) = latest_of(&versions) else {
            break;
        };
        found = Some((candidate, newest));
    }
    Ok(found)
}

/// When a version was published: a pseudo-version carries its commit time;
/// otherwise the proxy's .info says.
fn version_time(
    source: &GoSource<'_>,
    path: &str,
    version: &GoVersion,
) -> Result<Option<i64>, http::Failure> {
    if let Some(pseudo) = version.pseudo() {
        return Ok(parse_compact_time(&pseudo.timestamp));
    }
    let what = format!("@v/{version}.info");
    match source.get(path, &what) {
        Fetch::Found(body) => {
            let (answered, time) = parse_info(path, &body, &what)?;
            if answered != *version {
                return Err(failure(format!(
                    "the {what} answer is about {answered}, not the version asked for; refused"
                )));
            }
            Ok(time)
        }
        Fetch::NotFound => Ok(None),
        Fetch::Failed(f) => Err(f),
    }
}

/// RFC 3339 (`2024-01-23T18:54:04Z`, fractions and offsets allowed) to Unix seconds.
pub(crate) fn parse_time(text: &str) -> Option<i64> {
    let time: jiff::Timestamp = text.parse().ok()?;
    Some(time.as_second())
}

/// A pseudo-version timestamp `yyyymmddhhmmss` (UTC) to Unix seconds.
pub(crate) fn parse_compact_time(text: &str) -> Option<i64> {
    // %Y alone would also take a longer or signed year.
    if text.len() != 14 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let civil = jiff::civil::DateTime::strptime("%Y%m%d%H%M%S", text).ok()?;
    let time = civil.to_zoned(jiff::tz::TimeZone::UTC).ok()?;
    Some(time.timestamp().as_second())
}

/// `2024-01-23` for a Unix time.
pub(crate) fn format_date(seconds: i64) -> String {
    match jiff::Timestamp::from_second(seconds) {
        Ok(time) => time.to_zoned(jiff::tz::TimeZone::UTC).date().to_string(),
        // Beyond jiff's years -9999..=9999: no upstream answer says that.
        Err(_) => format!("{seconds} seconds after 1970-01-01"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_time("2024-01-23T18:54:04Z"), Some(1_706_036_044));
        assert_eq!(
            parse_time("2024-01-23T19:54:04.123+01:00"),
            Some(1_706_036_044)
        );
        assert_eq!(parse_time("2024-13-01T00:00:00Z"), None);
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_compact_time("20240123185404"), Some(1_706_036_044));
        assert_eq!(format_date(1_706_036_044), "2024-01-23");
        assert_eq!(format_date(0), "1970-01-01");
        assert_eq!(format_date(-1), "1969-12-31");
        assert_eq!(parse_time("2024-01-23t18:54:04z"), Some(1_706_036_044));
        assert_eq!(
            parse_time("2024-01-23T18:54:04"),
            None,
            "an offset is required"
        );
        assert_eq!(parse_compact_time("20240231000000"), None, "no 31 February");
        assert_eq!(parse_compact_time("+2024012318540"), None);
    }

    #[test]
    fn modules_missing_from_the_cache_share_one_warning_at_the_end() {
        let warnings = vec![
            format!("example.com/a: {NOT_CACHED}"),
            "crate serde: HTTP 500".to_string(),
            format!("example.com/b: {NOT_CACHED}"),
        ];
        assert_eq!(
            merge_not_cached(warnings),
            [
                "crate serde: HTTP 500",
                "2 modules are not in the module cache (run `go mod download` in the services): example.com/a, example.com/b",
            ]
        );
        let one = merge_not_cached(vec![format!("example.com/a: {NOT_CACHED}")]);
        assert!(one[0].starts_with("1 module is not"), "{one:?}");
    }

    #[test]
    fn failures_without_a_connection_are_tallied() {
        let unreachable = http::Failure {
            reason: "cannot connect".to_string(),
            unreachable: true,
        };
        let answers = Answers {
            go: vec![
                ("example.com/a".to_string(), Err(unreachable.clone())),
                ("example.com/b".to_string(), Ok(GoModuleData::default())),
            ],
            crates: vec![
                ("serde".to_string(), crates::Lookup::Failed(unreachable)),
                ("nope".to_string(), crates::Lookup::NotFound),
            ],
        };
        let mut data = UpstreamData::default();
        let tally = record_answers(&mut data, answers, "not in the index https://index.example");
        assert_eq!((tally.asked, tally.unreachable), (4, 2));
        assert!(data.go.contains_key("example.com/b"));
        assert_eq!(
            data.warnings,
            [
                "example.com/a: cannot connect",
                "crate serde: cannot connect",
                "crate nope: not in the index https://index.example",
            ]
        );
    }

    #[test]
    fn latest_prefers_releases() {
        let list = parse_list("example.com/m", b"v1.0.0\nv1.1.0-rc.1\nv0.9.0\n").unwrap();
        assert_eq!(latest_of(&list).unwrap().as_str(), "v1.0.0");
        let pre = parse_list("example.com/m/v2", b"v2.0.0-alpha\nv2.0.0-beta\n").unwrap();
        assert_eq!(latest_of(&pre).unwrap().as_str(), "v2.0.0-beta");
    }

    #[test]
    fn garbage_answers_are_refused() {
        let reason = |r: Result<Vec<GoVersion>, http::Failure>| r.unwrap_err().reason;
        assert!(
            reason(parse_list("golang.org/x/net/v6", b"v1.2.3\n")).contains("cannot have"),
            "a /v6 module has no v1.2.3"
        );
        assert!(
            reason(parse_list(
                "example.com/m",
                b"<html>captive portal</html>\n"
            ))
            .contains("refused")
        );
        assert!(parse_list("example.com/m", &[0xff, 0xfe]).is_err());
        // Go ignores fields after the version.
        assert_eq!(
            parse_list("example.com/m", b"v1.0.0 extra\n\n")
                .unwrap()
                .len(),
            1
        );

        let info = |body: &str| parse_info("example.com/m", body.as_bytes(), "@latest");
        assert!(info(r#"{"Version":"v1.2.0","Time":"2024-01-23T18:54:04Z"}"#).is_ok());
        assert!(info(r#"{"Version":"v3.0.0"}"#).is_err());
        assert!(info(r#"{"Version":"v1.2.0","Time":"yesterday"}"#).is_err());
        assert!(info("not json").is_err());
        assert!(
            !info("not json").unwrap_err().reason.contains("not json"),
            "garbage is not echoed"
        );

        let module =
            |body: &str| parse_answered_mod("example.com/m", "@v/v1.0.0.mod", body.as_bytes());
        assert!(module("module example.com/m\n\ngo 1.22\n").is_ok());
        assert!(module("module example.com/other\n").is_err());
        assert!(module("}}}{{{").is_err());
    }
}
