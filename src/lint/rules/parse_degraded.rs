use crate::lint::rule::{Rule, RuleMeta, Target};
use crate::registry::RuleId;
use crate::report::Severity;

/// Raised by the lint engine itself; this file holds its id and docs.
pub(crate) struct ParseDegraded;

pub(crate) static META: RuleMeta = RuleMeta {
    id: RuleId::ParseDegraded.as_str(),
    target: Target::Engine,
    default_severity: Severity::Warning,
    summary: "A file could not be parsed completely (or is binary / not UTF-8); it was checked as far as it parsed",
    docs: include_str!("parse_degraded.md"),
    needs: &[],
};

impl Rule for ParseDegraded {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
