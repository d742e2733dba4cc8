use super::{Finding, RenderContext, Report};
use serde_json::json;
use std::borrow::Cow;

/// `{"version":1,"tool":"trellis","command":..,"findings":[..],"summary":{..}}`.
/// Paths are relative to the git root; `project_dir` says where the project
/// is under it when that is not the root.
pub(crate) fn render(report: &Report, ctx: &RenderContext) -> String {
    let stats: serde_json::Map<String, serde_json::Value> = report
        .stats
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    let findings: Cow<'_, [Finding]> = if ctx.git_prefix.is_empty() {
        Cow::Borrowed(&report.findings)
    } else {
        Cow::Owned(report.findings.iter().map(|f| rebased(f, ctx)).collect())
    };
    let mut document = json!({
        "version": 1,
        "tool": "trellis",
        "command": report.command,
        "findings": findings,
        "summary": report.summary(),
        "stats": stats,
    });
    if !ctx.git_prefix.is_empty() {
        document["project_dir"] = json!(ctx.git_prefix);
    }
    let mut out = serde_json::to_string_pretty(&document).expect("findings serialize");
    out.push('\n');
    out
}

/// The finding with git-root-relative paths. The fingerprint stays the one
/// built from the project-relative path, so baselines and code-scanning
/// alerts keep matching whichever directory trellis was run on.
fn rebased(finding: &Finding, ctx: &RenderContext) -> Finding {
    let mut finding = finding.clone();
    finding.path = ctx.ci_path(&finding.path).into_owned();
    for related in &mut finding.related {
        related.path = ctx.ci_path(&related.path).into_owned();
    }
    for edit in finding.fix.iter_mut().flat_map(|fix| &mut fix.edits) {
        edit.path = ctx.ci_path(&edit.path).into_owned();
    }
    finding
}

#[cfg(test)]
mod tests {
    use crate::report::sample;

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(super::render(&sample::report(), &sample::context("")));
    }

    #[test]
    fn paths_are_relative_to_the_git_root() {
        let out = super::render(&sample::report(), &sample::context("tools/shop"));
        let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(doc["project_dir"], "tools/shop");
        let findings = doc["findings"].as_array().unwrap();
        let paths: Vec<&str> = findings
            .iter()
            .map(|f| f["path"].as_str().unwrap())
            .collect();
        assert_eq!(
            paths,
            [
                "",
                "tools/shop/services/order/go.mod",
                "tools/shop/services/order/internal/service/order.go"
            ]
        );
        assert_eq!(
            findings[1]["related"][0]["path"],
            "tools/shop/services/inventory/go.mod"
        );
        let plain = super::render(&sample::report(), &sample::context(""));
        let plain: serde_json::Value = serde_json::from_str(&plain).unwrap();
        assert!(plain.get("project_dir").is_none());
        assert_eq!(
            findings[1]["fingerprint"],
            plain["findings"][1]["fingerprint"]
        );
    }
}
