use crate::lint::go::GoFile;
use crate::lint::go::GoNode;
use crate::lint::go_skim::{BodyInterest, FileHeader};
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::settings::Settings;
use crate::report::Severity;
use tree_sitter::Node;

pub struct GoSqlStringBuilding;

static META: RuleMeta = RuleMeta {
    id: "go-sql-string-building",
    target: Target::Go,
    default_severity: Severity::Error,
    summary: "SQL built with fmt.Sprintf or + reaches Query/Exec/QueryRow",
    docs: r#"
## What
Flags SQL text built with `fmt.Sprintf` or string concatenation (`+`, `+=`) that
is passed to `Query`, `QueryRow`, `Exec`, `Prepare` or their `Context` forms
(and sqlx's `x` variants), directly or through a variable assigned in the same
function. Concatenating only constants is fine.

## Why
Values spliced into SQL text are the classic injection hole, and every distinct
text is a new statement for the database to parse and plan.

## Example
```go
q := fmt.Sprintf("SELECT * FROM users WHERE email = '%s'", email)
rows, err := db.QueryContext(ctx, q)
```

## Fix
Use placeholders and pass the values as arguments (or generate the code with sqlc):
```go
rows, err := db.QueryContext(ctx, "SELECT * FROM users WHERE email = $1", email)
```
"#,
};

const QUERY_METHODS: &[&str] = &[
    "Query",
    "QueryContext",
    "QueryRow",
    "QueryRowContext",
    "Exec",
    "ExecContext",
    "Prepare",
    "PrepareContext",
    "Queryx",
    "QueryxContext",
    "QueryRowx",
    "QueryRowxContext",
];

impl Rule for GoSqlStringBuilding {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn go_body_interest<'s>(
        &self,
        _file: &FileHeader<'_>,
        _settings: &'s Settings,
        interest: &mut BodyInterest<'s>,
    ) {
        interest.methods(QUERY_METHODS);
    }

    fn check_go(&self, file: &GoFile<'_>, cx: &mut Cx<'_>) {
        for call in &file.calls {
            let Some(function) = call.field("function") else {
                continue;
            };
            if function.kind() != "selector_expression" {
                continue;
            }
            let Some(field) = function.field("field") else {
                continue;
            };
            let method = file.text(field);
            if !QUERY_METHODS.contains(&method) {
                continue;
            }
            // Package functions with these names (not methods) are not database calls.
            if file.qualified(function).is_some() {
                continue;
            }
            let index = usize::from(method.ends_with("Context"));
            let Some(argument) = file.arguments(*call).get(index).copied() else {
                continue;
            };
            if let Some(how) = built(file, argument) {
                cx.emit(
                    file.span(argument),
                    format!("SQL built with {how} is passed to `{method}`"),
                    &format!("{method}:{}", file.text(argument)),
                )
                .help(
                    "keep the SQL text constant and pass values as placeholder arguments ($1, ?)",
                );
            } else if argument.kind() == "identifier"
                && let Some((how, assignment)) = built_variable(file, argument)
            {
                let line = file.span(assignment).line;
                cx.emit(
                    file.span(argument),
                    format!(
                        "SQL in `{}` is built with {how} (line {line}) and passed to `{method}`",
                        file.text(argument)
                    ),
                    &format!("{method}:{}", file.text(argument)),
                )
                .help(
                    "keep the SQL text constant and pass values as placeholder arguments ($1, ?)",
                );
            }
        }
    }
}

/// How an expression builds a string at run time, if it does.
fn built(file: &GoFile<'_>, node: Node<'_>) -> Option<&'static str> {
    match node.kind() {
        "parenthesized_expression" => built(file, node.named_child(0)?),
        "call_expression" => match file.callee(node) {
            Some(("fmt", "Sprintf")) => Some("fmt.Sprintf"),
            _ => None,
        },
        "binary_expression" => {
            let operator = node.field("operator")?;
            if file.text(operator) != "+" {
                return None;
            }
            let mut has_string = false;
            let mut has_variable = false;
            leaves(file, node, &mut has_string, &mut has_variable);
            (has_string && has_variable).then_some("string concatenation")
        }
        _ => None,
    }
}

fn leaves(file: &GoFile<'_>, node: Node<'_>, has_string: &mut bool, has_variable: &mut bool) {
    match node.kind() {
        "binary_expression" if node.field("operator").is_some_and(|o| file.text(o) == "+") => {
            for side in ["left", "right"] {
                if let Some(child) = node.field(side) {
                    leaves(file, child, has_string, has_variable);
                }
            }
        }
        "parenthesized_expression" => {
            if let Some(inner) = node.named_child(0) {
                leaves(file, inner, has_string, has_variable);
            }
        }
        "interpreted_string_literal" | "raw_string_literal" => *has_string = true,
        "identifier" if file.constants.iter().any(|c| c == file.text(node)) => {}
        _ => *has_variable = true,
    }
}

/// A variable assigned from a built string in the function that uses it.
fn built_variable<'a>(file: &GoFile<'a>, ident: Node<'a>) -> Option<(&'static str, Node<'a>)> {
    let name = file.text(ident);
    let scope = file.enclosing_function(ident)?;
    let body = scope.field("body")?;
    let mut found = None;
    // Assignments are in source order: those in the body before the use.
    let first = file
        .assignments
        .partition_point(|a| a.start_byte() < body.start_byte());
    let end = file
        .assignments
        .partition_point(|a| a.start_byte() < ident.start_byte());
    for node in file.assignments[first..end].iter().copied() {
        match node.kind() {
            "short_var_declaration" | "assignment_statement" | "var_spec" => {
                let (left, right) = match node.kind() {
                    "var_spec" => (node, node.field("value")),
                    _ => (node.field("left")?, node.field("right")),
                };
                let names: Vec<Node<'a>> = if node.kind() == "var_spec" {
                    let mut c = node.walk();
                    node.fields("name", &mut c).collect()
                } else {
                    let mut c = left.walk();
                    left.named_children(&mut c).collect()
                };
                let values: Vec<Node<'a>> = match right {
                    Some(r) => {
                        let mut c = r.walk();
                        r.named_children(&mut c).collect()
                    }
                    None => Vec::new(),
                };
                let compound = node.field("operator").is_some_and(|o| file.text(o) == "+=");
                for (i, target) in names.iter().enumerate() {
                    if file.text(*target) != name {
                        continue;
                    }
                    let Some(value) = values.get(i) else {
                        continue;
                    };
                    let how = if compound {
                        let mut s = false;
                        let mut v = false;
                        leaves(file, *value, &mut s, &mut v);
                        (v || value.kind() == "call_expression").then_some("+=")
                    } else {
                        built(file, *value)
                    };
                    if let Some(how) = how
                        && found.is_none_or(|(_, n): (&str, Node<'_>)| {
                            n.start_byte() < node.start_byte()
                        })
                    {
                        found = Some((how, node));
                    }
                }
            }
            _ => {}
        }
    }
    found
}
