//! `FIELD_SAME_CARDINALITY`: A field keeps its cardinality.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FieldSameCardinality.as_str(),
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A field keeps its cardinality.",
    docs: include_str!("field_same_cardinality.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::cardinality(p, out, |c| c as u8);
}
