use crate::lint::rule::{Rule, RuleMeta, Target};
use crate::report::Severity;

/// Raised by the lint engine itself; this file holds its id and docs.
pub struct SuppressionReason;

pub static META: RuleMeta = RuleMeta {
    id: "suppression-reason",
    target: Target::Engine,
    default_severity: Severity::Error,
    summary: "A trellis:ignore comment gives no reason",
    docs: r#"
## What
Flags `//trellis:ignore RULE` comments without a reason after the rule id. The
suppression still applies.

## Why
A suppression is an exception to a team rule; the reason is what lets a reviewer
judge it and a later reader remove it when it no longer holds.

## Example
```go
//trellis:ignore go-mutable-global
var registry = map[string]Handler{}
```

## Fix
```go
//trellis:ignore go-mutable-global filled once in main before serving, read-only after
```
"#,
};

impl Rule for SuppressionReason {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
