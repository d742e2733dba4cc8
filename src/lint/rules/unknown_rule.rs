use crate::lint::rule::{Rule, RuleMeta, Target};
use crate::registry::RuleId;
use crate::report::Severity;

/// Raised by the lint engine itself; this file holds its id and docs.
pub(crate) struct UnknownRule;

pub(crate) static META: RuleMeta = RuleMeta {
    id: RuleId::UnknownRule.as_str(),
    target: Target::Engine,
    default_severity: Severity::Error,
    summary: "A trellis:ignore comment or lint.rules names a rule id that does not exist",
    docs: include_str!("unknown_rule.md"),
    needs: &[],
};

impl Rule for UnknownRule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
