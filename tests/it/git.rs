//! The git layer against real repositories built by the history helper.

use crate::support::history::History;
use trellis::git::Git;

fn two_branch_history() -> History {
    let mut h = History::new();
    h.write("api/a.proto", "syntax = \"proto3\";\n")
        .write("README.md", "one\n");
    h.commit("initial");
    h.tag("v1.0.0");
    h.branch("feature");
    h.write("api/a.proto", "syntax = \"proto3\";\npackage a;\n");
    h.commit("feature change");
    h.checkout("main");
    h.write("README.md", "two\n");
    h.commit("main change");
    h.checkout("feature");
    h
}

#[test]
fn resolves_branches_tags_and_shas() {
    let h = two_branch_history();
    let git = Git::open(h.path()).unwrap();
    let main = git.resolve("main").unwrap();
    assert_eq!(git.resolve(&main.to_string()).unwrap(), main);
    assert_eq!(git.resolve(&main.to_string()[..8]).unwrap(), main);
    let tag = git.resolve("v1.0.0").unwrap();
    let base = git.merge_base(git.head().unwrap(), main).unwrap();
    assert_eq!(base, tag);
}

#[test]
fn unknown_ref_names_the_ref_and_the_repository() {
    let h = two_branch_history();
    let git = Git::open(h.path()).unwrap();
    let err = git.resolve("no-such-branch").unwrap_err();
    assert!(
        err.message.contains("unknown revision `no-such-branch`"),
        "{err:?}"
    );
    assert!(
        err.message.contains(&h.path().display().to_string()),
        "{err:?}"
    );
    assert!(
        err.help
            .unwrap()
            .contains("git fetch origin no-such-branch")
    );
}

#[test]
fn reads_files_and_trees_at_a_revision_without_the_work_tree() {
    let h = two_branch_history();
    let git = Git::open(h.path()).unwrap();
    let main = git.resolve("main").unwrap();
    let text = git.read_at(main, "api/a.proto").unwrap().unwrap();
    assert_eq!(text, b"syntax = \"proto3\";\n");
    assert_eq!(git.read_at(main, "missing.txt").unwrap(), None);
    let files = git.files_at(main, "api").unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].path, "api/a.proto");
    assert_eq!(git.files_at(main, "nope").unwrap(), vec![]);
}

#[test]
fn changed_since_includes_work_tree_and_untracked_files() {
    let h = two_branch_history();
    let git = Git::open(h.path()).unwrap();
    std::fs::write(h.path().join("new.go"), "package x\n").unwrap();
    let base = git
        .merge_base(git.head().unwrap(), git.resolve("main").unwrap())
        .unwrap();
    let changed = git.changed_since(base).unwrap();
    assert_eq!(changed, ["api/a.proto", "new.go"]);
}

#[test]
fn staged_files_come_with_their_index_blobs() {
    let h = two_branch_history();
    let git = Git::open(h.path()).unwrap();
    std::fs::write(h.path().join("staged.go"), "package staged\n").unwrap();
    let mut index = h.repo.index().unwrap();
    index.add_path(std::path::Path::new("staged.go")).unwrap();
    index.write().unwrap();
    // The work tree changes after staging; the index blob is what counts.
    std::fs::write(h.path().join("staged.go"), "package changed\n").unwrap();
    let staged = git.staged().unwrap();
    assert_eq!(staged.len(), 1);
    assert_eq!(staged[0].path, "staged.go");
    assert_eq!(git.blob(staged[0].blob).unwrap(), b"package staged\n");
}

#[test]
fn lists_tags_with_times() {
    let mut h = History::new();
    h.at("2026-03-01").write("a", "1").commit("one");
    h.tag("order-service/v1.0.0");
    h.at("2026-03-02").write("a", "2").commit("two");
    h.annotated_tag("order-service/v1.1.0", "release");
    let git = Git::open(h.path()).unwrap();
    let tags = git.tags().unwrap();
    let names: Vec<_> = tags.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["order-service/v1.0.0", "order-service/v1.1.0"]);
    assert_eq!(tags[0].time, crate::support::history::date("2026-03-01"));
}

#[test]
fn empty_repository_is_detected_and_explained() {
    let h = History::new();
    let git = Git::open(h.path()).unwrap();
    assert!(git.is_empty());
    let err = git.head().unwrap_err();
    assert!(err.message.contains("has no commits yet"), "{err:?}");
    let err = git.resolve("main").unwrap_err();
    assert!(err.help.unwrap().contains("no commits"));
}

#[test]
fn shallow_clone_is_detected_and_missing_history_explained() {
    let h = two_branch_history();
    let (_keep, clone) = h.shallow_clone(1);
    let git = Git::open(&clone).unwrap();
    assert!(git.is_shallow());
    let err = git.resolve("v1.0.0^").unwrap_err();
    assert!(
        err.help.unwrap().contains("shallow"),
        "shallow clones say how to fetch more"
    );
}

#[test]
fn outside_a_repository_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = Git::open(dir.path()).err().unwrap();
    assert!(err.message.contains("is not inside a git repository"));
}

#[test]
fn default_branch_is_found() {
    let h = two_branch_history();
    let git = Git::open(h.path()).unwrap();
    assert_eq!(git.default_branch().as_deref(), Some("main"));
}
