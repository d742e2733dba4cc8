use crate::lint::rule::{Rule, RuleMeta, Target};
use crate::registry::RuleId;
use crate::report::Severity;

/// Raised by the lint engine itself; this file holds its id and docs.
pub(crate) struct BaselineStale;

pub(crate) static META: RuleMeta = RuleMeta {
    id: RuleId::BaselineStale.as_str(),
    target: Target::Engine,
    default_severity: Severity::Info,
    summary: "A baseline entry no longer matches any finding",
    docs: include_str!("baseline_stale.md"),
    needs: &[],
};

impl Rule for BaselineStale {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
