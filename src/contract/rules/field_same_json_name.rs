//! `FIELD_SAME_JSON_NAME`: A field keeps its JSON name.

use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FieldSameJsonName.as_str(),
    categories: &[
        Category::File,
        Category::Package,
        Category::WireJson,
        Category::Csr,
    ],
    deprecated: false,
    purpose: "A field keeps its JSON name.",
    docs: include_str!("field_same_json_name.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for pair in p.fields() {
        if pair.old.json_name != pair.new.json_name {
            out.new_side(
                pair.file(),
                p.new
                    .file(pair.file())
                    .and_then(|f| f.field_option(&pair.new.path, "json_name"))
                    .or_else(|| p.loc(pair.file(), &pair.new.path)),
                pair.key(),
                format!(
                    "{} changed option \"json_name\" from \"{}\" to \"{}\".",
                    pair.subject(),
                    pair.old.json_name,
                    pair.new.json_name
                ),
            );
        }
    }
}
