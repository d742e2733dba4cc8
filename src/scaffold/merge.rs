//! Line-based three-way merge of one file, as `git merge-file` does it
//! (libgit2's xdiff, in memory), and the conflict markers `upgrade` writes.

use crate::error::InputError;

/// The label of "our" side: the service's file as it is on disk.
pub(crate) const OURS_LABEL: &str = "ours";
const OPEN_MARKER: &str = "<<<<<<< ours";
const CLOSE_MARKER_PREFIX: &str = ">>>>>>> template";

/// A merge's result: the content, with markers around each conflict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Merged {
    pub(crate) content: Vec<u8>,
    /// Conflicting hunks left in `content`.
    pub(crate) conflicts: usize,
}

/// The label of "their" side: `template <version>`.
pub(crate) fn their_label(version: &str) -> String {
    format!("template {version}")
}

/// Merges the template's change from `base` to `theirs` into `ours`.
/// An empty `base` (the version the file was generated from is unknown)
/// makes it a two-way merge: every difference is a conflict. `None` for
/// binary content, which has no lines to merge.
pub(crate) fn merge3<'a>(
    path: &str,
    base: &'a [u8],
    ours: &'a [u8],
    theirs: &'a [u8],
    their_label: &str,
) -> Result<Option<Merged>, InputError> {
    if [base, ours, theirs].iter().any(|c| c.contains(&0)) {
        return Ok(None);
    }
    // git2's merge_file does not initialise libgit2 (its allocator, its
    // error slots) as its other entry points do; a first merge then fails
    // with "no error". Creating a buffer runs that initialisation once.
    drop(git2::Buf::new());
    let input = |content: &'a [u8]| {
        let mut input = git2::MergeFileInput::new();
        input.content(content).path(path);
        input
    };
    let (base, ours, theirs) = (input(base), input(ours), input(theirs));
    let mut options = git2::MergeFileOptions::new();
    options
        .our_label(OURS_LABEL)
        .their_label(their_label)
        .ancestor_label("base")
        .style_standard(true);
    let result = git2::merge_file(&base, &ours, &theirs, Some(&mut options)).map_err(|e| {
        InputError::new(format!("cannot merge {path}: {}", e.message()))
            .help("the file may be binary; merge the template's version by hand")
    })?;
    let content = result.content().to_vec();
    let conflicts = if result.is_automergeable() {
        0
    } else {
        marker_lines(&content).max(1)
    };
    Ok(Some(Merged { content, conflicts }))
}

/// How many conflicts trellis left in `content` (its own opening markers;
/// a `<<<<<<<` line written for another reason is not counted).
pub(crate) fn marker_lines(content: &[u8]) -> usize {
    String::from_utf8_lossy(content)
        .lines()
        .filter(|line| line.trim_end_matches('\r') == OPEN_MARKER)
        .count()
}

/// True while `content` still holds a conflict `upgrade` wrote.
pub(crate) fn has_markers(content: &[u8]) -> bool {
    String::from_utf8_lossy(content).lines().any(|line| {
        let line = line.trim_end_matches('\r');
        line == OPEN_MARKER || line.starts_with(CLOSE_MARKER_PREFIX)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merge(base: &str, ours: &str, theirs: &str) -> (String, usize) {
        let merged = merge3(
            "f.go",
            base.as_bytes(),
            ours.as_bytes(),
            theirs.as_bytes(),
            "template v2",
        )
        .unwrap()
        .unwrap();
        (String::from_utf8(merged.content).unwrap(), merged.conflicts)
    }

    #[test]
    fn changes_to_different_lines_merge_cleanly() {
        let base = "a\nb\nc\nd\ne\n";
        let ours = "a\nB (mine)\nc\nd\ne\n";
        let theirs = "a\nb\nc\nd\nE (template)\n";
        assert_eq!(
            merge(base, ours, theirs),
            ("a\nB (mine)\nc\nd\nE (template)\n".to_string(), 0)
        );
    }

    #[test]
    fn changes_to_the_same_line_conflict_with_git_markers() {
        let (content, conflicts) = merge("a\nb\nc\n", "a\nmine\nc\n", "a\ntheirs\nc\n");
        assert_eq!(conflicts, 1);
        assert_eq!(
            content,
            "a\n<<<<<<< ours\nmine\n=======\ntheirs\n>>>>>>> template v2\nc\n"
        );
        assert!(has_markers(content.as_bytes()));
    }

    #[test]
    fn two_conflicts_are_counted() {
        // Conflicts closer than a few lines apart are shown as one, as git does.
        let base = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";
        let ours = "1\nx\n3\n4\n5\n6\n7\n8\ny\n10\n";
        let theirs = "1\nX\n3\n4\n5\n6\n7\n8\nY\n10\n";
        assert_eq!(merge(base, ours, theirs).1, 2);
    }

    #[test]
    fn an_unknown_base_is_a_two_way_merge() {
        let (content, conflicts) = merge("", "same\nmine\n", "same\ntheirs\n");
        assert!(conflicts >= 1, "{content}");
        assert!(content.contains("mine") && content.contains("theirs"));
        assert_eq!(merge("", "same\n", "same\n"), ("same\n".to_string(), 0));
    }

    #[test]
    fn binary_content_is_not_merged() {
        assert_eq!(merge3("f.bin", b"a\0", b"b\0", b"c\0", "t").unwrap(), None);
    }

    #[test]
    fn markers_of_other_tools_are_not_ours() {
        assert!(!has_markers(
            b"<<<<<<< HEAD\nx\n=======\ny\n>>>>>>> branch\n"
        ));
        assert!(has_markers(b"x\r\n<<<<<<< ours\r\n"));
        assert_eq!(
            marker_lines(b"<<<<<<< ours\n=======\n>>>>>>> template 2\n"),
            1
        );
    }
}
