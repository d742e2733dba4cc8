use crate::report::RuleInfo;

pub const ID: &str = "score-fail-under";

pub fn info() -> RuleInfo {
    super::rule(
        ID,
        "A service's score is below the --fail-under threshold",
        r#"
## What
`trellis score --fail-under N` (or `score.fail_under` in trellis.yaml) exits 1 when
any reported service scores below N out of 100.

## Why
A floor keeps the scorecard from being read and ignored: CI fails while a
service is below the agreed health.

## Example
`trellis score --fail-under 60` with `user-service` at 55: exit 1 and the line
`user-service 55 < 60`.

## Fix
Read the service's `score_inputs` to see which metric pulls it down and work on
that metric; lower the floor only as a team decision.
"#,
    )
}
