use crate::lint::go::GoFile;
use crate::lint::go::GoNode;
use crate::lint::go_skim::{BodyInterest, FileHeader};
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::settings::Settings;
use crate::registry::RuleId;
use crate::report::Severity;

pub struct GoHttpRequestContext;

static META: RuleMeta = RuleMeta {
    id: RuleId::GoHttpRequestContext.as_str(),
    target: Target::Go,
    default_severity: Severity::Warning,
    summary: "http.NewRequest builds a request without a context",
    docs: include_str!("go_http_request_context.md"),
    needs: &[],
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
