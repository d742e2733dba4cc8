//! `ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED`: An enum value is removed only with its name reserved.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED",
    categories: &[Category::WireJson, Category::Csr],
    deprecated: false,
    purpose: "An enum value is removed only with its name reserved.",
    docs: "## What\n\nAn enum value is removed only with its name reserved.\n\n## Why\n\nJSON carries enum values by name: a later value with the old name would be read as the old meaning.\n\n## Example\n\nBefore:\n\n```proto\nenum Status {\n  STATUS_UNSPECIFIED = 0;\n  STATUS_PAID = 1;\n}\n```\n\nAfter (reported):\n\n```proto\nenum Status {\n  STATUS_UNSPECIFIED = 0;\n}\n```\n\n## Fix\n\nReserve the name: `reserved \"STATUS_PAID\";`.\n\nCategories: WIRE_JSON, CSR. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::deleted_enum_values(
        p,
        out,
        |_, name| format!(" without reserving the name \"{name}\""),
        |e, _, name| e.is_name_reserved(name),
    );
}
