//! `FILE_SAME_CSHARP_NAMESPACE`: A file's `csharp_namespace` option did not change.

use super::shared::{self, text};
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FileSameCsharpNamespace.as_str(),
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A file's `csharp_namespace` option did not change.",
    docs: include_str!("file_same_csharp_namespace.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::file_option(p, out, "csharp_namespace", |o| {
        text(o.csharp_namespace.as_deref())
    });
}
