use crate::registry::Def;
use crate::report::Severity;

pub(crate) const DEF: Def = Def::new(
    Severity::Warning,
    "A service accesses database tables that other services also access",
    include_str!("data_coupling.md"),
);
