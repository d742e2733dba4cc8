use crate::lint::facts::Facts;
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::report::{Severity, Span};

pub struct RepoDuplicateModule;

static META: RuleMeta = RuleMeta {
    id: "repo-duplicate-module",
    target: Target::Repo,
    default_severity: Severity::Warning,
    summary: "Two or more analysed go.mod files declare the same module path",
    docs: r#"
## What
Flags a module path declared by more than one go.mod that trellis analyses
(a go.mod left out of its go.work's `use` list is not analysed). Reported on
the go.mod an import from elsewhere resolves to (the shallowest), with every
other declaration as a related location.

## Why
Go builds one module per path: whichever copy a build picks, the others are
dead code that still looks alive. Copies drift apart, tools resolve imports to
the wrong copy, and a reader cannot tell which is real. trellis resolves an
import to the importing file's own module first, then to its go.work's, then
to the shallowest copy, but the repository should say which one is meant.

## Example
```text
app/cart/go.mod:              module example.com/mall/cart
tutorial/ch03/cart/go.mod:    module example.com/mall/cart
```

## Fix
Give the copies their own module paths, or add a go.work whose `use` list
names the real modules (the copies are then not analysed), or list the copies'
directories under `exclude:` in trellis.yaml.
"#,
};

impl Rule for RepoDuplicateModule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_repo(&self, facts: &Facts<'_>, cx: &mut Cx<'_>) {
        for duplicate in &facts.repo.duplicate_modules {
            let Some((first, others)) = duplicate.manifests.split_first() else {
                continue;
            };
            if !duplicate.manifests.iter().any(|m| facts.is_selected(m)) {
                continue;
            }
            let service = facts.service_of(first).map(|s| s.name.clone());
            let mut emitted = cx
                .emit_in(
                    first,
                    service.as_deref(),
                    module_line(facts, first),
                    format!(
                        "module {} is declared by {} go.mod files",
                        duplicate.path,
                        duplicate.manifests.len()
                    ),
                    &duplicate.path,
                )
                .help("give each copy its own module path, list the real modules in a go.work, or exclude the copies in trellis.yaml");
            for other in others {
                emitted = emitted.related(other, module_line(facts, other), "also declared here");
            }
        }
    }
}

/// The `module` line of a go.mod, to point at.
fn module_line(facts: &Facts<'_>, manifest: &str) -> Option<Span> {
    let text = std::fs::read_to_string(facts.repo.absolute(manifest)).ok()?;
    text.lines().enumerate().find_map(|(i, line)| {
        let trimmed = line.trim_start();
        (trimmed.starts_with("module ") || trimmed.starts_with("module\t")).then(|| {
            let column = (line.len() - trimmed.len()) as u32 + 1;
            Span {
                line: i as u32 + 1,
                column,
                end_line: i as u32 + 1,
                end_column: line.trim_end().chars().count() as u32 + 1,
            }
        })
    })
}
