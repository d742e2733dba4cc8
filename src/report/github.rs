use super::paths::related_line;
use super::{RenderContext, Report, Severity};
use std::fmt::Write;

/// GitHub Actions workflow commands: annotations on the pull request diff.
/// Paths are relative to the git root, where the runner resolves them.
pub(crate) fn render(report: &Report, ctx: &RenderContext) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        let command = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = Vec::new();
        if !finding.path.is_empty() {
            props.push(format!(
                "file={}",
                escape_property(&ctx.ci_path(&finding.path))
            ));
        }
        if let Some(line) = finding.line {
            props.push(format!("line={line}"));
        }
        if let Some(column) = finding.column {
            props.push(format!("col={column}"));
        }
        if let Some(end_line) = finding.end_line {
            props.push(format!("endLine={end_line}"));
        }
        if let (Some(end_column), Some(end_line), Some(line)) =
            (finding.end_column, finding.end_line, finding.line)
        {
            // GitHub only accepts endColumn on single-line annotations.
            if end_line == line {
                props.push(format!("endColumn={end_column}"));
            }
        }
        props.push(format!("title={}", escape_property(&finding.rule)));
        let mut message = finding.message.clone();
        for note in &finding.notes {
            message.push('\n');
            message.push_str(note);
        }
        // An annotation has one place; the others are named in its text.
        for related in &finding.related {
            message.push('\n');
            message.push_str(&related_line(&ctx.ci_path(&related.path), related));
        }
        if let Some(help) = &finding.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            props.join(","),
            escape_data(&message)
        );
    }
    out
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use crate::report::sample;

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(super::render(&sample::report(), &sample::context("")));
    }

    #[test]
    fn files_are_relative_to_the_git_root() {
        let out = super::render(&sample::report(), &sample::context("tools/shop"));
        let files: Vec<&str> = out
            .lines()
            .filter_map(|line| line.split("file=").nth(1))
            .map(|rest| rest.split(',').next().unwrap())
            .collect();
        assert_eq!(
            files,
            [
                "tools/shop/services/order/go.mod",
                "tools/shop/services/order/internal/service/order.go"
            ]
        );
        assert!(out.contains("%0Atools/shop/services/inventory/go.mod:5:9: v1.5.0 required here"));
    }
}
