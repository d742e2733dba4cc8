//! `FIELD_SAME_TYPE`: A field keeps its type.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FieldSameType.as_str(),
    categories: &[Category::File, Category::Package, Category::Csr],
    deprecated: false,
    purpose: "A field keeps its type.",
    docs: include_str!("field_same_type.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for pair in p.fields() {
        let changed = pair.old.kind != pair.new.kind
            || (shared::named(pair.new.kind) && pair.old.type_name != pair.new.type_name);
        if changed {
            out.new_side(
                pair.file(),
                shared::type_loc(p, &pair),
                pair.key(),
                shared::changed_type(&pair, ""),
            );
        }
    }
}
