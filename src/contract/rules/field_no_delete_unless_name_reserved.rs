//! `FIELD_NO_DELETE_UNLESS_NAME_RESERVED`: A field is removed only with its name reserved.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FIELD_NO_DELETE_UNLESS_NAME_RESERVED",
    categories: &[Category::WireJson, Category::Csr],
    deprecated: false,
    purpose: "A field is removed only with its name reserved.",
    docs: "## What\n\nA field is removed only with its name reserved.\n\n## Why\n\nJSON carries fields by name: a later field with the old name would be read as the old data.\n\n## Example\n\nBefore:\n\n```proto\nmessage Order {\n  string id = 1;\n  string note = 2;\n}\n```\n\nAfter (reported):\n\n```proto\nmessage Order {\n  string id = 1;\n}\n```\n\n## Fix\n\nReserve the name: `reserved \"note\";`.\n\nCategories: WIRE_JSON, CSR. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::deleted_fields(
        p,
        out,
        |f| format!(" without reserving the name \"{}\"", f.name),
        |m, f| m.is_name_reserved(&f.name),
    );
}
