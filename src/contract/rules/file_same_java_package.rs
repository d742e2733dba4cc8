//! `FILE_SAME_JAVA_PACKAGE`: A file's `java_package` option did not change.

use super::shared::{self, text};
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FILE_SAME_JAVA_PACKAGE",
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A file's `java_package` option did not change.",
    docs: "## What\n\nA file's `java_package` option did not change.\n\n## Why\n\nThe option shapes the generated code, not the wire: every generated Java class moves to another package.\n\n## Example\n\nBefore:\n\n```proto\noption java_package = \"a\";\n```\n\nAfter (reported):\n\n```proto\noption java_package = \"b\";\n```\n\n## Fix\n\nRestore the old value of `java_package`. If the change is intended, release it as a new package version (for example `v2`) so existing users keep the old code.\n\nCategories: FILE, PACKAGE. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::file_option(p, out, "java_package", 1, |o| {
        text(o.java_package.as_deref())
    });
}
