//! `FIELD_SAME_DEFAULT`: A field keeps its default value.

use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;
use prost_types::field_descriptor_proto::Type;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FieldSameDefault.as_str(),
    categories: &[
        Category::File,
        Category::Package,
        Category::WireJson,
        Category::Wire,
        Category::Csr,
    ],
    deprecated: false,
    purpose: "A field keeps its default value.",
    docs: include_str!("field_same_default.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for pair in p.fields() {
        if pair.old.kind != pair.new.kind {
            continue; // a type change is FIELD_SAME_TYPE's finding
        }
        let before = effective_default(p.old, pair.old);
        let after = effective_default(p.new, pair.new);
        // Enum defaults are values, compared by number (the enum itself may be another one).
        let same = if pair.new.kind == Type::Enum {
            enum_number(p.old, pair.old, &before) == enum_number(p.new, pair.new, &after)
        } else {
            same_default(pair.new.kind, &before, &after)
        };
        if !same {
            out.new_side(
                pair.file(),
                p.new
                    .file(pair.file())
                    .and_then(|f| f.field_option(&pair.new.path, "default"))
                    .or_else(|| p.loc(pair.file(), &pair.new.path)),
                pair.key(),
                format!(
                    "{} changed default value from {} to {}.",
                    pair.subject(),
                    shown(p.old, pair.old, &before),
                    shown(p.new, pair.new, &after)
                ),
            );
        }
    }
}

/// As buf prints defaults: strings quoted, enum values as `Enum.VALUE`, numbers bare.
fn shown(
    model: &crate::contract::model::Model,
    field: &crate::contract::model::FieldInfo,
    value: &str,
) -> String {
    match field.kind {
        Type::String | Type::Bytes => crate::contract::rules::shared::go_quote(value),
        Type::Enum => {
            let enum_name = model
                .enums
                .get(&field.type_name)
                .map(|e| e.proto.name().to_string())
                .unwrap_or_else(|| super::short_name(&field.type_name).to_string());
            format!("{enum_name}.{value}")
        }
        _ => value.to_string(),
    }
}

/// The default a reader uses: the explicit one, else the type's zero value
/// (the first value for enums).
fn effective_default(
    model: &crate::contract::model::Model,
    field: &crate::contract::model::FieldInfo,
) -> String {
    if let Some(value) = &field.default {
        return value.clone();
    }
    match field.kind {
        Type::String | Type::Bytes => String::new(),
        Type::Bool => "false".to_string(),
        Type::Enum => model
            .enums
            .get(&field.type_name)
            .and_then(|e| e.values.first())
            .map(|v| v.name.clone())
            .unwrap_or_default(),
        Type::Message | Type::Group => String::new(),
        _ => "0".to_string(),
    }
}

fn enum_number(
    model: &crate::contract::model::Model,
    field: &crate::contract::model::FieldInfo,
    value: &str,
) -> Option<i32> {
    model
        .enums
        .get(&field.type_name)
        .and_then(|e| e.values.iter().find(|v| v.name == value))
        .map(|v| v.number)
}

fn same_default(kind: Type, before: &str, after: &str) -> bool {
    match kind {
        Type::Double | Type::Float => match (before.parse::<f64>(), after.parse::<f64>()) {
            (Ok(a), Ok(b)) => a == b || (a.is_nan() && b.is_nan()),
            _ => before == after,
        },
        Type::Int32
        | Type::Int64
        | Type::Sint32
        | Type::Sint64
        | Type::Sfixed32
        | Type::Sfixed64
        | Type::Uint32
        | Type::Uint64
        | Type::Fixed32
        | Type::Fixed64 => match (before.parse::<i128>(), after.parse::<i128>()) {
            (Ok(a), Ok(b)) => a == b,
            _ => before == after,
        },
        _ => before == after,
    }
}
