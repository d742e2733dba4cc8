//! `trellis new client --service OTHER` between services of one repository:
//! the files, who owns them, the go.mod/go.work wiring and the refusals.
//! Code generation and `go mod tidy` are not run here (--no-generate); CI
//! builds and tests the generated client with the real toolchain
//! (.ci/scaffold.sh).

use crate::support::scaffolded::{new_client, scaffold, sync, upgrade};
use crate::support::{refused, snapshot, stderr_of, stdout_of, trellis, write_tree};
use std::path::Path;

/// payment (the starter: Get and List marked NO_SIDE_EFFECTS) and ledger
/// (no idempotent RPC, two services), side by side under `root`.
fn two_services(root: &Path) {
    scaffold(root, "payment")
        .module("example.com/shop/payment")
        .create();
    scaffold(root, "ledger")
        .module("example.com/shop/ledger")
        .ledger()
        .create();
}

fn state(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join(".trellis/scaffold.json")).unwrap())
        .unwrap()
}

#[test]
fn a_client_is_written_by_name_and_wired_into_go_mod() {
    let tmp = tempfile::tempdir().unwrap();
    two_services(tmp.path());
    let ledger = tmp.path().join("ledger");
    // Run from a directory inside the calling service.
    let out = new_client(&ledger.join("internal"), &["--service", "payment"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let dir = ledger.join("internal/clients/payment");
    let generated = std::fs::read_to_string(dir.join("client_gen.go")).unwrap();
    assert!(generated.contains("paymentv1 \"example.com/shop/payment/gen/go/payment/v1\""));
    assert!(generated.contains("PaymentService paymentv1.PaymentServiceClient"));
    // Both starter RPCs are NO_SIDE_EFFECTS: both are retried.
    assert!(generated.contains("{\"payment.v1.PaymentService\", \"GetPayment\"},"));
    assert!(generated.contains("{\"payment.v1.PaymentService\", \"ListPayments\"},"));
    let client = std::fs::read_to_string(dir.join("client.go")).unwrap();
    assert!(client.contains("otelgrpc.NewClientHandler()"));
    assert!(client.contains("RetryableStatusCodes: []string{\"UNAVAILABLE\"}"));
    let test = std::fs::read_to_string(dir.join("client_test.go")).unwrap();
    assert!(test.contains("func TestAnIdempotentCallIsRetriedWhenUnavailable"));
    assert!(test.contains("\"/payment.v1.PaymentService/GetPayment\""));
    // Nothing in the starter has side effects: no once-only test to write.
    assert!(!test.contains("TestANonIdempotentCallIsNotRetried"));

    let gomod = std::fs::read_to_string(ledger.join("go.mod")).unwrap();
    assert!(gomod.contains(
        "require example.com/shop/payment v0.0.0-00010101000000-000000000000\n\nreplace example.com/shop/payment => ../payment\n"
    ));

    let recorded = state(&ledger);
    assert_eq!(recorded["clients"]["payment"]["dir"], "../payment");
    let files = &recorded["files"];
    assert_eq!(files["internal/clients/payment/client.go"]["owner"], "user");
    assert_eq!(
        files["internal/clients/payment/client_gen.go"]["owner"],
        "trellis"
    );
    assert_eq!(
        files["internal/clients/payment/client_test.go"]["owner"],
        "trellis"
    );
    assert!(
        stdout_of(&out).contains("go mod tidy"),
        "{}",
        stdout_of(&out)
    );

    // Again: nothing changes, go.mod gets no second require.
    let before = snapshot(&ledger);
    let out = new_client(&ledger, &["--service", "payment"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(snapshot(&ledger), before);
}

#[test]
fn a_client_of_a_contract_without_idempotent_rpcs_retries_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    two_services(tmp.path());
    let payment = tmp.path().join("payment");
    let out = new_client(&payment, &["--service", "../ledger"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let dir = payment.join("internal/clients/ledger");
    let generated = std::fs::read_to_string(dir.join("client_gen.go")).unwrap();
    assert!(generated.contains("var idempotentMethods = [][2]string{}"));
    // Two services of one contract, lined up as gofmt does.
    assert!(generated.contains("\tLedgerService ledgerv1.LedgerServiceClient\n\tAuditService  ledgerv1.AuditServiceClient\n"));
    let test = std::fs::read_to_string(dir.join("client_test.go")).unwrap();
    assert!(test.contains("func TestANonIdempotentCallIsNotRetried"));
    assert!(!test.contains("TestAnIdempotentCallIsRetriedWhenUnavailable"));
    // The first unary RPC takes google.protobuf.Empty.
    assert!(test.contains("client.LedgerService.Ping(context.Background(), &emptypb.Empty{})"));
}

#[test]
fn sync_follows_the_other_contract_and_keeps_edits_to_client_go() {
    let tmp = tempfile::tempdir().unwrap();
    two_services(tmp.path());
    let ledger = tmp.path().join("ledger");
    let out = new_client(&ledger, &["--service", "payment"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let client_go = ledger.join("internal/clients/payment/client.go");
    let edited = std::fs::read_to_string(&client_go).unwrap() + "\n// Payments answer within 2s.\n";
    std::fs::write(&client_go, &edited).unwrap();
    // payment's contract gains an idempotent RPC.
    let proto = tmp.path().join("payment/api/payment/v1/payment.proto");
    let text = std::fs::read_to_string(&proto).unwrap().replace(
        "service PaymentService {\n",
        "service PaymentService {\n  rpc CountPayments(ListPaymentsRequest) returns (ListPaymentsResponse) {\n    option idempotency_level = IDEMPOTENT;\n  }\n",
    );
    std::fs::write(&proto, text).unwrap();
    let out = sync(&ledger, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(
        stdout_of(&out).contains("regenerate") && stdout_of(&out).contains("client_gen.go"),
        "{}",
        stdout_of(&out)
    );
    let generated =
        std::fs::read_to_string(ledger.join("internal/clients/payment/client_gen.go")).unwrap();
    assert!(generated.contains("{\"payment.v1.PaymentService\", \"CountPayments\"},"));
    assert_eq!(std::fs::read_to_string(&client_go).unwrap(), edited);

    // An edited client_gen.go is not rewritten: sync stops and says why.
    let gen_path = ledger.join("internal/clients/payment/client_gen.go");
    std::fs::write(&gen_path, generated.clone() + "// mine\n").unwrap();
    let text = std::fs::read_to_string(&proto)
        .unwrap()
        .replace("IDEMPOTENT", "NO_SIDE_EFFECTS")
        .replace("rpc CountPayments", "rpc TallyPayments");
    std::fs::write(&proto, text).unwrap();
    let out = sync(&ledger, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout_of(&out));
    assert!(stdout_of(&out).contains("blocked"), "{}", stdout_of(&out));
    assert_eq!(
        std::fs::read_to_string(&gen_path).unwrap(),
        generated + "// mine\n"
    );
}

#[test]
fn a_go_work_that_uses_the_caller_gets_a_use_of_the_other_service() {
    let tmp = tempfile::tempdir().unwrap();
    let services = tmp.path().join("services");
    std::fs::create_dir(&services).unwrap();
    two_services(&services);
    std::fs::write(
        tmp.path().join("go.work"),
        "go 1.26.0\n\nuse (\n\t./services/ledger\n)\n",
    )
    .unwrap();
    let out = new_client(&services.join("ledger"), &["--service", "payment"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("go.work")).unwrap(),
        "go 1.26.0\n\nuse (\n\t./services/ledger\n)\n\nuse ./services/payment\n"
    );
    // The go.work line names the file by a clean path, not ledger/../../go.work.
    let root = std::fs::canonicalize(tmp.path()).unwrap();
    let stdout = stdout_of(&out);
    assert!(
        stdout.contains(&format!(
            "overwrite  {}/go.work  (use ./services/payment)\n",
            root.display()
        )),
        "{stdout}"
    );
}

#[test]
fn a_go_work_without_the_caller_is_refused_and_nothing_written() {
    let tmp = tempfile::tempdir().unwrap();
    two_services(tmp.path());
    std::fs::write(tmp.path().join("go.work"), "go 1.26.0\n\nuse ./payment\n").unwrap();
    let before = snapshot(tmp.path());
    let out = new_client(&tmp.path().join("ledger"), &["--service", "payment"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout_of(&out));
    let err = stderr_of(&out);
    assert!(err.contains("go.work does not use"), "{err}");
    assert!(err.contains("go work use ledger"), "{err}");
    assert_eq!(snapshot(tmp.path()), before);
}

#[test]
fn a_published_requirement_of_the_other_module_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    two_services(tmp.path());
    let gomod = tmp.path().join("ledger/go.mod");
    let text =
        std::fs::read_to_string(&gomod).unwrap() + "\nrequire example.com/shop/payment v1.4.0\n";
    std::fs::write(&gomod, text).unwrap();
    let before = snapshot(tmp.path());
    let out = new_client(&tmp.path().join("ledger"), &["--service", "payment"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout_of(&out));
    let err = stderr_of(&out);
    assert!(
        err.contains("requires example.com/shop/payment without a replace"),
        "{err}"
    );
    assert!(err.contains("go.mod:"), "{err}");
    assert_eq!(snapshot(tmp.path()), before);
}

#[test]
fn unknown_foreign_and_self_services_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    two_services(tmp.path());
    write_tree(
        &tmp.path().join("billing"),
        &[("go.mod", "module example.com/shop/billing\n\ngo 1.26.0\n")],
    );
    let ledger = tmp.path().join("ledger");
    let before = snapshot(tmp.path());
    let cases = [
        (
            "inventory",
            "no service named `inventory` under",
            "services trellis generated there: ledger, payment",
        ),
        (
            "billing",
            "it is not a service trellis generated",
            "billing",
        ),
        (
            "../billing",
            "it is not a service trellis generated",
            "billing",
        ),
        ("ledger", "ledger", "calls itself in process"),
        (".", "ledger", "calls itself in process"),
    ];
    for (service, first, second) in cases {
        let out = new_client(&ledger, &["--service", service]);
        assert_eq!(out.status.code(), Some(2), "{service}: {}", stdout_of(&out));
        let err = stderr_of(&out);
        assert!(
            err.contains(first) && err.contains(second),
            "{service}: {err}"
        );
    }
    // Outside any generated service.
    let out = new_client(&tmp.path().join("billing"), &["--service", "payment"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("is not inside a service trellis generated"));
    assert_eq!(snapshot(tmp.path()), before);
}

#[test]
fn a_rust_service_is_refused_on_either_side() {
    let tmp = tempfile::tempdir().unwrap();
    two_services(tmp.path());
    scaffold(tmp.path(), "stock").rust().create();
    let out = new_client(&tmp.path().join("ledger"), &["--service", "stock"]);
    refused(&out, "is not a Go service");
    let out = new_client(&tmp.path().join("stock"), &["--service", "ledger"]);
    refused(&out, "has no client part");
}

#[test]
fn a_repository_whose_service_calls_another_through_a_client_lints_clean() {
    let tmp = tempfile::tempdir().unwrap();
    two_services(tmp.path());
    std::fs::create_dir(tmp.path().join(".git")).unwrap();
    let out = new_client(&tmp.path().join("ledger"), &["--service", "payment"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    // The client imports payment's generated package: its API, not its code.
    let out = trellis()
        .args(["lint", "--no-cache", "--fail-on", "info", "-C"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout_of(&out));
    assert!(
        stdout_of(&out).contains("no findings"),
        "{}",
        stdout_of(&out)
    );
}

#[test]
fn a_service_generated_without_module_is_called_by_its_go_mod_module() {
    // Without --module the state records no `module` variable; the
    // template named the module after the service.
    let tmp = tempfile::tempdir().unwrap();
    scaffold(tmp.path(), "payment").create();
    let ledger = scaffold(tmp.path(), "ledger")
        .module("example.com/shop/ledger")
        .create();
    let out = new_client(&ledger, &["--service", "payment"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let gomod = std::fs::read_to_string(ledger.join("go.mod")).unwrap();
    assert!(gomod.contains("replace payment => ../payment\n"), "{gomod}");
    let generated =
        std::fs::read_to_string(ledger.join("internal/clients/payment/client_gen.go")).unwrap();
    assert!(
        generated.contains("paymentv1 \"payment/gen/go/payment/v1\""),
        "{generated}"
    );
}

/// An upgrade without a base (the recorded template version is not in this
/// trellis, so the old files come from nowhere) must not take the client's
/// files for template files the new version dropped: they are `new
/// client`'s, and stay as they are, recorded.
#[test]
fn an_upgrade_without_a_base_leaves_the_client_files_alone() {
    let tmp = tempfile::tempdir().unwrap();
    two_services(tmp.path());
    let ledger = tmp.path().join("ledger");
    let out = new_client(&ledger, &["--service", "payment"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let state_path = ledger.join(".trellis/scaffold.json");
    let mut recorded = state(&ledger);
    recorded["template"]["version"] = "0.9.0".into();
    std::fs::write(&state_path, serde_json::to_vec_pretty(&recorded).unwrap()).unwrap();
    let clients = ledger.join("internal/clients");
    let before = snapshot(&clients);
    assert_eq!(before.len(), 3, "{:?}", before.keys());

    let dry = upgrade(&ledger, &["--format", "json", "--dry-run"]);
    let plan: serde_json::Value = serde_json::from_slice(&dry.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout_of(&dry), stderr_of(&dry)));
    assert!(
        plan["notes"]
            .to_string()
            .contains("go-grpc-service 0.9.0 is not in this trellis"),
        "{plan}"
    );
    let touched: Vec<&str> = plan["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["path"].as_str())
        .filter(|path| path.starts_with("internal/clients/"))
        .collect();
    assert!(touched.is_empty(), "{touched:?}: {plan}");

    let out = upgrade(&ledger, &["--format", "json"]);
    // go.mod, which `new client` edited, has no base either: merged two
    // ways, it conflicts; the client's files are no part of that.
    assert_eq!(out.status.code(), Some(1), "{}", stdout_of(&out));
    assert_eq!(dry.status.code(), Some(1), "{}", stdout_of(&dry));
    assert_eq!(plan["conflicts"], serde_json::json!(["go.mod"]), "{plan}");
    assert_eq!(snapshot(&clients), before);
    let after = state(&ledger);
    assert_eq!(after["clients"], recorded["clients"]);
    for file in ["client.go", "client_gen.go", "client_test.go"] {
        let path = format!("internal/clients/payment/{file}");
        assert_eq!(after["files"][&path], recorded["files"][&path], "{path}");
    }
}
