//! `MESSAGE_NO_REMOVE_STANDARD_DESCRIPTOR_ACCESSOR`: A message does not turn on `no_standard_descriptor_accessor`.

use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "MESSAGE_NO_REMOVE_STANDARD_DESCRIPTOR_ACCESSOR",
    categories: &[Category::File, Category::Package, Category::Csr],
    deprecated: false,
    purpose: "A message does not turn on `no_standard_descriptor_accessor`.",
    docs: "## What\n\nA message does not turn on `no_standard_descriptor_accessor`.\n\n## Why\n\nThe option removes the generated `descriptor()` accessor that code may call.\n\n## Example\n\nBefore:\n\n```proto\nmessage Order {}\n```\n\nAfter (reported):\n\n```proto\nmessage Order {\n  option no_standard_descriptor_accessor = true;\n}\n```\n\n## Fix\n\nRemove the option.\n\nCategories: FILE, PACKAGE, CSR. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for (old, new) in p.messages() {
        let value = |m: &crate::contract::model::MessageInfo| {
            m.proto
                .options
                .as_ref()
                .is_some_and(|o| o.no_standard_descriptor_accessor())
        };
        if !value(old) && value(new) {
            let mut option = new.path.clone();
            option.extend([7, 2]);
            out.new_side(
                &new.file,
                p.loc_any(&new.file, &[&option, &new.path]),
                new.full_name.clone(),
                "Message option \"no_standard_descriptor_accessor\" changed from \"false\" to \"true\"."
                    .to_string(),
            );
        }
    }
}
