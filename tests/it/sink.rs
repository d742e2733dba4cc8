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

/// Runs `trellis contract --format FORMAT` and returns the exit code and stdout.
fn contract_in(history: &History, format: &str) -> (Option<i32>, String) {
    let output = trellis_in(history.path(), &["contract", "--format", format]);
    (output.status.code(), stdout_of(&output))
}

const CONTRACT_FORMATS: &[&str] = &["text", "json", "sarif", "buf-json", "buf-text"];

/// buf's formats print no severity, but which findings they print and the
/// exit code follow `rules:` and `exceptions:` as every other format does.
#[test]
fn contract_rules_and_exceptions_hold_in_every_format_buf_included() {
    let plain = contract_break("version: 1\n");
    for format in CONTRACT_FORMATS {
        let (code, out) = contract_in(&plain, format);
        assert_eq!(code, Some(1), "{format}: {out}");
        assert!(out.contains("customer_name"), "{format}: {out}");
    }
    let off = contract_break("version: 1\nrules:\n  FIELD_: off\n");
    let excepted = contract_break(
        "version: 1\nexceptions:\n  - rule: FIELD_NO_DELETE\n    path: api/order/**\n    reason: no client reads customer_name\n",
    );
    for (name, history) in [("off", &off), ("excepted", &excepted)] {
        for format in CONTRACT_FORMATS {
            let (code, out) = contract_in(history, format);
            assert_eq!(code, Some(0), "{name} {format}: {out}");
            assert!(!out.contains("customer_name"), "{name} {format}: {out}");
        }
    }
    let warning = contract_break("version: 1\nrules:\n  FIELD_NO_DELETE: warning\n");
    for format in CONTRACT_FORMATS {
        let (code, out) = contract_in(&warning, format);
        assert_eq!(code, Some(0), "{format}: {out}");
        assert!(out.contains("customer_name"), "{format}: {out}");
    }
    let (_, sarif) = contract_in(&warning, "sarif");
    assert!(sarif.contains("\"level\": \"warning\""), "{sarif}");
}

/// The drift-gosum fail fixture (a missing hash for github.com/org/auth, a
/// hash conflict for github.com/google/uuid) with this trellis.yaml.
fn gosum_with(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("drift/drift-gosum/fail"), dir.path());
    std::fs::write(dir.path().join("trellis.yaml"), config).unwrap();
    dir
}

fn modules_of(dir: &Path) -> Vec<(String, String)> {
    let output = trellis_in(dir, &["drift", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["module"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn drift_findings_name_their_module_and_module_exceptions_match_it() {
    let dir = gosum_with("version: 1\n");
    assert_eq!(
        modules_of(dir.path()),
        pairs(&[
            ("drift-gosum", "github.com/org/auth"),
            ("drift-gosum", "github.com/google/uuid"),
        ])
    );
    let dir = gosum_with(
        "version: 1\nexceptions:\n  - rule: drift-gosum\n    module: github.com/org/auth\n    reason: the auth mirror is re-synced weekly\n",
    );
    assert_eq!(
        modules_of(dir.path()),
        pairs(&[("drift-gosum", "github.com/google/uuid")])
    );
    // A module exception narrowed to another service excepts nothing here,
    // and is reported as unused.
    let dir = gosum_with(
        "version: 1\nexceptions:\n  - rule: drift-gosum\n    module: github.com/org/auth\n    service: b\n    reason: b only\n",
    );
    let findings = modules_of(dir.path());
    assert!(findings.contains(&("drift-gosum".into(), "github.com/org/auth".into())));
    assert!(findings.contains(&("drift-unused-policy".into(), String::new())));
}

/// `drift.exceptions` is the same as a top-level module exception for every
/// drift rule: drift-gosum, which never asked for exceptions, honours it.
#[test]
fn drift_exceptions_cover_every_drift_check() {
    let dir = gosum_with(
        "version: 1\ndrift:\n  exceptions:\n    - module: github.com/google/uuid\n      reason: the conflicting hash is a vendored fork, tracked in OPS-9\n",
    );
    assert_eq!(
        modules_of(dir.path()),
        pairs(&[("drift-gosum", "github.com/org/auth")])
    );
}

#[test]
fn unused_exceptions_are_reported_with_their_place() {
    // A drift rule's exception that matches nothing is a drift-unused-policy
    // finding at its line.
    let dir = shop_with(
        "version: 1\nexceptions:\n  - rule: drift-version-mismatch\n    module: github.com/nobody/requires-this\n    reason: stale\n",
    );
    let output = trellis_in(dir.path(), &["drift"]);
    let stdout = stdout_of(&output);
    assert!(stdout.contains("warning[drift-unused-policy]"), "{stdout}");
    assert!(stdout.contains("trellis.yaml:3:11"), "{stdout}");

    // Other jobs' unused exceptions are named in the summary: lint and
    // contract may have checked only a change.
    let dir = shop_with(
        "version: 1\nexceptions:\n  - rule: go-structured-logging\n    path: services/gone/**\n    reason: stale\n",
    );
    let run = trellis_json(dir.path(), &["lint"]);
    assert_eq!(
        run.stats["unused exceptions"],
        "trellis.yaml:3:11 `go-structured-logging` at path services/gone/**",
        "{}",
        run.stats
    );
    // In `check`, one job's exception is not unused for the others.
    let dir = shop_with(
        "version: 1\nexceptions:\n  - rule: go-structured-logging\n    path: services/order-service/**\n    reason: moving to slog\n",
    );
    let run = trellis_json(dir.path(), &["check", "--skip", "contract"]);
    assert!(
        run.stats.get("unused exceptions").is_none(),
        "{}",
        run.stats
    );
    assert!(
        !run.findings
            .iter()
            .any(|(rule, _)| rule == "drift-unused-policy"),
        "{:?}",
        run.findings
    );
}
