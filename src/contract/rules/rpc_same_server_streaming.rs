//! `RPC_SAME_SERVER_STREAMING`: An RPC keeps its server streaming.

use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::RpcSameServerStreaming.as_str(),
    categories: &[
        Category::File,
        Category::Package,
        Category::WireJson,
        Category::Wire,
        Category::Csr,
    ],
    deprecated: false,
    purpose: "An RPC keeps its server streaming.",
    docs: include_str!("rpc_same_server_streaming.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for (service, old, new) in p.methods() {
        if old.server_streaming != new.server_streaming {
            let word = |streaming: bool| if streaming { "streaming" } else { "unary" };
            out.new_side(
                &service.file,
                p.loc(&service.file, &new.path),
                format!("{}.{}", service.full_name, new.name),
                format!(
                    "RPC \"{}\" on service \"{}\" changed from server {} to server {}.",
                    new.name,
                    service.name,
                    word(old.server_streaming),
                    word(new.server_streaming)
                ),
            );
        }
    }
}
