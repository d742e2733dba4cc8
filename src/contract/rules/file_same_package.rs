//! `FILE_SAME_PACKAGE`: A file keeps its package.

use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FileSamePackage.as_str(),
    categories: &[
        Category::File,
        Category::Package,
        Category::WireJson,
        Category::Wire,
        Category::Csr,
    ],
    deprecated: false,
    purpose: "A file keeps its package.",
    docs: include_str!("file_same_package.md"),
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
