use crate::lint::facts::Facts;
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::report::Severity;

pub struct LayoutContract;

static META: RuleMeta = RuleMeta {
    id: "layout-contract",
    target: Target::Repo,
    default_severity: Severity::Warning,
    summary: "A service owns no .proto contract",
    docs: r#"
## What
Flags services that own no `.proto` file: none under the service directory,
none under the shared contracts root (`api/<name>/...` by default, see
`contracts:` in trellis.yaml), and none assigned in `contracts.owners`.

## Why
The seeds' services are proto-first: the contract is what other services and
`trellis contract` check against. A service without one has an API nobody can
review for breaking changes, and callers end up importing its code instead.

## Example
```text
services/billing/go.mod     # no api/billing/v1/*.proto, no services/billing/**/*.proto
```

## Fix
Write the service's API as `api/<name>/v1/<name>.proto` (or map an existing
directory to it under `contracts.owners`).
"#,
};

impl Rule for LayoutContract {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_repo(&self, facts: &Facts<'_>, cx: &mut Cx<'_>) {
        for service in &facts.repo.services {
            if service.contracts.is_empty() && facts.is_selected(&service.manifest) {
                cx.emit_in(
                    &service.manifest,
                    Some(&service.name),
                    None,
                    format!("service {} owns no .proto contract", service.name),
                    &service.name,
                )
                .help(format!(
                    "add api/{}/v1/{}.proto, or map its contract directory under contracts.owners",
                    service.name.trim_end_matches("-service"),
                    service.name.trim_end_matches("-service").replace('-', "_")
                ));
            }
        }
    }
}
