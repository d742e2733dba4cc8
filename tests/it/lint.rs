//! `trellis lint`, `explain`, `rules`, `hook install`: fixtures per rule, the
//! shop example, formats, suppressions, baselines, staged and changed files.

use crate::support::history::History;
use crate::support::{copy_tree, fixture, stderr_of, stdout_of, trellis, write_tree};
use std::path::{Path, PathBuf};
use trellis::lint::{LintOptions, registry, rule::Target};

fn lint_fixtures() -> PathBuf {
    fixture("lint")
}

fn open(dir: &Path) -> (trellis::repo::Repo, trellis::config::Config) {
    let loaded = trellis::config::load(dir, None).expect("fixture config loads");
    let repo = trellis::repo::Repo::open(dir, loaded.repo_config()).expect("fixture opens");
    (repo, loaded.config)
}

/// Runs one fixture folder and returns the findings of `rule`, one line each.
fn run_fixture(rule: &str, dir: &Path) -> Vec<String> {
    let (repo, config) = open(dir);
    let engine_rule = registry::find(rule).is_some_and(|r| r.meta().target == Target::Engine);
    let baseline = dir.join("baseline.json");
    let options = LintOptions {
        // Engine rules need the rules they talk about; the others run alone.
        only: if engine_rule {
            Vec::new()
        } else {
            vec![rule.to_string()]
        },
        baseline: baseline.is_file().then_some(baseline),
        ..LintOptions::default()
    };
    let report =
        trellis::lint::run(&repo, &config.lint, &config.rules, &options).expect("lint runs");
    let mut findings: Vec<_> = report.findings.iter().collect();
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings
        .into_iter()
        .filter(|f| f.rule == rule)
        .map(|f| {
            let mut line = format!(
                "{}:{}:{} [{}] {}{}",
                f.path,
                f.line.unwrap_or(0),
                f.column.unwrap_or(0),
                f.severity,
                f.message,
                f.service
                    .as_ref()
                    .map(|s| format!(" (service {s})"))
                    .unwrap_or_default()
            );
            for note in &f.notes {
                line.push_str(&format!("\n    note: {note}"));
            }
            for related in &f.related {
                line.push_str(&format!(
                    "\n    related: {}:{}:{} {}",
                    related.path,
                    related.line.unwrap_or(0),
                    related.column.unwrap_or(0),
                    related.label
                ));
            }
            line
        })
        .collect()
}

/// Every folder under tests/fixtures/lint/<rule>/{pass,fail}: pass must be clean
/// for its rule, fail must trigger it; what fail reports is a snapshot.
#[test]
fn rule_fixtures() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(lint_fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty());
    for dir in dirs {
        let rule = dir.file_name().unwrap().to_string_lossy().into_owned();
        let pass = run_fixture(&rule, &dir.join("pass"));
        assert!(pass.is_empty(), "{rule}/pass reports:\n{}", pass.join("\n"));
        let fail = run_fixture(&rule, &dir.join("fail"));
        assert!(!fail.is_empty(), "{rule}/fail reports nothing");
        insta::assert_snapshot!(format!("fixture_{rule}"), fail.join("\n"));
    }
}

#[test]
fn every_rule_has_docs_and_fixtures() {
    let rules = trellis::lint::rules();
    assert!(rules.len() >= 25);
    for rule in &rules {
        for section in ["## What", "## Why", "## Example", "## Fix"] {
            assert!(
                rule.docs.contains(section),
                "{} docs lack {section}",
                rule.id
            );
        }
        assert!(!rule.summary.is_empty(), "{}", rule.id);
        for kind in ["pass", "fail"] {
            let dir = lint_fixtures().join(&rule.id).join(kind);
            assert!(dir.is_dir(), "{} has no fixture {}", rule.id, dir.display());
        }
    }
    for entry in std::fs::read_dir(lint_fixtures()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            rules.iter().any(|r| r.id == name),
            "fixture folder {name} names no rule"
        );
    }
}

#[test]
fn docs_rules_md_is_current() {
    let expected = trellis::rules::markdown(&trellis::rules::all());
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/rules.md is stale: run `cargo run -q -- rules --format markdown > docs/rules.md`"
    );
}

fn shop_findings(args: &[&str]) -> (i32, Vec<serde_json::Value>) {
    let output = trellis()
        .args(["lint", "--no-cache", "--format", "json", "-C"])
        .arg(fixture("shop"))
        .args(args)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&output))
        .unwrap_or_else(|e| panic!("{e}: {}", stderr_of(&output)));
    (
        output.status.code().unwrap(),
        json["findings"].as_array().unwrap().clone(),
    )
}

#[test]
fn shop_deliberate_problems_and_nothing_else() {
    let (code, findings) = shop_findings(&[]);
    assert_eq!(code, 1);
    let got: Vec<(String, String, u64, String)> = findings
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["service"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = vec![
        (
            "arch-cross-service-import".to_string(),
            "services/order-service/internal/handlers/customer.go".to_string(),
            10,
            "order-service".to_string(),
        ),
        (
            "arch-shared-table".to_string(),
            "services/order-service/internal/repo/order.go".to_string(),
            49,
            "order-service".to_string(),
        ),
        (
            "go-structured-logging".to_string(),
            "services/order-service/internal/service/order.go".to_string(),
            113,
            "order-service".to_string(),
        ),
    ];
    assert_eq!(got, expected);
    let shared = &findings[1];
    let related = shared["related"].as_array().unwrap();
    assert!(
        related.iter().any(
            |r| r["path"] == "services/user-service/migrations/001_users.sql"
                && r["line"] == 3
                && r["label"]
                    .as_str()
                    .unwrap()
                    .contains("defined here, by user-service")
        ),
        "{related:?}"
    );
}

#[test]
fn shop_text_report_snapshot() {
    let output = trellis()
        .args(["lint", "--no-cache", "-C"])
        .arg(fixture("shop"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!("shop_text", stdout_of(&output));
}

#[test]
fn every_format_renders_and_sarif_carries_rule_metadata() {
    for format in [
        "text", "json", "sarif", "github", "gitlab", "junit", "markdown",
    ] {
        let output = trellis()
            .args(["lint", "--no-cache", "--format", format, "-C"])
            .arg(fixture("shop"))
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(1),
            "{format}: {}",
            stderr_of(&output)
        );
        assert!(
            stdout_of(&output).contains("go-structured-logging"),
            "{format}"
        );
    }
    let output = trellis()
        .args(["lint", "--no-cache", "--format", "sarif", "-C"])
        .arg(fixture("shop"))
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules.len() >= 20, "{}", rules.len());
}

#[test]
fn fail_on_never_exits_zero() {
    let output = trellis()
        .args(["lint", "--no-cache", "--fail-on", "never", "-C"])
        .arg(fixture("shop"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn paths_limit_the_report() {
    let (code, findings) = shop_findings(&["services/user-service"]);
    assert_eq!(code, 0, "{findings:?}");
    assert!(findings.is_empty());
}

#[test]
fn no_source_files_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(dir.path(), &[("README.md", "# nothing\n")]);
    let output = trellis()
        .args(["lint", "--no-cache", "-C"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("no Go or Rust files"));
}

#[test]
fn explain_prints_docs_and_suggests_on_typos() {
    let output = trellis()
        .args(["explain", "go-structured-logging"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = stdout_of(&output);
    assert!(text.contains("## Why") && text.contains("slog"), "{text}");

    let output = trellis()
        .args(["explain", "go-structured-loging"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("did you mean `go-structured-logging`"));
}

#[test]
fn rules_lists_in_every_format() {
    let output = trellis().args(["rules"]).output().unwrap();
    assert!(stdout_of(&output).contains("arch-shared-table"));
    let output = trellis()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    assert!(json["rules"].as_array().unwrap().len() >= 25);
    let output = trellis()
        .args(["rules", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn custom_rules_forbid_calls_through_aliases_and_queries() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            ("go.mod", "module example.com/x\n\ngo 1.22\n"),
            (
                "internal/service/s.go",
                "package service\n\nimport (\n\tosx \"os\"\n\t\"github.com/pkg/errors\"\n)\n\nfunc F() string {\n\t_ = errors.New(\"x\")\n\treturn osx.Getenv(\"HOME\")\n}\n",
            ),
            (
                "trellis.yaml",
                "version: 1\nlint:\n  custom:\n    - id: no-getenv\n      message: read configuration through internal/config\n      forbid-call: [os.Getenv]\n    - id: no-pkg-errors\n      message: use the standard errors package\n      severity: warning\n      forbid-import: [github.com/pkg/errors]\n    - id: no-goto-string\n      message: string literal in return\n      severity: info\n      query: |\n        (return_statement (expression_list (call_expression) @match))\n",
            ),
        ],
    );
    let output = trellis()
        .args(["lint", "--no-cache", "--format", "json", "-C"])
        .arg(dir.path())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    let mut got: Vec<(String, u64)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("no-"))
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("no-getenv".to_string(), 10),
            ("no-goto-string".to_string(), 10),
            ("no-pkg-errors".to_string(), 5),
        ]
    );
}

#[test]
fn invalid_custom_query_is_exit_2_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            ("go.mod", "module example.com/x\n\ngo 1.22\n"),
            ("main.go", "package main\n\nfunc main() {}\n"),
            (
                "trellis.yaml",
                "version: 1\nlint:\n  custom:\n    - id: bad-query\n      message: m\n      query: |\n        (call_expression\n          (no_such_node) @match)\n",
            ),
        ],
    );
    let output = trellis()
        .args(["lint", "--no-cache", "-C"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = stderr_of(&output);
    assert!(err.contains("query line 2"), "{err}");
    assert!(err.contains("trellis.yaml:8:"), "{err}");
}

#[test]
fn baseline_write_refuses_under_ci_and_hides_findings() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("shop"), dir.path());
    let baseline = dir.path().join("baseline.json");
    let output = trellis()
        .env("CI", "true")
        .args(["lint", "--no-cache", "--baseline-write"])
        .arg(&baseline)
        .arg("-C")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("--force"));

    let output = trellis()
        .args(["lint", "--no-cache", "--baseline-write"])
        .arg(&baseline)
        .arg("-C")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let text = std::fs::read_to_string(&baseline).unwrap();
    assert!(
        !text.contains("\"line\""),
        "baselines carry no line numbers"
    );

    let output = trellis()
        .args(["lint", "--no-cache", "--baseline"])
        .arg(&baseline)
        .arg("-C")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stdout_of(&output));
    assert!(stdout_of(&output).contains("baselined: 3"));
}

#[test]
fn suppressions_apply_and_unused_ones_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("shop"), dir.path());
    let file = dir
        .path()
        .join("services/order-service/internal/service/order.go");
    let text = std::fs::read_to_string(&file).unwrap();
    let text = text.replacen(
        "\tlog.Printf(",
        "\t//trellis:ignore go-structured-logging kept until the audit log lands\n\tlog.Printf(",
        1,
    );
    let text = text.replacen(
        "// GetOrder returns one order.",
        "// trellis:ignore go-init-func no init here\n// GetOrder returns one order.",
        1,
    );
    std::fs::write(&file, text).unwrap();
    let output = trellis()
        .args(["lint", "--no-cache", "--format", "json", "-C"])
        .arg(dir.path())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    let rules: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(!rules.contains(&"go-structured-logging"), "{rules:?}");
    assert!(rules.contains(&"unused-suppression"), "{rules:?}");
}

#[test]
fn staged_lints_the_index_not_the_work_tree() {
    let mut history = History::new();
    history.fixture("shop");
    history.commit("shop");
    let path = "services/user-service/internal/service/user.go";
    let original = std::fs::read_to_string(history.path().join(path)).unwrap();
    let staged = original.replacen(
        "package service\n",
        "package service\n\nfunc init() {}\n",
        1,
    );
    std::fs::write(history.path().join(path), &staged).unwrap();
    let repo = git2::Repository::open(history.path()).unwrap();
    let mut index = repo.index().unwrap();
    index.add_path(Path::new(path)).unwrap();
    index.write().unwrap();
    // The work tree goes back to the clean text: only the index has init().
    std::fs::write(history.path().join(path), &original).unwrap();

    let output = trellis()
        .args(["lint", "--staged", "--format", "json", "-C"])
        .arg(history.path())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&output))
        .unwrap_or_else(|e| panic!("{e}: {}", stderr_of(&output)));
    let findings = json["findings"].as_array().unwrap();
    let rules: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["path"].as_str().unwrap()))
        .collect();
    assert_eq!(rules, vec![("go-init-func", path)]);

    // The snippet is the staged line, not the work tree's line at that number.
    let output = trellis()
        .args(["lint", "--staged", "--color", "never", "-C"])
        .arg(history.path())
        .output()
        .unwrap();
    let text = stdout_of(&output);
    assert!(text.contains(" | func init() {}"), "{text}");
}

#[test]
fn changed_since_reports_only_changed_files() {
    let mut history = History::new();
    history.fixture("shop");
    history.commit("shop");
    history.branch("feature");
    history.checkout("feature");
    history.write(
        "services/inventory-service/internal/config/extra.go",
        "package config\n\nvar counter int\n",
    );
    history.commit("add a global");
    let output = trellis()
        .args(["lint", "--changed-since", "main", "--format", "json", "-C"])
        .arg(history.path())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&output))
        .unwrap_or_else(|e| panic!("{e}: {}", stderr_of(&output)));
    let rules: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, vec!["go-mutable-global"]);
}

#[test]
fn hook_install_refuses_a_foreign_hook() {
    let mut history = History::new();
    history.fixture("shop");
    history.commit("shop");
    let hook = history.path().join(".git/hooks/pre-commit");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(&hook, "#!/bin/sh\nmake check\n").unwrap();
    let output = trellis()
        .args(["hook", "install", "-C"])
        .arg(history.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        "#!/bin/sh\nmake check\n"
    );

    let output = trellis()
        .args(["hook", "install", "--force", "-C"])
        .arg(history.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let text = std::fs::read_to_string(&hook).unwrap();
    assert!(text.contains("trellis check --staged"));
    // Re-installing over its own hook needs no --force.
    let output = trellis()
        .args(["hook", "install", "-C"])
        .arg(history.path())
        .output()
        .unwrap();
    assert!(output.status.success());
}

/// Whether a Rust file may print depends on its Cargo.toml and its parent
/// module: a cached outcome must not outlive a change to either.
#[test]
fn cache_sees_the_manifest_and_parent_module_of_a_rust_file() {
    let mut history = History::new();
    history
        .write(
            "quotes/Cargo.toml",
            "[package]\nname = \"quotes\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        )
        .write("quotes/src/main.rs", "mod sample;\nfn main() {}\n")
        .write(
            "quotes/src/sample.rs",
            "pub fn show() {\n    println!(\"sample\");\n}\n",
        )
        .write(
            "quotes/src/demo.rs",
            "fn main() {\n    println!(\"demo\");\n}\n",
        );
    history.commit("quotes");
    let printing_files = |history: &History| {
        let output = trellis()
            .args(["lint", "--format", "json", "-C"])
            .arg(history.path())
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
        let mut paths: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "rust-structured-logging")
            .map(|f| f["path"].as_str().unwrap().to_string())
            .collect();
        paths.sort();
        paths
    };
    assert_eq!(
        printing_files(&history),
        ["quotes/src/demo.rs", "quotes/src/sample.rs"]
    );
    history
        .write(
            "quotes/Cargo.toml",
            "[package]\nname = \"quotes\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[[bin]]\nname = \"demo\"\npath = \"src/demo.rs\"\n",
        )
        .write("quotes/src/main.rs", "#[cfg(test)]\nmod sample;\nfn main() {}\n");
    history.commit("demo is a binary, sample a test module");
    assert_eq!(printing_files(&history), Vec::<String>::new());
}

#[test]
fn cache_rerun_gives_the_same_report() {
    let mut history = History::new();
    history.fixture("shop");
    history.commit("shop");
    let run = || {
        let output = trellis()
            .args(["lint", "--format", "json", "-C"])
            .arg(history.path())
            .output()
            .unwrap();
        stdout_of(&output)
    };
    let first = run();
    assert!(history.path().join(".git/trellis/lint-cache").is_dir());
    let second = run();
    assert_eq!(first, second);
}

#[test]
fn verbose_logs_stage_timings_and_cache_use_on_stderr_only() {
    let mut history = History::new();
    history.fixture("shop");
    let generated = "services/order-service/internal/service/order.pb.go";
    history.write(
        generated,
        "// Code generated by protoc-gen-go. DO NOT EDIT.\n\npackage service\n",
    );
    history.commit("shop");
    let run = |verbose: &[&str]| {
        trellis()
            .args(["lint", "--format", "json", "--fail-on", "never"])
            .args(verbose)
            .arg("-C")
            .arg(history.path())
            .output()
            .unwrap()
    };
    let plain = run(&[]);
    let verbose = run(&["-v"]);
    assert_eq!(stdout_of(&plain), stdout_of(&verbose));
    let log = stderr_of(&verbose);
    let (log_lines, other_lines): (Vec<&str>, Vec<&str>) =
        log.lines().partition(|l| l.starts_with('['));
    // Without -v, stderr holds exactly what -v adds its lines to.
    assert_eq!(stderr_of(&plain), other_lines.concat());
    assert!(
        log_lines
            .iter()
            .any(|l| l.contains("timing] lint: files: ") && l.ends_with(" ms")),
        "{log}"
    );
    // The first run wrote the cache: the second finds every file in it.
    assert!(
        log_lines
            .iter()
            .any(|l| l.contains("lint cache: ") && l.ends_with(", 0 misses analysed")),
        "{log}"
    );
    assert!(
        !log_lines.iter().any(|l| l.contains(" debug ")),
        "-v is info only: {log}"
    );
    let more = stderr_of(&run(&["-vv"]));
    assert!(
        more.lines().any(|l| l.ends_with(&format!(
            "lint] skipped {generated}: generated code (lint.include-generated lints it)"
        ))),
        "-vv says which files were skipped and why: {more}"
    );
}

#[test]
fn cache_sees_an_edit_that_keeps_size_and_mtime() {
    let mut history = History::new();
    history.fixture("shop");
    let file = "services/order-service/internal/service/label.go";
    let quiet = "package service\n\nimport \"fmt\"\n\nfunc label() { fmt.Errorf(\"x\") }\n";
    let noisy = "package service\n\nimport \"fmt\"\n\nfunc label() { fmt.Printf(\"x\") }\n";
    assert_eq!(quiet.len(), noisy.len());
    history.write(file, quiet);
    history.commit("shop");
    let path = history.path().join(file);
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let backdate = || {
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(an_hour_ago)
            .unwrap();
    };
    let logging_findings = || {
        let output = trellis()
            .args(["lint", "--format", "json", "--fail-on", "never", "-C"])
            .arg(history.path())
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "go-structured-logging" && f["path"] == file)
            .count()
    };
    backdate();
    assert_eq!(logging_findings(), 0);
    // Same size, same (old) mtime: only the ctime, which every write
    // changes, tells the cache that the content is new.
    std::fs::write(&path, noisy).unwrap();
    backdate();
    assert_eq!(logging_findings(), 1);
}

/// A module without `package main` that services import is a library without
/// configuration (it was a service, and every import of it an error); listed
/// under `services:` it is a service again, and the finding says how to undo
/// that; `trellis init` pins the choice under `libraries:`.
#[test]
fn libraries_are_not_services() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            (
                "services/orders/go.mod",
                "module example.com/shop/services/orders\n\ngo 1.24\n",
            ),
            (
                "services/orders/cmd/orders/main.go",
                "package main\n\nimport \"example.com/shop/libs/common/logs\"\n\nfunc main() { logs.Setup() }\n",
            ),
            (
                "libs/common/go.mod",
                "module example.com/shop/libs/common\n\ngo 1.24\n",
            ),
            (
                "libs/common/logs/logs.go",
                "package logs\n\nfunc Setup() {}\n",
            ),
        ],
    );
    let findings = |dir: &Path| -> Vec<(String, String)> {
        let output = trellis()
            .args([
                "lint",
                "--no-cache",
                "--rule",
                "arch-cross-service-import",
                "--format",
                "json",
                "-C",
            ])
            .arg(dir)
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_str(&stdout_of(&output))
            .unwrap_or_else(|e| panic!("{e}: {}", stderr_of(&output)));
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["help"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    assert_eq!(findings(dir.path()), Vec::new());
    let json = crate::support::services_json(dir.path());
    assert_eq!(json["libraries"][0]["root"], "libs/common");
    assert_eq!(json["libraries"][0]["kind"], "library");
    assert_eq!(json["services"][0]["root"], "services/orders");

    std::fs::write(
        dir.path().join("trellis.yaml"),
        "version: 1\nservices: [services/orders, libs/common]\n",
    )
    .unwrap();
    let configured = findings(dir.path());
    assert_eq!(configured.len(), 1, "{configured:?}");
    assert!(
        configured[0].1.contains("has no `package main`")
            && configured[0].1.contains("`libs/common` under `libraries:`"),
        "{configured:?}"
    );

    let output = trellis()
        .args(["init", "--force", "-C"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let config = std::fs::read_to_string(dir.path().join("trellis.yaml")).unwrap();
    assert!(
        config.contains("libraries:\n  - \"libs/common\"\n"),
        "{config}"
    );
    assert!(!config.contains("- \"services/orders\""), "{config}");
    assert_eq!(findings(dir.path()), Vec::new());
}

/// Bodies the rules have no interest in are not parsed (`go_skim`); every
/// fixture must give the same findings as with every body parsed.
#[test]
fn skipping_uninteresting_bodies_changes_no_finding() {
    let mut dirs = vec![fixture("shop")];
    for entry in std::fs::read_dir(lint_fixtures()).unwrap() {
        let dir = entry.unwrap().path();
        dirs.extend(["pass", "fail"].map(|kind| dir.join(kind)));
    }
    let findings = |dir: &Path, parse_all_bodies: bool| {
        let (repo, mut config) = open(dir);
        config.lint.parse_all_bodies = parse_all_bodies;
        let report =
            trellis::lint::run(&repo, &config.lint, &config.rules, &LintOptions::default())
                .expect("lint runs");
        let mut lines: Vec<String> = report
            .findings
            .iter()
            .map(|f| serde_json::to_string(f).unwrap())
            .collect();
        lines.sort();
        (lines, report.stats.clone())
    };
    let mut go_fixtures = 0;
    for dir in dirs {
        let skimmed = findings(&dir, false);
        let whole = findings(&dir, true);
        assert_eq!(skimmed, whole, "{}", dir.display());
        go_fixtures += usize::from(!skimmed.0.is_empty());
    }
    assert!(
        go_fixtures > 20,
        "only {go_fixtures} fixtures report anything"
    );
}

/// A syntax error in a body no rule looks into is not parsed by default, and
/// is reported with `lint.parse-all-bodies`; one in a body a rule looks into
/// is reported either way.
#[test]
fn syntax_errors_in_bodies_no_rule_reads_need_parse_all_bodies() {
    let dir = tempfile::tempdir().unwrap();
    // `new(expr)` (Go 1.26) is not in tree-sitter-go's grammar yet.
    let quiet = "package service\n\nfunc Quiet(n uint64) *uint64 {\n\treturn new(uint64(n))\n}\n";
    let loud = "package service\n\nimport \"log\"\n\nfunc Loud(n uint64) *uint64 {\n\tlog.Printf(\"%d\", n)\n\treturn new(uint64(n))\n}\n";
    write_tree(
        dir.path(),
        &[
            ("go.mod", "module example.com/x\n\ngo 1.26\n"),
            ("cmd/x/main.go", "package main\n\nfunc main() {}\n"),
            ("internal/service/quiet.go", quiet),
            ("internal/service/loud.go", loud),
            (
                "whole.yaml",
                "version: 1\nlint:\n  parse-all-bodies: true\n",
            ),
        ],
    );
    let degraded = |extra: &[&str]| {
        let output = trellis()
            .args(["lint", "--no-cache", "--format", "json", "-C"])
            .arg(dir.path())
            .args(extra)
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
        let mut paths: Vec<String> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "parse-degraded")
            .map(|f| format!("{}:{}", f["path"].as_str().unwrap(), f["line"]))
            .collect();
        paths.sort();
        paths
    };
    assert_eq!(degraded(&[]), vec!["internal/service/loud.go:7"]);
    let whole = dir.path().join("whole.yaml");
    assert_eq!(
        degraded(&["--config", whole.to_str().unwrap()]),
        vec!["internal/service/loud.go:7", "internal/service/quiet.go:4"]
    );
}

/// `trellis lint | head`: the reader went away, so the output is
/// incomplete; a gate must report that neither as a clean run (exit 0) nor
/// as a bug in trellis (exit 3), but as an input/output error (exit 2).
#[test]
fn a_closed_pipe_is_an_input_output_error() {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("trellis"))
        .args(["lint", "--no-cache", "--format", "json", "-C"])
        .arg(fixture("shop"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Closed before trellis has linted anything, so its first write fails.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = stderr_of(&output);
    assert!(!stderr.contains("internal error"), "{stderr}");
    assert!(stderr.contains("standard output"), "{stderr}");
    assert_eq!(output.status.code(), Some(2), "{stderr}");
}

/// `trellis lint > /dev/full` and friends: exit 2 naming where the output
/// went, not "a bug in trellis".
#[cfg(target_os = "linux")]
#[test]
fn a_full_output_is_an_input_output_error_naming_it() {
    let full = || std::fs::File::create("/dev/full").unwrap();
    let bin = assert_cmd::cargo::cargo_bin("trellis");
    let service = fixture("shop");
    let runs = [
        std::process::Command::new(&bin)
            .args(["lint", "--no-cache", "-C"])
            .arg(&service)
            .stdout(full())
            .output()
            .unwrap(),
        std::process::Command::new(&bin)
            .args(["init", "--stdout", "-C"])
            .arg(&service)
            .stdout(full())
            .output()
            .unwrap(),
        std::process::Command::new(&bin)
            .args(["completions", "bash"])
            .stdout(full())
            .output()
            .unwrap(),
        std::process::Command::new(&bin)
            .args(["rules"])
            .stdout(full())
            .output()
            .unwrap(),
    ];
    for output in &runs {
        let stderr = stderr_of(output);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(!stderr.contains("internal error"), "{stderr}");
        assert!(stderr.contains("/dev/full"), "{stderr}");
    }
}

/// Methods whose signature a generated server interface of another package
/// dictates are not reported; other methods of the same type still are.
/// With `max-params: 1` a gRPC handler's `(ctx, req)` is over the limit.
#[test]
fn too_many_params_skips_generated_server_methods() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            ("trellis.yaml", "version: 1\nlint:\n  max-params: 1\n"),
            (
                "orders/go.mod",
                "module example.com/shop/orders\n\ngo 1.22\n",
            ),
            (
                "orders/cmd/orders/main.go",
                "package main\n\nfunc main() {}\n",
            ),
            (
                "orders/internal/service/order.go",
                r#"package service

import (
	"context"

	v1 "example.com/shop/orders/api/order/v1"
)

type OrderService struct {
	v1.UnimplementedOrderServer
}

func (s *OrderService) CreateOrder(ctx context.Context, req *v1.CreateOrderRequest) (*v1.CreateOrderReply, error) {
	return nil, nil
}

func (s *OrderService) Watch(req *v1.WatchRequest, stream v1.Order_WatchServer) error {
	return nil
}

// Not part of the interface: its parameters are the author's choice.
func (s *OrderService) audit(ctx context.Context, action string) {}
"#,
            ),
            (
                "orders/internal/service/cart.go",
                r#"package service

import (
	"context"

	pb "example.com/shop/orders/gen/cartpb"
)

// The server struct is declared elsewhere: the request type named after the
// method is what shows the signature is the interface's.
func (s *CartService) AddItem(ctx context.Context, in *pb.AddItemReq) (*pb.AddItemResp, error) {
	return nil, nil
}

// The request type names another method: nothing shows this one is dictated.
func (s *CartService) Merge(ctx context.Context, in *pb.AddItemReq) error { return nil }
"#,
            ),
        ],
    );
    let findings = run_fixture("go-too-many-params", dir.path());
    let messages: Vec<&str> = findings
        .iter()
        .map(|f| f.split_once(' ').unwrap().1)
        .collect();
    assert_eq!(
        messages,
        [
            "[warning] `Merge` takes 2 parameters (more than 1) (service orders)",
            "[warning] `audit` takes 2 parameters (more than 1) (service orders)",
        ],
        "{findings:#?}"
    );
}

/// A service whose directories show no known layout is not checked by
/// `arch-layer`; `lint.layout` names the layout to check it against, and an
/// unknown name is an input error with a suggestion.
#[test]
fn layouts_are_detected_per_service_or_named_in_lint_layout() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            ("go.mod", "module example.com/trainer\n\ngo 1.24\n"),
            (
                "main.go",
                "package main\n\nimport \"example.com/trainer/app\"\n\nfunc main() { app.Run() }\n",
            ),
            (
                "app/app.go",
                "package app\n\nimport \"example.com/trainer/adapters\"\n\nfunc Run() { adapters.Store() }\n",
            ),
            ("adapters/store.go", "package adapters\n\nfunc Store() {}\n"),
        ],
    );
    let run = |config: &str| {
        std::fs::write(dir.path().join("trellis.yaml"), config).unwrap();
        trellis()
            .args([
                "lint",
                "--no-cache",
                "--rule",
                "arch-layer",
                "--format",
                "json",
                "-C",
            ])
            .arg(dir.path())
            .output()
            .unwrap()
    };
    // No ports/ directory: not recognisably hexagonal, so nothing is checked.
    let detected = run("version: 1\n");
    assert_eq!(detected.status.code(), Some(0), "{}", stdout_of(&detected));
    let services = trellis()
        .args(["services", "-C"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        stdout_of(&services).contains("none"),
        "{}",
        stdout_of(&services)
    );

    let named = run("version: 1\nlint:\n  layout: hexagonal\n");
    assert_eq!(named.status.code(), Some(1));
    let text = stdout_of(&named);
    assert!(
        text.contains("layer `app` imports layer `adapters`") && text.contains("hexagonal layout"),
        "{text}"
    );

    let unknown = run("version: 1\nlint:\n  layout: hexagonl\n");
    assert_eq!(unknown.status.code(), Some(2));
    let error = stderr_of(&unknown);
    assert!(
        error.contains("unknown layout `hexagonl`") && error.contains("did you mean `hexagonal`"),
        "{error}"
    );
}

/// A command-line tool (no server reached) and the package only it imports
/// are not checked for structured logging; `-v` says so, and the cache,
/// which holds each file's findings, follows when the tool starts serving.
#[test]
fn structured_logging_skips_tool_code_and_follows_the_tools_imports_through_the_cache() {
    let mut history = History::new();
    history.fixture_at("lint/go-structured-logging/pass", "");
    history.commit("orders");
    let root = history.path().to_path_buf();
    let run = || {
        let output = trellis()
            .args([
                "lint",
                "-v",
                "--rule",
                "go-structured-logging",
                "--format",
                "json",
            ])
            .arg("-C")
            .arg(&root)
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_str(&stdout_of(&output))
            .unwrap_or_else(|e| panic!("{e}: {}", stderr_of(&output)));
        let paths: Vec<String> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_string())
            .collect();
        (paths, stderr_of(&output))
    };
    let (paths, log) = run();
    assert!(paths.is_empty(), "{paths:?}");
    assert!(
        log.contains(
            "structured logging not checked in orders/cmd/ordersimport: command-line tool (no server reached from orders/cmd/ordersimport)"
        ),
        "{log}"
    );
    assert!(
        log.contains("structured logging not checked in orders/internal/importer: imported only by command-line tools (orders/cmd/ordersimport)"),
        "{log}"
    );
    // The importer's file is unchanged (its cache entry is reused), yet the
    // tool it belongs to now serves: its printing is a service's logging.
    history.write(
        "orders/cmd/ordersimport/serve.go",
        "package main\n\nimport \"net/http\"\n\nfunc serve() error { return http.ListenAndServe(\":8081\", nil) }\n",
    );
    history.commit("ordersimport serves");
    let (paths, log) = run();
    assert!(log.contains("lint cache: "), "{log}");
    assert!(
        paths
            .iter()
            .any(|p| p == "orders/internal/importer/importer.go"),
        "{paths:?}"
    );
    assert!(
        paths.iter().any(|p| p == "orders/cmd/ordersimport/main.go"),
        "{paths:?}"
    );
}

/// Services that talk over HTTP and a broker only: with no .proto anywhere,
/// nothing says which of them should have had a contract, so layout-contract
/// stays quiet and says why at -v.
#[test]
fn layout_contract_is_quiet_in_a_repository_without_protos() {
    let dir = tempfile::tempdir().unwrap();
    let main = "package main\n\nimport \"net/http\"\n\nfunc main() {\n\tsrv := &http.Server{Addr: \":8080\"}\n\t_ = srv.ListenAndServe()\n}\n";
    write_tree(
        dir.path(),
        &[
            (
                "services/orders/go.mod",
                "module example.com/shop/orders\n\ngo 1.22\n",
            ),
            ("services/orders/cmd/orders/main.go", main),
            (
                "services/billing/go.mod",
                "module example.com/shop/billing\n\ngo 1.22\n",
            ),
            ("services/billing/cmd/billing/main.go", main),
        ],
    );
    let run = |args: &[&str]| {
        trellis()
            .args(args)
            .args([
                "lint",
                "--no-cache",
                "--format",
                "json",
                "--rule",
                "layout-contract",
                "-C",
            ])
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let output = run(&["-v"]);
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    assert_eq!(json["findings"], serde_json::json!([]), "{json}");
    assert!(
        stderr_of(&output)
            .contains("layout-contract: not checked: the repository has no .proto file"),
        "{}",
        stderr_of(&output)
    );
    // One contract anywhere and the services without one are reported again.
    write_tree(
        dir.path(),
        &[(
            "services/orders/api/orders/v1/orders.proto",
            "syntax = \"proto3\";\n\npackage orders.v1;\n",
        )],
    );
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&run(&[]))).unwrap();
    let paths: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, vec!["services/billing/go.mod"], "{json}");
}

/// `-v` names each would-be finding a convention or exemption silenced, and
/// which one, whether the file's outcome was computed or read from the cache.
#[test]
fn verbose_logs_each_exemption_that_silenced_a_finding_also_from_the_cache() {
    let mut history = History::new();
    history.fixture_at("lint/go-too-many-params/pass", "");
    history.commit("orders");
    let root = history.path().to_path_buf();
    let run = || {
        let output = trellis()
            .args([
                "lint",
                "-v",
                "--rule",
                "go-too-many-params",
                "--format",
                "json",
            ])
            .arg("-C")
            .arg(&root)
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_str(&stdout_of(&output))
            .unwrap_or_else(|e| panic!("{e}: {}", stderr_of(&output)));
        assert_eq!(json["findings"], serde_json::json!([]), "{json}");
        stderr_of(&output)
    };
    for log in [run(), run()] {
        let exempted: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("go-too-many-params not reported at "))
            .collect();
        for expected in [
            "orders/cmd/orders/wire.go:",
            "a wire injector stub",
            "orders/internal/client/interceptors.go:13: `func literal` takes 7 parameters: a function literal returned",
            "orders/internal/accesslog/entry.go:17: `Write` takes 5 parameters: its type is asserted to implement",
            "orders/internal/service/service_test.go:15: `Reserve` takes 5 parameters: it keeps parameters it does not use",
        ] {
            assert!(
                exempted.iter().any(|l| l.contains(expected)),
                "no exemption log with {expected:?}:\n{log}"
            );
        }
    }
}

/// Go's help, like Rust's, tells values (placeholders) from table and
/// column names (a fixed set, quoted), which no placeholder can stand for.
#[test]
fn go_sql_string_building_help_names_the_fix_for_values_and_identifiers() {
    let dir = lint_fixtures().join("go-sql-string-building/fail");
    let (repo, config) = open(&dir);
    let options = LintOptions {
        only: vec!["go-sql-string-building".to_string()],
        ..LintOptions::default()
    };
    let report =
        trellis::lint::run(&repo, &config.lint, &config.rules, &options).expect("lint runs");
    assert!(!report.findings.is_empty());
    for finding in &report.findings {
        let help = finding.help.as_deref().unwrap_or_default();
        assert!(
            help.starts_with("keep the SQL text constant and pass values as placeholder arguments"),
            "{help}"
        );
        assert!(
            help.contains("a table, schema or column name cannot be a placeholder")
                && help.contains("quote it as an identifier"),
            "{}:{:?}: {help}",
            finding.path,
            finding.line
        );
    }
}

/// A value spliced into SQL can be bound; a table, schema or column name
/// cannot, so the help says what fixes each (#21).
#[test]
fn rust_sql_string_building_help_fits_what_is_spliced() {
    let dir = lint_fixtures().join("rust-sql-string-building/fail");
    let (repo, config) = open(&dir);
    let options = LintOptions {
        only: vec!["rust-sql-string-building".to_string()],
        ..LintOptions::default()
    };
    let report =
        trellis::lint::run(&repo, &config.lint, &config.rules, &options).expect("lint runs");
    let help = |path: &str, line: u32| {
        report
            .findings
            .iter()
            .find(|f| f.path == path && f.line == Some(line))
            .and_then(|f| f.help.clone())
            .unwrap_or_else(|| panic!("no finding at {path}:{line}"))
    };
    let value = help("pricing/src/lib.rs", 2);
    assert!(
        value.starts_with("keep the SQL constant and bind values"),
        "{value}"
    );
    assert!(!value.contains("cannot be bound"), "{value}");
    let schema = help("pricing/src/archive.rs", 3);
    assert!(
        schema.starts_with("a table, schema or column name cannot be bound"),
        "{schema}"
    );
    assert!(!schema.contains("bind the values"), "{schema}");
    let both = help("pricing/src/archive.rs", 7);
    assert!(
        both.starts_with(
            "bind the values ($1 / ?); a table, schema or column name cannot be bound"
        ),
        "{both}"
    );
    let column = help("pricing/src/archive.rs", 8);
    assert!(
        column.contains("cannot be bound") && !column.contains("bind the values"),
        "{column}"
    );
}
