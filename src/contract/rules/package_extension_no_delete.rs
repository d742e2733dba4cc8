//! `PACKAGE_EXTENSION_NO_DELETE`: No extension is removed from its package.

use super::shared::{self, Element};
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::PackageExtensionNoDelete.as_str(),
    categories: &[Category::Package],
    deprecated: false,
    purpose: "No extension is removed from its package.",
    docs: include_str!("package_extension_no_delete.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::deleted_from_package(p, out, Element::Extension);
}
