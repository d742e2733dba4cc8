//! `--format buf-json` and `--format buf-text`: buf's own output formats, so
//! tooling written for `buf breaking` keeps working.

use super::compare::ContractFinding;
use super::rules::Side;
use serde::Serialize;

#[derive(Serialize)]
struct BufAnnotation<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
    #[serde(rename = "type")]
    rule: &'a str,
    message: &'a str,
}

/// Where buf would put a finding and what it would say: no path for what
/// only the old side has (buf's `<input>`), line 1 column 1 when it has no
/// location, and buf's own location and text where trellis's differ.
fn as_buf(finding: &ContractFinding) -> (Option<&str>, [u32; 4], &str) {
    let path = (finding.side == Side::New).then_some(finding.path.as_str());
    let (loc, message) = match &finding.as_buf {
        Some(buf) => (buf.loc, buf.message.as_str()),
        None => (finding.loc, finding.message.as_str()),
    };
    let span = loc
        .filter(|_| finding.side == Side::New)
        .map_or([1, 1, 1, 1], |l| {
            [l.line, l.column, l.end_line, l.end_column]
        });
    (path, span, message)
}

/// One JSON object per line, as `buf breaking --error-format json` prints.
pub(crate) fn buf_json(findings: &[ContractFinding]) -> String {
    let mut out = String::new();
    for finding in findings {
        let (path, span, message) = as_buf(finding);
        let annotation = BufAnnotation {
            path,
            start_line: span[0],
            start_column: span[1],
            end_line: span[2],
            end_column: span[3],
            rule: &finding.rule,
            message,
        };
        if let Ok(line) = serde_json::to_string(&annotation) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// `path:line:column:message`, as `buf breaking` prints by default.
pub(crate) fn buf_text(findings: &[ContractFinding]) -> String {
    let mut out = String::new();
    for finding in findings {
        let (path, span, message) = as_buf(finding);
        out.push_str(&format!(
            "{}:{}:{}:{message}\n",
            path.unwrap_or("<input>"),
            span[0],
            span[1],
        ));
    }
    out
}
