//! `MESSAGE_SAME_JSON_FORMAT`: A message's JSON format does not go from ALLOW to LEGACY_BEST_EFFORT.

use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::MessageSameJsonFormat.as_str(),
    categories: &[
        Category::File,
        Category::Package,
        Category::WireJson,
        Category::Csr,
    ],
    deprecated: false,
    purpose: "A message's JSON format does not go from ALLOW to LEGACY_BEST_EFFORT.",
    docs: include_str!("message_same_json_format.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for (old, new) in p.messages() {
        let (Some(old_file), Some(new_file)) = (p.old.file(&old.file), p.new.file(&new.file))
        else {
            continue;
        };
        if old_file.is_proto3() && !new_file.is_proto3() {
            out.new_side(
                &new.file,
                p.loc(&new.file, &new.path),
                new.full_name.clone(),
                format!(
                    "Message \"{}\" JSON format support changed from ALLOW to LEGACY_BEST_EFFORT.",
                    new.nested_name
                ),
            );
        }
    }
}
