//! The one place that decides what a job's findings become, after its checks
//! ran (cargo-deny's diagnostic sink is the model): `rules:` in trellis.yaml
//! turns rules off or gives them their final severity, `exceptions:` (and
//! `drift.exceptions`, the older spelling of module exceptions for drift
//! rules) drops accepted findings and counts them, and exceptions that
//! matched nothing are reported. Checks only choose a default severity.
//!
//! The sink knows nothing about which job a finding comes from: it matches
//! the rule id, the path, the service and the module every finding carries.

use super::selection::level_for;
use super::{DriftException, Exception, RuleKey};
use crate::report::RuleLevel;
use crate::report::{Finding, Report, Severity, Span};
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};

/// The stats key under which excepted findings are counted.
pub(crate) const EXCEPTED: &str = "excepted";
/// The stats key listing exceptions that matched no finding of a rule that ran.
pub(crate) const UNUSED: &str = "unused exceptions";
/// Unused exceptions for drift rules are findings of this rule, as unused
/// `drift.anchor` and `drift.cargo-skip` entries are.
const UNUSED_DRIFT_POLICY: &str = "drift-unused-policy";
/// The job that always checks the whole repository: an exception for its
/// rules that matched nothing is stale, not waiting for another change.
const WHOLE_REPOSITORY_JOB: &str = "drift";

/// What the sink applies: the top-level `rules:` and `exceptions:`, and
/// `drift.exceptions`, the older spelling of module exceptions for drift rules.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Policy<'a> {
    pub(crate) rules: &'a BTreeMap<RuleKey, RuleLevel>,
    pub(crate) exceptions: &'a [Exception],
    pub(crate) drift_exceptions: &'a [DriftException],
}

/// Every exception of a configuration, top-level ones first, then
/// `drift.exceptions`, compiled once, each with how often it matched.
/// Checks that must leave excepted dependencies out while they compute (which
/// version a mismatch aligns on) ask it through [`Exceptions::covers_dependency`];
/// the sink asks it about every finding afterwards, and the counts of both
/// decide which entries are unused.
pub(crate) struct Exceptions<'a> {
    entries: Vec<Entry<'a>>,
    hits: Vec<Cell<usize>>,
}

/// Where an exception was written, to report it when it matches nothing.
enum Origin<'a> {
    TopLevel(&'a Exception),
    Drift(&'a DriftException),
}

struct Entry<'a> {
    rule: RuleKey,
    path: Option<globset::GlobMatcher>,
    module: Option<&'a str>,
    /// The finding's service must be one of these; any when empty.
    services: Vec<&'a str>,
    origin: Origin<'a>,
}

impl<'a> Exceptions<'a> {
    pub(crate) fn new(policy: Policy<'a>) -> Exceptions<'a> {
        let top_level = policy.exceptions.iter().filter_map(|exception| {
            // Validated at load time; a glob that still fails to compile excepts nothing.
            let path = match &exception.path {
                Some(glob) => Some(glob.compile().ok()?.compile_matcher()),
                None => None,
            };
            Some(Entry {
                rule: exception.rule.clone(),
                path,
                module: exception.module.as_ref().map(|m| m.value.as_str()),
                services: exception.service.iter().map(String::as_str).collect(),
                origin: Origin::TopLevel(exception),
            })
        });
        let drift = policy.drift_exceptions.iter().map(|exception| Entry {
            rule: RuleKey::new("drift-"),
            path: None,
            module: Some(exception.module.value.as_str()),
            services: exception
                .services
                .iter()
                .map(|service| service.value.as_str())
                .collect(),
            origin: Origin::Drift(exception),
        });
        let entries: Vec<Entry<'a>> = top_level.chain(drift).collect();
        let hits = entries.iter().map(|_| Cell::new(0)).collect();
        Exceptions { entries, hits }
    }

    /// Whether an exception with a `module` accepts `module` in `service` for
    /// `rule`; counts the use. For checks that leave excepted requirements
    /// out while they compute, so the rest of the finding stays right.
    pub(crate) fn covers_dependency(&self, rule: &str, module: &str, service: &str) -> bool {
        self.first_match(|entry| {
            entry.path.is_none()
                && entry.module == Some(module)
                && entry.rule.rank(rule).is_some()
                && (entry.services.is_empty() || entry.services.contains(&service))
        })
        .is_some()
    }

    /// Which entries matched so far, by their place in the canonical order
    /// (the same for every `Exceptions` of one configuration).
    pub(crate) fn used(&self) -> BTreeSet<usize> {
        self.hits
            .iter()
            .enumerate()
            .filter(|(_, hits)| hits.get() > 0)
            .map(|(index, _)| index)
            .collect()
    }

    fn accepts(&self, finding: &Finding) -> bool {
        self.first_match(|entry| entry.matches(finding)).is_some()
    }

    /// Counts a use for every matching entry, so none of them is reported
    /// as unused, and says whether there was one.
    fn first_match(&self, matches: impl Fn(&Entry<'_>) -> bool) -> Option<usize> {
        let mut first = None;
        for (index, entry) in self.entries.iter().enumerate() {
            if matches(entry) {
                self.hits[index].set(self.hits[index].get() + 1);
                first.get_or_insert(index);
            }
        }
        first
    }
}

impl Entry<'_> {
    fn matches(&self, finding: &Finding) -> bool {
        if self.rule.rank(&finding.rule).is_none() {
            return false;
        }
        let has_target = self.path.is_some() || self.module.is_some() || !self.services.is_empty();
        // Config validation requires a target; an entry without one excepts nothing.
        has_target
            && self
                .path
                .as_ref()
                .is_none_or(|glob| glob.is_match(&finding.path))
            && self
                .module
                .is_none_or(|module| finding.module.as_deref() == Some(module))
            && (self.services.is_empty()
                || finding
                    .service
                    .as_deref()
                    .is_some_and(|service| self.services.contains(&service)))
    }
}

/// What the configuration makes of one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Reported, at this severity.
    Keep(Severity),
    /// Its rule is turned off.
    Off,
    /// An exception accepts it.
    Excepted,
}

/// Applies `rules:` and the exceptions to the reports of one run, and at the
/// end reports the exceptions that matched nothing.
pub(crate) struct Sink<'a> {
    policy: Policy<'a>,
    exceptions: Exceptions<'a>,
    /// Rule ids of the reports applied so far, with their job: an exception
    /// is unused only if a rule it names ran.
    ran: BTreeMap<String, String>,
    /// The config file, relative to the repository root, for findings about it.
    config_file: String,
}

impl<'a> Sink<'a> {
    pub(crate) fn new(policy: Policy<'a>, config_file: impl Into<String>) -> Sink<'a> {
        Sink {
            policy,
            exceptions: Exceptions::new(policy),
            ran: BTreeMap::new(),
            config_file: config_file.into(),
        }
    }

    /// What the configuration makes of `finding`, without counting it.
    pub(crate) fn decide(&self, finding: &Finding) -> Decision {
        match level_for(self.policy.rules, &finding.rule) {
            Some(RuleLevel::Off) => Decision::Off,
            _ if self.would_except(finding) => Decision::Excepted,
            Some(level) => Decision::Keep(severity(level)),
            None => Decision::Keep(finding.severity),
        }
    }

    fn would_except(&self, finding: &Finding) -> bool {
        self.exceptions
            .entries
            .iter()
            .any(|entry| entry.matches(finding))
    }

    /// Applies the configuration to one job's report. Run it once per job:
    /// the count of excepted findings is added to that job's stats.
    pub(crate) fn apply(&mut self, mut report: Report) -> Report {
        for index in &report.excepted_in_checks {
            if let Some(hits) = self.exceptions.hits.get(*index) {
                hits.set(hits.get() + 1);
            }
        }
        self.ran.extend(
            report
                .rules
                .iter()
                .map(|rule| (rule.id.clone(), rule.job.clone())),
        );
        let excepted = self.resolve(&mut report.findings);
        if excepted > 0 {
            report
                .stats
                .push((EXCEPTED.to_string(), excepted.to_string()));
        }
        report
    }

    /// Drops what is off or excepted, re-levels the rest; returns how many
    /// were excepted.
    fn resolve(&self, findings: &mut Vec<Finding>) -> usize {
        let mut excepted = 0usize;
        findings.retain_mut(|finding| {
            match level_for(self.policy.rules, &finding.rule) {
                Some(RuleLevel::Off) => return false,
                Some(level) => finding.severity = severity(level),
                None => {}
            }
            let accepted = self.exceptions.accepts(finding);
            excepted += usize::from(accepted);
            !accepted
        });
        excepted
    }

    /// Adds what the exceptions that matched nothing say to the run's
    /// report: a `drift-unused-policy` finding for each one about drift rules
    /// only (drift always checks the whole repository, so an unmatched one
    /// is stale), and a stats line naming the others (lint and contract may
    /// have checked only a change, so theirs may still be needed).
    pub(crate) fn finish(&self, report: &mut Report) {
        let mut findings = Vec::new();
        let mut others = Vec::new();
        for (index, entry) in self.exceptions.entries.iter().enumerate() {
            if self.exceptions.hits[index].get() > 0 {
                continue;
            }
            let jobs: BTreeSet<&str> = self
                .ran
                .iter()
                .filter(|(id, _)| entry.rule.rank(id).is_some())
                .filter(|(id, _)| level_for(self.policy.rules, id) != Some(RuleLevel::Off))
                .map(|(_, job)| job.as_str())
                .collect();
            if jobs.is_empty() {
                continue;
            }
            if jobs.iter().all(|job| *job == WHOLE_REPOSITORY_JOB) {
                findings.push(self.unused_drift_finding(entry));
            } else {
                others.push(self.describe(entry));
            }
        }
        self.resolve(&mut findings);
        report.findings.extend(findings);
        if !others.is_empty() {
            report.stats.push((UNUSED.to_string(), others.join("; ")));
        }
    }

    fn unused_drift_finding(&self, entry: &Entry<'_>) -> Finding {
        let (key, message, location) = match &entry.origin {
            Origin::Drift(exception) => (
                format!(
                    "exception:{}:{}",
                    exception.module.value,
                    exception
                        .services
                        .iter()
                        .map(|service| service.value.as_str())
                        .collect::<Vec<_>>()
                        .join(",")
                ),
                format!(
                    "drift.exceptions entry for {} excuses nothing: there is no drift to excuse",
                    exception.module.value
                ),
                exception
                    .module
                    .location
                    .map(|(line, column)| Span::over(line, column, &exception.module)),
            ),
            Origin::TopLevel(exception) => (
                format!("exceptions:{}", target_of(exception)),
                format!(
                    "the exception for `{}` at {} matches no finding: there is no drift to excuse",
                    exception.rule.id,
                    target_of(exception)
                ),
                exception
                    .rule
                    .location
                    .map(|(line, column)| Span::over(line, column, &exception.rule.id)),
            ),
        };
        let mut finding = Finding::new(
            UNUSED_DRIFT_POLICY,
            Severity::Warning,
            &self.config_file,
            message,
            &key,
        )
        .help("remove the entry from trellis.yaml");
        if let Some(span) = location {
            finding = finding.at(span);
        }
        finding
    }

    fn describe(&self, entry: &Entry<'_>) -> String {
        let Origin::TopLevel(exception) = &entry.origin else {
            return entry.rule.id.clone();
        };
        let place = match exception.rule.location {
            Some((line, column)) => format!("{}:{line}:{column}", self.config_file),
            None => self.config_file.clone(),
        };
        format!(
            "{place} `{}` at {}",
            exception.rule.id,
            target_of(exception)
        )
    }
}

/// `path services/**`, `module github.com/x/y in order`, `service legacy`.
fn target_of(exception: &Exception) -> String {
    let mut parts = Vec::new();
    if let Some(path) = &exception.path {
        parts.push(format!("path {}", path.pattern));
    }
    if let Some(module) = &exception.module {
        parts.push(format!("module {}", module.value));
    }
    if let Some(service) = &exception.service {
        parts.push(format!("service {service}"));
    }
    parts.join(", ")
}

fn severity(level: RuleLevel) -> Severity {
    match level {
        RuleLevel::Info => Severity::Info,
        RuleLevel::Warning => Severity::Warning,
        // `Off` never gets here: the finding was dropped.
        RuleLevel::Error | RuleLevel::Off => Severity::Error,
    }
}

/// Applies one configuration to one report, unused exceptions included: what
/// every single-job command does.
pub(crate) fn apply(report: Report, policy: Policy<'_>, config_file: &str) -> Report {
    let mut sink = Sink::new(policy, config_file);
    let mut report = sink.apply(report);
    sink.finish(&mut report);
    report
}

/// The items whose finding the configuration keeps, for callers that render
/// a format the sink cannot change (buf's), without counting them: the
/// report they also build goes through [`Sink::apply`].
pub(crate) fn kept<T>(items: Vec<T>, sink: &Sink<'_>, finding: impl Fn(&T) -> Finding) -> Vec<T> {
    items
        .into_iter()
        .filter(|item| matches!(sink.decide(&finding(item)), Decision::Keep(_)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::policy::{Glob, Located, RuleKey};
    use crate::report::{Finding, RuleInfo};

    fn report() -> Report {
        let mut report = Report::new("check");
        report.findings = vec![
            Finding::new(
                "drift-version-mismatch",
                Severity::Warning,
                "services/order/go.mod",
                "uuid",
                "uuid",
            )
            .service(Some("order"))
            .module("github.com/google/uuid"),
            Finding::new(
                "drift-outdated",
                Severity::Info,
                "services/legacy/go.mod",
                "old",
                "old",
            )
            .service(Some("legacy"))
            .module("github.com/old/lib"),
            Finding::new(
                "FIELD_NO_DELETE",
                Severity::Error,
                "api/order/v1/order.proto",
                "deleted",
                "f",
            ),
            Finding::new(
                "go-init-func",
                Severity::Warning,
                "services/legacy/main.go",
                "init",
                "init",
            )
            .service(Some("legacy")),
        ];
        report.rules = [
            "drift-version-mismatch",
            "drift-outdated",
            "FIELD_NO_DELETE",
        ]
        .iter()
        .map(|id| RuleInfo {
            id: id.to_string(),
            job: if id.starts_with("drift-") {
                "drift"
            } else {
                "contract"
            }
            .into(),
            default_severity: Severity::Warning,
            summary: String::new(),
            docs: String::new(),
        })
        .collect();
        report
    }

    fn config(rules: &[(&str, RuleLevel)], exceptions: Vec<Exception>) -> Config {
        Config {
            rules: rules
                .iter()
                .map(|(id, level)| (RuleKey::new(*id), *level))
                .collect(),
            exceptions,
            ..Config::default()
        }
    }

    fn exception(rule: &str, path: Option<&str>, service: Option<&str>) -> Exception {
        Exception {
            rule: RuleKey::new(rule),
            path: path.map(Glob::new),
            module: None,
            service: service.map(str::to_string),
            reason: "accepted".to_string(),
        }
    }

    fn module_exception(rule: &str, module: &str, service: Option<&str>) -> Exception {
        Exception {
            module: Some(Located::new(module.to_string())),
            ..exception(rule, None, service)
        }
    }

    fn rule_ids(report: &Report) -> BTreeMap<&str, Severity> {
        report
            .findings
            .iter()
            .map(|f| (f.rule.as_str(), f.severity))
            .collect()
    }

    fn rules_of(report: &Report) -> Vec<(&str, Severity)> {
        report
            .findings
            .iter()
            .map(|f| (f.rule.as_str(), f.severity))
            .collect()
    }

    fn run(config: &Config) -> Report {
        apply(report(), config.policy(), "trellis.yaml")
    }

    #[test]
    fn without_rules_or_exceptions_nothing_changes() {
        let out = run(&Config::default());
        assert_eq!(out.findings, report().findings);
        assert!(out.stats.is_empty());
    }

    #[test]
    fn off_drops_and_levels_relevel_with_exact_over_prefix() {
        let config = config(
            &[
                ("drift-", RuleLevel::Off),
                ("drift-version-mismatch", RuleLevel::Error),
                ("FIELD_", RuleLevel::Warning),
            ],
            Vec::new(),
        );
        let out = run(&config);
        assert_eq!(
            rules_of(&out),
            vec![
                ("drift-version-mismatch", Severity::Error),
                ("FIELD_NO_DELETE", Severity::Warning),
                ("go-init-func", Severity::Warning),
            ]
        );
        // Turning rules off is the configuration's choice, not an exception.
        assert!(out.stats.is_empty());
    }

    #[test]
    fn exceptions_match_rule_and_path_or_service_and_are_counted() {
        let config = config(
            &[],
            vec![
                exception("drift-", None, Some("legacy")),
                exception("go-init-func", Some("services/legacy/**"), None),
                // Right path, other rule: keeps the contract finding, and is
                // not reported as unused because no `go-` rule ran.
                exception("go-", Some("api/**"), None),
            ],
        );
        let out = run(&config);
        assert_eq!(
            rules_of(&out),
            vec![
                ("drift-version-mismatch", Severity::Warning),
                ("FIELD_NO_DELETE", Severity::Error),
            ]
        );
        assert_eq!(out.stats, vec![(EXCEPTED.to_string(), "2".to_string())]);
    }

    #[test]
    fn module_exceptions_match_the_findings_module_and_narrow_by_service() {
        let config = config(
            &[],
            vec![
                module_exception("drift-", "github.com/google/uuid", Some("inventory")),
                module_exception("drift-outdated", "github.com/old/lib", None),
            ],
        );
        let out = run(&config);
        let ids = rule_ids(&out);
        // The uuid exception is for another service: the mismatch stays.
        assert!(ids.contains_key("drift-version-mismatch"), "{ids:?}");
        assert!(!ids.contains_key("drift-outdated"), "{ids:?}");
        // The unused one is a drift rule's: a drift-unused-policy finding.
        assert!(ids.contains_key(UNUSED_DRIFT_POLICY), "{ids:?}");
    }

    #[test]
    fn drift_exceptions_are_module_exceptions_for_every_drift_rule() {
        let mut config = Config::default();
        config.drift.exceptions = vec![DriftException {
            module: Located::new("github.com/old/lib".to_string()),
            services: vec![],
            reason: "frozen".into(),
        }];
        let out = run(&config);
        assert_eq!(
            rules_of(&out),
            vec![
                ("drift-version-mismatch", Severity::Warning),
                ("FIELD_NO_DELETE", Severity::Error),
                ("go-init-func", Severity::Warning),
            ]
        );
        assert_eq!(out.stats, vec![(EXCEPTED.to_string(), "1".to_string())]);
    }

    #[test]
    fn unused_exceptions_of_rules_that_ran_are_reported_with_their_place() {
        let mut stale = exception("FIELD_NO_DELETE", Some("api/payment/**"), None);
        stale.rule.location = Some((7, 5));
        let config = config(
            &[],
            vec![
                stale,
                module_exception("drift-version-mismatch", "github.com/gone/mod", None),
                // No `go-` rule ran: not reported.
                exception("go-init-func", Some("nowhere/**"), None),
            ],
        );
        let out = run(&config);
        let unused = out
            .stats
            .iter()
            .find(|(key, _)| key == UNUSED)
            .map(|(_, value)| value.as_str());
        assert_eq!(
            unused,
            Some("trellis.yaml:7:5 `FIELD_NO_DELETE` at path api/payment/**")
        );
        let policy: Vec<&Finding> = out
            .findings
            .iter()
            .filter(|f| f.rule == UNUSED_DRIFT_POLICY)
            .collect();
        assert_eq!(policy.len(), 1, "{policy:?}");
        assert!(policy[0].message.contains("github.com/gone/mod"));
        assert_eq!(policy[0].path, "trellis.yaml");
    }

    #[test]
    fn exceptions_used_while_checking_are_not_unused() {
        let config = config(
            &[],
            vec![module_exception(
                "drift-version-mismatch",
                "github.com/gone/mod",
                Some("order"),
            )],
        );
        let exceptions = Exceptions::new(config.policy());
        assert!(exceptions.covers_dependency(
            "drift-version-mismatch",
            "github.com/gone/mod",
            "order"
        ));
        assert!(!exceptions.covers_dependency("drift-anchor", "github.com/gone/mod", "order"));
        let mut report = report();
        report.excepted_in_checks = exceptions.used();
        let out = apply(report, config.policy(), "trellis.yaml");
        assert!(!out.findings.iter().any(|f| f.rule == UNUSED_DRIFT_POLICY));
    }

    #[test]
    fn path_globs_do_not_cross_directories_with_one_star() {
        let config = config(
            &[],
            vec![exception("go-init-func", Some("services/*"), None)],
        );
        let out = run(&config);
        assert_eq!(out.findings.len(), 4);
    }

    #[test]
    fn decide_does_not_count() {
        let config = config(
            &[("go-", RuleLevel::Off)],
            vec![exception("FIELD_NO_DELETE", Some("api/**"), None)],
        );
        let sink = Sink::new(config.policy(), "trellis.yaml");
        let findings = report().findings;
        let decisions: Vec<Decision> = findings.iter().map(|f| sink.decide(f)).collect();
        assert_eq!(
            decisions,
            vec![
                Decision::Keep(Severity::Warning),
                Decision::Keep(Severity::Info),
                Decision::Excepted,
                Decision::Off,
            ]
        );
        assert!(sink.exceptions.used().is_empty());
    }
}
