use super::paths::related_line;
use super::{Finding, RenderContext, Report};
use std::collections::BTreeMap;
use std::fmt::Write;

/// JUnit XML: one testcase per rule and file, failing when it has findings.
/// Files are named relative to the git root, like the CI job sees them.
pub(crate) fn render(report: &Report, ctx: &RenderContext) -> String {
    let mut cases: BTreeMap<(&str, &str), Vec<&Finding>> = BTreeMap::new();
    for finding in &report.findings {
        cases
            .entry((finding.rule.as_str(), finding.path.as_str()))
            .or_default()
            .push(finding);
    }
    let suite = format!("trellis {}", report.command);
    let tests = cases.len().max(1);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\">",
        xml(&suite),
        tests,
        cases.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
        xml(&suite),
        tests,
        cases.len()
    );
    if cases.is_empty() {
        let _ = writeln!(
            out,
            "    <testcase classname=\"trellis.{}\" name=\"no findings\"/>",
            xml(&report.command)
        );
    }
    for ((rule, path), findings) in &cases {
        let path = ctx.ci_path(path);
        let name = if path.is_empty() {
            "(repository)"
        } else {
            &path
        };
        let _ = writeln!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\">",
            xml(rule),
            xml(name)
        );
        for finding in findings {
            let location = match finding.line {
                Some(line) => format!("{}:{}:{}", name, line, finding.column.unwrap_or(1)),
                None => name.to_string(),
            };
            let mut body = format!("{location}: {}", finding.message);
            for note in &finding.notes {
                body.push('\n');
                body.push_str(note);
            }
            for related in &finding.related {
                body.push('\n');
                body.push_str(&related_line(&ctx.ci_path(&related.path), related));
            }
            if let Some(help) = &finding.help {
                body.push_str("\nhelp: ");
                body.push_str(help);
            }
            let _ = writeln!(
                out,
                "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                finding.severity,
                xml(&finding.message),
                xml(&body)
            );
        }
        let _ = writeln!(out, "    </testcase>");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 cannot carry most control characters, even escaped.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
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
        assert!(
            out.contains("name=\"tools/shop/services/order/go.mod\""),
            "{out}"
        );
        assert!(
            out.contains(">tools/shop/services/order/go.mod:5:1: github.com"),
            "{out}"
        );
        assert!(out.contains("\ntools/shop/services/inventory/go.mod:5:9: v1.5.0 required here"));
        assert!(out.contains("name=\"(repository)\""));
    }

    #[test]
    fn empty_report_is_one_passing_case() {
        let out = super::render(&crate::report::Report::new("lint"), &sample::context(""));
        assert!(out.contains("name=\"no findings\""));
        assert!(out.contains("failures=\"0\""));
    }
}
