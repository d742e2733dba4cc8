//! `FILE_SAME_OPTIMIZE_FOR`: A file's `optimize_for` option did not change.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FILE_SAME_OPTIMIZE_FOR",
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A file's `optimize_for` option did not change.",
    docs: "## What\n\nA file's `optimize_for` option did not change.\n\n## Why\n\nThe option shapes the generated code, not the wire: switching between SPEED, CODE_SIZE and LITE_RUNTIME changes the generated API (lite messages lack reflection).\n\n## Example\n\nBefore:\n\n```proto\noption optimize_for = SPEED;\n```\n\nAfter (reported):\n\n```proto\noption optimize_for = LITE_RUNTIME;\n```\n\n## Fix\n\nRestore the old value of `optimize_for`. If the change is intended, release it as a new package version (for example `v2`) so existing users keep the old code.\n\nCategories: FILE, PACKAGE. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::file_option(p, out, "optimize_for", 9, |o| {
        o.optimize_for().as_str_name().to_string()
    });
}
