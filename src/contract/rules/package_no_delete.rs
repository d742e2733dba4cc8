//! `PACKAGE_NO_DELETE`: No package disappears entirely.

use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::PackageNoDelete.as_str(),
    categories: &[Category::Package],
    deprecated: false,
    purpose: "No package disappears entirely.",
    docs: include_str!("package_no_delete.md"),
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
