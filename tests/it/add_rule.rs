//! `tools/add-rule`: the scaffolder writes a rule's files and its one line in
//! each list, on a copy of the files it edits (no second cargo build: that the
//! result compiles was checked by hand, see README's Development section).

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The files the scaffolder edits, copied into a fresh tree.
fn copy_of_edited_files() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for path in [
        "src/registry/mod.rs",
        "src/lint/rules/mod.rs",
        "src/drift/checks/mod.rs",
        "src/contract/rules/mod.rs",
        "src/score/rules/mod.rs",
        "rules/recommended.yaml",
    ] {
        let to = dir.path().join(path);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(repo_root().join(path), to).unwrap();
    }
    dir
}

fn add_rule(root: &Path, args: &[&str]) -> std::process::Output {
    Command::new("python3")
        .arg(repo_root().join("tools/add-rule"))
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .expect("python3 runs tools/add-rule")
}

fn read(root: &Path, path: &str) -> String {
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn a_lint_rule_gets_its_file_docs_registry_line_pack_entry_and_fixtures() {
    let tree = copy_of_edited_files();
    let root = tree.path();
    let output = add_rule(
        root,
        &[
            "lint",
            "go-no-panic",
            "--summary",
            "Service code calls panic",
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let rule = read(root, "src/lint/rules/go_no_panic.rs");
    assert!(rule.contains("id: RuleId::GoNoPanic.as_str()"), "{rule}");
    assert!(rule.contains("target: Target::Go"), "{rule}");
    assert!(
        rule.contains("docs: include_str!(\"go_no_panic.md\")"),
        "{rule}"
    );
    let docs = read(root, "src/lint/rules/go_no_panic.md");
    for section in ["## What\n", "## Why\n", "## Example\n", "## Fix\n"] {
        assert!(docs.contains(section), "{docs}");
    }
    assert!(
        docs.contains("TODO(add-rule)"),
        "the completeness test must fail until it is written"
    );
    let registry = read(root, "src/registry/mod.rs");
    let line = "GoNoPanic = \"go-no-panic\" => go_no_panic::GoNoPanic,";
    assert_eq!(registry.matches(line).count(), 1, "{registry}");
    // In the lint section: before the section that follows it.
    assert!(registry.find(line) < registry.find("    contract {\n"));
    assert!(read(root, "src/lint/rules/mod.rs").contains("pub(crate) mod go_no_panic;\n"));
    assert!(read(root, "rules/recommended.yaml").ends_with("  go-no-panic: warning\n"));
    for case in ["pass", "fail"] {
        let go_mod = root.join(format!(
            "tests/fixtures/lint/go-no-panic/{case}/orders/go.mod"
        ));
        assert!(go_mod.is_file(), "{}", go_mod.display());
    }

    // A second time: the id is taken.
    let again = add_rule(root, &["lint", "go-no-panic"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already in the registry"));
}

#[test]
fn drift_contract_and_score_rules_land_in_their_sections() {
    let tree = copy_of_edited_files();
    let root = tree.path();
    for args in [
        &["drift", "drift-license"][..],
        &["contract", "FIELD_SAME_THING", "--categories", "FILE,WIRE"][..],
        &["score", "score-churn"][..],
    ] {
        let output = add_rule(root, args);
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let checks = read(root, "src/drift/checks/mod.rs");
    assert!(checks.contains("pub(crate) mod license;\n"));
    // Runs before unused_policy, which must stay last.
    let runs = checks
        .find("(RuleId::DriftLicense, license::check)")
        .unwrap();
    assert!(
        runs < checks
            .find("(RuleId::DriftUnusedPolicy, unused_policy::check)")
            .unwrap()
    );
    let contract = read(root, "src/contract/rules/field_same_thing.rs");
    assert!(
        contract.contains("categories: &[Category::File, Category::Wire]"),
        "{contract}"
    );
    assert!(
        root.join("tests/fixtures/contract/field_same_thing/expected/WIRE.txt")
            .is_file()
    );
    let registry = read(root, "src/registry/mod.rs");
    let drift = registry
        .find("DriftLicense = \"drift-license\" => license,")
        .unwrap();
    assert!(
        drift > registry.find("    drift {\n").unwrap()
            && drift < registry.find("    score {\n").unwrap()
    );
    assert!(registry.contains("ScoreChurn = \"score-churn\" => churn { cases: Cases::test("));
    assert!(read(root, "src/score/rules/mod.rs").contains("pub(crate) mod churn;\n"));
}

#[test]
fn ids_that_break_their_job_s_convention_are_refused_and_dry_run_writes_nothing() {
    let tree = copy_of_edited_files();
    let root = tree.path();
    for args in [
        &["lint", "no_prefix"][..],
        &["drift", "license"][..],
        &["contract", "field-same-thing"][..],
        &["contract", "FIELD_X", "--categories", "NOPE"][..],
    ] {
        let output = add_rule(root, args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
    }
    let before = read(root, "src/registry/mod.rs");
    let output = add_rule(root, &["--dry-run", "lint", "arch-no-globals"]);
    assert!(output.status.success());
    let listed = String::from_utf8_lossy(&output.stdout);
    assert!(
        listed.contains("would create src/lint/rules/arch_no_globals.rs"),
        "{listed}"
    );
    assert!(
        listed.contains("would edit src/registry/mod.rs"),
        "{listed}"
    );
    assert_eq!(read(root, "src/registry/mod.rs"), before);
    assert!(!root.join("src/lint/rules/arch_no_globals.rs").exists());
}
