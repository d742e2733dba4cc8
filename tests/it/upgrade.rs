//! `trellis upgrade`: a git template with three tagged versions, services
//! generated at v1 with edits that merge and edits that conflict, and a
//! directory template found again in a fresh clone of the repository.

use crate::support::history::History;
use crate::support::scaffolded::{ledger_proto, scaffold, sync, upgrade};
use crate::support::{refused, snapshot, stderr_of, stdout_of, trellis, write_tree};
use std::path::{Path, PathBuf};

const CONFIG_V1: &str = "# {{ name }} configuration\nname: {{ name }}\nowner: {{ owner }}\n\
listen: \":8080\"\ntimeout: 5s\nretries: 3\nlog_level: info\n";
const CONFIG_V2: &str = "# {{ name }} configuration\nname: {{ name }}\nowner: {{ owner }}\n\
listen: \":8080\"\ntimeout: 10s\nretries: 3\nregion: {{ region }}\nlog_level: info\n";

fn manifest(version: &str, files: &[(&str, &str)], variables: &str) -> String {
    let files: String = files
        .iter()
        .map(|(src, dest)| format!("  - {{ src: {src}, dest: \"{dest}\" }}\n"))
        .collect();
    format!(
        "name: tiny\ndescription: a test template\nlanguage: go\nversion: {version}\n\
         variables:\n  - {{ name: owner, type: string, default: platform }}\n{variables}\
         files:\n{files}"
    )
}

/// v1: config, README, legacy.txt. v2 changes the config's timeout, adds a
/// variable and a Makefile, drops legacy.txt and changes the README. v3
/// changes the README again.
fn template_history() -> History {
    let mut history = History::new();
    let v1_files = [
        ("config.yaml.tera", "config.yaml"),
        ("README.md.tera", "README.md"),
        ("legacy.txt.tera", "legacy.txt"),
    ];
    history
        .write("template.yaml", &manifest("1.0.0", &v1_files, ""))
        .write("files/config.yaml.tera", CONFIG_V1)
        .write("files/README.md.tera", "# {{ name }}\n\nFrom tiny v1.\n")
        .write("files/legacy.txt.tera", "legacy settings of {{ name }}\n");
    history.commit("tiny v1");
    history.tag("v1");
    let v2_files = [
        ("config.yaml.tera", "config.yaml"),
        ("README.md.tera", "README.md"),
        ("Makefile.tera", "Makefile"),
    ];
    let region = "  - { name: region, type: string, default: eu-west-1 }\n";
    history
        .write("template.yaml", &manifest("2.0.0", &v2_files, region))
        .write("files/config.yaml.tera", CONFIG_V2)
        .write("files/README.md.tera", "# {{ name }}\n\nFrom tiny v2.\n")
        .write("files/Makefile.tera", "build:\n\tgo build ./...\n")
        .remove("files/legacy.txt.tera");
    history.commit("tiny v2");
    history.tag("v2");
    history
        .write("template.yaml", &manifest("3.0.0", &v2_files, region))
        .write("files/README.md.tera", "# {{ name }}\n\nFrom tiny v3.\n");
    history.commit("tiny v3");
    history.tag("v3");
    history
}

struct Bench {
    tmp: tempfile::TempDir,
    template: History,
}

impl Bench {
    fn new() -> Bench {
        Bench {
            tmp: tempfile::tempdir().unwrap(),
            template: template_history(),
        }
    }

    fn url(&self) -> String {
        format!("file://{}", self.template.path().display())
    }

    /// A service generated from the template at v1, in `tmp/dir`.
    fn service(&self, dir: &str) -> PathBuf {
        scaffold(self.tmp.path(), "ledger")
            .dir(dir)
            .template(&format!("{}@v1", self.url()))
            .ledger()
            .create()
    }
}

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn state(service: &Path) -> serde_json::Value {
    serde_json::from_str(&read(service.join(".trellis/scaffold.json"))).unwrap()
}

/// The plan of a JSON outcome: (path, action, reason) of every file.
fn plan(out: &std::process::Output) -> Vec<(String, String, String)> {
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout_of(out)));
    json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["action"].as_str().unwrap().to_string(),
                f["reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn clean_edits_are_merged_untouched_files_replaced_and_removed_ones_deleted() {
    let bench = Bench::new();
    let svc = bench.service("svc");
    let config = svc.join("config.yaml");
    std::fs::write(
        &config,
        read(&config).replace("name: ledger", "name: ledger-eu"),
    )
    .unwrap();

    let out = upgrade(&svc, &["--to", "v2"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout_of(&out),
        stderr_of(&out)
    );
    let stdout = stdout_of(&out);
    assert_eq!(
        read(&config),
        "# ledger configuration\nname: ledger-eu\nowner: platform\nlisten: \":8080\"\n\
         timeout: 10s\nretries: 3\nregion: eu-west-1\nlog_level: info\n",
        "{stdout}"
    );
    assert_eq!(read(svc.join("README.md")), "# ledger\n\nFrom tiny v2.\n");
    assert!(
        !svc.join("legacy.txt").exists(),
        "untouched and removed: deleted"
    );
    assert_eq!(read(svc.join("Makefile")), "build:\n\tgo build ./...\n");
    assert!(!svc.join(".trellis/upgrade.json").exists());
    for line in [
        "merge",
        "update",
        "delete",
        "create",
        "variable `region` is new in the template: \"eu-west-1\" (its default)",
    ] {
        assert!(stdout.contains(line), "{line}: {stdout}");
    }
    let recorded = state(&svc);
    assert_eq!(recorded["template"]["version"], "2.0.0");
    assert_eq!(recorded["template"]["origin"]["rev"], "v2");
    assert_eq!(recorded["variables"]["region"], "eu-west-1");
    assert!(recorded["files"].get("legacy.txt").is_none());

    // Without --to: the default branch's head (v1 and v2 are tags).
    let out = upgrade(&svc, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(read(svc.join("README.md")), "# ledger\n\nFrom tiny v3.\n");
    assert!(
        read(&config).contains("name: ledger-eu"),
        "the edit survives"
    );
    assert_eq!(state(&svc)["template"]["version"], "3.0.0");
    let out = upgrade(&svc, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(
        stdout_of(&out).contains("no changes"),
        "{}",
        stdout_of(&out)
    );
}

#[test]
fn conflicts_are_marked_and_recorded_only_after_continue() {
    let bench = Bench::new();
    let svc = bench.service("svc");
    let config = svc.join("config.yaml");
    std::fs::write(
        &config,
        read(&config).replace("timeout: 5s", "timeout: 30s"),
    )
    .unwrap();
    std::fs::write(svc.join("legacy.txt"), "our own legacy settings\n").unwrap();
    std::fs::write(svc.join("Makefile"), "all:\n\tmake -C src\n").unwrap();
    let before = snapshot(&svc);

    let dry = upgrade(&svc, &["--to", "v2", "--dry-run", "--format", "json"]);
    assert_eq!(dry.status.code(), Some(1), "{}", stderr_of(&dry));
    assert_eq!(snapshot(&svc), before, "--dry-run writes nothing");
    let real = upgrade(&svc, &["--to", "v2", "--format", "json"]);
    assert_eq!(real.status.code(), Some(1), "{}", stderr_of(&real));
    assert_eq!(plan(&dry), plan(&real), "the dry run shows the real plan");
    let json: serde_json::Value = serde_json::from_slice(&real.stdout).unwrap();
    assert_eq!(json["conflicts"], serde_json::json!(["config.yaml"]));
    assert_eq!(json["blocked"], serde_json::json!(["Makefile"]));

    assert_eq!(
        read(&config),
        "# ledger configuration\nname: ledger\nowner: platform\nlisten: \":8080\"\n\
         <<<<<<< ours\ntimeout: 30s\n=======\ntimeout: 10s\n>>>>>>> template 2.0.0\n\
         retries: 3\nregion: eu-west-1\nlog_level: info\n"
    );
    assert_eq!(
        read(svc.join("legacy.txt")),
        "our own legacy settings\n",
        "edited: kept"
    );
    assert_eq!(
        read(svc.join("Makefile")),
        "all:\n\tmake -C src\n",
        "in the way: untouched"
    );
    assert_eq!(read(svc.join("README.md")), "# ledger\n\nFrom tiny v2.\n");
    assert_eq!(
        state(&svc)["template"]["version"],
        "1.0.0",
        "not yet recorded"
    );

    // Markers left: --continue refuses and writes nothing.
    let after_upgrade = snapshot(&svc);
    let out = upgrade(&svc, &["--continue"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let text = stdout_of(&out);
    assert!(text.contains("config.yaml"), "{text}");
    assert!(text.contains("upgrade not finished"), "{text}");
    assert!(!text.contains("up to date"), "{text}");
    assert_eq!(snapshot(&svc), after_upgrade);
    let out = upgrade(&svc, &["--to", "v3"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a new upgrade waits for this one"
    );

    let resolved = read(&config).replace(
        "<<<<<<< ours\ntimeout: 30s\n=======\ntimeout: 10s\n>>>>>>> template 2.0.0\n",
        "timeout: 30s\n",
    );
    std::fs::write(&config, resolved).unwrap();
    let out = upgrade(&svc, &["--continue"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout_of(&out),
        stderr_of(&out)
    );
    assert_eq!(state(&svc)["template"]["version"], "2.0.0");
    assert!(!svc.join(".trellis/upgrade.json").exists());
    let out = upgrade(&svc, &["--continue"]);
    refused(&out, "no upgrade is in progress");

    // The Makefile in the way is created once it is moved away.
    std::fs::rename(svc.join("Makefile"), svc.join("Makefile.mine")).unwrap();
    let out = upgrade(&svc, &["--to", "v2"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(read(svc.join("Makefile")), "build:\n\tgo build ./...\n");
}

#[test]
fn a_re_run_after_resolving_finishes_the_upgrade() {
    let bench = Bench::new();
    let svc = bench.service("svc");
    let config = svc.join("config.yaml");
    std::fs::write(&config, read(&config).replace("timeout: 5s", "timeout: 1m")).unwrap();
    let out = upgrade(&svc, &["--to", "v2"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let text = stdout_of(&out);
    assert!(text.contains("conflict"), "{text}");
    assert!(text.contains("trellis upgrade --continue"), "{text}");
    std::fs::write(&config, CONFIG_V2.replace("{{ name }}", "ledger")).unwrap();
    let out = upgrade(&svc, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(state(&svc)["template"]["version"], "2.0.0");
}

#[test]
fn bad_input_writes_nothing_and_exits_2() {
    let bench = Bench::new();
    let svc = bench.service("svc");
    let before = snapshot(&svc);
    let proto = svc.join("api/shop/ledger/v1/ledger.proto");
    assert!(proto.exists());
    let out = upgrade(&svc, &["--to", "no-such-tag"]);
    refused(&out, "no-such-tag");
    let out = upgrade(&svc, &["--to", "v2", "--set", "nope=1"]);
    refused(&out, "unknown template variable `nope`");
    assert_eq!(snapshot(&svc), before);

    std::fs::write(&proto, read(&proto).replace("rpc Ping", "rpc Pong")).unwrap();
    let before = snapshot(&svc);
    let out = upgrade(&svc, &["--to", "v2"]);
    refused(&out, "trellis sync");
    assert_eq!(snapshot(&svc), before);
}

#[test]
fn set_gives_a_new_variable_its_value() {
    let bench = Bench::new();
    let svc = bench.service("svc");
    let out = upgrade(&svc, &["--to", "v2", "--set", "region=ap-south-1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(read(svc.join("config.yaml")).contains("region: ap-south-1"));
    assert!(stdout_of(&out).contains("(--set)"), "{}", stdout_of(&out));
}

#[test]
fn a_built_in_template_at_this_version_is_up_to_date() {
    let tmp = tempfile::tempdir().unwrap();
    let svc = scaffold(tmp.path(), "payment").create();
    let out = upgrade(&svc, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(
        stdout_of(&out).contains("no changes"),
        "{}",
        stdout_of(&out)
    );
    let out = upgrade(&svc, &["--to", "v9"]);
    refused(&out, "--to");
}

/// A repository holding a directory template and a service generated from
/// it, committed; the template's path is stored relative to the service.
fn repository_with_a_directory_template() -> (History, tempfile::TempDir) {
    let mut repo = History::new();
    let files = [
        ("config.yaml.tera", "config.yaml"),
        ("notes.md.tera", "notes.md"),
    ];
    repo.write(
        "templates/tiny/template.yaml",
        &manifest("1.0.0", &files, ""),
    )
    .write("templates/tiny/files/config.yaml.tera", CONFIG_V1)
    .write(
        "templates/tiny/files/notes.md.tera",
        "notes of {{ name }}\n",
    );
    repo.commit("the team's template");
    let proto = ledger_proto();
    let cache = tempfile::tempdir().unwrap();
    let out = trellis()
        .current_dir(repo.path())
        .env("TRELLIS_CACHE_DIR", cache.path())
        .args(["new", "service", "ledger", "--dir", "services/ledger"])
        .args([
            "--template",
            "templates/tiny",
            "--proto",
            proto.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let generated = snapshot(&repo.path().join("services/ledger"));
    for (path, content) in &generated {
        let rel = format!("services/ledger/{}", path.display());
        repo.write(&rel, std::str::from_utf8(content).unwrap());
    }
    repo.commit("ledger, generated");
    (repo, cache)
}

fn clone(from: &Path) -> tempfile::TempDir {
    let to = tempfile::tempdir().unwrap();
    git2::Repository::clone(&format!("file://{}", from.display()), to.path()).unwrap();
    to
}

#[test]
fn a_directory_template_is_recorded_relative_so_a_fresh_clone_syncs_and_upgrades() {
    let (repo, cache) = repository_with_a_directory_template();
    let recorded = state(&repo.path().join("services/ledger"));
    assert_eq!(
        recorded["template"]["origin"],
        serde_json::json!({"kind": "dir", "path": "../../templates/tiny"})
    );

    let copy = clone(repo.path());
    let svc = copy.path().join("services/ledger");
    let run = |args: &[&str]| {
        trellis()
            .current_dir(&svc)
            .env("TRELLIS_CACHE_DIR", cache.path())
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["sync", "--no-generate"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(
        stdout_of(&out).contains("no changes"),
        "{}",
        stdout_of(&out)
    );

    // The team changes its template; the service's edit is merged with the
    // generated content found in the clone's history.
    let config = svc.join("config.yaml");
    std::fs::write(
        &config,
        read(&config).replace("log_level: info", "log_level: debug"),
    )
    .unwrap();
    write_tree(
        copy.path(),
        &[
            (
                "templates/tiny/files/config.yaml.tera",
                &CONFIG_V2.replace("region: {{ region }}\n", ""),
            ),
            (
                "templates/tiny/files/notes.md.tera",
                "notes of {{ name }}, v2\n",
            ),
        ],
    );
    let out = run(&["upgrade", "--no-generate"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout_of(&out),
        stderr_of(&out)
    );
    let config = read(&config);
    assert!(
        config.contains("timeout: 10s") && config.contains("log_level: debug"),
        "{config}"
    );
    assert_eq!(read(svc.join("notes.md")), "notes of ledger, v2\n");
}

#[test]
fn an_absolute_template_path_is_migrated_with_one_note() {
    let (repo, cache) = repository_with_a_directory_template();
    let svc = repo.path().join("services/ledger");
    let state_path = svc.join(".trellis/scaffold.json");
    let absolute = std::fs::canonicalize(repo.path().join("templates/tiny")).unwrap();
    let mut old = state(&svc);
    old["template"]["origin"]["path"] = absolute.display().to_string().into();
    std::fs::write(&state_path, serde_json::to_string_pretty(&old).unwrap()).unwrap();

    let sync = || {
        trellis()
            .current_dir(&svc)
            .env("TRELLIS_CACHE_DIR", cache.path())
            .args(["sync", "--no-generate"])
            .output()
            .unwrap()
    };
    let out = sync();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let stderr = stderr_of(&out);
    assert_eq!(
        stderr.matches("by its absolute path").count(),
        1,
        "{stderr}"
    );
    assert_eq!(
        state(&svc)["template"]["origin"]["path"],
        "../../templates/tiny"
    );
    let out = sync();
    assert!(!stderr_of(&out).contains("absolute path"), "said once");
}

/// SIGKILL at the fourth file moved into place (the deletion of
/// legacy.txt, before the state file): the next run undoes every move.
#[cfg(all(unix, debug_assertions))]
#[test]
fn an_upgrade_killed_midway_is_undone_by_the_next_run() {
    use std::io::{BufRead, Write};
    let bench = Bench::new();
    let svc = bench.service("svc");
    let before = snapshot(&svc);
    let bin = assert_cmd::cargo::cargo_bin("trellis");
    let mut child = std::process::Command::new(bin)
        .current_dir(&svc)
        .env("TRELLIS_CACHE_DIR", bench.tmp.path().join(".cache"))
        .env("TRELLIS_TEST_PAUSE", "moving")
        .args(["upgrade", "--to", "v2", "--no-generate"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut pauses = 0;
    while pauses < 4 {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            let _ = child.kill();
            panic!("ended before its fourth pause");
        }
        if line.contains("paused at") {
            pauses += 1;
            if pauses < 4 {
                child.stdin.as_mut().unwrap().write_all(b"\n").unwrap();
            }
        }
    }
    child.kill().unwrap();
    assert_eq!(child.wait().unwrap().code(), None, "killed, not exited");
    assert!(
        !svc.join("legacy.txt").exists(),
        "killed after the deletion"
    );
    assert_eq!(read(svc.join("README.md")), "# ledger\n\nFrom tiny v2.\n");

    // sync undoes the interrupted run first (and then has nothing to do).
    let out = sync(&svc, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(
        stdout_of(&out).contains("recover an interrupted run"),
        "{}",
        stdout_of(&out)
    );
    assert_eq!(
        snapshot(&svc),
        before,
        "every move undone, legacy.txt restored"
    );

    let out = upgrade(&svc, &["--to", "v2"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(!svc.join("legacy.txt").exists());
}
