//! `FIELD_SAME_JSTYPE`: A field keeps its `jstype` option.

use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FIELD_SAME_JSTYPE",
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A field keeps its `jstype` option.",
    docs: "## What\n\nA field keeps its `jstype` option.\n\n## Why\n\n`jstype = JS_STRING` makes JavaScript code see 64-bit integers as strings; changing it changes the generated JavaScript types.\n\n## Example\n\nBefore:\n\n```proto\nint64 total = 2;\n```\n\nAfter (reported):\n\n```proto\nint64 total = 2 [jstype = JS_STRING];\n```\n\n## Fix\n\nRestore the option, or add a new field.\n\nCategories: FILE, PACKAGE. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for pair in p.fields() {
        let value = |f: &crate::contract::model::FieldInfo| {
            f.options
                .as_ref()
                .map(|o| o.jstype().as_str_name())
                .unwrap_or("JS_NORMAL")
        };
        let (before, after) = (value(pair.old), value(pair.new));
        if before != after {
            out.new_side(
                pair.file(),
                p.new
                    .file(pair.file())
                    .and_then(|f| f.field_option(&pair.new.path, "jstype"))
                    .or_else(|| p.loc(pair.file(), &pair.new.path)),
                pair.key(),
                format!(
                    "{} changed option \"jstype\" from \"{before}\" to \"{after}\".",
                    pair.subject()
                ),
            );
        }
    }
}
