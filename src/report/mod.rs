//! Findings and the renderers every job shares.

mod finding;
mod github;
mod gitlab;
mod json;
mod junit;
mod level;
pub(crate) mod markdown;
mod paths;
mod sarif;
mod text;

pub use finding::{Applicability, Edit, Finding, Fix, Related, Severity, Span, sort_findings};
pub(crate) use level::RuleLevel;
pub(crate) use paths::git_prefix;

use std::collections::HashMap;
use std::path::PathBuf;

/// What a rule says about itself: shown by `trellis explain`, carried into SARIF.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RuleInfo {
    pub id: String,
    /// The job that owns the rule: lint, drift, contract, score.
    pub job: String,
    pub default_severity: Severity,
    /// One line: what the rule finds.
    pub summary: String,
    /// Markdown: what, why, an example and the fix.
    pub docs: String,
}

/// Everything one command found, ready to render.
#[derive(Debug, Clone)]
pub struct Report {
    pub(crate) command: String,
    pub findings: Vec<Finding>,
    /// Metadata of the rules that ran, for SARIF and JUnit.
    pub rules: Vec<RuleInfo>,
    /// Facts about the run shown in the summary, for example files analysed.
    pub stats: Vec<(String, String)>,
    /// What was checked of files whose checked content is not the work
    /// tree's (the index for `--staged`), by path: snippets show these lines,
    /// not the ones on disk.
    pub(crate) sources: HashMap<String, String>,
    /// Exceptions a check applied while computing its findings (a service
    /// left out of a version mismatch), by their place in
    /// the sink's `Exceptions` (config::sink): it does not report them as unused.
    pub(crate) excepted_in_checks: std::collections::BTreeSet<usize>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Summary {
    pub(crate) errors: usize,
    pub(crate) warnings: usize,
    pub(crate) infos: usize,
}

impl Report {
    pub fn new(command: impl Into<String>) -> Report {
        Report {
            command: command.into(),
            findings: Vec::new(),
            rules: Vec::new(),
            stats: Vec::new(),
            sources: HashMap::new(),
            excepted_in_checks: Default::default(),
        }
    }

    pub(crate) fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for finding in &self.findings {
            match finding.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Info => summary.infos += 1,
            }
        }
        summary
    }

    /// Sorts findings into the one order all formats use.
    pub fn finish(&mut self) {
        sort_findings(&mut self.findings);
        self.findings.dedup();
        self.rules.sort_by(|a, b| a.id.cmp(&b.id));
        self.rules.dedup_by(|a, b| a.id == b.id);
    }

    /// How many findings each rule produced, most first (ties by rule id):
    /// on a large report, which rules to look at first.
    pub(crate) fn counts_by_rule(&self) -> Vec<(&str, usize)> {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for finding in &self.findings {
            *counts.entry(finding.rule.as_str()).or_default() += 1;
        }
        let mut counts: Vec<(&str, usize)> = counts.into_iter().collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        counts
    }

    pub(crate) fn has_findings_at(&self, threshold: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= threshold)
    }

    pub(crate) fn rule(&self, id: &str) -> Option<&RuleInfo> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// Output formats of findings reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Github,
    Gitlab,
    Junit,
    Markdown,
}

pub struct RenderContext {
    /// Where finding paths are relative to, to show source lines.
    pub root: PathBuf,
    pub color: bool,
    /// `root` relative to its git work tree's root (see [`git_prefix`]):
    /// sarif, github, junit and json paths start with it because CI tools
    /// resolve paths from the checkout's root. Text and markdown leave it
    /// out, as they are read by the person who chose the directory.
    pub git_prefix: String,
    /// Describes a rule a finding names that the report does not (a rule
    /// of another job): the registry, which sits above this layer.
    pub describe: fn(&str) -> Option<RuleInfo>,
}

impl RenderContext {
    /// A finding's path as CI tools resolve it.
    pub(crate) fn ci_path<'a>(&self, path: &'a str) -> std::borrow::Cow<'a, str> {
        paths::rebase(&self.git_prefix, path)
    }
}

pub fn render(report: &Report, format: Format, ctx: &RenderContext) -> String {
    match format {
        Format::Text => text::render(report, ctx),
        Format::Json => json::render(report, ctx),
        Format::Sarif => sarif::render(report, ctx),
        Format::Github => github::render(report, ctx),
        Format::Gitlab => gitlab::render(report, ctx),
        Format::Junit => junit::render(report, ctx),
        Format::Markdown => markdown::render(report),
    }
}

#[cfg(test)]
pub(crate) mod sample {
    use super::*;

    /// A small report with every severity, a repository-wide finding, notes
    /// and related locations (one with a region, one without).
    pub(crate) fn report() -> Report {
        let mut report = Report::new("lint");
        report.rules = vec![
            RuleInfo {
                id: "go-structured-logging".into(),
                job: "lint".into(),
                default_severity: Severity::Error,
                summary: "Service code logs through log.Printf or fmt.Print".into(),
                docs: "Use log/slog or zap.".into(),
            },
            RuleInfo {
                id: "drift-version-mismatch".into(),
                job: "drift".into(),
                default_severity: Severity::Warning,
                summary: "A module is required at different versions".into(),
                docs: "Align the versions.".into(),
            },
        ];
        report.findings = vec![
            Finding::new(
                "go-structured-logging",
                Severity::Error,
                "services/order/internal/service/order.go",
                "log.Printf in service code",
                "log.Printf",
            )
            .at(Span {
                line: 2,
                column: 2,
                end_line: 2,
                end_column: 12,
            })
            .service(Some("order-service"))
            .help("log through the injected *slog.Logger"),
            Finding::new(
                "drift-version-mismatch",
                Severity::Warning,
                "services/order/go.mod",
                "github.com/google/uuid is required at 2 versions <&\"'>",
                "github.com/google/uuid",
            )
            .at_line(5)
            .service(Some("order-service"))
            .note("v1.6.0: order-service")
            .note("v1.5.0: inventory-service")
            .related(
                "services/inventory/go.mod",
                Some(Span {
                    line: 5,
                    column: 9,
                    end_line: 5,
                    end_column: 38,
                }),
                "v1.5.0 required here",
            )
            .related(
                "services/payment/go.mod",
                None,
                "v1.5.0 [indirect] required here",
            )
            .fix(Fix {
                description: "require github.com/google/uuid v1.6.0".into(),
                applicability: Applicability::Unsafe,
                edits: vec![
                    Edit::new(
                        "services/inventory/go.mod",
                        Span {
                            line: 5,
                            column: 32,
                            end_line: 5,
                            end_column: 38,
                        },
                        "v1.6.0",
                    ),
                    Edit::new(
                        "services/inventory/go.mod",
                        Span::over(7, 10, "v1.5.0"),
                        "v1.6.0",
                    ),
                ],
            }),
            Finding::new("layout-contract", Severity::Info, "", "no contract", "x"),
        ];
        report.stats = vec![("files analysed".into(), "3".into())];
        report.finish();
        report
    }

    pub(crate) fn source_root() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("services/order/internal/service/order.go");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "package service\n\tlog.Printf(\"x\")\n").unwrap();
        let related = dir.path().join("services/inventory/go.mod");
        std::fs::create_dir_all(related.parent().unwrap()).unwrap();
        std::fs::write(
            &related,
            "module example.com/inventory\n\ngo 1.22\n\nrequire github.com/google/uuid v1.5.0\n",
        )
        .unwrap();
        dir
    }

    /// Rendering options for the machine formats, as if the project sat at
    /// `git_prefix` inside its git repository.
    pub(crate) fn context(git_prefix: &str) -> RenderContext {
        RenderContext {
            root: PathBuf::new(),
            color: false,
            git_prefix: git_prefix.to_string(),
            describe: crate::rules::find,
        }
    }
}
