//! `RPC_SAME_IDEMPOTENCY_LEVEL`: An RPC keeps its `idempotency_level`.

use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::RpcSameIdempotencyLevel.as_str(),
    categories: &[
        Category::File,
        Category::Package,
        Category::WireJson,
        Category::Wire,
        Category::Csr,
    ],
    deprecated: false,
    purpose: "An RPC keeps its `idempotency_level`.",
    docs: include_str!("rpc_same_idempotency_level.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for (service, old, new) in p.methods() {
        if old.idempotency != new.idempotency {
            let mut option = new.path.clone();
            option.extend([4, 34]);
            let option_loc = p.loc(&service.file, &option);
            let message = format!(
                "RPC \"{}\" on service \"{}\" changed option \"idempotency_level\" from \"{}\" to \"{}\".",
                new.name, service.name, old.idempotency, new.idempotency
            );
            out.new_side(
                &service.file,
                option_loc.or_else(|| p.loc(&service.file, &new.path)),
                format!("{}.{}", service.full_name, new.name),
                message.clone(),
            );
            // buf has no location once the option is gone and prints line 1;
            // the RPC that lost it is the useful place in trellis's own formats.
            if option_loc.is_none() {
                out.as_buf_prints(None, message);
            }
        }
    }
}
