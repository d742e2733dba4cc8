//! `ENUM_VALUE_NO_DELETE`: No enum value is removed.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "ENUM_VALUE_NO_DELETE",
    categories: &[Category::File, Category::Package, Category::Csr],
    deprecated: false,
    purpose: "No enum value is removed.",
    docs: "## What\n\nNo enum value is removed.\n\n## Why\n\nGenerated code loses the constant and callers stop compiling; readers see the number as unknown.\n\n## Example\n\nBefore:\n\n```proto\nenum Status {\n  STATUS_UNSPECIFIED = 0;\n  STATUS_PAID = 1;\n}\n```\n\nAfter (reported):\n\n```proto\nenum Status {\n  STATUS_UNSPECIFIED = 0;\n}\n```\n\n## Fix\n\nKeep the value and mark it `deprecated = true`.\n\nCategories: FILE, PACKAGE, CSR. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::deleted_enum_values(p, out, |_, _| String::new(), |_, _, _| false);
}
