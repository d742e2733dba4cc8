//! `RPC_NO_DELETE`: No RPC is removed from a service.

use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::RpcNoDelete.as_str(),
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "No RPC is removed from a service.",
    docs: include_str!("rpc_no_delete.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for (old, new) in p.services() {
        for method in &old.methods {
            if new.methods.iter().any(|m| m.name == method.name) {
                continue;
            }
            out.new_side(
                &new.file,
                p.loc(&new.file, &new.path),
                format!("{}.{}", new.full_name, method.name),
                format!(
                    "Previously present RPC \"{}\" on service \"{}\" was deleted.",
                    method.name, new.name
                ),
            );
            out.previously(&old.file, p.old_loc(&old.file, &method.path));
        }
    }
}
