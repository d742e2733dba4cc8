//! The one finding type every job produces.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Severity> {
        match text {
            "info" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A region of a file, 1-based, columns counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl Span {
    /// A region from optional parts: none without a line, a missing column
    /// is 1, a missing end is the start.
    fn from_parts(
        line: Option<u32>,
        column: Option<u32>,
        end_line: Option<u32>,
        end_column: Option<u32>,
    ) -> Option<Span> {
        let line = line?;
        let column = column.unwrap_or(1);
        Some(Span {
            line,
            column,
            end_line: end_line.unwrap_or(line),
            end_column: end_column.unwrap_or(column),
        })
    }

    /// The region `text` covers when written on one line from `(line, column)`.
    pub(crate) fn over(line: u32, column: u32, text: &str) -> Span {
        Span {
            line,
            column,
            end_line: line,
            end_column: column + text.chars().count() as u32,
        }
    }

    pub fn point(line: u32, column: u32) -> Span {
        Span {
            line,
            column,
            end_line: line,
            end_column: column,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    /// Relative to the repository root, `/`-separated. Empty for repository-wide findings.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) end_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The dependency the finding is about (a Go module path, a crate name),
    /// when it is about one: what `exceptions: [{module: ...}]` matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) module: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Extra lines shown under the diagnostic (for example every version and who requires it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Other places the finding involves (every go.mod of a version mismatch,
    /// the other owner of a table, the old definition of a contract element).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    /// Edits that would resolve the finding, when the check knows them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) fix: Option<Fix>,
    /// Who has to follow a breaking change (services and importing
    /// contracts), when the check looked: `Some([])` is "no consumer in this
    /// repository", `None` is "not searched".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) consumers: Option<Vec<String>>,
    /// Stable across edits that only move the finding: built from the rule, the path,
    /// the service and a rule-chosen key (the offending text), never from line numbers.
    pub fingerprint: String,
}

impl Finding {
    /// `key` identifies the finding inside its file without line numbers: the
    /// offending call, the symbol, the module path. Two findings with the same
    /// rule, path and key share a fingerprint; baselines count them.
    pub fn new(
        rule: impl Into<String>,
        severity: Severity,
        path: impl Into<String>,
        message: impl Into<String>,
        key: &str,
    ) -> Finding {
        let rule = rule.into();
        let path = normalize_path(&path.into());
        let fingerprint = fingerprint(&rule, &path, key);
        Finding {
            rule,
            severity,
            message: message.into(),
            path,
            line: None,
            column: None,
            end_line: None,
            end_column: None,
            service: None,
            module: None,
            help: None,
            notes: Vec::new(),
            related: Vec::new(),
            fix: None,
            consumers: None,
            fingerprint,
        }
    }

    pub fn at(mut self, span: Span) -> Finding {
        self.line = Some(span.line);
        self.column = Some(span.column);
        self.end_line = Some(span.end_line);
        self.end_column = Some(span.end_column);
        self
    }

    pub fn at_line(mut self, line: u32) -> Finding {
        self.line = Some(line);
        self.column = Some(1);
        self
    }

    pub fn service(mut self, service: Option<impl Into<String>>) -> Finding {
        self.service = service.map(Into::into);
        self
    }

    pub(crate) fn module(mut self, module: impl Into<String>) -> Finding {
        self.module = Some(module.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Finding {
        self.notes.push(note.into());
        self
    }

    /// Adds another place the finding involves, with what it is there.
    pub fn related(
        mut self,
        path: impl Into<String>,
        span: Option<Span>,
        label: impl Into<String>,
    ) -> Finding {
        self.push_related(path, span, label);
        self
    }

    pub(crate) fn push_related(
        &mut self,
        path: impl Into<String>,
        span: Option<Span>,
        label: impl Into<String>,
    ) {
        self.related.push(Related {
            path: normalize_path(&path.into()),
            line: span.map(|s| s.line),
            column: span.map(|s| s.column),
            end_line: span.map(|s| s.end_line),
            end_column: span.map(|s| s.end_column),
            label: label.into(),
            revision: None,
        });
    }

    /// Like [`Finding::related`] for a place in another revision than the
    /// work tree (`old (main@1a2b3c4)`): renderers do not show the work
    /// tree's text for it.
    pub(crate) fn related_in_revision(
        mut self,
        path: impl Into<String>,
        span: Option<Span>,
        label: impl Into<String>,
        revision: impl Into<String>,
    ) -> Finding {
        self.push_related(path, span, label);
        if let Some(related) = self.related.last_mut() {
            related.revision = Some(revision.into());
        }
        self
    }

    pub(crate) fn fix(mut self, fix: Fix) -> Finding {
        self.fix = Some(fix);
        self
    }

    pub(crate) fn span(&self) -> Option<Span> {
        Span::from_parts(self.line, self.column, self.end_line, self.end_column)
    }

    /// The order every renderer uses: path, line, rule.
    pub fn sort_key(&self) -> (&str, u32, u32, &str, &str) {
        (
            self.path.as_str(),
            self.line.unwrap_or(0),
            self.column.unwrap_or(0),
            self.rule.as_str(),
            self.message.as_str(),
        )
    }
}

/// Whether a fix can be applied without a person looking: `unsafe` when it
/// may change behaviour or needs a follow-up step (ruff's and rustc's sense).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    Safe,
    Unsafe,
}

/// What would resolve a finding: text replacements, possibly in several files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// What the edits do, and what to run after them if anything.
    pub(crate) description: String,
    pub(crate) applicability: Applicability,
    pub(crate) edits: Vec<Edit>,
}

/// Replace the text of `span` in `path` (relative, `/`-separated; the end
/// column is just past the last character replaced) with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    pub(crate) path: String,
    #[serde(flatten)]
    pub(crate) span: Span,
    pub(crate) replacement: String,
}

impl Edit {
    pub(crate) fn new(path: impl Into<String>, span: Span, replacement: impl Into<String>) -> Edit {
        Edit {
            path: normalize_path(&path.into()),
            span,
            replacement: replacement.into(),
        }
    }
}

/// A secondary location of a finding: relative path, optional region, and
/// what is there ("required at v1.2.0 here").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Related {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) end_column: Option<u32>,
    pub label: String,
    /// The revision the place is in when it is not the work tree's file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) revision: Option<String>,
}

impl Related {
    pub(crate) fn span(&self) -> Option<Span> {
        Span::from_parts(self.line, self.column, self.end_line, self.end_column)
    }
}

pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

fn normalize_path(path: &str) -> String {
    let path = path.replace('\\', "/");
    path.strip_prefix("./").unwrap_or(&path).to_string()
}

fn fingerprint(rule: &str, path: &str, key: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [rule, path, key] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    let digest = hasher.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_ignores_position() {
        let a =
            Finding::new("r", Severity::Error, "a/b.go", "m", "log.Printf").at(Span::point(3, 1));
        let b =
            Finding::new("r", Severity::Error, "a/b.go", "m", "log.Printf").at(Span::point(90, 7));
        assert_eq!(a.fingerprint, b.fingerprint);
        let c = Finding::new("r", Severity::Error, "a/c.go", "m", "log.Printf");
        assert_ne!(a.fingerprint, c.fingerprint);
    }

    #[test]
    fn paths_are_normalized() {
        let f = Finding::new("r", Severity::Info, "./a\\b.go", "m", "k");
        assert_eq!(f.path, "a/b.go");
    }

    #[test]
    fn severity_orders_by_weight() {
        assert!(Severity::Error > Severity::Warning && Severity::Warning > Severity::Info);
    }
}
