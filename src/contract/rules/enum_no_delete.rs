//! `ENUM_NO_DELETE`: No enum is removed from the file that declared it.

use super::shared::{self, Element};
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::EnumNoDelete.as_str(),
    categories: &[Category::File, Category::Csr],
    deprecated: false,
    purpose: "No enum is removed from the file that declared it.",
    docs: include_str!("enum_no_delete.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::deleted_from_file(p, out, Element::Enum);
}
