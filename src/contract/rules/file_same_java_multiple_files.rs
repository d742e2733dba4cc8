//! `FILE_SAME_JAVA_MULTIPLE_FILES`: A file's `java_multiple_files` option did not change.

use super::shared::{self, flag};
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FILE_SAME_JAVA_MULTIPLE_FILES",
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A file's `java_multiple_files` option did not change.",
    docs: "## What\n\nA file's `java_multiple_files` option did not change.\n\n## Why\n\nThe option shapes the generated code, not the wire: Java classes move between one outer class and one file per type; imports break.\n\n## Example\n\nBefore:\n\n```proto\noption java_multiple_files = true;\n```\n\nAfter (reported):\n\n```proto\noption java_multiple_files = false;\n```\n\n## Fix\n\nRestore the old value of `java_multiple_files`. If the change is intended, release it as a new package version (for example `v2`) so existing users keep the old code.\n\nCategories: FILE, PACKAGE. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::file_option(p, out, "java_multiple_files", 10, |o| {
        flag(o.java_multiple_files())
    });
}
