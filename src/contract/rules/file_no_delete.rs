//! `FILE_NO_DELETE`: No .proto file is removed.

use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FileNoDelete.as_str(),
    categories: &[Category::File, Category::Csr],
    deprecated: false,
    purpose: "No .proto file is removed.",
    docs: include_str!("file_no_delete.md"),
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
