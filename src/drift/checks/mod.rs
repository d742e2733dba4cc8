//! One file per check. Each has its id, its docs and a `check` over the facts.

pub mod anchor;
pub mod cargo_duplicate;
pub mod cargo_mismatch;
pub mod deprecated;
pub mod go_directive;
pub mod gosum;
pub mod major_split;
pub mod outdated;
pub mod replace_local;
pub mod retracted;
pub mod unused_policy;
pub mod version_mismatch;

use super::config::{Constraint, DriftConfig};
use super::model::Facts;
use crate::report::{Finding, RuleInfo, Severity};
use std::cell::Cell;
use std::collections::BTreeMap;

/// Where an anchor constraint came from.
#[derive(Debug, Clone)]
pub struct Anchored {
    pub constraint: Constraint,
    /// "trellis.yaml" or the root go.mod path.
    pub source: String,
    /// The line in the root go.mod, when it came from there.
    pub line: Option<u32>,
}

/// What every check reads.
pub struct Ctx<'a> {
    pub facts: &'a Facts,
    pub config: &'a DriftConfig,
    /// Module path -> its anchor constraint.
    pub anchors: BTreeMap<String, Anchored>,
    /// Top-level `exceptions:` and `drift.exceptions`, for the checks that
    /// leave excepted requirements out while they compute; the report sink
    /// applies them to every finding afterwards.
    pub exceptions: crate::report::sink::Exceptions<'a>,
    /// How many duplicates each `cargo-skip` entry allowed.
    pub skip_hits: Vec<Cell<usize>>,
    /// The config file, for findings about the policy.
    pub config_path: String,
}

impl Ctx<'_> {
    /// Whether an exception covers this module in this service for `rule`;
    /// counts the use.
    pub fn excepted(&self, rule: &str, module: &str, service: &str) -> bool {
        self.exceptions.covers_dependency(rule, module, service)
    }
}

/// `a, b, c and 12 more`: keeps messages readable in large monorepos.
pub fn list_some(items: &[String], max: usize) -> String {
    if items.len() <= max {
        return items.join(", ");
    }
    format!("{} and {} more", items[..max].join(", "), items.len() - max)
}

/// ` (and in 3 other go.mod files)`: the other places of a finding that is
/// reported once for every file it repeats in; empty when there are none.
pub fn also_in(others: usize, what: &str) -> String {
    match others {
        0 => String::new(),
        1 => format!(" (and in 1 other {what})"),
        n => format!(" (and in {n} other {what}s)"),
    }
}

pub fn rule(id: &str, severity: Severity, summary: &str, docs: &str) -> RuleInfo {
    RuleInfo {
        id: id.to_string(),
        job: "drift".to_string(),
        default_severity: severity,
        summary: summary.to_string(),
        docs: docs.trim().to_string(),
    }
}

/// Every offline check in the order they run.
pub fn offline_rules() -> Vec<RuleInfo> {
    vec![
        version_mismatch::info(),
        anchor::info(),
        major_split::info(),
        go_directive::info(),
        replace_local::info(),
        gosum::info(),
        unused_policy::info(),
        cargo_duplicate::info(),
    ]
}

/// The checks that need upstream data (--upstream, --offline).
pub fn upstream_rules() -> Vec<RuleInfo> {
    vec![outdated::info(), retracted::info(), deprecated::info()]
}

pub fn run_upstream(
    ctx: &Ctx<'_>,
    data: &crate::drift::upstream::UpstreamData,
    out: &mut Vec<Finding>,
) {
    outdated::check(ctx, data, out);
    retracted::check(ctx, data, out);
    deprecated::check(ctx, data, out);
}

pub fn run_offline(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    version_mismatch::check(ctx, out);
    cargo_mismatch::check(ctx, out);
    anchor::check(ctx, out);
    major_split::check(ctx, out);
    go_directive::check(ctx, out);
    replace_local::check(ctx, out);
    gosum::check(ctx, out);
    cargo_duplicate::check(ctx, out);
    // Last: it reads which Cargo skips the others used.
    unused_policy::check(ctx, out);
}
