//! One file per check. Each has its id, its docs and a `check` over the facts.

pub(crate) mod anchor;
pub(crate) mod cargo_duplicate;
pub(crate) mod cargo_mismatch;
pub(crate) mod deprecated;
pub(crate) mod go_directive;
pub(crate) mod gosum;
pub(crate) mod major_split;
pub(crate) mod outdated;
pub(crate) mod replace_local;
pub(crate) mod retracted;
pub(crate) mod unused_policy;
pub(crate) mod version_mismatch;
pub(crate) mod workspace_use;

use super::config::{Constraint, DriftConfig};
use super::model::Facts;
use crate::registry::{Def, Need, RuleId};
use crate::report::{Finding, RuleInfo};
use std::cell::Cell;
use std::collections::BTreeMap;

/// Where an anchor constraint came from.
#[derive(Debug, Clone)]
pub(crate) struct Anchored {
    pub(crate) constraint: Constraint,
    /// "trellis.yaml" or the root go.mod path.
    pub(crate) source: String,
    /// The line in the root go.mod, when it came from there.
    pub(crate) line: Option<u32>,
}

/// What every check reads.
pub(crate) struct Ctx<'a> {
    pub(crate) facts: &'a Facts,
    pub(crate) config: &'a DriftConfig,
    /// Module path -> its anchor constraint.
    pub(crate) anchors: BTreeMap<String, Anchored>,
    /// Top-level `exceptions:` and `drift.exceptions`, for the checks that
    /// leave excepted requirements out while they compute; the report sink
    /// applies them to every finding afterwards.
    pub(crate) exceptions: crate::policy::sink::Exceptions<'a>,
    /// How many duplicates each `cargo-skip` entry allowed.
    pub(crate) skip_hits: Vec<Cell<usize>>,
    /// The config file, for findings about the policy.
    pub(crate) config_path: String,
}

impl Ctx<'_> {
    /// Whether an exception covers this module in this service for `rule`;
    /// counts the use.
    pub(crate) fn excepted(&self, rule: &str, module: &str, service: &str) -> bool {
        self.exceptions.covers_dependency(rule, module, service)
    }
}

/// `a, b, c and 12 more`: keeps messages readable in large monorepos.
pub(crate) fn list_some(items: &[String], max: usize) -> String {
    if items.len() <= max {
        return items.join(", ");
    }
    format!("{} and {} more", items[..max].join(", "), items.len() - max)
}

/// ` (and in 3 other go.mod files)`: the other places of a finding that is
/// reported once for every file it repeats in; empty when there are none.
pub(crate) fn also_in(others: usize, what: &str) -> String {
    match others {
        0 => String::new(),
        1 => format!(" (and in 1 other {what})"),
        n => format!(" (and in {n} other {what}s)"),
    }
}

/// Makes the table of drift rules from the registry's list.
macro_rules! drift_table {
    (
        lint { $($lint:tt)* }
        contract { $($contract:tt)* }
        contract_engine { $($engine:tt)* }
        drift { $( $dv:ident = $did:literal => $dmod:ident $({ $($do:tt)* })? ),* $(,)? }
        $($rest:tt)*
    ) => {
        /// Every drift rule with its metadata, in registry order.
        static DRIFT_RULES: &[(RuleId, &Def)] = &[$((RuleId::$dv, &$dmod::DEF),)*];
    };
}

crate::registry::with_rules!(drift_table);

fn rules_needing_upstream(upstream: bool) -> impl Iterator<Item = &'static (RuleId, &'static Def)> {
    DRIFT_RULES
        .iter()
        .filter(move |(_, def)| def.needs.contains(&Need::Upstream) == upstream)
}

/// The offline checks (no upstream data), in registry order.
pub(crate) fn offline_rules() -> Vec<RuleInfo> {
    rules_needing_upstream(false)
        .map(|(id, def)| def.info(*id))
        .collect()
}

/// The checks that need upstream data (--upstream, --offline).
pub(crate) fn upstream_rules() -> Vec<RuleInfo> {
    rules_needing_upstream(true)
        .map(|(id, def)| def.info(*id))
        .collect()
}

type OfflineCheck = fn(&Ctx<'_>, &mut Vec<Finding>);
type UpstreamCheck = fn(&Ctx<'_>, &crate::drift::upstream::UpstreamData, &mut Vec<Finding>);

/// The offline checks in the order they run, with the rule each reports.
const OFFLINE: &[(RuleId, OfflineCheck)] = &[
    (RuleId::DriftVersionMismatch, version_mismatch::check),
    (RuleId::DriftVersionMismatch, cargo_mismatch::check),
    (RuleId::DriftAnchor, anchor::check),
    (RuleId::DriftMajorSplit, major_split::check),
    (RuleId::DriftGoDirective, go_directive::check),
    (RuleId::DriftReplaceLocal, replace_local::check),
    (RuleId::DriftGosum, gosum::check),
    (RuleId::DriftWorkspaceUse, workspace_use::check),
    (RuleId::DriftCargoDuplicate, cargo_duplicate::check),
    // Last: it reads which Cargo skips the others used.
    (RuleId::DriftUnusedPolicy, unused_policy::check),
];

const UPSTREAM: &[(RuleId, UpstreamCheck)] = &[
    (RuleId::DriftOutdated, outdated::check),
    (RuleId::DriftRetracted, retracted::check),
    (RuleId::DriftDeprecated, deprecated::check),
];

pub(crate) fn run_upstream(
    ctx: &Ctx<'_>,
    data: &crate::drift::upstream::UpstreamData,
    out: &mut Vec<Finding>,
) {
    for (_, check) in UPSTREAM {
        check(ctx, data, out);
    }
}

pub(crate) fn run_offline(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for (_, check) in OFFLINE {
        check(ctx, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// A check that runs must be registered, and a registered check must run,
    /// in the phase the registry says.
    #[test]
    fn run_order_and_registry_name_the_same_rules() {
        let ids = |upstream: bool| -> BTreeSet<RuleId> {
            rules_needing_upstream(upstream)
                .map(|(id, _)| *id)
                .collect()
        };
        let offline: BTreeSet<RuleId> = OFFLINE.iter().map(|(id, _)| *id).collect();
        let upstream: BTreeSet<RuleId> = UPSTREAM.iter().map(|(id, _)| *id).collect();
        assert_eq!(offline, ids(false));
        assert_eq!(upstream, ids(true));
    }
}
