//! `FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY`: A field's cardinality changes only within a wire- and JSON-compatible group.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY",
    categories: &[Category::WireJson, Category::Csr],
    deprecated: false,
    purpose: "A field's cardinality changes only within a wire- and JSON-compatible group.",
    docs: "## What\n\nA field's cardinality changes only within a wire- and JSON-compatible group.\n\n## Why\n\nAs for the wire, and in JSON a `repeated` field is an array while a `map` is an object, so these are separate groups too.\n\n## Example\n\nBefore:\n\n```proto\nrepeated Entry labels = 5;\n```\n\nAfter (reported):\n\n```proto\nmap<string, string> labels = 5;\n```\n\n## Fix\n\nKeep the label; add a new field for the new shape.\n\nCategories: WIRE_JSON, CSR. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::cardinality(p, out, shared::wire_json_cardinality_group);
}
