//! `FILE_SAME_OPTIMIZE_FOR`: A file's `optimize_for` option did not change.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FileSameOptimizeFor.as_str(),
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A file's `optimize_for` option did not change.",
    docs: include_str!("file_same_optimize_for.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::file_option(p, out, "optimize_for", |o| {
        o.optimize_for().as_str_name().to_string()
    });
}
