//! `FILE_SAME_SWIFT_PREFIX`: A file's `swift_prefix` option did not change.

use super::shared::{self, text};
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FileSameSwiftPrefix.as_str(),
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A file's `swift_prefix` option did not change.",
    docs: include_str!("file_same_swift_prefix.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::file_option(p, out, "swift_prefix", |o| text(o.swift_prefix.as_deref()));
}
