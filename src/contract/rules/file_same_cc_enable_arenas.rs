//! `FILE_SAME_CC_ENABLE_ARENAS`: A file's `cc_enable_arenas` option did not change.

use super::shared::{self, flag};
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FileSameCcEnableArenas.as_str(),
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A file's `cc_enable_arenas` option did not change.",
    docs: include_str!("file_same_cc_enable_arenas.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::file_option(p, out, "cc_enable_arenas", |o| flag(o.cc_enable_arenas()));
}
