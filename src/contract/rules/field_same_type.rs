//! `FIELD_SAME_TYPE`: A field keeps its type.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FIELD_SAME_TYPE",
    categories: &[Category::File, Category::Package, Category::Csr],
    deprecated: false,
    purpose: "A field keeps its type.",
    docs: "## What\n\nA field keeps its type.\n\n## Why\n\nThe generated type of the field changes (`int32` to `int64`, one message for another), so code that reads or sets it stops compiling. Message types are compared by name, never by structure.\n\n## Example\n\nBefore:\n\n```proto\nint32 quantity = 2;\n```\n\nAfter (reported):\n\n```proto\nint64 quantity = 2;\n```\n\n## Fix\n\nKeep the type; add a new field with the new type and deprecate the old one.\n\nCategories: FILE, PACKAGE, CSR. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for pair in p.fields() {
        let changed = pair.old.kind != pair.new.kind
            || (shared::named(pair.new.kind) && pair.old.type_name != pair.new.type_name);
        if changed {
            out.new_side(
                pair.file(),
                shared::type_loc(p, &pair),
                pair.key(),
                shared::changed_type(&pair, ""),
            );
        }
    }
}
