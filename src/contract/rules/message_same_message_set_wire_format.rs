//! `MESSAGE_SAME_MESSAGE_SET_WIRE_FORMAT`: A message keeps its `message_set_wire_format` option (deprecated in buf; in no category).

use super::Rule;
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "MESSAGE_SAME_MESSAGE_SET_WIRE_FORMAT",
    categories: &[],
    deprecated: true,
    purpose: "A message keeps its `message_set_wire_format` option (deprecated in buf; in no category).",
    docs: "## What\n\nA message keeps its `message_set_wire_format` option (deprecated in buf; in no category).\n\n## Why\n\nMessageSet encoding is a different wire format; switching it makes every old reader fail.\n\n## Example\n\nBefore:\n\n```proto\nmessage Bag {\n  option message_set_wire_format = true;\n  extensions 4 to max;\n}\n```\n\nAfter (reported):\n\n```proto\nmessage Bag {\n  extensions 4 to max;\n}\n```\n\n## Fix\n\nRestore the option.\n\nCategories: none (deprecated; run only when listed by id). Same id and verdicts as `buf breaking`.",
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
