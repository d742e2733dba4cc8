//! `FIELD_WIRE_JSON_COMPATIBLE_TYPE`: A field's type changes only within a wire- and JSON-compatible group.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;
use prost_types::field_descriptor_proto::Type;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FieldWireJsonCompatibleType.as_str(),
    categories: &[Category::WireJson, Category::Csr],
    deprecated: false,
    purpose: "A field's type changes only within a wire- and JSON-compatible group.",
    docs: include_str!("field_wire_json_compatible_type.md"),
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
