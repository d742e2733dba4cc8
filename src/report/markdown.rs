use super::Report;
use std::fmt::Write;

/// A summary fit for a pull-request comment.
pub(crate) fn render(report: &Report) -> String {
    let summary = report.summary();
    let mut out = String::new();
    let _ = writeln!(out, "### trellis {}", report.command);
    let _ = writeln!(out);
    if report.findings.is_empty() {
        let _ = writeln!(out, "No findings.");
        return out;
    }
    let _ = writeln!(
        out,
        "**{}** error{}, **{}** warning{}, **{}** info{}",
        summary.errors,
        plural(summary.errors),
        summary.warnings,
        plural(summary.warnings),
        summary.infos,
        plural(summary.infos)
    );
    let _ = writeln!(out);
    if report.findings.len() > 1 {
        let _ = writeln!(out, "| Rule | Findings |");
        let _ = writeln!(out, "|---|---:|");
        for (rule, count) in report.counts_by_rule() {
            let _ = writeln!(out, "| `{rule}` | {count} |");
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "| Severity | Rule | Location | Service | Message |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for finding in &report.findings {
        let location = match finding.line {
            Some(line) if !finding.path.is_empty() => {
                cell_code(&format!("{}:{}", finding.path, line))
            }
            _ if !finding.path.is_empty() => cell_code(&finding.path),
            _ => String::new(),
        };
        let icon = match finding.severity {
            super::Severity::Error => "🔴 error",
            super::Severity::Warning => "🟡 warning",
            super::Severity::Info => "🔵 info",
        };
        let mut message = escape_cell(&finding.message);
        for related in &finding.related {
            message.push_str("<br>↳ ");
            if !related.path.is_empty() {
                // Lines only, like the finding's own location column.
                let at = super::paths::location(&related.path, related.line, None);
                message.push_str(&format!("{} ", cell_code(&at)));
            }
            message.push_str(&escape_cell(&related.label));
        }
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} |",
            icon,
            finding.rule,
            location,
            escape_text(finding.service.as_deref().unwrap_or("")),
            message
        );
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A code span in a table cell: GitHub's tables split at `|` even within code.
fn cell_code(text: &str) -> String {
    code_span(text).replace('|', "\\|")
}

fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', "<br>")
}

/// Text from the repository (a service or directory name) as literal text
/// in a Markdown table cell or list: no emphasis, link, HTML or column
/// break can come out of a name like `a|b` or `<img src=x>`.
pub(crate) fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '!' | '#' | '(' | ')' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// `text` as one inline code span that it cannot close early: the fence is
/// longer than any run of backticks inside.
pub(crate) fn code_span(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn snapshot() {
        insta::assert_snapshot!(super::render(&crate::report::sample::report()));
    }

    #[test]
    fn names_from_the_repository_cannot_break_the_table() {
        let mut report = crate::report::sample::report();
        report.findings.truncate(1);
        report.findings[0].service = Some("evil|<img src=x onerror=alert(1)>[x](http://e)".into());
        report.findings[0].path = "services/a`b|c.go".into();
        let out = super::render(&report);
        let row = out.lines().last().unwrap();
        let unescaped_pipes = row
            .match_indices('|')
            .filter(|(i, _)| !row[..*i].ends_with('\\'))
            .count();
        assert_eq!(unescaped_pipes, 6, "{row}");
        assert!(!row.contains("<img"), "{row}");
        assert!(row.contains("\\[x\\]\\(http://e\\)"), "{row}");
        assert!(row.contains("``services/a`b\\|c.go``"), "{row}");
    }

    #[test]
    fn code_spans_outlast_the_backticks_inside() {
        assert_eq!(super::code_span("plain"), "`plain`");
        assert_eq!(super::code_span("a``b"), "```a``b```");
        assert_eq!(super::code_span("`x"), "`` `x ``");
    }

    #[test]
    fn one_finding_has_no_counts_table() {
        let mut report = crate::report::sample::report();
        report.findings.truncate(1);
        let out = super::render(&report);
        assert!(!out.contains("| Rule | Findings |"), "{out}");
        assert!(out.contains("| Severity | Rule |"), "{out}");
    }
}
