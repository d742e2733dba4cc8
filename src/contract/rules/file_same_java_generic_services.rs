//! `FILE_SAME_JAVA_GENERIC_SERVICES`: A file's `java_generic_services` option did not change.

use super::shared::{self, flag};
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FILE_SAME_JAVA_GENERIC_SERVICES",
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A file's `java_generic_services` option did not change.",
    docs: "## What\n\nA file's `java_generic_services` option did not change.\n\n## Why\n\nThe option shapes the generated code, not the wire: Java generic service classes appear or disappear from the generated code.\n\n## Example\n\nBefore:\n\n```proto\noption java_generic_services = true;\n```\n\nAfter (reported):\n\n```proto\noption java_generic_services = false;\n```\n\n## Fix\n\nRestore the old value of `java_generic_services`. If the change is intended, release it as a new package version (for example `v2`) so existing users keep the old code.\n\nCategories: FILE, PACKAGE. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::file_option(p, out, "java_generic_services", 17, |o| {
        flag(o.java_generic_services())
    });
}
