//! rustc-style diagnostics with the source line and a caret.

use super::paths::related_line;
use super::{Finding, Related, RenderContext, Report, Severity, Span};
use annotate_snippets::{Annotation, AnnotationKind, Group, Level, Renderer, Snippet};
use rayon::prelude::*;
use std::collections::HashMap;
use std::fmt::Write;

pub(crate) fn render(report: &Report, ctx: &RenderContext) -> String {
    let renderer = if ctx.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    // Reports can carry thousands of findings: sources are read and findings
    // rendered in parallel, then joined in report order.
    let mut paths: Vec<&str> = report
        .findings
        .iter()
        .flat_map(|f| {
            let related = f
                .related
                .iter()
                .filter(|r| r.line.is_some() && r.revision.is_none());
            std::iter::once(f.path.as_str()).chain(related.map(|r| r.path.as_str()))
        })
        .filter(|p| !p.is_empty())
        .collect();
    paths.sort_unstable();
    paths.dedup();
    let sources: Sources<'_> = paths
        .par_iter()
        .map(|path| {
            let text = match report.sources.get(*path) {
                Some(checked) => Some(checked.clone()),
                None => std::fs::read_to_string(ctx.root.join(path)).ok(),
            };
            (*path, text.map(SourceLines::new))
        })
        .collect();
    let rendered: Vec<String> = report
        .findings
        .par_iter()
        .map(|finding| render_finding(finding, &sources, &renderer))
        .collect();
    let mut out = String::with_capacity(rendered.iter().map(|r| r.len() + 2).sum::<usize>() + 200);
    for text in rendered {
        out.push_str(&text);
        out.push_str("\n\n");
    }
    if report.findings.len() > 1 {
        out.push_str(&by_rule_line(report));
        out.push('\n');
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    out
}

type Sources<'a> = HashMap<&'a str, Option<SourceLines>>;

fn source_line<'s>(sources: &'s Sources<'_>, path: &str, line: Option<u32>) -> Option<&'s str> {
    sources.get(path)?.as_ref()?.line(line?)
}

/// A source file with the offsets of its lines, found in one pass. Looking
/// each finding's line up by counting lines from the top made the text
/// report quadratic in the size of a file with many findings (#17: 17 s of
/// CPU for an 8 MB Go file).
struct SourceLines {
    text: String,
    /// Byte offset where each line starts.
    starts: Vec<usize>,
    /// Bytes read by `new` and `line`, for the test that work is linear.
    #[cfg(test)]
    read: std::sync::atomic::AtomicUsize,
}

impl SourceLines {
    fn new(text: String) -> SourceLines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
        SourceLines {
            #[cfg(test)]
            read: std::sync::atomic::AtomicUsize::new(text.len()),
            text,
            starts,
        }
    }

    /// Line `number` (1-based) without its line ending, as `str::lines`
    /// gives it.
    fn line(&self, number: u32) -> Option<&str> {
        let index = (number as usize).checked_sub(1)?;
        let start = *self.starts.get(index)?;
        if start == self.text.len() {
            return None;
        }
        let end = self
            .starts
            .get(index + 1)
            .map_or(self.text.len(), |next| next - 1);
        let line = &self.text[start..end];
        #[cfg(test)]
        self.read
            .fetch_add(line.len(), std::sync::atomic::Ordering::Relaxed);
        Some(line.strip_suffix('\r').unwrap_or(line))
    }
}

fn render_finding(finding: &Finding, sources: &Sources<'_>, renderer: &Renderer) -> String {
    let level = match finding.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    };
    let title = level.primary_title(&finding.message).id(&finding.rule);
    let mut group = Group::with_title(title);
    let line_text = source_line(sources, &finding.path, finding.line);
    let origin_label = finding
        .service
        .as_ref()
        .map(|service| format!("in {service}"))
        .unwrap_or_default();
    match (line_text, finding.span()) {
        (Some(text), Some(span)) => {
            let mut annotation = AnnotationKind::Primary.span(caret_range(text, span));
            if !origin_label.is_empty() {
                annotation = annotation.label(origin_label.clone());
            }
            group = group.element(
                Snippet::source(text.to_string())
                    .line_start(span.line as usize)
                    .path(finding.path.clone())
                    .annotation(annotation),
            );
        }
        _ if !finding.path.is_empty() => {
            let mut origin = annotate_snippets::Origin::path(finding.path.clone());
            if let Some(line) = finding.line {
                origin = origin.line(line as usize);
                if let Some(column) = finding.column {
                    origin = origin.char_column(column as usize);
                }
            }
            group = group.element(origin);
        }
        _ => {}
    }
    group = related_elements(group, finding, sources);
    for note in &finding.notes {
        group = group.element(Level::NOTE.message(note.clone()));
    }
    if line_text.is_none()
        && let Some(service) = &finding.service
    {
        group = group.element(Level::NOTE.message(format!("service: {service}")));
    }
    if let Some(help) = &finding.help {
        group = group.element(Level::HELP.message(help.clone()));
    }
    renderer.render(&[group]).to_string()
}

/// Related locations the way rustc shows other files: a secondary snippet
/// (`::: path:line:col`, the line, a labelled `-` underline) when the line
/// can be read, else a `= note: path:line:col: label` line. Snippets come
/// first, as one after a note would be drawn inside it.
fn related_elements<'a>(
    mut group: Group<'a>,
    finding: &'a Finding,
    sources: &'a Sources<'_>,
) -> Group<'a> {
    // Without a primary location the first snippet would be drawn as the
    // primary one (`-->`), so repository-wide findings list notes only.
    let has_primary = !finding.path.is_empty();
    let mut notes = Vec::new();
    for related in &finding.related {
        // A place in another revision: the file on disk holds other lines.
        let line_text = (has_primary && related.revision.is_none())
            .then(|| source_line(sources, &related.path, related.line))
            .flatten();
        match (line_text, related.span()) {
            (Some(text), Some(span)) => {
                group = group.element(secondary_snippet(related, text, span));
            }
            _ => notes.push(Level::NOTE.message(related_line(&related.path, related))),
        }
    }
    group.elements(notes)
}

fn secondary_snippet<'a>(
    related: &'a Related,
    text: &str,
    span: Span,
) -> Snippet<'a, Annotation<'a>> {
    let annotation = AnnotationKind::Context
        .span(caret_range(text, span))
        .label(related.label.as_str());
    Snippet::source(text.to_string())
        .line_start(span.line as usize)
        .path(related.path.as_str())
        .annotation(annotation)
}

/// The bytes of `text` (the span's first line) to underline. An empty span
/// still underlines one character, and one running past the line underlines
/// to its end.
fn caret_range(text: &str, span: Span) -> std::ops::Range<usize> {
    let start = char_to_byte(text, span.column);
    let end = if span.end_line == span.line {
        char_to_byte(text, span.end_column).max(start)
    } else {
        text.len()
    };
    if end == start {
        start..start + text[start..].chars().next().map_or(0, char::len_utf8)
    } else {
        start..end
    }
}

/// Columns are 1-based character counts; snippets want byte offsets.
fn char_to_byte(text: &str, column: u32) -> usize {
    if column == 0 {
        return 0;
    }
    text.char_indices()
        .nth(column as usize - 1)
        .map_or(text.len(), |(i, _)| i)
}

/// `by rule: go-mutable-global 12, go-init-func 4`: where a long report's
/// volume comes from, read before the summary line.
fn by_rule_line(report: &Report) -> String {
    let counts: Vec<String> = report
        .counts_by_rule()
        .iter()
        .map(|(rule, count)| format!("{rule} {count}"))
        .collect();
    format!("by rule: {}", counts.join(", "))
}

pub(crate) fn summary_line(report: &Report) -> String {
    let summary = report.summary();
    let mut line = String::new();
    if report.findings.is_empty() {
        let _ = write!(line, "trellis {}: no findings", report.command);
    } else {
        let _ = write!(
            line,
            "trellis {}: {} error{}, {} warning{}, {} info{}",
            report.command,
            summary.errors,
            if summary.errors == 1 { "" } else { "s" },
            summary.warnings,
            if summary.warnings == 1 { "" } else { "s" },
            summary.infos,
            if summary.infos == 1 { "" } else { "s" },
        );
    }
    for (key, value) in &report.stats {
        let _ = write!(line, "; {key}: {value}");
    }
    line
}

#[cfg(test)]
mod tests {
    use crate::report::{Finding, RenderContext, Report, Severity, sample};

    #[test]
    fn snapshot_plain() {
        let root = sample::source_root();
        let ctx = RenderContext {
            root: root.path().to_path_buf(),
            color: false,
            git_prefix: String::new(),
            describe: crate::rules::find,
        };
        insta::assert_snapshot!(super::render(&sample::report(), &ctx));
    }

    #[test]
    fn paths_stay_as_the_person_typed_them() {
        let root = sample::source_root();
        let ctx = RenderContext {
            root: root.path().to_path_buf(),
            color: false,
            git_prefix: "tools/shop".into(),
            describe: crate::rules::find,
        };
        let out = super::render(&sample::report(), &ctx);
        assert!(
            out.contains(" --> services/order/internal/service/order.go:2:2"),
            "{out}"
        );
        assert!(out.contains("::: services/inventory/go.mod:5:9"), "{out}");
        assert!(!out.contains("tools/shop"), "{out}");
    }

    fn finding(rule: &str, path: &str) -> Finding {
        Finding::new(rule, Severity::Warning, path, "m", path)
    }

    #[test]
    fn counts_by_rule_come_most_first_before_the_summary() {
        let mut report = Report::new("lint");
        report.findings = vec![
            finding("go-init-func", "a.go"),
            finding("go-mutable-global", "a.go"),
            finding("go-mutable-global", "b.go"),
            finding("arch-cross-service-import", "c.go"),
        ];
        report.finish();
        let ctx = sample::context("");
        let out = super::render(&report, &ctx);
        let tail: Vec<&str> = out.lines().rev().take(2).collect();
        assert_eq!(
            tail,
            [
                "trellis lint: 0 errors, 4 warnings, 0 infos",
                "by rule: go-mutable-global 2, arch-cross-service-import 1, go-init-func 1",
            ]
        );
    }

    #[test]
    fn one_finding_has_no_counts() {
        let mut report = Report::new("lint");
        report.findings = vec![finding("go-init-func", "a.go")];
        let out = super::render(&report, &sample::context(""));
        assert!(!out.contains("by rule:"), "{out}");
        let empty = super::render(&Report::new("lint"), &sample::context(""));
        assert_eq!(empty, "trellis lint: no findings\n");
    }

    #[test]
    fn source_lines_match_str_lines() {
        for text in ["", "a", "a\n", "a\r\nb", "\n\nc\n", "x\r\n\r\n", "é\nü"] {
            let lines = super::SourceLines::new(text.to_string());
            for number in 0..6u32 {
                let expected = (number > 0)
                    .then(|| text.lines().nth(number as usize - 1))
                    .flatten();
                assert_eq!(lines.line(number), expected, "{text:?} line {number}");
            }
        }
    }

    /// Rendering reads each source once plus the lines it shows: linear in
    /// the size of the file, however many findings it has.
    #[test]
    fn rendering_many_findings_reads_each_line_once() {
        let text: String = (0..3000).map(|i| format!("line {i}\n")).collect();
        let mut report = Report::new("lint");
        for line in 1..=3000 {
            let mut finding = super::Finding::new(
                "go-init-func",
                super::Severity::Warning,
                "big.go",
                "m".to_string(),
                "k",
            );
            finding = finding.at(super::Span::point(line, 1));
            report.findings.push(finding);
        }
        let mut sources = super::Sources::new();
        sources.insert("big.go", Some(super::SourceLines::new(text.clone())));
        let renderer = annotate_snippets::Renderer::plain();
        for finding in &report.findings {
            super::render_finding(finding, &sources, &renderer);
        }
        let read = sources["big.go"]
            .as_ref()
            .unwrap()
            .read
            .load(std::sync::atomic::Ordering::Relaxed);
        // The whole file once, then each finding's own line.
        assert!(
            read <= 2 * text.len(),
            "{read} bytes read for {}",
            text.len()
        );
    }

    #[test]
    fn columns_count_characters() {
        assert_eq!(super::char_to_byte("héllo", 3), 3);
        assert_eq!(super::char_to_byte("abc", 10), 3);
    }
}
