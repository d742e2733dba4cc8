//! `PACKAGE_ENUM_NO_DELETE`: No enum is removed from its package.

use super::shared::{self, Element};
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::PackageEnumNoDelete.as_str(),
    categories: &[Category::Package],
    deprecated: false,
    purpose: "No enum is removed from its package.",
    docs: include_str!("package_enum_no_delete.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::deleted_from_package(p, out, Element::Enum);
}
