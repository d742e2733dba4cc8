//! `ENUM_SAME_TYPE`: An enum stays open or closed.

use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::EnumSameType.as_str(),
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "An enum stays open or closed.",
    docs: include_str!("enum_same_type.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for (old, new) in p.enums() {
        if old.closed != new.closed {
            let word = |closed: bool| if closed { "closed" } else { "open" };
            out.new_side(
                &new.file,
                p.loc(&new.file, &new.path),
                new.full_name.clone(),
                format!(
                    "Enum \"{}\" changed from {} to {}.",
                    new.nested_name,
                    word(old.closed),
                    word(new.closed)
                ),
            );
        }
    }
}
