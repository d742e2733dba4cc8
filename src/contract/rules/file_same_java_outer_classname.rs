//! `FILE_SAME_JAVA_OUTER_CLASSNAME`: A file's `java_outer_classname` option did not change.

use super::shared::{self, text};
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FileSameJavaOuterClassname.as_str(),
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A file's `java_outer_classname` option did not change.",
    docs: include_str!("file_same_java_outer_classname.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::file_option(p, out, "java_outer_classname", |o| {
        text(o.java_outer_classname.as_deref())
    });
}
