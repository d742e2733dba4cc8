//! `ENUM_VALUE_SAME_NAME`: An enum number keeps its name(s); adding an alias is fine.

use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub const RULE: Rule = Rule {
    id: RuleId::EnumValueSameName.as_str(),
    categories: &[
        Category::File,
        Category::Package,
        Category::WireJson,
        Category::Csr,
    ],
    deprecated: false,
    purpose: "An enum number keeps its name(s); adding an alias is fine.",
    docs: include_str!("enum_value_same_name.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for (old, new) in p.enums() {
        let mut seen = std::collections::HashSet::new();
        for value in &new.values {
            if !seen.insert(value.number) {
                continue;
            }
            let before = old.names_for(value.number);
            if before.is_empty() {
                continue;
            }
            let after = new.names_for(value.number);
            if before.iter().all(|name| after.contains(name)) {
                continue;
            }
            let mut number = value.path.clone();
            number.push(2);
            out.new_side(
                &new.file,
                p.loc_any(&new.file, &[&number, &value.path]),
                format!("{}.{}", new.full_name, value.number),
                format!(
                    "Enum value \"{}\" on enum \"{}\" changed name from \"{}\" to \"{}\".",
                    value.number,
                    super::short_name(&new.full_name),
                    before.join(", "),
                    after.join(", ")
                ),
            );
        }
    }
}
