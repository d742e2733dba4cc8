//! `FILE_SAME_RUBY_PACKAGE`: A file's `ruby_package` option did not change.

use super::shared::{self, text};
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FILE_SAME_RUBY_PACKAGE",
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A file's `ruby_package` option did not change.",
    docs: "## What\n\nA file's `ruby_package` option did not change.\n\n## Why\n\nThe option shapes the generated code, not the wire: every generated Ruby class moves to another module.\n\n## Example\n\nBefore:\n\n```proto\noption ruby_package = \"a\";\n```\n\nAfter (reported):\n\n```proto\noption ruby_package = \"b\";\n```\n\n## Fix\n\nRestore the old value of `ruby_package`. If the change is intended, release it as a new package version (for example `v2`) so existing users keep the old code.\n\nCategories: FILE, PACKAGE. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::file_option(p, out, "ruby_package", 45, |o| {
        text(o.ruby_package.as_deref())
    });
}
