use crate::lint::go::GoFile;
use crate::lint::go::GoNode;
use crate::lint::go_skim::{BodyInterest, FileHeader};
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::settings::Settings;
use crate::registry::RuleId;
use crate::report::Severity;

pub(crate) struct GoHttpClientTimeout;

static META: RuleMeta = RuleMeta {
    id: RuleId::GoHttpClientTimeout.as_str(),
    target: Target::Go,
    default_severity: Severity::Error,
    summary: "Outbound HTTP without a timeout: http.Get/Post/Head/PostForm, http.DefaultClient, http.Client{} without Timeout",
    docs: include_str!("go_http_client_timeout.md"),
    needs: &[],
};

impl Rule for GoHttpClientTimeout {
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
        interest.members(
            "net/http",
            &["Get", "Post", "Head", "PostForm", "DefaultClient", "Client"],
        );
    }

    fn check_go(&self, file: &GoFile<'_>, cx: &mut Cx<'_>) {
        if file.is_test || crate::lint::go::is_test_support(file.path, &file.package) {
            return;
        }
        for call in &file.calls {
            if let Some(("net/http", name @ ("Get" | "Post" | "Head" | "PostForm"))) =
                file.callee(*call)
            {
                let function = call.field("function").unwrap_or(*call);
                cx.emit(
                    file.span(function),
                    format!("`http.{name}` uses http.DefaultClient, which has no timeout"),
                    &format!("http.{name}"),
                )
                .help("use an *http.Client with Timeout set, built once and injected");
            }
        }
        for selector in &file.selectors {
            if file.qualified(*selector) == Some(("net/http", "DefaultClient")) {
                cx.emit(
                    file.span(*selector),
                    "`http.DefaultClient` has no timeout",
                    "http.DefaultClient",
                )
                .help("use an *http.Client with Timeout set, built once and injected");
            }
        }
        for literal in &file.composite_literals {
            let Some(ty) = literal.field("type") else {
                continue;
            };
            if file.qualified(ty) != Some(("net/http", "Client")) {
                continue;
            }
            let Some(body) = literal.field("body") else {
                continue;
            };
            let mut cursor = body.walk();
            let has_timeout = body.named_children(&mut cursor).any(|element| {
                element.kind() == "keyed_element"
                    && element
                        .field("key")
                        .is_some_and(|k| file.text(k).trim() == "Timeout")
            });
            if !has_timeout {
                cx.emit(
                    file.span(*literal),
                    "`http.Client` without a Timeout waits forever on a slow server",
                    "http.Client{}",
                )
                .help("set `Timeout:` in the literal");
            }
        }
    }
}
