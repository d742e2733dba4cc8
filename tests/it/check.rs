//! `trellis check`: the gate that runs lint, drift and contract together.

use crate::support::history::History;
use crate::support::{fixture, stderr_of, stdout_of, trellis};

fn findings(output: &std::process::Output) -> Vec<(String, String, u64)> {
    let json: serde_json::Value = serde_json::from_str(&stdout_of(output))
        .unwrap_or_else(|e| panic!("{e}: {}", stdout_of(output)));
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn shop_deliberate_problems_and_nothing_else() {
    let output = trellis()
        .args(["check", "--format", "json", "-C"])
        .arg(fixture("shop"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let found = findings(&output);
    assert_eq!(
        found,
        [
            (
                "drift-version-mismatch".to_string(),
                "services/inventory-service/go.mod".to_string(),
                6
            ),
            (
                "arch-cross-service-import".to_string(),
                "services/order-service/internal/handlers/customer.go".to_string(),
                10
            ),
            (
                "arch-shared-table".to_string(),
                "services/order-service/internal/repo/order.go".to_string(),
                49
            ),
            (
                "go-structured-logging".to_string(),
                "services/order-service/internal/service/order.go".to_string(),
                113
            ),
        ]
    );
}

/// A branch that deletes a field of the order contract: the gate compares the
/// work tree with the merge base of the default branch and reports the break
/// next to the lint and drift findings.
#[test]
fn contract_breaks_against_the_default_branch_are_part_of_the_gate() {
    let mut history = History::new();
    history.fixture("shop").commit("shop");
    let order = std::fs::read_to_string(fixture("shop").join("api/order/v1/order.proto")).unwrap();
    history.branch("feature");
    history
        .write(
            "api/order/v1/order.proto",
            &order.replace("  string customer_name = 3;\n", ""),
        )
        .commit("drop customer_name");
    // main moves on after the branch point; that must not count against the branch.
    history.checkout("main");
    history
        .write(
            "api/user/v1/user.proto",
            &std::fs::read_to_string(fixture("shop").join("api/user/v1/user.proto"))
                .unwrap()
                .replace(
                    "service UserService",
                    "message Added {}\n\nservice UserService",
                ),
        )
        .commit("main adds a message");
    history.checkout("feature");

    let output = trellis()
        .args([
            "check", "--format", "json", "--skip", "lint", "--skip", "drift", "-C",
        ])
        .arg(history.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let found = findings(&output);
    assert_eq!(
        found,
        [(
            "FIELD_NO_DELETE".to_string(),
            "api/order/v1/order.proto".to_string(),
            found[0].2
        )],
        "{}",
        stdout_of(&output)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    assert_eq!(json["findings"][0]["service"], "order-service");

    // The same tree on main itself has nothing to report for contracts.
    history.checkout("main");
    let output = trellis()
        .args([
            "check", "--format", "json", "--skip", "lint", "--skip", "drift", "-C",
        ])
        .arg(history.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stdout_of(&output));
}

#[test]
fn contract_is_skipped_with_a_note_outside_a_git_repository() {
    let dir = tempfile::tempdir().unwrap();
    crate::support::copy_tree(&fixture("shop"), dir.path());
    let output = trellis()
        .args(["check", "--skip", "lint", "--skip", "drift", "-C"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert!(stderr_of(&output).contains("contract check skipped"));
}

#[test]
fn an_explicit_against_that_does_not_exist_is_exit_2() {
    let mut history = History::new();
    history.fixture("shop").commit("shop");
    let output = trellis()
        .args(["check", "--against", "no-such-branch", "-C"])
        .arg(history.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("no-such-branch"));
}

/// Contracts that cannot be compiled do not hide what lint and drift found:
/// the report is printed, then the error, and the exit code is 2.
#[test]
fn a_contract_that_does_not_compile_still_shows_the_other_findings() {
    let mut history = History::new();
    history.fixture("shop").commit("shop");
    history.branch("feature");
    history
        .write(
            "api/order/v1/order.proto",
            "syntax = \"proto3\";\nmessage {\n",
        )
        .commit("broken contract");
    let output = trellis()
        .args(["check", "--format", "json", "-C"])
        .arg(history.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr_of(&output));
    assert!(
        findings(&output)
            .iter()
            .any(|f| f.0 == "go-structured-logging")
    );
    assert!(
        stderr_of(&output).contains("api/order/v1/order.proto"),
        "{}",
        stderr_of(&output)
    );
}

#[test]
fn the_contract_part_can_be_switched_off_in_config() {
    let mut history = History::new();
    history.fixture("shop").commit("shop");
    history.branch("feature");
    let order = std::fs::read_to_string(fixture("shop").join("api/order/v1/order.proto")).unwrap();
    history
        .write(
            "api/order/v1/order.proto",
            &order.replace("  string customer_name = 3;\n", ""),
        )
        .write("trellis.yaml", "version: 1\ncontract:\n  in-check: false\n")
        .commit("drop a field, contracts off in the gate");
    let output = trellis()
        .args([
            "check", "--format", "json", "--skip", "lint", "--skip", "drift", "-C",
        ])
        .arg(history.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stdout_of(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    assert_eq!(json["stats"]["contract"], "off (contract.in-check: false)");
}
