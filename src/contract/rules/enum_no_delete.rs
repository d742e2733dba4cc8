//! `ENUM_NO_DELETE`: No enum is removed from the file that declared it.

use super::shared::{self, Element};
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "ENUM_NO_DELETE",
    categories: &[Category::File, Category::Csr],
    deprecated: false,
    purpose: "No enum is removed from the file that declared it.",
    docs: "## What\n\nNo enum is removed from the file that declared it.\n\n## Why\n\nGenerated code for the enum disappears, so every user of it stops compiling; clients that still send or expect it break at run time. Languages that generate one unit per file (C++, Python) see a move between files as a deletion too.\n\n## Example\n\nBefore:\n\n```proto\n// a.proto\nenum Reason { REASON_UNSPECIFIED = 0; }\n```\n\nAfter (reported):\n\n```proto\n// a.proto\n// (enum removed)\n```\n\n## Fix\n\nKeep the enum, mark it `deprecated` and remove it in a new major package version.\n\nCategories: FILE, CSR. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::deleted_from_file(p, out, Element::Enum);
}
