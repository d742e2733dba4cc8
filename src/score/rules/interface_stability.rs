use crate::registry::Def;
use crate::report::Severity;

pub(crate) const DEF: Def = Def::new(
    Severity::Warning,
    "Too many of a service's contract changes in the window were breaking",
    include_str!("interface_stability.md"),
);
