//! Contracts shared in the repository (#19): `new --proto` on a file of the
//! repository's api root (a buf.yaml directory inside the go.work or git
//! work tree of the service) leaves it there, generates the api root once
//! into one Go module, and sync, upgrade and `new client` read it through
//! the api root. Generation is not run here (--no-generate); CI builds,
//! vets and tests two such services with the real toolchain
//! (.ci/scaffold.sh).

use crate::scaffold::{new_service, snapshot};
use crate::support::{stderr_of, stdout_of, trellis, write_tree};
use std::path::Path;

const MONEY: &str = "syntax = \"proto3\";\n\npackage acme.common.v1;\n\n\
// An amount in one currency.\nmessage Money {\n  string currency_code = 1;\n  int64 units = 2;\n}\n";

const ORDER: &str = "syntax = \"proto3\";\n\npackage acme.order.v1;\n\n\
import \"acme/common/v1/money.proto\";\n\n\
service OrderService {\n  rpc GetOrder(GetOrderRequest) returns (GetOrderResponse);\n}\n\n\
message GetOrderRequest {\n  string id = 1;\n}\n\n\
message GetOrderResponse {\n  string id = 1;\n  acme.common.v1.Money total = 2;\n}\n";

const PAYMENT: &str = "syntax = \"proto3\";\n\npackage acme.payment.v1;\n\n\
import \"acme/common/v1/money.proto\";\n\n\
service PaymentService {\n  rpc Charge(ChargeRequest) returns (ChargeResponse);\n\
  rpc GetCharge(GetChargeRequest) returns (GetChargeResponse) {\n    option idempotency_level = NO_SIDE_EFFECTS;\n  }\n}\n\n\
message ChargeRequest {\n  acme.common.v1.Money amount = 1;\n}\n\n\
message ChargeResponse {\n  string id = 1;\n}\n\n\
message GetChargeRequest {\n  string id = 1;\n}\n\n\
message GetChargeResponse {\n  acme.common.v1.Money amount = 1;\n}\n";

/// A go.work monorepo with an api root (api/buf.yaml) of three contracts,
/// two of which import the third.
fn monorepo(root: &Path) {
    write_tree(
        root,
        &[
            ("go.work", "go 1.26.0\n"),
            ("api/buf.yaml", "version: v2\nmodules:\n  - path: .\n"),
            ("api/acme/common/v1/money.proto", MONEY),
            ("api/acme/order/v1/order.proto", ORDER),
            ("api/acme/payment/v1/payment.proto", PAYMENT),
        ],
    );
}

fn new_order(root: &Path) -> std::process::Output {
    new_service(
        root,
        &[
            "order",
            "--module",
            "example.com/shop/order",
            "--proto",
            "api/acme/order/v1/order.proto",
        ],
    )
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn state(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&read(&dir.join(".trellis/scaffold.json"))).unwrap()
}

fn run(cwd: &Path, args: &[&str]) -> std::process::Output {
    trellis()
        .current_dir(cwd)
        .env("TRELLIS_CACHE_DIR", cwd.join(".cache"))
        .args(args)
        .arg("--no-generate")
        .output()
        .unwrap()
}

#[test]
fn a_contract_in_the_api_root_is_not_copied_and_its_generation_is_the_api_roots() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    monorepo(root);
    let out = new_order(root);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let order = root.join("order");

    // No copy of the contract, no buf module of its own, no validate.proto copy.
    for absent in ["api", "buf.yaml", "third_party", "tools/protodeps"] {
        assert!(!order.join(absent).exists(), "{absent} was written");
    }
    // The service's buf.gen.yaml generates only its own OpenAPI document.
    let own_gen = read(&order.join("buf.gen.yaml"));
    assert!(
        own_gen.contains(
            "  - directory: ../api\n    paths:\n      - ../api/acme/order/v1/order.proto\n"
        ),
        "{own_gen}"
    );
    assert!(
        own_gen.contains("protoc-gen-connect-openapi") && !own_gen.contains("protoc-gen-go\n"),
        "{own_gen}"
    );

    // The api root's generation, written because it was absent: one module.
    let api_gen = read(&root.join("api/buf.gen.yaml"));
    assert!(
        api_gen.contains("value: example.com/shop/api/gen/go\n"),
        "{api_gen}"
    );
    assert!(api_gen.contains("opt: paths=source_relative"), "{api_gen}");
    let module = read(&root.join("api/gen/go/go.mod"));
    assert!(
        module.contains("module example.com/shop/api/gen/go\n"),
        "{module}"
    );

    // The service requires it; the workspace uses both.
    let gomod = read(&order.join("go.mod"));
    assert!(gomod.contains(
        "require example.com/shop/api/gen/go v0.0.0-00010101000000-000000000000\n\nreplace example.com/shop/api/gen/go => ../api/gen/go\n"
    ), "{gomod}");
    assert_eq!(
        read(&root.join("go.work")),
        "go 1.26.0\n\nuse ./order\nuse ./api/gen/go\n"
    );

    let servers = read(&order.join("internal/handlers/servers_gen.go"));
    assert!(
        servers.contains("orderv1 \"example.com/shop/api/gen/go/acme/order/v1\""),
        "{servers}"
    );
    assert!(servers.contains("Code generated by trellis from ../api/acme/order/v1/order.proto."));

    let recorded = state(&order);
    assert_eq!(recorded["format"], 2);
    let identity = &recorded["identity"];
    assert_eq!(identity["proto_file"], "../api/acme/order/v1/order.proto");
    assert_eq!(
        identity["api_root"],
        serde_json::json!({
            "dir": "../api",
            "file": "acme/order/v1/order.proto",
            "go_package": "example.com/shop/api/gen/go/acme/order/v1",
            "go_prefix": "example.com/shop/api/gen/go",
            "go_module": "example.com/shop/api/gen/go",
            "go_module_dir": "../api/gen/go",
        })
    );
    assert!(
        recorded["files"]
            .get("../api/acme/order/v1/order.proto")
            .is_none()
    );

    // Clean paths, and the api root's generation first among the next steps.
    let stdout = stdout_of(&out);
    let api = std::fs::canonicalize(root.join("api")).unwrap();
    assert!(
        stdout.contains(&format!(
            "{}/go.work  (use ./order, ./api/gen/go)",
            std::fs::canonicalize(root).unwrap().display()
        )),
        "{stdout}"
    );
    let next = stdout.split("next:\n").nth(1).unwrap_or_default();
    assert!(
        next.trim_start()
            .starts_with(&format!("(cd {} && buf generate)", api.display())),
        "{stdout}"
    );
    assert!(!next.contains("protodeps"), "{stdout}");
}

#[test]
fn a_second_service_reuses_the_api_roots_generation() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    monorepo(root);
    assert_eq!(new_order(root).status.code(), Some(0));
    let api_gen = read(&root.join("api/buf.gen.yaml"));
    let out = new_service(
        root,
        &[
            "payment",
            "--module",
            "example.com/shop/payment",
            "--proto",
            "api/acme/payment/v1/payment.proto",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(read(&root.join("api/buf.gen.yaml")), api_gen);
    assert!(
        !stdout_of(&out).contains("api/buf.gen.yaml"),
        "{}",
        stdout_of(&out)
    );
    assert_eq!(
        read(&root.join("go.work")),
        "go 1.26.0\n\nuse ./order\nuse ./api/gen/go\n\nuse ./payment\n"
    );
    assert_eq!(
        state(&root.join("payment"))["identity"]["api_root"]["go_package"],
        "example.com/shop/api/gen/go/acme/payment/v1"
    );
}

#[test]
fn the_api_roots_own_buf_gen_yaml_and_go_mod_are_followed_not_rewritten() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    monorepo(root);
    let own = "version: v2\nmanaged:\n  enabled: true\n  override:\n    - file_option: go_package_prefix\n      value: example.com/platform/protos/go\n\
               plugins:\n  - remote: buf.build/protocolbuffers/go\n    out: go\n    opt: paths=source_relative\n";
    write_tree(
        root,
        &[
            ("api/buf.gen.yaml", own),
            (
                "api/go/go.mod",
                "module example.com/platform/protos/go\n\ngo 1.26.0\n",
            ),
        ],
    );
    let out = new_order(root);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(read(&root.join("api/buf.gen.yaml")), own);
    let recorded = state(&root.join("order"));
    assert_eq!(
        recorded["identity"]["api_root"]["go_package"],
        "example.com/platform/protos/go/acme/order/v1"
    );
    assert_eq!(
        recorded["identity"]["api_root"]["go_module_dir"],
        "../api/go"
    );
    assert!(
        read(&root.join("order/go.mod"))
            .contains("replace example.com/platform/protos/go => ../api/go\n")
    );

    // A prefix that is not where protoc-gen-go writes is refused, nothing written.
    std::fs::remove_dir_all(root.join("order")).unwrap();
    write_tree(
        root,
        &[(
            "api/buf.gen.yaml",
            &own.replace("protos/go\n", "protos/gen\n"),
        )],
    );
    let before = snapshot(root);
    let out = new_order(root);
    assert_eq!(out.status.code(), Some(2), "{}", stdout_of(&out));
    let err = stderr_of(&out);
    assert!(err.contains("api/buf.gen.yaml: go_package_prefix `example.com/platform/protos/gen` is not where protoc-gen-go writes"), "{err}");
    assert!(
        err.contains("set the go_package_prefix to `example.com/platform/protos/go`"),
        "{err}"
    );
    assert_eq!(snapshot(root), before);

    // One trellis cannot read is refused with what it needs.
    write_tree(
        root,
        &[(
            "api/buf.gen.yaml",
            "version: v2\nplugins:\n  - local: protoc-gen-go\n    out: go\n",
        )],
    );
    let out = new_order(root);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains(
            "trellis cannot tell the Go package of the api root's contracts: it has no managed mode"
        ),
        "{err}"
    );
}

#[test]
fn sync_adds_the_stub_when_the_shared_contract_gains_an_rpc() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    monorepo(root);
    assert_eq!(new_order(root).status.code(), Some(0));
    let order = root.join("order");
    let proto = root.join("api/acme/order/v1/order.proto");
    let grown = read(&proto).replace(
        "  rpc GetOrder(",
        "  rpc CancelOrder(GetOrderRequest) returns (acme.common.v1.Money);\n  rpc GetOrder(",
    );
    std::fs::write(&proto, grown).unwrap();
    let out = run(&order, &["sync"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    // It returns a message of the imported contract: its package in the
    // shared module, grouped with the contract's own.
    let handler = read(&order.join("internal/handlers/cancel_order.go"));
    assert!(handler.contains("\tcommonv1 \"example.com/shop/api/gen/go/acme/common/v1\"\n\torderv1 \"example.com/shop/api/gen/go/acme/order/v1\"\n"), "{handler}");
    assert!(
        handler.contains("req *orderv1.GetOrderRequest) (*commonv1.Money, error)"),
        "{handler}"
    );
    assert!(
        order
            .join("internal/handlers/cancel_order_test.go")
            .is_file()
    );
    assert!(!order.join("api").exists());
    let recorded = state(&order);
    assert!(
        recorded["rpcs"]
            .get("acme.order.v1.OrderService/CancelOrder")
            .is_some()
    );
    assert_eq!(recorded["format"], 2);
    // The api root is generated again first.
    assert!(
        stdout_of(&out).contains("/api && buf generate)"),
        "{}",
        stdout_of(&out)
    );
    let out = run(&order, &["sync"]);
    assert!(
        stdout_of(&out).contains("no changes"),
        "{}",
        stdout_of(&out)
    );
}

#[test]
fn a_client_of_a_shared_contract_uses_the_shared_package() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    monorepo(root);
    assert_eq!(new_order(root).status.code(), Some(0));
    let out = new_service(
        root,
        &[
            "payment",
            "--module",
            "example.com/shop/payment",
            "--proto",
            "api/acme/payment/v1/payment.proto",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let order = root.join("order");
    let gomod = read(&order.join("go.mod"));
    let work = read(&root.join("go.work"));
    let out = run(&order, &["new", "client", "--service", "payment"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let generated = read(&order.join("internal/clients/payment/client_gen.go"));
    assert!(
        generated.contains("paymentv1 \"example.com/shop/api/gen/go/acme/payment/v1\""),
        "{generated}"
    );
    assert!(
        generated.contains("payment's contract (../api/acme/payment/v1/payment.proto)"),
        "{generated}"
    );
    assert!(generated.contains("{\"acme.payment.v1.PaymentService\", \"GetCharge\"},"));
    // order already requires the shared module; payment's own is not needed.
    assert_eq!(read(&order.join("go.mod")), gomod);
    assert_eq!(read(&root.join("go.work")), work);
    assert_eq!(state(&order)["clients"]["payment"]["dir"], "../payment");

    // sync follows payment's contract through the api root.
    let proto = root.join("api/acme/payment/v1/payment.proto");
    std::fs::write(
        &proto,
        read(&proto).replace(
            "rpc Charge(",
            "rpc Refund(GetChargeRequest) returns (ChargeResponse) {\n    option idempotency_level = IDEMPOTENT;\n  }\n  rpc Charge(",
        ),
    )
    .unwrap();
    let out = run(&order, &["sync"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let generated = read(&order.join("internal/clients/payment/client_gen.go"));
    assert!(
        generated.contains("{\"acme.payment.v1.PaymentService\", \"Refund\"},"),
        "{generated}"
    );
}

#[test]
fn a_service_with_its_own_contract_calling_a_shared_one_requires_the_shared_module() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    monorepo(root);
    assert_eq!(new_order(root).status.code(), Some(0));
    // The starter: its own api/, joined to the workspace by hand.
    let out = new_service(root, &["billing", "--module", "example.com/shop/billing"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let work = read(&root.join("go.work"));
    std::fs::write(root.join("go.work"), format!("{work}use ./billing\n")).unwrap();
    let billing = root.join("billing");
    let out = run(&billing, &["new", "client", "--service", "order"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let gomod = read(&billing.join("go.mod"));
    assert!(
        gomod.contains("replace example.com/shop/api/gen/go => ../api/gen/go\n"),
        "{gomod}"
    );
    assert!(!gomod.contains("example.com/shop/order"), "{gomod}");
    let generated = read(&billing.join("internal/clients/order/client_gen.go"));
    assert!(
        generated.contains("orderv1 \"example.com/shop/api/gen/go/acme/order/v1\""),
        "{generated}"
    );
}

#[test]
fn a_contract_importing_an_api_root_outside_the_repository_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("protos");
    monorepo(&outside);
    std::fs::remove_file(outside.join("go.work")).unwrap();
    let repo = tmp.path().join("repo");
    write_tree(&repo, &[("go.work", "go 1.26.0\n")]);
    let proto = outside.join("api/acme/order/v1/order.proto");
    let out = new_service(&repo, &["order", "--proto", proto.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout_of(&out));
    let err = stderr_of(&out);
    assert!(
        err.contains("imports `acme/common/v1/money.proto` from the api root"),
        "{err}"
    );
    assert!(err.contains("which is outside the repository of"), "{err}");
    assert!(err.contains("order.proto"), "{err}");
    assert!(
        err.contains("generate the service inside the repository that holds"),
        "{err}"
    );
    assert!(!repo.join("order").exists());
    assert!(!outside.join("api/buf.gen.yaml").exists());
}

#[test]
fn an_import_neither_in_the_api_root_nor_provided_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    monorepo(root);
    write_tree(
        root,
        &[
            (
                "vendor-protos/acme/audit/v1/audit.proto",
                "syntax = \"proto3\";\n\npackage acme.audit.v1;\n\nmessage Trail {\n  string who = 1;\n}\n",
            ),
            (
                "api/acme/order/v1/order.proto",
                &ORDER
                    .replace("import \"acme/common/v1/money.proto\";", "import \"acme/common/v1/money.proto\";\nimport \"acme/audit/v1/audit.proto\";")
                    .replace("  string id = 1;\n  acme.common", "  string id = 1;\n  acme.audit.v1.Trail trail = 3;\n  acme.common"),
            ),
        ],
    );
    let out = new_service(
        root,
        &[
            "order",
            "--proto",
            "api/acme/order/v1/order.proto",
            "--proto-path",
            "vendor-protos",
            "--proto-path",
            "api",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout_of(&out));
    let err = stderr_of(&out);
    assert!(
        err.contains("imports `acme/audit/v1/audit.proto`, which is neither in the api root"),
        "{err}"
    );
    assert!(err.contains("order.proto"), "{err}");
    assert!(
        err.contains("put `acme/audit/v1/audit.proto` under a module of"),
        "{err}"
    );
    assert!(!root.join("order").exists());
}

#[test]
fn a_dry_run_writes_nothing_outside_the_service_either() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    monorepo(root);
    let before = snapshot(root);
    let out = new_service(
        root,
        &[
            "order",
            "--proto",
            "api/acme/order/v1/order.proto",
            "--dry-run",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(
        stdout_of(&out).contains("api/buf.gen.yaml  (the api root's Go generation, absent so far)"),
        "{}",
        stdout_of(&out)
    );
    assert_eq!(snapshot(root), before);
}

fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", stderr_of(&out));
}

#[test]
fn upgrade_renders_from_the_api_root_and_keeps_the_go_mod_wiring() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("shop");
    monorepo(&root);
    // A git template: the built-in Go template at v1, a changed file at v2.
    let template = tmp.path().join("go-template");
    crate::support::copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/go-grpc-service"),
        &template,
    );
    git(&template, &["init", "-q", "-b", "main"]);
    git(&template, &["add", "-A"]);
    git(&template, &["commit", "-q", "-m", "v1"]);
    git(&template, &["tag", "v1"]);
    let source = template.join("files/internal/config/config.go.tera");
    std::fs::write(
        &source,
        read(&source).replace(
            "// JSON file, then ",
            "// JSON file (see config.example.json), then ",
        ),
    )
    .unwrap();
    git(&template, &["commit", "-q", "-am", "v2"]);
    git(&template, &["tag", "v2"]);
    let url = format!("file://{}@v1", template.display());
    let out = new_service(
        &root,
        &[
            "order",
            "--module",
            "example.com/shop/order",
            "--proto",
            "api/acme/order/v1/order.proto",
            "--template",
            &url,
            "--trust",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let order = root.join("order");
    let config = order.join("internal/config/config.go");
    std::fs::write(
        &config,
        format!("{}\n// Orders read it once.\n", read(&config)),
    )
    .unwrap();

    let out = run(&order, &["upgrade", "--to", "v2", "--trust"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout_of(&out),
        stderr_of(&out)
    );
    let merged = read(&config);
    assert!(
        merged.contains("(see config.example.json)") && merged.contains("Orders read it once."),
        "{merged}"
    );
    // go.mod, untouched since new, still requires the shared module.
    assert!(
        read(&order.join("go.mod"))
            .contains("replace example.com/shop/api/gen/go => ../api/gen/go\n")
    );
    assert!(!order.join("api").exists());
    let recorded = state(&order);
    assert_eq!(recorded["template"]["origin"]["rev"], "v2");
    assert_eq!(recorded["format"], 2);
}

#[test]
fn a_rust_service_from_the_api_root_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    monorepo(root);
    let out = new_service(
        root,
        &[
            "order",
            "--template",
            "rust-tonic-service",
            "--proto",
            "api/acme/order/v1/order.proto",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout_of(&out));
    let err = stderr_of(&out);
    assert!(
        err.contains("api/acme/order/v1/order.proto is in the api root"),
        "{err}"
    );
    assert!(
        err.contains("template `rust-tonic-service` is not a Go template"),
        "{err}"
    );
    assert!(!root.join("order").exists() && !root.join("api/buf.gen.yaml").exists());
}
