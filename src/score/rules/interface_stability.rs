use crate::report::RuleInfo;

pub const ID: &str = "score-interface-stability";

pub fn info() -> RuleInfo {
    super::rule(
        ID,
        "Too many of a service's contract changes in the window were breaking",
        r#"
## What
Counts the commits in the window that changed a service's `.proto` contracts and
compares each with its first parent using the contract engine (the rule categories
in `score.interface_stability.categories`, `FILE` by default). The ratio is
breaking commits / contract commits whose both sides compile; commits where one
side does not compile are counted as `unknown`, neither breaking nor compatible,
and with fewer than half of them judged (or no contract commit) the metric has
no data and raises nothing. The alert fires above
`score.interface_stability.alert_above` (15%).

## Why
Every breaking change forces the service's callers to release in lockstep. A
service whose contract breaks often is not independently deployable.

## Example
`api/order/v1/order.proto` changed in 10 commits of the last 30 days and 2 of
them removed or renumbered a field: 20% > 15%, alert.

## Fix
Evolve contracts additively (new fields, new RPCs, new versions such as `v2`),
deprecate before removing, and run `trellis contract` in CI to stop breaking
changes before they merge.
"#,
    )
}
