//! The top-level `rules:` and `exceptions:` of trellis.yaml, applied by one
//! sink to the findings of every job: each job's rules can be turned off,
//! re-levelled (the exit code follows) and excepted with a reason.

use crate::support::history::History;
use crate::support::{copy_tree, fixture, stderr_of, stdout_of, trellis_in};
use std::path::Path;

/// The shop fixture (a lint error, a drift mismatch) with this trellis.yaml,
/// outside git so `check` skips contracts.
fn shop_with(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("shop"), dir.path());
    std::fs::write(dir.path().join("trellis.yaml"), config).unwrap();
    dir
}

struct Run {
    code: Option<i32>,
    /// (rule, severity) of every finding, in report order.
    findings: Vec<(String, String)>,
    stats: serde_json::Value,
}

fn trellis_json(dir: &Path, args: &[&str]) -> Run {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let output = trellis_in(dir, &all);
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&output))
        .unwrap_or_else(|e| panic!("{e}: {} {}", stdout_of(&output), stderr_of(&output)));
    let findings = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    Run {
        code: output.status.code(),
        findings,
        stats: json["stats"].clone(),
    }
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

const LINT_ONLY: &[&str] = &["check", "--skip", "drift", "--skip", "contract"];
const DRIFT_ONLY: &[&str] = &["check", "--skip", "lint", "--skip", "contract"];

#[test]
fn lint_rules_are_turned_off_and_relevelled_by_id_and_prefix() {
    let dir = shop_with("version: 1\nrules:\n  go-structured-logging: off\n  arch-: warning\n");
    let run = trellis_json(dir.path(), LINT_ONLY);
    assert_eq!(
        run.findings,
        pairs(&[
            ("arch-cross-service-import", "warning"),
            ("arch-shared-table", "warning"),
        ])
    );
    // Only warnings are left, and the gate fails on errors.
    assert_eq!(run.code, Some(0));
}

#[test]
fn lint_findings_are_excepted_with_a_reason_and_counted() {
    let dir = shop_with(
        "version: 1\nexceptions:\n  - rule: go-structured-logging\n    path: services/order-service/**\n    reason: logging moves to slog in Q3\n  - rule: arch-\n    service: order-service\n    reason: split planned\n",
    );
    for args in [LINT_ONLY, &["lint"]] {
        let run = trellis_json(dir.path(), args);
        assert_eq!(run.findings, pairs(&[]), "{args:?}");
        assert_eq!(run.code, Some(0), "{args:?}");
        let key = if args[0] == "check" {
            "lint excepted"
        } else {
            "excepted"
        };
        assert_eq!(run.stats[key], "3", "{args:?}: {}", run.stats);
    }
}

/// A lint rule that no chosen pack turns on runs when `rules:` names it.
#[test]
fn an_exact_lint_id_turns_a_rule_on() {
    let dir =
        shop_with("version: 1\nlint:\n  packs: [rust]\nrules:\n  go-structured-logging: warning\n");
    let run = trellis_json(dir.path(), LINT_ONLY);
    assert_eq!(run.findings, pairs(&[("go-structured-logging", "warning")]));
    assert_eq!(run.code, Some(0));
}

#[test]
fn drift_rules_are_turned_off_relevelled_and_excepted() {
    let off = shop_with("version: 1\nrules:\n  drift-version-mismatch: off\n");
    let run = trellis_json(off.path(), DRIFT_ONLY);
    assert_eq!(run.findings, pairs(&[]));

    let error = shop_with("version: 1\nrules:\n  drift-: error\n");
    let run = trellis_json(error.path(), DRIFT_ONLY);
    assert_eq!(run.findings, pairs(&[("drift-version-mismatch", "error")]));
    assert_eq!(run.code, Some(1));

    let excepted = shop_with(
        "version: 1\nrules:\n  drift-: error\nexceptions:\n  - rule: drift-version-mismatch\n    service: inventory-service\n    reason: inventory pins the old client until its migration\n",
    );
    let run = trellis_json(excepted.path(), DRIFT_ONLY);
    assert_eq!(run.findings, pairs(&[]));
    assert_eq!(run.code, Some(0));
    assert_eq!(run.stats["drift excepted"], "1", "{}", run.stats);
    // `trellis drift` goes through the same sink.
    let run = trellis_json(excepted.path(), &["drift"]);
    assert_eq!(run.findings, pairs(&[]));
    assert_eq!(run.stats["excepted"], "1", "{}", run.stats);
}

/// A branch that deletes a field of the order contract, with `config` as
/// its trellis.yaml.
fn contract_break(config: &str) -> History {
    let mut history = History::new();
    history.fixture("shop").commit("shop");
    history.branch("feature");
    let order = std::fs::read_to_string(fixture("shop").join("api/order/v1/order.proto")).unwrap();
    history
        .write(
            "api/order/v1/order.proto",
            &order.replace("  string customer_name = 3;\n", ""),
        )
        .write("trellis.yaml", config)
        .commit("drop customer_name");
    history
}

const CONTRACT_ONLY: &[&str] = &["check", "--skip", "lint", "--skip", "drift"];

#[test]
fn contract_rules_are_turned_off_relevelled_and_excepted() {
    let history = contract_break("version: 1\n");
    let run = trellis_json(history.path(), CONTRACT_ONLY);
    assert_eq!(run.findings, pairs(&[("FIELD_NO_DELETE", "error")]));
    assert_eq!(run.code, Some(1));

    let history = contract_break("version: 1\nrules:\n  FIELD_NO_DELETE: warning\n");
    let run = trellis_json(history.path(), CONTRACT_ONLY);
    assert_eq!(run.findings, pairs(&[("FIELD_NO_DELETE", "warning")]));
    assert_eq!(run.code, Some(0));

    let history = contract_break("version: 1\nrules:\n  FIELD_: off\n");
    let run = trellis_json(history.path(), CONTRACT_ONLY);
    assert_eq!(run.findings, pairs(&[]));
    assert_eq!(run.code, Some(0));

    let history = contract_break(
        "version: 1\nexceptions:\n  - rule: FIELD_NO_DELETE\n    path: api/order/**\n    reason: no client reads customer_name\n",
    );
    let run = trellis_json(history.path(), CONTRACT_ONLY);
    assert_eq!(run.findings, pairs(&[]));
    assert_eq!(run.code, Some(0));
    assert_eq!(run.stats["contract excepted"], "1", "{}", run.stats);
    // `trellis contract` goes through the same sink.
    let run = trellis_json(history.path(), &["contract"]);
    assert_eq!(run.findings, pairs(&[]));
    assert_eq!(run.stats["excepted"], "1", "{}", run.stats);
}

#[test]
fn an_unknown_rule_id_is_exit_2_with_file_line_and_suggestion() {
    let dir = shop_with("version: 1\nrules:\n  drift-: warning\n  FIELD_NO_DELET: off\n");
    let output = trellis_in(dir.path(), &["check"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout_of(&output));
    let stderr = stderr_of(&output);
    assert!(stderr.contains("trellis.yaml:4:3"), "{stderr}");
    assert!(
        stderr.contains("did you mean `FIELD_NO_DELETE`"),
        "{stderr}"
    );

    let dir = shop_with(
        "version: 1\nexceptions:\n  - rule: go-structured-loging\n    path: \"**\"\n    reason: x\n",
    );
    let output = trellis_in(dir.path(), &["lint"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout_of(&output));
    let stderr = stderr_of(&output);
    assert!(stderr.contains("trellis.yaml:3:"), "{stderr}");
    assert!(
        stderr.contains("did you mean `go-structured-logging`"),
        "{stderr}"
    );
}
