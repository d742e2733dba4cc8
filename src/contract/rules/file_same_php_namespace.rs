//! `FILE_SAME_PHP_NAMESPACE`: A file's `php_namespace` option did not change.

use super::shared::{self, text};
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FILE_SAME_PHP_NAMESPACE",
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A file's `php_namespace` option did not change.",
    docs: "## What\n\nA file's `php_namespace` option did not change.\n\n## Why\n\nThe option shapes the generated code, not the wire: every generated PHP class moves to another namespace.\n\n## Example\n\nBefore:\n\n```proto\noption php_namespace = \"a\";\n```\n\nAfter (reported):\n\n```proto\noption php_namespace = \"b\";\n```\n\n## Fix\n\nRestore the old value of `php_namespace`. If the change is intended, release it as a new package version (for example `v2`) so existing users keep the old code.\n\nCategories: FILE, PACKAGE. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::file_option(p, out, "php_namespace", 41, |o| {
        text(o.php_namespace.as_deref())
    });
}
