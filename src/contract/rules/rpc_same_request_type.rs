//! `RPC_SAME_REQUEST_TYPE`: An RPC keeps its request message.

use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::RpcSameRequestType.as_str(),
    categories: &[
        Category::File,
        Category::Package,
        Category::WireJson,
        Category::Wire,
        Category::Csr,
    ],
    deprecated: false,
    purpose: "An RPC keeps its request message.",
    docs: include_str!("rpc_same_request_type.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for (service, old, new) in p.methods() {
        if old.input != new.input {
            let mut path = new.path.clone();
            path.push(2);
            out.new_side(
                &service.file,
                p.loc_any(&service.file, &[&path, &new.path]),
                format!("{}.{}", service.full_name, new.name),
                format!(
                    "RPC \"{}\" on service \"{}\" changed request type from \"{}\" to \"{}\".",
                    new.name, service.name, old.input, new.input
                ),
            );
        }
    }
}
