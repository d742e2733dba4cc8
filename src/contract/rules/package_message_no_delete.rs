//! `PACKAGE_MESSAGE_NO_DELETE`: No message is removed from its package.

use super::shared::{self, Element};
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "PACKAGE_MESSAGE_NO_DELETE",
    categories: &[Category::Package],
    deprecated: false,
    purpose: "No message is removed from its package.",
    docs: "## What\n\nNo message is removed from its package.\n\n## Why\n\nGenerated code for the message disappears, so every user of it stops compiling; clients that still send or expect it break at run time.\n\n## Example\n\nBefore:\n\n```proto\n// a.proto\nmessage Refund { string id = 1; }\n```\n\nAfter (reported):\n\n```proto\n// a.proto\n// (message removed)\n```\n\n## Fix\n\nKeep the message, mark it `deprecated` and remove it in a new major package version.\n\nCategories: PACKAGE. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::deleted_from_package(p, out, Element::Message);
}
