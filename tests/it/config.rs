use crate::support::{fixture, stderr_of, stdout_of, trellis, write_tree};

fn run_with_config(config: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            ("trellis.yaml", config),
            ("svc/go.mod", "module example.com/svc\n"),
        ],
    );
    trellis()
        .arg("services")
        .arg("-C")
        .arg(dir.path())
        .output()
        .unwrap()
}

#[test]
fn unknown_key_names_line_column_and_suggestion() {
    let output = run_with_config("version: 1\nexclude: []\nservces:\n  - \"app/*\"\n");
    assert_eq!(output.status.code(), Some(2));
    let err = stderr_of(&output);
    assert!(err.contains("unknown key `servces`"), "{err}");
    assert!(err.contains("trellis.yaml:3:1"), "{err}");
    assert!(err.contains("did you mean `services`"), "{err}");
}

#[test]
fn wrong_type_names_line_and_column() {
    let output = run_with_config("version: 1\nexclude: 42\n");
    assert_eq!(output.status.code(), Some(2));
    let err = stderr_of(&output);
    assert!(err.contains("trellis.yaml:2:"), "{err}");
    assert!(err.contains("wrong type"), "{err}");
    assert!(err.contains("trellis config schema"), "{err}");
}

#[test]
fn bad_glob_names_line_and_column() {
    let output = run_with_config("version: 1\nexclude:\n  - \"legacy/[abc\"\n");
    assert_eq!(output.status.code(), Some(2));
    let err = stderr_of(&output);
    assert!(err.contains("invalid glob `legacy/[abc`"), "{err}");
    assert!(err.contains("trellis.yaml:3:5"), "{err}");
}

#[test]
fn yaml_syntax_error_is_exit_2() {
    let output = run_with_config("version: 1\nexclude: [unclosed\n");
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("trellis.yaml:"));
}

#[test]
fn missing_explicit_config_is_exit_2() {
    let output = trellis()
        .args(["services", "--config", "/nonexistent/trellis.yaml", "-C"])
        .arg(fixture("shop"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("does not exist"));
}

#[test]
fn configured_service_globs_are_used() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            (
                "trellis.yaml",
                "version: 1\nservices:\n  - \"app/*/service\"\n",
            ),
            ("go.mod", "module example.com/mono\n\ngo 1.22\n"),
            ("app/user/service/handler.go", "package service\n"),
            ("app/order/service/handler.go", "package service\n"),
        ],
    );
    let output = trellis()
        .args(["services", "--format", "json", "-C"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    assert_eq!(json["services"].as_array().unwrap().len(), 2);
    assert_eq!(
        json["services"][0]["module"],
        "example.com/mono/app/order/service"
    );
}

#[test]
fn schema_is_json_schema() {
    let output = trellis().args(["config", "schema"]).output().unwrap();
    assert!(output.status.success());
    let schema: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    assert!(
        schema["$schema"]
            .as_str()
            .unwrap()
            .contains("json-schema.org")
    );
    assert!(schema["properties"]["version"].is_object());
}

#[test]
fn init_writes_a_valid_config_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    crate::support::copy_tree(&fixture("shop"), dir.path());
    let output = trellis()
        .arg("init")
        .arg("-C")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let written = std::fs::read_to_string(dir.path().join("trellis.yaml")).unwrap();
    assert!(written.contains("order-service"), "{written}");
    assert!(written.starts_with("# trellis configuration"));

    // The written file is accepted as it is.
    let output = trellis()
        .arg("services")
        .arg("-C")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));

    std::fs::write(dir.path().join("trellis.yaml"), "version: 1\n# mine\n").unwrap();
    let output = trellis()
        .arg("init")
        .arg("-C")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("trellis.yaml")).unwrap(),
        "version: 1\n# mine\n"
    );

    let output = trellis()
        .args(["init", "--force", "-C"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(
        std::fs::read_to_string(dir.path().join("trellis.yaml"))
            .unwrap()
            .contains("contracts:")
    );
}

#[test]
fn extends_shares_a_team_policy() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            ("policy/team.yaml", "version: 1\nexclude: [\"legacy/**\"]\n"),
            ("trellis.yaml", "version: 1\nextends: [policy/team.yaml]\n"),
            ("svc/go.mod", "module example.com/svc\n"),
            ("svc/main.go", "package main\n\nfunc main() {}\n"),
            ("legacy/old/go.mod", "module example.com/old\n"),
            ("legacy/old/main.go", "package main\n\nfunc main() {}\n"),
        ],
    );
    let output = trellis()
        .args(["services", "--format", "json", "-C"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    let names: Vec<_> = json["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["svc"]);
}

/// Every key is kebab-case; the old snake_case spellings still work, each
/// with one warning that names its place and the new spelling.
#[test]
fn old_snake_case_keys_work_with_a_warning_naming_place_and_new_spelling() {
    let dir = tempfile::tempdir().unwrap();
    crate::support::copy_tree(&fixture("shop"), dir.path());
    std::fs::write(
        dir.path().join("trellis.yaml"),
        "version: 1\ndrift:\n  indirect_severity: warning\n  upstream:\n    timeout_secs: 3\ncontract:\n  in_check: false\n",
    )
    .unwrap();
    let output = trellis()
        .arg("-C")
        .arg(dir.path())
        .args(["check", "--skip", "lint", "--format", "json"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 3, "{stderr}");
    assert!(
        warnings[0].ends_with(
            "trellis.yaml:3:3: `drift.indirect_severity` is an old spelling: write `drift.indirect-severity` (trellis.yaml keys are kebab-case)"
        ),
        "{stderr}"
    );
    assert!(warnings[1].contains("trellis.yaml:5:5"), "{stderr}");
    assert!(
        warnings[2].contains("write `contract.in-check`"),
        "{stderr}"
    );
    // The old keys still took effect.
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    assert_eq!(json["stats"]["contract"], "off (contract.in-check: false)");
    // --quiet keeps them off stderr.
    let quiet = trellis()
        .arg("-C")
        .arg(dir.path())
        .args(["--quiet", "drift"])
        .output()
        .unwrap();
    assert!(
        !stderr_of(&quiet).contains("old spelling"),
        "{}",
        stderr_of(&quiet)
    );
}

/// A parent in the old spelling and a child in the new one merge into one key.
#[test]
fn extends_merges_old_and_new_spellings_of_one_key() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            ("svc/go.mod", "module example.com/svc\n"),
            (
                "team.yaml",
                "version: 1\ndrift:\n  indirect_severity: warning\n",
            ),
            (
                "trellis.yaml",
                "version: 1\nextends: [team.yaml]\ndrift:\n  indirect-severity: error\n",
            ),
        ],
    );
    let output = trellis()
        .arg("-C")
        .arg(dir.path())
        .args(["config", "show"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    assert_eq!(json["config"]["drift"]["indirect-severity"], "error");
}

#[test]
fn the_schema_names_kebab_case_keys_only() {
    let output = trellis().args(["config", "schema"]).output().unwrap();
    let schema = stdout_of(&output);
    for key in [
        "indirect-severity",
        "cargo-skip",
        "timeout-secs",
        "cache-ttl-hours",
        "crates-index",
        "ignore-only",
        "ignore-unstable-packages",
        "field-no-reuse",
        "in-check",
        "max-changeset",
        "fail-under",
        "alert-above",
        "repo-wide-tags",
        "alert-bus-factor-below",
        "interface-stability",
    ] {
        assert!(schema.contains(&format!("\"{key}\"")), "{key}");
        let old = format!("\"{}\"", key.replace('-', "_"));
        assert!(!schema.contains(&old), "{old} is still in the schema");
    }
    let schema: serde_json::Value = serde_json::from_str(&schema).unwrap();
    let lint = schema["$defs"]["LintConfig"]["properties"]["rules"].clone();
    assert_eq!(lint["deprecated"], true, "{lint:#}");
}

/// `lint.rules` is the older spelling of `rules:`: it still works, other
/// jobs' ids in it too, and it is reported as deprecated where it is written.
#[test]
fn lint_rules_is_a_deprecated_alias_of_top_level_rules() {
    let dir = tempfile::tempdir().unwrap();
    crate::support::copy_tree(&fixture("shop"), dir.path());
    std::fs::write(
        dir.path().join("trellis.yaml"),
        "version: 1\nlint:\n  rules:\n    drift-version-mismatch: off\n",
    )
    .unwrap();
    let output = trellis()
        .arg("-C")
        .arg(dir.path())
        .args(["check", "--skip", "lint", "--format", "json"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("trellis.yaml:3:3: `lint.rules` is deprecated: move its entries to the top-level `rules:`"),
        "{stderr}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    let rules: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(!rules.contains(&"drift-version-mismatch"), "{rules:?}");
    assert!(!rules.contains(&"unknown-rule"), "{rules:?}");
}

/// `trellis services` in `dir`, killed after 20 s so a blocking read fails
/// the test instead of hanging it.
fn services_in(dir: &std::path::Path, extra: &[&str]) -> std::process::Output {
    trellis()
        .args(["services", "-C"])
        .arg(dir)
        .args(extra)
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap()
}

fn mkfifo(path: &std::path::Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn a_trellis_yaml_that_is_no_regular_file_is_an_error_not_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(dir.path(), &[("svc/go.mod", "module example.com/svc\n")]);
    std::fs::create_dir(dir.path().join("trellis.yaml")).unwrap();
    let output = services_in(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout_of(&output));
    assert!(
        stderr_of(&output).contains("trellis.yaml is a directory"),
        "{}",
        stderr_of(&output)
    );

    std::fs::remove_dir(dir.path().join("trellis.yaml")).unwrap();
    mkfifo(&dir.path().join("trellis.yaml"));
    let output = services_in(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout_of(&output));
    assert!(
        stderr_of(&output).contains("is not a regular file (a FIFO"),
        "{}",
        stderr_of(&output)
    );
}

#[test]
fn config_and_extends_naming_a_directory_or_fifo_say_so() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            ("svc/go.mod", "module example.com/svc\n"),
            ("team/README", "a directory\n"),
            ("dir.yaml", "version: 1\nextends: [team]\n"),
            ("fifo.yaml", "version: 1\nextends: [pipe.yaml]\n"),
        ],
    );
    let at = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let output = services_in(dir.path(), &["--config", &at("team")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr_of(&output).contains("team is a directory"),
        "{}",
        stderr_of(&output)
    );
    let output = services_in(dir.path(), &["--config", &at("dir.yaml")]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr_of(&output);
    assert!(
        err.contains("`extends` names team, which is a directory"),
        "{err}"
    );
    assert!(err.contains("dir.yaml:2:"), "{err}");

    mkfifo(&dir.path().join("pipe.yaml"));
    let output = services_in(dir.path(), &["--config", &at("fifo.yaml")]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr_of(&output);
    assert!(
        err.contains("pipe.yaml, which is not a regular file"),
        "{err}"
    );
}

#[test]
fn extends_never_echoes_a_file_that_is_not_a_yaml_mapping() {
    let secret = "hunter2-token";
    for (name, content) in [
        // An environment dump: NUL-separated, not YAML.
        (
            "environ",
            format!("HOME=/root\0API_TOKEN={secret}\0").into_bytes(),
        ),
        // A .env file parses as one YAML scalar.
        (
            ".env",
            format!("API_TOKEN={secret}\nOTHER=1\n").into_bytes(),
        ),
        // A syntax error in the middle of a secret.
        (
            "broken.yaml",
            format!("token: \"{secret}\n  - [\n").into_bytes(),
        ),
        // Not UTF-8.
        (
            "binary",
            [b"\xff\xfe".as_slice(), secret.as_bytes()].concat(),
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        write_tree(
            dir.path(),
            &[
                ("svc/go.mod", "module example.com/svc\n"),
                (
                    "trellis.yaml",
                    &format!("version: 1\nextends: [\"{name}\"]\n"),
                ),
            ],
        );
        std::fs::write(dir.path().join(name), content).unwrap();
        let output = services_in(dir.path(), &[]);
        assert_eq!(output.status.code(), Some(2), "{name}");
        let err = stderr_of(&output);
        assert!(!err.contains(secret), "{name}: {err}");
        assert!(err.contains(name), "{name}: the file is named: {err}");
        assert!(err.contains("content is not shown"), "{name}: {err}");
    }
}
