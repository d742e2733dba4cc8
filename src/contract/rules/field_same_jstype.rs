//! `FIELD_SAME_JSTYPE`: A field keeps its `jstype` option.

use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FieldSameJstype.as_str(),
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A field keeps its `jstype` option.",
    docs: include_str!("field_same_jstype.md"),
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
