//! `ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED`: An enum value is removed only with its number reserved.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::EnumValueNoDeleteUnlessNumberReserved.as_str(),
    categories: &[Category::WireJson, Category::Wire, Category::Csr],
    deprecated: false,
    purpose: "An enum value is removed only with its number reserved.",
    docs: include_str!("enum_value_no_delete_unless_number_reserved.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::deleted_enum_values(
        p,
        out,
        |number, _| format!(" without reserving the number \"{number}\""),
        |e, number, _| e.is_number_reserved(number),
    );
}
