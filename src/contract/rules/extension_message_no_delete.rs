//! `EXTENSION_MESSAGE_NO_DELETE`: No extension range is removed from a message.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::ExtensionMessageNoDelete.as_str(),
    categories: &[Category::File, Category::Package, Category::Csr],
    deprecated: false,
    purpose: "No extension range is removed from a message.",
    docs: include_str!("extension_message_no_delete.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for (old, new) in p.messages() {
        let ranges = |m: &crate::contract::model::MessageInfo| -> Vec<(i32, i32)> {
            m.proto
                .extension_range
                .iter()
                .map(|r| (r.start(), r.end() - 1))
                .collect()
        };
        shared::lost_ranges(
            out,
            shared::MAX_FIELD_NUMBER,
            (&new.file, p.loc(&new.file, &new.path)),
            "extension range",
            &format!("message \"{}\"", super::short_name(&new.full_name)),
            &ranges(old),
            &ranges(new),
        );
    }
}
