//! `FILE_SAME_JAVA_OUTER_CLASSNAME`: A file's `java_outer_classname` option did not change.

use super::shared::{self, text};
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FILE_SAME_JAVA_OUTER_CLASSNAME",
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A file's `java_outer_classname` option did not change.",
    docs: "## What\n\nA file's `java_outer_classname` option did not change.\n\n## Why\n\nThe option shapes the generated code, not the wire: the Java outer class is renamed; code that names it stops compiling.\n\n## Example\n\nBefore:\n\n```proto\noption java_outer_classname = \"a\";\n```\n\nAfter (reported):\n\n```proto\noption java_outer_classname = \"b\";\n```\n\n## Fix\n\nRestore the old value of `java_outer_classname`. If the change is intended, release it as a new package version (for example `v2`) so existing users keep the old code.\n\nCategories: FILE, PACKAGE. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::file_option(p, out, "java_outer_classname", 8, |o| {
        text(o.java_outer_classname.as_deref())
    });
}
