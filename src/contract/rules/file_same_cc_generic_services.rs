//! `FILE_SAME_CC_GENERIC_SERVICES`: A file's `cc_generic_services` option did not change.

use super::shared::{self, flag};
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FILE_SAME_CC_GENERIC_SERVICES",
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A file's `cc_generic_services` option did not change.",
    docs: "## What\n\nA file's `cc_generic_services` option did not change.\n\n## Why\n\nThe option shapes the generated code, not the wire: C++ generic service classes appear or disappear from the generated code.\n\n## Example\n\nBefore:\n\n```proto\noption cc_generic_services = true;\n```\n\nAfter (reported):\n\n```proto\noption cc_generic_services = false;\n```\n\n## Fix\n\nRestore the old value of `cc_generic_services`. If the change is intended, release it as a new package version (for example `v2`) so existing users keep the old code.\n\nCategories: FILE, PACKAGE. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::file_option(p, out, "cc_generic_services", 16, |o| {
        flag(o.cc_generic_services())
    });
}
