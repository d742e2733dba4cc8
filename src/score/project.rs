//! A project in a directory of a larger repository (`trellis -C platform/shop
//! score`): the history is read for the whole repository, then every path is
//! rebased onto the project, and what lies outside it is left out, so
//! services, contracts, hotspots and the commit count are the project's.

use super::scan::ScanResult;

/// `path` relative to the project at `root` ("" for the whole repository),
/// or None when it lies outside.
pub(crate) fn in_project<'p>(path: &'p str, root: &str) -> Option<&'p str> {
    if root.is_empty() {
        return Some(path);
    }
    path.strip_prefix(root)?.strip_prefix('/')
}

/// Rebases a scan of the repository onto the project at `root`.
pub(crate) fn rebase(scan: &mut ScanResult, root: &str) {
    if root.is_empty() {
        return;
    }
    let listed_before_rebase: Vec<git2::Oid> = scan
        .commits
        .iter()
        .filter(|c| !c.files.is_empty())
        .map(|c| c.id)
        .collect();
    // A commit that changed files, none of them in the project, is another
    // project's: it counts in neither the history nor any metric. A merge
    // lists no files (as `git log` prints it) and is the project's when a
    // branch it merges ends in a commit of the project. Another commit that
    // lists none (an empty commit) cannot be placed and stays.
    for commit in &mut scan.commits {
        commit
            .files
            .retain_mut(|file| match in_project(&file.path, root) {
                Some(inside) => {
                    file.path = inside.into();
                    true
                }
                None => false,
            });
    }
    let listed: std::collections::HashSet<git2::Oid> = listed_before_rebase.into_iter().collect();
    let in_project_ids: std::collections::HashSet<git2::Oid> = scan
        .commits
        .iter()
        .filter(|c| !c.files.is_empty())
        .map(|c| c.id)
        .collect();
    scan.commits.retain(|commit| {
        if !commit.files.is_empty() {
            return true;
        }
        if listed.contains(&commit.id) {
            return false;
        }
        !commit.is_merge()
            || commit.parents[1..]
                .iter()
                .any(|parent| in_project_ids.contains(parent))
    });
    let head_lines = std::mem::take(&mut scan.head_lines);
    scan.head_lines = head_lines
        .into_iter()
        .filter_map(|(path, lines)| Some((in_project(&path, root)?.to_string(), lines)))
        .collect();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_inside_the_project_lose_its_directory() {
        assert_eq!(
            in_project("platform/shop/go.mod", "platform/shop"),
            Some("go.mod")
        );
        assert_eq!(
            in_project("platform/shopping/go.mod", "platform/shop"),
            None
        );
        assert_eq!(in_project("legacy/a.proto", "platform/shop"), None);
        assert_eq!(in_project("a/b.go", ""), Some("a/b.go"));
    }
}
