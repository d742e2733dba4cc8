//! Request validation in the Go template (`validate`, default on): the
//! starter's rules, the interceptor, `tools/protodeps` and contracts that
//! import buf/validate/validate.proto, without the network (--no-generate).

use crate::support::scaffolded::{new_service, scaffold, sync};
use crate::support::{fixture, refused, stderr_of, stdout_of};
use std::path::Path;

fn read(root: &Path, path: &str) -> String {
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn validate_is_on_by_default_with_rules_an_interceptor_and_protodeps() {
    let tmp = tempfile::tempdir().unwrap();
    let out = scaffold(tmp.path(), "payment")
        .module("example.com/shop/payment")
        .output();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let root = tmp.path().join("payment");
    let proto = read(&root, "api/payment/v1/payment.proto");
    assert!(
        proto.contains("import \"buf/validate/validate.proto\";"),
        "{proto}"
    );
    assert!(
        proto.contains("string id = 1 [(buf.validate.field).string.min_len = 1];"),
        "{proto}"
    );
    let chain = read(&root, "internal/middleware/chain.go");
    assert!(
        chain.contains("UnaryRecovery(logger),\n\t\tUnaryValidation(validator),\n\t}"),
        "validation is innermost, after recovery:\n{chain}"
    );
    assert!(chain.contains("StreamValidation(validator)"), "{chain}");
    let go_mod = read(&root, "go.mod");
    assert!(
        go_mod.contains("\tbuf.build/go/protovalidate v"),
        "{go_mod}"
    );
    let buf_yaml = read(&root, "buf.yaml");
    assert!(buf_yaml.contains("  - path: third_party\n"), "{buf_yaml}");
    let makefile = read(&root, "Makefile");
    assert!(
        makefile.contains("generate: proto-deps\n"),
        "generate needs validate.proto first:\n{makefile}"
    );
    let protodeps = read(&root, "tools/protodeps/main.go");
    assert!(
        protodeps.contains("\"github.com/bufbuild/protovalidate@v"),
        "{protodeps}"
    );
    // Steps that were not run are printed in order: the copy before buf.
    let stdout = stdout_of(&out);
    let copy = stdout.find("go run ./tools/protodeps").expect(&stdout);
    let generate = stdout.find("buf generate").expect(&stdout);
    assert!(copy < generate, "{stdout}");
}

#[test]
fn validate_false_leaves_out_rules_interceptor_and_the_copy_step() {
    let tmp = tempfile::tempdir().unwrap();
    let out = scaffold(tmp.path(), "payment")
        .set("validate", "false")
        .output();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let root = tmp.path().join("payment");
    assert!(!read(&root, "api/payment/v1/payment.proto").contains("buf.validate"));
    assert!(!root.join("internal/middleware/validate.go").exists());
    assert!(!root.join("tools/protodeps").exists());
    assert!(!read(&root, "go.mod").contains("protovalidate"));
    assert!(!read(&root, "buf.yaml").contains("third_party"));
    assert!(!read(&root, "internal/middleware/chain.go").contains("Validation"));
    assert!(
        !stdout_of(&out).contains("protodeps"),
        "{}",
        stdout_of(&out)
    );
}

#[test]
fn a_contract_with_protovalidate_rules_is_read_without_the_imported_file() {
    let tmp = tempfile::tempdir().unwrap();
    let proto = fixture("scaffold").join("stock.proto");
    let root = scaffold(tmp.path(), "stock").proto(&proto).create();
    assert!(root.join("internal/handlers/count.go").is_file());
    // The server test checks the probe's empty request against the rules.
    let test = read(&root, "internal/server/server_test.go");
    assert!(
        test.contains("protovalidate.Validate(&stockv1.GetLevelRequest{}) != nil"),
        "{test}"
    );
}

#[test]
fn a_contract_with_rules_and_validate_false_is_refused_with_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let proto = fixture("scaffold").join("stock.proto");
    let out = scaffold(tmp.path(), "stock")
        .proto(&proto)
        .set("validate", "false")
        .output();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains(
            "imports `buf/validate/validate.proto`, which the service gets only with validate=true"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("drop `--set validate=false`"), "{stderr}");
    assert!(!tmp.path().join("stock").exists());
}

#[test]
fn a_missing_import_whose_types_the_contract_uses_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let proto = tmp.path().join("billing.proto");
    std::fs::write(
        &proto,
        "syntax = \"proto3\";\npackage billing.v1;\n\nimport \"money/v1/money.proto\";\n\n\
         service BillingService {\n  rpc Charge(ChargeRequest) returns (ChargeResponse);\n}\n\n\
         message ChargeRequest {\n  money.v1.Amount amount = 1;\n}\n\nmessage ChargeResponse {}\n",
    )
    .unwrap();
    let out = scaffold(tmp.path(), "billing").proto(&proto).output();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains("billing.proto imports `money/v1/money.proto`, which is in none of"),
        "{stderr}"
    );
    assert!(
        stderr.contains("holds `money/v1/money.proto` with `--proto-path DIR`"),
        "{stderr}"
    );
}

#[test]
fn sync_rereads_a_contract_with_rules_and_adds_the_new_rpc() {
    let tmp = tempfile::tempdir().unwrap();
    let root = scaffold(tmp.path(), "payment").create();
    let proto_path = root.join("api/payment/v1/payment.proto");
    let mut proto = read(&root, "api/payment/v1/payment.proto");
    let service_open = "service PaymentService {\n";
    assert!(proto.contains(service_open), "{proto}");
    proto = proto.replacen(
        service_open,
        "service PaymentService {\n  rpc CancelPayment(CancelPaymentRequest) returns (CancelPaymentResponse);\n",
        1,
    );
    proto.push_str(
        "\nmessage CancelPaymentRequest {\n  string id = 1 [(buf.validate.field).string.uuid = true];\n}\n\nmessage CancelPaymentResponse {}\n",
    );
    std::fs::write(&proto_path, proto).unwrap();
    let out = sync(&root, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(root.join("internal/handlers/cancel_payment.go").is_file());
}

#[test]
fn a_step_whose_when_names_no_bool_variable_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let template = crate::scaffold::custom_template(
        tmp.path(),
        "{{ name }}.txt",
        "steps:\n  - { name: copy, run: [go, version], when: owner }\n",
    );
    let out = scaffold(tmp.path(), "tiny")
        .ledger()
        .set("owner", "x")
        .template(template.to_str().unwrap())
        .output();
    refused(&out, "step `copy`: `when: owner` names no bool variable");
}

#[test]
fn proto_path_makes_the_import_resolve_and_its_options_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("protos");
    std::fs::create_dir_all(root.join("buf/validate")).unwrap();
    // Our own stand-in for validate.proto: the extension the contract uses.
    std::fs::write(
        root.join("buf/validate/validate.proto"),
        "syntax = \"proto2\";\npackage buf.validate;\nimport \"google/protobuf/descriptor.proto\";\n\
         message StringRules { optional uint64 min_len = 2; }\n\
         message FieldRules { optional StringRules string = 14; }\n\
         extend google.protobuf.FieldOptions { optional FieldRules field = 1159; }\n",
    )
    .unwrap();
    let proto = tmp.path().join("notes.proto");
    let contract = "syntax = \"proto3\";\npackage notes.v1;\n\nimport \"buf/validate/validate.proto\";\n\n\
         service NotesService {\n  rpc GetNote(GetNoteRequest) returns (GetNoteResponse);\n}\n\n\
         message GetNoteRequest {\n  string id = 1 [(buf.validate.field).string.min_len = 1];\n}\n\n\
         message GetNoteResponse {}\n";
    let misspelt = contract.replace("string.min_len", "string.min_length");
    std::fs::write(&proto, &misspelt).unwrap();
    let args = |name: &'static str| {
        vec![
            name.to_string(),
            "--proto".to_string(),
            proto.display().to_string(),
            "--proto-path".to_string(),
            root.display().to_string(),
        ]
    };
    let with = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        new_service(tmp.path(), &args)
    };
    // Read without the file, the misspelt rule goes unseen (buf catches it).
    scaffold(tmp.path(), "lenient").proto(&proto).create();
    // With it, trellis checks the option and points at its line.
    let out = with(args("strict"));
    refused(&out, "notes.proto:11:");
    std::fs::write(&proto, contract).unwrap();
    let out = with(args("notes"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
}
