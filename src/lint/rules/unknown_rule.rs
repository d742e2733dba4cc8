use crate::lint::rule::{Rule, RuleMeta, Target};
use crate::report::Severity;

/// Raised by the lint engine itself; this file holds its id and docs.
pub struct UnknownRule;

pub static META: RuleMeta = RuleMeta {
    id: "unknown-rule",
    target: Target::Engine,
    default_severity: Severity::Error,
    summary: "A trellis:ignore comment or lint.rules names a rule id that does not exist",
    docs: r#"
## What
Flags rule ids in `//trellis:ignore` comments and in `lint.rules` that are
neither built-in nor custom rules, with the closest known id.

## Why
A misspelt id silently does nothing: the finding it meant to silence stays, or a
rule meant to be switched off keeps running, and nobody notices why.

## Example
```go
//trellis:ignore go-structured-loging legacy output
```

## Fix
Use the id `trellis rules` lists (here `go-structured-logging`).
"#,
};

impl Rule for UnknownRule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
