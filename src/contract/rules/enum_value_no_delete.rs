//! `ENUM_VALUE_NO_DELETE`: No enum value is removed.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::EnumValueNoDelete.as_str(),
    categories: &[Category::File, Category::Package, Category::Csr],
    deprecated: false,
    purpose: "No enum value is removed.",
    docs: include_str!("enum_value_no_delete.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::deleted_enum_values(p, out, |_, _| String::new(), |_, _, _| false);
}
