//! `RPC_SAME_CLIENT_STREAMING`: An RPC keeps its client streaming.

use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::RpcSameClientStreaming.as_str(),
    categories: &[
        Category::File,
        Category::Package,
        Category::WireJson,
        Category::Wire,
        Category::Csr,
    ],
    deprecated: false,
    purpose: "An RPC keeps its client streaming.",
    docs: include_str!("rpc_same_client_streaming.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for (service, old, new) in p.methods() {
        if old.client_streaming != new.client_streaming {
            let word = |streaming: bool| if streaming { "streaming" } else { "unary" };
            out.new_side(
                &service.file,
                p.loc(&service.file, &new.path),
                format!("{}.{}", service.full_name, new.name),
                format!(
                    "RPC \"{}\" on service \"{}\" changed from client {} to client {}.",
                    new.name,
                    service.name,
                    word(old.client_streaming),
                    word(new.client_streaming)
                ),
            );
        }
    }
}
