//! GitLab Code Quality reports (`artifacts: reports: codequality:`): the
//! subset of the Code Climate issue format GitLab reads, a JSON array of
//! issues with `description`, `check_name`, `fingerprint`, `severity` and
//! `location.path` / `location.lines.begin`. Paths are relative to the git
//! root, where GitLab resolves them.

use super::paths::related_line;
use super::{RenderContext, Report, Severity};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Serialize)]
struct Issue {
    description: String,
    check_name: String,
    fingerprint: String,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<u32>,
}

/// GitLab's scale is info, minor, major, critical, blocker; critical and
/// blocker are left to security scanners, so a gate's error is `major`.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

pub(crate) fn render(report: &Report, ctx: &RenderContext) -> String {
    // GitLab keeps one issue per fingerprint, and ours are shared by the
    // same offence twice in a file (so baselines count them): the second
    // and later ones get their occurrence number, stable while the file's
    // findings keep their order.
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let issues: Vec<Issue> = report
        .findings
        .iter()
        .map(|finding| {
            let occurrence = seen.entry(finding.fingerprint.as_str()).or_default();
            let fingerprint = match *occurrence {
                0 => finding.fingerprint.clone(),
                n => format!("{}-{n}", finding.fingerprint),
            };
            *occurrence += 1;
            let begin = finding.line.unwrap_or(1).max(1);
            let mut description = format!("{}: {}", finding.rule, finding.message);
            for note in &finding.notes {
                description.push_str("; ");
                description.push_str(note);
            }
            for related in &finding.related {
                description.push_str("; ");
                description.push_str(&related_line(&ctx.ci_path(&related.path), related));
            }
            Issue {
                description,
                check_name: finding.rule.clone(),
                fingerprint,
                severity: severity(finding.severity),
                location: Location {
                    path: location_path(&finding.path, ctx),
                    lines: Lines {
                        begin,
                        end: finding.end_line.filter(|&end| end > begin),
                    },
                },
            }
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&issues).expect("issues serialize");
    out.push('\n');
    out
}

/// A repository-wide finding has no file: GitLab needs a path, so it is
/// placed on the project's directory (`.` at the git root).
fn location_path(path: &str, ctx: &RenderContext) -> String {
    let rebased = if path.is_empty() {
        ctx.git_prefix.as_str().into()
    } else {
        ctx.ci_path(path)
    };
    let trimmed = rebased.trim_end_matches('/');
    if trimmed.is_empty() {
        ".".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use crate::report::{Finding, Report, Severity, sample};

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(super::render(&sample::report(), &sample::context("")));
    }

    /// The fields GitLab documents for a Code Quality issue, with their
    /// types, on every issue; nothing GitLab would reject.
    #[test]
    fn every_issue_has_the_fields_gitlab_reads() {
        let rendered = super::render(&sample::report(), &sample::context("services"));
        let issues: serde_json::Value = serde_json::from_str(&rendered).unwrap();
        let issues = issues.as_array().unwrap();
        assert!(!issues.is_empty());
        let mut fingerprints = std::collections::HashSet::new();
        for issue in issues {
            assert!(issue["description"].as_str().is_some_and(|d| !d.is_empty()));
            assert!(issue["check_name"].as_str().is_some_and(|c| !c.is_empty()));
            let fingerprint = issue["fingerprint"].as_str().unwrap();
            assert!(
                fingerprints.insert(fingerprint.to_string()),
                "{fingerprint} twice"
            );
            assert!(
                ["info", "minor", "major", "critical", "blocker"]
                    .contains(&issue["severity"].as_str().unwrap())
            );
            let path = issue["location"]["path"].as_str().unwrap();
            assert!(!path.is_empty() && !path.starts_with('/'), "{path}");
            assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        }
    }

    #[test]
    fn one_offence_twice_in_a_file_gives_two_issues() {
        let mut report = Report::new("lint");
        for line in [3, 9] {
            report.findings.push(
                Finding::new(
                    "go-structured-logging",
                    Severity::Error,
                    "a.go",
                    "fmt.Println",
                    "fmt.Println",
                )
                .at_line(line),
            );
        }
        let rendered = super::render(&report, &sample::context("svc"));
        let issues: serde_json::Value = serde_json::from_str(&rendered).unwrap();
        let first = issues[0]["fingerprint"].as_str().unwrap();
        assert_eq!(issues[1]["fingerprint"], format!("{first}-1"));
        assert_eq!(issues[0]["location"]["path"], "svc/a.go");
        assert_eq!(issues[1]["location"]["lines"]["begin"], 9);
    }

    #[test]
    fn a_repository_wide_finding_is_placed_on_the_project() {
        let mut report = Report::new("drift");
        report.findings.push(Finding::new(
            "drift-go-directive",
            Severity::Warning,
            "",
            "go directives differ",
            "go",
        ));
        let at_root = super::render(&report, &sample::context(""));
        assert!(at_root.contains("\"path\": \".\""), "{at_root}");
        let nested = super::render(&report, &sample::context("platform"));
        assert!(nested.contains("\"path\": \"platform\""), "{nested}");
    }
}
