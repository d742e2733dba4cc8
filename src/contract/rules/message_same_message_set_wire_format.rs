//! `MESSAGE_SAME_MESSAGE_SET_WIRE_FORMAT`: A message keeps its `message_set_wire_format` option (deprecated in buf; in no category).

use super::Rule;
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::MessageSameMessageSetWireFormat.as_str(),
    categories: &[],
    deprecated: true,
    purpose: "A message keeps its `message_set_wire_format` option (deprecated in buf; in no category).",
    docs: include_str!("message_same_message_set_wire_format.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for (old, new) in p.messages() {
        let value = |m: &crate::contract::model::MessageInfo| {
            m.proto
                .options
                .as_ref()
                .is_some_and(|o| o.message_set_wire_format())
        };
        if value(old) != value(new) {
            let mut option = new.path.clone();
            option.extend([7, 1]);
            out.new_side(
                &new.file,
                p.loc_any(&new.file, &[&option, &new.path]),
                new.full_name.clone(),
                format!(
                    "Message option \"message_set_wire_format\" changed from \"{}\" to \"{}\".",
                    value(old),
                    value(new)
                ),
            );
        }
    }
}
