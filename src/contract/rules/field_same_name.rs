//! `FIELD_SAME_NAME`: A field keeps its name.

use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FIELD_SAME_NAME",
    categories: &[
        Category::File,
        Category::Package,
        Category::WireJson,
        Category::Csr,
    ],
    deprecated: false,
    purpose: "A field keeps its name.",
    docs: "## What\n\nA field keeps its name.\n\n## Why\n\nGenerated accessors are named after the field, and JSON and text formats carry the name.\n\n## Example\n\nBefore:\n\n```proto\nstring note = 3;\n```\n\nAfter (reported):\n\n```proto\nstring comment = 3;\n```\n\n## Fix\n\nKeep the name; to rename, add a new field and deprecate the old one.\n\nCategories: FILE, PACKAGE, WIRE_JSON, CSR. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for pair in p.fields() {
        if pair.old.name != pair.new.name {
            out.new_side(
                pair.file(),
                p.loc_any(pair.file(), &[&pair.new.sub_path(1), &pair.new.path]),
                pair.key(),
                format!(
                    "Field \"{}\" on message \"{}\" changed name from \"{}\" to \"{}\".",
                    pair.new.number,
                    super::short_name(&pair.new_message.full_name),
                    pair.old.name,
                    pair.new.name
                ),
            );
        }
    }
}
