//! `EXTENSION_NO_DELETE`: No extension is removed from the file that declared it.

use super::shared::{self, Element};
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "EXTENSION_NO_DELETE",
    categories: &[Category::File],
    deprecated: false,
    purpose: "No extension is removed from the file that declared it.",
    docs: "## What\n\nNo extension is removed from the file that declared it.\n\n## Why\n\nGenerated code for the extension disappears, so every user of it stops compiling; clients that still send or expect it break at run time. Languages that generate one unit per file (C++, Python) see a move between files as a deletion too.\n\n## Example\n\nBefore:\n\n```proto\n// a.proto\nextend google.protobuf.FieldOptions { string label = 50001; }\n```\n\nAfter (reported):\n\n```proto\n// a.proto\n// (extension removed)\n```\n\n## Fix\n\nKeep the extension, mark it `deprecated` and remove it in a new major package version.\n\nCategories: FILE. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::deleted_from_file(p, out, Element::Extension);
}
