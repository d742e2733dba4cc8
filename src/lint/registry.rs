//! The built-in rules, in the order they run: the list is `crate::registry`'s.

use super::rule::Rule;
use crate::registry::Need;

/// Makes the table of lint rules from the registry's list.
macro_rules! lint_table {
    (
        lint { $( $lv:ident = $lid:literal => $lmod:ident :: $lty:ident $({ $($lo:tt)* })? ),* $(,)? }
        $($rest:tt)*
    ) => {
        /// The built-in lint rules, in the order they run.
        static LINT_RULES: &[&dyn Rule] = &[$(&super::rules::$lmod::$lty,)*];
    };
}

crate::registry::with_rules!(lint_table);

pub(crate) fn all() -> &'static [&'static dyn Rule] {
    LINT_RULES
}

/// Whether any rule that `enabled` says is on needs `need`: the engine asks
/// the enabled rules for their needs instead of naming rule ids.
pub(crate) fn needed(need: Need, enabled: impl Fn(&str) -> bool) -> bool {
    all()
        .iter()
        .any(|rule| rule.meta().needs.contains(&need) && enabled(rule.meta().id))
}

pub fn find(id: &str) -> Option<&'static dyn Rule> {
    all().iter().copied().find(|r| r.meta().id == id)
}
