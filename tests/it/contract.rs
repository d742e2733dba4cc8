//! `trellis contract`: the buf fixture suite (recorded from the real buf),
//! and git histories built from tests/fixtures/shop.

use crate::support::history::History;
use crate::support::{fixture, stderr_of, stdout_of, trellis, trellis_in, write_tree};
use std::path::Path;

const ORDER: &str = "api/order/v1/order.proto";

fn order_proto() -> String {
    std::fs::read_to_string(fixture("shop").join(ORDER)).unwrap()
}

/// (rule, path) of each finding of a `--format json` report.
fn rules_and_paths(output: &std::process::Output) -> Vec<(String, String)> {
    let report: serde_json::Value = serde_json::from_str(&stdout_of(output))
        .unwrap_or_else(|e| panic!("{e}: {}", stderr_of(output)));
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let text = |key: &str| f[key].as_str().unwrap().to_string();
            (text("rule"), text("path"))
        })
        .collect()
}

/// buf-json lines -> sorted `path:line:column:end_line:end_column:RULE:message`,
/// as .ci/contract.sh compares them.
fn normalize(json_lines: &str) -> Vec<String> {
    let mut out: Vec<String> = json_lines
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            format!(
                "{}:{}:{}:{}:{}:{}:{}",
                value["path"].as_str().unwrap_or("<input>"),
                value["start_line"],
                value["start_column"],
                value["end_line"],
                value["end_column"],
                value["type"].as_str().unwrap(),
                value["message"].as_str().unwrap()
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_fixture_pair_gives_buf_s_recorded_verdicts() {
    let root = fixture("contract");
    let version = std::fs::read_to_string(root.join("BUF_VERSION")).unwrap();
    assert_eq!(version.trim(), "1.75.0");
    let mut compared = 0;
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected").is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 19, "fixture cases missing: {cases:?}");
    for case in cases {
        for category in ["FILE", "PACKAGE", "WIRE_JSON", "WIRE", "CSR"] {
            let expected_file = case.join("expected").join(format!("{category}.txt"));
            let expected: Vec<String> = std::fs::read_to_string(&expected_file)
                .unwrap()
                .lines()
                .map(str::to_string)
                .collect();
            let output = trellis()
                .arg("-q")
                .arg("-C")
                .arg(case.join("new"))
                .args(["contract", "--against"])
                .arg(case.join("old"))
                .args(["--use", category, "--format", "buf-json"])
                .output()
                .unwrap();
            let code = output.status.code().unwrap();
            assert!(code < 2, "{}: {}", case.display(), stderr_of(&output));
            assert_eq!(
                code == 1,
                !expected.is_empty(),
                "{} {category}",
                case.display()
            );
            let actual = normalize(&stdout_of(&output));
            assert_eq!(actual, expected, "{} {category}", case.display());
            compared += 1;
        }
    }
    assert!(compared >= 95);
}

// Every rule's docs and cases, including the rules beyond buf and why they
// have no buf verdict, are checked from the registry (`src/registry/tests.rs`).

#[test]
fn message_set_rule_runs_when_listed_by_id() {
    let case = fixture("contract/trellis-only/message_set");
    let output = trellis()
        .arg("-C")
        .arg(case.join("new"))
        .args(["contract", "--against"])
        .arg(case.join("old"))
        .args([
            "--use",
            "MESSAGE_SAME_MESSAGE_SET_WIRE_FORMAT",
            "--format",
            "buf-text",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("ms.proto:5:1:Message option \"message_set_wire_format\" changed from \"true\" to \"false\"."), "{text}");
    assert!(text.contains("ms.proto:10:3:"), "{text}");
}

/// Where buf's location or text is less useful than trellis's, buf's own
/// formats keep buf's and trellis's formats say more (docs/contract.md).
#[test]
fn buf_formats_keep_buf_s_location_and_text_where_trellis_says_more() {
    let run = |case: &str, rule: &str, format: &str| {
        let case = fixture("contract").join(case);
        let output = trellis()
            .arg("-C")
            .arg(case.join("new"))
            .args(["contract", "--against"])
            .arg(case.join("old"))
            .args(["--use", rule, "--format", format])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
        stdout_of(&output)
    };
    // The RPC that lost its idempotency_level, not line 1 as buf has it.
    let own = run("options_absent", "RPC_SAME_IDEMPOTENCY_LEVEL", "json");
    let report: serde_json::Value = serde_json::from_str(&own).unwrap();
    let lines: Vec<(String, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let message = f["message"].as_str().unwrap();
            let rpc = message.split('"').nth(1).unwrap().to_string();
            (rpc, f["line"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            ("Get".to_string(), 31),
            ("Put".to_string(), 32),
            ("Post".to_string(), 36)
        ]
    );
    let buf = run("options_absent", "RPC_SAME_IDEMPOTENCY_LEVEL", "buf-text");
    assert!(
        buf.contains("o.proto:1:1:RPC \"Get\" on service \"Api\" changed option"),
        "{buf}"
    );
    assert!(buf.contains("o.proto:36:5:RPC \"Post\""), "{buf}");
    // buf's message for a field moved between oneofs has a stray `q`; trellis's has not.
    let buf = run("oneofs", "FIELD_SAME_ONEOF", "buf-text");
    assert!(
        buf.contains("on message \"Payment\"q moved from oneof"),
        "{buf}"
    );
    let own = run("oneofs", "FIELD_SAME_ONEOF", "text");
    assert!(
        own.contains("on message \"Payment\" moved from oneof"),
        "{own}"
    );
    assert!(!own.contains("\"q moved"), "{own}");
}

#[test]
fn a_blob_missing_from_the_history_is_named_with_its_side_and_path() {
    let mut history = shop_with_branch();
    let changed = order_proto().replace("int32 quantity = 2;", "int64 quantity = 2;");
    history.write(ORDER, &changed).commit("quantity grows");
    // As in a partial clone: the old side's blob of the file is not there.
    let rev_parse = std::process::Command::new("git")
        .args(["rev-parse", &format!("main:{ORDER}")])
        .current_dir(history.path())
        .output()
        .unwrap();
    let blob = stdout_of(&rev_parse).trim().to_string();
    let object = history
        .path()
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    std::fs::remove_file(&object).unwrap();
    let output = trellis_in(history.path(), &["contract", "--against", "main"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout_of(&output));
    let error = stderr_of(&output);
    assert!(
        error.contains("old (merge base of main and HEAD"),
        "{error}"
    );
    assert!(
        error.contains(&format!("cannot read {ORDER} (blob {})", &blob[..10])),
        "{error}"
    );
}

/// Deletes the loose object `rev` names (`main:path`), as a partial clone
/// or a mirror without large blobs lacks it; its blob id. Panics when the
/// object is packed: deleting nothing would prove nothing.
fn lose_object(repo: &Path, rev: &str) -> String {
    let rev_parse = std::process::Command::new("git")
        .args(["rev-parse", rev])
        .current_dir(repo)
        .output()
        .unwrap();
    let blob = stdout_of(&rev_parse).trim().to_string();
    let object = repo.join(".git/objects").join(&blob[..2]).join(&blob[2..]);
    std::fs::remove_file(&object).unwrap_or_else(|e| panic!("{rev} is not loose: {e}"));
    let check = std::process::Command::new("git")
        .args(["cat-file", "-e", &blob])
        .current_dir(repo)
        .output()
        .unwrap();
    assert!(!check.status.success(), "{rev} is still readable");
    blob
}

/// The `findings` of a `--format json` report.
fn findings_of(output: &std::process::Output) -> serde_json::Value {
    let report: serde_json::Value = serde_json::from_str(&stdout_of(output))
        .unwrap_or_else(|e| panic!("{e}: {}", stderr_of(output)));
    report["findings"].clone()
}

const REFUND: &str = "api/order/v1/refund.proto";
const MONEY: &str = "api/common/v1/money.proto";

/// main: the shop, whose order.proto imports a shared money.proto, and a
/// refund.proto in the order package that imports nothing of the shop;
/// feature: a breaking change to order.proto.
fn shop_with_imports_and_a_break() -> History {
    let mut history = History::new();
    let order = order_proto()
        .replace(
            "import \"google/protobuf/timestamp.proto\";",
            &format!("import \"google/protobuf/timestamp.proto\";\nimport \"{MONEY}\";"),
        )
        .replace(
            "  int32 quantity = 2;\n",
            "  int32 quantity = 2;\n  shop.common.v1.Money unit_price = 9;\n",
        );
    history
        .fixture("shop")
        .write(ORDER, &order)
        .write(
            MONEY,
            "syntax = \"proto3\";\n\npackage shop.common.v1;\n\n// Money is an amount in a currency.\nmessage Money {\n  string currency_code = 1;\n  int64 units = 2;\n}\n",
        )
        .write(
            REFUND,
            "syntax = \"proto3\";\n\npackage shop.order.v1;\n\n// RefundReason says why an order was refunded.\nenum RefundReason {\n  REFUND_REASON_UNSPECIFIED = 0;\n  REFUND_REASON_DAMAGED = 1;\n}\n",
        )
        .commit("shop with money and refunds");
    history.branch("feature");
    let changed = order.replace("int32 quantity = 2;", "int64 quantity = 2;");
    history.write(ORDER, &changed).commit("quantity grows");
    history
}

/// Git lacks the blob of a file no compared file needs (user.proto, in
/// another package, importing nothing that changed): both sides are read
/// from git, or the old one with the work tree, and every category gives
/// the findings it gives with the blob there. Before, the first blob git
/// lacked stopped the comparison, needed or not.
#[test]
fn a_blob_missing_that_no_compared_file_needs_changes_nothing() {
    let history = shop_with_imports_and_a_break();
    let runs: Vec<Vec<&str>> = ["FILE", "PACKAGE", "WIRE_JSON"]
        .into_iter()
        .flat_map(|category| {
            [
                vec![
                    "contract",
                    "--against",
                    "main",
                    "--use",
                    category,
                    "--format",
                    "json",
                ],
                vec![
                    "contract",
                    "--against",
                    "main",
                    "--head",
                    "HEAD",
                    "--use",
                    category,
                    "--format",
                    "json",
                ],
            ]
        })
        .collect();
    let before: Vec<serde_json::Value> = runs
        .iter()
        .map(|args| {
            let output = trellis_in(history.path(), args);
            assert_eq!(
                output.status.code(),
                Some(1),
                "{args:?}: {}",
                stderr_of(&output)
            );
            findings_of(&output)
        })
        .collect();
    assert!(
        before[0].to_string().contains("FIELD_SAME_TYPE"),
        "{}",
        before[0]
    );
    lose_object(history.path(), "main:api/user/v1/user.proto");
    for (args, before) in runs.iter().zip(&before) {
        let output = trellis_in(history.path(), args);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{args:?}: {}",
            stderr_of(&output)
        );
        assert_eq!(&findings_of(&output), before, "{args:?}");
    }
    // `-v` says what was left out and why.
    let output = trellis_in(
        history.path(),
        &["-v", "contract", "--against", "main", "--head", "HEAD"],
    );
    let log = stderr_of(&output);
    assert!(
        log.contains("git lacks the blobs of 1 unchanged file the comparison does not compile")
            && log.contains("api/user/v1/user.proto"),
        "{log}"
    );
}

/// A blob the comparison needs and git lacks is an input error that names
/// the side, the file and what needs it: money.proto is unchanged, but the
/// changed order.proto imports it; refund.proto is unchanged and imports
/// nothing, but PACKAGE rules compare every file of the order package.
#[test]
fn a_blob_missing_that_the_comparison_needs_names_side_file_and_why() {
    let history = shop_with_imports_and_a_break();
    let blob = lose_object(history.path(), &format!("main:{MONEY}"));
    let output = trellis_in(
        history.path(),
        &["contract", "--against", "main", "--head", "HEAD"],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stdout_of(&output));
    let error = stderr_of(&output);
    assert!(
        error.contains(&format!(
            "old (merge base of main and HEAD, {}",
            &stdout_of(
                &std::process::Command::new("git")
                    .args(["rev-parse", "--short=10", "main"])
                    .current_dir(history.path())
                    .output()
                    .unwrap()
            )
            .trim()
        )),
        "{error}"
    );
    assert!(
        error.contains(&format!("cannot read {MONEY} (blob {})", &blob[..10])),
        "{error}"
    );
    assert!(
        error.contains(&format!(
            "{ORDER} imports it, and the comparison compiles {ORDER}"
        )),
        "{error}"
    );
    assert!(
        error.contains(&format!("git cat-file blob {blob}")),
        "{error}"
    );
    // With --head naming a branch (the fixture works on `feature`), the old
    // side is labelled by that branch, not HEAD.
    let output = trellis_in(
        history.path(),
        &["contract", "--against", "main", "--head", "feature"],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stdout_of(&output));
    let error = stderr_of(&output);
    assert!(
        error.contains("old (merge base of main and feature, "),
        "{error}"
    );
    // Compared only under api/user, nothing needs money.proto.
    let output = trellis_in(
        history.path(),
        &[
            "contract",
            "--against",
            "main",
            "--head",
            "HEAD",
            "api/user",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));

    let history = shop_with_imports_and_a_break();
    lose_object(history.path(), &format!("main:{REFUND}"));
    let args = |category| {
        [
            "contract",
            "--against",
            "main",
            "--head",
            "HEAD",
            "--use",
            category,
        ]
    };
    let output = trellis_in(history.path(), &args("FILE"));
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let output = trellis_in(history.path(), &args("PACKAGE"));
    assert_eq!(output.status.code(), Some(2), "{}", stdout_of(&output));
    let error = stderr_of(&output);
    assert!(error.contains(&format!("cannot read {REFUND}")), "{error}");
    assert!(
        error.contains("PACKAGE rules compare every file of package `shop.order.v1`"),
        "{error}"
    );
}

/// main: the shop; feature branch off it.
fn shop_with_branch() -> History {
    let mut history = History::new();
    history.fixture("shop").commit("shop");
    history.branch("feature");
    history
}

#[test]
fn breaking_change_on_a_branch_is_reported_with_its_service() {
    let mut history = shop_with_branch();
    let changed = order_proto()
        .replace("  string customer_name = 3;\n", "")
        .replace("int32 quantity = 2;", "int64 quantity = 2;");
    history.write(ORDER, &changed).commit("drop customer_name");
    let output = trellis_in(
        history.path(),
        &["contract", "--against", "main", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let rules: Vec<&str> = findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        vec!["FIELD_SAME_TYPE", "FIELD_NO_DELETE"],
        "{findings:#?}"
    );
    let deleted = &findings[1];
    assert_eq!(deleted["path"], ORDER);
    assert_eq!(deleted["line"], 35);
    assert_eq!(deleted["service"], "order-service");
    assert_eq!(
        deleted["message"],
        "Previously present field \"3\" with name \"customer_name\" on message \"Order\" was deleted."
    );
    assert_eq!(findings[0]["line"], 30);
    assert_eq!(findings[0]["column"], 3);
    // Only order-service itself uses its generated package.
    assert_eq!(
        deleted["notes"],
        serde_json::json!(["no consumer in this repository"])
    );
    assert_eq!(deleted["consumers"], serde_json::json!([]));
    assert_eq!(
        report["stats"]["breaks"], "no consumer in this repository",
        "{report:#}"
    );
}

/// A breaking change names who has to follow: the Go services importing
/// the package generated from the file (`go_package`), the Rust services
/// generating code from it, and the .proto files importing it; the owning
/// service is the producer, not a consumer.
#[test]
fn a_breaking_change_names_its_consumers() {
    let mut history = History::new();
    history.fixture("shop");
    const MAIN: &str = "services/user-service/cmd/user-service/main.go";
    let main_go = std::fs::read_to_string(fixture("shop").join(MAIN)).unwrap();
    history
        .write(
            MAIN,
            &main_go.replacen(
                "import (\n",
                "import (\n\torderv1 \"example.com/shop/api/order/v1\"\n",
                1,
            ),
        )
        .write(
            "api/cart/v1/cart.proto",
            "syntax = \"proto3\";\n\npackage shop.cart.v1;\n\nimport \"api/order/v1/order.proto\";\n\nmessage Cart {\n  repeated shop.order.v1.OrderItem items = 1;\n}\n",
        )
        .write(
            "crates/pricing/build.rs",
            "fn main() {\n    tonic_build::compile_protos(\"../../api/order/v1/order.proto\").unwrap();\n}\n",
        )
        .commit("user-service, pricing and the cart use orders");
    history.branch("feature");
    let changed = order_proto().replace("int32 quantity = 2;", "int64 quantity = 2;");
    history.write(ORDER, &changed).commit("quantity grows");
    let output = trellis_in(
        history.path(),
        &["contract", "--against", "main", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    let finding = &report["findings"][0];
    assert_eq!(finding["rule"], "FIELD_SAME_TYPE", "{finding:#}");
    assert_eq!(
        finding["notes"],
        serde_json::json!(["breaks 3 consumers: api/cart/v1/cart.proto, pricing, user-service"])
    );
    assert_eq!(
        finding["consumers"],
        serde_json::json!(["api/cart/v1/cart.proto", "pricing", "user-service"])
    );
    assert_eq!(
        report["stats"]["breaks"],
        "3 consumers (api/cart/v1/cart.proto, pricing, user-service)"
    );
    // The gate's summary says who has to follow, too.
    let check = trellis_in(history.path(), &["check", "--against", "main"]);
    assert!(
        stdout_of(&check).contains(
            "contract breaks: 3 consumers (api/cart/v1/cart.proto, pricing, user-service)"
        ),
        "{}",
        stdout_of(&check)
    );
    // A break excepted with a reason asks nothing of its consumers.
    history.write(
        "trellis.yaml",
        "version: 1\nexceptions:\n  - rule: FIELD_SAME_TYPE\n    path: api/order/v1/order.proto\n    reason: reviewed with every consumer\n",
    )
    .commit("the break is reviewed");
    let excepted = trellis_in(
        history.path(),
        &["contract", "--against", "main", "--format", "json"],
    );
    let report: serde_json::Value = serde_json::from_str(&stdout_of(&excepted)).unwrap();
    assert!(
        report["stats"].get("breaks").is_none(),
        "{report:#}\n{}",
        stderr_of(&excepted)
    );
    let related: Vec<(&str, u64, &str)> = finding["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["path"].as_str().unwrap(),
                r["line"].as_u64().unwrap(),
                r["label"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        related,
        vec![
            (
                "api/cart/v1/cart.proto",
                5,
                "imports api/order/v1/order.proto"
            ),
            (
                "crates/pricing/build.rs",
                2,
                "pricing compiles ../../api/order/v1/order.proto in build.rs"
            ),
            (
                MAIN,
                5,
                "user-service imports example.com/shop/api/order/v1"
            ),
        ]
    );
}

#[test]
fn the_old_side_is_the_merge_base_unless_asked_otherwise() {
    let mut history = shop_with_branch();
    history
        .write("README.md", "feature work\n")
        .commit("feature");
    // main adds a field after the branch point: not a deletion on the branch.
    history.checkout("main");
    let with_field = order_proto().replace(
        "  google.protobuf.Timestamp create_time = 7;\n",
        "  google.protobuf.Timestamp create_time = 7;\n  string note = 8;\n",
    );
    history.write(ORDER, &with_field).commit("main adds note");
    history.checkout("feature");
    let merge_base = trellis_in(history.path(), &["contract", "--against", "main"]);
    assert_eq!(
        merge_base.status.code(),
        Some(0),
        "{}",
        stdout_of(&merge_base)
    );
    let tip = trellis_in(
        history.path(),
        &[
            "contract",
            "--against",
            "main",
            "--no-merge-base",
            "--format",
            "buf-text",
        ],
    );
    assert_eq!(tip.status.code(), Some(1));
    assert!(
        stdout_of(&tip).contains("Previously present field \"8\" with name \"note\""),
        "{}",
        stdout_of(&tip)
    );
}

#[test]
fn a_branch_only_on_origin_resolves_and_a_shallow_clone_says_how_deep_to_fetch() {
    let mut history = shop_with_branch();
    for i in 0..3 {
        history
            .write("README.md", &format!("step {i}\n"))
            .commit("step");
    }
    history.checkout("main");
    history
        .write("go.work", "go 1.24\n")
        .commit("main moves on");
    history.checkout("feature");
    // A full clone checks out `feature`; `main` exists only as origin/main there.
    let clone_dir = tempfile::tempdir().unwrap();
    let clone = clone_dir.path().join("full");
    let status = std::process::Command::new("git")
        .args(["clone", "--quiet", "--branch", "feature"])
        .arg(format!("file://{}", history.path().display()))
        .arg(&clone)
        .status()
        .unwrap();
    assert!(status.success());
    let output = trellis()
        .arg("-C")
        .arg(&clone)
        .args(["contract", "--against", "main"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));

    let (_keep, shallow) = history.shallow_clone(1);
    let status = std::process::Command::new("git")
        .current_dir(&shallow)
        .args([
            "fetch",
            "--quiet",
            "--depth",
            "1",
            "origin",
            "main:refs/remotes/origin/main",
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let output = trellis()
        .arg("-C")
        .arg(&shallow)
        .args(["contract", "--against", "main"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stdout_of(&output));
    let err = stderr_of(&output);
    assert!(err.contains("shallow clone"), "{err}");
    assert!(
        err.contains("--deepen") && err.contains("fetch-depth: 0"),
        "{err}"
    );
}

#[test]
fn a_side_that_does_not_compile_is_an_input_error_not_findings() {
    let mut history = shop_with_branch();
    let broken = order_proto().replace("int32 quantity = 2;", "int32 quantity = ;");
    history.write(ORDER, &broken).commit("broken");
    let output = trellis_in(history.path(), &["contract", "--against", "main"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr_of(&output);
    assert!(
        err.contains("new (work tree): api/order/v1/order.proto does not compile"),
        "{err}"
    );
    assert!(err.contains("api/order/v1/order.proto:30:"), "{err}");

    let editions = History::new();
    write_tree(
        editions.path(),
        &[(
            "a.proto",
            "edition = \"2023\";\n\npackage a;\n\nmessage M {}\n",
        )],
    );
    let old = tempfile::tempdir().unwrap();
    write_tree(
        old.path(),
        &[(
            "a.proto",
            "syntax = \"proto3\";\npackage a;\nmessage M {}\n",
        )],
    );
    let output = trellis()
        .arg("-C")
        .arg(editions.path())
        .args(["contract", "--against"])
        .arg(old.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = stderr_of(&output);
    assert!(err.contains("does not support yet"), "{err}");
    assert!(err.contains("a.proto:1:1"), "{err}");
}

#[test]
fn acknowledged_breaks_config_and_buf_yaml_are_honoured() {
    let mut history = shop_with_branch();
    let changed = order_proto()
        .replace(
            "  string customer_name = 3;\n",
            "  // trellis:ignore FIELD_SAME_NAME renamed before any client shipped\n  string customer_label = 3;\n",
        )
        .replace("int32 quantity = 2;", "int64 quantity = 2;");
    history.write(ORDER, &changed).commit("rename");
    let root = history.path().to_path_buf();
    let run = |extra: &[&str]| {
        let output = trellis()
            .arg("-C")
            .arg(&root)
            .args(["contract", "--against", "main", "--format", "buf-text"])
            .args(extra)
            .output()
            .unwrap();
        assert!(output.status.code().unwrap() < 2, "{}", stderr_of(&output));
        stdout_of(&output)
    };
    let text = run(&[]);
    assert!(!text.contains("changed name"), "{text}");
    // Without a reason the acknowledgement does not count.
    let unexplained = changed.replace(" renamed before any client shipped", "");
    history.write(ORDER, &unexplained).commit("no reason");
    assert!(run(&[]).contains("changed name"));
    history.write(ORDER, &changed).commit("reason");
    assert!(
        text.contains("FIELD_SAME_JSON_NAME") || text.contains("json_name"),
        "{text}"
    );
    assert!(
        text.contains("changed type from \"int32\" to \"int64\""),
        "{text}"
    );
    // WIRE: int32 -> int64 is wire compatible, json names do not matter.
    assert_eq!(run(&["--use", "WIRE"]), "");

    write_tree(
        history.path(),
        &[(
            "trellis.yaml",
            "version: 1\ncontract:\n  use: [FILE]\n  except: [FIELD_SAME_TYPE]\n  ignore-only:\n    FIELD_SAME_JSON_NAME: [api/order]\n",
        )],
    );
    assert_eq!(run(&[]), "");
    std::fs::remove_file(history.path().join("trellis.yaml")).unwrap();
    write_tree(
        history.path(),
        &[(
            "buf.yaml",
            "version: v2\nbreaking:\n  use: [WIRE_JSON]\n  ignore: [api/order/v1/order.proto]\n",
        )],
    );
    assert_eq!(run(&[]), "");

    write_tree(
        history.path(),
        &[(
            "trellis.yaml",
            "version: 1\ncontract:\n  use: [FIELD_SAME_NAEM]\n",
        )],
    );
    let output = trellis_in(history.path(), &["contract", "--against", "main"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr_of(&output).contains("did you mean `FIELD_SAME_NAME`"),
        "{}",
        stderr_of(&output)
    );
}

#[test]
fn a_deleted_file_is_reported_at_its_old_path() {
    let mut history = shop_with_branch();
    history
        .remove("api/inventory/v1/inventory.proto")
        .commit("drop inventory api");
    let output = trellis_in(
        history.path(),
        &["contract", "--against", "main", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    let finding = &report["findings"][0];
    assert_eq!(finding["rule"], "FILE_NO_DELETE");
    assert_eq!(finding["path"], "api/inventory/v1/inventory.proto");
    assert_eq!(finding["service"], "inventory-service");
    assert!(finding["notes"][0].as_str().unwrap().contains("old path"));
    // buf-json keeps buf's shape: no path for a deleted file.
    let output = trellis_in(
        history.path(),
        &["contract", "--against", "main", "--format", "buf-json"],
    );
    assert_eq!(
        stdout_of(&output),
        "{\"start_line\":1,\"start_column\":1,\"end_line\":1,\"end_column\":1,\"type\":\"FILE_NO_DELETE\",\"message\":\"Previously present file \\\"api/inventory/v1/inventory.proto\\\" was deleted.\"}\n"
    );
}

#[test]
fn library_check_compares_the_work_tree_with_the_default_branch() {
    // What a combined `trellis check` calls: the merge base with the default branch.
    let mut history = shop_with_branch();
    let changed = order_proto().replace("  OrderStatus status = 6;\n", "");
    history.write(ORDER, &changed).commit("drop status");
    let loaded = trellis::config::load(history.path(), None).unwrap();
    let repo = trellis::repo::Repo::open(history.path(), loaded.repo_config()).unwrap();
    let config = &loaded.config.contract;
    let git = trellis::git::Git::open(history.path()).unwrap();
    let report = trellis::contract::check(
        &repo,
        &git,
        config,
        &trellis::contract::ContractOptions::default(),
    )
    .unwrap();
    assert_eq!(report.findings.len(), 1, "{:#?}", report.findings);
    assert_eq!(report.findings[0].rule, "FIELD_NO_DELETE");
    assert_eq!(report.findings[0].service.as_deref(), Some("order-service"));
    // compare_commits: the score job's entry point; a commit that does not compile is an Err.
    let main = git.resolve("main").unwrap();
    let head = git.head().unwrap();
    let findings = trellis::contract::compare_commits(
        &repo,
        &git,
        config,
        main,
        head,
        &[],
        &[trellis::contract::Category::Wire],
    )
    .unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].rule, "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED");
    let broken = history
        .write(ORDER, "syntax = \"proto3\";\nmessage {\n")
        .commit("broken");
    let err = trellis::contract::compare_commits(&repo, &git, config, main, broken, &[], &[])
        .unwrap_err();
    assert!(err.message.contains("does not compile"), "{}", err.message);
    assert_eq!(err.line, Some(2));
}

#[test]
fn only_changed_files_and_their_importers_are_compiled() {
    let mut history = History::new();
    let mut files = Vec::new();
    for i in 0..30 {
        files.push((
            format!("proto/gen/v1/f{i}.proto"),
            format!("syntax = \"proto3\";\npackage gen.v1;\nmessage M{i} {{ string a = 1; }}\n"),
        ));
    }
    files.push((
        "proto/gen/v1/user.proto".to_string(),
        "syntax = \"proto3\";\npackage gen.v1;\nimport \"gen/v1/f3.proto\";\nmessage User { M3 m = 1; }\n".to_string(),
    ));
    for (path, text) in &files {
        history.write(path, text);
    }
    history.commit("protos");
    history.branch("feature");
    history
        .write(
            "proto/gen/v1/f3.proto",
            "syntax = \"proto3\";\npackage gen.v1;\nmessage M3 { int64 a = 1; }\n",
        )
        .commit("change one");
    let output = trellis_in(
        history.path(),
        &["contract", "--against", "main", "--format", "json"],
    );
    let report: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    assert_eq!(report["stats"]["files changed"], "1");
    // The changed file and its importer, nothing else of the 31 files.
    assert_eq!(report["stats"]["files compared"], "2 / 2");
    assert_eq!(report["stats"]["proto files (old / new)"], "31 / 31");
    assert_eq!(report["findings"][0]["rule"], "FIELD_SAME_TYPE");
}

#[test]
fn field_number_reuse_is_found_in_history_when_enabled() {
    let mut history = shop_with_branch();
    history.checkout("main");
    let without = order_proto().replace("  string customer_name = 3;\n", "");
    history
        .write(ORDER, &without)
        .commit("drop customer_name (accepted break)");
    history.branch("reuse");
    let reused = without.replace(
        "  string customer_id = 2;\n",
        "  string customer_id = 2;\n  int64 discount_cents = 3;\n",
    );
    history.write(ORDER, &reused).commit("reuse 3");
    let plain = trellis_in(history.path(), &["contract", "--against", "main"]);
    assert_eq!(plain.status.code(), Some(0), "{}", stdout_of(&plain));
    let output = trellis_in(
        history.path(),
        &[
            "contract",
            "--against",
            "main",
            "--field-no-reuse",
            "--format",
            "buf-text",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    assert!(text.contains("api/order/v1/order.proto:38:3:"), "{text}");
    assert!(
        text.contains("reuses the number of field \"customer_name\""),
        "{text}"
    );
}

#[test]
fn head_ref_and_directory_sides() {
    let mut history = shop_with_branch();
    let changed = order_proto().replace(
        "rpc GetOrder(GetOrderRequest) returns (GetOrderResponse);\n",
        "",
    );
    history.write(ORDER, &changed).commit("drop GetOrder");
    let output = trellis_in(
        history.path(),
        &[
            "contract",
            "--against",
            "main",
            "--head",
            "feature",
            "--format",
            "buf-text",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout_of(&output).contains(
            "Previously present RPC \"GetOrder\" on service \"OrderService\" was deleted."
        )
    );
    // The same change, as a directory against the work tree; PATH limits the check.
    let output = trellis()
        .arg("-C")
        .arg(history.path())
        .args(["contract", "--against"])
        .arg(fixture("shop"))
        .arg("api/user")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stdout_of(&output));
    assert!(Path::new(&fixture("shop")).is_dir());
}

#[test]
fn staged_compares_the_index_not_the_work_tree() {
    let history = shop_with_branch();
    let original = order_proto();
    let breaking = original.replace("  string customer_name = 3;\n", "");
    let repo = git2::Repository::open(history.path()).unwrap();
    let stage = |text: &str| {
        std::fs::write(history.path().join(ORDER), text).unwrap();
        let mut index = repo.index().unwrap();
        index.add_path(Path::new(ORDER)).unwrap();
        index.write().unwrap();
    };
    let deleted_fields = |args: &[&str]| {
        let output = trellis_in(history.path(), args);
        let report: serde_json::Value = serde_json::from_str(&stdout_of(&output))
            .unwrap_or_else(|e| panic!("{e}: {}", stderr_of(&output)));
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "FIELD_NO_DELETE")
            .count()
    };
    let contract = [
        "contract",
        "--against",
        "main",
        "--format",
        "json",
        "--staged",
    ];
    let check = [
        "check", "--skip", "lint", "--skip", "drift", "--format", "json", "--staged",
    ];

    // The breaking change is staged; the work tree went back to the old text.
    stage(&breaking);
    std::fs::write(history.path().join(ORDER), &original).unwrap();
    assert_eq!(deleted_fields(&contract), 1);
    assert_eq!(deleted_fields(&check), 1);
    assert_eq!(deleted_fields(&contract[..5]), 0, "the work tree is clean");

    // The other way round: only the work tree breaks, the index does not.
    stage(&original);
    std::fs::write(history.path().join(ORDER), &breaking).unwrap();
    assert_eq!(deleted_fields(&contract), 0);
    assert_eq!(deleted_fields(&check), 0);
    assert_eq!(deleted_fields(&contract[..5]), 1);
}

#[test]
fn staged_findings_show_the_staged_lines() {
    let history = shop_with_branch();
    let original = order_proto();
    // Lines added above the change move it: the work tree's line at the
    // reported number is a different one.
    let breaking = original
        .replacen(
            "\nmessage ",
            "\n// staged note\n// and another\nmessage ",
            1,
        )
        .replace("  string customer_name = 3;\n", "");
    std::fs::write(history.path().join(ORDER), &breaking).unwrap();
    let repo = git2::Repository::open(history.path()).unwrap();
    let mut index = repo.index().unwrap();
    index.add_path(Path::new(ORDER)).unwrap();
    index.write().unwrap();
    std::fs::write(history.path().join(ORDER), &original).unwrap();

    let output = trellis_in(
        history.path(),
        &[
            "contract",
            "--against",
            "main",
            "--staged",
            "--color",
            "never",
        ],
    );
    let text = stdout_of(&output);
    let location = format!("--> {ORDER}:");
    let line: usize = text
        .lines()
        .find_map(|l| l.trim().strip_prefix(location.as_str()))
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no location in {text}"));
    let staged_line = breaking.lines().nth(line - 1).unwrap();
    assert_ne!(original.lines().nth(line - 1), Some(staged_line));
    assert!(text.contains(&format!(" | {staged_line}")), "{text}");
}

#[test]
fn a_project_in_a_subdirectory_of_the_repository_is_compared() {
    let mut history = History::new();
    history.fixture_at("shop", "platform/shop");
    let outside = "legacy/api/legacy.proto";
    let legacy = "syntax = \"proto3\";\npackage legacy.v1;\nmessage Old {\n  string name = 1;\n}\n";
    history
        .write(outside, legacy)
        .commit("shop under platform/");
    history.branch("feature");
    let project_order = format!("platform/shop/{ORDER}");
    let breaking = order_proto().replace("  string customer_name = 3;\n", "");
    history
        .write(&project_order, &breaking)
        // A break outside the project is not the project's.
        .write(outside, &legacy.replace("  string name = 1;\n", ""))
        .commit("break both");

    let project = history.path().join("platform/shop");
    let output = trellis_in(
        &project,
        &["contract", "--against", "main", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    let findings: Vec<(&str, &str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap(),
                f["path"].as_str().unwrap(),
                f["service"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        findings,
        vec![("FIELD_NO_DELETE", project_order.as_str(), "order-service")],
        "only the project's protos are read; JSON paths are from the git root"
    );
    assert_eq!(report["project_dir"], "platform/shop");

    // `trellis check` runs the contract check there too instead of skipping it.
    let output = trellis_in(
        &project,
        &[
            "check", "--skip", "lint", "--skip", "drift", "--format", "json",
        ],
    );
    let report: serde_json::Value = serde_json::from_str(&stdout_of(&output))
        .unwrap_or_else(|e| panic!("{e}: {}", stderr_of(&output)));
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, vec!["FIELD_NO_DELETE"], "{}", stderr_of(&output));

    // The index of a subdirectory project is rebased the same way.
    let repo = git2::Repository::open(history.path()).unwrap();
    let mut index = repo.index().unwrap();
    std::fs::write(history.path().join(&project_order), order_proto()).unwrap();
    index.add_path(Path::new(&project_order)).unwrap();
    index.write().unwrap();
    let output = trellis_in(
        &project,
        &[
            "contract",
            "--against",
            "feature~1",
            "--staged",
            "--format",
            "json",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stdout_of(&output));
}

/// An import from a buf.yaml dependency (not in the repository) resolves
/// through `contract.imports`, read from the work tree for both sides; without
/// it the error says how to provide it.
#[test]
fn dependencies_outside_the_repository_resolve_through_contract_imports() {
    let pay = "syntax = \"proto3\";\npackage pay.v1;\n\nimport \"acme/money/v1/money.proto\";\n\nmessage Charge {\n  string id = 1;\n  acme.money.v1.Money amount = 2;\n  string note = 3;\n}\n";
    let mut history = History::new();
    history
        .write("api/pay/v1/pay.proto", pay)
        .write(
            "buf.yaml",
            "version: v2\nmodules:\n  - path: api\ndeps:\n  - buf.build/acme/money\n",
        )
        .commit("pay");
    history.branch("feature");
    history
        .write(
            "api/pay/v1/pay.proto",
            &pay.replace("  string note = 3;\n", ""),
        )
        .commit("drop note");
    // What `buf export buf.build/acme/money -o third_party/money` leaves: not committed.
    write_tree(
        history.path(),
        &[(
            "third_party/money/acme/money/v1/money.proto",
            "syntax = \"proto3\";\npackage acme.money.v1;\n\nmessage Money {\n  string currency = 1;\n  int64 units = 2;\n}\n",
        )],
    );

    let output = trellis_in(history.path(), &["contract", "--against", "main"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout_of(&output));
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("import 'acme/money/v1/money.proto' not found"),
        "{stderr}"
    );
    assert!(stderr.contains("contract.imports"), "{stderr}");

    write_tree(
        history.path(),
        &[(
            "trellis.yaml",
            "version: 1\ncontract:\n  imports: [third_party/money]\n",
        )],
    );
    let output = trellis_in(
        history.path(),
        &["contract", "--against", "main", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let findings = rules_and_paths(&output);
    assert_eq!(
        findings,
        vec![("FIELD_NO_DELETE".into(), "api/pay/v1/pay.proto".into())]
    );

    write_tree(
        history.path(),
        &[(
            "trellis.yaml",
            "version: 1\ncontract:\n  imports: [third_party/missing]\n",
        )],
    );
    let output = trellis_in(history.path(), &["contract", "--against", "main"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr_of(&output).contains("buf export buf.build/OWNER/MODULE -o third_party/missing"),
        "{}",
        stderr_of(&output)
    );
}

/// A buf.yaml below the root (`proto/buf.yaml`) describes the protos when
/// all of them are under its directory: its module paths are relative to it
/// and its `breaking:` section applies.
#[test]
fn a_nested_buf_yaml_that_holds_every_proto_is_read() {
    let pay = "syntax = \"proto3\";\npackage pay.v1;\n\nimport \"pay/v1/money.proto\";\n\nmessage Charge {\n  string id = 1;\n  Money amount = 2;\n  string note = 3;\n}\n";
    let money = "syntax = \"proto3\";\npackage pay.v1;\n\nmessage Money {\n  int64 units = 1;\n}\n";
    let mut history = History::new();
    history
        .write("proto/pay/v1/pay.proto", pay)
        .write("proto/pay/v1/money.proto", money)
        .write(
            "proto/buf.yaml",
            "version: v2\nmodules:\n  - path: .\nbreaking:\n  use:\n    - WIRE\n",
        )
        .commit("pay");
    history.branch("feature");
    // A rename: breaking for FILE (the default), not for WIRE.
    history
        .write(
            "proto/pay/v1/pay.proto",
            &pay.replace("string note = 3;", "string memo = 3;"),
        )
        .commit("rename note");
    let output = trellis_in(
        history.path(),
        &["contract", "--against", "main", "--format", "buf-text"],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout_of(&output),
        stderr_of(&output)
    );

    // A proto outside proto/: that buf.yaml no longer covers the repository,
    // so the roots are inferred and the default rules (FILE) apply.
    history
        .write(
            "other/audit.proto",
            "syntax = \"proto3\";\npackage audit;\nmessage Entry {\n  string id = 1;\n}\n",
        )
        .commit("audit");
    let output = trellis_in(
        history.path(),
        &["contract", "--against", "main", "--format", "buf-text"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let stdout = stdout_of(&output);
    assert!(stdout.contains("proto/pay/v1/pay.proto:9:"), "{stdout}");
    assert!(
        stdout.contains("changed name from \"note\" to \"memo\""),
        "{stdout}"
    );
}

/// buf.lock pins a dependency and buf has fetched it: its files come from
/// buf's module cache (`$BUF_CACHE_DIR/v3/modules/...`), with no configuration.
#[test]
fn pinned_dependencies_are_read_from_buf_s_module_cache() {
    let pay = "syntax = \"proto3\";\npackage pay.v1;\n\nimport \"acme/money/v1/money.proto\";\n\nmessage Charge {\n  string id = 1;\n  acme.money.v1.Money amount = 2;\n  string note = 3;\n}\n";
    let commit = "0123456789abcdef0123456789abcdef";
    let mut history = History::new();
    history
        .write("proto/pay/v1/pay.proto", pay)
        .write(
            "proto/buf.yaml",
            "version: v2\nmodules:\n  - path: .\ndeps:\n  - buf.build/acme/money\n",
        )
        .write(
            "proto/buf.lock",
            &format!("# Generated by buf. DO NOT EDIT.\nversion: v2\ndeps:\n  - name: buf.build/acme/money\n    commit: {commit}\n    digest: b5:00ff\n"),
        )
        .commit("pay");
    history.branch("feature");
    history
        .write(
            "proto/pay/v1/pay.proto",
            &pay.replace("  string note = 3;\n", ""),
        )
        .commit("drop note");
    let cache = tempfile::tempdir().unwrap();
    let module = format!("v3/modules/b5/buf.build/acme/money/{commit}");
    let run = || {
        trellis()
            .env("BUF_CACHE_DIR", cache.path())
            .arg("-C")
            .arg(history.path())
            .args(["contract", "--against", "main", "--format", "json"])
            .output()
            .unwrap()
    };
    // Files without module.yaml: buf did not finish writing them.
    write_tree(
        cache.path(),
        &[(
            &format!("{module}/files/acme/money/v1/money.proto"),
            "syntax = \"proto3\";\npackage acme.money.v1;\n\nmessage Money {\n  string currency = 1;\n}\n",
        )],
    );
    let output = run();
    assert_eq!(output.status.code(), Some(2), "{}", stdout_of(&output));
    assert!(
        stderr_of(&output).contains("buf dep update"),
        "{}",
        stderr_of(&output)
    );

    write_tree(
        cache.path(),
        &[(&format!("{module}/module.yaml"), "version: v1\n")],
    );
    let output = run();
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let findings = rules_and_paths(&output);
    assert_eq!(
        findings,
        vec![("FIELD_NO_DELETE".into(), "proto/pay/v1/pay.proto".into())]
    );
}

/// (rule, path, severity) of each finding of a `--format json` report.
fn rules_paths_severities(output: &std::process::Output) -> Vec<(String, String, String)> {
    let report: serde_json::Value = serde_json::from_str(&stdout_of(output))
        .unwrap_or_else(|e| panic!("{e}: {}", stderr_of(output)));
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let text = |key: &str| f[key].as_str().unwrap().to_string();
            (text("rule"), text("path"), text("severity"))
        })
        .collect()
}

fn error(rule: &str, path: &str) -> (String, String, String) {
    (rule.to_string(), path.to_string(), "error".to_string())
}

/// A Kratos monorepo: one go.mod, each service a directory with its private
/// `internal/conf/conf.proto` in package `kratos.api`, and the well-known
/// types vendored under third_party/. Changing the vendored file makes both
/// conf.proto files importers of a changed file; in one namespace they
/// define `kratos.api.Bootstrap` twice. Each is compiled in its own unit
/// (the owner of its `internal/` directory) instead.
#[test]
fn private_protos_of_two_services_in_one_package_are_compared_apart() {
    const ORDER: &str = "api/order/v1/order.proto";
    const CART_CONF: &str = "app/cart/service/internal/conf/conf.proto";
    const ORDER_CONF: &str = "app/order/service/internal/conf/conf.proto";
    const DURATION: &str = "third_party/google/protobuf/duration.proto";
    let fixture = fixture("contract/units/kratos");
    let read = |path: &str| std::fs::read_to_string(fixture.join(path)).unwrap();
    let mut history = History::new();
    history
        .fixture("contract/units/kratos")
        .commit("kratos shop");
    history.branch("feature");
    history
        .write(
            DURATION,
            &read(DURATION).replace("syntax", "// vendored\nsyntax"),
        )
        .write(ORDER, &read(ORDER).replace("  string note = 2;\n", ""))
        .commit("refresh vendored protos, drop the order note");
    let root = history.path().to_path_buf();
    let run = || {
        trellis_in(
            &root,
            &["contract", "--against", "main", "--format", "json"],
        )
    };
    let output = run();
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    assert_eq!(
        rules_paths_severities(&output),
        vec![error("FIELD_NO_DELETE", ORDER)]
    );

    // Both services change their config: a compatible addition in one, a
    // rename in the other, reported in that service's file only.
    let added = read(CART_CONF).replace(
        "  google.protobuf.Duration timeout = 2;\n",
        "  google.protobuf.Duration timeout = 2;\n  string name = 3;\n",
    );
    let renamed = read(ORDER_CONF).replace("string addr = 1;", "string address = 1;");
    history
        .write(CART_CONF, &added)
        .write(ORDER_CONF, &renamed)
        .commit("conf changes");
    let output = run();
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    assert_eq!(
        rules_paths_severities(&output),
        vec![
            error("FIELD_NO_DELETE", ORDER),
            error("FIELD_SAME_JSON_NAME", ORDER_CONF),
            error("FIELD_SAME_NAME", ORDER_CONF),
        ]
    );
}

/// Two services (each its own go.mod) carry a copy of one proto; under the
/// PACKAGE rules every file of a touched package is compiled, so both copies
/// are. A change to one copy is a finding in that service's unit only.
#[test]
fn a_proto_copied_into_two_services_is_compared_in_the_unit_that_changed() {
    const BILLING: &str = "svc/billing/proto/money/v1/money.proto";
    let mut history = History::new();
    history
        .fixture("contract/units/copies")
        .commit("two services");
    history.branch("feature");
    let copy = std::fs::read_to_string(fixture("contract/units/copies").join(BILLING)).unwrap();
    history
        .write(BILLING, &copy.replace("  int64 units = 2;\n", ""))
        .commit("billing drops units");
    let output = trellis_in(
        history.path(),
        &["contract", "--against", "main", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    assert_eq!(
        rules_paths_severities(&output),
        vec![error("FIELD_NO_DELETE", BILLING)]
    );
    let report: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    assert_eq!(report["findings"][0]["service"], "billing");
}

/// legacy.proto uses a type nobody defines: it was broken before the change
/// and the change does not touch it. It imports the changed order.proto, so
/// it has to be compiled; it becomes a warning and the rest is compared.
#[test]
fn a_broken_file_the_change_does_not_touch_is_a_warning() {
    const ORDER: &str = "api/order/v1/order.proto";
    const LEGACY: &str = "api/order/v1/legacy.proto";
    let order = std::fs::read_to_string(fixture("contract/units/broken").join(ORDER)).unwrap();
    let mut history = History::new();
    history.fixture("contract/units/broken").commit("orders");
    history.branch("feature");
    history
        .write(ORDER, &order.replace("  string note = 2;\n", ""))
        .commit("drop note");
    let root = history.path().to_path_buf();
    let run = || {
        trellis_in(
            &root,
            &["contract", "--against", "main", "--format", "json"],
        )
    };
    let output = run();
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    assert_eq!(
        rules_paths_severities(&output),
        vec![
            (
                "contract-not-compiled".to_string(),
                LEGACY.to_string(),
                "warning".to_string()
            ),
            error("FIELD_NO_DELETE", ORDER),
        ]
    );
    let report: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    let warning = &report["findings"][0];
    assert_eq!(warning["line"], 9, "{warning:#}");
    let message = warning["message"].as_str().unwrap();
    assert!(message.contains("Coupon"), "{message}");
    assert!(message.contains("on both sides"), "{message}");
    assert!(message.contains("not to blame"), "{message}");
    assert!(
        warning["help"].as_str().unwrap().contains("exclude:"),
        "{warning:#}"
    );

    // A compatible change: only the warning, which does not fail the run.
    history
        .write(
            ORDER,
            &order.replace(
                "  string note = 2;\n",
                "  string note = 2;\n  string memo = 3;\n",
            ),
        )
        .commit("keep note, add memo");
    let output = run();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let rules: Vec<String> = rules_paths_severities(&output)
        .into_iter()
        .map(|(rule, ..)| rule)
        .collect();
    assert_eq!(rules, vec!["contract-not-compiled"]);
}

/// A broken file nothing in the change needs is not compiled (that keeps a
/// one-file change cheap) but parsed and its imports resolved: it is a
/// warning finding, in JSON too, and the comparison of the rest goes on.
#[test]
fn a_broken_file_nothing_in_the_change_needs_is_a_warning_not_a_silent_pass() {
    let dir = tempfile::tempdir().unwrap();
    let unchanged: &[(&str, &str)] = &[
        // Not broken, only unreadable to protox: no warning.
        (
            "misc/v2/editions.proto",
            "edition = \"2023\";\npackage misc.v2;\nmessage E {}\n",
        ),
        (
            "misc/v1/typo.proto",
            "syntax = \"proto3\";\npackage misc.v1;\nmessage B { string b = 1 }\n",
        ),
        (
            "misc/v1/stale.proto",
            "syntax = \"proto3\";\npackage misc.v1;\nimport \"gone/v1/gone.proto\";\nmessage C {}\n",
        ),
    ];
    for side in ["old", "new"] {
        write_tree(&dir.path().join(side), unchanged);
    }
    let order = |kind: &str| {
        format!("syntax = \"proto3\";\npackage shop.v1;\nmessage A {{ {kind} a = 1; }}\n")
    };
    write_tree(
        &dir.path().join("old"),
        &[("shop/v1/a.proto", &order("string"))],
    );
    write_tree(
        &dir.path().join("new"),
        &[("shop/v1/a.proto", &order("string"))],
    );
    let run = || {
        trellis()
            .arg("-C")
            .arg(dir.path().join("new"))
            .args(["contract", "--against"])
            .arg(dir.path().join("old"))
            .args(["--format", "json"])
            .output()
            .unwrap()
    };
    let output = run();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let warning = |path: &str| {
        (
            "contract-not-compiled".to_string(),
            path.to_string(),
            "warning".to_string(),
        )
    };
    assert_eq!(
        rules_paths_severities(&output),
        vec![
            warning("misc/v1/stale.proto"),
            warning("misc/v1/typo.proto")
        ]
    );
    let report: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    let typo = &report["findings"][1];
    assert_eq!(
        (typo["line"].as_u64(), typo["column"].as_u64()),
        (Some(3), Some(26)),
        "{typo:#}"
    );
    let stale = report["findings"][0]["message"].as_str().unwrap();
    assert!(
        stale.contains("import 'gone/v1/gone.proto' not found"),
        "{stale}"
    );
    // A breaking change next to them is still found.
    write_tree(
        &dir.path().join("new"),
        &[("shop/v1/a.proto", &order("int64"))],
    );
    let output = run();
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let rules: Vec<String> = rules_paths_severities(&output)
        .into_iter()
        .map(|(rule, ..)| rule)
        .collect();
    assert_eq!(
        rules,
        vec![
            "contract-not-compiled",
            "contract-not-compiled",
            "FIELD_SAME_TYPE"
        ]
    );
}

/// A file the change touches must compile: a copy that collides with
/// another file of its unit, or a syntax error, stops the comparison (exit
/// 2) with the file, line and column, and a help that names the setting
/// that fixes the layout. With that setting, the comparison runs.
#[test]
fn a_broken_file_the_change_touches_stops_the_comparison_and_names_the_setting() {
    const EVENT: &str = "tools/b/event.proto";
    let event = std::fs::read_to_string(fixture("contract/units/tools").join(EVENT)).unwrap();
    let config = "version: 1\ncontract:\n  use: [PACKAGE]\n";
    let mut history = History::new();
    history
        .fixture("contract/units/tools")
        .write("trellis.yaml", config)
        .commit("tools");
    history.branch("feature");
    let root = history.path().to_path_buf();
    let run = || {
        trellis_in(
            &root,
            &["contract", "--against", "main", "--format", "json"],
        )
    };

    // Both copies define tools.Event, and nothing tells trellis they are apart.
    history
        .write(
            EVENT,
            &event.replace("string id = 1;", "string id = 1;\n  int64 at = 2;"),
        )
        .commit("b gains a field");
    let output = run();
    assert_eq!(output.status.code(), Some(2), "{}", stdout_of(&output));
    let err = stderr_of(&output);
    assert!(
        err.contains("name 'tools.Event' is already defined in file 'tools/a/event.proto'"),
        "{err}"
    );
    assert!(err.contains(&format!("{EVENT}:5:9")), "{err}");
    assert!(
        err.contains("contracts.owners") && err.contains("exclude:"),
        "{err}"
    );

    // The setting the help names: tools/b is a unit of its own.
    write_tree(
        history.path(),
        &[(
            "trellis.yaml",
            &format!("{config}contracts:\n  owners:\n    tools/b: events\n"),
        )],
    );
    let output = run();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert!(rules_paths_severities(&output).is_empty());

    history
        .write(EVENT, &event.replace("string id = 1;", "strin id = 1;"))
        .commit("typo");
    let output = run();
    assert_eq!(output.status.code(), Some(2), "{}", stdout_of(&output));
    let err = stderr_of(&output);
    assert!(err.contains(&format!("{EVENT}:6:3")), "{err}");
    assert!(err.contains("the change touches it"), "{err}");
    assert!(err.contains("exclude:"), "{err}");

    // Every file the change breaks is named at once, not one run at a time.
    const OTHER: &str = "tools/a/event.proto";
    history
        .write(OTHER, &event.replace("string id = 1;", "strin id = 1;"))
        .commit("the same typo in the other copy");
    let output = run();
    assert_eq!(output.status.code(), Some(2), "{}", stdout_of(&output));
    let err = stderr_of(&output);
    assert!(err.contains(&format!("{OTHER}:6:3")), "{err}");
    assert!(err.contains(&format!("also failing: {EVENT}")), "{err}");
}

/// The change is to blame for what it breaks, not for what it mends.
/// legacy.proto (unchanged) needs `Coupon`, which order.proto lacks: a change
/// that adds it fixes legacy.proto, which cannot be compared on the old side
/// (a warning, not exit 2); a later change that deletes `Order`, which
/// legacy.proto also uses, breaks it (exit 2, and the help says why).
#[test]
fn the_change_is_to_blame_for_what_it_breaks_not_for_what_it_mends() {
    const ORDER: &str = "api/order/v1/order.proto";
    const LEGACY: &str = "api/order/v1/legacy.proto";
    let order = std::fs::read_to_string(fixture("contract/units/broken").join(ORDER)).unwrap();
    let with_coupon = format!("{order}\nmessage Coupon {{\n  string code = 1;\n}}\n");
    let mut history = History::new();
    history.fixture("contract/units/broken").commit("orders");
    history.branch("feature");
    history.write(ORDER, &with_coupon).commit("add Coupon");
    let output = trellis_in(
        history.path(),
        &["contract", "--against", "main", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    let warning = &report["findings"][0];
    assert_eq!(warning["rule"], "contract-not-compiled", "{report:#}");
    assert_eq!(warning["path"], LEGACY);
    let message = warning["message"].as_str().unwrap();
    assert!(message.contains("on the old side"), "{message}");

    let without_order = with_coupon.replace(
        "message Order {\n  string id = 1;\n  string note = 2;\n}\n",
        "",
    );
    history.write(ORDER, &without_order).commit("drop Order");
    let output = trellis_in(history.path(), &["contract", "--against", "feature~1"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout_of(&output));
    let err = stderr_of(&output);
    assert!(err.contains(&format!("{LEGACY}:8:3")), "{err}");
    assert!(err.contains("compiled on the old side"), "{err}");
}

/// The untouched files of a one-file change are parsed once: a later run
/// knows their blobs parse (kept in .git/trellis), and a file edited since
/// is a new blob, parsed again, so a break in it is still found.
#[test]
fn untouched_files_are_parsed_once_per_blob() {
    let mut history = History::new();
    history
        .write(
            "misc/v1/a.proto",
            "syntax = \"proto3\";\npackage misc.v1;\nmessage A {}\n",
        )
        .write(
            "misc/v1/b.proto",
            "syntax = \"proto3\";\npackage misc.v1;\nmessage B {}\n",
        )
        .write(
            "shop/v1/s.proto",
            "syntax = \"proto3\";\npackage shop.v1;\nmessage S { string s = 1; }\n",
        )
        .commit("contracts");
    history.branch("feature");
    history
        .write(
            "shop/v1/s.proto",
            "syntax = \"proto3\";\npackage shop.v1;\nmessage S { string s = 1; string t = 2; }\n",
        )
        .commit("t");
    let repo = history.path().to_path_buf();
    let run = || {
        trellis()
            .arg("-C")
            .arg(&repo)
            .args(["-v", "contract", "--against", "main", "--format", "json"])
            .output()
            .unwrap()
    };
    let first = run();
    assert_eq!(first.status.code(), Some(0), "{}", stderr_of(&first));
    assert!(
        stderr_of(&first).contains("2 untouched files checked, 0 of them known to parse"),
        "{}",
        stderr_of(&first)
    );
    let second = run();
    assert!(
        stderr_of(&second).contains("2 untouched files checked, 2 of them known to parse"),
        "{}",
        stderr_of(&second)
    );
    assert_eq!(stdout_of(&first), stdout_of(&second));
    // An untouched file whose blob is new (broken on main before the branch
    // point): parsed, not taken from the cache, and reported.
    history.checkout("main");
    history
        .write(
            "misc/v1/b.proto",
            "syntax = \"proto3\";\npackage misc.v1;\nmessage B { string b = 1 }\n",
        )
        .commit("b breaks");
    history.branch("feature2");
    history
        .write(
            "shop/v1/s.proto",
            "syntax = \"proto3\";\npackage shop.v1;\nmessage S { string s = 1; string u = 3; }\n",
        )
        .commit("u");
    let third = run();
    assert!(
        stderr_of(&third).contains("2 untouched files checked, 1 of them known to parse"),
        "{}",
        stderr_of(&third)
    );
    assert!(
        stdout_of(&third).contains("contract-not-compiled"),
        "{}",
        stdout_of(&third)
    );
}

/// A symbolic-link .proto is skipped in the work tree; from git objects it
/// must be skipped too, not compiled as its link text.
#[test]
fn a_symlinked_proto_is_skipped_on_both_sides() {
    let mut history = History::new();
    history.fixture("shop");
    history.symlink("api/alias/v1/order.proto", "../../order/v1/order.proto");
    history.commit("shop, with a linked proto");
    {
        let tree = history.repo.head().unwrap().peel_to_tree().unwrap();
        let entry = tree
            .get_path(Path::new("api/alias/v1/order.proto"))
            .unwrap();
        assert_eq!(entry.filemode(), 0o120000, "git stores a link");
    }
    history.branch("feature");
    history.write("README.md", "changed\n").commit("docs");
    for args in [
        &["contract", "--against", "main", "--format", "json"][..],
        &["contract", "--against", "HEAD", "--format", "json"][..],
    ] {
        let output = trellis_in(history.path(), args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}\n{}",
            stdout_of(&output),
            stderr_of(&output)
        );
        let report: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
        assert_eq!(report["findings"], serde_json::json!([]), "{args:?}");
    }
}

/// Runs the old-definitions fixture from its own directory, so the old
/// side's label (`old (old)`) holds no machine path.
fn old_definitions(format: &str) -> String {
    let case = fixture("contract/trellis-only/old_definitions");
    let output = trellis()
        .current_dir(&case)
        .args([
            "-C",
            "new",
            "contract",
            "--against",
            "old",
            "--format",
            format,
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    stdout_of(&output)
}

#[test]
fn deletions_point_at_the_old_definition_in_json() {
    let report: serde_json::Value = serde_json::from_str(&old_definitions("json")).unwrap();
    let related: Vec<serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| serde_json::json!({"rule": f["rule"], "line": f["line"], "related": f["related"]}))
        .collect();
    insta::assert_json_snapshot!("contract_old_definitions_json", related);
}

#[test]
fn deletions_point_at_the_old_definition_in_sarif() {
    let log: serde_json::Value = serde_json::from_str(&old_definitions("sarif")).unwrap();
    let related: Vec<serde_json::Value> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| serde_json::json!({"ruleId": r["ruleId"], "relatedLocations": r["relatedLocations"]}))
        .collect();
    insta::assert_json_snapshot!("contract_old_definitions_sarif", related);
}

#[test]
fn buf_formats_carry_no_old_definitions() {
    let text = old_definitions("buf-text");
    assert!(!text.contains("previously defined"), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("billing/v1/invoice.proto:")),
        "{text}"
    );
}
