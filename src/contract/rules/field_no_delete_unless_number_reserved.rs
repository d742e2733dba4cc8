//! `FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED`: A field is removed only with its number reserved.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED",
    categories: &[Category::WireJson, Category::Wire, Category::Csr],
    deprecated: false,
    purpose: "A field is removed only with its number reserved.",
    docs: "## What\n\nA field is removed only with its number reserved.\n\n## Why\n\nThe binary encoding carries the number: a later field reusing it would read old data as new.\n\n## Example\n\nBefore:\n\n```proto\nmessage Order {\n  string id = 1;\n  string note = 2;\n}\n```\n\nAfter (reported):\n\n```proto\nmessage Order {\n  string id = 1;\n}\n```\n\n## Fix\n\nReserve the number: `reserved 2;`.\n\nCategories: WIRE_JSON, WIRE, CSR. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::deleted_fields(
        p,
        out,
        |f| format!(" without reserving the number \"{}\"", f.number),
        |m, f| m.is_number_reserved(f.number),
    );
}
