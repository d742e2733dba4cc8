//! `//trellis:ignore RULE reason` and `// trellis:ignore-file RULE reason`.
//! A comment on its own line covers the next line; a trailing one covers its own.

use crate::error::did_you_mean;
use crate::report::{Finding, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Suppression {
    /// Where the comment is (1-based).
    pub(crate) line: u32,
    pub(crate) column: u32,
    /// The line the comment covers; 0 for file-wide comments.
    pub(crate) target: u32,
    pub(crate) file_wide: bool,
    pub(crate) rules: Vec<String>,
    pub(crate) reason: Option<String>,
}

const MARKER: &str = "trellis:ignore";

/// Every suppression comment of a file (Go, Rust, SQL, YAML, TOML or go.mod comments).
pub(crate) fn parse(text: &str) -> Vec<Suppression> {
    // Most files have no suppression: one search of the whole text instead of one per line.
    if !text.contains(MARKER) {
        return Vec::new();
    }
    let mut found = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (index, line) in lines.iter().enumerate() {
        let Some(at) = line.find(MARKER) else {
            continue;
        };
        let before = line[..at].trim_end();
        let comment_start = ["//", "--", "#", "/*"]
            .iter()
            .find(|m| before.ends_with(*m))
            .map(|m| before.len() - m.len());
        let Some(comment_start) = comment_start else {
            continue;
        };
        let mut rest = &line[at + MARKER.len()..];
        let file_wide = rest.starts_with("-file");
        if file_wide {
            rest = &rest["-file".len()..];
        }
        if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
            continue; // trellis:ignored, trellis:ignore-something-else
        }
        let rest = rest.trim().trim_end_matches("*/").trim();
        let (rules, reason) = match rest.split_once(char::is_whitespace) {
            Some((rules, reason)) => (rules, reason.trim()),
            None => (rest, ""),
        };
        let standalone = line[..comment_start].trim().is_empty();
        let line_number = index as u32 + 1;
        let target = if file_wide {
            0
        } else if standalone {
            // The next line that is not itself a suppression comment.
            let mut next = index + 1;
            while next < lines.len()
                && lines[next].trim_start().starts_with("//")
                && lines[next].contains(MARKER)
            {
                next += 1;
            }
            next as u32 + 1
        } else {
            line_number
        };
        found.push(Suppression {
            line: line_number,
            column: line[..comment_start].chars().count() as u32 + 1,
            target,
            file_wide,
            rules: rules
                .split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_string)
                .collect(),
            reason: (!reason.is_empty()).then(|| reason.to_string()),
        });
    }
    found
}

/// Applies the suppressions of each file to its findings. Returns the findings
/// left, plus findings about the comments themselves (unknown ids, no reason,
/// unused) for the engine rules that are enabled.
pub(crate) fn apply(
    findings: Vec<Finding>,
    suppressions: &BTreeMap<String, Vec<Suppression>>,
    known: &[String],
    enabled: &BTreeMap<String, Severity>,
    service_of: &dyn Fn(&str) -> Option<String>,
) -> Vec<Finding> {
    let mut used: std::collections::BTreeSet<(String, usize, usize)> =
        std::collections::BTreeSet::new();
    let mut kept = Vec::new();
    for finding in findings {
        let mut suppressed = false;
        if let Some(list) = suppressions.get(&finding.path) {
            for (i, s) in list.iter().enumerate() {
                let covers = s.file_wide || finding.line == Some(s.target);
                if !covers {
                    continue;
                }
                for (j, rule) in s.rules.iter().enumerate() {
                    if *rule == finding.rule {
                        suppressed = true;
                        used.insert((finding.path.clone(), i, j));
                    }
                }
            }
        }
        if !suppressed {
            kept.push(finding);
        }
    }
    for (path, list) in suppressions {
        let service = service_of(path);
        for (i, s) in list.iter().enumerate() {
            let span = crate::report::Span {
                line: s.line,
                column: s.column,
                end_line: s.line,
                end_column: s.column,
            };
            if s.rules.is_empty() {
                if let Some(severity) = enabled.get("unknown-rule") {
                    kept.push(
                        Finding::new(
                            "unknown-rule",
                            *severity,
                            path,
                            "trellis:ignore names no rule",
                            &format!("ignore:{}", s.line),
                        )
                        .at(span)
                        .service(service.clone())
                        .help("write `//trellis:ignore RULE-ID reason`"),
                    );
                }
                continue;
            }
            if s.reason.is_none()
                && let Some(severity) = enabled.get("suppression-reason")
            {
                kept.push(
                    Finding::new(
                        "suppression-reason",
                        *severity,
                        path,
                        format!("trellis:ignore {} gives no reason", s.rules.join(",")),
                        &format!("reason:{}", s.rules.join(",")),
                    )
                    .at(span)
                    .service(service.clone())
                    .help("add why the rule does not apply here after the rule id"),
                );
            }
            for (j, rule) in s.rules.iter().enumerate() {
                if !known.iter().any(|k| k == rule) {
                    if let Some(severity) = enabled.get("unknown-rule") {
                        let mut f = Finding::new(
                            "unknown-rule",
                            *severity,
                            path,
                            format!("trellis:ignore names an unknown rule `{rule}`"),
                            rule,
                        )
                        .at(span)
                        .service(service.clone());
                        f = match did_you_mean(rule, known.iter().map(String::as_str)) {
                            Some(close) => f.help(format!("did you mean `{close}`?")),
                            None => f.help("run `trellis rules` for the list of rule ids"),
                        };
                        kept.push(f);
                    }
                    continue;
                }
                let rule_enabled = enabled.contains_key(rule);
                if rule_enabled
                    && !used.contains(&(path.clone(), i, j))
                    && let Some(severity) = enabled.get("unused-suppression")
                {
                    kept.push(
                        Finding::new(
                            "unused-suppression",
                            *severity,
                            path,
                            format!("trellis:ignore {rule} suppresses nothing"),
                            &format!("unused:{rule}"),
                        )
                        .at(span)
                        .service(service.clone())
                        .help("delete the comment"),
                    );
                }
            }
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_comment_forms() {
        let text = "package x\n//trellis:ignore go-init-func registers drivers\nfunc init() {}\nvar a = 1 // trellis:ignore go-mutable-global,go-init-func set by ldflags\n// trellis:ignore-file arch-layer legacy package\n-- trellis:ignore arch-shared-table\nx := \"trellis:ignore not a comment\"\n";
        let s = parse(text);
        assert_eq!(s.len(), 4);
        assert_eq!((s[0].line, s[0].target, s[0].file_wide), (2, 3, false));
        assert_eq!(s[0].rules, vec!["go-init-func"]);
        assert_eq!(s[0].reason.as_deref(), Some("registers drivers"));
        assert_eq!((s[1].line, s[1].target), (4, 4));
        assert_eq!(s[1].rules, vec!["go-mutable-global", "go-init-func"]);
        assert!(s[2].file_wide);
        assert_eq!(s[3].reason, None);
    }

    #[test]
    fn applies_and_reports_unused_unknown_and_missing_reasons() {
        let text = "//trellis:ignore go-init-func reason\nfunc init() {}\n//trellis:ignore go-naked-return reason\n//trellis:ignore go-init-fun reason\n//trellis:ignore go-init-func\n";
        let mut map = BTreeMap::new();
        map.insert("a.go".to_string(), parse(text));
        let finding =
            Finding::new("go-init-func", Severity::Warning, "a.go", "m", "init").at_line(2);
        let known: Vec<String> = ["go-init-func", "go-naked-return"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let enabled: BTreeMap<String, Severity> = [
            "go-init-func",
            "go-naked-return",
            "unknown-rule",
            "unused-suppression",
            "suppression-reason",
        ]
        .iter()
        .map(|s| (s.to_string(), Severity::Warning))
        .collect();
        let out = apply(vec![finding], &map, &known, &enabled, &|_| None);
        let mut rules: Vec<(&str, u32)> = out
            .iter()
            .map(|f| (f.rule.as_str(), f.line.unwrap()))
            .collect();
        rules.sort();
        assert_eq!(
            rules,
            vec![
                ("suppression-reason", 5),
                ("unknown-rule", 4),
                ("unused-suppression", 3),
                ("unused-suppression", 5),
            ]
        );
        let unknown = out.iter().find(|f| f.rule == "unknown-rule").unwrap();
        assert!(unknown.help.as_deref().unwrap().contains("go-init-func"));
    }
}
