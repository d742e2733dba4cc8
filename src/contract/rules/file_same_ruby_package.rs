//! `FILE_SAME_RUBY_PACKAGE`: A file's `ruby_package` option did not change.

use super::shared::{self, text};
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FileSameRubyPackage.as_str(),
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A file's `ruby_package` option did not change.",
    docs: include_str!("file_same_ruby_package.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::file_option(p, out, "ruby_package", |o| text(o.ruby_package.as_deref()));
}
