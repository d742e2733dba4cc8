//! `EXTENSION_MESSAGE_NO_DELETE`: No extension range is removed from a message.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "EXTENSION_MESSAGE_NO_DELETE",
    categories: &[Category::File, Category::Package, Category::Csr],
    deprecated: false,
    purpose: "No extension range is removed from a message.",
    docs: "## What\n\nNo extension range is removed from a message.\n\n## Why\n\nExtensions declared by users in the removed range stop compiling.\n\n## Example\n\nBefore:\n\n```proto\nmessage Options {\n  extensions 100 to 199;\n}\n```\n\nAfter (reported):\n\n```proto\nmessage Options {\n}\n```\n\n## Fix\n\nKeep the extension range.\n\nCategories: FILE, PACKAGE, CSR. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for (old, new) in p.messages() {
        let ranges = |m: &crate::contract::model::MessageInfo| -> Vec<(i32, i32)> {
            m.proto
                .extension_range
                .iter()
                .map(|r| (r.start(), r.end() - 1))
                .collect()
        };
        shared::lost_ranges(
            out,
            shared::MAX_FIELD_NUMBER,
            (&new.file, p.loc(&new.file, &new.path)),
            "extension range",
            &format!("message \"{}\"", super::short_name(&new.full_name)),
            &ranges(old),
            &ranges(new),
        );
    }
}
