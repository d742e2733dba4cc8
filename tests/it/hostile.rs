//! Hostile input to lint (#17): files generated here, at the sizes that
//! crashed or slowed trellis, never committed.

use crate::support::{stderr_of, stdout_of, trellis, write_tree};

fn lint_json(dir: &std::path::Path) -> (Option<i32>, serde_json::Value, String) {
    let output = trellis()
        .args(["lint", "--no-cache", "--format", "json", "-C"])
        .arg(dir)
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    let json = serde_json::from_str(&stdout_of(&output)).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}), exit {:?}: {stderr}",
            output.status.code()
        )
    });
    (output.status.code(), json, stderr)
}

fn findings_of<'j>(json: &'j serde_json::Value, rule: &str) -> Vec<&'j serde_json::Value> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// Go nests one syntax node per `+` term, parenthesis or slice bracket;
/// every walk over Go trees is iterative, so such a file is analysed whole
/// (it passes `go vet`) and the SQL built in it is still found.
#[test]
fn deeply_nested_go_is_analysed_without_crashing() {
    let dir = tempfile::tempdir().unwrap();
    let terms = vec!["\"a\""; 40_000].join(" + ");
    let parens = 20_000;
    let brackets = "[]".repeat(20_000);
    let source = format!(
        "package store\n\nimport (\n\t\"context\"\n\t\"database/sql\"\n)\n\n\
         type Store struct{{ db *sql.DB }}\n\n\
         func (s *Store) Find(ctx context.Context, id string) {{\n\
         \ts.db.QueryContext(ctx, {terms} + id)\n\
         \t_ = {open}id{close}\n}}\n\n\
         func (s *Store) Many(a, b, c, d, e int, deep {brackets}context.Context) {{}}\n",
        open = "(".repeat(parens),
        close = ")".repeat(parens),
    );
    write_tree(
        dir.path(),
        &[
            ("go.mod", "module example.com/deep\n\ngo 1.22\n"),
            ("cmd/deep/main.go", "package main\n\nfunc main() {}\n"),
            ("internal/store/store.go", &source),
        ],
    );
    let (code, json, stderr) = lint_json(dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    let sql = findings_of(&json, "go-sql-string-building");
    assert_eq!(sql.len(), 1, "{sql:?}");
    assert_eq!(sql[0]["line"], 11);
    assert_eq!(findings_of(&json, "go-too-many-params").len(), 1);
    assert!(findings_of(&json, "parse-degraded").is_empty());
}

fn rust_service(dir: &std::path::Path, main: &str) {
    write_tree(
        dir,
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"deep\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
            ("src/main.rs", main),
        ],
    );
}

/// syn recurses once per level when it parses, visits and drops a tree:
/// 700 parentheses (1.4 KB) crashed lint; they are analysed now, on worker
/// threads with room for them.
#[test]
fn hundreds_of_nested_parentheses_in_rust_are_analysed() {
    let dir = tempfile::tempdir().unwrap();
    let main = format!(
        "fn main() {{\n    let x = {}1{};\n    println!(\"{{x}}\");\n}}\n",
        "(".repeat(700),
        ")".repeat(700)
    );
    rust_service(dir.path(), &main);
    let (code, json, stderr) = lint_json(dir.path());
    assert!(matches!(code, Some(0 | 1)), "{stderr}");
    assert!(findings_of(&json, "parse-degraded").is_empty(), "{json}");
}

/// A 20,000-term sum is deeper than trellis lets syn go: the file is
/// reported as degraded, and the rest of the repository is still linted.
#[test]
fn rust_nested_past_the_limit_degrades_to_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let main = format!(
        "fn main() {{\n    let x = {};\n}}\n",
        vec!["1"; 20_000].join(" + ")
    );
    rust_service(dir.path(), &main);
    write_tree(
        dir.path(),
        &[(
            "src/logs.rs",
            "pub fn log() {\n    println!(\"not structured\");\n}\n",
        )],
    );
    let (code, json, stderr) = lint_json(dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    let degraded = findings_of(&json, "parse-degraded");
    assert_eq!(degraded.len(), 1, "{degraded:?}");
    assert_eq!(degraded[0]["path"], "src/main.rs");
    let message = degraded[0]["message"].as_str().unwrap();
    assert!(message.contains("nested about 40"), "{message}");
    assert_eq!(
        findings_of(&json, "rust-structured-logging").len(),
        1,
        "{json}"
    );
}

/// A file over `lint.max-file-size` is reported and not analysed; one under
/// it is analysed as usual.
#[test]
fn files_over_the_size_limit_are_reported_not_analysed() {
    let dir = tempfile::tempdir().unwrap();
    let logging = "package service\n\nimport \"log\"\n\nfunc Run() {\n\tlog.Printf(\"x\")\n}\n";
    let padded = format!("{logging}\n// {}\n", "x".repeat(600));
    write_tree(
        dir.path(),
        &[
            ("go.mod", "module example.com/big\n\ngo 1.22\n"),
            ("cmd/big/main.go", "package main\n\nfunc main() {}\n"),
            ("internal/service/small.go", logging),
            ("internal/service/large.go", &padded),
            ("trellis.yaml", "version: 1\nlint:\n  max-file-size: 500\n"),
        ],
    );
    let (code, json, stderr) = lint_json(dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    let degraded = findings_of(&json, "parse-degraded");
    assert_eq!(degraded.len(), 1, "{degraded:?}");
    assert_eq!(degraded[0]["path"], "internal/service/large.go");
    let message = degraded[0]["message"].as_str().unwrap();
    assert!(
        message.contains("lint.max-file-size (500 bytes)"),
        "{message}"
    );
    let logged: Vec<_> = findings_of(&json, "go-structured-logging")
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(logged, ["internal/service/small.go"]);
}

/// A Go file whose name is not UTF-8 cannot be given a path in a report's
/// UTF-8 text; it is reported (with its bytes replaced), not dropped.
#[cfg(unix)]
#[test]
fn a_go_file_with_a_non_utf8_name_is_reported() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            ("go.mod", "module example.com/names\n\ngo 1.22\n"),
            ("cmd/names/main.go", "package main\n\nfunc main() {}\n"),
        ],
    );
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.go");
    std::fs::write(
        dir.path().join("cmd/names").join(name),
        "package main\n\nimport \"log\"\n\nfunc f() { log.Printf(\"x\") }\n",
    )
    .unwrap();
    let (code, json, stderr) = lint_json(dir.path());
    assert!(matches!(code, Some(0 | 1)), "{stderr}");
    let degraded = findings_of(&json, "parse-degraded");
    assert_eq!(degraded.len(), 1, "{degraded:?}");
    assert_eq!(degraded[0]["path"], "cmd/names/caf\u{fffd}.go");
    let message = degraded[0]["message"].as_str().unwrap();
    assert!(message.contains("not valid UTF-8"), "{message}");
}

/// The trellis command for the permission tests, run as a user that file
/// modes stop: root reads everything, so as root (CI here runs as root) it
/// runs as `nobody` through util-linux's setpriv, over a temp dir opened to
/// others; `None` when neither works (the test then says so and skips).
#[cfg(unix)]
fn unprivileged_trellis(dir: &std::path::Path) -> Option<std::process::Command> {
    let euid = std::process::Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&euid.stdout).trim() != "0" {
        return Some(std::process::Command::new(env!("CARGO_BIN_EXE_trellis")));
    }
    let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(setpriv) = setpriv else {
        eprintln!("skipped: running as root without setpriv to drop privileges");
        return None;
    };
    set_mode(dir, 0o755);
    let mut command = std::process::Command::new(setpriv);
    command
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(env!("CARGO_BIN_EXE_trellis"))
        .env("NO_COLOR", "1")
        .env("HOME", dir);
    Some(command)
}

#[cfg(unix)]
fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// An unreadable directory is reported, not linted as if it were empty.
#[cfg(unix)]
#[test]
fn an_unreadable_directory_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            ("go.mod", "module example.com/locked\n\ngo 1.22\n"),
            ("cmd/locked/main.go", "package main\n\nfunc main() {}\n"),
            ("internal/secret/s.go", "package secret\n"),
        ],
    );
    let locked = dir.path().join("internal/secret");
    let Some(mut trellis) = unprivileged_trellis(dir.path()) else {
        return;
    };
    set_mode(&locked, 0o000);
    let output = trellis
        .args(["lint", "--no-cache", "--format", "json", "-C"])
        .arg(dir.path())
        .output()
        .unwrap();
    set_mode(&locked, 0o755);
    let (code, stderr) = (output.status.code(), stderr_of(&output));
    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(&output)).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    assert!(matches!(code, Some(0 | 1)), "{stderr}");
    let degraded = findings_of(&json, "parse-degraded");
    assert_eq!(degraded.len(), 1, "{degraded:?}");
    assert_eq!(degraded[0]["path"], "internal/secret");
}

/// An unreadable go.mod is an input error naming the file, not "no module
/// line".
#[cfg(unix)]
#[test]
fn an_unreadable_manifest_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            ("go.mod", "module example.com/locked\n\ngo 1.22\n"),
            ("cmd/locked/main.go", "package main\n\nfunc main() {}\n"),
        ],
    );
    let manifest = dir.path().join("go.mod");
    let Some(mut trellis) = unprivileged_trellis(dir.path()) else {
        return;
    };
    set_mode(&manifest, 0o000);
    let output = trellis
        .args(["lint", "--no-cache", "-C"])
        .arg(dir.path())
        .output()
        .unwrap();
    set_mode(&manifest, 0o644);
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot read go.mod"), "{stderr}");
}

/// A path longer than the system takes (PATH_MAX, 4096 bytes on Linux) is
/// reported, in a whole-tree run and in a run on a path above it, not
/// skipped without a word. The directories are made one `cd` at a time,
/// as only relative paths that short can be.
#[cfg(target_os = "linux")]
#[test]
fn a_path_too_long_for_the_system_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            ("go.mod", "module example.com/deep\n\ngo 1.22\n"),
            ("cmd/deep/main.go", "package main\n\nfunc main() {}\n"),
        ],
    );
    let level = "d".repeat(200);
    let script = format!(
        "cd internal && for i in $(seq 25); do mkdir {level} && cd {level} || exit 1; done && printf 'package deep\\n' > deep.go"
    );
    std::fs::create_dir(dir.path().join("internal")).unwrap();
    // bash, not dash: dash's `cd` refuses once its logical path is too long.
    let made = std::process::Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(made.success());
    for paths in [&[][..], &["internal"][..], &["."][..]] {
        // Paths are taken from the current directory, as a person types them.
        let output = trellis()
            .current_dir(dir.path())
            .args(["lint", "--no-cache", "--format", "json"])
            .args(paths)
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_str(&stdout_of(&output))
            .unwrap_or_else(|e| panic!("{paths:?}: {e}: {}", stderr_of(&output)));
        let degraded = findings_of(&json, "parse-degraded");
        assert_eq!(degraded.len(), 1, "{paths:?}: {json:#}");
        let message = degraded[0]["message"].as_str().unwrap();
        assert!(message.contains("name too long"), "{paths:?}: {message}");
        assert!(
            degraded[0]["path"]
                .as_str()
                .unwrap()
                .starts_with("internal/ddd"),
            "{paths:?}"
        );
    }
    // The docs' way out: `exclude:` leaves the directory out, quietly.
    std::fs::write(
        dir.path().join("trellis.yaml"),
        "version: 1\nexclude: [\"internal/**\"]\n",
    )
    .unwrap();
    let (_, json, stderr) = lint_json(dir.path());
    assert!(findings_of(&json, "parse-degraded").is_empty(), "{stderr}");
}
