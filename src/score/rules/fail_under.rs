use crate::registry::Def;
use crate::report::Severity;

pub(crate) const DEF: Def = Def::new(
    Severity::Error,
    "A service's score is below the --fail-under threshold",
    include_str!("fail_under.md"),
);
