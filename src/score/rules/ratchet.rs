use crate::registry::Def;
use crate::report::Severity;

pub(crate) const DEF: Def = Def::new(
    Severity::Error,
    "A service's score dropped compared with --compare REF",
    include_str!("ratchet.md"),
);
