//! `RPC_SAME_SERVER_STREAMING`: An RPC keeps its server streaming.

use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "RPC_SAME_SERVER_STREAMING",
    categories: &[
        Category::File,
        Category::Package,
        Category::WireJson,
        Category::Wire,
        Category::Csr,
    ],
    deprecated: false,
    purpose: "An RPC keeps its server streaming.",
    docs: "## What\n\nAn RPC keeps its server streaming.\n\n## Why\n\nStreaming changes the generated client and server signatures and the gRPC call type; existing servers fail.\n\n## Example\n\nBefore:\n\n```proto\nrpc Watch(WatchRequest) returns (WatchResponse);\n```\n\nAfter (reported):\n\n```proto\nrpc Watch(WatchRequest) returns (stream WatchResponse);\n```\n\n## Fix\n\nKeep the RPC as it is and add a new streaming RPC.\n\nCategories: FILE, PACKAGE, WIRE_JSON, WIRE, CSR. Same id and verdicts as `buf breaking`.",
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
