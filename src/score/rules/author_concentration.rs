use crate::registry::Def;
use crate::report::Severity;

pub(crate) const DEF: Def = Def::new(
    Severity::Warning,
    "Fewer people than the threshold made most of a service's changes",
    include_str!("author_concentration.md"),
);
