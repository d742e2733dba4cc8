use crate::lint::facts::Facts;
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::report::Severity;

pub struct ArchLayer;

static META: RuleMeta = RuleMeta {
    id: "arch-layer",
    target: Target::Repo,
    default_severity: Severity::Error,
    summary: "A package imports a layer its own layer may not depend on (and configured boundaries)",
    docs: r#"
## What
Checks imports between the layers of a Go service. By default, following the
seeds' layout (paths relative to the service root):

| layer | paths | may use |
|---|---|---|
| cmd | `cmd/**` | everything (it wires) |
| handlers | `internal/handlers/**`, `internal/handler/**`, `internal/transport/**` | service, biz, domain, middleware, config, contracts |
| service | `internal/service/**`, `internal/services/**`, `internal/usecase/**` | biz, repo, domain, config, contracts |
| biz | `internal/biz/**` (Kratos: use cases and the repository interfaces `data` implements) | domain, config, contracts |
| repo | `internal/repo/**`, `internal/repository/**`, `internal/store/**`, `internal/data/**` | biz, domain, config, contracts |
| domain | `internal/domain/**`, `internal/model/**`, `internal/entity/**`, `internal/entities/**` | contracts |
| middleware | `internal/middleware/**` | config, contracts |
| config | `internal/config/**`, `internal/conf/**` | contracts |
| contracts | `api/**`, `gen/**`, `proto/**`, `pkg/api/**` | nothing |

Packages outside every layer are not checked. `lint.components` replaces the
table; `lint.boundaries` adds repository-wide rules with captures, for example
`from: services/{svc}/**` / `to: services/{other}/**`.

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
        for file in &facts.go {
            if !facts.is_selected(&file.path) || file.is_test {
                continue;
            }
            let service = facts.service_of(&file.path);
            let from_layer = service.and_then(|s| settings.layer_of(s.relative(&file.path)));
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
                    if let Some(to) = settings.layer_of(&pseudo)
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
                                "layer `{}` imports layer `{}` (`{}`)",
                                from.name, to.name, import.path
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
