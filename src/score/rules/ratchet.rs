use crate::report::RuleInfo;

pub const ID: &str = "score-ratchet";

pub fn info() -> RuleInfo {
    super::rule(
        ID,
        "A service's score dropped compared with --compare REF",
        r#"
## What
`trellis score --compare REF` computes the scorecard a second time as of REF
(a window of the same length ending at REF's commit) and exits 1 when a
service's score is lower now than it was at REF.

## Why
A ratchet lets a team start from today's numbers and only forbids getting
worse, which is easier to adopt than an absolute floor.

## Example
`trellis score --compare origin/main --format markdown` in a pull request:
`order-service 82 -> 74 (-8)` fails the check.

## Fix
Look at which input changed (the markdown comment lists them) and fix it in the
pull request, or agree to accept the drop and merge with the check overridden.
"#,
    )
}
