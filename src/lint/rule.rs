//! What a rule is: its metadata and docs, and the checks it runs on the facts
//! of one Go file, one Rust file or the whole repository.

use super::facts::Facts;
use super::go::GoFile;
use super::go_skim::{BodyInterest, FileHeader};
use super::rust::RustFile;
use super::settings::Settings;
use crate::registry::Need;
use crate::report::{Finding, RuleInfo, Severity, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Go,
    Rust,
    /// Runs once over the facts of every file (architecture, layout).
    Repo,
    /// Raised by the engine itself (parse errors, suppressions, config).
    Engine,
}

/// The fixed part of a rule, written once in its file.
#[derive(Debug)]
pub struct RuleMeta {
    pub(crate) id: &'static str,
    pub target: Target,
    pub(crate) default_severity: Severity,
    pub(crate) summary: &'static str,
    /// Markdown with `## What`, `## Why`, `## Example` and `## Fix`, from
    /// the `.md` file beside the rule.
    pub(crate) docs: &'static str,
    /// What the engine must compute for this rule beyond the files it reports on.
    pub(crate) needs: &'static [Need],
}

impl RuleMeta {
    pub(crate) fn info(&self) -> RuleInfo {
        RuleInfo {
            id: self.id.to_string(),
            job: "lint".to_string(),
            default_severity: self.default_severity,
            summary: self.summary.to_string(),
            docs: self.docs.trim().to_string(),
        }
    }
}

pub trait Rule: Sync + Send {
    fn meta(&self) -> &'static RuleMeta;

    fn check_go(&self, _file: &GoFile<'_>, _cx: &mut Cx<'_>) {}

    /// What `check_go` looks for inside function bodies, for this file: the
    /// bodies that hold none of what the enabled rules ask for are not parsed
    /// (see `go_skim`). The default asks for everything, which is always
    /// right and only slower; a rule that looks at declarations only adds nothing.
    fn go_body_interest<'s>(
        &self,
        _file: &FileHeader<'_>,
        _settings: &'s Settings,
        interest: &mut BodyInterest<'s>,
    ) {
        interest.everything();
    }

    fn check_rust(&self, _file: &RustFile<'_>, _cx: &mut Cx<'_>) {}

    fn check_repo(&self, _facts: &Facts<'_>, _cx: &mut Cx<'_>) {}
}

/// Where a rule reports: it fills in the rule id, severity, path and service.
pub struct Cx<'s> {
    pub(crate) settings: &'s Settings,
    rule: String,
    severity: Severity,
    path: String,
    service: Option<String>,
    pub(crate) findings: Vec<Finding>,
    exempted: Vec<(u32, String)>,
}

impl<'s> Cx<'s> {
    pub(crate) fn new(
        settings: &'s Settings,
        rule: &str,
        severity: Severity,
        path: &str,
        service: Option<&str>,
    ) -> Cx<'s> {
        Cx {
            settings,
            rule: rule.to_string(),
            severity,
            path: path.to_string(),
            service: service.map(str::to_string),
            findings: Vec::new(),
            exempted: Vec::new(),
        }
    }

    /// A finding in the current file.
    pub(crate) fn emit(
        &mut self,
        span: Span,
        message: impl Into<String>,
        key: &str,
    ) -> Emitted<'_> {
        let path = self.path.clone();
        let service = self.service.clone();
        self.emit_in(&path, service.as_deref(), Some(span), message, key)
    }

    /// A would-be finding at `span` that a convention or exemption
    /// silenced: logged at `-v` with `why` (`wire injector stub`).
    pub(crate) fn exempt(&mut self, span: Span, why: impl Into<String>) {
        self.exempted.push((span.line, why.into()));
    }

    /// What `exempt` collected, for the file's outcome.
    pub(crate) fn exemptions(&mut self) -> impl Iterator<Item = super::Exemption> + '_ {
        let rule = &self.rule;
        self.exempted
            .drain(..)
            .map(move |(line, why)| super::Exemption {
                rule: rule.clone(),
                line,
                why,
            })
    }

    /// A finding anywhere (repository rules).
    pub(crate) fn emit_in(
        &mut self,
        path: &str,
        service: Option<&str>,
        span: Option<Span>,
        message: impl Into<String>,
        key: &str,
    ) -> Emitted<'_> {
        let mut finding =
            Finding::new(self.rule.as_str(), self.severity, path, message, key).service(service);
        if let Some(span) = span {
            finding = finding.at(span);
        }
        self.findings.push(finding);
        let last = self.findings.len() - 1;
        Emitted(&mut self.findings[last])
    }
}

/// A finding just emitted, to add help and notes.
pub(crate) struct Emitted<'a>(&'a mut Finding);

impl Emitted<'_> {
    pub(crate) fn help(self, help: impl Into<String>) -> Self {
        self.0.help = Some(help.into());
        self
    }

    pub(crate) fn note(self, note: impl Into<String>) -> Self {
        self.0.notes.push(note.into());
        self
    }

    /// Another place the finding involves.
    pub(crate) fn related(self, path: &str, span: Option<Span>, label: &str) -> Self {
        self.0.push_related(path, span, label);
        self
    }
}
