//! `FIELD_SAME_CARDINALITY`: A field keeps its cardinality.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FIELD_SAME_CARDINALITY",
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A field keeps its cardinality.",
    docs: "## What\n\nA field keeps its cardinality.\n\n## Why\n\nCardinality (`optional` (explicit presence), plain proto3 fields (implicit presence), `required`, `repeated` and `map`) decides the generated type: `string` becomes `*string` in Go when `optional` is added, a list when `repeated` is. Callers stop compiling even where the wire format would cope.\n\n## Example\n\nBefore:\n\n```proto\nstring note = 3;\n```\n\nAfter (reported):\n\n```proto\noptional string note = 3;\n```\n\n## Fix\n\nKeep the label. For presence, add a new field with a new number and deprecate the old one.\n\nCategories: FILE, PACKAGE. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::cardinality(p, out, |c| c as u8);
}
