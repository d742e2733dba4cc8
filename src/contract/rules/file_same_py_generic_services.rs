//! `FILE_SAME_PY_GENERIC_SERVICES`: A file's `py_generic_services` option did not change.

use super::shared::{self, flag};
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FileSamePyGenericServices.as_str(),
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A file's `py_generic_services` option did not change.",
    docs: include_str!("file_same_py_generic_services.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::file_option(p, out, "py_generic_services", |o| {
        flag(o.py_generic_services())
    });
}
