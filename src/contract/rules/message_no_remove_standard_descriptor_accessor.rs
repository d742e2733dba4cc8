//! `MESSAGE_NO_REMOVE_STANDARD_DESCRIPTOR_ACCESSOR`: A message does not turn on `no_standard_descriptor_accessor`.

use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::MessageNoRemoveStandardDescriptorAccessor.as_str(),
    categories: &[Category::File, Category::Package, Category::Csr],
    deprecated: false,
    purpose: "A message does not turn on `no_standard_descriptor_accessor`.",
    docs: include_str!("message_no_remove_standard_descriptor_accessor.md"),
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
