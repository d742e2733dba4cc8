use crate::registry::Def;
use crate::report::Severity;

pub(crate) const DEF: Def = Def::new(
    Severity::Warning,
    "A service deploys much less often than the other services of its domain",
    include_str!("deploy_frequency.md"),
);
