//! `FIELD_WIRE_COMPATIBLE_CARDINALITY`: A field's cardinality changes only within a wire-compatible group.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FieldWireCompatibleCardinality.as_str(),
    categories: &[Category::Wire],
    deprecated: false,
    purpose: "A field's cardinality changes only within a wire-compatible group.",
    docs: include_str!("field_wire_compatible_cardinality.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::cardinality(p, out, shared::wire_cardinality_group);
}
