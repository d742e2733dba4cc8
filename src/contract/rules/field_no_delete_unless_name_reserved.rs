//! `FIELD_NO_DELETE_UNLESS_NAME_RESERVED`: A field is removed only with its name reserved.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FieldNoDeleteUnlessNameReserved.as_str(),
    categories: &[Category::WireJson, Category::Csr],
    deprecated: false,
    purpose: "A field is removed only with its name reserved.",
    docs: include_str!("field_no_delete_unless_name_reserved.md"),
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
