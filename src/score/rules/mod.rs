//! The score's checks: one file each, with its id and its docs.

mod author_concentration;
mod data_coupling;
mod deploy_frequency;
mod fail_under;
mod interface_stability;
mod ratchet;

use crate::report::RuleInfo;

pub fn all() -> Vec<RuleInfo> {
    vec![
        interface_stability::info(),
        data_coupling::info(),
        deploy_frequency::info(),
        author_concentration::info(),
        gate(fail_under::info()),
        gate(ratchet::info()),
    ]
}

/// A floor or a ratchet the user set fails the run (error); a metric in
/// alert only warns unless `--fail-on-alert` or `rules:` says otherwise.
fn gate(info: RuleInfo) -> RuleInfo {
    RuleInfo {
        default_severity: crate::report::Severity::Error,
        ..info
    }
}

fn rule(id: &str, summary: &str, docs: &str) -> RuleInfo {
    RuleInfo {
        id: id.to_string(),
        job: "score".to_string(),
        default_severity: crate::report::Severity::Warning,
        summary: summary.to_string(),
        docs: docs.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
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
