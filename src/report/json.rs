use super::Report;
use serde_json::json;

/// `{"version":1,"tool":"trellis","command":..,"findings":[..],"summary":{..}}`.
pub fn render(report: &Report) -> String {
    let stats: serde_json::Map<String, serde_json::Value> = report
        .stats
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    let document = json!({
        "version": 1,
        "tool": "trellis",
        "command": report.command,
        "findings": report.findings,
        "summary": report.summary(),
        "stats": stats,
    });
    let mut out = serde_json::to_string_pretty(&document).expect("findings serialize");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn snapshot() {
        insta::assert_snapshot!(super::render(&crate::report::sample::report()));
    }
}
