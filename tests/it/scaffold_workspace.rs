//! `trellis new service` inside a repository that already has Go modules:
//! the go.work gains a `use` of the service (without it the go command
//! refuses to run the generation steps there), and the module path follows
//! the repository's layout when `--module` is not given. Found on a public
//! go.work monorepo (Go 1.23 workspace, modules named after their
//! directories), where `new` failed at its first step.

use crate::scaffold::{new_service, snapshot};
use crate::support::{stderr_of, stdout_of, write_tree};
use std::path::Path;

/// A workspace on an older Go, with a toolchain line and one service module
/// named after its directory.
fn shop(root: &Path) {
    write_tree(
        root,
        &[
            (
                "go.work",
                "go 1.23.0\n\ntoolchain go1.23.11\n\nuse (\n\t./app/cart\n\t./common\n)\n",
            ),
            (
                "app/cart/go.mod",
                "module example.com/shop/app/cart\n\ngo 1.23.0\n",
            ),
            (
                "common/go.mod",
                "module example.com/shop/common\n\ngo 1.23.0\n",
            ),
        ],
    );
}

#[test]
fn a_service_in_a_go_work_is_used_by_it_and_named_after_the_layout() {
    let tmp = tempfile::tempdir().unwrap();
    shop(tmp.path());
    let out = new_service(tmp.path(), &["ledger", "--dir", "app/ledger"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("go.work")).unwrap(),
        "go 1.26.0\n\nuse (\n\t./app/cart\n\t./common\n)\n\nuse ./app/ledger\n"
    );
    let gomod = std::fs::read_to_string(tmp.path().join("app/ledger/go.mod")).unwrap();
    assert!(
        gomod.starts_with("module example.com/shop/app/ledger\n"),
        "{gomod}"
    );
    let text = stdout_of(&out);
    assert!(
        text.lines().any(|l| l
            == "overwrite  go.work  (use ./app/ledger; go 1.23.0 -> 1.26.0, the service's go line; toolchain go1.23.11 dropped)"),
        "{text}"
    );
    assert!(
        text.contains("module example.com/shop/app/ledger, from the workspace's layout: app/cart is example.com/shop/app/cart"),
        "{text}"
    );
    // The go.work is shown by its own path, not through the service's.
    assert!(!text.contains("ledger/.."), "{text}");
    let state =
        std::fs::read_to_string(tmp.path().join("app/ledger/.trellis/scaffold.json")).unwrap();
    assert!(
        state.contains("\"module\": \"example.com/shop/app/ledger\""),
        "{state}"
    );
}

#[test]
fn a_dry_run_lists_the_go_work_edit_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    shop(tmp.path());
    let before = snapshot(tmp.path());
    let out = new_service(tmp.path(), &["ledger", "--dir", "app/ledger", "--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(
        stdout_of(&out).contains("use ./app/ledger"),
        "{}",
        stdout_of(&out)
    );
    assert_eq!(snapshot(tmp.path()), before);
}

#[test]
fn a_given_module_path_is_kept_and_a_current_workspace_is_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    write_tree(
        tmp.path(),
        &[
            ("go.work", "go 1.26.0\n\nuse ./ledger\n"),
            ("ledger/.keep", ""),
        ],
    );
    let out = new_service(tmp.path(), &["ledger", "--module", "acme.dev/ledger"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("go.work")).unwrap(),
        "go 1.26.0\n\nuse ./ledger\n"
    );
    let gomod = std::fs::read_to_string(tmp.path().join("ledger/go.mod")).unwrap();
    assert!(gomod.starts_with("module acme.dev/ledger\n"), "{gomod}");
}

#[test]
fn a_service_inside_a_single_module_repository_extends_its_path() {
    let tmp = tempfile::tempdir().unwrap();
    write_tree(
        tmp.path(),
        &[("go.mod", "module github.com/acme/shop\n\ngo 1.22\n")],
    );
    let out = new_service(tmp.path(), &["ledger", "--dir", "app/ledger"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let gomod = std::fs::read_to_string(tmp.path().join("app/ledger/go.mod")).unwrap();
    assert!(
        gomod.starts_with("module github.com/acme/shop/app/ledger\n"),
        "{gomod}"
    );
    assert!(!tmp.path().join("go.work").exists());
}

#[test]
fn a_broken_go_work_is_an_input_error_naming_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    write_tree(tmp.path(), &[("go.work", "go 1.26.0\n\nuse (\n")]);
    let before = snapshot(tmp.path());
    let out = new_service(tmp.path(), &["ledger"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout_of(&out));
    let err = stderr_of(&out);
    assert!(err.contains("go.work"), "{err}");
    assert_eq!(snapshot(tmp.path()), before);
}
