//! The built-in rules, in the order they run: the list is `crate::registry`'s.

use super::rule::Rule;

pub fn all() -> &'static [&'static dyn Rule] {
    crate::registry::LINT_RULES
}

pub fn find(id: &str) -> Option<&'static dyn Rule> {
    all().iter().copied().find(|r| r.meta().id == id)
}
