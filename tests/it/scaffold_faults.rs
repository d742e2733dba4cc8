//! Scaffolding and output under faults (issue #17): full disks and closed
//! outputs, hostile templates and contracts, concurrent and killed runs.
//! Each is an input or environment error (exit 2) with a message naming
//! the path, never exit 3, never a hang, never a half-written service.

use crate::support::scaffolded::{ledger_proto, new_service, scaffold};
use crate::support::{refused, stderr_of, stdout_of, write_tree};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("trellis")
}

/// Waits for a child at most `limit`, killing it if it is still running:
/// a test of "does not hang" must itself end.
fn wait_at_most(mut child: Child, limit: Duration) -> Output {
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "still running after {limit:?}; stderr: {}",
                stderr_of(&output)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn assert_environment_error(output: &Output, path: &str) {
    let stderr = stderr_of(output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("internal error"), "{stderr}");
    assert!(stderr.contains(path), "names {path}: {stderr}");
}

/// Every file under `root`, relative, with its bytes.
fn tree(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.push((path.strip_prefix(root).unwrap().to_path_buf(), bytes));
            }
        }
    }
    files.sort();
    files
}

fn staging_leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(".trellis-new-") || n.starts_with(".trellis-staging-"))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(target_os = "linux")]
#[test]
fn new_with_a_full_output_is_an_input_output_error_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let output = Command::new(bin())
        .current_dir(tmp.path())
        .env("TRELLIS_CACHE_DIR", tmp.path().join(".cache"))
        .args(["new", "service", "billing", "--no-generate"])
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    assert_environment_error(&output, "/dev/full");
}

/// A full disk, faithfully: `ulimit -f 1` makes every write that takes a
/// file past 512 bytes fail (EFBIG) in the real binary, as ENOSPC would,
/// without root; every file these commands write is larger.
#[cfg(unix)]
fn with_no_disk_space(args: &[&str], cwd: &Path) -> Output {
    let mut script = String::from("trap '' XFSZ; ulimit -f 1; exec \"$0\"");
    for index in 1..=args.len() {
        script.push_str(&format!(" \"${index}\""));
    }
    Command::new("sh")
        .current_dir(cwd)
        .env("TRELLIS_CACHE_DIR", cwd.join(".cache"))
        .env("NO_COLOR", "1")
        .arg("-c")
        .arg(script)
        .arg(bin())
        .args(args)
        .output()
        .unwrap()
}

#[cfg(unix)]
#[test]
fn a_full_disk_during_new_sync_and_init_is_exit_2_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let proto = ledger_proto();
    let proto = proto.to_str().unwrap();

    // new, into a new directory and into an existing one
    let out = with_no_disk_space(
        &[
            "new",
            "service",
            "ledger",
            "--no-generate",
            "--proto",
            proto,
        ],
        tmp.path(),
    );
    assert_environment_error(&out, tmp.path().join("ledger").to_str().unwrap());
    assert!(!tmp.path().join("ledger").exists());
    assert!(staging_leftovers(tmp.path()).is_empty());
    std::fs::create_dir(tmp.path().join("ledger")).unwrap();
    let out = with_no_disk_space(
        &[
            "new",
            "service",
            "ledger",
            "--no-generate",
            "--proto",
            proto,
        ],
        tmp.path(),
    );
    assert_environment_error(&out, "ledger/");
    assert!(tree(&tmp.path().join("ledger")).is_empty());

    // sync, with a new RPC to stub
    let service = scaffold(tmp.path(), "ledger").ledger().create();
    let contract = service.join("api/shop/ledger/v1/ledger.proto");
    let text = std::fs::read_to_string(&contract).unwrap().replacen(
        "service ",
        "service Extra {\n  rpc Ping(Entry) returns (Entry);\n}\n\nservice ",
        1,
    );
    std::fs::write(&contract, text).unwrap();
    let before = tree(&service);
    let out = with_no_disk_space(
        &["sync", "--no-generate", service.to_str().unwrap()],
        tmp.path(),
    );
    assert_environment_error(&out, "ledger/");
    assert_eq!(tree(&service), before, "nothing changed");

    // init
    let out = with_no_disk_space(&["init", "-C", service.to_str().unwrap()], tmp.path());
    assert_environment_error(&out, "trellis.yaml");
    assert!(!service.join("trellis.yaml").exists());
}

#[test]
fn concurrent_new_into_one_directory_one_wins_the_others_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let children: Vec<Child> = (0..20)
        .map(|_| {
            Command::new(bin())
                .current_dir(tmp.path())
                .env("TRELLIS_CACHE_DIR", tmp.path().join(".cache"))
                .env("NO_COLOR", "1")
                .args(["new", "service", "payment", "--no-generate"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|c| wait_at_most(c, Duration::from_secs(120)))
        .collect();
    let mut wins = 0;
    for output in &outputs {
        match output.status.code() {
            // The first, or a later one that found the same files there.
            Some(0) => wins += 1,
            Some(2) => assert!(
                !stderr_of(output).contains("internal error"),
                "{}",
                stderr_of(output)
            ),
            other => panic!("exit {other:?}: {}", stderr_of(output)),
        }
    }
    assert!(wins >= 1);
    assert!(staging_leftovers(tmp.path()).is_empty());
    assert!(staging_leftovers(&tmp.path().join("payment")).is_empty());
    let reference = tempfile::tempdir().unwrap();
    assert_eq!(
        scaffold(reference.path(), "payment").output().status.code(),
        Some(0)
    );
    let names = |root: &Path| -> Vec<PathBuf> { tree(root).into_iter().map(|(p, _)| p).collect() };
    assert_eq!(
        names(&tmp.path().join("payment")),
        names(&reference.path().join("payment")),
        "one whole service"
    );
}

/// A template with `dest` (and, optionally, a variable default) and one file.
fn tiny_template(root: &Path, dest: &str, variables: &str) -> PathBuf {
    let dir = root.join("tpl");
    let manifest = format!(
        "name: tiny\ndescription: d\nlanguage: go\nversion: 0.1.0\n{variables}\
         files:\n  - {{ src: a.tera, dest: \"{dest}\" }}\n"
    );
    write_tree(
        &dir,
        &[
            ("template.yaml", manifest.as_str()),
            ("files/a.tera", "[core]\n\tfsmonitor = touch pwned\n"),
        ],
    );
    dir
}

fn new_from(cwd: &Path, template: &Path, extra: &[&str]) -> Output {
    let proto = ledger_proto();
    let mut args = vec![
        "ledger",
        "--template",
        template.to_str().unwrap(),
        "--proto",
        proto.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    new_service(cwd, &args)
}

#[test]
fn templates_may_not_write_version_control_metadata() {
    for (dest, variables) in [
        (".git/config", ""),
        ("sub/.hg/hgrc", ""),
        (".SVN/entries", ""),
        (".git", ""),
        (
            "{{ vcs }}/config",
            "variables:\n  - { name: vcs, type: string, default: '.git' }\n",
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let template = tiny_template(tmp.path(), dest, variables);
        let out = new_from(tmp.path(), &template, &[]);
        let stderr = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{dest}: {stderr}");
        assert!(
            stderr.contains("version-control metadata"),
            "{dest}: {stderr}"
        );
        assert!(!tmp.path().join("ledger").exists(), "{dest}");
    }
}

#[cfg(unix)]
#[test]
fn symbolic_links_anywhere_in_a_template_are_refused() {
    let outside = tempfile::tempdir().unwrap();
    write_tree(outside.path(), &[("secret.tera", "token\n")]);
    for linked in ["files", "template.yaml"] {
        let tmp = tempfile::tempdir().unwrap();
        let template = tiny_template(tmp.path(), "a.txt", "");
        let moved = outside.path().join(format!("real-{linked}"));
        std::fs::rename(template.join(linked), &moved).unwrap();
        std::os::unix::fs::symlink(&moved, template.join(linked)).unwrap();
        let out = new_from(tmp.path(), &template, &[]);
        let stderr = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{linked}: {stderr}");
        assert!(stderr.contains("symbolic link"), "{linked}: {stderr}");
        assert!(stderr.contains(linked), "{linked}: {stderr}");
        assert!(!tmp.path().join("ledger").exists());
    }
}

#[cfg(unix)]
#[test]
fn a_contract_that_is_a_fifo_or_a_device_is_refused_without_blocking() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("pipe.proto");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    // An import beside the contract is read by the compiler: a FIFO there
    // must not block it either.
    let importer = tmp.path().join("importer.proto");
    std::fs::write(
        &importer,
        "syntax = \"proto3\";\npackage a.v1;\nimport \"pipe.proto\";\n",
    )
    .unwrap();
    for proto in [fifo.as_path(), Path::new("/dev/zero"), importer.as_path()] {
        let child = Command::new(bin())
            .current_dir(tmp.path())
            .env("TRELLIS_CACHE_DIR", tmp.path().join(".cache"))
            .args(["new", "service", "payment", "--no-generate", "--proto"])
            .arg(proto)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = wait_at_most(child, Duration::from_secs(30));
        let stderr = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{}: {stderr}", proto.display());
        assert!(stderr.contains("not a regular file"), "{stderr}");
    }
    let out = scaffold(tmp.path(), "payment")
        .ledger()
        .args(&["--max-input-bytes", "100"])
        .output();
    refused(&out, "--max-input-bytes");
}

#[test]
fn template_rendering_has_a_time_and_a_size_budget() {
    let tmp = tempfile::tempdir().unwrap();
    let template = tiny_template(tmp.path(), "a.txt", "");
    // 10^10 iterations that print nothing: only the clock stops them.
    std::fs::write(
        template.join("files/a.tera"),
        "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}\n",
    )
    .unwrap();
    let started = Instant::now();
    let out = new_from(tmp.path(), &template, &["--render-timeout", "2"]);
    refused(&out, "took longer than 2 s");
    assert!(started.elapsed() < Duration::from_secs(60));

    // Output that grows fast: stopped at the byte budget, not at the clock.
    std::fs::write(
        template.join("files/a.tera"),
        "{% for i in range(end=100000) %}{% for j in range(end=100000) %}0123456789{% endfor %}{% endfor %}\n",
    )
    .unwrap();
    let out = new_from(tmp.path(), &template, &["--max-output-bytes", "100000"]);
    refused(&out, "exceed 100000 bytes");
    assert!(!tmp.path().join("ledger").exists());
}

#[test]
fn a_dry_run_exits_as_the_real_run_would() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(
        scaffold(tmp.path(), "payment").output().status.code(),
        Some(0)
    );
    std::fs::write(tmp.path().join("payment/go.mod"), "module mine\n").unwrap();
    let dry = scaffold(tmp.path(), "payment")
        .args(&["--dry-run"])
        .output();
    let real = scaffold(tmp.path(), "payment").output();
    assert_eq!(real.status.code(), Some(2));
    assert_eq!(dry.status.code(), real.status.code(), "{}", stderr_of(&dry));
    let plan = stdout_of(&dry);
    assert!(plan.contains("conflict"), "the plan is shown: {plan}");
    // The real run skips nothing and runs no step: it writes nothing at all.
    assert!(!plan.contains("skip"), "{plan}");
    assert!(!plan.contains("up to date"), "{plan}");
    assert!(!plan.contains("next:"), "{plan}");
    assert!(plan.contains("refused"), "{plan}");
    assert!(stderr_of(&dry).contains("go.mod"), "{}", stderr_of(&dry));
    assert!(
        stderr_of(&dry).contains("trellis sync"),
        "an existing trellis service is pointed at sync: {}",
        stderr_of(&dry)
    );
    let json = scaffold(tmp.path(), "payment")
        .args(&["--dry-run", "--format", "json"])
        .output();
    assert_eq!(json.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(
        report["refused"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("go.mod")),
        "{report}"
    );
    assert_eq!(report["next"].as_array().map(Vec::len), Some(0), "{report}");
    let forced = scaffold(tmp.path(), "payment")
        .args(&["--dry-run", "--force"])
        .output();
    assert_eq!(forced.status.code(), Some(0), "{}", stderr_of(&forced));
}

#[cfg(unix)]
#[test]
fn an_output_directory_that_is_a_link_is_refused_dangling_or_not() {
    let tmp = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), tmp.path().join("payment")).unwrap();
    std::os::unix::fs::symlink(tmp.path().join("nowhere"), tmp.path().join("dangling")).unwrap();
    for args in [
        &["payment"][..],
        &["payment", "--dry-run"],
        &["payment", "--dir", "dangling"],
        &["payment", "--dir", "dangling", "--dry-run"],
    ] {
        let out = new_service(tmp.path(), args);
        let stderr = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("is a symbolic link"), "{args:?}: {stderr}");
    }
    assert!(tree(elsewhere.path()).is_empty(), "nothing written through");
    assert!(!tmp.path().join("nowhere").exists());
}

/// Starts `trellis new` paused at `point` (a hook of debug builds) and
/// returns once it says so; a line on its stdin resumes it.
#[cfg(all(unix, debug_assertions))]
fn new_paused_at(cwd: &Path, point: &str, args: &[&str]) -> Child {
    let mut child = Command::new(bin())
        .current_dir(cwd)
        .env("TRELLIS_CACHE_DIR", cwd.join(".cache"))
        .env("NO_COLOR", "1")
        .env("TRELLIS_TEST_PAUSE", point)
        .args(["new", "service"])
        .args(args)
        .arg("--no-generate")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut said = String::new();
    loop {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            let _ = child.kill();
            panic!("ended before pausing at {point}: {said}");
        }
        if line.contains("paused at") {
            break;
        }
        said.push_str(&line);
    }
    child.stderr = Some(stderr.into_inner());
    child
}

/// SIGKILL at `point`: no destructor, no cleanup runs.
#[cfg(all(unix, debug_assertions))]
fn kill_new_at(cwd: &Path, point: &str, args: &[&str]) {
    let mut child = new_paused_at(cwd, point, args);
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), None, "killed, not exited");
}

/// The race that gave exit 3: two runs build the same new service, one
/// renames it into place first.
#[cfg(all(unix, debug_assertions))]
#[test]
fn the_loser_of_a_race_to_create_a_service_exits_2_and_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut paused = new_paused_at(tmp.path(), "staged", &["payment"]);
    let winner = scaffold(tmp.path(), "payment").output();
    assert_eq!(winner.status.code(), Some(0), "{}", stderr_of(&winner));
    let won = tree(&tmp.path().join("payment"));
    std::io::Write::write_all(paused.stdin.as_mut().unwrap(), b"\n").unwrap();
    let loser = wait_at_most(paused, Duration::from_secs(60));
    assert_environment_error(&loser, "created by another process");
    assert_eq!(
        tree(&tmp.path().join("payment")),
        won,
        "the winner's service stays"
    );
    assert!(staging_leftovers(tmp.path()).is_empty());
}

#[cfg(all(unix, debug_assertions))]
#[test]
fn a_run_killed_while_building_a_new_service_is_cleaned_up_by_the_next() {
    let tmp = tempfile::tempdir().unwrap();
    kill_new_at(tmp.path(), "staged", &["payment"]);
    assert_eq!(
        staging_leftovers(tmp.path()).len(),
        1,
        "the staging is left"
    );
    assert!(
        !tmp.path().join("payment").exists(),
        "no half-written service"
    );
    let out = scaffold(tmp.path(), "payment").output();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(
        stdout_of(&out).contains("recover an interrupted run"),
        "{}",
        stdout_of(&out)
    );
    assert!(staging_leftovers(tmp.path()).is_empty());
    assert!(tmp.path().join("payment/.trellis/scaffold.json").is_file());
}

#[cfg(all(unix, debug_assertions))]
#[test]
fn a_forced_run_killed_midway_has_the_replaced_files_restored_by_the_next() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(
        scaffold(tmp.path(), "payment").output().status.code(),
        Some(0)
    );
    let service = tmp.path().join("payment");
    // The contract is the first file written, so it is replaced (and its
    // original moved to the backup) before the pause.
    let contract = service.join("api/payment/v1/payment.proto");
    let mine = format!("{}// mine\n", std::fs::read_to_string(&contract).unwrap());
    std::fs::write(&contract, &mine).unwrap();
    std::fs::write(service.join("NOTES.md"), "my notes\n").unwrap();
    let before = tree(&service);

    kill_new_at(tmp.path(), "moving", &["payment", "--force"]);
    assert_ne!(
        std::fs::read_to_string(&contract).unwrap(),
        mine,
        "replaced"
    );
    assert_eq!(staging_leftovers(&service).len(), 1);

    // A dry run says what it would undo and undoes nothing.
    let dry = scaffold(tmp.path(), "payment")
        .args(&["--dry-run"])
        .output();
    assert!(
        stderr_of(&dry).contains("would undo"),
        "{}",
        stderr_of(&dry)
    );
    assert_eq!(staging_leftovers(&service).len(), 1);

    // Without --force the run refuses (the contract is the user's again),
    // but the interrupted run is undone first and says so.
    let out = scaffold(tmp.path(), "payment").output();
    refused(&out, "undid an interrupted run");
    assert_eq!(
        tree(&service),
        before,
        "back to the state before the killed run"
    );
}

/// A server that accepts connections and never answers: without timeouts
/// `trellis new --template http://...` waited forever.
#[test]
fn a_git_template_server_that_never_answers_times_out() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/template.git", listener.local_addr().unwrap());
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    listener.set_nonblocking(true).unwrap();
    let server = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok((stream, _)) = listener.accept() {
                    held.push(stream);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let tmp = tempfile::tempdir().unwrap();
    let child = Command::new(bin())
        .current_dir(tmp.path())
        .env("TRELLIS_CACHE_DIR", tmp.path().join(".cache"))
        .args([
            "new",
            "service",
            "payment",
            "--no-generate",
            "--template",
            &url,
        ])
        .args(["--git-connect-timeout", "2", "--git-timeout", "2"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_at_most(child, Duration::from_secs(60));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    server.join().unwrap();
    assert_environment_error(&out, &url);
    assert!(stderr_of(&out).contains("timeout"), "{}", stderr_of(&out));
}
