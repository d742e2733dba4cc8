//! `FILE_SAME_JAVA_MULTIPLE_FILES`: A file's `java_multiple_files` option did not change.

use super::shared::{self, flag};
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FileSameJavaMultipleFiles.as_str(),
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A file's `java_multiple_files` option did not change.",
    docs: include_str!("file_same_java_multiple_files.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::file_option(p, out, "java_multiple_files", |o| {
        flag(o.java_multiple_files())
    });
}
