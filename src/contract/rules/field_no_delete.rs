//! `FIELD_NO_DELETE`: No field is removed from a message (reserving it does not help).

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FieldNoDelete.as_str(),
    categories: &[Category::File, Category::Package, Category::Csr],
    deprecated: false,
    purpose: "No field is removed from a message (reserving it does not help).",
    docs: include_str!("field_no_delete.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::deleted_fields(p, out, |_| String::new(), |_, _| false);
}
