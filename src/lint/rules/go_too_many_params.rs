use crate::lint::go::GoFile;
use crate::lint::go::GoNode;
use crate::lint::go_skim::{BodyInterest, FileHeader};
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::settings::Settings;
use crate::report::Severity;

pub struct GoTooManyParams;

static META: RuleMeta = RuleMeta {
    id: "go-too-many-params",
    target: Target::Go,
    default_severity: Severity::Warning,
    summary: "A Go function takes more than 4 parameters (lint.max-params)",
    docs: r#"
## What
Flags functions, methods and function literals with more parameters than
`lint.max-params` (default 4). The receiver does not count; a variadic
parameter counts once.

## Why
Long parameter lists are easy to call with arguments swapped (several `string`s
in a row compile fine) and every new option changes every caller. The Uber Go
style guide suggests an options struct or functional options instead.

## Example
```go
func NewServer(addr string, db *sql.DB, log *slog.Logger, timeout time.Duration, maxConns int) *Server
```

## Fix
```go
type ServerOptions struct { Addr string; Timeout time.Duration; MaxConns int }
func NewServer(db *sql.DB, log *slog.Logger, opts ServerOptions) *Server
```
"#,
};

impl Rule for GoTooManyParams {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn go_body_interest<'s>(
        &self,
        _file: &FileHeader<'_>,
        settings: &'s Settings,
        interest: &mut BodyInterest<'s>,
    ) {
        // Declarations' signatures are always parsed; literals' are in bodies.
        interest.literals_with_more_params_than(settings.max_params);
    }

    fn check_go(&self, file: &GoFile<'_>, cx: &mut Cx<'_>) {
        let max = cx.settings.max_params;
        for function in &file.functions {
            let Some(parameters) = function.field("parameters") else {
                continue;
            };
            let mut cursor = parameters.walk();
            let count: usize = parameters
                .named_children(&mut cursor)
                .map(|p| match p.kind() {
                    "parameter_declaration" => {
                        let mut c = p.walk();
                        p.fields("name", &mut c).count().max(1)
                    }
                    "variadic_parameter_declaration" => 1,
                    _ => 0,
                })
                .sum();
            if count <= max {
                continue;
            }
            let name = function
                .field("name")
                .map_or("func literal", |n| file.text(n));
            let at = function.field("name").unwrap_or(parameters);
            cx.emit(
                file.span(at),
                format!("`{name}` takes {count} parameters (more than {max})"),
                name,
            )
            .help("group the optional or related parameters in an options struct");
        }
    }
}
