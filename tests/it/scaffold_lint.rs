//! Issue 3: "The generated service must pass `trellis lint` with zero
//! findings". Every built-in template is generated (without code generation,
//! so without the network) and linted with the default settings.

use crate::support::scaffolded::scaffold;
use crate::support::{stderr_of, stdout_of, trellis};
use std::path::Path;

/// `trellis lint -C DIR --format json`: the exit code, the findings and the
/// number of files analysed.
fn lint(dir: &Path) -> (Option<i32>, Vec<serde_json::Value>, u64) {
    let out = trellis()
        .args([
            "lint",
            "--no-cache",
            "--format",
            "json",
            "--fail-on",
            "info",
            "-C",
        ])
        .arg(dir)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&out))
        .unwrap_or_else(|e| panic!("lint output is not JSON ({e}): {}", stderr_of(&out)));
    let findings = json["findings"].as_array().cloned().unwrap_or_default();
    let analysed = json["stats"]["files analysed"]
        .as_str()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    (out.status.code(), findings, analysed)
}

fn assert_clean(dir: &Path, min_files: u64) {
    let (code, findings, analysed) = lint(dir);
    let listed: Vec<String> = findings
        .iter()
        .map(|f| format!("{} {}: {}", f["rule"], f["path"], f["message"]))
        .collect();
    assert!(
        findings.is_empty(),
        "{} has findings:\n{}",
        dir.display(),
        listed.join("\n")
    );
    assert_eq!(code, Some(0), "{}", dir.display());
    assert!(
        analysed >= min_files,
        "{}: only {analysed} files analysed",
        dir.display()
    );
}

#[test]
fn the_go_starter_service_has_no_lint_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = scaffold(tmp.path(), "payment")
        .module("example.com/shop/payment")
        .create();
    // The layers the seeds prescribe: repo and service share domain types
    // without repo importing service.
    let memory = std::fs::read_to_string(dir.join("internal/repo/memory.go")).unwrap();
    assert!(memory.contains("\"example.com/shop/payment/internal/domain\""));
    assert!(
        !memory.contains("\"example.com/shop/payment/internal/service\""),
        "{memory}"
    );
    assert!(dir.join("internal/domain/errors.go").is_file());
    assert!(dir.join("internal/domain/payment.go").is_file());
    assert_clean(&dir, 20);
}

#[test]
fn the_go_service_from_a_streaming_contract_has_no_lint_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = scaffold(tmp.path(), "ledger")
        .module("example.com/shop/ledger")
        .ledger()
        .create();
    assert_clean(&dir, 25);
}

#[test]
fn the_rust_services_have_no_lint_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let starter = scaffold(tmp.path(), "inventory").rust().create();
    assert_clean(&starter, 8);
    let streaming = scaffold(tmp.path(), "rledger").rust().ledger().create();
    assert_clean(&streaming, 8);
}

/// The zero above means something: a layering mistake in the same tree is found.
#[test]
fn a_repo_that_imports_the_service_layer_is_still_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = scaffold(tmp.path(), "payment")
        .module("example.com/shop/payment")
        .create();
    std::fs::write(
        dir.join("internal/repo/wiring.go"),
        "package repo\n\nimport \"example.com/shop/payment/internal/service\"\n\n\
         var _ service.Repository = (*Memory)(nil)\n",
    )
    .unwrap();
    let (code, findings, _) = lint(&dir);
    assert_eq!(code, Some(1));
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["rule"], "arch-layer");
    assert_eq!(findings[0]["path"], "internal/repo/wiring.go");
}
