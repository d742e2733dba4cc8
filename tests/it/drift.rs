//! `trellis drift` on fixtures: one directory per rule with `fail/` and
//! `pass/` cases (and extra named cases), snapshotted, plus the shop example.

use crate::support::{copy_tree, fixture, stderr_of, stdout_of, trellis, trellis_in, write_tree};
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
    for format in [
        "text", "json", "sarif", "github", "gitlab", "junit", "markdown",
    ] {
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

/// (path, message) of every finding of a rule, in report order.
fn places(json: &serde_json::Value, rule: &str) -> Vec<(String, String)> {
    findings(json, rule)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The go.mod/go.sum pairs of these cases were written by `go mod tidy`;
/// .ci/drift.sh checks them against the Go toolchain again.
#[test]
fn gosum_follows_replace_as_go_does() {
    let case = |name: &str| fixture("drift/drift-gosum").join(name);
    // A pin, a fork, a replace of one old version, a directory; a workspace
    // whose go.work overrides a module's pin and replaces an unpublished module.
    for name in ["replace-pass", "workspace-pass"] {
        let (json, _) = drift_json(&case(name), &[]);
        assert_eq!(places(&json, "drift-gosum"), [], "{name}");
    }
    // Replaces added after the last `go mod tidy`: go.sum holds the required
    // versions, Go needs the replacements'.
    let (json, _) = drift_json(&case("replace-fail"), &[]);
    assert_eq!(
        places(&json, "drift-gosum"),
        [
            (
                "services/a/go.mod".to_string(),
                "services/a/go.sum has no hash for github.com/google/uuid v1.3.1, which replaces github.com/google/uuid v1.6.0".to_string()
            ),
            (
                "services/b/go.mod".to_string(),
                "services/b/go.sum has no hash for github.com/golang/text v0.3.7, which replaces golang.org/x/text v0.3.0".to_string()
            ),
        ]
    );
    // Without go.work.sum: services/a is complete on its own; services/b
    // lacks uuid v1.6.0 and the workspace lacks v1.4.0, the version its
    // go.work forces (services/a's own pin to v1.5.0 does not count there).
    let (json, _) = drift_json(&case("workspace-fail"), &[]);
    let gosum = findings(&json, "drift-gosum");
    assert_eq!(gosum.len(), 1, "{gosum:#?}");
    assert_eq!(gosum[0]["path"], "services/b/go.mod");
    assert!(
        gosum[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("has no hash for github.com/google/uuid v1.6.0"),
        "{gosum:#?}"
    );
    assert!(
        gosum[0]["notes"][0]
            .as_str()
            .unwrap()
            .contains("needs github.com/google/uuid v1.4.0"),
        "{gosum:#?}"
    );
}

#[test]
fn a_replace_by_the_same_module_is_a_pin_not_a_fork() {
    let (json, _) = drift_json(&fixture("drift/drift-replace-local/pin-fail"), &[]);
    let by_module = |module: &str| -> serde_json::Value {
        let hits: Vec<_> = findings(&json, "drift-replace-local")
            .into_iter()
            .filter(|f| {
                f["message"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("replace {module} "))
            })
            .collect();
        assert_eq!(hits.len(), 1, "{module}: {json:#}");
        hits[0].clone()
    };
    let uuid = by_module("github.com/google/uuid");
    assert_eq!(uuid["severity"], "info");
    let message = uuid["message"].as_str().unwrap();
    for needle in [
        "pins github.com/google/uuid to v1.3.1",
        "silently overrides every requirement of github.com/google/uuid",
        "`go get github.com/google/uuid@...` upgrades change nothing",
    ] {
        assert!(message.contains(needle), "{message} lacks {needle}");
    }
    assert!(!message.contains("fork"), "{message}");
    assert!(
        uuid["help"]
            .as_str()
            .unwrap()
            .contains("go mod edit -dropreplace github.com/google/uuid`"),
        "{uuid:#}"
    );
    // With an old version, only that version is swapped.
    let text = by_module("golang.org/x/text v0.14.0");
    assert_eq!(text["severity"], "info");
    assert!(
        text["message"]
            .as_str()
            .unwrap()
            .contains("pins golang.org/x/text v0.14.0 to v0.15.0"),
        "{text:#}"
    );
    assert!(
        text["help"]
            .as_str()
            .unwrap()
            .contains("-dropreplace golang.org/x/text@v0.14.0"),
        "{text:#}"
    );
    // Another module path is still a fork.
    let log = by_module("github.com/org/log");
    assert_eq!(log["severity"], "warning");
    assert!(log["message"].as_str().unwrap().contains("a fork replaces"));
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

/// A Go module proxy and a crates.io sparse index on 127.0.0.1, serving
/// tests/fixtures/drift/upstream/{proxy,index}. Module paths with `broken`
/// answer 500, `gone` 410, `slow` after two seconds; `huge` answers 5 MiB with its length,
/// `endless` up to 64 MiB without a length. An Authorization header is
/// logged as a request `auth <value>`.
struct Upstream {
    base: String,
    requests: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    /// Every request's path and when it arrived.
    arrivals: std::sync::Arc<std::sync::Mutex<Vec<(String, std::time::Instant)>>>,
}

impl Upstream {
    fn start() -> Upstream {
        use std::io::Write;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let arrivals = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = requests.clone();
        let times = arrivals.clone();
        let root = fixture("drift/upstream");
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let log = log.clone();
                let times = times.clone();
                let root = root.clone();
                std::thread::spawn(move || {
                    let Some((path, headers)) = crate::support::read_request(&stream) else {
                        return;
                    };
                    times
                        .lock()
                        .unwrap()
                        .push((path.clone(), std::time::Instant::now()));
                    for (name, value) in &headers {
                        if name.eq_ignore_ascii_case("authorization") {
                            log.lock().unwrap().push(format!("auth {value}"));
                        }
                    }
                    log.lock().unwrap().push(path.clone());
                    if path.contains("/endless/") {
                        // No length: only a cap on the reader ends this.
                        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
                        let chunk = b"v1.0.0\n".repeat(1 << 13);
                        for _ in 0..(64 << 20) / chunk.len() {
                            if stream.write_all(&chunk).is_err() {
                                return;
                            }
                        }
                        return;
                    }
                    let (status, body): (&str, Vec<u8>) = if path.contains("/huge/") {
                        ("200 OK", b"v1.0.0\n".repeat(3 << 18))
                    } else if path.contains("!broken") {
                        ("500 Internal Server Error", b"boom".to_vec())
                    } else if path.contains("/gone/") {
                        ("410 Gone", b"gone".to_vec())
                    } else if path.contains("/slow/") {
                        std::thread::sleep(std::time::Duration::from_secs(2));
                        ("200 OK", b"v1.0.0\n".to_vec())
                    } else {
                        match std::fs::read(root.join(path.trim_start_matches('/'))) {
                            Ok(body) => ("200 OK", body),
                            Err(_) => ("404 Not Found", b"not found".to_vec()),
                        }
                    };
                    crate::support::respond(&mut stream, status, &body);
                });
            }
        });
        Upstream {
            base,
            requests,
            arrivals,
        }
    }

    /// When the requests whose path contains `needle` arrived.
    fn arrived(&self, needle: &str) -> Vec<std::time::Instant> {
        self.arrivals
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p.contains(needle))
            .map(|(_, t)| *t)
            .collect()
    }

    fn requested(&self, needle: &str) -> usize {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|p| p.contains(needle))
            .count()
    }
}

/// The upstream repository in a temp dir, with the index pointing at `index`.
fn upstream_repo(index: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    crate::support::copy_tree(&fixture("drift/upstream/repo"), dir.path());
    let yaml = std::fs::read_to_string(dir.path().join("trellis.yaml")).unwrap();
    std::fs::write(
        dir.path().join("trellis.yaml"),
        format!(
            "{yaml}    crates-index: {index}\n    crates-api: {}/api\n",
            index.trim_end_matches("/index")
        ),
    )
    .unwrap();
    dir
}

fn run_upstream(
    repo: &Path,
    cache: &Path,
    envs: &[(&str, &str)],
    args: &[&str],
) -> (serde_json::Value, String, i32) {
    let mut cmd = trellis();
    cmd.arg("-C")
        .arg(repo)
        .args(["drift", "--format", "json"])
        .args(args)
        .env("TRELLIS_CACHE_DIR", cache)
        // Offline crates come from cargo's index cache: never this machine's.
        .env("CARGO_HOME", cache.join("no-cargo-home"))
        .env("GOPRIVATE", "corp.example.com")
        .env_remove("GONOPROXY")
        .env_remove("GONOSUMDB")
        .env_remove("GOFLAGS");
    for (key, value) in envs {
        cmd.env(key, value);
    }
    let output = cmd.output().unwrap();
    let json = serde_json::from_str(&stdout_of(&output))
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout_of(&output), stderr_of(&output)));
    (json, stderr_of(&output), output.status.code().unwrap())
}

fn messages(json: &serde_json::Value, rule: &str) -> Vec<String> {
    findings(json, rule)
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn upstream_against_a_local_proxy_and_index() {
    let server = Upstream::start();
    let cache = tempfile::tempdir().unwrap();
    let repo = upstream_repo(&format!("{}/index", server.base));
    let goproxy = format!("{}/proxy", server.base);
    let (json, stderr, code) = run_upstream(
        repo.path(),
        cache.path(),
        &[("GOPROXY", &goproxy)],
        &["--upstream"],
    );
    assert_eq!(code, 1, "a retracted version is an error: {stderr}");

    let outdated = messages(&json, "drift-outdated");
    let uuid: Vec<_> = outdated
        .iter()
        .filter(|m| m.contains("github.com/google/uuid"))
        .collect();
    assert_eq!(uuid.len(), 1, "{outdated:#?}");
    assert!(
        uuid[0].contains("v1.5.0 is 1 minor behind") && uuid[0].contains("v1.6.0 (2024-01-23)"),
        "{uuid:?}"
    );
    assert!(
        outdated.iter().any(
            |m| m.contains("github.com/org/oldauth v1.0.0 is 1 major behind")
                && m.contains("github.com/org/oldauth/v2 v2.1.0")
        ),
        "{outdated:#?}"
    );
    assert!(
        outdated.iter().any(|m| m.contains("github.com/org/pseudo")
            && m.contains("v0.0.0-20240101000000-123456789abc")),
        "pseudo-version latest from @latest: {outdated:#?}"
    );
    assert!(
        outdated
            .iter()
            .any(|m| m.contains("crate serde 1.0.100 is a compatible update: newest is 1.0.210")),
        "{outdated:#?}"
    );
    assert!(
        outdated
            .iter()
            .any(|m| m.contains("crate rand 0.7.3 is 2 breaking release lines behind")),
        "{outdated:#?}"
    );

    let retracted = messages(&json, "drift-retracted");
    assert!(
        retracted.iter().any(
            |m| m.contains("github.com/org/retracted v1.2.0 is retracted")
                && m.contains("data race in Pool")
        ),
        "{retracted:#?}"
    );
    assert!(
        retracted
            .iter()
            .any(|m| m.contains("crate serde 1.0.100 is yanked")),
        "{retracted:#?}"
    );
    let deprecated = messages(&json, "drift-deprecated");
    assert_eq!(deprecated.len(), 1, "{deprecated:#?}");
    assert!(deprecated[0].contains("use github.com/org/oldauth/v2 instead"));

    // 500, 410 and a timeout each degrade to one warning for that module.
    for module in [
        "github.com/org/Broken",
        "github.com/org/gone",
        "github.com/org/slow",
    ] {
        let lines = stderr
            .lines()
            .filter(|l| l.starts_with("warning:") && l.contains(module))
            .count();
        assert_eq!(lines, 1, "{module}: {stderr}");
    }
    assert!(stderr.contains("HTTP 500"), "{stderr}");
    assert!(stderr.contains("no answer within 0.5s"), "{stderr}");
    // Case-encoding on the wire, and one retry after the 500.
    assert_eq!(server.requested("/github.com/org/!broken/@v/list"), 2);
    // GOPRIVATE modules are never sent to a proxy.
    assert_eq!(server.requested("corp.example.com"), 0);

    let stats = &json["stats"];
    // "1.23 (4 of 7 requirements)": the broken, gone and slow modules are unknown.
    let libyears = stats["libyears"].as_str().unwrap();
    assert!(libyears.contains(" of "), "{libyears}");
    let libyears: f64 = libyears
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("{stats:#}"));
    assert!(libyears > 0.5, "{stats:#}");
    let by_service = stats["libyears by service"].as_str().unwrap();
    assert!(
        by_service.contains("a ") && by_service.contains("b 0.00"),
        "{by_service}"
    );

    // A second run is answered from the cache.
    let before = server.requested("/github.com/google/uuid/");
    let (again, _, _) = run_upstream(
        repo.path(),
        cache.path(),
        &[("GOPROXY", &goproxy)],
        &["--upstream"],
    );
    assert_eq!(server.requested("/github.com/google/uuid/"), before);
    assert_eq!(messages(&again, "drift-outdated"), outdated);
}

#[test]
fn goproxy_comma_falls_back_only_on_not_found_and_off_stops() {
    let server = Upstream::start();
    let cache = tempfile::tempdir().unwrap();
    let repo = upstream_repo(&format!("{}/index", server.base));
    // The first proxy has nothing (404): the second answers.
    let goproxy = format!("{0}/nothing,{0}/proxy", server.base);
    let (json, _, _) = run_upstream(
        repo.path(),
        cache.path(),
        &[("GOPROXY", &goproxy)],
        &["--upstream"],
    );
    assert!(
        messages(&json, "drift-outdated")
            .iter()
            .any(|m| m.contains("github.com/google/uuid"))
    );
    let cache = tempfile::tempdir().unwrap();
    let (json, stderr, _) = run_upstream(
        repo.path(),
        cache.path(),
        &[("GOPROXY", "off")],
        &["--upstream"],
    );
    assert!(
        messages(&json, "drift-outdated")
            .iter()
            .all(|m| m.starts_with("crate "))
    );
    assert!(stderr.contains("GOPROXY=off"), "{stderr}");
}

#[test]
fn upstream_findings_for_several_go_mods_are_one_each() {
    let server = Upstream::start();
    let cache = tempfile::tempdir().unwrap();
    let repo = upstream_repo(&format!("{}/index", server.base));
    // A second service on the retracted version and the deprecated module.
    write_tree(
        repo.path(),
        &[(
            "services/c/go.mod",
            "module example.com/up/c\n\ngo 1.22\n\nrequire (\n\tgithub.com/org/oldauth v1.0.0\n\tgithub.com/org/retracted v1.2.0\n)\n",
        )],
    );
    let goproxy = format!("{}/proxy", server.base);
    let (json, stderr, _) = run_upstream(
        repo.path(),
        cache.path(),
        &[("GOPROXY", &goproxy)],
        &["--upstream"],
    );
    for rule in ["drift-retracted", "drift-deprecated"] {
        let go: Vec<_> = findings(&json, rule)
            .into_iter()
            .filter(|f| !f["message"].as_str().unwrap().starts_with("crate "))
            .collect();
        assert_eq!(go.len(), 1, "{rule}: {go:#?} {stderr}");
        assert_eq!(go[0]["path"], "services/a/go.mod", "{rule}");
        assert_eq!(related_paths(go[0]), ["services/c/go.mod"], "{rule}");
        assert!(
            go[0]["message"]
                .as_str()
                .unwrap()
                .ends_with("(and in 1 other go.mod file)"),
            "{rule}: {go:#?}"
        );
    }
}

use crate::support::closed_port;

#[test]
fn no_network_and_no_cache_says_so_plainly() {
    let cache = tempfile::tempdir().unwrap();
    let closed = closed_port();
    let repo = upstream_repo(&format!("http://127.0.0.1:{closed}/index"));
    let goproxy = format!("http://127.0.0.1:{closed}/proxy");
    let (json, stderr, _) = run_upstream(
        repo.path(),
        cache.path(),
        &[("GOPROXY", &goproxy)],
        &["--upstream"],
    );
    assert!(stderr.contains("no network and nothing cached"), "{stderr}");
    assert_eq!(
        stderr.matches("warning:").count(),
        1,
        "one plain line: {stderr}"
    );
    assert!(findings(&json, "drift-outdated").is_empty());
    // The offline checks still ran.
    assert!(!findings(&json, "drift-version-mismatch").is_empty());
}

#[test]
fn offline_reads_the_module_cache_and_never_the_network() {
    let cache = tempfile::tempdir().unwrap();
    let modcache = tempfile::tempdir().unwrap();
    crate::support::copy_tree(
        &fixture("drift/upstream/proxy"),
        &modcache.path().join("cache/download"),
    );
    // A live proxy and index that must not be asked.
    let server = Upstream::start();
    let repo = upstream_repo(&format!("{}/index", server.base));
    let gomodcache = modcache.path().to_str().unwrap();
    let goproxy = format!("{}/proxy", server.base);
    let (json, stderr, _) = run_upstream(
        repo.path(),
        cache.path(),
        &[("GOMODCACHE", gomodcache), ("GOPROXY", &goproxy)],
        &["--offline"],
    );
    assert_eq!(server.requested("/"), 0, "--offline asked the network");
    let outdated = messages(&json, "drift-outdated");
    assert!(
        outdated
            .iter()
            .any(|m| m.contains("github.com/google/uuid v1.5.0")),
        "{outdated:#?} {stderr}"
    );
    assert!(!messages(&json, "drift-retracted").is_empty());
    assert!(
        json["stats"]["upstream"]
            .as_str()
            .unwrap()
            .contains("module cache")
    );
    assert!(!stderr.contains("cannot connect"), "{stderr}");

    let empty = tempfile::tempdir().unwrap();
    let (json, stderr, _) = run_upstream(
        repo.path(),
        cache.path(),
        &[("GOMODCACHE", empty.path().to_str().unwrap())],
        &["--offline"],
    );
    assert!(stderr.contains("no Go module cache at"), "{stderr}");
    assert!(findings(&json, "drift-outdated").is_empty());
}

#[test]
fn align_newest_or_majority() {
    let dir = tempfile::tempdir().unwrap();
    let go_mod = |name: &str, version: &str| {
        format!(
            "module example.com/{name}\n\ngo 1.22\n\nrequire github.com/google/uuid {version}\n"
        )
    };
    let (a, b, c) = (
        go_mod("a", "v1.5.0"),
        go_mod("b", "v1.5.0"),
        go_mod("c", "v1.6.0"),
    );
    write_tree(
        dir.path(),
        &[("a/go.mod", &a), ("b/go.mod", &b), ("c/go.mod", &c)],
    );
    // One finding for the module: its place, then the related ones.
    let flagged = |json: &serde_json::Value| -> Vec<String> {
        let hits = findings(json, "drift-version-mismatch");
        assert_eq!(hits.len(), 1, "{hits:#?}");
        let mut paths = vec![hits[0]["path"].as_str().unwrap().to_string()];
        paths.extend(related_paths(hits[0]));
        paths
    };
    let (json, _) = drift_json(dir.path(), &[]);
    assert_eq!(flagged(&json), ["a/go.mod", "b/go.mod"]);
    write_tree(
        dir.path(),
        &[("trellis.yaml", "version: 1\ndrift:\n  align: majority\n")],
    );
    let (json, _) = drift_json(dir.path(), &[]);
    assert_eq!(flagged(&json), ["c/go.mod"]);
    assert!(
        findings(&json, "drift-version-mismatch")[0]["help"]
            .as_str()
            .unwrap()
            .contains("align on v1.5.0")
    );
}

fn related_paths(finding: &serde_json::Value) -> Vec<String> {
    finding["related"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| r["path"].as_str().unwrap().to_string())
        .collect()
}

/// Three services that drift the same way: each rule reports it once, at the
/// first go.mod, with the other go.mod files as related places.
#[test]
fn repeated_drift_is_one_finding_with_related_places() {
    let dir = tempfile::tempdir().unwrap();
    let service = |name: &str, lib: &str| {
        format!(
            "module example.com/r/{name}\n\ngo 1.22\n\nrequire (\n\tgithub.com/org/anchored v1.4.0\n\tgithub.com/org/lib {lib}\n\tgithub.com/org/old v1.0.0\n)\n\nreplace github.com/org/pinned => github.com/org/pinned v1.2.3\n"
        )
    };
    let (a, b) = (service("a", "v1.0.0"), service("b", "v1.0.0"));
    let c = "module example.com/r/c\n\ngo 1.24.0\n\nrequire (\n\tgithub.com/org/lib v1.1.0\n\tgithub.com/org/old/v2 v2.0.0\n)\n\nreplace github.com/org/pinned => github.com/org/pinned v1.2.3\n";
    let sum =
        "github.com/org/other v1.0.0/go.mod h1:TIyPZe4MgqvfeYDBFedMoGGpEw/LqOeaOT+nhxU+yHo=\n";
    write_tree(
        dir.path(),
        &[
            (
                "go.mod",
                "module example.com/r\n\ngo 1.24.0\n\nrequire github.com/org/anchored v1.5.0\n",
            ),
            ("services/a/go.mod", &a),
            ("services/a/go.sum", sum),
            ("services/b/go.mod", &b),
            ("services/b/go.sum", sum),
            ("services/c/go.mod", c),
        ],
    );
    let (json, _) = drift_json(dir.path(), &[]);
    let one = |rule: &str, needle: &str| -> (String, Vec<String>) {
        let hits: Vec<_> = findings(&json, rule)
            .into_iter()
            .filter(|f| f["message"].as_str().unwrap().contains(needle))
            .collect();
        assert_eq!(hits.len(), 1, "{rule} {needle}: {hits:#?}");
        (
            hits[0]["path"].as_str().unwrap().to_string(),
            related_paths(hits[0]),
        )
    };
    let a_and_b = (
        "services/a/go.mod".to_string(),
        vec!["services/b/go.mod".to_string()],
    );
    assert_eq!(one("drift-version-mismatch", "github.com/org/lib"), a_and_b);
    assert_eq!(one("drift-anchor", "github.com/org/anchored"), a_and_b);
    assert_eq!(one("drift-major-split", "github.com/org/old"), a_and_b);
    assert_eq!(one("drift-go-directive", "`go 1.22`"), a_and_b);
    assert_eq!(
        one("drift-gosum", "github.com/org/lib v1.0.0"),
        a_and_b,
        "one module version missing from two go.sum files"
    );
    assert_eq!(
        one("drift-replace-local", "github.com/org/pinned"),
        (
            "services/a/go.mod".to_string(),
            vec![
                "services/b/go.mod".to_string(),
                "services/c/go.mod".to_string()
            ]
        )
    );
    let go = findings(&json, "drift-go-directive");
    let message = go[0]["message"].as_str().unwrap();
    assert!(
        message.contains("(and in 1 other go.mod file)"),
        "{message}"
    );
    assert_eq!(go[0]["related"][0]["line"], 3, "{go:#?}");
    assert!(
        go[0]["related"][0]["label"]
            .as_str()
            .unwrap()
            .contains("b is on `go 1.22` too"),
        "{go:#?}"
    );
}

#[test]
fn rust_workspaces_resolve_without_cargo_unless_allowed() {
    let dir = fixture("drift/drift-version-mismatch/workspace-fail");
    // A `cargo` that leaves a mark: by default it must never run, as cargo
    // through rustup runs the toolchain the analysed repository names.
    let bin = tempfile::tempdir().unwrap();
    let mark = bin.path().join("cargo-ran");
    let fake = bin.path().join("cargo");
    std::fs::write(
        &fake,
        format!("#!/bin/sh\n: > '{}'\nexit 1\n", mark.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = |allow: bool, path: &str| {
        let mut cmd = trellis();
        cmd.arg("-C")
            .arg(&dir)
            .args(["drift", "--format", "json"])
            .env_remove("CARGO")
            .env_remove("TRELLIS_CARGO_METADATA")
            .env("PATH", path);
        if allow {
            cmd.env("TRELLIS_CARGO_METADATA", "1");
        }
        let output = cmd.output().unwrap();
        let json: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
        let resolution = json["stats"]["Rust workspaces"]
            .as_str()
            .unwrap()
            .to_string();
        (resolution, messages(&json, "drift-version-mismatch"))
    };
    let fake_path = bin.path().to_str().unwrap();
    let (resolution, own) = run(false, fake_path);
    assert!(!mark.exists(), "cargo ran without being allowed");
    assert!(resolution.starts_with("own parser"), "{resolution}");
    assert!(
        resolution.contains("TRELLIS_CARGO_METADATA=1"),
        "{resolution}"
    );
    assert_eq!(own.len(), 1);

    let (resolution, _) = run(true, fake_path);
    assert!(mark.exists(), "allowed, cargo is asked");
    assert!(resolution.contains("cargo metadata failed"), "{resolution}");

    // With the real cargo, allowed: the same answer as the own parser.
    let real_path = std::env::var("PATH").unwrap();
    let (resolution, with_cargo) = run(true, &real_path);
    assert!(resolution.starts_with("cargo metadata"), "{resolution}");
    assert_eq!(with_cargo, own);
}

/// Applies one edit of a finding's fix (1-based line and columns, counted
/// in characters, the end column just past the text replaced).
fn apply_edit(text: &str, edit: &serde_json::Value) -> String {
    let line = edit["line"].as_u64().unwrap() as usize;
    let (start, end) = (
        edit["column"].as_u64().unwrap() as usize,
        edit["end_column"].as_u64().unwrap() as usize,
    );
    assert_eq!(edit["end_line"].as_u64().unwrap() as usize, line);
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let chars: Vec<char> = lines[line - 1].chars().collect();
    let replaced: String = chars[..start - 1]
        .iter()
        .chain(
            edit["replacement"]
                .as_str()
                .unwrap()
                .chars()
                .collect::<Vec<_>>()
                .iter(),
        )
        .chain(chars[end - 1..].iter())
        .collect();
    lines[line - 1] = replaced;
    lines.join("\n") + "\n"
}

/// The fix of a version mismatch moves every lagging `require` to the
/// version the services align on: applied, the mismatch is gone.
#[test]
fn a_version_mismatch_fix_aligns_the_lagging_go_mod_files() {
    let dir = tempfile::tempdir().unwrap();
    crate::support::copy_tree(&fixture("shop"), dir.path());
    let (json, _) = drift_json(dir.path(), &[]);
    let mismatch = &findings(&json, "drift-version-mismatch")[0];
    let fix = &mismatch["fix"];
    assert_eq!(fix["applicability"], "unsafe");
    assert!(fix["description"].as_str().unwrap().contains("go mod tidy"));
    let edits = fix["edits"].as_array().unwrap();
    assert_eq!(edits.len(), 1, "{fix:#}");
    let path = dir.path().join(edits[0]["path"].as_str().unwrap());
    let before = std::fs::read_to_string(&path).unwrap();
    let after = apply_edit(&before, &edits[0]);
    assert!(after.contains("github.com/google/uuid v1.6.0"), "{after}");
    assert_eq!(before.lines().count(), after.lines().count());
    std::fs::write(&path, after).unwrap();
    let (json, _) = drift_json(dir.path(), &[]);
    assert!(
        findings(&json, "drift-version-mismatch").is_empty(),
        "{json:#}"
    );
}

/// A copy of tests/fixtures/drift/fix (order-service requires uuid v1.6.0,
/// stock v1.5.0), with `config` as its trellis.yaml when given.
fn fix_fixture(config: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("drift/fix"), dir.path());
    if let Some(config) = config {
        std::fs::write(dir.path().join("trellis.yaml"), config).unwrap();
    }
    dir
}

/// A PATH holding only `go`, a script with this body, or no `go` at all.
fn path_with_go(script: Option<&str>) -> tempfile::TempDir {
    let bin = tempfile::tempdir().unwrap();
    if let Some(body) = script {
        let go = bin.path().join("go");
        std::fs::write(&go, format!("#!/bin/sh\n{body}\n")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&go, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin
}

const STOCK: &str = "services/stock/go.mod";

#[test]
fn drift_fix_dry_run_prints_the_diff_and_writes_nothing() {
    let dir = fix_fixture(None);
    let before = std::fs::read_to_string(dir.path().join(STOCK)).unwrap();
    let output = trellis_in(dir.path(), &["drift", "--fix", "--dry-run"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    assert_eq!(
        stdout_of(&output),
        "--- a/services/stock/go.mod\n+++ b/services/stock/go.mod\n@@ -2,4 +2,4 @@\n \n go 1.22\n \n-require github.com/google/uuid v1.5.0 // ids for stock records\n+require github.com/google/uuid v1.6.0 // ids for stock records\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join(STOCK)).unwrap(),
        before
    );
}

#[test]
fn drift_fix_rewrites_the_require_and_says_to_tidy_without_go() {
    let dir = fix_fixture(None);
    let bin = path_with_go(None);
    let output = trellis()
        .env("PATH", bin.path())
        .arg("-C")
        .arg(dir.path())
        .args(["drift", "--fix", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join(STOCK)).unwrap(),
        "module example.com/fix/services/stock\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0 // ids for stock records\n"
    );
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("fixed services/stock/go.mod: github.com/google/uuid v1.5.0 -> v1.6.0; go is not on PATH: run `go mod tidy` in services/stock"),
        "{stderr}"
    );
    // What is left is reported from the rewritten manifests: the mismatch
    // is gone, and go.sum lacks the new hash until `go mod tidy` runs.
    let report: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, vec!["drift-gosum"], "{report:#}");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn drift_fix_restores_the_module_when_tidy_fails() {
    let dir = fix_fixture(None);
    let mod_before = std::fs::read(dir.path().join(STOCK)).unwrap();
    let sum_before = std::fs::read(dir.path().join("services/stock/go.sum")).unwrap();
    // A tidy that has already half-written go.sum when it fails.
    let bin = path_with_go(Some(
        "echo broken > go.sum\necho 'go: cannot reach the proxy' >&2\nexit 1",
    ));
    let output = trellis()
        .env("PATH", bin.path())
        .arg("-C")
        .arg(dir.path())
        .args(["drift", "--fix"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("not fixed services/stock/go.mod: `go mod tidy` failed")
            && stderr.contains("go: cannot reach the proxy"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(dir.path().join(STOCK)).unwrap(), mod_before);
    assert_eq!(
        std::fs::read(dir.path().join("services/stock/go.sum")).unwrap(),
        sum_before
    );
    // The mismatch is still there and still reported.
    assert!(stdout_of(&output).contains("drift-version-mismatch"));
}

#[test]
fn drift_fix_leaves_excepted_modules_alone() {
    let dir = fix_fixture(Some(
        "version: 1\nexceptions:\n  - rule: drift-version-mismatch\n    module: github.com/google/uuid\n    reason: stock moves with the Q3 release\n",
    ));
    let before = std::fs::read(dir.path().join(STOCK)).unwrap();
    let output = trellis_in(dir.path(), &["drift", "--fix", "--dry-run"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_eq!(stdout_of(&output), "");
    let output = trellis_in(dir.path(), &["drift", "--fix"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert!(stderr_of(&output).contains("nothing to fix"));
    assert_eq!(std::fs::read(dir.path().join(STOCK)).unwrap(), before);
}

/// Info-level findings (by default: only `// indirect` requirements differ)
/// are left alone unless `--fix-level info` asks for them, and the run says
/// how many it left.
#[test]
fn drift_fix_leaves_findings_below_the_fix_level_and_says_so() {
    let dir = fix_fixture(Some("version: 1\nrules:\n  drift-version-mismatch: info\n"));
    let output = trellis_in(dir.path(), &["drift", "--fix", "--dry-run"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_eq!(stdout_of(&output), "");
    assert!(
        stderr_of(&output).contains(
            "left 1 fixable finding(s) below --fix-level warning: `--fix-level info` fixes them too"
        ),
        "{}",
        stderr_of(&output)
    );
    let output = trellis_in(
        dir.path(),
        &["drift", "--fix", "--dry-run", "--fix-level", "info"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    assert!(
        stdout_of(&output).contains("+require github.com/google/uuid v1.6.0"),
        "{}",
        stdout_of(&output)
    );
}

#[test]
fn drift_fix_moves_services_into_the_anchor() {
    let dir = fix_fixture(Some(
        "version: 1\ndrift:\n  anchor:\n    github.com/google/uuid: v1.7.0\n",
    ));
    let output = trellis_in(dir.path(), &["drift", "--fix", "--dry-run"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let diff = stdout_of(&output);
    for service in ["order", "stock"] {
        assert!(
            diff.contains(&format!("+++ b/services/{service}/go.mod")),
            "{diff}"
        );
    }
    assert!(
        diff.contains("+require github.com/google/uuid v1.7.0 // ids for stock records"),
        "{diff}"
    );
}

/// The upstream repository plus a service requiring the modules the test
/// proxy answers with garbage or too much, with answers capped at 1 MiB.
fn hostile_upstream_repo(index: &str) -> tempfile::TempDir {
    let repo = upstream_repo(index);
    let yaml = std::fs::read_to_string(repo.path().join("trellis.yaml")).unwrap();
    std::fs::write(
        repo.path().join("trellis.yaml"),
        format!("{yaml}    max-body-mib: 1\n"),
    )
    .unwrap();
    write_tree(
        repo.path(),
        &[(
            "services/g/go.mod",
            "module example.com/up/g\n\ngo 1.22\n\nrequire (\n\tgithub.com/google/uuid v1.6.0\n\tgithub.com/org/endless v1.0.0\n\tgithub.com/org/huge v1.0.0\n\tgithub.com/org/impostor v1.1.0\n\tgithub.com/org/wrongmajor v1.0.0\n)\n",
        )],
    );
    repo
}

fn warning_for<'a>(stderr: &'a str, module: &str) -> Vec<&'a str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("warning:") && l.contains(&format!("{module}:")))
        .collect()
}

#[test]
fn oversized_and_garbage_answers_fail_that_modules_lookup() {
    let server = Upstream::start();
    let cache = tempfile::tempdir().unwrap();
    let repo = hostile_upstream_repo(&format!("{}/index", server.base));
    let goproxy = format!("{}/proxy", server.base);
    let (json, stderr, _) = run_upstream(
        repo.path(),
        cache.path(),
        &[("GOPROXY", &goproxy)],
        &["--upstream"],
    );
    for module in ["github.com/org/huge", "github.com/org/endless"] {
        let lines = warning_for(&stderr, module);
        assert_eq!(lines.len(), 1, "{module}: {stderr}");
        assert!(
            lines[0].contains("larger than 1 MiB (drift.upstream.max-body-mib)"),
            "{lines:?}"
        );
    }
    // A /v2 list naming v1.2.3 and a go.mod declaring another module are refused.
    let wrong = warning_for(&stderr, "github.com/org/wrongmajor");
    assert_eq!(wrong.len(), 1, "{stderr}");
    assert!(
        wrong[0].contains("v1.2.3") && wrong[0].contains("refused"),
        "{wrong:?}"
    );
    let impostor = warning_for(&stderr, "github.com/org/impostor");
    assert_eq!(impostor.len(), 1, "{stderr}");
    assert!(
        impostor[0].contains("declares another module path"),
        "{impostor:?}"
    );
    let all: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !all.iter()
            .any(|m| m.contains("wrongmajor/v2") || m.contains("impostor")),
        "no finding from a refused answer: {all:#?}"
    );
    // The other modules are still looked up.
    assert!(
        messages(&json, "drift-outdated")
            .iter()
            .any(|m| m.contains("github.com/google/uuid v1.5.0")),
        "{stderr}"
    );
    // An oversized answer is not retried (retries: 1 in the fixture).
    assert_eq!(server.requested("/github.com/org/huge/@v/list"), 1);
}

#[test]
fn offline_module_cache_answers_are_validated_and_capped() {
    let cache = tempfile::tempdir().unwrap();
    let modcache = tempfile::tempdir().unwrap();
    let download = modcache.path().join("cache/download");
    crate::support::copy_tree(&fixture("drift/upstream/proxy"), &download);
    std::fs::create_dir_all(download.join("github.com/org/huge/@v")).unwrap();
    std::fs::write(
        download.join("github.com/org/huge/@v/list"),
        b"v1.0.0\n".repeat(200_000),
    )
    .unwrap();
    let repo = hostile_upstream_repo("http://127.0.0.1:9/index");
    let (json, stderr, _) = run_upstream(
        repo.path(),
        cache.path(),
        &[("GOMODCACHE", modcache.path().to_str().unwrap())],
        &["--offline"],
    );
    let huge = warning_for(&stderr, "github.com/org/huge");
    assert_eq!(huge.len(), 1, "{stderr}");
    assert!(huge[0].contains("larger than 1 MiB"), "{huge:?}");
    assert!(
        warning_for(&stderr, "github.com/org/wrongmajor")[0].contains("refused"),
        "{stderr}"
    );
    assert!(
        warning_for(&stderr, "github.com/org/impostor")[0].contains("refused"),
        "{stderr}"
    );
    assert!(
        messages(&json, "drift-retracted")
            .iter()
            .all(|m| !m.contains("impostor")),
        "{stderr}"
    );
}

#[test]
fn goproxy_credentials_never_reach_output_or_logs() {
    let server = Upstream::start();
    let cache = tempfile::tempdir().unwrap();
    let repo = upstream_repo(&format!("{}/index", server.base));
    let host = server.base.trim_start_matches("http://");
    let goproxy = format!("http://alice:s3cret-token@{host}/proxy");
    for format in ["text", "json", "markdown", "sarif"] {
        let output = trellis()
            .arg("-C")
            .arg(repo.path())
            .args(["-vv", "drift", "--upstream", "--format", format])
            .env("TRELLIS_CACHE_DIR", cache.path())
            .env("GOPROXY", &goproxy)
            .env_remove("GOPRIVATE")
            .env_remove("GONOPROXY")
            .env_remove("GONOSUMDB")
            .output()
            .unwrap();
        let everything = format!("{}{}", stdout_of(&output), stderr_of(&output));
        assert!(
            !everything.contains("s3cret") && !everything.contains("alice"),
            "{format}: {everything}"
        );
        if format == "json" {
            let json: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
            assert!(
                json["stats"]["upstream"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("http://***@{host}/proxy")),
                "{:#}",
                json["stats"]
            );
        }
    }
    // The credentials are still sent, as Basic authentication.
    assert!(server.requested("auth Basic ") > 0);

    // Nothing reachable: the message naming the proxy redacts it too.
    let closed = closed_port();
    let unreachable = upstream_repo(&format!("http://127.0.0.1:{closed}/index"));
    let (_, stderr, _) = run_upstream(
        unreachable.path(),
        tempfile::tempdir().unwrap().path(),
        &[(
            "GOPROXY",
            &format!("http://alice:s3cret-token@127.0.0.1:{closed}/proxy"),
        )],
        &["--upstream"],
    );
    assert!(stderr.contains("no network and nothing cached"), "{stderr}");
    assert!(
        !stderr.contains("s3cret") && !stderr.contains("alice"),
        "{stderr}"
    );
}

/// A Rust-only repository's summary names no Go facts: no go.mod counts, no
/// Go module source, and libyears as unavailable rather than "-0.00".
#[test]
fn rust_only_summary_shows_no_go_fields() {
    let dir = tempfile::tempdir().unwrap();
    let modcache = dir.path().join("modcache");
    std::fs::create_dir_all(&modcache).unwrap();
    let repo = dir.path().join("repo");
    crate::support::write_tree(
        &repo,
        &[
            ("Cargo.toml", "[workspace]\nmembers = [\"quotes\"]\n"),
            (
                "quotes/Cargo.toml",
                "[package]\nname = \"quotes\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nserde = \"1\"\n",
            ),
            ("quotes/src/main.rs", "fn main() {}\n"),
        ],
    );
    let modcache = modcache.to_string_lossy().into_owned();
    // No cargo cache either: the machine's own must not decide the result.
    let (json, stderr, _) = run_upstream(
        &repo,
        &dir.path().join("cache"),
        &[
            ("GOMODCACHE", modcache.as_str()),
            ("CARGO_HOME", modcache.as_str()),
        ],
        &["--offline"],
    );
    let stats = json["stats"].as_object().unwrap();
    for go_field in ["go.mod files", "requirements", "go.sum files", "upstream"] {
        assert!(
            !stats.contains_key(go_field),
            "{go_field}: {stats:#?}\n{stderr}"
        );
    }
    assert_eq!(stats["Cargo manifests"], "2", "{stats:#?}");
    // No Cargo.lock: the versions in use are unknown (the floor `1` =
    // 1.0.0 would be a guess), so nothing is counted, and it says why.
    assert!(
        stats["crates"].as_str().unwrap().contains(
            "1 package without a Cargo.lock: its dependencies' versions in use are unknown, not counted"
        ),
        "{stats:#?}"
    );
    let libyears = stats.get("libyears").and_then(|v| v.as_str()).unwrap_or("");
    assert!(!libyears.contains("0.00"), "{stats:#?}");
    assert!(libyears.starts_with("unavailable"), "{stats:#?}");
}

/// The Rust workspace of tests/fixtures/drift/upstream/workspace in a temp
/// dir, asking the test server's index and API.
fn rust_workspace(server: &Upstream, extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    crate::support::copy_tree(&fixture("drift/upstream/workspace"), dir.path());
    let yaml = std::fs::read_to_string(dir.path().join("trellis.yaml")).unwrap();
    std::fs::write(
        dir.path().join("trellis.yaml"),
        format!(
            "{yaml}    crates-index: {0}/index\n    crates-api: {0}/api\n{extra}",
            server.base
        ),
    )
    .unwrap();
    dir
}

fn stat<'a>(json: &'a serde_json::Value, key: &str) -> &'a str {
    json["stats"][key]
        .as_str()
        .unwrap_or_else(|| panic!("no {key}: {:#}", json["stats"]))
}

/// Libyears of a Rust workspace: release times from the index's `pubtime`
/// (anyhow) or, where it has none (serde, rand), from the crates.io API,
/// asked one request per interval; path, own and dev dependencies left
/// out; a crate nobody knows (tracing) shown as coverage. A second run asks
/// nothing.
#[test]
fn cargo_libyears_from_the_index_and_the_paced_crates_api() {
    let server = Upstream::start();
    let cache = tempfile::tempdir().unwrap();
    let repo = rust_workspace(&server, "");
    let (json, stderr, _) = run_upstream(repo.path(), cache.path(), &[], &["--upstream"]);
    // quotes: serde 1.0.99 (2019-08-16) -> 1.0.210 (2024-09-06) = 5.06,
    //   anyhow 1.0.80 (2024-02-19) -> 1.0.99 (2025-08-01) = 1.45;
    // ledger: rand 0.7.3 (2020-01-10) -> 0.9.0 (2025-01-27) = 5.05,
    //   anyhow 1.45, tracing unknown.
    // shared (a library): serde 5.06, counted as Go's library modules are.
    assert_eq!(stat(&json, "libyears"), "18.06 (5 of 6 crates)", "{stderr}");
    assert_eq!(
        stat(&json, "libyears by service"),
        "quotes 6.51, ledger 6.50 (2 of 3), shared 5.06",
        "{stderr}"
    );
    assert!(stat(&json, "crates").contains("2 requests"), "{stderr}");
    assert!(!json["stats"].as_object().unwrap().contains_key("upstream"));
    let api = server.arrived("/api/crates/");
    assert_eq!(api.len(), 2, "serde and rand, once each: {stderr}");
    assert!(
        api[1].duration_since(api[0]) >= std::time::Duration::from_millis(300),
        "requests to the API are spaced by crates-api-interval-secs"
    );
    assert_eq!(
        server.requested("/api/crates/anyhow/"),
        0,
        "pubtime suffices"
    );
    assert_eq!(
        server.requested("/shared"),
        0,
        "own crates are not looked up"
    );

    let before = server.arrived("").len();
    let (again, _, _) = run_upstream(repo.path(), cache.path(), &[], &["--upstream"]);
    assert_eq!(
        server.arrived("").len(),
        before,
        "a second run is answered from the cache"
    );
    assert_eq!(stat(&again, "libyears"), "18.06 (5 of 6 crates)");
}

/// At most crates-api-max-requests requests per run; the crates left over
/// are named, and counted as unknown rather than guessed.
#[test]
fn crates_api_requests_are_capped_per_run() {
    let server = Upstream::start();
    let cache = tempfile::tempdir().unwrap();
    let repo = rust_workspace(&server, "    crates-api-max-requests: 1\n");
    let (json, stderr, _) = run_upstream(repo.path(), cache.path(), &[], &["--upstream"]);
    assert_eq!(server.arrived("/api/crates/").len(), 1, "{stderr}");
    assert!(
        stderr.contains("release times of 1 crate not asked")
            && stderr.contains("the next run asks: ")
            && stderr.contains("serde"),
        "{stderr}"
    );
    // rand's times came (asked first), serde's not: 3 of 6 known.
    assert_eq!(stat(&json, "libyears"), "7.94 (3 of 6 crates)");
    assert!(
        stat(&json, "libyears by service").contains("ledger 6.50 (2 of 3)"),
        "{:#}",
        json["stats"]
    );
}

/// cargo's index cache, in the format cargo writes it (format 3).
fn cargo_cache_entry(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut bytes = vec![3u8];
    bytes.extend_from_slice(&2u32.to_le_bytes());
    bytes.extend_from_slice(b"Unknown\0");
    for (version, pubtime) in entries {
        bytes.extend_from_slice(version.as_bytes());
        bytes.push(0);
        bytes.extend_from_slice(
            format!(
                r#"{{"name":"anyhow","vers":"{version}","deps":[],"cksum":"00","features":{{}},"yanked":false,"pubtime":"{pubtime}"}}"#
            )
            .as_bytes(),
        );
        bytes.push(0);
    }
    bytes
}

/// Offline, release times come from cargo's index cache; crates missing
/// from it are one warning, and under half known is unavailable, not a number.
#[test]
fn cargo_libyears_offline_read_cargos_index_cache() {
    let server = Upstream::start();
    let cache = tempfile::tempdir().unwrap();
    let repo = rust_workspace(&server, "");
    let cargo_home = tempfile::tempdir().unwrap();
    let entry = cargo_home
        .path()
        .join("registry/index/index.crates.io-1949cf8c6b5b557f/.cache/an/yh/anyhow");
    std::fs::create_dir_all(entry.parent().unwrap()).unwrap();
    std::fs::write(
        &entry,
        cargo_cache_entry(&[
            ("1.0.80", "2024-02-19T19:41:07Z"),
            ("1.0.99", "2025-08-01T09:15:22Z"),
        ]),
    )
    .unwrap();
    let home = cargo_home.path().to_string_lossy().into_owned();
    let (json, stderr, _) = run_upstream(
        repo.path(),
        cache.path(),
        &[("CARGO_HOME", home.as_str())],
        &["--offline"],
    );
    assert_eq!(server.arrived("").len(), 0, "offline asks nothing");
    assert!(
        stat(&json, "crates").starts_with("cargo's index cache "),
        "{stderr}"
    );
    assert!(
        stat(&json, "libyears").starts_with("unavailable: release times known for 2 of 6 crates"),
        "{:#}",
        json["stats"]
    );
    assert!(
        stat(&json, "libyears by service").contains("quotes 1.45 (1 of 2)"),
        "{:#}",
        json["stats"]
    );
    assert!(
        stderr.contains("3 crates are not in cargo's index cache (run `cargo fetch` in the workspace): rand, serde, tracing"),
        "{stderr}"
    );

    let empty = tempfile::tempdir().unwrap();
    let empty = empty.path().to_string_lossy().into_owned();
    let (json, _, _) = run_upstream(
        repo.path(),
        cache.path(),
        &[("CARGO_HOME", empty.as_str())],
        &["--offline"],
    );
    assert!(
        stat(&json, "crates").starts_with("unavailable: no crates.io index cache under"),
        "{:#}",
        json["stats"]
    );
    assert!(stat(&json, "libyears").starts_with("unavailable: "));
}
