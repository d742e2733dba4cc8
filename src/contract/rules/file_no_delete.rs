//! `FILE_NO_DELETE`: No .proto file is removed.

use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FILE_NO_DELETE",
    categories: &[Category::File, Category::Csr],
    deprecated: false,
    purpose: "No .proto file is removed.",
    docs: "## What\n\nNo .proto file is removed.\n\n## Why\n\nEvery type of the file disappears, and so does its generated code; importers stop compiling.\n\n## Example\n\nBefore:\n\n```proto\n// api/order/v1/refund.proto exists\n```\n\nAfter (reported):\n\n```proto\n// api/order/v1/refund.proto deleted\n```\n\n## Fix\n\nKeep the file; deprecate its contents and drop them in a new package version. trellis reports the finding at the old path (buf prints `<input>:1:1`).\n\nCategories: FILE, CSR. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for name in p.old.files.keys() {
        if !p.new.files.contains_key(name) {
            out.old_side(
                name,
                None,
                name.clone(),
                format!("Previously present file \"{name}\" was deleted."),
            );
        }
    }
}
