//! `FILE_SAME_OBJC_CLASS_PREFIX`: A file's `objc_class_prefix` option did not change.

use super::shared::{self, text};
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FileSameObjcClassPrefix.as_str(),
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A file's `objc_class_prefix` option did not change.",
    docs: include_str!("file_same_objc_class_prefix.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::file_option(p, out, "objc_class_prefix", |o| {
        text(o.objc_class_prefix.as_deref())
    });
}
