//! `FILE_SAME_SYNTAX`: A file keeps its syntax.

use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FILE_SAME_SYNTAX",
    categories: &[Category::File, Category::Package, Category::Csr],
    deprecated: false,
    purpose: "A file keeps its syntax.",
    docs: "## What\n\nA file keeps its syntax.\n\n## Why\n\nproto2 and proto3 differ in presence, defaults, enum openness and UTF-8 checks; generated code changes with them.\n\n## Example\n\nBefore:\n\n```proto\nsyntax = \"proto2\";\n```\n\nAfter (reported):\n\n```proto\nsyntax = \"proto3\";\n```\n\n## Fix\n\nKeep the syntax; put new definitions in a new file.\n\nCategories: FILE, PACKAGE, CSR. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for (old, new) in p.files() {
        if old.syntax != new.syntax {
            out.new_side(
                &new.name,
                new.loc(&[12]),
                new.name.clone(),
                format!(
                    "File syntax changed from \"{}\" to \"{}\".",
                    old.syntax, new.syntax
                ),
            );
        }
    }
}
