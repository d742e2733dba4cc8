//! `PACKAGE_NO_DELETE`: No package disappears entirely.

use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "PACKAGE_NO_DELETE",
    categories: &[Category::Package],
    deprecated: false,
    purpose: "No package disappears entirely.",
    docs: "## What\n\nNo package disappears entirely.\n\n## Why\n\nWhen no file declares a package any more, every type of it is gone for its users.\n\n## Example\n\nBefore:\n\n```proto\npackage shop.refund.v1;\n```\n\nAfter (reported):\n\n```proto\n// no file declares shop.refund.v1 any more\n```\n\n## Fix\n\nKeep at least the files of the package until every user has moved to its successor.\n\nCategories: PACKAGE. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for (package, files) in &p.old.packages {
        if !p.new.packages.contains_key(package) {
            let file = files.first().cloned().unwrap_or_default();
            out.old_side(
                &file,
                None,
                package.clone(),
                format!("Previously present package \"{package}\" was deleted."),
            );
        }
    }
}
