//! `FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY`: A field's cardinality changes only within a wire- and JSON-compatible group.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FieldWireJsonCompatibleCardinality.as_str(),
    categories: &[Category::WireJson, Category::Csr],
    deprecated: false,
    purpose: "A field's cardinality changes only within a wire- and JSON-compatible group.",
    docs: include_str!("field_wire_json_compatible_cardinality.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::cardinality(p, out, shared::wire_json_cardinality_group);
}
