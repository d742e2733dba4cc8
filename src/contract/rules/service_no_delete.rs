//! `SERVICE_NO_DELETE`: No service is removed from the file that declared it.

use super::shared::{self, Element};
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::ServiceNoDelete.as_str(),
    categories: &[Category::File],
    deprecated: false,
    purpose: "No service is removed from the file that declared it.",
    docs: include_str!("service_no_delete.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::deleted_from_file(p, out, Element::Service);
}
