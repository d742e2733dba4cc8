//! `RESERVED_MESSAGE_NO_DELETE`: No reserved range or name is removed from a message.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};
use prost_types::descriptor_proto::ReservedRange;

pub const RULE: Rule = Rule {
    id: "RESERVED_MESSAGE_NO_DELETE",
    categories: &[
        Category::File,
        Category::Package,
        Category::WireJson,
        Category::Wire,
        Category::Csr,
    ],
    deprecated: false,
    purpose: "No reserved range or name is removed from a message.",
    docs: "## What\n\nNo reserved range or name is removed from a message.\n\n## Why\n\nReservations keep numbers and names of deleted definitions from being reused with a new meaning; removing one invites exactly that.\n\n## Example\n\nBefore:\n\n```proto\nreserved 2, 15 to 20;\nreserved \"note\";\n```\n\nAfter (reported):\n\n```proto\nreserved 2;\n```\n\n## Fix\n\nKeep every reservation; add to them, never remove.\n\nCategories: FILE, PACKAGE, WIRE_JSON, WIRE, CSR. Same id and verdicts as `buf breaking`.",
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
