use crate::lint::rule::{Rule, RuleMeta, Target};
use crate::report::Severity;

/// Raised by the lint engine itself; this file holds its id and docs.
pub struct UnusedSuppression;

pub static META: RuleMeta = RuleMeta {
    id: "unused-suppression",
    target: Target::Engine,
    default_severity: Severity::Warning,
    summary: "A trellis:ignore comment suppresses nothing",
    docs: r#"
## What
Flags `//trellis:ignore RULE` and `// trellis:ignore-file RULE` comments for an
enabled rule that matched no finding in this run.

## Why
Suppressions outlive the code they were written for. A stale one hides the next
real finding on that line and misleads readers about the code.

## Example
```go
//trellis:ignore go-init-func registers the driver
import _ "github.com/jackc/pgx/v5/stdlib"
```

## Fix
Delete the comment.
"#,
};

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
