//! `FILE_SAME_SYNTAX`: A file keeps its syntax.

use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FileSameSyntax.as_str(),
    categories: &[Category::File, Category::Package, Category::Csr],
    deprecated: false,
    purpose: "A file keeps its syntax.",
    docs: include_str!("file_same_syntax.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for (old, new) in p.files() {
        if old.syntax != new.syntax {
            out.new_side(
                &new.name,
                new.loc(&[12]),
                new.name.clone(),
                format!(
                    "File syntax changed from \"{}\" to \"{}\".",
                    old.syntax, new.syntax
                ),
            );
        }
    }
}
