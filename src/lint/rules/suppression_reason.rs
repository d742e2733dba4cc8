use crate::lint::rule::{Rule, RuleMeta, Target};
use crate::registry::RuleId;
use crate::report::Severity;

/// Raised by the lint engine itself; this file holds its id and docs.
pub(crate) struct SuppressionReason;

pub(crate) static META: RuleMeta = RuleMeta {
    id: RuleId::SuppressionReason.as_str(),
    target: Target::Engine,
    default_severity: Severity::Error,
    summary: "A trellis:ignore comment gives no reason",
    docs: include_str!("suppression_reason.md"),
    needs: &[],
};

impl Rule for SuppressionReason {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
