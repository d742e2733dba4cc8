use crate::lint::go::GoFile;
use crate::lint::go::GoNode;
use crate::lint::go_skim::{BodyInterest, FileHeader, Member};
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::settings::Settings;
use crate::registry::{Need, RuleId};
use crate::report::Severity;

pub(crate) struct GoStructuredLogging;

static META: RuleMeta = RuleMeta {
    id: RuleId::GoStructuredLogging.as_str(),
    target: Target::Go,
    default_severity: Severity::Error,
    summary: "Service code logs with log.Print*/Fatal*/Panic* or fmt.Print* instead of a structured logger",
    docs: include_str!("go_structured_logging.md"),
    needs: &[Need::Programs],
};

impl Rule for GoStructuredLogging {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn go_body_interest<'s>(
        &self,
        file: &FileHeader<'_>,
        _settings: &'s Settings,
        interest: &mut BodyInterest<'s>,
    ) {
        if file.is_test
            || file.service.is_none()
            || crate::lint::go::is_test_support(file.path, file.package)
        {
            return;
        }
        for prefix in ["Print", "Fatal", "Panic"] {
            interest.member("log", Member::Prefix(prefix));
        }
        interest.members("fmt", &["Print", "Printf", "Println"]);
    }

    fn check_go(&self, file: &GoFile<'_>, cx: &mut Cx<'_>) {
        if file.is_test
            || file.service.is_none()
            || crate::lint::go::is_test_support(file.path, &file.package)
        {
            return;
        }
        // A file that defines commands belongs to a command-line program, or
        // to the command that starts a service: which one cannot be told from
        // the file, and what a command prints is its output either way.
        let command_line = is_command_line_code(file);
        for call in &file.calls {
            let Some((package, name)) = file.callee(*call) else {
                continue;
            };
            let unstructured = match package {
                "log" => ["Print", "Fatal", "Panic"]
                    .iter()
                    .any(|p| name.starts_with(p)),
                "fmt" => matches!(name, "Print" | "Printf" | "Println"),
                _ => false,
            };
            if !unstructured {
                continue;
            }
            let function = call.field("function").unwrap_or(*call);
            let exempt = if command_line {
                Some(
                    "the file defines command-line commands (it imports a CLI framework): what a command prints is its output",
                )
            } else if in_program_startup(file, *call) {
                Some("directly in main() or init() of package main: the program starting up")
            } else {
                None
            };
            if let Some(why) = exempt {
                cx.exempt(file.span(function), format!("`{package}.{name}`: {why}"));
            } else {
                cx.emit(
                    file.span(function),
                    format!("`{package}.{name}` in service code: log through a structured logger"),
                    &format!("{package}.{name}"),
                )
                .help("use the *slog.Logger (or zap logger) passed to the constructor, with fields instead of a format string");
            }
        }
    }
}

/// Packages that parse a command line into subcommands: a file that uses one
/// defines what a command does, and what it prints is its output.
const COMMAND_LINE_FRAMEWORKS: &[&str] = &[
    "github.com/spf13/cobra",
    "github.com/urfave/cli",
    "github.com/urfave/cli/v2",
    "github.com/urfave/cli/v3",
    "github.com/alecthomas/kong",
    "github.com/alecthomas/kingpin/v2",
    "gopkg.in/alecthomas/kingpin.v2",
    "github.com/peterbourgon/ff/v3/ffcli",
    "github.com/peterbourgon/ff/v4",
];

fn is_command_line_code(file: &GoFile<'_>) -> bool {
    file.imports
        .iter()
        .any(|import| COMMAND_LINE_FRAMEWORKS.contains(&import.path.as_str()))
}

/// Directly in `func main()` or `func init()` of package main: the program
/// starting up, usually before any logger exists, printing once where it
/// listens or why it cannot start. A function literal there (a goroutine, a
/// handler) runs later and is service code like any other.
fn in_program_startup(file: &GoFile<'_>, call: tree_sitter::Node<'_>) -> bool {
    if !file.is_main_package() {
        return false;
    }
    let Some(function) = file.enclosing_function(call) else {
        return false;
    };
    function.kind() == "function_declaration"
        && function
            .field("name")
            .is_some_and(|name| matches!(file.text(name), "main" | "init"))
}
