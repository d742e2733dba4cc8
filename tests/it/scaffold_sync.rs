//! `trellis sync` never leaves a service that no longer builds: each case
//! below broke `go build` or `go vet` of a generated service while sync
//! exited 0 (checked with the real toolchain; .ci/scaffold.sh repeats the
//! prune case with it).

use crate::support::scaffolded::{scaffold, sync};
use crate::support::{snapshot, stderr_of, stdout_of};
use std::path::Path;

fn edit_contract(root: &Path, from: &str, to: &str) {
    let proto = root.join("api/shop/ledger/v1/ledger.proto");
    let text = std::fs::read_to_string(&proto).unwrap();
    assert!(text.contains(from), "the fixture has `{from}`");
    std::fs::write(&proto, text.replace(from, to)).unwrap();
}

fn append(path: &Path, line: &str) {
    let mut text = std::fs::read_to_string(path).unwrap();
    text.push_str(line);
    std::fs::write(path, text).unwrap();
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout_of(out)))
}

fn blocked_paths(report: &serde_json::Value) -> Vec<String> {
    report["blocked"]
        .as_array()
        .map(|b| {
            b.iter()
                .map(|x| x["path"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

const PING: &str = "  rpc Ping(google.protobuf.Empty) returns (google.protobuf.Empty);\n";

#[test]
fn an_edited_generated_file_the_contract_needs_rewritten_stops_sync() {
    let tmp = tempfile::tempdir().unwrap();
    let root = scaffold(tmp.path(), "ledger").ledger().create();
    let generated = root.join("internal/handlers/servers_gen.go");
    append(&generated, "// reviewed by the ledger team\n");
    // A new service needs a new handler type in servers_gen.go; its stub
    // would name a type the edited file does not declare.
    edit_contract(
        &root,
        "service AuditService {\n",
        "service FreezeService {\n  rpc Freeze(GetBalanceRequest) returns (GetBalanceResponse);\n}\n\nservice AuditService {\n",
    );
    let before = snapshot(&root);
    let out = sync(&root, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let text = stdout_of(&out);
    assert!(text.contains("blocked"), "{text}");
    assert!(text.contains("servers_gen.go"), "{text}");
    assert!(
        text.contains("delete this file"),
        "the fix is named: {text}"
    );
    assert!(text.contains("nothing was written"), "{text}");
    assert_eq!(snapshot(&root), before, "a blocked sync writes nothing");
    let dry = sync(&root, &["--dry-run", "--format", "json"]);
    assert_eq!(
        dry.status.code(),
        Some(1),
        "a dry run exits as the real run"
    );
    assert_eq!(
        blocked_paths(&json(&dry)),
        ["internal/handlers/servers_gen.go"]
    );

    std::fs::remove_file(&generated).unwrap();
    let out = sync(&root, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout_of(&out));
    let regenerated = std::fs::read_to_string(&generated).unwrap();
    assert!(regenerated.contains("type FreezeServiceHandler struct"));
    assert!(root.join("internal/handlers/freeze.go").is_file());
}

#[test]
fn an_edited_generated_file_the_contract_leaves_alone_does_not_stop_sync() {
    let tmp = tempfile::tempdir().unwrap();
    let root = scaffold(tmp.path(), "ledger").ledger().create();
    let generated = root.join("internal/handlers/servers_gen.go");
    append(&generated, "// reviewed by the ledger team\n");
    let edited = std::fs::read_to_string(&generated).unwrap();
    // A new RPC of an existing service: servers_gen.go stays as it was.
    edit_contract(
        &root,
        PING,
        &format!("{PING}  rpc Freeze(GetBalanceRequest) returns (GetBalanceResponse);\n"),
    );
    let out = sync(&root, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout_of(&out));
    assert!(stdout_of(&out).contains("needs no new version"));
    assert!(root.join("internal/handlers/freeze.go").is_file());
    assert_eq!(std::fs::read_to_string(&generated).unwrap(), edited);
}

#[test]
fn a_changed_streaming_kind_regenerates_untouched_stubs_and_stops_on_edited_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let root = scaffold(tmp.path(), "ledger").ledger().create();
    let handlers = root.join("internal/handlers");
    // Untouched: rewritten for the new kind, stub and test.
    edit_contract(
        &root,
        "rpc GetBalance(GetBalanceRequest) returns (GetBalanceResponse);\n  // Server",
        "rpc GetBalance(GetBalanceRequest) returns (stream GetBalanceResponse);\n  // Server",
    );
    let out = sync(&root, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout_of(&out));
    let stub = std::fs::read_to_string(handlers.join("get_balance.go")).unwrap();
    assert!(
        stub.contains("GetBalance(req *ledgerv1.GetBalanceRequest, stream grpc.ServerStreamingServer[ledgerv1.GetBalanceResponse]) error"),
        "{stub}"
    );
    let test = std::fs::read_to_string(handlers.join("get_balance_test.go")).unwrap();
    assert!(test.contains("stream.Recv()"), "{test}");
    assert!(sync(&root, &[]).status.success());
    assert!(stdout_of(&sync(&root, &[])).contains("no changes"));

    // Edited: sync stops, names the new signature, writes nothing.
    let watch = handlers.join("watch_entries.go");
    append(&watch, "// Entries come from the journal.\n");
    edit_contract(
        &root,
        "rpc WatchEntries(WatchEntriesRequest) returns (stream Entry);",
        "rpc WatchEntries(WatchEntriesRequest) returns (Entry);",
    );
    let before = snapshot(&root);
    let out = sync(&root, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout_of(&out));
    let report = json(&out);
    assert_eq!(
        blocked_paths(&report),
        ["internal/handlers/watch_entries.go"]
    );
    let fix = report["blocked"][0]["fix"].as_str().unwrap();
    assert!(
        fix.contains("WatchEntries(ctx context.Context, req *ledgerv1.WatchEntriesRequest) (*ledgerv1.Entry, error)"),
        "{fix}"
    );
    assert!(
        report["blocked"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("stream shop.ledger.v1.Entry` to `shop.ledger.v1.WatchEntriesRequest -> shop.ledger.v1.Entry`")
    );
    assert_eq!(snapshot(&root), before);

    // Once the person has changed it for the new signature, sync goes on
    // and regenerates the untouched test.
    std::fs::write(
        &watch,
        "package handlers\n\nimport (\n\t\"context\"\n\n\tledgerv1 \"ledger/gen/go/shop/ledger/v1\"\n)\n\n\
         // WatchEntries returns the latest entry.\n\
         func (h *LedgerServiceHandler) WatchEntries(ctx context.Context, req *ledgerv1.WatchEntriesRequest) (*ledgerv1.Entry, error) {\n\
         \treturn &ledgerv1.Entry{AccountId: req.GetAccountId()}, nil\n}\n",
    )
    .unwrap();
    let out = sync(&root, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout_of(&out));
    let test = std::fs::read_to_string(handlers.join("watch_entries_test.go")).unwrap();
    assert!(!test.contains("stream"), "{test}");
}

#[test]
fn a_removed_rpc_stops_sync_until_pruned_and_prune_deletes_only_untouched_files() {
    let tmp = tempfile::tempdir().unwrap();
    let root = scaffold(tmp.path(), "ledger").ledger().create();
    let handlers = root.join("internal/handlers");
    append(
        &handlers.join("import_entries_test.go"),
        "// Imports are checked by the nightly job too.\n",
    );
    edit_contract(&root, PING, "");
    edit_contract(
        &root,
        "  rpc ImportEntries(stream Entry) returns (ImportEntriesResponse);\n",
        "",
    );
    let before = snapshot(&root);
    let out = sync(&root, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout_of(&out));
    let report = json(&out);
    assert_eq!(
        blocked_paths(&report),
        [
            "internal/handlers/import_entries.go",
            "internal/handlers/import_entries_test.go",
            "internal/handlers/ping.go",
            "internal/handlers/ping_test.go",
        ]
    );
    assert!(
        report["blocked"][0]["fix"]
            .as_str()
            .unwrap()
            .contains("--prune")
    );
    assert_eq!(snapshot(&root), before);

    // --prune would delete the untouched three, but the edited test is a
    // person's code: reported, never deleted, and nothing is written.
    let out = sync(&root, &["--prune"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout_of(&out));
    let text = stdout_of(&out);
    assert!(text.contains("import_entries_test.go"), "{text}");
    assert!(text.contains("never deletes a person's code"), "{text}");
    assert_eq!(snapshot(&root), before);

    std::fs::remove_file(handlers.join("import_entries_test.go")).unwrap();
    let out = sync(&root, &["--prune"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout_of(&out));
    assert!(stdout_of(&out).contains("3 delete"), "{}", stdout_of(&out));
    for gone in ["ping.go", "ping_test.go", "import_entries.go"] {
        assert!(!handlers.join(gone).exists(), "{gone}");
    }
    assert!(handlers.join("get_balance.go").is_file());
    let state = std::fs::read_to_string(root.join(".trellis/scaffold.json")).unwrap();
    assert!(!state.contains("ping.go"), "{state}");
    assert!(!state.contains("LedgerService/Ping"), "{state}");
    let out = sync(&root, &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout_of(&out).contains("no changes"),
        "{}",
        stdout_of(&out)
    );
}

#[test]
fn a_removed_rpc_of_a_rust_service_is_reported_not_blocking() {
    let tmp = tempfile::tempdir().unwrap();
    let root = scaffold(tmp.path(), "ledger").rust().ledger().create();
    edit_contract(&root, PING, "");
    // generated.rs no longer declares the module: the file is not compiled.
    let out = sync(&root, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout_of(&out));
    assert!(stdout_of(&out).contains("--prune"), "{}", stdout_of(&out));
    assert!(root.join("src/handlers/ping.rs").is_file());
    let generated = std::fs::read_to_string(root.join("src/handlers/generated.rs")).unwrap();
    assert!(!generated.contains("mod ping;"));
    let out = sync(&root, &["--prune"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout_of(&out));
    assert!(!root.join("src/handlers/ping.rs").exists());
}

/// A service generated before the template had a switch (here `http`) keeps
/// what it has: sync renders with the switch off, so it neither fails on the
/// unrecorded variable nor adds the switch's files without the wiring in
/// files that are the person's (server.go, go.mod); `trellis upgrade` brings
/// the switch.
#[test]
fn sync_of_a_service_older_than_a_switch_leaves_the_switch_off() {
    let tmp = tempfile::tempdir().unwrap();
    let root = scaffold(tmp.path(), "ledger").ledger().create();
    let state_path = root.join(".trellis/scaffold.json");
    let mut state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state_path).unwrap()).unwrap();
    state["variables"].as_object_mut().unwrap().remove("http");
    for file in ["internal/server/http.go", "internal/server/server_test.go"] {
        state["files"].as_object_mut().unwrap().remove(file);
        std::fs::remove_file(root.join(file)).unwrap();
    }
    std::fs::write(&state_path, serde_json::to_vec_pretty(&state).unwrap()).unwrap();
    let go_mod = std::fs::read(root.join("go.mod")).unwrap();
    edit_contract(
        &root,
        PING,
        &format!("{PING}  rpc Freeze(GetBalanceRequest) returns (GetBalanceResponse);\n"),
    );

    let out = sync(&root, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(root.join("internal/handlers/freeze.go").is_file());
    assert!(!root.join("internal/server/http.go").exists());
    assert!(!root.join("internal/server/server_test.go").exists());
    assert_eq!(std::fs::read(root.join("go.mod")).unwrap(), go_mod);
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state_path).unwrap()).unwrap();
    assert!(
        state["variables"].get("http").is_none(),
        "sync records no value the person did not choose: {state}"
    );
}
