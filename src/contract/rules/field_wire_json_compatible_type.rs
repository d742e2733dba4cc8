//! `FIELD_WIRE_JSON_COMPATIBLE_TYPE`: A field's type changes only within a wire- and JSON-compatible group.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};
use prost_types::field_descriptor_proto::Type;

pub const RULE: Rule = Rule {
    id: "FIELD_WIRE_JSON_COMPATIBLE_TYPE",
    categories: &[Category::WireJson, Category::Csr],
    deprecated: false,
    purpose: "A field's type changes only within a wire- and JSON-compatible group.",
    docs: "## What\n\nA field's type changes only within a wire- and JSON-compatible group.\n\n## Why\n\nJSON writes 64-bit integers as strings and 32-bit ones as numbers, booleans as `true`, so only {int32, uint32}, {int64, uint64}, {fixed32, sfixed32} and {fixed64, sfixed64} stay compatible in both encodings.\n\n## Example\n\nBefore:\n\n```proto\nint32 count = 1;\n```\n\nAfter (reported):\n\n```proto\nint64 count = 1;\n```\n\n## Fix\n\nKeep the type; add a new field with the new type.\n\nCategories: WIRE_JSON, CSR. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for pair in p.fields() {
        let (before, after) = (pair.old.kind, pair.new.kind);
        if shared::wire_json_group(before) != shared::wire_json_group(after) {
            out.new_side(
                pair.file(),
                shared::type_loc(p, &pair),
                pair.key(),
                shared::changed_type(&pair, " See https://developers.google.com/protocol-buffers/docs/proto3#updating for wire compatibility rules and https://developers.google.com/protocol-buffers/docs/proto3#json for JSON compatibility rules."),
            );
            continue;
        }
        let renamed = pair.old.type_name != pair.new.type_name;
        let broken = match after {
            Type::Enum => renamed && !shared::enum_wire_compatible(p, &pair),
            Type::Message | Type::Group => renamed,
            _ => false,
        };
        if broken {
            out.new_side(
                pair.file(),
                shared::type_loc(p, &pair),
                pair.key(),
                shared::changed_type(&pair, ""),
            );
        }
    }
}
