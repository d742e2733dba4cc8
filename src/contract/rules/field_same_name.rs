//! `FIELD_SAME_NAME`: A field keeps its name.

use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FieldSameName.as_str(),
    categories: &[
        Category::File,
        Category::Package,
        Category::WireJson,
        Category::Csr,
    ],
    deprecated: false,
    purpose: "A field keeps its name.",
    docs: include_str!("field_same_name.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for pair in p.fields() {
        if pair.old.name != pair.new.name {
            out.new_side(
                pair.file(),
                p.loc_any(pair.file(), &[&pair.new.sub_path(1), &pair.new.path]),
                pair.key(),
                format!(
                    "{} changed name from \"{}\" to \"{}\".",
                    pair.subject_without_name(),
                    pair.old.name,
                    pair.new.name
                ),
            );
        }
    }
}
