//! `FILE_SAME_SWIFT_PREFIX`: A file's `swift_prefix` option did not change.

use super::shared::{self, text};
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FILE_SAME_SWIFT_PREFIX",
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A file's `swift_prefix` option did not change.",
    docs: "## What\n\nA file's `swift_prefix` option did not change.\n\n## Why\n\nThe option shapes the generated code, not the wire: every generated Swift type is renamed.\n\n## Example\n\nBefore:\n\n```proto\noption swift_prefix = \"a\";\n```\n\nAfter (reported):\n\n```proto\noption swift_prefix = \"b\";\n```\n\n## Fix\n\nRestore the old value of `swift_prefix`. If the change is intended, release it as a new package version (for example `v2`) so existing users keep the old code.\n\nCategories: FILE, PACKAGE. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::file_option(p, out, "swift_prefix", 39, |o| {
        text(o.swift_prefix.as_deref())
    });
}
