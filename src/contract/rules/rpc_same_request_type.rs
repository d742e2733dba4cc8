//! `RPC_SAME_REQUEST_TYPE`: An RPC keeps its request message.

use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "RPC_SAME_REQUEST_TYPE",
    categories: &[
        Category::File,
        Category::Package,
        Category::WireJson,
        Category::Wire,
        Category::Csr,
    ],
    deprecated: false,
    purpose: "An RPC keeps its request message.",
    docs: "## What\n\nAn RPC keeps its request message.\n\n## Why\n\nThe request is a different message type: generated stubs change and the bytes no longer decode as the old type.\n\n## Example\n\nBefore:\n\n```proto\nrpc GetOrder(GetOrderRequest) returns (Order);\n```\n\nAfter (reported):\n\n```proto\nrpc GetOrder(OrderQuery) returns (Order);\n```\n\n## Fix\n\nKeep the message; add fields to it instead of replacing it.\n\nCategories: FILE, PACKAGE, WIRE_JSON, WIRE, CSR. Same id and verdicts as `buf breaking`.",
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
