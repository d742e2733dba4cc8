//! `trellis drift`: dependency drift between services, against an anchor and
//! against upstream.
//!
//! Layout: parsers (`gomod`, `cargo`, `version`), the parsed facts (`model`),
//! the policy (`config`), one check per file (`checks`).

pub(crate) mod cargo;
pub(crate) mod checks;
pub(crate) mod config;
pub(crate) mod fix;
mod libyears;
// go.mod/go.sum parsing and Go versions are a shared layer: the repository
// model reads go.work and go.mod files too.
pub use crate::gomod;
pub(crate) mod model;
pub(crate) mod upstream;
pub(crate) use crate::gomod::version;

pub(crate) use config::DriftConfig;
pub(crate) use libyears::{Ecosystem, Libyears, dependency_age};

use crate::error::InputError;
use crate::policy::sink::{Exceptions, Policy};
use crate::repo::Repo;
use crate::report::Report;
use checks::{Anchored, Ctx};
use config::Constraint;
use model::Facts;
use std::cell::Cell;
use std::collections::BTreeMap;

/// How `trellis drift` runs.
#[derive(Debug, Clone, Default)]
pub(crate) struct DriftOptions {
    /// Compare with the newest upstream releases (Go module proxy, crates.io).
    pub(crate) upstream: bool,
    /// Never touch the network; upstream data comes from the local module cache.
    pub(crate) offline: bool,
    /// Print lookup warnings and the progress bar (stderr) unless quiet.
    pub(crate) quiet: bool,
}

/// Runs the drift checks on a repository.
/// `config` is trellis.yaml's `drift:` section; `policy` its `rules:` and
/// `exceptions:`, which checks that leave excepted dependencies out while
/// they compute ask (the sink applies them to the findings afterwards).
pub(crate) fn run(
    repo: &Repo,
    config: &DriftConfig,
    policy: Policy<'_>,
    options: &DriftOptions,
) -> Result<Report, InputError> {
    let config_path = repo.config.display_path(&repo.root);
    validate(config, repo)?;
    let facts = crate::logging::timed("drift: facts", || Facts::gather(repo))?;
    let anchors = anchors(&facts, config);
    let ctx = Ctx {
        facts: &facts,
        config,
        anchors,
        exceptions: Exceptions::new(policy),
        skip_hits: config.cargo_skip.iter().map(|_| Cell::new(0)).collect(),
        config_path,
    };
    let mut report = Report::new("drift");
    crate::logging::timed("drift: offline checks", || {
        checks::run_offline(&ctx, &mut report.findings)
    });
    report.rules = checks::offline_rules();
    let mut upstream_stats = Vec::new();
    if options.upstream || options.offline {
        use std::io::IsTerminal;
        let data = upstream::gather(&upstream::Lookups {
            facts: &facts,
            config: &config.upstream,
            offline: options.offline,
            progress: !options.quiet && std::io::stderr().is_terminal(),
        });
        if !options.quiet {
            let mut stderr = std::io::stderr().lock();
            use std::io::Write as _;
            if let Some(reason) = data.skipped() {
                let _ = writeln!(stderr, "warning: {reason}");
            }
            for warning in &data.warnings {
                let _ = writeln!(stderr, "warning: upstream: {warning}");
            }
        }
        crate::logging::timed("drift: upstream checks", || {
            checks::run_upstream(&ctx, &data, &mut report.findings)
        });
        report.rules.extend(checks::upstream_rules());
        upstream_stats = libyears::upstream_summary(&facts, &data);
    }
    let requirements: usize = facts.modules.iter().map(|m| m.parsed.requires.len()).sum();
    // A repository's summary names only the ecosystems it has.
    let has_go = !facts.modules.is_empty();
    let has_cargo = !facts.manifests.is_empty();
    report.stats = Vec::new();
    if has_go || !has_cargo {
        report.stats.extend([
            ("go.mod files".into(), facts.modules.len().to_string()),
            ("requirements".into(), requirements.to_string()),
            ("go.sum files".into(), facts.sums.len().to_string()),
        ]);
    }
    if has_cargo || !has_go {
        report
            .stats
            .push(("Cargo manifests".into(), facts.manifests.len().to_string()));
    }
    if let Some(resolution) = &facts.workspace_resolution {
        report
            .stats
            .push(("Rust workspaces".into(), resolution.clone()));
    }
    report.stats.extend(upstream_stats);
    report.excepted_in_checks = ctx.exceptions.used();
    if let Some(anchor) = facts.anchor() {
        report
            .stats
            .push(("anchor".into(), anchor.manifest.clone()));
    }
    Ok(report)
}

/// An error about the drift policy, at the place `location` says in the
/// config file that was read last (where its entries' places come from).
fn config_error(
    repo: &Repo,
    location: Option<(u32, u32)>,
    message: String,
    help: &str,
) -> InputError {
    let mut err = InputError::new(message).help(help);
    if let Some(path) = repo.config.files.last() {
        err = err.in_file(path);
        if let Some((line, column)) = location {
            err = err.at(line, column);
        }
        if let Ok(text) = std::fs::read_to_string(path) {
            err = err.with_source(text);
        }
    }
    err
}

fn validate(config: &DriftConfig, repo: &Repo) -> Result<(), InputError> {
    for (module, value) in &config.anchor {
        if let Err(message) = Constraint::parse(value) {
            return Err(config_error(
                repo,
                value.location.or(module.location),
                format!("drift.anchor.{module}: {message}"),
                "write a version (v1.5.2), a pin (=v1.5.2) or a range (>=v1.2.0, <v1.4.0)",
            ));
        }
    }
    for exception in &config.exceptions {
        if exception.reason.trim().is_empty() {
            return Err(config_error(
                repo,
                exception.module.location,
                format!(
                    "drift.exceptions entry for {} has an empty reason",
                    exception.module
                ),
                "say why the module may drift: `reason: pinned until the v2 migration (TICKET-12)`",
            ));
        }
        for service in &exception.services {
            let is_library = repo.libraries.iter().any(|l| l.name == service.value);
            if repo.service(service).is_none() && !is_library {
                let names: Vec<&str> = repo
                    .services
                    .iter()
                    .chain(&repo.libraries)
                    .map(|s| s.name.as_str())
                    .collect();
                let hint = crate::error::did_you_mean(service, names.iter().copied())
                    .map(|n| format!("did you mean `{n}`? "))
                    .unwrap_or_default();
                return Err(config_error(
                    repo,
                    service.location,
                    format!("drift.exceptions names service `{service}`, which does not exist"),
                    &format!("{hint}services: {}", names.join(", ")),
                ));
            }
        }
    }
    for skip in &config.cargo_skip {
        if skip.reason.trim().is_empty() {
            return Err(config_error(
                repo,
                skip.name.location,
                format!(
                    "drift.cargo-skip entry for {} has an empty reason",
                    skip.name
                ),
                "say why the duplicate is accepted",
            ));
        }
    }
    if crate::report::Severity::parse(&config.indirect_severity).is_none() {
        return Err(config_error(
            repo,
            config.indirect_severity.location,
            format!(
                "drift.indirect-severity: `{}` is not a severity",
                config.indirect_severity
            ),
            "use info, warning or error",
        ));
    }
    Ok(())
}

/// The anchor constraints: the root go.mod's requirements, then the policy.
fn anchors(facts: &Facts, config: &DriftConfig) -> BTreeMap<String, Anchored> {
    let mut anchors = BTreeMap::new();
    if let Some(anchor) = facts.anchor() {
        for req in &anchor.parsed.requires {
            let constraint = if config.float {
                Constraint::Float(req.version.clone())
            } else {
                Constraint::Exact(req.version.clone())
            };
            anchors.insert(
                req.path.clone(),
                Anchored {
                    constraint,
                    source: anchor.manifest.clone(),
                    line: Some(req.pos.line),
                },
            );
        }
    }
    for (module, value) in &config.anchor {
        if let Ok(constraint) = Constraint::parse(value) {
            anchors.insert(
                module.value.clone(),
                Anchored {
                    constraint,
                    source: "trellis.yaml (drift.anchor)".into(),
                    line: None,
                },
            );
        }
    }
    anchors
}
