//! The one place that decides what a job's findings become, after its checks
//! ran (cargo-deny's diagnostic sink is the model): `rules:` in trellis.yaml
//! turns rules off or gives them their final severity, `exceptions:` drops
//! accepted findings and counts them. Checks only choose a default severity.

use super::Report;
use crate::config::selection::level_for;
use crate::config::{Config, Exception};
use crate::lint::config::RuleLevel;
use crate::report::Severity;

/// The stats key under which excepted findings are counted.
pub const EXCEPTED: &str = "excepted";

/// Applies `config.rules` and `config.exceptions` to one job's report. Run it
/// once per job: the count of excepted findings is added to the stats.
pub fn apply(mut report: Report, config: &Config) -> Report {
    if config.rules.is_empty() && config.exceptions.is_empty() {
        return report;
    }
    let exceptions = compile(&config.exceptions);
    let mut excepted = 0usize;
    report.findings.retain_mut(|finding| {
        match level_for(&config.rules, &finding.rule) {
            Some(RuleLevel::Off) => return false,
            Some(level) => finding.severity = severity(level),
            None => {}
        }
        let accepted = exceptions
            .iter()
            .any(|e| e.matches(&finding.rule, &finding.path, finding.service.as_deref()));
        excepted += usize::from(accepted);
        !accepted
    });
    if excepted > 0 {
        report
            .stats
            .push((EXCEPTED.to_string(), excepted.to_string()));
    }
    report
}

fn severity(level: RuleLevel) -> Severity {
    match level {
        RuleLevel::Info => Severity::Info,
        RuleLevel::Warning => Severity::Warning,
        // `Off` never gets here: the finding was dropped.
        RuleLevel::Error | RuleLevel::Off => Severity::Error,
    }
}

/// An exception with its glob compiled once per report.
struct Compiled<'a> {
    exception: &'a Exception,
    path: Option<globset::GlobMatcher>,
}

impl Compiled<'_> {
    fn matches(&self, rule: &str, path: &str, service: Option<&str>) -> bool {
        if self.exception.rule.rank(rule).is_none() {
            return false;
        }
        match (&self.path, &self.exception.service) {
            (Some(glob), _) => glob.is_match(path),
            (None, Some(name)) => service == Some(name.as_str()),
            // Config validation requires one target; an entry without one excepts nothing.
            (None, None) => false,
        }
    }
}

fn compile(exceptions: &[Exception]) -> Vec<Compiled<'_>> {
    exceptions
        .iter()
        .filter_map(|exception| {
            // Validated at load time; a glob that still fails to compile excepts nothing.
            let path = match &exception.path {
                Some(glob) => Some(glob.compile().ok()?.compile_matcher()),
                None => None,
            };
            Some(Compiled { exception, path })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Glob, RuleKey};
    use crate::report::Finding;

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
            .service(Some("order")),
            Finding::new(
                "drift-outdated",
                Severity::Info,
                "services/legacy/go.mod",
                "old",
                "old",
            )
            .service(Some("legacy")),
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
            service: service.map(str::to_string),
            reason: "accepted".to_string(),
        }
    }

    fn rules_of(report: &Report) -> Vec<(&str, Severity)> {
        report
            .findings
            .iter()
            .map(|f| (f.rule.as_str(), f.severity))
            .collect()
    }

    #[test]
    fn without_rules_or_exceptions_nothing_changes() {
        let out = apply(report(), &Config::default());
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
        let out = apply(report(), &config);
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
                // Right path, other rule: keeps the contract finding.
                exception("go-", Some("api/**"), None),
            ],
        );
        let out = apply(report(), &config);
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
    fn path_globs_do_not_cross_directories_with_one_star() {
        let config = config(
            &[],
            vec![exception("go-init-func", Some("services/*"), None)],
        );
        let out = apply(report(), &config);
        assert_eq!(out.findings.len(), 4);
    }
}
