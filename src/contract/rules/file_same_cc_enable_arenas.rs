//! `FILE_SAME_CC_ENABLE_ARENAS`: A file's `cc_enable_arenas` option did not change.

use super::shared::{self, flag};
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FILE_SAME_CC_ENABLE_ARENAS",
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A file's `cc_enable_arenas` option did not change.",
    docs: "## What\n\nA file's `cc_enable_arenas` option did not change.\n\n## Why\n\nThe option shapes the generated code, not the wire: C++ code generated with and without arenas allocates messages differently; code that owns messages breaks.\n\n## Example\n\nBefore:\n\n```proto\noption cc_enable_arenas = true;\n```\n\nAfter (reported):\n\n```proto\noption cc_enable_arenas = false;\n```\n\n## Fix\n\nRestore the old value of `cc_enable_arenas`. If the change is intended, release it as a new package version (for example `v2`) so existing users keep the old code.\n\nCategories: FILE, PACKAGE. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::file_option(p, out, "cc_enable_arenas", 31, |o| {
        flag(o.cc_enable_arenas())
    });
}
