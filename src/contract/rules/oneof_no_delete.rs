//! `ONEOF_NO_DELETE`: No oneof is removed from a message.

use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "ONEOF_NO_DELETE",
    categories: &[Category::File, Category::Package, Category::Csr],
    deprecated: false,
    purpose: "No oneof is removed from a message.",
    docs: "## What\n\nNo oneof is removed from a message.\n\n## Why\n\nGenerated code loses the oneof case type and accessors.\n\n## Example\n\nBefore:\n\n```proto\noneof payment {\n  string card = 4;\n}\n```\n\nAfter (reported):\n\n```proto\nstring card = 4;\n```\n\n## Fix\n\nKeep the oneof.\n\nCategories: FILE, PACKAGE, CSR. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for (old, new) in p.messages() {
        for oneof in &old.oneofs {
            if new.oneofs.contains(oneof) {
                continue;
            }
            out.new_side(
                &new.file,
                p.loc(&new.file, &new.path),
                format!("{}.{oneof}", new.full_name),
                format!(
                    "Previously present oneof \"{oneof}\" on message \"{}\" was deleted.",
                    super::short_name(&new.full_name)
                ),
            );
        }
    }
}
