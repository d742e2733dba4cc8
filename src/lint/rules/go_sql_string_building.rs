use crate::lint::go::GoFile;
use crate::lint::go::GoNode;
use crate::lint::go_skim::{BodyInterest, FileHeader};
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::settings::Settings;
use crate::registry::RuleId;
use crate::report::Severity;
use tree_sitter::Node;

pub(crate) struct GoSqlStringBuilding;

static META: RuleMeta = RuleMeta {
    id: RuleId::GoSqlStringBuilding.as_str(),
    target: Target::Go,
    default_severity: Severity::Error,
    summary: "SQL built at run time reaches a database/sql, pgx, sqlx or gorm query",
    docs: include_str!("go_sql_string_building.md"),
    needs: &[],
};

/// Methods that take SQL text, of database/sql, pgx (v4, v5: pool, conn,
/// transaction and `Batch.Queue`), sqlx and gorm. Where the text is is
/// `query_position`'s business.
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
    "Preparex",
    "PreparexContext",
    "PrepareNamed",
    "PrepareNamedContext",
    "NamedExec",
    "NamedExecContext",
    "NamedQuery",
    "NamedQueryContext",
    "MustExec",
    "MustExecContext",
    "Select",
    "SelectContext",
    "Get",
    "GetContext",
    "Queue",
    "Raw",
    "Where",
];

/// Which argument of a call to `method` is the SQL text, if the call is one
/// that takes SQL. The same name takes it at different places: database/sql's
/// `Query(sql, ...)`, pgx's `Query(ctx, sql, ...)`, sqlx's `Get(dest, sql, ...)`.
fn query_position(file: &GoFile<'_>, method: &str, arguments: &[Node<'_>]) -> Option<usize> {
    let context_first = arguments
        .first()
        .is_some_and(|a| looks_like_context(file, *a));
    let position = match method {
        // pgx takes a context first and has no `Context` forms.
        "Query" | "QueryRow" | "Exec" => usize::from(context_first),
        // pgx's Conn.Prepare(ctx, name, sql).
        "Prepare" if context_first => 2,
        "SelectContext" | "GetContext" => 2,
        // sqlx's Select(dest, sql, ...)/Get(dest, sql, ...): a cache's or
        // redis' Get(ctx, key) is not one, nor is gorm's Select(columns).
        "Select" | "Get" if context_first || arguments.len() < 2 => return None,
        "Select" | "Get" => 1,
        // A job queue's Queue(name) is not pgx's Batch.Queue(sql, ...).
        "Queue" if !imports_pgx(file) => return None,
        name if name.ends_with("Context") => 1,
        _ => 0,
    };
    Some(position)
}

/// A context argument as services write it: `ctx`, `l.ctx`, `r.Context()`,
/// `context.Background()`.
fn looks_like_context(file: &GoFile<'_>, node: Node<'_>) -> bool {
    let name = match node.kind() {
        "identifier" => file.text(node),
        "selector_expression" => node.field("field").map_or("", |f| file.text(f)),
        "call_expression" => {
            if matches!(file.callee(node), Some(("context", _))) {
                return true;
            }
            let Some(function) = node.field("function") else {
                return false;
            };
            return function.kind() == "selector_expression"
                && function
                    .field("field")
                    .is_some_and(|f| file.text(f) == "Context");
        }
        _ => return false,
    };
    name == "ctx" || name.starts_with("ctx") || name.ends_with("Ctx")
}

fn imports_pgx(file: &GoFile<'_>) -> bool {
    file.imports
        .iter()
        .any(|i| i.path.starts_with("github.com/jackc/pgx"))
}

/// What fixes each thing spliced in: a value can be a placeholder, a table
/// or column name cannot. The text does not say which one was spliced (a
/// `+` chain or a Builder has no format string to read), so it names both.
const HELP: &str = "keep the SQL text constant and pass values as placeholder arguments ($1, ?); a table, schema or column name cannot be a placeholder: pick it from a fixed set of names in code (a switch over string literals, never user input) and quote it as an identifier (pgx.Identifier{name}.Sanitize(), or \"name\" with any \" doubled)";

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
            let arguments = file.arguments(*call);
            let Some(argument) = query_position(file, method, &arguments)
                .and_then(|index| arguments.get(index).copied())
            else {
                continue;
            };
            if let Some(how) = built(file, argument) {
                cx.emit(
                    file.span(argument),
                    format!("SQL built with {how} is passed to `{method}`"),
                    &format!("{method}:{}", file.text(argument)),
                )
                .help(HELP);
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
                .help(HELP);
            }
        }
    }
}

/// How an expression builds a string at run time, if it does.
fn built(file: &GoFile<'_>, node: Node<'_>) -> Option<&'static str> {
    let node = without_parentheses(node)?;
    match node.kind() {
        "call_expression" => match file.callee(node) {
            Some(("fmt", "Sprintf")) => Some("fmt.Sprintf"),
            Some(("strings", "Join")) => Some("strings.Join"),
            _ => string_builder_output(file, node).then_some("strings.Builder"),
        },
        "binary_expression" => {
            let operator = node.field("operator")?;
            if file.text(operator) != "+" {
                return None;
            }
            let (has_string, has_variable) = leaves(file, node);
            (has_string && has_variable).then_some("string concatenation")
        }
        _ => None,
    }
}

/// The expression inside any number of parentheses: a loop, since hostile
/// input nests them deeper than any stack.
fn without_parentheses(mut node: Node<'_>) -> Option<Node<'_>> {
    while node.kind() == "parenthesized_expression" {
        node = node.named_child(0)?;
    }
    Some(node)
}

/// Whether the operands of a `+` chain include a string literal and a value
/// that is neither a literal nor a constant. An explicit stack rather than
/// recursion: `"a" + "a" + ...` nests one node per term, and a file of
/// 40,000 terms passes `go vet`.
fn leaves(file: &GoFile<'_>, root: Node<'_>) -> (bool, bool) {
    let (mut has_string, mut has_variable) = (false, false);
    let mut pending = vec![root];
    while let Some(node) = pending.pop() {
        match node.kind() {
            "binary_expression" if node.field("operator").is_some_and(|o| file.text(o) == "+") => {
                // Right first, so the left side is looked at first.
                pending.extend(node.field("right"));
                pending.extend(node.field("left"));
            }
            "parenthesized_expression" => pending.extend(node.named_child(0)),
            "interpreted_string_literal" | "raw_string_literal" => has_string = true,
            "identifier" if file.constants.iter().any(|c| c == file.text(node)) => {}
            _ => has_variable = true,
        }
        if has_string && has_variable {
            break;
        }
    }
    (has_string, has_variable)
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
                        let (_, variable) = leaves(file, *value);
                        (variable || value.kind() == "call_expression").then_some("+=")
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

/// `b.String()` where `b` is a `strings.Builder` declared in the same
/// function (`var b strings.Builder`, `b := strings.Builder{}`,
/// `b := new(strings.Builder)`).
fn string_builder_output<'a>(file: &GoFile<'a>, call: Node<'a>) -> bool {
    let Some(function) = call.field("function") else {
        return false;
    };
    if function.kind() != "selector_expression"
        || function
            .field("field")
            .is_none_or(|f| file.text(f) != "String")
    {
        return false;
    }
    let Some(operand) = function
        .field("operand")
        .filter(|o| o.kind() == "identifier")
    else {
        return false;
    };
    let name = file.text(operand);
    let Some(body) = file.enclosing_function(call).and_then(|f| f.field("body")) else {
        return false;
    };
    let first = file
        .assignments
        .partition_point(|a| a.start_byte() < body.start_byte());
    let end = file
        .assignments
        .partition_point(|a| a.start_byte() < call.start_byte());
    file.assignments[first..end].iter().any(|node| {
        let declared = match node.kind() {
            "var_spec" => {
                let mut c = node.walk();
                node.fields("name", &mut c).any(|n| file.text(n) == name)
            }
            "short_var_declaration" => node.field("left").is_some_and(|left| {
                let mut c = left.walk();
                left.named_children(&mut c).any(|n| file.text(n) == name)
            }),
            _ => false,
        };
        declared && file.text(*node).contains("strings.Builder")
    })
}
