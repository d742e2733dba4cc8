//! `FILE_SAME_GO_PACKAGE`: A file's `go_package` option did not change.

use super::shared::{self, text};
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FILE_SAME_GO_PACKAGE",
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A file's `go_package` option did not change.",
    docs: "## What\n\nA file's `go_package` option did not change.\n\n## Why\n\nThe option shapes the generated code, not the wire: the Go import path or package name of the generated code changes; every Go importer stops compiling.\n\n## Example\n\nBefore:\n\n```proto\noption go_package = \"example.com/shop/api/order/v1;orderv1\";\n```\n\nAfter (reported):\n\n```proto\noption go_package = \"example.com/shop/gen/order/v1;orderv1\";\n```\n\n## Fix\n\nRestore the old value of `go_package`. If the change is intended, release it as a new package version (for example `v2`) so existing users keep the old code.\n\nCategories: FILE, PACKAGE. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::file_option(p, out, "go_package", 11, |o| text(o.go_package.as_deref()));
}
