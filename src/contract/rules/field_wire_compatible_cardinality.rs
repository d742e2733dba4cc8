//! `FIELD_WIRE_COMPATIBLE_CARDINALITY`: A field's cardinality changes only within a wire-compatible group.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FIELD_WIRE_COMPATIBLE_CARDINALITY",
    categories: &[Category::Wire],
    deprecated: false,
    purpose: "A field's cardinality changes only within a wire-compatible group.",
    docs: "## What\n\nA field's cardinality changes only within a wire-compatible group.\n\n## Why\n\nOn the wire, singular fields (explicit or implicit presence), `required` fields and lists (`repeated`, `map`) are read differently; moving between these groups makes old readers drop or misread data.\n\n## Example\n\nBefore:\n\n```proto\nstring tag = 4;\n```\n\nAfter (reported):\n\n```proto\nrepeated string tag = 4;\n```\n\n## Fix\n\nKeep the label; add a new field for the list.\n\nCategories: WIRE. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::cardinality(p, out, shared::wire_cardinality_group);
}
