//! `FILE_SAME_CSHARP_NAMESPACE`: A file's `csharp_namespace` option did not change.

use super::shared::{self, text};
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FILE_SAME_CSHARP_NAMESPACE",
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A file's `csharp_namespace` option did not change.",
    docs: "## What\n\nA file's `csharp_namespace` option did not change.\n\n## Why\n\nThe option shapes the generated code, not the wire: every generated C# type moves to another namespace; `using` directives stop compiling.\n\n## Example\n\nBefore:\n\n```proto\noption csharp_namespace = \"a\";\n```\n\nAfter (reported):\n\n```proto\noption csharp_namespace = \"b\";\n```\n\n## Fix\n\nRestore the old value of `csharp_namespace`. If the change is intended, release it as a new package version (for example `v2`) so existing users keep the old code.\n\nCategories: FILE, PACKAGE. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::file_option(p, out, "csharp_namespace", 37, |o| {
        text(o.csharp_namespace.as_deref())
    });
}
