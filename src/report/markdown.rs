use super::Report;
use std::fmt::Write;

/// A summary fit for a pull-request comment.
pub fn render(report: &Report) -> String {
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
            Some(line) if !finding.path.is_empty() => format!("`{}:{}`", finding.path, line),
            _ if !finding.path.is_empty() => format!("`{}`", finding.path),
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
                message.push_str(&format!("`{}` ", escape_cell(&at)));
            }
            message.push_str(&escape_cell(&related.label));
        }
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} |",
            icon,
            finding.rule,
            location,
            finding.service.as_deref().unwrap_or(""),
            message
        );
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', "<br>")
}

#[cfg(test)]
mod tests {
    #[test]
    fn snapshot() {
        insta::assert_snapshot!(super::render(&crate::report::sample::report()));
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
