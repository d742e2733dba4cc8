//! `FILE_SAME_JAVA_PACKAGE`: A file's `java_package` option did not change.

use super::shared::{self, text};
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FileSameJavaPackage.as_str(),
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A file's `java_package` option did not change.",
    docs: include_str!("file_same_java_package.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::file_option(p, out, "java_package", |o| text(o.java_package.as_deref()));
}
