use crate::lint::rule::{Rule, RuleMeta, Target};
use crate::report::Severity;

/// Raised by the lint engine itself; this file holds its id and docs.
pub struct BaselineStale;

pub static META: RuleMeta = RuleMeta {
    id: "baseline-stale",
    target: Target::Engine,
    default_severity: Severity::Info,
    summary: "A baseline entry no longer matches any finding",
    docs: r#"
## What
With `--baseline FILE`, reports entries of the baseline that matched no finding
in this run (the problem was fixed or the code moved to another file).

## Why
A baseline should only shrink. Stale entries would hide a new finding that
happens to get the same fingerprint later.

## Example
```text
baseline-stale: 3 entries of .trellis-baseline.json match nothing
```

## Fix
Re-write the baseline with `trellis lint --baseline-write FILE` (with `--force`
under CI), and commit the smaller file.
"#,
};

impl Rule for BaselineStale {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
