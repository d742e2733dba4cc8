//! `FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED`: A field is removed only with its number reserved.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FieldNoDeleteUnlessNumberReserved.as_str(),
    categories: &[Category::WireJson, Category::Wire, Category::Csr],
    deprecated: false,
    purpose: "A field is removed only with its number reserved.",
    docs: include_str!("field_no_delete_unless_number_reserved.md"),
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
