//! `FILE_SAME_PACKAGE`: A file keeps its package.

use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "FILE_SAME_PACKAGE",
    categories: &[
        Category::File,
        Category::Package,
        Category::WireJson,
        Category::Wire,
        Category::Csr,
    ],
    deprecated: false,
    purpose: "A file keeps its package.",
    docs: "## What\n\nA file keeps its package.\n\n## Why\n\nEvery type in the file gets a new full name: generated code moves, and `Any` type URLs and gRPC method paths change.\n\n## Example\n\nBefore:\n\n```proto\npackage shop.order.v1;\n```\n\nAfter (reported):\n\n```proto\npackage shop.orders.v1;\n```\n\n## Fix\n\nKeep the package; start a new versioned package in new files.\n\nCategories: FILE, PACKAGE, WIRE_JSON, WIRE, CSR. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for (old, new) in p.files() {
        if old.package != new.package {
            out.new_side(
                &new.name,
                new.loc(&[2]),
                new.name.clone(),
                format!(
                    "File package changed from \"{}\" to \"{}\".",
                    old.package, new.package
                ),
            );
        }
    }
}
