//! `RPC_NO_DELETE`: No RPC is removed from a service.

use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "RPC_NO_DELETE",
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "No RPC is removed from a service.",
    docs: "## What\n\nNo RPC is removed from a service.\n\n## Why\n\nClients that still call the RPC get `UNIMPLEMENTED`, and generated client stubs lose the method.\n\n## Example\n\nBefore:\n\n```proto\nrpc CancelOrder(CancelOrderRequest) returns (CancelOrderResponse);\n```\n\nAfter (reported):\n\n```proto\n// rpc removed\n```\n\n## Fix\n\nKeep the RPC (mark it `option deprecated = true;`) until no client calls it, then remove it in a new package version.\n\nCategories: FILE, PACKAGE. Same id and verdicts as `buf breaking`.",
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
        }
    }
}
