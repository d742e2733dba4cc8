//! `ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED`: An enum value is removed only with its number reserved.

use super::shared;
use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED",
    categories: &[Category::WireJson, Category::Wire, Category::Csr],
    deprecated: false,
    purpose: "An enum value is removed only with its number reserved.",
    docs: "## What\n\nAn enum value is removed only with its number reserved.\n\n## Why\n\nThe binary encoding carries the number: a later value reusing it would be read with the old meaning.\n\n## Example\n\nBefore:\n\n```proto\nenum Status {\n  STATUS_UNSPECIFIED = 0;\n  STATUS_PAID = 1;\n}\n```\n\nAfter (reported):\n\n```proto\nenum Status {\n  STATUS_UNSPECIFIED = 0;\n}\n```\n\n## Fix\n\nReserve the number: `reserved 1;`.\n\nCategories: WIRE_JSON, WIRE, CSR. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::deleted_enum_values(
        p,
        out,
        |number, _| format!(" without reserving the number \"{number}\""),
        |e, number, _| e.is_number_reserved(number),
    );
}
