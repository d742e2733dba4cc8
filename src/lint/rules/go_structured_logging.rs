use crate::lint::go::GoFile;
use crate::lint::go::GoNode;
use crate::lint::go_skim::{BodyInterest, FileHeader, Member};
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::settings::Settings;
use crate::registry::RuleId;
use crate::report::Severity;

pub struct GoStructuredLogging;

static META: RuleMeta = RuleMeta {
    id: RuleId::GoStructuredLogging.as_str(),
    target: Target::Go,
    default_severity: Severity::Error,
    summary: "Service code logs with log.Print*/Fatal*/Panic* or fmt.Print* instead of a structured logger",
    docs: include_str!("go_structured_logging.md"),
    needs: &[],
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
        if file.is_test || file.service.is_none() {
            return;
        }
        for prefix in ["Print", "Fatal", "Panic"] {
            interest.member("log", Member::Prefix(prefix));
        }
        interest.members("fmt", &["Print", "Printf", "Println"]);
    }

    fn check_go(&self, file: &GoFile<'_>, cx: &mut Cx<'_>) {
        if file.is_test || file.service.is_none() {
            return;
        }
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
            if unstructured {
                let function = call.field("function").unwrap_or(*call);
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
