//! `RESERVED_MESSAGE_NO_DELETE`: No reserved range or name is removed from a message.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;
use prost_types::descriptor_proto::ReservedRange;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::ReservedMessageNoDelete.as_str(),
    categories: &[
        Category::File,
        Category::Package,
        Category::WireJson,
        Category::Wire,
        Category::Csr,
    ],
    deprecated: false,
    purpose: "No reserved range or name is removed from a message.",
    docs: include_str!("reserved_message_no_delete.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for (old, new) in p.messages() {
        let ranges = |r: &[_]| -> Vec<(i32, i32)> { r.iter().map(|r: &_| bounds(r)).collect() };
        let owner = format!("message \"{}\"", super::short_name(&new.full_name));
        let loc = p.loc(&new.file, &new.path);
        shared::lost_ranges(
            out,
            shared::MAX_FIELD_NUMBER,
            (&new.file, loc),
            "reserved range",
            &owner,
            &ranges(&old.proto.reserved_range),
            &ranges(&new.proto.reserved_range),
        );
        shared::lost_reserved_names(
            out,
            (&new.file, loc),
            &new.full_name,
            &owner,
            &old.proto.reserved_name,
            &new.proto.reserved_name,
        );
    }
}

fn bounds(r: &ReservedRange) -> (i32, i32) {
    (r.start(), r.end() - 1)
}
