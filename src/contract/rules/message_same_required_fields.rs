//! `MESSAGE_SAME_REQUIRED_FIELDS`: A message neither gains nor loses `required` fields.

use super::{Pair, Sink};
use crate::contract::model::Cardinality;
use crate::registry::RuleId;

const REQUIRED_NOTE: &str = "Required fields must always be sent, so if one side does not know about the required field, this will result in a breakage.";
use super::{Category, Rule};

pub(crate) const RULE: Rule = Rule {
    id: RuleId::MessageSameRequiredFields.as_str(),
    categories: &[
        Category::File,
        Category::Package,
        Category::WireJson,
        Category::Wire,
        Category::Csr,
    ],
    deprecated: false,
    purpose: "A message neither gains nor loses `required` fields.",
    docs: include_str!("message_same_required_fields.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for (old, new) in p.messages() {
        let required = |m: &crate::contract::model::MessageInfo| -> Vec<(i32, String)> {
            m.fields
                .iter()
                .filter(|f| f.cardinality == Cardinality::Required)
                .map(|f| (f.number, f.name.clone()))
                .collect()
        };
        let (before, after) = (required(old), required(new));
        for (number, _) in &before {
            if !after.iter().any(|(n, _)| n == number) {
                out.new_side(
                    &new.file,
                    p.loc(&new.file, &new.path),
                    format!("{}.{number}", new.full_name),
                    format!(
                        "Message \"{}\" had required field \"{number}\" deleted. {REQUIRED_NOTE}",
                        super::short_name(&new.full_name)
                    ),
                );
            }
        }
        for (number, _) in &after {
            if !before.iter().any(|(n, _)| n == number) {
                let field_path = new
                    .field(*number)
                    .map(|f| f.path.clone())
                    .unwrap_or_default();
                out.new_side(
                    &new.file,
                    p.loc_any(&new.file, &[&field_path, &new.path]),
                    format!("{}.{number}", new.full_name),
                    format!(
                        "Message \"{}\" had required field \"{number}\" added. {REQUIRED_NOTE}",
                        super::short_name(&new.full_name)
                    ),
                );
            }
        }
    }
}
