//! `ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED`: An enum value is removed only with its name reserved.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::EnumValueNoDeleteUnlessNameReserved.as_str(),
    categories: &[Category::WireJson, Category::Csr],
    deprecated: false,
    purpose: "An enum value is removed only with its name reserved.",
    docs: include_str!("enum_value_no_delete_unless_name_reserved.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::deleted_enum_values(
        p,
        out,
        |_, name| format!(" without reserving the name \"{name}\""),
        |e, _, name| e.is_name_reserved(name),
    );
}
