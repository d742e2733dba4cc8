//! `FIELD_SAME_JAVA_UTF8_VALIDATION`: A string field keeps its Java UTF-8 validation.

use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;
use prost_types::field_descriptor_proto::Type;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FieldSameJavaUtf8Validation.as_str(),
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A string field keeps its Java UTF-8 validation.",
    docs: include_str!("field_same_java_utf8_validation.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for pair in p.fields() {
        if pair.new.kind != Type::String || pair.old.kind != Type::String {
            continue;
        }
        let (Some(old_file), Some(new_file)) =
            (p.old.file(pair.old_file), p.new.file(pair.new_file))
        else {
            continue;
        };
        // proto3 strings are always checked; proto2 ones only with the file option.
        let value = |file: &crate::contract::model::FileInfo| {
            if file.is_proto3() || file.options.java_string_check_utf8() {
                "VERIFY"
            } else {
                "NONE"
            }
        };
        let (before, after) = (value(old_file), value(new_file));
        if before != after {
            out.new_side(
                pair.file(),
                new_file
                    .option_statement("java_string_check_utf8")
                    .or_else(|| p.loc(pair.file(), &pair.new.path)),
                pair.key(),
                format!(
                    "{} changed Java string UTF8 validation from \"{before}\" to \"{after}\".",
                    pair.subject()
                ),
            );
        }
    }
}
