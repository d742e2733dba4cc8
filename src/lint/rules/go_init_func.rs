use crate::lint::go::GoFile;
use crate::lint::go::GoNode;
use crate::lint::go::is_go_literal_kind;
use crate::lint::go_skim::{BodyInterest, FileHeader};
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::settings::Settings;
use crate::registry::RuleId;
use crate::report::Severity;

pub(crate) struct GoInitFunc;

static META: RuleMeta = RuleMeta {
    id: RuleId::GoInitFunc.as_str(),
    target: Target::Go,
    default_severity: Severity::Warning,
    summary: "A package declares func init()",
    docs: include_str!("go_init_func.md"),
    needs: &[],
};

impl Rule for GoInitFunc {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn go_body_interest<'s>(
        &self,
        _file: &FileHeader<'_>,
        _settings: &'s Settings,
        interest: &mut BodyInterest<'s>,
    ) {
        // What the body does decides whether it is only declarations.
        interest.init_bodies();
    }

    fn check_go(&self, file: &GoFile<'_>, cx: &mut Cx<'_>) {
        if file.is_test {
            return;
        }
        for function in &file.functions {
            if function.kind() != "function_declaration" {
                continue;
            }
            let Some(name) = function.field("name") else {
                continue;
            };
            if file.text(name) != "init" {
                continue;
            }
            if let Some(body) = function.field("body")
                && declares_only(file, body)
            {
                log::info!(
                    "go-init-func: {}:{}: init only registers flags, subcommands or codecs, or fills a table of constants: not reported",
                    file.path,
                    function.start_position().row + 1
                );
                continue;
            }
            // Nothing imports package main: its init is hidden only from
            // the reader of main, who does not see it run first.
            if file.is_main_package() {
                cx.emit(
                    file.span(name),
                    "`func init()` in package main runs before `main`, outside its control flow",
                    "init",
                )
                .help("do the setup at the start of main, where it can return an error");
            } else {
                cx.emit(
                    file.span(name),
                    "`func init()` runs hidden side effects on import",
                    "init",
                )
                .help("move the setup into a constructor called from main");
            }
        }
    }
}

/// Whether an init body only declares: defines command-line flags, adds
/// cobra subcommands, registers a value with a registry made to be filled
/// from init (`encoding.RegisterCodec`, `resolver.Register`, `sql.Register`),
/// or fills package tables with literals. Nothing there reads the
/// environment, opens a connection or can fail, which is what the rule is
/// about; cobra-cli and gRPC's own plugins are written this way.
fn declares_only(file: &GoFile<'_>, body: tree_sitter::Node<'_>) -> bool {
    let mut cursor = body.walk();
    let mut statements = Vec::new();
    for child in body.named_children(&mut cursor) {
        if child.kind() == "statement_list" {
            let mut inner = child.walk();
            statements.extend(child.named_children(&mut inner));
        } else {
            statements.push(child);
        }
    }
    statements.retain(|s| s.kind() != "comment");
    // A body the parse left out (or an empty init) says nothing.
    !statements.is_empty()
        && statements.iter().all(|statement| match statement.kind() {
            "expression_statement" => statement
                .named_child(0)
                .is_some_and(|call| is_declaring_call(file, call)),
            "assignment_statement" => {
                statement
                    .field("operator")
                    .is_none_or(|op| file.text(op) == "=")
                    && statement
                        .field("left")
                        .is_some_and(|left| all_children(left, |l| is_package_slot(file, l)))
                    && statement
                        .field("right")
                        .is_some_and(|right| all_children(right, |r| is_constant_data(file, r)))
            }
            _ => false,
        })
}

fn all_children(list: tree_sitter::Node<'_>, test: impl Fn(tree_sitter::Node<'_>) -> bool) -> bool {
    let mut cursor = list.walk();
    let children: Vec<_> = list.named_children(&mut cursor).collect();
    children.into_iter().all(test)
}

/// `table` or `table[key]`: where a package-level table is filled (not `_`,
/// which evaluates for an effect and keeps nothing).
fn is_package_slot(file: &GoFile<'_>, node: tree_sitter::Node<'_>) -> bool {
    match node.kind() {
        "identifier" => file.text(node) != "_",
        "index_expression" => node
            .field("operand")
            .is_some_and(|o| o.kind() == "identifier"),
        _ => false,
    }
}

/// A literal, a name, `make(...)` or a composite literal with no call inside.
fn is_constant_data(file: &GoFile<'_>, node: tree_sitter::Node<'_>) -> bool {
    match node.kind() {
        kind if is_go_literal_kind(kind) => true,
        "nil" | "identifier" => true,
        "call_expression" => node
            .field("function")
            .is_some_and(|f| file.text(f) == "make"),
        "composite_literal" => !contains_call(node),
        _ => false,
    }
}

/// No call in the expression but `make`, `new` and this package's `New...`
/// constructors (`resolver.Register(NewBuilder())`).
fn only_local_constructors(file: &GoFile<'_>, node: tree_sitter::Node<'_>) -> bool {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if n.kind() == "func_literal" {
            return false;
        }
        if n.kind() == "call_expression" {
            let local = n.field("function").is_some_and(|f| {
                f.kind() == "identifier" && {
                    let name = file.text(f);
                    matches!(name, "make" | "new")
                        || name.starts_with("New")
                        || name.starts_with("new")
                }
            });
            if !local {
                return false;
            }
        }
        let mut cursor = n.walk();
        stack.extend(n.named_children(&mut cursor));
    }
    true
}

fn contains_call(node: tree_sitter::Node<'_>) -> bool {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if n.kind() == "call_expression" {
            return true;
        }
        let mut cursor = n.walk();
        stack.extend(n.named_children(&mut cursor));
    }
    false
}

/// `flag.StringVar(...)`, `cmd.Flags().BoolVarP(...)`, `root.AddCommand(...)`,
/// `x.Register...(...)`.
fn is_declaring_call(file: &GoFile<'_>, call: tree_sitter::Node<'_>) -> bool {
    if call.kind() != "call_expression" {
        return false;
    }
    let Some(function) = call.field("function") else {
        return false;
    };
    if function.kind() != "selector_expression" {
        return false;
    }
    let (Some(operand), Some(field)) = (function.field("operand"), function.field("field")) else {
        return false;
    };
    // `flag.String("conf", os.Getenv("CONF"), ...)` reads the environment.
    if !file
        .arguments(call)
        .into_iter()
        .all(|a| only_local_constructors(file, a))
    {
        return false;
    }
    let name = file.text(field);
    if name.starts_with("Register") || name == "AddCommand" {
        return true;
    }
    // Flag definitions, on the standard FlagSet or a command's (pflag).
    let on_flag_set = file
        .qualified(function)
        .is_some_and(|(path, _)| path == "flag")
        || (operand.kind() == "call_expression"
            && operand.field("function").is_some_and(|f| {
                f.kind() == "selector_expression"
                    && f.field("field").is_some_and(|n| {
                        matches!(file.text(n), "Flags" | "PersistentFlags" | "LocalFlags")
                    })
            }));
    on_flag_set && is_flag_definition(name)
}

/// `String`, `StringVar`, `StringVarP`, `DurationSliceVar`...: what FlagSet
/// and pflag define flags with (not `Parse`, `Set` or `Visit`).
fn is_flag_definition(name: &str) -> bool {
    let kind = |base: &str| {
        matches!(
            base,
            "" | "Bool"
                | "Int"
                | "Int8"
                | "Int16"
                | "Int32"
                | "Int64"
                | "Uint"
                | "Uint8"
                | "Uint16"
                | "Uint32"
                | "Uint64"
                | "Float32"
                | "Float64"
                | "String"
                | "Duration"
                | "Func"
                | "BoolFunc"
                | "Text"
                | "Count"
                | "IP"
                | "IPMask"
                | "IPNet"
                | "BytesHex"
                | "BytesBase64"
        ) || base.ends_with("Slice")
            || base.ends_with("Array")
            || base.starts_with("StringTo")
    };
    kind(name)
        || ["VarP", "Var", "P"]
            .iter()
            .any(|suffix| name.strip_suffix(suffix).is_some_and(kind))
}
