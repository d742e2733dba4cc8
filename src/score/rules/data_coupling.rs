use crate::report::RuleInfo;

pub const ID: &str = "score-data-coupling";

pub fn info() -> RuleInfo {
    super::rule(
        ID,
        "A service accesses database tables that other services also access",
        r#"
## What
Collects the tables each service reads, writes or creates (SQL in Go and Rust
code, `.sql` files and migrations) and counts the tables a service shares with at
least one other service. The alert fires at `score.data_coupling.alert_at` (2)
shared tables.

## Why
A table used by two services is a hidden contract: a migration in one breaks the
other, and neither can change its schema alone.

## Example
`order-service` runs `SELECT name FROM users WHERE id = $1` while `user-service`
creates `users` in `migrations/001_users.sql`: one shared table.

## Fix
Give each table one owning service and read other services' data through their
API (or events), not their tables.
"#,
    )
}
