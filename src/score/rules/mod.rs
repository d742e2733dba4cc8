//! The score's checks: one file each, with its id and its docs.

pub(crate) mod author_concentration;
pub(crate) mod data_coupling;
pub(crate) mod deploy_frequency;
pub(crate) mod fail_under;
pub(crate) mod interface_stability;
pub(crate) mod ratchet;

use crate::registry::{Def, RuleId};
use crate::report::RuleInfo;

/// Makes the table of score rules from the registry's list.
macro_rules! score_table {
    (
        lint { $($lint:tt)* }
        contract { $($contract:tt)* }
        contract_engine { $($engine:tt)* }
        drift { $($drift:tt)* }
        score { $( $sv:ident = $sid:literal => $smod:ident $({ $($so:tt)* })? ),* $(,)? }
    ) => {
        /// Every score rule with its metadata, in registry order.
        static SCORE_RULES: &[(RuleId, &Def)] = &[$((RuleId::$sv, &$smod::DEF),)*];
    };
}

crate::registry::with_rules!(score_table);

pub(crate) fn all() -> Vec<RuleInfo> {
    SCORE_RULES.iter().map(|(id, def)| def.info(*id)).collect()
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
