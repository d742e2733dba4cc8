//! `ENUM_VALUE_SAME_NAME`: An enum number keeps its name(s); adding an alias is fine.

use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
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
            let mut before = old.names_for(value.number);
            if before.is_empty() {
                continue;
            }
            let mut after = new.names_for(value.number);
            if before.iter().all(|name| after.contains(name)) {
                continue;
            }
            before.sort_unstable();
            after.sort_unstable();
            // buf says "names" only when both sides have aliases.
            let plural = if before.len() > 1 && after.len() > 1 {
                "s"
            } else {
                ""
            };
            let message = format!(
                "Enum value \"{}\" on enum \"{}\" changed name{plural} from {} to {}.",
                value.number,
                super::short_name(&new.full_name),
                quoted_list(&before),
                quoted_list(&after)
            );
            // Each name the number has now is reported at its own number, as buf does.
            for alias in new.values.iter().filter(|v| v.number == value.number) {
                let mut number = alias.path.clone();
                number.push(2);
                out.new_side(
                    &new.file,
                    p.loc_any(&new.file, &[&number, &alias.path]),
                    format!("{}.{}", new.full_name, value.number),
                    message.clone(),
                );
            }
        }
    }
}

/// `"A", "B"`: buf's way to list names.
fn quoted_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("\"{name}\"")).collect();
    quoted.join(", ")
}
