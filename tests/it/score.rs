//! `trellis score` on a history with known numbers, built from the shop fixture.
//!
//! The window is 2026-02-01 .. 2026-03-31. In it:
//! - 10 commits change `api/order/v1/order.proto` (order-service's contract):
//!   8 append a message (+4 lines each), #4 deletes a field (-1), #7 changes a
//!   field's type (+1 -1); #4 and #7 are the breaking ones.
//! - #11 changes order-service and user-service together (+1 each).
//! - Linus changes user-service twice (+2 each).
//! - renovate[bot] bumps inventory-service's go.mod (+1 -1); Grace changes
//!   inventory-service once (+3) and adds a generated `*.pb.go` (no churn).
//! - Ada commits #5 as `Ada L <ada@old.example.com>`, which `.mailmap` maps to her.
//! - Tags: order-service/v1.0.0, order-service/v1.1.0 (annotated),
//!   order-service-v1.2.0, user-service/v0.1.0 in the window; order-service/v0.9.0
//!   before it; order-service/vnext is not semver.
//! - The fixture's one shared table: `users` (order-service reads, user-service owns).
//!
//! Scores: order-service 57 (stability 33.33 x 35, coupling 50 x 25, deploys
//! 100 x 25, bus factor 50 x 15). The others changed no contract, so their
//! interface stability has no data and is left out: user-service 69 (4500 /
//! 65), inventory-service 50 (3250 / 65, the bot's commit is no churn),
//! pricing 50 (no author data either: 2500 / 50).

use crate::support::history::History;
use crate::support::{fixture, stderr_of, stdout_of};

/// The binary with a Go module cache of known release times, so dependency
/// age never depends on the machine's cache: github.com/google/uuid v1.6.0
/// (2024-01-23) and v1.7.0 (2025-01-23, 366 days later), and
/// github.com/jackc/pgx/v5 v5.7.6 (2025-09-08) and v5.8.0 (91 days later),
/// nothing else; and a cargo index cache (format 3, as cargo writes it)
/// with prost 0.14.0 (2025-06-03) and 0.14.1 (182.625 days later; a yanked
/// 0.14.2 and a 0.15 prerelease are not newer releases), tokio 1.0.0
/// (2021-01-01) and 1.48.0 (2026-01-01), nothing else (no tonic).
fn trellis() -> assert_cmd::Command {
    let mut cmd = crate::support::trellis();
    cmd.env("GOMODCACHE", fixture("score/gomodcache"));
    cmd.env("CARGO_HOME", fixture("score/cargohome"));
    cmd
}
use serde_json::{Value, json};
use std::path::Path;

const BASE_PROTO_LINES: u32 = 72;

/// order.proto after `appended` extra messages, with or without the breaking edits.
fn order_proto(appended: usize, field_deleted: bool, type_changed: bool) -> String {
    let mut text =
        std::fs::read_to_string(fixture("shop").join("api/order/v1/order.proto")).unwrap();
    if field_deleted {
        text = text.replace("  string page_token = 3;\n", "");
    }
    if type_changed {
        text = text.replace("  int32 page_size = 2;\n", "  int64 page_size = 2;\n");
    }
    for i in 1..=appended {
        text.push_str(&format!("\nmessage Extra{i} {{\n  string note = 1;\n}}\n"));
    }
    text
}

fn fixture_text(path: &str) -> String {
    std::fs::read_to_string(fixture("shop").join(path)).unwrap()
}

fn appended(path: &str, lines: &[&str]) -> String {
    let mut text = fixture_text(path);
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    text
}

fn fixture_lines(path: &str) -> u32 {
    fixture_text(path).lines().count() as u32
}

const ORDER_PROTO: &str = "api/order/v1/order.proto";
const ORDER_GO: &str = "services/order-service/internal/service/order.go";
const USER_GO: &str = "services/user-service/internal/service/user.go";
const USER_REPO: &str = "services/user-service/internal/repo/user.go";
const INVENTORY_GO: &str = "services/inventory-service/internal/service/inventory.go";
const INVENTORY_MOD: &str = "services/inventory-service/go.mod";

/// (date, author, appended messages, field deleted, field type changed)
type ContractStep = (&'static str, fn(&mut History), usize, bool, bool);

/// The history and the short ids of the two breaking commits, newest first.
pub fn shop_history_with_breaking() -> (History, Vec<String>) {
    let mut h = History::new();
    h.fixture("shop")
        .write(
            ".mailmap",
            "Ada Lovelace <ada@example.com> Ada L <ada@old.example.com>\n",
        )
        .at("2026-01-10")
        .author("Ada Lovelace", "ada@example.com");
    h.commit("import the shop");
    h.tag("order-service/v0.9.0");

    let ada = |h: &mut History| {
        h.author("Ada Lovelace", "ada@example.com");
    };
    let grace = |h: &mut History| {
        h.author("Grace Hopper", "grace@example.com");
    };
    let mut breaking = Vec::new();
    let contract: [ContractStep; 10] = [
        ("2026-02-02", ada, 1, false, false),
        ("2026-02-04", ada, 2, false, false),
        ("2026-02-09", grace, 3, false, false),
        ("2026-02-11", ada, 3, true, false),
        (
            "2026-02-16",
            |h| {
                h.author("Ada L", "ada@old.example.com");
            },
            4,
            true,
            false,
        ),
        ("2026-02-18", grace, 5, true, false),
        ("2026-02-23", ada, 5, true, true),
        ("2026-03-02", ada, 6, true, true),
        ("2026-03-09", grace, 7, true, true),
        ("2026-03-16", ada, 8, true, true),
    ];
    for (i, (date, author, extra, deleted, changed)) in contract.into_iter().enumerate() {
        // Linus's user-service commits fall between the contract commits.
        if date == "2026-02-09" {
            h.at("2026-02-05").author("Linus T", "linus@example.com");
            h.write(USER_REPO, &appended(USER_REPO, &["// one", "// two"]));
            h.commit("user: note");
        }
        if date == "2026-02-23" {
            h.at("2026-02-20")
                .author("renovate[bot]", "bot@renovateapp.com");
            h.write(
                INVENTORY_MOD,
                &fixture_text(INVENTORY_MOD).replace("uuid v1.5.0", "uuid v1.6.0"),
            );
            h.commit("chore(deps): update uuid");
        }
        if date == "2026-03-09" {
            h.at("2026-03-03").author("Linus T", "linus@example.com");
            h.write(
                USER_REPO,
                &appended(USER_REPO, &["// one", "// two", "// three", "// four"]),
            );
            h.commit("user: more notes");
            h.tag("user-service/v0.1.0");
        }
        h.at(date);
        author(&mut h);
        h.write(ORDER_PROTO, &order_proto(extra, deleted, changed));
        let id = h.commit(&format!("order contract change {}", i + 1));
        if i == 3 || i == 6 {
            breaking.insert(0, id.to_string()[..10].to_string());
        }
        if date == "2026-02-09" {
            h.tag("order-service/v1.0.0");
        }
        if date == "2026-02-23" {
            h.annotated_tag("order-service/v1.1.0", "release 1.1.0");
        }
    }
    h.at("2026-03-10")
        .author("Grace Hopper", "grace@example.com");
    h.write(
        INVENTORY_GO,
        &appended(INVENTORY_GO, &["// a", "// b", "// c"]),
    );
    h.commit("inventory: notes");
    h.at("2026-03-11");
    h.write(
        "services/inventory-service/internal/gen/stock.pb.go",
        "// Code generated by protoc-gen-go. DO NOT EDIT.\npackage gen\n\nconst A = 1\nconst B = 2\n",
    );
    h.commit("inventory: generated code");
    h.at("2026-03-18").author("Ada Lovelace", "ada@example.com");
    h.write(ORDER_GO, &appended(ORDER_GO, &["// together"]));
    h.write(USER_GO, &appended(USER_GO, &["// together"]));
    h.commit("order and user together");
    h.tag("order-service-v1.2.0");
    h.tag("order-service/vnext");
    (h, breaking)
}

pub fn shop_history() -> History {
    shop_history_with_breaking().0
}

/// `trellis score` over February and March 2026 in `dir`.
fn score_in(dir: &Path, format: &str, extra: &[&str]) -> std::process::Output {
    trellis()
        .args([
            "score",
            "--since",
            "2026-02-01",
            "--until",
            "2026-03-31",
            "--format",
            format,
            "-C",
        ])
        .arg(dir)
        .args(extra)
        .output()
        .unwrap()
}

fn score_json(h: &History, extra: &[&str]) -> Value {
    let output = score_in(h.path(), "json", extra);
    assert!(output.status.success(), "{}", stderr_of(&output));
    serde_json::from_str(&stdout_of(&output)).unwrap()
}

fn service<'a>(card: &'a Value, name: &str) -> &'a Value {
    card["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no service {name}"))
}

fn without_weekly_and_hotspots(service: &Value) -> Value {
    let mut service = service.clone();
    let map = service.as_object_mut().unwrap();
    map.remove("weekly");
    map.remove("hotspots");
    service
}

/// Interface stability of a service without contract changes: no data, not 100.
fn stable() -> Value {
    json!({
        "contract_commits": 0,
        "breaking_commits": 0,
        "unknown_commits": 0,
        "ratio": null,
        "threshold": 0.15,
        "status": "unavailable",
        "reason": "no commit in the window changed the service's contracts",
        "breaking": [],
    })
}

fn inputs(
    stability: (Option<f64>, Option<f64>),
    coupling: Option<(f64, f64)>,
    deploy: Option<(f64, f64)>,
    bus: Option<(f64, f64)>,
) -> Value {
    let pair = |p: Option<(f64, f64)>| (p.map(|x| x.0), p.map(|x| x.1));
    let (cv, cs) = pair(coupling);
    let (dv, ds) = pair(deploy);
    let (bv, bs) = pair(bus);
    json!([
        {"metric": "interface_stability", "value": stability.0, "subscore": stability.1, "weight": 35.0,
         "formula": "100 x max(0, 1 - ratio / 0.3)"},
        {"metric": "data_coupling", "value": cv, "subscore": cs, "weight": 25.0,
         "formula": "100 x max(0, 1 - shared tables / 2)"},
        {"metric": "deploy_frequency", "value": dv, "subscore": ds, "weight": 25.0,
         "formula": "100 x min(1, deploys / domain average)"},
        {"metric": "author_concentration", "value": bv, "subscore": bs, "weight": 15.0,
         "formula": "100 x min(1, bus factor / 2)"},
    ])
}

#[test]
fn a_rust_service_ages_from_its_cargo_lock() {
    let h = shop_history();
    // Untracked, as a lock fresh from `cargo generate-lockfile` would be:
    // the dependency age reads the work tree.
    std::fs::write(
        h.path().join("crates/pricing/Cargo.lock"),
        "version = 4\n\n[[package]]\nname = \"prost\"\nversion = \"0.14.1\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"tokio\"\nversion = \"1.47.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"tonic\"\nversion = \"0.14.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
    )
    .unwrap();
    let card = score_json(&h, &[]);
    let source = format!(
        "cargo's index cache {}",
        fixture("score/cargohome")
            .join("registry/index/index.crates.io-1949cf8c6b5b557f/.cache")
            .display()
    );
    // prost 0.14.1 is the newest release (0.14.2 is yanked, 0.15.0-rc.1 a
    // prerelease): 0.00; tokio 1.47.0 -> 1.48.0: 0.50; tonic is not in the
    // fixture cargo cache.
    assert_eq!(
        service(&card, "pricing")["dependency_age"],
        json!({
            "libyears": 0.5, "dependencies": 2, "not_found": 1, "status": "ok",
            "source": source
        })
    );
}

#[test]
fn every_number_of_the_scorecard() {
    let (h, breaking) = shop_history_with_breaking();
    let card = score_json(&h, &[]);

    assert_eq!(card["version"], 1);
    assert_eq!(
        card["window"],
        json!({"since": "2026-02-01", "until": "2026-03-31"})
    );
    assert_eq!(
        card["history"],
        json!({
            "commits": 16,
            "merges": 0,
            "file_changes": 17,
            "bot_commits": 1,
            "bot_commits_in_metrics": false,
            "large_commits_skipped": 0,
            "non_semver_tags": 1,
            "shallow": false,
            "last_commit": "2026-03-18",
            "incomplete": [],
            "cached_commits": 0,
            "scanned_commits": 16,
        })
    );
    let names: Vec<&str> = card["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "inventory-service",
            "order-service",
            "pricing",
            "user-service"
        ]
    );

    // order-service: 11 commits (10 contract + 1 shared), Ada 8 (one through
    // .mailmap), Grace 3; 3 deploys against a domain average of 1.
    // Dependency age from the fixture module cache: of order-service's four
    // direct requirements uuid and pgx are cached, uuid v1.6.0 366 days and
    // pgx v5.7.6 91 days behind the newest: 1.25 libyears from 2 of 4.
    let source = format!(
        "module cache {}",
        fixture("score/gomodcache").join("cache/download").display()
    );
    assert_eq!(
        without_weekly_and_hotspots(service(&card, "order-service")),
        json!({
            "name": "order-service",
            "dependency_age": {
                "libyears": 1.25, "dependencies": 2, "not_found": 2, "status": "ok",
                "source": source
            },
            "score": 57,
            "score_metrics": {"used": 4, "of": 4},
            "alerts": ["interface_stability", "author_concentration"],
            "interface_stability": {
                "contract_commits": 10, "breaking_commits": 2, "unknown_commits": 0,
                "ratio": 0.2, "threshold": 0.15, "status": "alert", "breaking": breaking
            },
            "data_coupling": {
                "shared_tables": ["users"],
                "tables": [{"table": "users", "services": ["user-service"]}],
                "count": 1, "threshold": 2, "status": "ok"
            },
            "deploy_frequency": {
                "deploys": 3, "domain_average": 1.0, "ratio": 3.0, "threshold": 0.5, "domain": "all",
                "status": "ok",
                "tags": ["order-service-v1.2.0", "order-service/v1.0.0", "order-service/v1.1.0"]
            },
            "commits": 11,
            "bot_commits": 0,
            "authors": 2,
            "churn": {"added": 34, "removed": 2, "skipped_files": 0},
            "author_concentration": {
                "top_author": "Ada Lovelace <ada@example.com>", "top_share": 0.7273,
                "bus_factor": 1, "threshold": 2, "status": "alert"
            },
            "score_inputs": inputs((Some(0.2), Some(33.33)), Some((1.0, 50.0)), Some((3.0, 100.0)), Some((1.0, 50.0))),
        })
    );

    // user-service: Linus twice, Ada once; one deploy. Only pgx of its three
    // direct requirements is cached: too few for a number.
    assert_eq!(
        without_weekly_and_hotspots(service(&card, "user-service")),
        json!({
            "name": "user-service",
            "dependency_age": {
                "libyears": null, "dependencies": 1, "not_found": 2, "status": "unavailable",
                "reason": "only 1 of 3 direct requirements have their release times in the Go module cache, fewer than half (run `go mod download` in the service's module, or `trellis drift --upstream` online)"
            },
            "score": 69,
            "score_metrics": {"used": 3, "of": 4},
            "alerts": ["author_concentration"],
            "interface_stability": stable(),
            "data_coupling": {
                "shared_tables": ["users"],
                "tables": [{"table": "users", "services": ["order-service"]}],
                "count": 1, "threshold": 2, "status": "ok"
            },
            "deploy_frequency": {
                "deploys": 1, "domain_average": 1.0, "ratio": 1.0, "threshold": 0.5, "domain": "all",
                "status": "ok", "tags": ["user-service/v0.1.0"]
            },
            "commits": 3,
            "bot_commits": 0,
            "authors": 2,
            "churn": {"added": 5, "removed": 0, "skipped_files": 0},
            "author_concentration": {
                "top_author": "Linus T <linus@example.com>", "top_share": 0.6667,
                "bus_factor": 1, "threshold": 2, "status": "alert"
            },
            "score_inputs": inputs((None, None), Some((1.0, 50.0)), Some((1.0, 100.0)), Some((1.0, 50.0))),
        })
    );

    // inventory-service: the bot commit counts as a commit but not as an
    // author, and its go.mod bump is no churn; the generated file is no churn.
    assert_eq!(
        without_weekly_and_hotspots(service(&card, "inventory-service")),
        json!({
            "name": "inventory-service",
            "dependency_age": {
                "libyears": 1.25, "dependencies": 2, "not_found": 2, "status": "ok",
                "source": source
            },
            "score": 50,
            "score_metrics": {"used": 3, "of": 4},
            "alerts": ["deploy_frequency", "author_concentration"],
            "interface_stability": stable(),
            "data_coupling": {"shared_tables": [], "tables": [], "count": 0, "threshold": 2, "status": "ok"},
            "deploy_frequency": {
                "deploys": 0, "domain_average": 1.0, "ratio": 0.0, "threshold": 0.5, "domain": "all",
                "status": "alert", "tags": []
            },
            "commits": 3,
            "bot_commits": 1,
            "authors": 1,
            "churn": {"added": 3, "removed": 0, "skipped_files": 1},
            "author_concentration": {
                "top_author": "Grace Hopper <grace@example.com>", "top_share": 1.0,
                "bus_factor": 1, "threshold": 2, "status": "alert"
            },
            "score_inputs": inputs((None, None), Some((0.0, 100.0)), Some((0.0, 0.0)), Some((1.0, 50.0))),
        })
    );

    // pricing: no commits in the window, so no author data.
    assert_eq!(
        without_weekly_and_hotspots(service(&card, "pricing")),
        json!({
            "name": "pricing",
            // Its Cargo.toml has no Cargo.lock: which versions it builds
            // with is not recorded, so no age is made up from the floors.
            "dependency_age": {
                "libyears": null, "dependencies": 0, "not_found": 3, "status": "unavailable",
                "reason": "no Cargo.lock: the versions of its dependencies in use are not recorded (commit the workspace's Cargo.lock, or run `cargo generate-lockfile`)"
            },
            "score": 50,
            "score_metrics": {"used": 2, "of": 4},
            "alerts": ["deploy_frequency"],
            "interface_stability": stable(),
            "data_coupling": {"shared_tables": [], "tables": [], "count": 0, "threshold": 2, "status": "ok"},
            "deploy_frequency": {
                "deploys": 0, "domain_average": 1.0, "ratio": 0.0, "threshold": 0.5, "domain": "all",
                "status": "alert", "tags": []
            },
            "commits": 0,
            "bot_commits": 0,
            "authors": 0,
            "churn": {"added": 0, "removed": 0, "skipped_files": 0},
            "author_concentration": {
                "top_author": null, "top_share": null, "bus_factor": 0, "threshold": 2,
                "status": "unavailable", "reason": "no commits by people in the window"
            },
            "score_inputs": inputs((None, None), Some((0.0, 100.0)), Some((0.0, 0.0)), None),
        })
    );

    // Weekly buckets start on Monday 2026-01-26 and end with the week of 03-30.
    assert_eq!(
        card["weeks"],
        json!([
            "2026-01-26",
            "2026-02-02",
            "2026-02-09",
            "2026-02-16",
            "2026-02-23",
            "2026-03-02",
            "2026-03-09",
            "2026-03-16",
            "2026-03-23",
            "2026-03-30"
        ])
    );
    let order = service(&card, "order-service");
    assert_eq!(
        order["weekly"],
        json!({
            "commits": [0, 2, 2, 2, 1, 1, 1, 2, 0, 0],
            "churn": [0, 8, 5, 8, 2, 4, 4, 5, 0, 0],
            "deploys": [0, 0, 1, 0, 1, 0, 0, 1, 0, 0],
            "contract_commits": [0, 2, 2, 2, 1, 1, 1, 1, 0, 0],
            "breaking_commits": [0, 0, 1, 0, 1, 0, 0, 0, 0, 0],
            "authors": [0, 1, 2, 2, 1, 1, 1, 1, 0, 0],
        })
    );

    // Hotspots: changes x lines at the end of the window; the generated file
    // and what only the bot changed are left out.
    let proto_lines = BASE_PROTO_LINES + 8 * 4 - 1;
    let expected_hotspots = [
        (ORDER_PROTO, "order-service", 10, proto_lines),
        (ORDER_GO, "order-service", 1, fixture_lines(ORDER_GO) + 1),
        (USER_REPO, "user-service", 2, fixture_lines(USER_REPO) + 4),
        (USER_GO, "user-service", 1, fixture_lines(USER_GO) + 1),
        (
            INVENTORY_GO,
            "inventory-service",
            1,
            fixture_lines(INVENTORY_GO) + 3,
        ),
        // inventory-service's go.mod changed only in the bot's commit: no hotspot.
    ];
    let mut expected: Vec<Value> = expected_hotspots
        .iter()
        .map(|(path, service, changes, lines)| {
            json!({"path": path, "service": service, "changes": changes, "lines": lines,
                   "score": (*changes as u64) * u64::from(*lines)})
        })
        .collect();
    expected.sort_by(|a, b| {
        b["score"]
            .as_u64()
            .cmp(&a["score"].as_u64())
            .then(a["path"].as_str().cmp(&b["path"].as_str()))
    });
    assert_eq!(card["hotspots"], Value::Array(expected));
    assert_eq!(card["hotspots"][0]["score"], 1030);

    // Temporal coupling: one shared commit; order 11 and user 3 revisions,
    // degree 1 / 7 = 14%.
    assert_eq!(
        card["temporal_coupling"],
        json!([{"services": ["order-service", "user-service"], "shared_commits": 1,
                "revisions": [11, 3], "degree": 14}])
    );

    // A second run reads every commit from the cache and gives the same card.
    let again = score_json(&h, &[]);
    assert_eq!(again["history"]["cached_commits"], 16);
    assert_eq!(again["history"]["scanned_commits"], 0);
    assert_eq!(again["services"], card["services"]);
}

#[test]
fn service_filter_and_unknown_service() {
    let h = shop_history();
    let card = score_json(&h, &["--service", "user-service"]);
    let names: Vec<&str> = card["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["user-service"]);
    // The domain average still counts every service.
    assert_eq!(
        card["services"][0]["deploy_frequency"]["domain_average"],
        1.0
    );

    let output = trellis()
        .args(["score", "--service", "user-servce", "-C"])
        .arg(h.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("--service user-servce: no such service"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `user-service`"), "{stderr}");
}

#[test]
fn gates_fail_under_and_alerts() {
    let h = shop_history();
    let base = [
        "score",
        "--since",
        "2026-02-01",
        "--until",
        "2026-03-31",
        "-q",
        "-C",
    ];
    let output = trellis()
        .args(base)
        .arg(h.path())
        .args(["--fail-under", "50"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let output = trellis()
        .args(base)
        .arg(h.path())
        .args(["--fail-under", "55"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("error score-fail-under: inventory-service scores 50 < 55"),
        "{stderr}"
    );
    assert!(
        stderr.contains("error score-fail-under: pricing scores 50 < 55"),
        "{stderr}"
    );
    assert!(!stderr.contains("order-service scores"), "{stderr}");

    // Alerts are warnings: they fail the run with --fail-on-alert (or
    // --fail-on warning), and say the value against the threshold.
    let output = trellis().args(base).arg(h.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let output = trellis()
        .args(base)
        .arg(h.path())
        .arg("--fail-on-alert")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("warning score-interface-stability: order-service: 2 of 10 contract commits judged in 2026-02-01 .. 2026-03-31 were breaking (20% > 15%)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning score-deploy-frequency: pricing: 0 deploys in 2026-02-01 .. 2026-03-31, 0.00 of its domain `all`'s average (alert below 0.5)"),
        "{stderr}"
    );
    let output = trellis()
        .args(base)
        .arg(h.path())
        .args(["--fail-on", "warning"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
}

/// (rule, severity, path, service) of the findings in a `--format json` card.
fn card_findings(card: &Value) -> Vec<(String, String, String, String)> {
    card["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings in {card:#}"))
        .iter()
        .map(|f| {
            let text = |key: &str| f[key].as_str().unwrap_or_default().to_string();
            (
                text("rule"),
                text("severity"),
                text("path"),
                text("service"),
            )
        })
        .collect()
}

fn finding(
    rule: &str,
    severity: &str,
    path: &str,
    service: &str,
) -> (String, String, String, String) {
    (rule.into(), severity.into(), path.into(), service.into())
}

#[test]
fn gates_are_findings_on_the_contract_or_manifest() {
    let h = shop_history();
    let output = score_in(h.path(), "json", &["--fail-under", "55"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let card: Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    let mut findings = card_findings(&card);
    findings.sort();
    let inventory = "services/inventory-service/go.mod";
    let order = "services/order-service/go.mod";
    let user = "services/user-service/go.mod";
    let pricing = service(&card, "pricing");
    let pricing_manifest = "crates/pricing/Cargo.toml";
    assert_eq!(pricing["name"], "pricing");
    let mut expected = vec![
        finding(
            "score-author-concentration",
            "warning",
            inventory,
            "inventory-service",
        ),
        finding(
            "score-author-concentration",
            "warning",
            order,
            "order-service",
        ),
        finding(
            "score-author-concentration",
            "warning",
            user,
            "user-service",
        ),
        finding(
            "score-deploy-frequency",
            "warning",
            inventory,
            "inventory-service",
        ),
        finding(
            "score-deploy-frequency",
            "warning",
            pricing_manifest,
            "pricing",
        ),
        finding("score-fail-under", "error", inventory, "inventory-service"),
        finding("score-fail-under", "error", pricing_manifest, "pricing"),
        finding(
            "score-interface-stability",
            "warning",
            ORDER_PROTO,
            "order-service",
        ),
    ];
    expected.sort();
    assert_eq!(findings, expected);

    // The same findings for CI: SARIF, GitHub annotations, JUnit.
    let output = score_in(h.path(), "sarif", &["--fail-under", "55"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let sarif: Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 8, "{sarif:#}");
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "score-interface-stability"
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == ORDER_PROTO),
        "{sarif:#}"
    );
    let output = score_in(h.path(), "github", &["--fail-under", "55"]);
    let github = stdout_of(&output);
    assert!(
        github.contains("::error file=services/inventory-service/go.mod")
            && github.contains("inventory-service scores 50 < 55"),
        "{github}"
    );
    let output = score_in(h.path(), "junit", &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert!(stdout_of(&output).contains("score-deploy-frequency"));
}

#[test]
fn score_findings_are_turned_off_relevelled_and_excepted_in_trellis_yaml() {
    let h = shop_history();
    // Not committed: the configuration is read from the work tree.
    std::fs::write(
        h.path().join("trellis.yaml"),
        "version: 1\nscore:\n  window: 2026-02-01\nrules:\n  score-author-concentration: off\n  score-deploy-frequency: error\nexceptions:\n  - rule: score-deploy-frequency\n    service: pricing\n    reason: pricing is released with the shop\n",
    )
    .unwrap();
    let output = score_in(h.path(), "json", &[]);
    // inventory-service's deploy frequency is an error now: exit 1.
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let card: Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    let mut findings = card_findings(&card);
    findings.sort();
    assert_eq!(
        findings,
        vec![
            finding(
                "score-deploy-frequency",
                "error",
                "services/inventory-service/go.mod",
                "inventory-service"
            ),
            finding(
                "score-interface-stability",
                "warning",
                ORDER_PROTO,
                "order-service"
            ),
        ]
    );

    // `trellis check --with score` gates on the same findings.
    let output = trellis()
        .args([
            "check", "--skip", "lint", "--skip", "drift", "--skip", "contract", "--with", "score",
            "--format", "json", "-C",
        ])
        .arg(h.path())
        .output()
        .unwrap();
    let report: Value = serde_json::from_str(&stdout_of(&output))
        .unwrap_or_else(|e| panic!("{e}: {}", stderr_of(&output)));
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    // `score.window` (a date) runs to today, so the same commits are in it.
    assert_eq!(
        rules,
        ["score-interface-stability", "score-deploy-frequency"],
        "{report:#}"
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn compare_is_a_ratchet_and_markdown_lists_changes() {
    let mut h = shop_history();
    h.branch("feature");
    // On the branch order-service starts reading `stock`, which
    // inventory-service owns: a second shared table, so its score drops.
    h.at("2026-03-20").author("Ada Lovelace", "ada@example.com");
    h.write(
        "services/order-service/internal/repo/stock.go",
        "package repo\n\nconst reserveStock = `SELECT quantity FROM stock WHERE sku = $1`\n",
    );
    h.commit("order: read stock directly");
    let output = trellis()
        .args([
            "score",
            "--since",
            "2026-02-01",
            "--until",
            "2026-03-31",
            "--format",
            "markdown",
            "--compare",
            "main",
            "-C",
        ])
        .arg(h.path())
        .output()
        .unwrap();
    let stdout = stdout_of(&output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{stdout}\n{}",
        stderr_of(&output)
    );
    assert!(stdout.contains("Compared with `main`."), "{stdout}");
    assert!(
        stdout.contains("- `order-service` data_coupling: 1 -> 2 (sub-score 50 -> 0)"),
        "{stdout}"
    );
    assert!(stdout.contains("**Scores dropped**"), "{stdout}");
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("score-ratchet: order-service dropped from"),
        "{stderr}"
    );
}

#[test]
fn empty_repository_and_empty_window() {
    let h = History::new();
    crate::support::write_tree(h.path(), &[("go.mod", "module example.com/x\n\ngo 1.22\n")]);
    let output = trellis()
        .args(["score", "-C"])
        .arg(h.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr_of(&output).contains("has no commits yet"),
        "{}",
        stderr_of(&output)
    );

    let h = shop_history();
    let output = trellis()
        .args([
            "score",
            "--since",
            "2025-01-01",
            "--until",
            "2025-01-31",
            "-C",
        ])
        .arg(h.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = stdout_of(&output);
    assert!(
        stdout.starts_with(
            "history no commits between 2025-01-01 and 2025-01-31; last commit on 2026-03-18\n"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("no data"), "{stdout}");

    // Every metric is unavailable with that reason, and no service has a score.
    let output = trellis()
        .args([
            "score",
            "--since",
            "2025-01-01",
            "--until",
            "2025-01-31",
            "--format",
            "json",
            "-C",
        ])
        .arg(h.path())
        .output()
        .unwrap();
    let card: Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    assert_eq!(card["history"]["last_commit"], "2026-03-18");
    let reason = "no commits between 2025-01-01 and 2025-01-31; last commit on 2026-03-18";
    for service in card["services"].as_array().unwrap() {
        assert_eq!(service["score"], Value::Null, "{service:#}");
        assert_eq!(service["score_metrics"], json!({"used": 0, "of": 4}));
        for metric in [
            "interface_stability",
            "data_coupling",
            "deploy_frequency",
            "author_concentration",
        ] {
            assert_eq!(
                service[metric]["status"], "unavailable",
                "{metric}: {service:#}"
            );
            assert_eq!(service[metric]["reason"], reason, "{metric}");
        }
    }
    let output = trellis()
        .args([
            "score",
            "--since",
            "2025-01-01",
            "--until",
            "2025-01-31",
            "--format",
            "markdown",
            "-C",
        ])
        .arg(h.path())
        .output()
        .unwrap();
    let markdown = stdout_of(&output);
    assert!(markdown.contains(reason), "{markdown}");
    assert!(
        markdown.contains("| order-service | no data |"),
        "{markdown}"
    );
}

#[test]
fn shallow_clone_says_what_is_incomplete() {
    let h = shop_history();
    let (_dir, clone) = h.shallow_clone(3);
    let output = score_in(&clone, "json", &[]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let card: Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    assert_eq!(card["history"]["shallow"], true);
    assert_eq!(card["history"]["commits"], 3);
    let incomplete: Vec<&str> = card["history"]["incomplete"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metric"].as_str().unwrap())
        .collect();
    assert!(incomplete.contains(&"commits"), "{incomplete:?}");
    assert!(incomplete.contains(&"deploy_frequency"), "{incomplete:?}");
    // The history behind the boundary is missing: the breaking-change alert
    // of the full history is not turned into a clean value.
    let order = service(&card, "order-service");
    for metric in [
        "interface_stability",
        "deploy_frequency",
        "author_concentration",
    ] {
        assert_eq!(
            order[metric]["status"], "unavailable",
            "{metric}: {order:#}"
        );
        assert!(
            order[metric]["reason"]
                .as_str()
                .unwrap()
                .contains("git fetch --unshallow"),
            "{metric}: {order:#}"
        );
    }
    // Today's tables do not need the history.
    assert_eq!(order["data_coupling"]["status"], "ok");
    assert_eq!(order["score_metrics"], json!({"used": 1, "of": 4}));
    // The boundary commit's whole tree is not counted as one big change.
    assert_eq!(card["history"]["file_changes"], 3);
}

#[test]
fn html_is_one_self_contained_page() {
    let h = shop_history();
    let out = h.path().join("score.html");
    let output = trellis()
        .args([
            "score",
            "--since",
            "2026-02-01",
            "--until",
            "2026-03-31",
            "--format",
            "html",
            "--output",
        ])
        .arg(&out)
        .arg("-C")
        .arg(h.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for needle in [
        "order-service",
        "<svg",
        "Temporal coupling",
        "Hotspots",
        "api/order/v1/order.proto",
        "2 breaking of 10 contract commits",
        "no activity",
        // An unavailable metric is grey with its reason on the page.
        r#"<tr class="na"><th>Interface stability</th>"#,
        r#"<div class="reason">no commit in the window changed the service&#39;s contracts</div>"#,
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }
    // The weekly charts carry their axes: 0 and the maximum on y, the first
    // and last week (with the year) on x; a series without activity says so.
    for axis in [
        r#"text-anchor="end">0</text>"#,
        r#"text-anchor="start">2026-01-26</text>"#,
        r#"text-anchor="end">2026-03-30</text>"#,
    ] {
        assert!(html.contains(axis), "missing axis label {axis}");
    }
    for forbidden in ["http://", "https://", "<script", "<link"] {
        assert!(
            !html.contains(forbidden),
            "the page must not load {forbidden}"
        );
    }
}

#[test]
fn a_contract_that_does_not_compile_is_unknown_not_breaking() {
    let mut h = History::new();
    h.fixture("shop").at("2026-01-10");
    h.commit("import the shop");
    h.at("2026-02-02");
    h.write(
        ORDER_PROTO,
        &order_proto(0, false, false).replace("message Order {", "message Order {{"),
    );
    h.commit("break the syntax");
    h.at("2026-02-03");
    h.write(ORDER_PROTO, &order_proto(1, false, false));
    h.commit("fix the syntax");
    let card = score_json(&h, &[]);
    let mut stability = service(&card, "order-service")["interface_stability"].clone();
    // Without half of the commits judged there is no ratio and no sub-score
    // (not "0 breaking, ok"), and the reason says why.
    let reason = stability["reason"].take();
    let reason = reason.as_str().unwrap_or_default();
    assert!(
        reason.starts_with(
            "2 of 2 contract commits could not be judged, as a side does not compile (for example "
        ),
        "{reason}"
    );
    assert!(
        reason.contains("api/order/v1/order.proto does not compile"),
        "{reason}"
    );
    assert_eq!(
        stability,
        json!({
            "contract_commits": 2, "breaking_commits": 0, "unknown_commits": 2,
            "ratio": null, "threshold": 0.15, "status": "unavailable", "breaking": [],
            "reason": null
        })
    );
    let order = service(&card, "order-service");
    assert_eq!(order["score_inputs"][0]["subscore"], Value::Null);
    // Without deploy tags deploy frequency has no data either: 2 of 4 metrics.
    assert_eq!(order["score_metrics"], json!({"used": 2, "of": 4}));
    // The reason survives the cache: a second run gives the same.
    let again = score_json(&h, &[]);
    assert_eq!(
        service(&again, "order-service")["interface_stability"]["reason"],
        reason
    );
}

fn score_output(h: &History, format: &str) -> String {
    let output = score_in(h.path(), format, &[]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    stdout_of(&output)
}

#[test]
fn text_and_markdown_reports() {
    let h = shop_history();
    insta::assert_snapshot!("score_text", score_output(&h, "text"));
    insta::assert_snapshot!("score_markdown", score_output(&h, "markdown"));
    // On a colour terminal what has no data is grey (ANSI bright black),
    // the columns still aligned by the visible text.
    let output = score_in(h.path(), "text", &["--color", "always"]);
    let text = stdout_of(&output);
    let pricing = text.lines().find(|l| l.starts_with("pricing")).unwrap();
    assert!(
        pricing.starts_with("pricing            50 (2 of 4)  \x1b[90m- ?\x1b[0m        0/0"),
        "{pricing:?}"
    );
}

#[test]
fn aliases_keep_history_across_a_rename() {
    let mut h = History::new();
    // user-service used to live in services/users.
    h.fixture("shop").at("2026-01-10");
    h.commit("import the shop");
    h.at("2026-02-02")
        .write("services/users/legacy.go", "package users\n")
        .write("services/users/more.go", "package users\n\nconst A = 1\n");
    h.commit("work in the old directory");
    h.write(
        "trellis.yaml",
        "version: 1\nscore:\n  aliases:\n    services/users: user-service\n",
    );
    h.commit("config");
    let card = score_json(&h, &[]);
    let user = service(&card, "user-service");
    assert_eq!(user["commits"], 1);
    assert_eq!(user["churn"]["added"], 4);

    h.write(
        "trellis.yaml",
        "version: 1\nscore:\n  aliases:\n    services/users: usr-service\n",
    );
    h.commit("typo");
    let output = trellis()
        .args(["score", "-C"])
        .arg(h.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("`services/users` maps to `usr-service`, which is not a service"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `user-service`"), "{stderr}");
}

#[test]
fn a_project_in_a_subdirectory_is_scored_on_its_own_paths() {
    let mut h = History::new();
    h.fixture_at("shop", "platform/shop").at("2026-02-02");
    h.commit("shop under platform/");
    let project_proto = format!("platform/shop/{ORDER_PROTO}");
    h.at("2026-02-03");
    h.write(&project_proto, &order_proto(0, true, false));
    h.commit("delete a field");
    // Outside the project: neither its services nor its hotspots.
    h.at("2026-02-04");
    h.write("legacy/services/order-service/main.go", "package main\n");
    h.commit("legacy change");

    // A merge of a branch that changed only paths outside the project is
    // another project's too; one whose branch changed the project is its.
    h.branch("legacy-work").at("2026-02-05");
    h.write("legacy/notes.txt", "outside\n");
    h.commit("legacy notes");
    h.checkout("main").at("2026-02-06");
    h.merge("legacy-work", "merge legacy work");
    h.branch("shop-work").at("2026-02-07");
    h.write(
        &format!("platform/shop/{USER_GO}"),
        &appended(USER_GO, &["// merged"]),
    );
    h.commit("user: merged note");
    h.checkout("main").at("2026-02-08");
    h.merge("shop-work", "merge shop work");

    let output = score_in(&h.path().join("platform/shop"), "json", &[]);
    let card: Value = serde_json::from_str(&stdout_of(&output))
        .unwrap_or_else(|e| panic!("{e}: {}", stderr_of(&output)));
    let order = service(&card, "order-service");
    assert_eq!(order["commits"], 2, "{order:#}");
    // The legacy commits and the merge of the legacy branch are another
    // project's: the project's 2 commits, the shop branch's and its merge.
    assert_eq!(card["history"]["commits"], 4, "{:#}", card["history"]);
    assert_eq!(card["history"]["merges"], 1, "{:#}", card["history"]);
    let stability = &order["interface_stability"];
    assert_eq!(stability["contract_commits"], 2);
    assert_eq!(stability["breaking_commits"], 1);
    assert_eq!(stability["unknown_commits"], 0);
    let hotspots: Vec<&str> = order["hotspots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["path"].as_str().unwrap())
        .collect();
    assert!(hotspots.contains(&ORDER_PROTO), "{hotspots:?}");
    assert!(
        hotspots
            .iter()
            .all(|p| !p.starts_with("platform/") && !p.starts_with("legacy/")),
        "{hotspots:?}"
    );
}

#[test]
fn bots_and_changelogs_are_left_out_unless_configured() {
    let mut h = History::new();
    h.fixture("shop").at("2026-01-10");
    h.commit("import the shop");
    // A bot bumps two services' go.mod at once; a person edits the changelog
    // and a service.
    h.at("2026-02-02")
        .author("dependabot[bot]", "bot@github.com")
        .write(INVENTORY_MOD, &appended(INVENTORY_MOD, &["// bump"]))
        .write(
            "services/order-service/go.mod",
            &appended("services/order-service/go.mod", &["// bump"]),
        );
    h.commit("bump");
    h.at("2026-02-03")
        .author("Ada Lovelace", "ada@example.com")
        .write("CHANGELOG.md", "# Changes\n\n- more\n")
        .write(ORDER_GO, &appended(ORDER_GO, &["// change"]));
    h.commit("order: change");
    let hotspot_paths = |card: &Value| -> Vec<String> {
        card["hotspots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["path"].as_str().unwrap().to_string())
            .collect()
    };
    let card = score_json(&h, &[]);
    assert_eq!(hotspot_paths(&card), [ORDER_GO]);
    assert_eq!(card["temporal_coupling"], json!([]));
    assert_eq!(card["history"]["bot_commits"], 1);
    assert_eq!(service(&card, "inventory-service")["commits"], 1);
    assert_eq!(service(&card, "inventory-service")["churn"]["added"], 0);

    std::fs::write(
        h.path().join("trellis.yaml"),
        "version: 1\nscore:\n  include-bot-commits: true\n  hotspot-ignore: []\n",
    )
    .unwrap();
    let card = score_json(&h, &[]);
    let mut paths = hotspot_paths(&card);
    paths.sort();
    assert_eq!(
        paths,
        [
            "CHANGELOG.md",
            INVENTORY_MOD,
            "services/order-service/go.mod",
            ORDER_GO
        ]
    );
    assert_eq!(card["temporal_coupling"][0]["shared_commits"], 1);
    assert_eq!(service(&card, "inventory-service")["churn"]["added"], 1);
}

#[test]
fn interface_stability_is_over_the_judged_commits_and_says_so() {
    let mut h = History::new();
    h.fixture("shop").at("2026-01-10");
    h.commit("import the shop");
    // Two commits that cannot be judged (the syntax breaks, then is fixed)
    // and two that can, one of them breaking.
    h.at("2026-02-02");
    h.write(
        ORDER_PROTO,
        &order_proto(0, false, false).replace("message Order {", "message Order {{"),
    );
    h.commit("break the syntax");
    h.at("2026-02-03");
    h.write(ORDER_PROTO, &order_proto(1, false, false));
    h.commit("fix the syntax");
    h.at("2026-02-04");
    h.write(ORDER_PROTO, &order_proto(2, false, false));
    h.commit("add a message");
    h.at("2026-02-05");
    h.write(ORDER_PROTO, &order_proto(2, true, false));
    h.commit("delete a field");
    let card = score_json(&h, &[]);
    let stability = &service(&card, "order-service")["interface_stability"];
    assert_eq!(stability["contract_commits"], 4, "{stability:#}");
    assert_eq!(stability["unknown_commits"], 2);
    assert_eq!(stability["breaking_commits"], 1);
    // 1 of the 2 judged, not 1 of 4.
    assert_eq!(stability["ratio"], 0.5);
    assert_eq!(stability["status"], "alert");
    let text = score_output(&h, "text");
    let row = text
        .lines()
        .find(|l| l.starts_with("order-service"))
        .unwrap();
    assert!(row.contains("1/2 of 4"), "{text}");
    let html = score_output(&h, "html");
    assert!(
        html.contains("1 breaking of 2 judged (50%); 2 of 4 contract commits could not be judged"),
        "{html}"
    );
}

/// A service name is text from the repository: in the Markdown scorecard it
/// must stay one table cell and render no HTML or link.
#[test]
fn markdown_escapes_service_names() {
    let mut h = History::new();
    h.at("2026-02-10");
    h.write(
        "trellis.yaml",
        "version: 1\nservices:\n  - {path: services/pay, name: \"pay|<b>x</b>[y](z)\"}\n",
    );
    h.write("services/pay/go.mod", "module example.com/pay\n\ngo 1.22\n");
    h.write(
        "services/pay/cmd/pay/main.go",
        "package main\n\nfunc main() {}\n",
    );
    h.commit("pay service");
    let output = score_in(h.path(), "markdown", &[]);
    let stdout = stdout_of(&output);
    let row = stdout
        .lines()
        .find(|l| l.starts_with("| pay"))
        .unwrap_or_else(|| panic!("{stdout}\n{}", stderr_of(&output)));
    assert!(
        row.starts_with("| pay\\|&lt;b&gt;x&lt;/b&gt;\\[y\\]\\(z\\) |"),
        "{row}"
    );
    assert!(!stdout.contains("<b>"), "{stdout}");
}
