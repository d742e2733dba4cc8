//! `FIELD_SAME_ONEOF`: A field stays in (or out of) the same oneof.

use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FieldSameOneof.as_str(),
    categories: &[
        Category::File,
        Category::Package,
        Category::WireJson,
        Category::Wire,
        Category::Csr,
    ],
    deprecated: false,
    purpose: "A field stays in (or out of) the same oneof.",
    docs: include_str!("field_same_oneof.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for pair in p.fields() {
        let movement = match (&pair.old.oneof, &pair.new.oneof) {
            (Some(a), Some(b)) if a != b => format!("moved from oneof \"{a}\" to oneof \"{b}\""),
            (Some(_), None) => "moved from inside to outside a oneof".to_string(),
            (None, Some(_)) => "moved from outside to inside a oneof".to_string(),
            _ => continue,
        };
        let loc = p.loc(pair.file(), &pair.new.path);
        out.new_side(
            pair.file(),
            loc,
            pair.key(),
            format!("{} {movement}.", pair.subject()),
        );
        // buf 1.75.0's format string for a move between oneofs has a stray
        // `q` after the message name; tools matching buf's text expect it.
        if let (Some(_), Some(_)) = (&pair.old.oneof, &pair.new.oneof) {
            out.as_buf_prints(loc, format!("{}q {movement}.", pair.subject()));
        }
    }
}
