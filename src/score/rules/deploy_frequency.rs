use crate::report::RuleInfo;

pub const ID: &str = "score-deploy-frequency";

pub fn info() -> RuleInfo {
    super::rule(
        ID,
        "A service deploys much less often than the other services of its domain",
        r#"
## What
Counts deploys in the window from tags (`{service}/v*` and `{service}-v*` by
default, the version must be semver; repo-wide tags only when listed in
`score.deploy_frequency.repo_wide_tags`) or from commits whose subject matches
`score.deploy_frequency.marker`, and divides by the average of the service's
domain (a group in `score.deploy_frequency.groups`, else all services). The
alert fires below `score.deploy_frequency.alert_below` (0.5).

## Why
A service that ships far less often than its neighbours batches changes into
risky releases, or is coupled to a release train it cannot leave.

## Example
Three services deployed 6, 4 and 1 times: the average is 3.67 and the third has
a ratio of 0.27, an alert.

## Fix
Find what blocks independent releases (shared tables, lockstep contract
changes, manual steps) and remove it; tag every deploy so it is counted.
"#,
    )
}
