//! Where CI tools resolve finding paths from.
//!
//! Findings carry paths relative to the project root, which is what a person
//! ran trellis on. Code scanning, workflow annotations and test-report
//! widgets resolve paths from the root of the git checkout instead, so when
//! the project is a subdirectory of its repository the machine formats put
//! the project's place in the repository in front of every path.

use super::Related;
use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// `root`'s place inside the nearest enclosing git work tree, `/`-separated
/// ("" when `root` is the work tree's root or is in none). A `.git` file
/// counts like a directory: linked worktrees and submodules have one. Like
/// git, the search does not go up into a directory named in
/// `GIT_CEILING_DIRECTORIES`.
pub(crate) fn git_prefix(root: &Path) -> String {
    let ceilings: Vec<PathBuf> = std::env::var_os("GIT_CEILING_DIRECTORIES")
        .map(|list| {
            std::env::split_paths(&list)
                .filter(|dir| dir.is_absolute())
                .map(|dir| dir.canonicalize().unwrap_or(dir))
                .collect()
        })
        .unwrap_or_default();
    git_prefix_below(root, &ceilings)
}

fn git_prefix_below(root: &Path, ceilings: &[PathBuf]) -> String {
    // A relative `-C .` has no ancestors to walk; symlinked checkouts are
    // resolved so that the prefix is the one git itself would report.
    let Ok(root) = root.canonicalize() else {
        return String::new();
    };
    let mut dir = root.as_path();
    while !dir.join(".git").exists() {
        match dir.parent() {
            Some(parent) if !ceilings.iter().any(|c| c == parent) => dir = parent,
            _ => return String::new(),
        }
    }
    crate::fsutil::relative_path(dir, &root).unwrap_or_default()
}

/// `path` (relative to the project) as seen from the git root. Empty paths
/// stay empty: a repository-wide finding names no file in either view.
pub(crate) fn rebase<'a>(prefix: &str, path: &'a str) -> Cow<'a, str> {
    if prefix.is_empty() || path.is_empty() {
        return Cow::Borrowed(path);
    }
    // Findings may name files beside the project (`../shared/go.mod` from a
    // replace directive); resolve `..` lexically so the result is a plain
    // repository path. Past the git root there is nothing better to say.
    let mut parts: Vec<&str> = prefix.split('/').collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|last| *last != "..") => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    Cow::Owned(parts.join("/"))
}

/// `path:line:col`, as far as known: the form editors and terminals jump to.
pub(crate) fn location(path: &str, line: Option<u32>, column: Option<u32>) -> String {
    match (line, column) {
        (Some(line), Some(column)) => format!("{path}:{line}:{column}"),
        (Some(line), None) => format!("{path}:{line}"),
        _ => path.to_string(),
    }
}

/// One line naming a related location and what is there, `path` being the
/// related path as the format shows it.
pub(crate) fn related_line(path: &str, related: &Related) -> String {
    if path.is_empty() {
        return related.label.clone();
    }
    format!(
        "{}: {}",
        location(path, related.line, related.column),
        related.label
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_is_the_project_directory_under_the_git_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        let project = dir.path().join("contrib/registry/etcd");
        std::fs::create_dir_all(&project).unwrap();
        assert_eq!(git_prefix(&project), "contrib/registry/etcd");
        assert_eq!(git_prefix(dir.path()), "");
    }

    #[test]
    fn a_git_file_marks_a_worktree_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".git"),
            "gitdir: /elsewhere/.git/worktrees/x\n",
        )
        .unwrap();
        let project = dir.path().join("tools/shop");
        std::fs::create_dir_all(&project).unwrap();
        assert_eq!(git_prefix(&project), "tools/shop");
    }

    #[test]
    fn without_a_repository_paths_stay_project_relative() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("shop");
        std::fs::create_dir_all(&project).unwrap();
        // Only meaningful when the temp dir is outside any git work tree.
        if dir.path().ancestors().all(|d| !d.join(".git").exists()) {
            assert_eq!(git_prefix(&project), "");
        }
        assert_eq!(git_prefix(&dir.path().join("missing")), "");
    }

    #[test]
    fn the_search_stops_below_a_ceiling_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        let fixtures = dir.path().join("tests/fixtures");
        let project = fixtures.join("shop");
        std::fs::create_dir_all(&project).unwrap();
        let ceiling = fixtures.canonicalize().unwrap();
        assert_eq!(git_prefix_below(&project, &[ceiling]), "");
        assert_eq!(git_prefix_below(&project, &[]), "tests/fixtures/shop");
    }

    #[test]
    fn rebase_joins_and_resolves_parent_steps() {
        assert_eq!(rebase("", "a/b.go"), "a/b.go");
        assert_eq!(rebase("tools/shop", ""), "");
        assert_eq!(rebase("tools/shop", "a/b.go"), "tools/shop/a/b.go");
        assert_eq!(
            rebase("tools/shop", "../shared/go.mod"),
            "tools/shared/go.mod"
        );
        assert_eq!(rebase("tools", "../../../x.go"), "../../x.go");
    }
}
