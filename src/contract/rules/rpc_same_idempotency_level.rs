//! `RPC_SAME_IDEMPOTENCY_LEVEL`: An RPC keeps its `idempotency_level`.

use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "RPC_SAME_IDEMPOTENCY_LEVEL",
    categories: &[
        Category::File,
        Category::Package,
        Category::WireJson,
        Category::Wire,
        Category::Csr,
    ],
    deprecated: false,
    purpose: "An RPC keeps its `idempotency_level`.",
    docs: "## What\n\nAn RPC keeps its `idempotency_level`.\n\n## Why\n\nClients and proxies use the level to decide on retries and on HTTP GET; changing it changes how calls are made.\n\n## Example\n\nBefore:\n\n```proto\nrpc GetOrder(GetOrderRequest) returns (Order);\n```\n\nAfter (reported):\n\n```proto\nrpc GetOrder(GetOrderRequest) returns (Order) {\n  option idempotency_level = NO_SIDE_EFFECTS;\n}\n```\n\n## Fix\n\nKeep the level.\n\nCategories: FILE, PACKAGE, WIRE_JSON, WIRE, CSR. Same id and verdicts as `buf breaking`.",
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
