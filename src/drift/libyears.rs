//! Libyears: for each direct dependency, the time between the release a
//! service uses and the newest release; per service, their sum. From Go
//! module versions' release times and from crates' (the crates.io index's
//! `pubtime`, the crates.io API, or cargo's index cache offline).

use super::model::{Facts, GoModule, RustManifest};
use super::upstream::{self, UpstreamData, crates::CrateVersion};
use crate::error::InputError;
use crate::repo::Repo;
use std::collections::{BTreeMap, BTreeSet};

const YEAR: f64 = 365.25 * 86_400.0;

/// The libyears of one service's direct dependencies.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Libyears {
    pub(crate) years: f64,
    /// Direct dependencies with both release times known.
    pub(crate) counted: usize,
    /// Direct dependencies whose release times are not in the data
    /// (`unlocked` ones included).
    pub(crate) missing: usize,
    /// Of `missing`: crates of a package without a Cargo.lock, whose
    /// version in use nothing records (cargo picks the newest compatible
    /// one at build time; the requirement's floor would be a guess).
    pub(crate) unlocked: usize,
}

impl Libyears {
    fn add(&mut self, other: Libyears) {
        self.years += other.years;
        self.counted += other.counted;
        self.missing += other.missing;
        self.unlocked += other.unlocked;
    }

    /// Whether at least half of the dependencies are known: from fewer, the
    /// sum says more about what could be looked up than about the service.
    pub(crate) fn is_enough(&self) -> bool {
        self.counted * 2 >= self.counted + self.missing && self.counted > 0
    }

    fn count(&mut self, times: Option<(i64, i64)>) {
        match times {
            Some((newest, current)) => {
                self.years += ((newest - current).max(0) as f64) / YEAR;
                self.counted += 1;
            }
            None => self.missing += 1,
        }
    }
}

/// [`Libyears`] of one Go module's direct requirements from gathered
/// upstream data (the score job reads it too, from the module cache).
pub(crate) fn libyears(module: &GoModule, data: &UpstreamData) -> Libyears {
    let mut out = Libyears::default();
    for req in module.parsed.requires.iter().filter(|r| !r.indirect) {
        out.count(data.go.get(&req.path).and_then(|up| {
            up.latest_time
                .zip(up.times.get(req.version.as_str()).copied())
        }));
    }
    out
}

/// [`Libyears`] of one Cargo manifest's direct registry dependencies (not
/// dev-dependencies, which do not ship): the version its Cargo.lock
/// resolves against the newest release that is neither yanked nor a
/// prerelease. Without a Cargo.lock the version in use is unknown, so the
/// dependency is not counted (`unlocked`). The repository's own crates are
/// not counted: `own` is [`upstream::own_crates`], built once per run by
/// the caller, not once per manifest.
fn crate_libyears(
    facts: &Facts,
    own: &BTreeSet<&str>,
    manifest: &RustManifest,
    data: &UpstreamData,
) -> Libyears {
    let mut out = Libyears::default();
    let mut seen = BTreeSet::new();
    for dep in manifest
        .parsed
        .deps
        .iter()
        .filter(|d| !d.kind.ends_with("dev-dependencies"))
    {
        let Some(req) = &dep.req else { continue };
        if own.contains(dep.name.as_str()) || !seen.insert(dep.name.as_str()) {
            continue;
        }
        let in_use = facts.crate_in_use(&manifest.path, &dep.name, req);
        if let Some((_, None)) = in_use {
            out.missing += 1;
            out.unlocked += 1;
            continue;
        }
        out.count(data.crates.get(&dep.name).and_then(|versions| {
            let (current, _) = in_use?;
            let newest = newest_release(versions)?;
            Some((
                release_time(versions, newest)?,
                release_time(versions, &current)?,
            ))
        }));
    }
    out
}

/// The newest version neither yanked nor a prerelease.
pub(crate) fn newest_release(versions: &[CrateVersion]) -> Option<&semver::Version> {
    versions
        .iter()
        .filter(|v| !v.yanked && v.version.pre.is_empty())
        .map(|v| &v.version)
        .max()
}

fn release_time(versions: &[CrateVersion], version: &semver::Version) -> Option<i64> {
    let found = versions.iter().find(|v| &v.version == version)?;
    upstream::parse_time(found.published.as_deref()?)
}

/// Which release times a service's libyears come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ecosystem {
    Go,
    Rust,
}

impl Ecosystem {
    /// Where release times are read offline, and how to fill it, for reasons.
    pub(crate) fn cache_words(self) -> (&'static str, &'static str) {
        match self {
            Ecosystem::Go => (
                "the Go module cache",
                "run `go mod download` in the service's module, or `trellis drift --upstream` online",
            ),
            Ecosystem::Rust => (
                "cargo's crates.io index cache",
                "run `cargo fetch` in the workspace, or `trellis drift --upstream` online",
            ),
        }
    }
}

/// One service's dependency age, for `trellis score`.
#[derive(Debug, Clone)]
pub(crate) struct ServiceAge {
    pub(crate) years: Libyears,
    pub(crate) ecosystem: Ecosystem,
    /// Why no release times could be read for its ecosystem, if so.
    pub(crate) unavailable: Option<String>,
    /// Where the release times came from.
    pub(crate) source: String,
}

/// What `trellis score` needs of drift: the libyears of every service's
/// direct dependencies, from what `trellis drift --offline` reads (go.mod
/// and Cargo files, release times in the Go module cache and in cargo's
/// index cache).
#[derive(Debug, Default)]
pub(crate) struct ServiceAges {
    /// Per service name; a service with several manifests keeps the last.
    pub(crate) services: BTreeMap<String, ServiceAge>,
}

/// [`ServiceAges`] of the repository; `Err` when its manifests cannot be read.
/// `upstream` is the `drift.upstream` section: where releases are looked up.
pub(crate) fn dependency_age(
    repo: &Repo,
    upstream: &upstream::UpstreamConfig,
) -> Result<ServiceAges, InputError> {
    let facts = Facts::gather(repo)?;
    let modules: Vec<&GoModule> = facts
        .service_modules()
        .filter(|m| m.service.is_some())
        .collect();
    let manifests: Vec<&RustManifest> = facts
        .manifests
        .iter()
        .filter(|m| m.service.is_some())
        .collect();
    if modules.is_empty() && manifests.is_empty() {
        return Ok(ServiceAges::default());
    }
    let data = upstream::gather(&upstream::Lookups {
        facts: &facts,
        config: upstream,
        offline: true,
        progress: false,
    });
    let own = upstream::own_crates(&facts);
    let mut services = BTreeMap::new();
    for module in modules {
        if let Some(service) = &module.service {
            let age = ServiceAge {
                years: libyears(module, &data),
                ecosystem: Ecosystem::Go,
                unavailable: data.unavailable.clone(),
                source: data.source.clone(),
            };
            services.insert(service.clone(), age);
        }
    }
    for manifest in manifests {
        if let Some(service) = &manifest.service {
            let age = ServiceAge {
                years: crate_libyears(&facts, &own, manifest, &data),
                ecosystem: Ecosystem::Rust,
                unavailable: data.crates_unavailable.clone(),
                source: data.crates_source.clone(),
            };
            services.insert(service.clone(), age);
        }
    }
    Ok(ServiceAges { services })
}

/// Packages with a registry dependency no Cargo.lock above them resolves.
fn unlocked_manifests(facts: &Facts, own: &BTreeSet<&str>) -> usize {
    facts
        .manifests
        .iter()
        .filter(|m| m.parsed.package.is_some())
        .filter(|m| {
            m.parsed.deps.iter().any(|d| {
                d.req.as_ref().is_some_and(|req| {
                    !own.contains(d.name.as_str())
                        && matches!(facts.crate_in_use(&m.path, &d.name, req), Some((_, None)))
                })
            })
        })
        .count()
}

/// A libyears figure with its coverage: "4.20", "4.20 (8 of 10 crates)", or
/// unavailable with the reason when under half are known.
fn describe(years: &Libyears, noun: &str, unavailable: Option<&str>) -> String {
    let total = years.counted + years.missing;
    if total == 0 {
        return format!("0.00 (no {noun})");
    }
    if !years.is_enough() {
        let why = unavailable.map_or(String::new(), |reason| format!(": {reason}"));
        return format!(
            "unavailable: release times known for {} of {total} {noun}, fewer than half{why}",
            years.counted
        );
    }
    // Adding to 0.0: an empty f64 sum is -0.0, printed as "-0.00".
    let value = 0.0 + years.years;
    if years.missing == 0 {
        format!("{value:.2}")
    } else {
        format!("{value:.2} ({} of {total} {noun})", years.counted)
    }
}

/// Libyears per service and in total, per ecosystem, and where the data came from.
pub(crate) fn upstream_summary(facts: &Facts, data: &UpstreamData) -> Vec<(String, String)> {
    let own = upstream::own_crates(facts);
    let mut stats = Vec::new();
    if facts.manifests.is_empty()
        && let Some(reason) = data.skipped()
    {
        stats.push(("upstream".into(), reason));
        return stats;
    }
    if !facts.modules.is_empty() {
        // The Go proxy or module cache: a Rust-only repository asks neither.
        let source = data.skipped().unwrap_or_else(|| data.source.clone());
        stats.push(("upstream".into(), source));
    }
    if !facts.manifests.is_empty() {
        let mut source = match &data.crates_unavailable {
            Some(reason) => format!("unavailable: {reason}"),
            None => data.crates_source.clone(),
        };
        let unlocked = unlocked_manifests(facts, &own);
        if unlocked > 0 {
            // Cargo picks the newest compatible version at build time; the
            // requirement's floor (`1.0` -> 1.0.0) would be a guess.
            source.push_str(&format!(
                "; {unlocked} package{} without a Cargo.lock: {} dependencies' versions in use are unknown, not counted",
                if unlocked == 1 { "" } else { "s" },
                if unlocked == 1 { "its" } else { "their" }
            ));
        }
        stats.push(("crates".into(), source));
    }
    let mut per_service: Vec<(String, Libyears)> = Vec::new();
    let mut go = Libyears::default();
    for module in facts.service_modules() {
        let years = libyears(module, data);
        go.add(years);
        per_service.push((module.name.clone(), years));
    }
    let mut rust = Libyears::default();
    for manifest in facts
        .manifests
        .iter()
        .filter(|m| m.parsed.package.is_some())
    {
        let years = crate_libyears(facts, &own, manifest, data);
        rust.add(years);
        let name = manifest
            .service
            .clone()
            .or_else(|| manifest.parsed.package.clone())
            .unwrap_or_else(|| manifest.path.clone());
        per_service.push((name, years));
    }
    let has_go = facts.service_modules().next().is_some();
    let has_rust = facts.manifests.iter().any(|m| m.parsed.package.is_some());
    let go_reason = data.unavailable.as_deref();
    let rust_reason = data.crates_unavailable.as_deref();
    if has_go && has_rust {
        let mut total = go;
        total.add(rust);
        stats.push((
            "libyears".into(),
            describe(&total, "dependencies", go_reason.or(rust_reason)),
        ));
        stats.push((
            "libyears (Go)".into(),
            describe(&go, "requirements", go_reason),
        ));
        stats.push((
            "libyears (crates)".into(),
            describe(&rust, "crates", rust_reason),
        ));
    } else if has_go {
        stats.push(("libyears".into(), describe(&go, "requirements", go_reason)));
    } else if has_rust {
        stats.push(("libyears".into(), describe(&rust, "crates", rust_reason)));
    }
    per_service.sort_by(|a, b| b.1.years.total_cmp(&a.1.years).then_with(|| a.0.cmp(&b.0)));
    if !per_service.is_empty() {
        let listed: Vec<String> = per_service
            .iter()
            .map(|(name, years)| {
                let total = years.counted + years.missing;
                if total > 0 && !years.is_enough() {
                    format!("{name} - ({} of {total} known)", years.counted)
                } else if years.missing > 0 {
                    format!(
                        "{name} {:.2} ({} of {total})",
                        0.0 + years.years,
                        years.counted
                    )
                } else {
                    format!("{name} {:.2}", 0.0 + years.years)
                }
            })
            .collect();
        stats.push(("libyears by service".into(), listed.join(", ")));
    }
    if !data.warnings.is_empty() {
        stats.push(("upstream warnings".into(), data.warnings.len().to_string()));
    }
    if !data.private.is_empty() {
        stats.push((
            "private modules not looked up".into(),
            data.private.len().to_string(),
        ));
    }
    stats
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_say_their_coverage_and_refuse_under_half() {
        let years = |years, counted, missing| Libyears {
            years,
            counted,
            missing,
            unlocked: 0,
        };
        assert_eq!(describe(&years(4.2, 10, 0), "crates", None), "4.20");
        assert_eq!(
            describe(&years(4.2, 8, 2), "crates", None),
            "4.20 (8 of 10 crates)"
        );
        assert_eq!(
            describe(&years(0.5, 2, 8), "crates", Some("no cache")),
            "unavailable: release times known for 2 of 10 crates, fewer than half: no cache"
        );
        assert!(describe(&years(0.0, 0, 3), "crates", None).starts_with("unavailable"));
        assert_eq!(describe(&years(-0.0, 1, 0), "crates", None), "0.00");
    }
}
