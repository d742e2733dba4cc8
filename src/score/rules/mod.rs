//! The score's checks: one file each, with its id and its docs.

pub(crate) mod author_concentration;
pub(crate) mod data_coupling;
pub(crate) mod deploy_frequency;
pub(crate) mod fail_under;
pub(crate) mod interface_stability;
pub(crate) mod ratchet;

use crate::registry::{self, Job, RuleId};
use crate::report::RuleInfo;

pub fn all() -> Vec<RuleInfo> {
    registry::infos(Job::Score)
}

/// The rule a metric's alert is reported under by `--fail-on-alert`.
pub fn alert_rule(metric: &str) -> Option<RuleId> {
    match metric {
        "interface_stability" => Some(RuleId::ScoreInterfaceStability),
        "data_coupling" => Some(RuleId::ScoreDataCoupling),
        "deploy_frequency" => Some(RuleId::ScoreDeployFrequency),
        "author_concentration" => Some(RuleId::ScoreAuthorConcentration),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_alerting_metric_has_its_rule() {
        for (metric, id) in [
            ("interface_stability", "score-interface-stability"),
            ("data_coupling", "score-data-coupling"),
            ("deploy_frequency", "score-deploy-frequency"),
            ("author_concentration", "score-author-concentration"),
        ] {
            assert_eq!(alert_rule(metric).map(RuleId::as_str), Some(id));
        }
        assert_eq!(alert_rule("churn"), None);
    }

    #[test]
    fn every_rule_has_docs_sections() {
        for rule in super::all() {
            assert!(rule.id.starts_with("score-"), "{}", rule.id);
            for section in ["## What", "## Why", "## Example", "## Fix"] {
                assert!(rule.docs.contains(section), "{} lacks {section}", rule.id);
            }
        }
    }
}
