//! `FIELD_NO_DELETE`: No field is removed from a message (reserving it does not help).

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FIELD_NO_DELETE",
    categories: &[Category::File, Category::Package, Category::Csr],
    deprecated: false,
    purpose: "No field is removed from a message (reserving it does not help).",
    docs: "## What\n\nNo field is removed from a message (reserving it does not help).\n\n## Why\n\nGenerated accessors disappear and callers stop compiling.\n\n## Example\n\nBefore:\n\n```proto\nmessage Order {\n  string id = 1;\n  string note = 2;\n}\n```\n\nAfter (reported):\n\n```proto\nmessage Order {\n  string id = 1;\n}\n```\n\n## Fix\n\nKeep the field and mark it `[deprecated = true]`; remove it in a new package version.\n\nCategories: FILE, PACKAGE, CSR. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::deleted_fields(p, out, |_| String::new(), |_, _| false);
}
