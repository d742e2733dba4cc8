//! `FIELD_SAME_CPP_STRING_TYPE`: A string or bytes field keeps its C++ string type.

use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;
use prost_types::field_descriptor_proto::Type;
use prost_types::field_options::CType;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FieldSameCppStringType.as_str(),
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A string or bytes field keeps its C++ string type.",
    docs: include_str!("field_same_cpp_string_type.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for pair in p.fields() {
        if !matches!(pair.new.kind, Type::String | Type::Bytes) || pair.old.kind != pair.new.kind {
            continue;
        }
        let before = string_type(pair.old);
        let after = string_type(pair.new);
        if before != after {
            out.new_side(
                pair.file(),
                p.new
                    .file(pair.file())
                    .and_then(|f| f.field_option(&pair.new.path, "ctype"))
                    .or_else(|| p.loc(pair.file(), &pair.new.path)),
                pair.key(),
                format!(
                    "{} changed C++ string type from \"{before}\" to \"{after}\".",
                    pair.subject()
                ),
            );
        }
    }
}

fn string_type(field: &crate::contract::model::FieldInfo) -> &'static str {
    match field.options.as_ref().map(|o| o.ctype()) {
        Some(CType::Cord) => "CORD",
        Some(CType::StringPiece) => "STRING_PIECE",
        _ => "STRING",
    }
}
