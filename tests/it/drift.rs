//! `trellis drift` on fixtures: one directory per rule with `fail/` and
//! `pass/` cases (and extra named cases), snapshotted, plus the shop example.

use crate::support::{fixture, stderr_of, stdout_of, trellis, write_tree};
use std::path::{Path, PathBuf};

fn drift_json(dir: &Path, extra: &[&str]) -> (serde_json::Value, i32) {
    let output = trellis()
        .arg("-C")
        .arg(dir)
        .args(["drift", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let code = output.status.code().unwrap();
    let json = serde_json::from_str(&stdout_of(&output))
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout_of(&output), stderr_of(&output)));
    (json, code)
}

fn findings<'a>(json: &'a serde_json::Value, rule: &str) -> Vec<&'a serde_json::Value> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// Every case directory: tests/fixtures/drift/<rule>/<case>.
fn cases() -> Vec<(String, String, PathBuf)> {
    let root = fixture("drift");
    let mut out = Vec::new();
    for rule in std::fs::read_dir(&root).unwrap() {
        let rule = rule.unwrap();
        let name = rule.file_name().to_string_lossy().into_owned();
        if !name.starts_with("drift-") {
            continue;
        }
        for case in std::fs::read_dir(rule.path()).unwrap() {
            let case = case.unwrap();
            out.push((
                name.clone(),
                case.file_name().to_string_lossy().into_owned(),
                case.path(),
            ));
        }
    }
    out.sort();
    out
}

#[test]
fn fixtures_fail_and_pass_as_named_and_match_snapshots() {
    let cases = cases();
    assert!(cases.len() >= 16, "{cases:?}");
    for (rule, case, dir) in cases {
        let (json, _) = drift_json(&dir, &[]);
        let hits = findings(&json, &rule);
        if case.contains("fail") {
            assert!(
                !hits.is_empty(),
                "{rule}/{case} reports no {rule}: {json:#}"
            );
        } else {
            assert!(hits.is_empty(), "{rule}/{case} reports {rule}: {hits:#?}");
        }
        let output = trellis().arg("-C").arg(&dir).arg("drift").output().unwrap();
        insta::assert_snapshot!(format!("drift_{rule}_{case}"), stdout_of(&output));
    }
}

#[test]
fn every_rule_has_docs_and_a_failing_fixture() {
    for rule in trellis::drift::rules() {
        assert_eq!(rule.job, "drift");
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Fix",
        ] {
            assert!(rule.docs.contains(section), "{} lacks {section}", rule.id);
        }
        let fail = fixture("drift").join(&rule.id).join("fail");
        assert!(fail.is_dir(), "{} has no fixture", rule.id);
    }
}

#[test]
fn shop_reports_the_uuid_mismatch_with_both_versions_and_services() {
    let (json, code) = drift_json(&fixture("shop"), &[]);
    assert_eq!(code, 0, "a warning does not fail the default gate");
    let all = json["findings"].as_array().unwrap();
    assert_eq!(all.len(), 1, "nothing spurious: {all:#?}");
    let finding = &all[0];
    assert_eq!(finding["rule"], "drift-version-mismatch");
    assert_eq!(finding["path"], "services/inventory-service/go.mod");
    assert_eq!(finding["line"], 6);
    assert_eq!(finding["service"], "inventory-service");
    let message = finding["message"].as_str().unwrap();
    for needle in [
        "github.com/google/uuid",
        "v1.6.0",
        "v1.5.0",
        "order-service",
        "inventory-service",
    ] {
        assert!(message.contains(needle), "{message} lacks {needle}");
    }
    let notes = finding["notes"].to_string();
    assert!(notes.contains("services/order-service/go.mod:6"), "{notes}");
    assert!(
        notes.contains("services/inventory-service/go.mod:6"),
        "{notes}"
    );
}

#[test]
fn shop_in_every_format() {
    for format in ["text", "json", "sarif", "github", "junit", "markdown"] {
        let output = trellis()
            .arg("-C")
            .arg(fixture("shop"))
            .args(["drift", "--format", format])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{format}: {}",
            stderr_of(&output)
        );
        let text = stdout_of(&output);
        assert!(text.contains("github.com/google/uuid"), "{format}: {text}");
        insta::assert_snapshot!(format!("drift_shop_{format}"), text);
    }
}

#[test]
fn fail_on_warning_turns_the_mismatch_into_exit_1() {
    trellis()
        .arg("-C")
        .arg(fixture("shop"))
        .args(["--fail-on", "warning", "drift"])
        .assert()
        .code(1);
}

#[test]
fn go_work_repository() {
    let (json, code) = drift_json(&fixture("drift/go-work"), &[]);
    assert_eq!(code, 1);
    let go = findings(&json, "drift-go-directive");
    assert!(
        go.iter()
            .any(|f| f["path"] == "go.work" && f["severity"] == "error"),
        "go.work older than a module it uses: {go:#?}"
    );
    let replace = findings(&json, "drift-replace-local");
    assert_eq!(replace.len(), 1);
    assert_eq!(replace[0]["severity"], "info");
    let sums = findings(&json, "drift-gosum");
    assert!(
        sums.iter().any(|f| f["path"] == "go.work.sum"),
        "go.work.sum takes part in hash comparison: {sums:#?}"
    );
    // services/a requires github.com/org/auth, replaced in go.work; its hash is in go.sum.
    assert!(
        !sums
            .iter()
            .any(|f| f["message"].as_str().unwrap().contains("no hash")),
        "{sums:#?}"
    );
}

#[test]
fn malformed_go_mod_is_exit_2_with_file_and_line() {
    let output = trellis()
        .arg("-C")
        .arg(fixture("drift/malformed"))
        .arg("drift")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output);
    assert!(stderr.contains("services/a/go.mod:7:17"), "{stderr}");
    assert!(stderr.contains("latest"), "{stderr}");
    assert!(stderr.contains("help:"), "{stderr}");
}

#[test]
fn malformed_go_sum_and_cargo_files_are_exit_2() {
    for (file, text, needle) in [
        ("svc/go.sum", "github.com/a/b v1.0.0\n", "svc/go.sum:1"),
        ("go.work", "go 1.22\nuse (\n", "go.work:2"),
        (
            "crates/x/Cargo.lock",
            "[[package]]\nname = 3\n",
            "Cargo.lock:2",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        write_tree(
            dir.path(),
            &[
                ("svc/go.mod", "module example.com/svc\n\ngo 1.22\n"),
                (
                    "crates/x/Cargo.toml",
                    "[package]\nname = \"x\"\nversion = \"0.1.0\"\n",
                ),
                (file, text),
            ],
        );
        let output = trellis()
            .arg("-C")
            .arg(dir.path())
            .arg("drift")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{file}");
        let stderr = stderr_of(&output);
        assert!(stderr.contains(needle), "{file}: {stderr}");
    }
}

#[test]
fn policy_errors_point_into_trellis_yaml() {
    for (yaml, needle) in [
        (
            "version: 1\ndrift:\n  exceptions:\n    - module: github.com/google/uuid\n      reason: \"\"\n",
            "empty reason",
        ),
        (
            "version: 1\ndrift:\n  exceptions:\n    - module: github.com/google/uuid\n",
            "missing key `reason`",
        ),
        (
            "version: 1\ndrift:\n  anchor:\n    github.com/google/uuid: latest\n",
            "neither a version nor a range",
        ),
        (
            "version: 1\ndrift:\n  exceptions:\n    - module: github.com/google/uuid\n      services: [ordr]\n      reason: x\n",
            "service `ordr`",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        write_tree(
            dir.path(),
            &[
                ("a/go.mod", "module example.com/a\n\ngo 1.22\n"),
                ("trellis.yaml", yaml),
            ],
        );
        let output = trellis()
            .arg("-C")
            .arg(dir.path())
            .arg("drift")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{yaml}");
        let stderr = stderr_of(&output);
        assert!(stderr.contains(needle), "{stderr}");
        assert!(stderr.contains("trellis.yaml:"), "{stderr}");
    }
}

#[test]
fn exceptions_silence_drift_and_count_as_used() {
    let dir = tempfile::tempdir().unwrap();
    crate::support::copy_tree(&fixture("shop"), dir.path());
    write_tree(
        dir.path(),
        &[(
            "trellis.yaml",
            "version: 1\ndrift:\n  exceptions:\n    - module: github.com/google/uuid\n      services: [inventory-service]\n      reason: inventory-service is frozen for the stock audit\n",
        )],
    );
    let (json, code) = drift_json(dir.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(json["findings"].as_array().unwrap().len(), 0, "{json:#}");
}

#[test]
fn pseudo_versions_pick_the_newest_commit() {
    let (json, _) = drift_json(&fixture("drift/drift-version-mismatch/fail"), &[]);
    let lib: Vec<_> = findings(&json, "drift-version-mismatch")
        .into_iter()
        .filter(|f| f["message"].as_str().unwrap().contains("github.com/x/lib"))
        .collect();
    assert_eq!(lib.len(), 1);
    // The older commit (2023-11) is the laggard, whatever the hashes say.
    assert_eq!(lib[0]["path"], "services/b/go.mod");
    assert!(lib[0]["help"].as_str().unwrap().contains("20240301120000"));
}

#[test]
fn indirect_only_mismatches_are_info() {
    let (json, _) = drift_json(&fixture("drift/drift-version-mismatch/fail"), &[]);
    let sys: Vec<_> = findings(&json, "drift-version-mismatch")
        .into_iter()
        .filter(|f| f["message"].as_str().unwrap().contains("golang.org/x/sys"))
        .collect();
    assert_eq!(sys.len(), 1);
    assert_eq!(sys[0]["severity"], "info");
}

#[test]
fn incompatible_majors_split() {
    let (json, _) = drift_json(&fixture("drift/drift-major-split/fail"), &[]);
    let docker: Vec<_> = findings(&json, "drift-major-split")
        .into_iter()
        .filter(|f| f["message"].as_str().unwrap().contains("docker"))
        .collect();
    assert_eq!(docker.len(), 1);
    assert!(docker[0]["message"].as_str().unwrap().contains("v20"));
}
