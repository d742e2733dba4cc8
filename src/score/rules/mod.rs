//! The score's checks: one file each, with its id and its docs.

pub(crate) mod author_concentration;
pub(crate) mod data_coupling;
pub(crate) mod deploy_frequency;
pub(crate) mod fail_under;
pub(crate) mod interface_stability;
pub(crate) mod ratchet;

use crate::registry::{self, Job};
use crate::report::RuleInfo;

pub fn all() -> Vec<RuleInfo> {
    registry::infos(Job::Score)
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
