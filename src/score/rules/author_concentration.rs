use crate::report::RuleInfo;

pub const ID: &str = "score-author-concentration";

pub fn info() -> RuleInfo {
    super::rule(
        ID,
        "Fewer people than the threshold made most of a service's changes",
        r#"
## What
Counts the commits of each person (after `.mailmap`, bots left out) that changed
the service in the window. The bus factor is the fewest people who together made
more than half of those commits; the alert fires when it is below
`score.author_concentration.alert_bus_factor_below` (2). The top author's share
is shown beside it.

## Why
When one person makes most changes, their absence stalls the service and reviews
lack someone who knows the code as well.

## Example
Ada made 6 of 10 commits, Grace 3 and Linus 1: the bus factor is 1, an alert.

## Fix
Pair on changes, rotate ownership of features and reviews, and write down what
only one person knows.
"#,
    )
}
