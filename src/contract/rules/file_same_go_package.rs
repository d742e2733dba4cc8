//! `FILE_SAME_GO_PACKAGE`: A file's `go_package` option did not change.

use super::shared::{self, text};
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FileSameGoPackage.as_str(),
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A file's `go_package` option did not change.",
    docs: include_str!("file_same_go_package.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::file_option(p, out, "go_package", |o| text(o.go_package.as_deref()));
}
