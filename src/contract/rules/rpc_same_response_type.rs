//! `RPC_SAME_RESPONSE_TYPE`: An RPC keeps its response message.

use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::RpcSameResponseType.as_str(),
    categories: &[
        Category::File,
        Category::Package,
        Category::WireJson,
        Category::Wire,
        Category::Csr,
    ],
    deprecated: false,
    purpose: "An RPC keeps its response message.",
    docs: include_str!("rpc_same_response_type.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for (service, old, new) in p.methods() {
        if old.output != new.output {
            let mut path = new.path.clone();
            path.push(3);
            out.new_side(
                &service.file,
                p.loc_any(&service.file, &[&path, &new.path]),
                format!("{}.{}", service.full_name, new.name),
                format!(
                    "RPC \"{}\" on service \"{}\" changed response type from \"{}\" to \"{}\".",
                    new.name, service.name, old.output, new.output
                ),
            );
        }
    }
}
