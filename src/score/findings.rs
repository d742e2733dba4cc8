//! The scorecard's gates as findings, like every other job's: a metric in
//! alert, a score under the floor, a score that dropped since the baseline.
//! They go through the shared sink (`rules:`, `exceptions:`) and render as
//! SARIF, GitHub annotations and JUnit.

use super::model::{Scorecard, ServiceScore, Status};
use super::render::{Baseline, count, dropped};
use crate::registry::RuleId;
use crate::repo::Repo;
use crate::report::{Finding, Report, Severity};

pub(crate) const INTERFACE_STABILITY: &str = RuleId::ScoreInterfaceStability.as_str();
pub(crate) const DATA_COUPLING: &str = RuleId::ScoreDataCoupling.as_str();
pub(crate) const DEPLOY_FREQUENCY: &str = RuleId::ScoreDeployFrequency.as_str();
pub(crate) const AUTHOR_CONCENTRATION: &str = RuleId::ScoreAuthorConcentration.as_str();
pub(crate) const FAIL_UNDER: &str = RuleId::ScoreFailUnder.as_str();
pub(crate) const RATCHET: &str = RuleId::ScoreRatchet.as_str();

/// The rules whose findings are a metric in alert (`--fail-on-alert`).
pub(crate) const ALERTS: [&str; 4] = [
    INTERFACE_STABILITY,
    DATA_COUPLING,
    DEPLOY_FREQUENCY,
    AUTHOR_CONCENTRATION,
];

/// What the card is gated on besides the alerts.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Gates {
    /// `--fail-under` or `score.fail_under`.
    pub(crate) floor: Option<u32>,
}

/// The findings of one scorecard, at the rules' default severities (the
/// sink applies the configuration's).
pub(crate) fn report(
    repo: &Repo,
    card: &Scorecard,
    baseline: Option<&Baseline<'_>>,
    gates: Gates,
) -> Report {
    let mut report = Report::new("score");
    report.rules = super::rules();
    let window = format!("{} .. {}", card.window.since, card.window.until);
    for service in &card.services {
        let place = Place::of(repo, &service.name);
        report
            .findings
            .extend(alerts(service, &place, &window, &report));
        if let Some(floor) = gates.floor
            && let Some(score) = service.score
            && score < floor
        {
            let finding = place
                .finding(
                    &report,
                    FAIL_UNDER,
                    format!("{} scores {score} < {floor}", service.name),
                )
                .help("the service's score_inputs say which metric pulls it down");
            report.findings.push(finding);
        }
    }
    if let Some(baseline) = baseline {
        for (name, before, now) in dropped(card, baseline) {
            let message = format!(
                "{name} dropped from {before} to {now} since {}",
                baseline.reference
            );
            let finding = Place::of(repo, &name)
                .finding(&report, RATCHET, message)
                .help("`trellis score --compare REF --format markdown` lists each metric that changed");
            report.findings.push(finding);
        }
    }
    report.stats.push(("window".to_string(), window));
    report
}

/// Where a service's findings point: its first contract for interface
/// stability, its manifest for the rest (a repository-wide finding when the
/// service has neither).
struct Place {
    service: String,
    manifest: String,
    contract: String,
}

impl Place {
    fn of(repo: &Repo, name: &str) -> Place {
        let service = repo.service(name);
        let manifest = service.map(|s| s.manifest.clone()).unwrap_or_default();
        let contract = service
            .and_then(|s| s.contracts.first().cloned())
            .unwrap_or_else(|| manifest.clone());
        Place {
            service: name.to_string(),
            manifest,
            contract,
        }
    }

    fn finding(&self, report: &Report, rule: &str, message: String) -> Finding {
        let path = if rule == INTERFACE_STABILITY {
            &self.contract
        } else {
            &self.manifest
        };
        let severity = report
            .rule(rule)
            .map_or(Severity::Warning, |r| r.default_severity);
        Finding::new(rule, severity, path.as_str(), message, &self.service)
            .service(Some(self.service.clone()))
    }
}

/// One finding per metric in alert, saying the value and the threshold.
fn alerts(service: &ServiceScore, place: &Place, window: &str, report: &Report) -> Vec<Finding> {
    let name = &service.name;
    let mut findings = Vec::new();
    let st = &service.interface_stability;
    if st.status == Status::Alert {
        let judged = st.contract_commits - st.unknown_commits;
        let mut finding = place.finding(
            report,
            INTERFACE_STABILITY,
            format!(
                "{name}: {} of {} judged in {window} were breaking ({} > {})",
                st.breaking_commits,
                count(judged as u64, "contract commit"),
                percent(st.ratio),
                percent(Some(st.threshold))
            ),
        );
        if !st.breaking.is_empty() {
            finding = finding.note(format!("breaking commits: {}", st.breaking.join(", ")));
        }
        findings.push(finding.help("evolve the contract additively; `trellis contract` in CI stops breaking changes before they merge"));
    }
    let dc = &service.data_coupling;
    if dc.status == Status::Alert {
        let mut finding = place.finding(
            report,
            DATA_COUPLING,
            format!(
                "{name} shares {} with other services (alert at {})",
                count(dc.count as u64, "table"),
                dc.threshold
            ),
        );
        for table in &dc.tables {
            finding = finding.note(format!(
                "`{}` also used by {}",
                table.table,
                table.services.join(", ")
            ));
        }
        findings.push(finding.help("let one service own each table and the others call its API"));
    }
    let df = &service.deploy_frequency;
    if df.status == Status::Alert {
        findings.push(
            place
                .finding(
                    report,
                    DEPLOY_FREQUENCY,
                    format!(
                        "{name}: {} in {window}, {} of its domain `{}`'s average (alert below {})",
                        count(df.deploys as u64, "deploy"),
                        fixed(df.ratio),
                        df.domain,
                        df.threshold
                    ),
                )
                .help("release the service on its own, in small steps"),
        );
    }
    let ac = &service.author_concentration;
    if ac.status == Status::Alert {
        findings.push(
            place
                .finding(
                    report,
                    AUTHOR_CONCENTRATION,
                    format!(
                        "{name}: bus factor {} (alert below {}); {} made {} of its commits by people",
                        ac.bus_factor,
                        ac.threshold,
                        ac.top_author.as_deref().unwrap_or("one author"),
                        percent(ac.top_share)
                    ),
                )
                .help("pair and review across the team so more people change the service"),
        );
    }
    findings
}

fn percent(value: Option<f64>) -> String {
    value.map_or("-".into(), |v| format!("{:.0}%", v * 100.0))
}

fn fixed(value: Option<f64>) -> String {
    value.map_or("-".into(), |v| format!("{v:.2}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_finding_rule_is_a_score_rule_with_docs() {
        let rules = crate::score::rules();
        for id in ALERTS.iter().chain(&[FAIL_UNDER, RATCHET]) {
            let rule = rules.iter().find(|r| r.id == *id);
            assert!(rule.is_some(), "{id} is not in score::rules()");
        }
        let severity = |id: &str| {
            rules
                .iter()
                .find(|r| r.id == id)
                .map(|r| r.default_severity)
        };
        // A gate the user set fails the run; an alert warns.
        assert_eq!(severity(FAIL_UNDER), Some(Severity::Error));
        assert_eq!(severity(RATCHET), Some(Severity::Error));
        assert_eq!(severity(DATA_COUPLING), Some(Severity::Warning));
    }
}
