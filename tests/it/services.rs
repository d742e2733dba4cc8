use crate::support::{fixture, services_json, stderr_of, stdout_of, trellis, write_tree};

#[test]
fn shop_lists_four_services_with_language_and_module() {
    let output = trellis()
        .args(["services", "--format", "json", "-C"])
        .arg(fixture("shop"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    let services = json["services"].as_array().unwrap();
    let summary: Vec<(String, String, String)> = services
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["language"].as_str().unwrap().to_string(),
                s["module"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "inventory-service".into(),
                "go".into(),
                "example.com/shop/services/inventory-service".into()
            ),
            (
                "order-service".into(),
                "go".into(),
                "example.com/shop/services/order-service".into()
            ),
            ("pricing".into(), "rust".into(), "pricing".into()),
            (
                "user-service".into(),
                "go".into(),
                "example.com/shop/services/user-service".into()
            ),
        ]
    );
    assert_eq!(json["anchor"], "go.mod");
    let order = &services[1];
    assert_eq!(order["contracts"][0], "api/order/v1/order.proto");
}

#[test]
fn text_table_names_every_service() {
    let output = trellis()
        .arg("services")
        .arg("-C")
        .arg(fixture("shop"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = stdout_of(&output);
    assert!(text.starts_with("SERVICE"), "{text}");
    for name in [
        "order-service",
        "user-service",
        "inventory-service",
        "pricing",
    ] {
        assert!(text.contains(name), "{name} missing from\n{text}");
    }
}

#[test]
fn a_repository_without_services_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(dir.path(), &[("README.md", "# nothing here\n")]);
    let output = trellis()
        .arg("services")
        .arg("-C")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = stderr_of(&output);
    assert!(err.contains("no services found"), "{err}");
    assert!(err.contains("help:"), "{err}");
}

#[test]
fn a_missing_directory_is_exit_2() {
    let output = trellis()
        .args(["services", "-C", "/nonexistent/trellis/repo"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("/nonexistent/trellis/repo: no such directory"));
}

#[test]
fn an_unsupported_format_is_exit_2() {
    let output = trellis()
        .args(["services", "--format", "sarif", "-C"])
        .arg(fixture("shop"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("use one of: text, json"));
}

#[test]
fn usage_errors_are_exit_2() {
    let output = trellis().arg("no-such-command").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish"] {
        let output = trellis().args(["completions", shell]).output().unwrap();
        assert!(output.status.success());
        assert!(stdout_of(&output).contains("services"), "{shell}");
    }
    let output = trellis().arg("man").output().unwrap();
    assert!(output.status.success());
    assert!(stdout_of(&output).contains(".TH trellis"));
}

const MAIN: &str = "package main\n\nfunc main() {}\n";

fn check_json(dir: &std::path::Path) -> (serde_json::Value, i32) {
    let output = trellis()
        .args(["check", "--skip", "contract", "--format", "json", "-C"])
        .arg(dir)
        .output()
        .unwrap();
    let json = serde_json::from_str(&stdout_of(&output))
        .unwrap_or_else(|e| panic!("{e}: {}", stderr_of(&output)));
    (json, output.status.code().unwrap())
}

fn rules_of(json: &serde_json::Value) -> Vec<(String, String)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A go.work names the real modules; copies of them (tutorial chapters) with
/// the same module paths are not analysed, so a service's import of its own
/// package never resolves to a copy (it was `arch-cross-service-import`).
#[test]
fn go_work_copies_are_not_services_and_never_capture_imports() {
    let dir = tempfile::tempdir().unwrap();
    let handler =
        "package handler\n\nimport \"example.com/mall/cart/internal/pkg/ids\"\n\nvar _ = ids.New\n";
    write_tree(
        dir.path(),
        &[
            (
                "go.work",
                "go 1.24\n\nuse (\n\t./app/cart\n\t./app/order\n)\n",
            ),
            (
                "app/cart/go.mod",
                "module example.com/mall/cart\n\ngo 1.24\n",
            ),
            ("app/cart/cmd/cart/main.go", MAIN),
            ("app/cart/internal/handler/h.go", handler),
            (
                "app/cart/internal/pkg/ids/ids.go",
                "package ids\n\nfunc New() {}\n",
            ),
            (
                "app/order/go.mod",
                "module example.com/mall/order\n\ngo 1.24\n",
            ),
            ("app/order/cmd/order/main.go", MAIN),
            (
                "app/cart/api/cart.proto",
                "syntax = \"proto3\";\npackage cart;\n",
            ),
            (
                "app/order/api/order.proto",
                "syntax = \"proto3\";\npackage order;\n",
            ),
            (
                "tutorial/ch01/cart/go.mod",
                "module example.com/mall/cart\n\ngo 1.24\n",
            ),
            ("tutorial/ch01/cart/cmd/cart/main.go", MAIN),
            ("tutorial/ch01/cart/internal/handler/h.go", handler),
            (
                "tutorial/ch01/cart/internal/pkg/ids/ids.go",
                "package ids\n\nfunc New() {}\n",
            ),
        ],
    );
    let (json, code) = check_json(dir.path());
    assert_eq!(rules_of(&json), Vec::<(String, String)>::new());
    assert_eq!(code, 0);

    let output = trellis()
        .args(["services", "-C"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = stdout_of(&output);
    assert!(
        text.contains("tutorial/ch01/cart/go.mod: not in the `use` list of go.work"),
        "{text}"
    );
    assert!(!text.contains("tutorial/ch01/cart  "), "{text}");
}

/// Without a go.work, copies are analysed: each resolves imports of its own
/// module path to itself, names stay stable, and the duplicate is reported.
#[test]
fn duplicate_module_paths_are_reported_and_resolve_to_their_own_copy() {
    let dir = tempfile::tempdir().unwrap();
    let handler =
        "package handler\n\nimport \"example.com/mall/cart/internal/pkg/ids\"\n\nvar _ = ids.New\n";
    write_tree(
        dir.path(),
        &[
            ("cart/go.mod", "module example.com/mall/cart\n\ngo 1.24\n"),
            ("cart/cmd/cart/main.go", MAIN),
            (
                "cart/api/cart.proto",
                "syntax = \"proto3\";\npackage cart;\n",
            ),
            (
                "examples/v1/cart/api/cart.proto",
                "syntax = \"proto3\";\npackage cart;\n",
            ),
            ("cart/internal/handler/h.go", handler),
            (
                "cart/internal/pkg/ids/ids.go",
                "package ids\n\nfunc New() {}\n",
            ),
            (
                "examples/v1/cart/go.mod",
                "module example.com/mall/cart\n\ngo 1.24\n",
            ),
            ("examples/v1/cart/cmd/cart/main.go", MAIN),
            ("examples/v1/cart/internal/handler/h.go", handler),
            (
                "examples/v1/cart/internal/pkg/ids/ids.go",
                "package ids\n\nfunc New() {}\n",
            ),
        ],
    );
    let (json, code) = check_json(dir.path());
    assert_eq!(
        rules_of(&json),
        [(
            "repo-duplicate-module".to_string(),
            "cart/go.mod".to_string()
        )]
    );
    assert_eq!(code, 0, "a warning does not fail the gate");
    let finding = &json["findings"][0];
    assert_eq!(finding["line"], 1);
    assert_eq!(finding["related"][0]["path"], "examples/v1/cart/go.mod");
    assert_eq!(
        finding["service"], "cart",
        "the shallowest copy keeps its name"
    );
    let output = trellis()
        .args(["init", "--stdout", "-C"])
        .arg(dir.path())
        .output()
        .unwrap();
    let proposal = stdout_of(&output);
    assert!(
        proposal.contains("# exclude: [\"examples/v1/cart/**\"]"),
        "{proposal}"
    );
}

/// One module, services in `app/<name>/<role>` directories: `trellis init`
/// proposes each with a stable name, contracts go to the service whose
/// directory the api tree mirrors, and the proposal adds no finding.
#[test]
fn init_proposes_services_inside_one_module() {
    let dir = tempfile::tempdir().unwrap();
    let proto = |pkg: &str| {
        format!(
            "syntax = \"proto3\";\n\npackage {pkg};\n\nservice S {{\n  rpc Get(R) returns (R);\n}}\n\nmessage R {{}}\n"
        )
    };
    write_tree(
        dir.path(),
        &[
            ("go.mod", "module example.com/beer\n\ngo 1.24\n"),
            ("app/cart/service/cmd/server/main.go", MAIN),
            ("app/cart/service/internal/biz/cart.go", "package biz\n"),
            ("app/shop/interface/cmd/server/main.go", MAIN),
            (
                "app/shop/interface/internal/service/shop.go",
                "package service\n",
            ),
            ("app/user/service/cmd/server/main.go", MAIN),
            ("api/cart/service/v1/cart.proto", &proto("cart.service.v1")),
            (
                "api/shop/interface/v1/shop.proto",
                &proto("shop.interface.v1"),
            ),
            ("api/user/service/v1/user.proto", &proto("user.service.v1")),
            ("pkg/util/util.go", "package util\n"),
            ("tools/gen/main.go", MAIN),
        ],
    );
    let (before, _) = check_json(dir.path());
    let output = trellis()
        .args(["init", "-C"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let config = std::fs::read_to_string(dir.path().join("trellis.yaml")).unwrap();
    for line in [
        "  - {path: \"app/cart/service\", name: \"cart-service\"}",
        "  - {path: \"app/shop/interface\", name: \"shop-interface\"}",
        "  - {path: \"app/user/service\", name: \"user-service\"}",
    ] {
        assert!(config.contains(line), "{line} missing from\n{config}");
    }
    assert!(!config.contains("tools/gen"), "{config}");

    let json = crate::support::services_json(dir.path());
    let owned: Vec<(String, String)> = json["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["contracts"][0].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        owned,
        [
            (
                "cart-service".to_string(),
                "api/cart/service/v1/cart.proto".to_string()
            ),
            (
                "shop-interface".to_string(),
                "api/shop/interface/v1/shop.proto".to_string()
            ),
            (
                "user-service".to_string(),
                "api/user/service/v1/user.proto".to_string()
            ),
        ]
    );
    let (after, _) = check_json(dir.path());
    let before = rules_of(&before);
    let added: Vec<_> = rules_of(&after)
        .into_iter()
        .filter(|f| !before.contains(f))
        .collect();
    assert_eq!(added, Vec::new(), "init's config adds findings");
}

/// Services in languages trellis does not analyse are named, not dropped.
#[test]
fn other_languages_are_listed_as_not_analysed() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            (
                "src/checkout/go.mod",
                "module example.com/demo/checkout\n\ngo 1.24\n",
            ),
            ("src/checkout/main.go", MAIN),
            ("src/frontend-web/package.json", "{\"name\": \"web\"}\n"),
            ("src/ads/pom.xml", "<project/>\n"),
            ("src/cartservice/cartservice.csproj", "<Project/>\n"),
            ("src/recommendation/requirements.txt", "grpcio\n"),
        ],
    );
    let output = trellis()
        .args(["services", "-C"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = stdout_of(&output);
    for (name, language) in [
        ("ads", "java"),
        ("cartservice", "csharp"),
        ("frontend-web", "javascript"),
        ("recommendation", "python"),
    ] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(name) && l.contains("not analysed") && l.contains(language)),
            "{name} missing from\n{text}"
        );
    }
    let json = crate::support::services_json(dir.path());
    assert_eq!(json["not_analysed"].as_array().unwrap().len(), 4);
    assert_eq!(json["not_analysed"][0]["manifest"], "src/ads/pom.xml");
}

/// A Go service whose root follows no layout but holds applications that
/// do (go-zero's `cmd/rpc` with its own `internal/`) shows them, as
/// `arch-layer` checks them; a configured layout checks the service as a
/// whole, so nothing is listed then.
#[test]
fn nested_applications_are_listed_with_their_layout() {
    let json = services_json(&fixture("lint/arch-layer/fail"));
    assert_eq!(
        json["applications"],
        serde_json::json!([{"service": "payment", "dir": "payment/cmd/rpc", "layout": "go-zero"}])
    );
    assert_eq!(json["layouts"]["payment"], serde_json::Value::Null);
    let text = trellis()
        .args(["services", "-C"])
        .arg(fixture("lint/arch-layer/fail"))
        .output()
        .unwrap();
    let text = stdout_of(&text);
    assert!(text.contains("nested (below)"), "{text}");
    assert!(
        text.contains("Nested applications (arch-layer checks each against its layout):"),
        "{text}"
    );

    let dir = tempfile::tempdir().unwrap();
    crate::support::copy_tree(&fixture("lint/arch-layer/fail"), dir.path());
    std::fs::write(
        dir.path().join("trellis.yaml"),
        "version: 1\nlint:\n  layout: go-zero\n",
    )
    .unwrap();
    assert_eq!(
        services_json(dir.path())["applications"],
        serde_json::json!([])
    );
}

/// A tonic workspace whose protos live in a contract crate (`rpc/proto`):
/// `trellis init` names that directory as the contracts root instead of a
/// missing `api/`, and each service owns the proto named after it (#21).
#[test]
fn init_proposes_a_rust_contract_crates_proto_directory() {
    let dir = tempfile::tempdir().unwrap();
    let proto = |pkg: &str, service: &str| {
        format!(
            "syntax = \"proto3\";\n\npackage {pkg};\n\nservice {service} {{\n  rpc Get(Req) returns (Resp);\n}}\n\nmessage Req {{ string id = 1; }}\nmessage Resp {{ bytes body = 1; }}\n"
        )
    };
    let package = |name: &str, deps: &str| {
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n{deps}"
        )
    };
    let main = "#[tokio::main]\nasync fn main() {\n    rpc::serve().await;\n}\n";
    write_tree(
        dir.path(),
        &[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"rpc\", \"edge-registry\", \"query-service\"]\n",
            ),
            (
                "rpc/Cargo.toml",
                &package("rpc", "tonic = \"0.12\"\nprost = \"0.13\"\n"),
            ),
            (
                "rpc/build.rs",
                "fn main() {\n    tonic_build::compile_protos(\"proto/edge_registry.proto\").unwrap();\n    tonic_build::compile_protos(\"proto/query_service.proto\").unwrap();\n}\n",
            ),
            ("rpc/src/lib.rs", "pub async fn serve() {}\n"),
            (
                "rpc/proto/edge_registry.proto",
                &proto("edge_registry", "EdgeRegistry"),
            ),
            (
                "rpc/proto/query_service.proto",
                &proto("query_service", "QueryService"),
            ),
            ("rpc/tests/fixtures/echo.proto", &proto("echo", "Echo")),
            (
                "edge-registry/Cargo.toml",
                &package("edge-registry", "rpc = { path = \"../rpc\" }\n"),
            ),
            ("edge-registry/src/main.rs", main),
            (
                "query-service/Cargo.toml",
                &package("query-service", "rpc = { path = \"../rpc\" }\n"),
            ),
            ("query-service/src/main.rs", main),
        ],
    );
    let output = trellis()
        .args(["init", "-C"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let config = std::fs::read_to_string(dir.path().join("trellis.yaml")).unwrap();
    assert!(config.contains("\n  root: rpc/proto\n"), "{config}");
    assert!(
        config.contains("2 .proto file(s) outside the services"),
        "test protos are not contracts: {config}"
    );
    let json = crate::support::services_json(dir.path());
    let owned: Vec<(String, Vec<String>)> = json["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let contracts = s["contracts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_string())
                .collect();
            (s["name"].as_str().unwrap().to_string(), contracts)
        })
        .collect();
    assert_eq!(
        owned,
        [
            (
                "edge-registry".to_string(),
                vec!["rpc/proto/edge_registry.proto".to_string()]
            ),
            (
                "query-service".to_string(),
                vec!["rpc/proto/query_service.proto".to_string()]
            ),
        ]
    );
}
