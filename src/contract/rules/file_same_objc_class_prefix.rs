//! `FILE_SAME_OBJC_CLASS_PREFIX`: A file's `objc_class_prefix` option did not change.

use super::shared::{self, text};
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FILE_SAME_OBJC_CLASS_PREFIX",
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A file's `objc_class_prefix` option did not change.",
    docs: "## What\n\nA file's `objc_class_prefix` option did not change.\n\n## Why\n\nThe option shapes the generated code, not the wire: every generated Objective-C class is renamed.\n\n## Example\n\nBefore:\n\n```proto\noption objc_class_prefix = \"a\";\n```\n\nAfter (reported):\n\n```proto\noption objc_class_prefix = \"b\";\n```\n\n## Fix\n\nRestore the old value of `objc_class_prefix`. If the change is intended, release it as a new package version (for example `v2`) so existing users keep the old code.\n\nCategories: FILE, PACKAGE. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::file_option(p, out, "objc_class_prefix", 36, |o| {
        text(o.objc_class_prefix.as_deref())
    });
}
