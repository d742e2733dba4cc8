//! The Rust template's text: rustfmt-clean for any contract (rustfmt breaks
//! lines by width, so names of every length are exercised), reflection behind
//! the `reflection` switch, health per service, and services generated
//! before the switch existed. .ci/scaffold.sh builds, tests and runs the
//! generated crates with the real toolchain and calls them with `buf curl`.

use crate::support::scaffolded::{scaffold, sync, upgrade};
use crate::support::{snapshot, stderr_of, stdout_of};
use std::path::{Path, PathBuf};

fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `cargo fmt --check` of the crate, as a person runs it: reads only
/// Cargo.toml (for the edition) and the sources.
fn assert_rustfmt_clean(root: &Path) {
    let out = std::process::Command::new("cargo")
        .args(["fmt", "--check", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .output()
        .expect("cargo fmt runs (rustfmt is part of the toolchain CI installs)");
    assert!(
        out.status.success(),
        "{} is not rustfmt-clean:\n{}{}",
        root.display(),
        stdout_of(&out),
        stderr_of(&out)
    );
}

const PING: &str = "  rpc Ping(google.protobuf.Empty) returns (google.protobuf.Empty);\n";

/// Names long enough that rustfmt breaks the handler signatures, the client
/// calls and the service list across lines, and short ones it keeps on one.
const LONG_RPCS: &str = "  rpc ReconcileEveryEntryOfTheLedgerAgainstTheBankStatement(GetBalanceRequest) returns (stream Entry);\n  rpc Ok(google.protobuf.Empty) returns (GetBalanceResponse);\n";

#[test]
fn every_generated_rust_file_is_rustfmt_clean_also_after_sync() {
    let tmp = tempfile::tempdir().unwrap();
    let starter = scaffold(tmp.path(), "inventory").rust().create();
    assert_rustfmt_clean(&starter);
    let ledger = scaffold(tmp.path(), "ledger")
        .rust()
        .ledger()
        .set("edition", "2021")
        .create();
    assert_rustfmt_clean(&ledger);

    let proto = ledger.join("api/shop/ledger/v1/ledger.proto");
    let text = read(&proto);
    assert!(text.contains(PING), "the fixture has `{PING}`");
    std::fs::write(&proto, text.replace(PING, &format!("{PING}{LONG_RPCS}"))).unwrap();
    let out = sync(&ledger, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let long = ledger
        .join("src/handlers/reconcile_every_entry_of_the_ledger_against_the_bank_statement.rs");
    assert!(long.is_file(), "{}", stdout_of(&out));
    assert!(ledger.join("src/handlers/ok.rs").is_file());
    assert_rustfmt_clean(&ledger);
    // rustfmt, not the template, decided the line breaks.
    let generated = read(ledger.join("src/handlers/generated.rs"));
    assert!(
        generated.contains(
            "    async fn reconcile_every_entry_of_the_ledger_against_the_bank_statement(\n        &self,\n"
        ),
        "{generated}"
    );
    assert!(
        generated.contains("    async fn ok(&self, request: Request<()>) -> Result<Response<pb::GetBalanceResponse>, Status> {\n"),
        "{generated}"
    );
    // The formatted text is what the state records: a second sync sees
    // every file as trellis wrote it.
    let before = snapshot(&ledger);
    let out = sync(&ledger, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(
        stdout_of(&out).contains("no changes"),
        "{}",
        stdout_of(&out)
    );
    assert_eq!(snapshot(&ledger), before);
}

#[test]
fn reflection_is_on_by_default_and_the_switch_sets_the_run_time_default() {
    let tmp = tempfile::tempdir().unwrap();
    let on = scaffold(tmp.path(), "ledger").rust().ledger().create();
    let off = scaffold(tmp.path(), "quiet")
        .rust()
        .ledger()
        .set("reflection", "false")
        .create();
    for (root, prefix, default) in [(&on, "LEDGER", "true"), (&off, "QUIET", "false")] {
        // The wiring is the same either way; the switch is the default of
        // <PREFIX>_REFLECTION, as in the Go template.
        let cargo = read(root.join("Cargo.toml"));
        assert!(cargo.contains("tonic-reflection = \"0.14."), "{cargo}");
        let build = read(root.join("build.rs"));
        assert!(
            build.contains(".file_descriptor_set_path(out_dir.join(\"contract_descriptor.bin\"))"),
            "{build}"
        );
        assert!(
            read(root.join("src/lib.rs"))
                .contains("include_file_descriptor_set!(\"contract_descriptor\")")
        );
        let main = read(root.join("src/main.rs"));
        for needle in [
            "descriptors().build_v1()?",
            "descriptors().build_v1alpha()?",
            ".register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)",
            "if config.reflection {",
        ] {
            assert!(main.contains(needle), "{needle}: {main}");
        }
        let config = read(root.join("src/config.rs"));
        assert!(
            config.contains(&format!("lookup(\"{prefix}_REFLECTION\")")),
            "{config}"
        );
        assert!(config.contains(&format!("None => {default},")), "{config}");
        assert!(
            config.contains(&format!("assert_eq!(config.reflection, {default});")),
            "{config}"
        );
        let readme = read(root.join("README.md"));
        assert!(
            readme.contains(&format!("| `{prefix}_REFLECTION` | `{default}`")),
            "{readme}"
        );
        let state: serde_json::Value =
            serde_json::from_str(&read(root.join(".trellis/scaffold.json"))).unwrap();
        assert_eq!(
            state["variables"]["reflection"],
            default == "true",
            "{state}"
        );
        assert_eq!(state["template"]["version"], "1.1.1");
    }
}

#[test]
fn health_is_reported_for_every_service_by_its_full_name() {
    let tmp = tempfile::tempdir().unwrap();
    let root = scaffold(tmp.path(), "ledger").rust().ledger().create();
    let generated = read(root.join("src/handlers/generated.rs"));
    for needle in [
        "<pb::ledger_service_server::LedgerServiceServer<Handler> as tonic::server::NamedService>::NAME,",
        "<pb::audit_service_server::AuditServiceServer<Handler> as tonic::server::NamedService>::NAME,",
        "health.set_service_status(\"\", status).await;",
        // The generated test pins the names a client asks for.
        "\"shop.ledger.v1.LedgerService\",",
        "\"shop.ledger.v1.AuditService\",",
        "async fn health_is_reported_for_each_service_by_name()",
        "Handler::report_health(&health, ServingStatus::NotServing).await;",
    ] {
        assert!(generated.contains(needle), "{needle}: {generated}");
    }
    let main = read(root.join("src/main.rs"));
    let serving = main
        .find("Handler::report_health(&health, ServingStatus::Serving)")
        .expect("main reports SERVING");
    let shutdown = main.find("shutdown_signal().await;").unwrap();
    let not_serving = main
        .find("Handler::report_health(&health, ServingStatus::NotServing)")
        .expect("main reports NOT_SERVING");
    assert!(serving < shutdown && shutdown < not_serving, "{main}");
    assert!(
        !main.contains("set_service_status"),
        "main.rs leaves the names to generated.rs"
    );
}

/// A service generated by template 1.0.0 (no `reflection` variable, no
/// reflection wiring in its files) syncs: generated.rs, the file sync
/// rewrites, asks nothing of the person's files that they did not have
/// (checked with the real toolchain on a crate generated by 1.0.0: it builds
/// and its tests, the new health test among them, pass).
#[test]
fn a_rust_service_older_than_reflection_still_syncs() {
    let tmp = tempfile::tempdir().unwrap();
    let root = scaffold(tmp.path(), "ledger").rust().ledger().create();
    let state_path = root.join(".trellis/scaffold.json");
    let mut state: serde_json::Value = serde_json::from_str(&read(&state_path)).unwrap();
    state["variables"]
        .as_object_mut()
        .unwrap()
        .remove("reflection");
    state["template"]["version"] = "1.0.0".into();
    std::fs::write(&state_path, serde_json::to_vec_pretty(&state).unwrap()).unwrap();
    let person: Vec<(PathBuf, Vec<u8>)> = [
        "Cargo.toml",
        "build.rs",
        "src/main.rs",
        "src/lib.rs",
        "src/config.rs",
    ]
    .iter()
    .map(|f| (root.join(f), std::fs::read(root.join(f)).unwrap()))
    .collect();
    let proto = root.join("api/shop/ledger/v1/ledger.proto");
    std::fs::write(
        &proto,
        read(&proto).replace(
            PING,
            &format!("{PING}  rpc Freeze(GetBalanceRequest) returns (stream Entry);\n"),
        ),
    )
    .unwrap();

    let out = sync(&root, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(root.join("src/handlers/freeze.rs").is_file());
    let generated = read(root.join("src/handlers/generated.rs"));
    assert!(generated.contains("mod freeze;"), "{generated}");
    for absent in ["tonic_reflection", "FILE_DESCRIPTOR_SET", "Config"] {
        assert!(
            !generated.contains(absent),
            "generated.rs needs `{absent}`: {generated}"
        );
    }
    for (path, bytes) in person {
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{}", path.display());
    }
    let state: serde_json::Value = serde_json::from_str(&read(&state_path)).unwrap();
    assert!(
        state["variables"].get("reflection").is_none(),
        "sync records no value the person did not choose: {state}"
    );
}

#[test]
fn a_rust_service_at_this_version_upgrades_to_no_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let root = scaffold(tmp.path(), "ledger").rust().ledger().create();
    let before = snapshot(&root);
    let out = upgrade(&root, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(
        stdout_of(&out).contains("no changes"),
        "{}",
        stdout_of(&out)
    );
    assert_eq!(snapshot(&root), before);
}

/// Logs carry colour codes only at a terminal, never with NO_COLOR: the
/// generated crate's own test checks the decision, .ci/scaffold.sh checks
/// the log file of the running binary.
#[test]
fn the_rust_service_colours_its_logs_only_at_a_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let root = scaffold(tmp.path(), "inventory").rust().create();
    let main = read(root.join("src/main.rs"));
    assert!(
        main.contains(
            ".with_ansi(config::log_colours(\n            std::io::stdout().is_terminal(),"
        ),
        "{main}"
    );
    let config = read(root.join("src/config.rs"));
    for needle in [
        "pub fn log_colours(stdout_is_terminal: bool, lookup: impl Fn(&str) -> Option<String>) -> bool {",
        "lookup(\"NO_COLOR\")",
        "fn logs_are_coloured_only_at_a_terminal_without_no_color()",
    ] {
        assert!(config.contains(needle), "{needle}: {config}");
    }
}
