//! `trellis new`, `trellis sync`, `trellis templates list` on temp dirs, without
//! the network and without running code generation (--no-generate).

pub(crate) use crate::support::scaffolded::{ledger_proto, new_service};
use crate::support::scaffolded::{scaffold, sync};
pub(crate) use crate::support::snapshot;
use crate::support::{refused, stderr_of, stdout_of, trellis, write_tree};
use std::path::{Path, PathBuf};

/// A minimal template directory; `dest` and `extra` vary per test.
pub(crate) fn custom_template(root: &Path, dest: &str, extra: &str) -> PathBuf {
    let dir = root.join("tpl");
    let manifest = format!(
        "name: tiny\ndescription: a test template\nlanguage: go\nversion: 0.1.0\n\
         variables:\n  - name: owner\n    type: string\n    required: true\n    help: team that owns the service\n\
         files:\n  - {{ src: a.txt.tera, dest: \"{dest}\" }}\n{extra}"
    );
    write_tree(
        &dir,
        &[
            ("template.yaml", manifest.as_str()),
            ("files/a.txt.tera", "{{ name }} is owned by {{ owner }}\n"),
        ],
    );
    dir
}

#[test]
fn new_writes_the_service_and_its_state() {
    let tmp = tempfile::tempdir().unwrap();
    let out = scaffold(tmp.path(), "payment")
        .module("example.com/shop/payment")
        .output();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let root = tmp.path().join("payment");
    for path in [
        "api/payment/v1/payment.proto",
        "cmd/payment/main.go",
        "internal/handlers/get_payment.go",
        "internal/handlers/get_payment_test.go",
        "internal/handlers/list_payments.go",
        "internal/handlers/errors.go",
        "internal/domain/errors.go",
        "internal/domain/payment.go",
        "internal/service/payment.go",
        "internal/service/payment_test.go",
        "Dockerfile",
        "buf.gen.yaml",
        ".trellis/scaffold.json",
    ] {
        assert!(root.join(path).is_file(), "{path} missing");
    }
    let go_mod = std::fs::read_to_string(root.join("go.mod")).unwrap();
    assert!(go_mod.starts_with("module example.com/shop/payment\n"));
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join(".trellis/scaffold.json")).unwrap())
            .unwrap();
    assert_eq!(state["template"]["name"], "go-grpc-service");
    assert_eq!(state["variables"]["module"], "example.com/shop/payment");
    assert_eq!(
        state["files"]["internal/handlers/servers_gen.go"]["owner"],
        "trellis"
    );
    assert_eq!(state["files"]["cmd/payment/main.go"]["owner"], "user");
    assert!(
        state["rpcs"]
            .as_object()
            .unwrap()
            .contains_key("payment.v1.PaymentService/GetPayment")
    );
    let stdout = stdout_of(&out);
    assert!(
        stdout.contains("(cd "),
        "the next commands are printed: {stdout}"
    );
    assert!(stdout.contains("buf generate"), "{stdout}");
}

#[test]
fn new_and_sync_honour_minus_c_like_git() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join("services")).unwrap();
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let run_in_elsewhere = |args: &[&str], directory: &Path| {
        let out = trellis()
            .current_dir(&elsewhere)
            .env("TRELLIS_CACHE_DIR", tmp.path().join(".cache"))
            .args(args)
            .args(["--no-generate", "-C"])
            .arg(directory)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    };
    run_in_elsewhere(
        &["new", "service", "ledger", "--dir", "services/ledger"],
        &repo,
    );
    assert!(
        repo.join("services/ledger/.trellis/scaffold.json")
            .is_file()
    );
    assert!(!elsewhere.join("services").exists());
    // Without --dir: the service goes under the -C directory too.
    run_in_elsewhere(&["new", "service", "audit"], &repo.join("services"));
    assert!(repo.join("services/audit/go.mod").is_file());
    // sync's service directory is relative to -C as well.
    run_in_elsewhere(&["sync", "services/ledger", "--dry-run"], &repo);
    assert!(!elsewhere.join("services").exists());
}

#[test]
fn new_from_a_streaming_contract_has_a_stub_per_rpc() {
    let tmp = tempfile::tempdir().unwrap();
    let proto = ledger_proto();
    let out = scaffold(tmp.path(), "ledger")
        .proto(&proto)
        .args(&["--format", "json"])
        .output();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["command"], "new");
    let handlers = tmp.path().join("ledger/internal/handlers");
    let read = |name: &str| std::fs::read_to_string(handlers.join(name)).unwrap();
    assert!(read("watch_entries.go").contains(
        "WatchEntries(req *ledgerv1.WatchEntriesRequest, stream grpc.ServerStreamingServer[ledgerv1.Entry]) error"
    ));
    assert!(read("import_entries.go").contains(
        "ImportEntries(stream grpc.ClientStreamingServer[ledgerv1.Entry, ledgerv1.ImportEntriesResponse]) error"
    ));
    assert!(read("reconcile.go").contains(
        "Reconcile(stream grpc.BidiStreamingServer[ledgerv1.ReconcileRequest, ledgerv1.ReconcileRequest_Result]) error"
    ));
    assert!(
        read("ping.go")
            .contains("Ping(ctx context.Context, req *emptypb.Empty) (*emptypb.Empty, error)")
    );
    // Two services share an RPC name: the second gets a prefixed file and test.
    assert!(
        read("audit_service_get_balance.go").contains("func (h *AuditServiceHandler) GetBalance(")
    );
    assert!(read("audit_service_get_balance_test.go").contains("func TestAuditServiceGetBalance("));
    assert!(
        tmp.path()
            .join("ledger/api/shop/ledger/v1/ledger.proto")
            .is_file()
    );
}

#[test]
fn dry_run_prints_the_plan_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let before = snapshot(tmp.path());
    let out = scaffold(tmp.path(), "payment")
        .args(&["--dry-run"])
        .output();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let stdout = stdout_of(&out);
    assert!(stdout.contains("create"), "{stdout}");
    assert!(stdout.contains("cmd/payment/main.go"), "{stdout}");
    assert!(stdout.contains("would new"), "{stdout}");
    assert_eq!(snapshot(tmp.path()), before);
}

#[test]
fn existing_files_are_never_overwritten_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(
        scaffold(tmp.path(), "payment").output().status.code(),
        Some(0)
    );
    let main = tmp.path().join("payment/cmd/payment/main.go");
    std::fs::write(&main, "package main // mine\n").unwrap();
    let before = snapshot(tmp.path());

    let out = scaffold(tmp.path(), "payment").output();
    assert_eq!(out.status.code(), Some(2));
    let stderr = stderr_of(&out);
    assert!(stderr.contains("cmd/payment/main.go"), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(snapshot(tmp.path()), before, "nothing written");

    let plan = scaffold(tmp.path(), "payment")
        .args(&["--dry-run"])
        .output();
    assert!(
        stdout_of(&plan).contains("conflict"),
        "{}",
        stdout_of(&plan)
    );

    let forced = scaffold(tmp.path(), "payment").args(&["--force"]).output();
    assert_eq!(forced.status.code(), Some(0), "{}", stderr_of(&forced));
    assert!(stdout_of(&forced).contains("overwrite"));
    assert_ne!(
        std::fs::read_to_string(&main).unwrap(),
        "package main // mine\n"
    );
}

#[test]
fn invalid_service_names_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["Payment", "pay_ment", "9lives", "func", "a--b", "trail-"] {
        let out = scaffold(tmp.path(), name).output();
        refused(&out, "service name");
    }
    assert!(snapshot(tmp.path()).is_empty());
}

#[test]
fn a_proto_that_does_not_parse_names_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let proto = tmp.path().join("broken.proto");
    std::fs::write(
        &proto,
        "syntax = \"proto3\";\npackage a.v1;\nservice S {\n  rpc Get(Req returns (Resp);\n}\n",
    )
    .unwrap();
    let out = scaffold(tmp.path(), "broken").proto(&proto).output();
    assert_eq!(out.status.code(), Some(2));
    let stderr = stderr_of(&out);
    assert!(stderr.contains("broken.proto:4:"), "{stderr}");
    assert!(
        stderr.contains("rpc Get(Req returns (Resp);"),
        "the source line is shown: {stderr}"
    );
    assert!(!tmp.path().join("broken").exists());
}

#[test]
fn unknown_and_invalid_variables_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = scaffold(tmp.path(), "payment")
        .set("dockr", "false")
        .output();
    assert_eq!(out.status.code(), Some(2));
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains("unknown template variable `dockr`"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `docker`"), "{stderr}");

    let out = scaffold(tmp.path(), "payment")
        .set("log_format", "xml")
        .output();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("must be one of json, text"));

    let out = scaffold(tmp.path(), "payment")
        .set("grpc_port", "http")
        .output();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("does not match"));

    let out = scaffold(tmp.path(), "payment")
        .module("bad module")
        .output();
    refused(&out, "variable `module`");

    let out = scaffold(tmp.path(), "payment")
        .set("docker", "perhaps")
        .output();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("is a bool"));
    assert!(!tmp.path().join("payment").exists());
}

#[test]
fn bool_variables_switch_files_off() {
    let tmp = tempfile::tempdir().unwrap();
    scaffold(tmp.path(), "payment")
        .set("docker", "false")
        .create();
    assert!(!tmp.path().join("payment/Dockerfile").exists());
    assert!(tmp.path().join("payment/Makefile").exists());
    // OTLP export is off by default: no exporter file, no exporter module.
    assert!(
        !tmp.path()
            .join("payment/internal/observability/exporters.go")
            .exists()
    );
    let go_mod = std::fs::read_to_string(tmp.path().join("payment/go.mod")).unwrap();
    assert!(!go_mod.contains("otlptrace"), "{go_mod}");
}

#[test]
fn otlp_export_is_a_switch_that_wires_the_exporters_into_main() {
    let tmp = tempfile::tempdir().unwrap();
    let root = scaffold(tmp.path(), "payment").set("otlp", "true").create();
    let exporters =
        std::fs::read_to_string(root.join("internal/observability/exporters.go")).unwrap();
    assert!(exporters.contains("func ExportersFromEnv("), "{exporters}");
    assert!(
        root.join("internal/observability/exporters_test.go")
            .is_file()
    );
    let main = std::fs::read_to_string(root.join("cmd/payment/main.go")).unwrap();
    assert!(
        main.contains(
            "observability.NewTracerProvider(ctx, \"payment\", buildVersion(), exporters...)"
        ),
        "{main}"
    );
    let go_mod = std::fs::read_to_string(root.join("go.mod")).unwrap();
    assert!(
        go_mod.contains("go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc v"),
        "{go_mod}"
    );
}

#[test]
fn http_json_is_on_by_default_with_vanguard_and_an_openapi_plugin() {
    let tmp = tempfile::tempdir().unwrap();
    let root = scaffold(tmp.path(), "payment")
        .module("example.com/shop/payment")
        .create();
    let read = |path: &str| std::fs::read_to_string(root.join(path)).unwrap();
    let go_mod = read("go.mod");
    assert!(go_mod.contains("\tconnectrpc.com/vanguard v"), "{go_mod}");
    let http = read("internal/server/http.go");
    assert!(
        http.contains("vanguardgrpc.NewTranscoder(grpcServer)"),
        "{http}"
    );
    assert!(http.contains("SetUnencryptedHTTP2(true)"), "{http}");
    let server = read("internal/server/server.go");
    assert!(server.contains("newAPIServer(grpcServer)"), "{server}");
    assert!(server.contains("s.api.Serve(grpcListener)"), "{server}");
    assert!(!server.contains("s.grpc.Serve("), "{server}");
    // The generated test posts JSON to the starter's first RPC, which finds
    // the stored payment, and checks the interceptors saw the call.
    let test = read("internal/server/server_test.go");
    assert!(
        test.contains(
            "api.postJSON(t, \"/payment.v1.PaymentService/GetPayment\", `{\"id\": \"payment-1\"}`)"
        ),
        "{test}"
    );
    assert!(
        test.contains(
            "api.assertIntercepted(t, \"/payment.v1.PaymentService/GetPayment\", \"OK\", 1)"
        ),
        "{test}"
    );
    let makefile = read("Makefile");
    assert!(
        makefile.contains("go install github.com/sudorandom/protoc-gen-connect-openapi@$(PROTOC_GEN_CONNECT_OPENAPI_VERSION)"),
        "{makefile}"
    );
    insta::assert_snapshot!("scaffold_buf_gen_http", read("buf.gen.yaml"));
    let readme = read("README.md");
    assert!(readme.contains("## HTTP/JSON"), "{readme}");
    assert!(readme.contains("| bidi streaming |"), "{readme}");
}

#[test]
fn http_false_serves_grpc_alone_on_grpc_gos_transport() {
    let tmp = tempfile::tempdir().unwrap();
    let root = scaffold(tmp.path(), "payment")
        .set("http", "false")
        .create();
    let read = |path: &str| std::fs::read_to_string(root.join(path)).unwrap();
    assert!(!root.join("internal/server/http.go").exists());
    assert!(!root.join("internal/server/server_test.go").exists());
    assert!(!read("go.mod").contains("vanguard"));
    assert!(!read("Makefile").contains("openapi"));
    assert!(!read("README.md").contains("HTTP/JSON"));
    let server = read("internal/server/server.go");
    assert!(
        server.contains("return s.grpc.Serve(grpcListener)"),
        "{server}"
    );
    assert!(server.contains("s.grpc.GracefulStop()"), "{server}");
    assert!(!server.contains("s.api"), "{server}");
    insta::assert_snapshot!("scaffold_buf_gen_grpc_only", read("buf.gen.yaml"));
}

#[test]
fn k8s_writes_manifests_whose_config_is_the_example_config() {
    let tmp = tempfile::tempdir().unwrap();
    scaffold(tmp.path(), "payment").create();
    assert!(
        !tmp.path().join("payment/deploy").exists(),
        "k8s is off by default"
    );

    let root = scaffold(tmp.path(), "orders")
        .set("k8s", "true")
        .set("admin_port", "8081")
        .create();
    let read = |path: &str| std::fs::read_to_string(root.join(path)).unwrap();
    let deployment = read("deploy/deployment.yaml");
    for want in [
        "kind: Deployment",
        "path: /readyz",
        "path: /healthz",
        "containerPort: 9090",
        "containerPort: 8081",
        "- name: ORDERS_CONFIG\n              value: /etc/orders/config.json",
        "mountPath: /etc/orders",
        "name: orders-config",
    ] {
        assert!(deployment.contains(want), "{want}: {deployment}");
    }
    let service = read("deploy/service.yaml");
    assert!(service.contains("kind: Service"), "{service}");
    assert!(service.contains("port: 8081"), "{service}");
    // The ConfigMap carries config.example.json, line for line.
    let configmap = read("deploy/configmap.yaml");
    let example = read("config.example.json");
    let embedded: String = example.lines().map(|l| format!("    {l}\n")).collect();
    assert!(configmap.contains(&embedded), "{configmap}\n{example}");
    let kustomization = read("deploy/kustomization.yaml");
    for file in ["configmap.yaml", "deployment.yaml", "service.yaml"] {
        assert!(
            kustomization.contains(&format!("  - {file}\n")),
            "{kustomization}"
        );
    }
}

#[test]
fn ci_workflow_runs_generate_build_vet_test_and_trellis_check() {
    let tmp = tempfile::tempdir().unwrap();
    scaffold(tmp.path(), "payment").create();
    assert!(
        !tmp.path().join("payment/.github").exists(),
        "off by default"
    );

    scaffold(tmp.path(), "orders")
        .set("ci_workflow", "true")
        .set("trellis_action", "acme/trellis@v2")
        .create();
    let workflow =
        std::fs::read_to_string(tmp.path().join("orders/.github/workflows/ci.yml")).unwrap();
    for want in [
        "run: make generate",
        "git status --porcelain -- gen",
        "run: make build",
        "run: go vet ./...",
        "run: make test",
        "uses: acme/trellis@v2",
        "go-version-file: go.mod",
    ] {
        assert!(workflow.contains(want), "{want}: {workflow}");
    }

    let out = scaffold(tmp.path(), "bad")
        .set("ci_workflow", "true")
        .set("trellis_action", "trellis")
        .output();
    refused(&out, "trellis_action");
}

/// The generated JSON test picks the contract's first unary RPC (a stub
/// answers Unimplemented); a contract of streams only gets the health test.
#[test]
fn the_json_test_follows_the_contract() {
    let tmp = tempfile::tempdir().unwrap();
    scaffold(tmp.path(), "ledger").ledger().create();
    let test =
        std::fs::read_to_string(tmp.path().join("ledger/internal/server/server_test.go")).unwrap();
    assert!(
        test.contains("api.postJSON(t, \"/shop.ledger.v1.LedgerService/Ping\", `{}`)"),
        "{test}"
    );
    assert!(
        test.contains("http.StatusNotImplemented"),
        "the stub's answer is expected: {test}"
    );

    let streams = tmp.path().join("streams.proto");
    std::fs::write(
        &streams,
        "syntax = \"proto3\";\npackage tick.v1;\n\
         service TickService {\n  rpc Watch(Tick) returns (stream Tick);\n}\n\
         message Tick {\n  int64 at = 1;\n}\n",
    )
    .unwrap();
    scaffold(tmp.path(), "tick").proto(&streams).create();
    let test =
        std::fs::read_to_string(tmp.path().join("tick/internal/server/server_test.go")).unwrap();
    assert!(test.contains("func TestGRPCAndJSONShareThePort("), "{test}");
    assert!(!test.contains("TestJSONCallReachesTheHandler"), "{test}");
}

#[test]
fn a_missing_required_variable_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let template = custom_template(tmp.path(), "{{ name }}.txt", "");
    let proto = ledger_proto();
    let args = [
        "ledger",
        "--template",
        template.to_str().unwrap(),
        "--proto",
        proto.to_str().unwrap(),
    ];
    let out = new_service(tmp.path(), &args);
    assert_eq!(out.status.code(), Some(2));
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains("missing required template variable `owner`"),
        "{stderr}"
    );
    assert!(stderr.contains("--set owner="), "{stderr}");
    assert!(!tmp.path().join("ledger").exists());

    let mut with_owner = args.to_vec();
    with_owner.extend(["--set", "owner=payments-team"]);
    let out = new_service(tmp.path(), &with_owner);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("ledger/ledger.txt")).unwrap(),
        "ledger is owned by payments-team\n"
    );
}

#[test]
fn template_paths_that_escape_the_output_are_refused() {
    for dest in [
        "../escaped.txt",
        "sub/../../escaped.txt",
        "/tmp/trellis-escaped.txt",
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let template = custom_template(tmp.path(), dest, "");
        let proto = ledger_proto();
        let out = scaffold(tmp.path(), "ledger")
            .proto(&proto)
            .set("owner", "x")
            .template(template.to_str().unwrap())
            .output();
        assert_eq!(out.status.code(), Some(2), "{dest}");
        let stderr = stderr_of(&out);
        assert!(
            stderr.contains("escapes the output directory") || stderr.contains("is absolute"),
            "{dest}: {stderr}"
        );
        assert!(!tmp.path().join("escaped.txt").exists());
        assert!(!tmp.path().join("ledger").exists());
    }
}

#[test]
fn a_rendered_destination_that_escapes_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let template = custom_template(tmp.path(), "{{ owner }}/x.txt", "");
    let proto = ledger_proto();
    let out = scaffold(tmp.path(), "ledger")
        .proto(&proto)
        .set("owner", "..")
        .template(template.to_str().unwrap())
        .output();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("escapes the output directory"));
    assert!(!tmp.path().join("x.txt").exists());
}

#[cfg(unix)]
#[test]
fn symlinks_in_templates_and_targets_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let template = custom_template(tmp.path(), "a.txt", "");
    std::os::unix::fs::symlink("/etc/hostname", template.join("files/link.tera")).unwrap();
    let proto = ledger_proto();
    let args = [
        "ledger",
        "--template",
        template.to_str().unwrap(),
        "--proto",
        proto.to_str().unwrap(),
        "--set",
        "owner=x",
    ];
    let out = new_service(tmp.path(), &args);
    refused(&out, "symbolic link");

    // A link already in the output directory is not written through.
    let outside = tempfile::tempdir().unwrap();
    let target = tmp.path().join("payment");
    std::fs::create_dir_all(target.join("cmd")).unwrap();
    std::os::unix::fs::symlink(outside.path(), target.join("cmd/payment")).unwrap();
    let out = scaffold(tmp.path(), "payment").output();
    refused(&out, "symbolic link");
    assert!(snapshot(outside.path()).is_empty());
}

#[test]
fn an_unreachable_git_template_is_an_input_error() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = format!("file://{}/nowhere.git@v1", tmp.path().display());
    let out = scaffold(tmp.path(), "payment").template(&missing).output();
    refused(&out, "cannot clone template");
    assert!(!tmp.path().join("payment").exists());
}

#[test]
fn git_templates_are_pinned_and_their_steps_need_trust() {
    let tmp = tempfile::tempdir().unwrap();
    let mut history = crate::support::history::History::new();
    let steps = "steps:\n  - { name: mark, run: [touch, stepped] }\n";
    let template_dir = custom_template(tmp.path(), "{{ name }}.txt", steps);
    for rel in ["template.yaml", "files/a.txt.tera"] {
        history.write(
            rel,
            &std::fs::read_to_string(template_dir.join(rel)).unwrap(),
        );
    }
    let commit = history.commit("template v1");
    history.tag("v1");
    history.write("files/a.txt.tera", "changed after v1\n");
    history.commit("template v2");
    let url = format!("file://{}@v1", history.path().display());
    let proto = ledger_proto();
    let run = |extra: &[&str], dir: &str| {
        trellis()
            .current_dir(tmp.path())
            .env("TRELLIS_CACHE_DIR", tmp.path().join(".cache"))
            .args([
                "new",
                "service",
                "ledger",
                "--template",
                &url,
                "--set",
                "owner=ops",
            ])
            .args(["--proto", proto.to_str().unwrap(), "--dir", dir])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&[], "untrusted");
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("untrusted/ledger.txt")).unwrap(),
        "ledger is owned by ops\n",
        "the v1 revision is used"
    );
    assert!(
        !tmp.path().join("untrusted/stepped").exists(),
        "steps need --trust"
    );
    assert!(
        stdout_of(&out).contains("touch stepped"),
        "the step is printed"
    );
    let state =
        std::fs::read_to_string(tmp.path().join("untrusted/.trellis/scaffold.json")).unwrap();
    assert!(
        state.contains(&commit.to_string()),
        "the commit is recorded: {state}"
    );

    let out = run(&["--trust"], "trusted");
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(tmp.path().join("trusted/stepped").exists());
}

/// A post-generation step that hangs (a proxy that never answers) is
/// stopped at `--step-timeout`, reported as failed with the command to run
/// again, and the steps after it are not run.
#[test]
fn a_hanging_step_is_stopped_at_the_step_timeout() {
    let tmp = tempfile::tempdir().unwrap();
    let steps = "steps:\n  - { name: hang, run: [sleep, \"30\"] }\n  - { name: mark, run: [touch, stepped] }\n";
    let template = custom_template(tmp.path(), "{{ name }}.txt", steps);
    let proto = ledger_proto();
    let started = std::time::Instant::now();
    let out = trellis()
        .current_dir(tmp.path())
        .env("TRELLIS_CACHE_DIR", tmp.path().join(".cache"))
        .args(["new", "service", "ledger", "--template"])
        .arg(&template)
        .args(["--set", "owner=ops", "--proto"])
        .arg(&proto)
        .args(["--trust", "--step-timeout", "1"])
        .output()
        .unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let all = format!("{}{}", stdout_of(&out), stderr_of(&out));
    assert!(
        all.contains("did not finish in 1 s (--step-timeout)"),
        "{all}"
    );
    assert!(all.contains("sleep 30"), "the command to run again: {all}");
    assert!(tmp.path().join("ledger/ledger.txt").exists());
    assert!(!tmp.path().join("ledger/stepped").exists());
}

#[test]
fn unknown_template_names_suggest_the_built_in_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let out = scaffold(tmp.path(), "payment")
        .template("go-grpc-servce")
        .output();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("did you mean `go-grpc-service`"));
}

#[test]
fn templates_list_shows_the_built_in_templates() {
    let out = trellis().args(["templates", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = stdout_of(&out);
    assert!(stdout.contains("go-grpc-service"), "{stdout}");
    assert!(stdout.contains("--set docker=<Bool>"), "{stdout}");
}

const TWO_MORE_RPCS: &str = "  rpc Reconcile(stream ReconcileRequest) returns (stream ReconcileRequest.Result);\n  rpc CloseAccount(CloseAccountRequest) returns (CloseAccountResponse);\n  rpc StreamAudit(WatchEntriesRequest) returns (stream Entry);\n";

#[test]
fn sync_adds_stubs_keeps_edits_and_is_idempotent() {
    let tmp = tempfile::tempdir().unwrap();
    let root = scaffold(tmp.path(), "ledger").ledger().create();
    // Right after `new`, sync has nothing to do.
    let out = sync(&root, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(
        stdout_of(&out).contains("no changes"),
        "{}",
        stdout_of(&out)
    );

    let edited = root.join("internal/handlers/get_balance.go");
    let mut text = std::fs::read_to_string(&edited).unwrap();
    text.push_str("\n// Balances come from the ledger table.\n");
    std::fs::write(&edited, &text).unwrap();
    let proto = root.join("api/shop/ledger/v1/ledger.proto");
    let contract = std::fs::read_to_string(&proto)
        .unwrap()
        .replace(
            "  rpc Reconcile(stream ReconcileRequest) returns (stream ReconcileRequest.Result);\n",
            TWO_MORE_RPCS,
        )
        .replace(
            "message Entry {",
            "message CloseAccountRequest {\n  string account_id = 1;\n}\n\nmessage CloseAccountResponse {}\n\nmessage Entry {",
        );
    std::fs::write(&proto, contract).unwrap();

    let out = sync(&root, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let stdout = stdout_of(&out);
    for created in [
        "close_account.go",
        "close_account_test.go",
        "stream_audit.go",
        "stream_audit_test.go",
    ] {
        assert!(
            root.join("internal/handlers").join(created).is_file(),
            "{created}: {stdout}"
        );
    }
    assert!(stdout.contains("4 create"), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(&edited).unwrap(),
        text,
        "the edit is intact"
    );
    assert!(
        std::fs::read_to_string(root.join("internal/handlers/stream_audit.go"))
            .unwrap()
            .contains("StreamAudit(req *ledgerv1.WatchEntriesRequest, stream grpc.ServerStreamingServer[ledgerv1.Entry]) error")
    );

    let before = snapshot(&root);
    let out = sync(&root, &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout_of(&out).contains("no changes"),
        "{}",
        stdout_of(&out)
    );
    assert_eq!(snapshot(&root), before, "the second sync changes nothing");
}

#[test]
fn sync_outside_a_scaffolded_service_is_an_input_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = sync(tmp.path(), &[]);
    refused(&out, "trellis new");
}

#[test]
fn the_rust_template_renders_every_streaming_kind() {
    let tmp = tempfile::tempdir().unwrap();
    let out = scaffold(tmp.path(), "ledger").rust().ledger().output();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let root = tmp.path().join("ledger");
    let generated = std::fs::read_to_string(root.join("src/handlers/generated.rs")).unwrap();
    assert!(generated.contains("type ReconcileStream = BoxStream<pb::reconcile_request::Result>;"));
    assert!(generated.contains("request: Request<Streaming<pb::Entry>>"));
    assert!(
        generated
            .contains("async fn ping(&self, request: Request<()>) -> Result<Response<()>, Status>")
    );
    assert!(generated.contains("self.audit_service_get_balance(request).await"));
    let build = std::fs::read_to_string(root.join("build.rs")).unwrap();
    assert!(build.contains("api/shop/ledger/v1/ledger.proto"));
    for rpc in [
        "ping",
        "get_balance",
        "watch_entries",
        "import_entries",
        "reconcile",
        "audit_service_get_balance",
    ] {
        assert!(
            root.join(format!("src/handlers/{rpc}.rs")).is_file(),
            "{rpc}"
        );
    }
    assert!(stdout_of(&out).contains("cargo generate-lockfile"));
}

#[test]
fn sync_on_the_rust_template_adds_a_module_and_keeps_edits() {
    let tmp = tempfile::tempdir().unwrap();
    let root = scaffold(tmp.path(), "ledger").rust().ledger().create();
    let edited = root.join("src/handlers/ping.rs");
    let mut text = std::fs::read_to_string(&edited).unwrap();
    text.push_str("// reviewed\n");
    std::fs::write(&edited, &text).unwrap();
    let proto = root.join("api/shop/ledger/v1/ledger.proto");
    let contract = std::fs::read_to_string(&proto).unwrap().replace(
        "  rpc Ping(google.protobuf.Empty) returns (google.protobuf.Empty);\n",
        "  rpc Ping(google.protobuf.Empty) returns (google.protobuf.Empty);\n  rpc Freeze(GetBalanceRequest) returns (stream Entry);\n",
    );
    std::fs::write(&proto, contract).unwrap();
    let out = sync(&root, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let actions: Vec<(String, String)> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        actions.contains(&("src/handlers/freeze.rs".into(), "create".into())),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("src/handlers/generated.rs".into(), "regenerate".into())),
        "{actions:?}"
    );
    let generated = std::fs::read_to_string(root.join("src/handlers/generated.rs")).unwrap();
    assert!(generated.contains("mod freeze;"));
    assert!(generated.contains("type FreezeStream = BoxStream<pb::Entry>;"));
    assert_eq!(std::fs::read_to_string(&edited).unwrap(), text);
    let before = snapshot(&root);
    let out = sync(&root, &["--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["files"].as_array().unwrap().len(), 0, "{report}");
    assert_eq!(snapshot(&root), before);
}

#[test]
fn credentials_in_a_git_template_url_are_not_echoed() {
    let tmp = tempfile::tempdir().unwrap();
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://alice:s3cret-token@127.0.0.1:{port}/templates.git@v1");
    let out = scaffold(tmp.path(), "payment").template(&url).output();
    assert_eq!(out.status.code(), Some(2));
    let all = format!("{}{}", stdout_of(&out), stderr_of(&out));
    assert!(all.contains("http://***@127.0.0.1"), "{all}");
    assert!(!all.contains("s3cret") && !all.contains("alice"), "{all}");
}
