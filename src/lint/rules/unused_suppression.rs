use crate::lint::rule::{Rule, RuleMeta, Target};
use crate::registry::RuleId;
use crate::report::Severity;

/// Raised by the lint engine itself; this file holds its id and docs.
pub(crate) struct UnusedSuppression;

pub(crate) static META: RuleMeta = RuleMeta {
    id: RuleId::UnusedSuppression.as_str(),
    target: Target::Engine,
    default_severity: Severity::Warning,
    summary: "A trellis:ignore comment suppresses nothing",
    docs: include_str!("unused_suppression.md"),
    needs: &[],
};

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
