use crate::lint::facts::Facts;
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::settings::ServiceLayout;
use crate::report::Severity;
use std::collections::HashMap;

pub struct ArchLayer;

static META: RuleMeta = RuleMeta {
    id: "arch-layer",
    target: Target::Repo,
    default_severity: Severity::Error,
    summary: "A package imports a layer its own layer may not depend on (and configured boundaries)",
    docs: r#"
## What
Checks imports between the layers of a Go service. Each service is checked
against one layer table (paths relative to the service root):

- `lint.components`, when set, for every service;
- else the built-in layout `lint.layout` names, for every service;
- else the first built-in layout whose directories the service has (shown in
  the LAYOUT column of `trellis services`):
  - `kratos` (`internal/biz` and `internal/data`): server uses service and
    conf; service uses biz; biz uses conf; data uses biz and conf (data
    implements the repository interfaces biz declares); everything may use
    `api/**`;
  - `go-zero` (`internal/logic` and `internal/svc`): handler and server use
    logic, svc and types; logic uses svc, types, model and config; svc uses
    config, middleware and model;
  - `hexagonal` (`ports`, `app` and `adapters`, at the root or under
    `internal/`): ports and adapters use app and domain, app uses domain, the
    domain uses nothing, `service/` and `cmd/` wire everything;
  - `seeds` (any of `internal/handlers`, `internal/service`, `internal/repo`,
    `internal/domain` and their usual synonyms): handlers use service, biz,
    domain, middleware and config; service uses biz, repo, domain and config;
    repo uses biz, domain and config; domain and config use only contracts
    (`api/**`, `gen/**`, `proto/**`, `pkg/api/**`); cmd wires everything.

A service that follows none of them is not checked: any table would be a
guess. Packages outside every layer of the table are not checked either. The
tables are data: `rules/layouts/*.yaml`. `lint.boundaries` adds
repository-wide rules with captures, for example `from: services/{svc}/**` /
`to: services/{other}/**`.

## Why
Layers keep transport, domain logic and storage apart: the domain can be tested
without gRPC or a database, and storage can change without touching handlers.
An import the wrong way (service importing handlers, repo importing service)
couples them and soon forms a cycle.

## Example
```go
// internal/service/order.go
import "example.com/shop/services/order-service/internal/handlers"
```

## Fix
Move the shared entities and errors into a `domain` package that both layers
import, and let the layer that uses storage declare the interface it needs:

```go
// internal/domain/order.go: entities and sentinel errors, no imports of the service
type Order struct{ ID string }
var ErrNotFound = errors.New("not found")

// internal/service/order.go: the interface is declared by its user
type Repository interface {
	Get(ctx context.Context, id string) (domain.Order, error)
}

// internal/repo/memory.go imports domain, never service;
// cmd/ wires service.NewOrderService(logger, repo.NewMemory()).
```
"#,
};

impl Rule for ArchLayer {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_repo(&self, facts: &Facts<'_>, cx: &mut Cx<'_>) {
        let settings = cx.settings;
        let mut layouts: HashMap<&str, Option<ServiceLayout<'_>>> = HashMap::new();
        for file in &facts.go {
            if !facts.is_selected(&file.path) || file.is_test {
                continue;
            }
            let service = facts.service_of(&file.path);
            let layout = service.and_then(|s| {
                *layouts
                    .entry(s.name.as_str())
                    .or_insert_with(|| settings.layouts.for_service(&facts.repo.root.join(&s.root)))
            });
            let from_layer = service
                .zip(layout)
                .and_then(|(s, layout)| layout.layer_of(s.relative(&file.path)));
            for import in &file.imports {
                let Some(dir) = facts.package_dir(&file.path, &import.path) else {
                    continue;
                };
                if let (Some(service), Some(from)) = (service, from_layer)
                    && facts
                        .service_of_import(&file.path, &import.path)
                        .is_some_and(|t| t.name == service.name)
                {
                    let pseudo = format!("{}/_", service.relative(&dir));
                    if let Some(to) = layout.and_then(|l| l.layer_of(&pseudo))
                        && !from.allows(&to.name)
                    {
                        let allowed = if from.may_depend_on.is_empty() {
                            "nothing".to_string()
                        } else {
                            from.may_depend_on.join(", ")
                        };
                        cx.emit_in(
                            &file.path,
                            Some(&service.name),
                            Some(import.span),
                            format!(
                                "layer `{}` imports layer `{}` (`{}`; {} layout)",
                                from.name,
                                to.name,
                                import.path,
                                layout.map_or("", |l| l.name)
                            ),
                            &import.path,
                        )
                        .help(format!(
                            "`{}` may use: {allowed}; move the shared code down a layer or invert the dependency with an interface",
                            from.name
                        ));
                    }
                }
                for boundary in &settings.boundaries {
                    if boundary.forbids(&file.path, &dir) {
                        let message = boundary.message.clone().unwrap_or_else(|| {
                            format!("`{}` crosses the boundary {}", import.path, boundary.text)
                        });
                        cx.emit_in(
                            &file.path,
                            service.map(|s| s.name.as_str()),
                            Some(import.span),
                            message,
                            &format!("{}:{}", boundary.text, import.path),
                        )
                        .note(format!("boundary: {}", boundary.text));
                    }
                }
            }
        }
    }
}
