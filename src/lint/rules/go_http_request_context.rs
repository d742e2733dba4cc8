use crate::lint::go::GoFile;
use crate::lint::go::GoNode;
use crate::lint::go_skim::{BodyInterest, FileHeader};
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::settings::Settings;
use crate::report::Severity;

pub struct GoHttpRequestContext;

static META: RuleMeta = RuleMeta {
    id: "go-http-request-context",
    target: Target::Go,
    default_severity: Severity::Warning,
    summary: "http.NewRequest builds a request without a context",
    docs: r#"
## What
Flags `http.NewRequest`, which builds a request bound to `context.Background()`.
Test code is not checked: `_test.go` files (handler tests build requests that
no caller cancels, and the test's deadline bounds them), test-support packages
(`*test`, `testutil`) and harnesses under `test/`, `tests/`, `e2e/`, `testdata/`
and `testing/` directories.

## Why
A request without the caller's context is not cancelled when the caller gives up
or its deadline passes, so work piles up after clients have gone, and traces lose
their parent.

## Example
```go
req, err := http.NewRequest(http.MethodGet, url, nil)
```

## Fix
```go
req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
```
"#,
};

impl Rule for GoHttpRequestContext {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn go_body_interest<'s>(
        &self,
        file: &FileHeader<'_>,
        _settings: &'s Settings,
        interest: &mut BodyInterest<'s>,
    ) {
        if file.is_test || crate::lint::go::is_test_support(file.path, file.package) {
            return;
        }
        interest.members("net/http", &["NewRequest"]);
    }

    fn check_go(&self, file: &GoFile<'_>, cx: &mut Cx<'_>) {
        if file.is_test || crate::lint::go::is_test_support(file.path, &file.package) {
            return;
        }
        for call in &file.calls {
            if file.callee(*call) == Some(("net/http", "NewRequest")) {
                let function = call.field("function").unwrap_or(*call);
                cx.emit(
                    file.span(function),
                    "`http.NewRequest` builds a request that ignores the caller's context",
                    "http.NewRequest",
                )
                .help("use http.NewRequestWithContext(ctx, ...) with the request's context");
            }
        }
    }
}
