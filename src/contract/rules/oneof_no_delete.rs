//! `ONEOF_NO_DELETE`: No oneof is removed from a message.

use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::OneofNoDelete.as_str(),
    categories: &[Category::File, Category::Package, Category::Csr],
    deprecated: false,
    purpose: "No oneof is removed from a message.",
    docs: include_str!("oneof_no_delete.md"),
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
