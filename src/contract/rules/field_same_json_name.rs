//! `FIELD_SAME_JSON_NAME`: A field keeps its JSON name.

use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FIELD_SAME_JSON_NAME",
    categories: &[
        Category::File,
        Category::Package,
        Category::WireJson,
        Category::Csr,
    ],
    deprecated: false,
    purpose: "A field keeps its JSON name.",
    docs: "## What\n\nA field keeps its JSON name.\n\n## Why\n\nJSON carries fields by their JSON name (the explicit `json_name` or the camelCase of the field name); a new one makes old JSON clients lose the field.\n\n## Example\n\nBefore:\n\n```proto\nstring customer_id = 1;\n```\n\nAfter (reported):\n\n```proto\nstring customer_id = 1 [json_name = \"customer\"];\n```\n\n## Fix\n\nKeep the JSON name.\n\nCategories: FILE, PACKAGE, WIRE_JSON, CSR. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for pair in p.fields() {
        if pair.old.json_name != pair.new.json_name {
            out.new_side(
                pair.file(),
                p.loc_any(pair.file(), &[&pair.new.sub_path(10), &pair.new.path]),
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
