use crate::lint::go::GoFile;
use crate::lint::go::GoNode;
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::report::Severity;

pub struct GoMutableGlobal;

static META: RuleMeta = RuleMeta {
    id: "go-mutable-global",
    target: Target::Go,
    default_severity: Severity::Warning,
    summary: "A package-level var holds mutable state",
    docs: r#"
## What
Flags package-level `var` declarations in non-test Go files. Allowed: sentinel
errors (`var ErrX = errors.New(...)` or `fmt.Errorf(...)`), blank interface
checks (`var _ I = (*T)(nil)`), and the names listed in `lint.allowed-globals`.

## Why
Package state is shared by every caller and every test, is written without
synchronisation, and hides dependencies that should come in through
constructors. Tests that touch it cannot run in parallel.

## Example
```go
var cache = map[string]User{}
```

## Fix
Move the state into a struct built by a constructor and pass it where it is
needed. For a value that never changes, use `const` or a function returning it.
If the global is deliberate (a build version set by `-ldflags`), add its name
to `lint.allowed-globals`.
"#,
};

impl Rule for GoMutableGlobal {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_go(&self, file: &GoFile<'_>, cx: &mut Cx<'_>) {
        if file.is_test {
            return;
        }
        for spec in &file.global_vars {
            let mut cursor = spec.walk();
            let names: Vec<_> = spec.fields("name", &mut cursor).collect();
            let values: Vec<_> = match spec.field("value") {
                Some(list) => {
                    let mut c = list.walk();
                    list.named_children(&mut c).collect()
                }
                None => Vec::new(),
            };
            for (i, name_node) in names.iter().enumerate() {
                let name = file.text(*name_node);
                if name == "_" || cx.settings.allowed_globals.is_match(name) {
                    continue;
                }
                let sentinel = (name.starts_with("Err") || name.starts_with("err"))
                    && values.get(i).is_some_and(|v| {
                        v.kind() == "call_expression"
                            && matches!(
                                file.callee(*v),
                                Some(("errors", "New")) | Some(("fmt", "Errorf"))
                            )
                    });
                if sentinel {
                    continue;
                }
                cx.emit(
                    file.span(*name_node),
                    format!("package-level variable `{name}` is shared mutable state"),
                    name,
                )
                .help("pass it in through a constructor, make it a const, or list it in lint.allowed-globals");
            }
        }
    }
}
