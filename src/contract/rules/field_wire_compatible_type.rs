//! `FIELD_WIRE_COMPATIBLE_TYPE`: A field's type changes only within a wire-compatible group.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;
use prost_types::field_descriptor_proto::Type;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FieldWireCompatibleType.as_str(),
    categories: &[Category::Wire],
    deprecated: false,
    purpose: "A field's type changes only within a wire-compatible group.",
    docs: include_str!("field_wire_compatible_type.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for pair in p.fields() {
        let (before, after) = (pair.old.kind, pair.new.kind);
        if shared::wire_group(before) != shared::wire_group(after) {
            if before == Type::String && after == Type::Bytes {
                continue;
            }
            let extra = if before == Type::Bytes && after == Type::String {
                " Note that while string and bytes are compatible if the data is valid UTF-8, there is no way to enforce that a bytes field is UTF-8, so these fields may be incompatible."
            } else {
                ""
            };
            out.new_side(
                pair.file(),
                shared::type_loc(p, &pair),
                pair.key(),
                shared::changed_type(&pair, &format!(" See https://developers.google.com/protocol-buffers/docs/proto3#updating for wire compatibility rules.{extra}")),
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
