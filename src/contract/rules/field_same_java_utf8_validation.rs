//! `FIELD_SAME_JAVA_UTF8_VALIDATION`: A string field keeps its Java UTF-8 validation.

use super::{Category, Rule};
use super::{Pair, Sink};
use prost_types::field_descriptor_proto::Type;

pub const RULE: Rule = Rule {
    id: "FIELD_SAME_JAVA_UTF8_VALIDATION",
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A string field keeps its Java UTF-8 validation.",
    docs: "## What\n\nA string field keeps its Java UTF-8 validation.\n\n## Why\n\nWith `java_string_check_utf8` Java parsers reject invalid UTF-8 in string fields; turning it on or off changes which messages Java accepts.\n\n## Example\n\nBefore:\n\n```proto\noption java_string_check_utf8 = false;\n```\n\nAfter (reported):\n\n```proto\noption java_string_check_utf8 = true;\n```\n\n## Fix\n\nRestore the file option.\n\nCategories: FILE, PACKAGE. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for pair in p.fields() {
        if pair.new.kind != Type::String || pair.old.kind != Type::String {
            continue;
        }
        let (Some(old_file), Some(new_file)) = (
            p.old.file(&pair.old_message.file),
            p.new.file(&pair.new_message.file),
        ) else {
            continue;
        };
        let value = |file: &crate::contract::model::FileInfo| {
            if file.options.java_string_check_utf8() {
                "VERIFY"
            } else {
                "DEFAULT"
            }
        };
        let (before, after) = (value(old_file), value(new_file));
        if before != after {
            out.new_side(
                pair.file(),
                p.loc(pair.file(), &pair.new.path),
                pair.key(),
                format!(
                    "{} changed Java UTF-8 validation from \"{before}\" to \"{after}\".",
                    pair.subject()
                ),
            );
        }
    }
}
