//! `ENUM_SAME_TYPE`: An enum stays open or closed.

use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "ENUM_SAME_TYPE",
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "An enum stays open or closed.",
    docs: "## What\n\nAn enum stays open or closed.\n\n## Why\n\nClosed (proto2) enums drop unknown values into unknown fields, open (proto3) enums keep them; switching changes what readers see for values they do not know.\n\n## Example\n\nBefore:\n\n```proto\nsyntax = \"proto2\";\nenum Status { STATUS_UNKNOWN = 0; }\n```\n\nAfter (reported):\n\n```proto\nsyntax = \"proto3\";\nenum Status { STATUS_UNKNOWN = 0; }\n```\n\n## Fix\n\nKeep the file's syntax, or move the enum into a file of its old syntax.\n\nCategories: FILE, PACKAGE. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for (old, new) in p.enums() {
        if old.closed != new.closed {
            let word = |closed: bool| if closed { "closed" } else { "open" };
            out.new_side(
                &new.file,
                p.loc(&new.file, &new.path),
                new.full_name.clone(),
                format!(
                    "Enum \"{}\" changed from {} to {}.",
                    new.nested_name,
                    word(old.closed),
                    word(new.closed)
                ),
            );
        }
    }
}
