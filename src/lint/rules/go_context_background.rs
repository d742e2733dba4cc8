use crate::lint::go::GoFile;
use crate::lint::go_skim::{BodyInterest, FileHeader};
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::settings::Settings;
use crate::report::Severity;

pub struct GoContextBackground;

static META: RuleMeta = RuleMeta {
    id: "go-context-background",
    target: Target::Go,
    default_severity: Severity::Warning,
    summary: "context.Background() or context.TODO() outside main packages and tests",
    docs: r#"
## What
Flags `context.Background()` and `context.TODO()` in non-test files of packages
other than `main`.

## Why
A fresh root context drops the caller's deadline, cancellation and trace. Work
started from it keeps running after the request is gone. Only `main` (and tests)
should create root contexts; everything else receives one.

## Example
```go
func (r *Repo) Get(id string) (User, error) {
	return r.q.GetUser(context.Background(), id)
}
```

## Fix
Take a `ctx context.Context` as the first parameter and pass it down.
"#,
};

impl Rule for GoContextBackground {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn go_body_interest<'s>(
        &self,
        file: &FileHeader<'_>,
        _settings: &'s Settings,
        interest: &mut BodyInterest<'s>,
    ) {
        if file.is_test || file.package == "main" {
            return;
        }
        interest.members("context", &["Background", "TODO"]);
    }

    fn check_go(&self, file: &GoFile<'_>, cx: &mut Cx<'_>) {
        if file.is_test || file.is_main_package() {
            return;
        }
        for call in &file.calls {
            if let Some(("context", name @ ("Background" | "TODO"))) = file.callee(*call) {
                cx.emit(
                    file.span(*call),
                    format!("`context.{name}()` outside main drops the caller's deadline and cancellation"),
                    &format!("context.{name}"),
                )
                .help("accept ctx context.Context as the first parameter and pass it on");
            }
        }
    }
}
