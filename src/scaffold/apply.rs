//! All-or-nothing writes: every file is first written to a staging directory
//! next to the target, then moved into place; if a move fails, the files
//! already moved are taken back and the ones they replaced restored.

use super::staging::{self, Journal, Staging};
use crate::error::InputError;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Action {
    Create,
    Overwrite,
    /// A trellis-owned file rewritten because the contract changed.
    Regenerate,
    Skip,
    Unchanged,
    /// An untouched stub of an RPC gone from the contract (`sync --prune`).
    Delete,
    /// `new` without --force: a file exists with other content, so the
    /// run writes nothing at all.
    Conflict,
    /// `upgrade`: a file nobody edited, replaced by the new template's.
    Update,
    /// `upgrade`: the template's changes merged into a person's edits.
    Merge,
    /// `upgrade`: merged with conflict markers left to resolve.
    Conflicted,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::Create => "create",
            Action::Overwrite => "overwrite",
            Action::Regenerate => "regenerate",
            Action::Skip => "skip",
            Action::Unchanged => "unchanged",
            Action::Delete => "delete",
            Action::Conflict => "conflict",
            Action::Update => "update",
            Action::Merge => "merge",
            Action::Conflicted => "conflicted",
        })
    }
}

impl Action {
    pub(crate) fn writes(self) -> bool {
        matches!(
            self,
            Action::Create
                | Action::Overwrite
                | Action::Regenerate
                | Action::Update
                | Action::Merge
                | Action::Conflicted
        )
    }

    /// Writes or deletes: what `apply` acts on.
    pub(crate) fn changes(self) -> bool {
        self.writes() || self == Action::Delete
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct PlannedFile {
    pub(crate) path: String,
    pub(crate) action: Action,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reason: Option<String>,
    #[serde(skip)]
    pub(crate) content: Vec<u8>,
}

/// Refuses to write through a symbolic link that already exists in the
/// target (it could point anywhere).
pub(crate) fn check_no_symlinks(root: &Path, rel: &str) -> Result<(), String> {
    let mut current = root.to_path_buf();
    for part in rel.split('/') {
        current.push(part);
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(format!(
                    "{} is a symbolic link; trellis does not write through links",
                    current.display()
                ));
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    Ok(())
}

/// Writes (and deletes) the files whose action says so, all or none. The
/// caller holds the [`staging::OutputLock`] of `root` when `root` exists.
pub(crate) fn apply(root: &Path, files: &[PlannedFile]) -> Result<(), InputError> {
    let writes: Vec<&PlannedFile> = files.iter().filter(|f| f.action.changes()).collect();
    if writes.is_empty() {
        return Ok(());
    }
    if std::fs::symlink_metadata(root).is_err() {
        return apply_fresh(root, &writes);
    }
    apply_into_existing(root, &writes)
}

/// A new service directory is built whole beside its target and renamed
/// into place, so a run that dies leaves no half-written service.
fn apply_fresh(root: &Path, writes: &[&PlannedFile]) -> Result<(), InputError> {
    let parent = staging::parent_of(root);
    std::fs::create_dir_all(&parent).map_err(|e| write_error(&parent, &e))?;
    let staging = Staging::create(&parent, staging::NEW_PREFIX)?;
    let built = staging.path().join("service");
    for file in writes.iter().filter(|f| f.action.writes()) {
        write_new(&built.join(&file.path), &file.content)
            .map_err(|e| write_error(&root.join(&file.path), &e))?;
    }
    staging::pause_for_tests("staged");
    if let Err(err) = std::fs::rename(&built, root) {
        if std::fs::symlink_metadata(root).is_ok() {
            return Err(InputError::new(format!(
                "{} was created by another process while trellis was writing it; nothing was written",
                root.display()
            ))
            .help("run the command again to see what is there now"));
        }
        return Err(write_error(root, &err));
    }
    Ok(())
}

/// Into an existing directory: every file is staged first; then each target
/// is moved to a backup and replaced. The journal lets a later run undo
/// the moves if this process dies midway (see [`staging::recover`]).
fn apply_into_existing(root: &Path, writes: &[&PlannedFile]) -> Result<(), InputError> {
    let staging = Staging::create(root, staging::STAGING_PREFIX)?;
    let new_dir = staging.path().join("new");
    let backup_dir = staging.path().join("backup");
    for file in writes.iter().filter(|f| f.action.writes()) {
        write_new(&new_dir.join(&file.path), &file.content)
            .map_err(|e| write_error(&root.join(&file.path), &e))?;
    }
    let journal = Journal::plan(root, writes);
    journal
        .write(staging.path())
        .map_err(|e| write_error(staging.path(), &e))?;
    let mut moved: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    let result = (|| -> Result<(), (PathBuf, std::io::Error)> {
        for dir in &journal.created_dirs {
            let dir = root.join(dir);
            std::fs::create_dir_all(&dir).map_err(|e| (dir.clone(), e))?;
        }
        for file in writes {
            let target = root.join(&file.path);
            let backup = if std::fs::symlink_metadata(&target).is_ok() {
                let backup = backup_dir.join(&file.path);
                if let Some(dir) = backup.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| (dir.to_path_buf(), e))?;
                }
                std::fs::rename(&target, &backup).map_err(|e| (target.clone(), e))?;
                Some(backup)
            } else {
                None
            };
            moved.push((target.clone(), backup));
            // A deleted file stays in the backup until the run ends, so a
            // failure later on (or recovery) can put it back.
            if file.action.writes() {
                std::fs::rename(new_dir.join(&file.path), &target)
                    .map_err(|e| (target.clone(), e))?;
            }
            staging::pause_for_tests("moving");
        }
        Ok(())
    })();
    if let Err((path, err)) = result {
        for (target, backup) in moved.iter().rev() {
            let _ = std::fs::remove_file(target);
            if let Some(backup) = backup {
                let _ = std::fs::rename(backup, target);
            }
        }
        for dir in journal.created_dirs.iter().rev() {
            let _ = std::fs::remove_dir(root.join(dir));
        }
        return Err(write_error(&path, &err));
    }
    Ok(())
}

/// A write that failed because of the machine (a full disk, permissions):
/// exit 2 with the path, and the promise that nothing changed.
fn write_error(path: &Path, err: &std::io::Error) -> InputError {
    InputError::new(format!("cannot write {}: {err}", path.display())).help(
        "nothing was changed; check free disk space and permissions, then run the command again",
    )
}

fn write_new(path: &Path, content: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, content)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(path: &str, action: Action, content: &str) -> PlannedFile {
        PlannedFile {
            path: path.into(),
            action,
            reason: None,
            content: content.as_bytes().to_vec(),
        }
    }

    #[test]
    fn new_directory_is_created_whole() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("svc");
        apply(&root, &[planned("a/b.txt", Action::Create, "x")]).unwrap();
        assert_eq!(std::fs::read_to_string(root.join("a/b.txt")).unwrap(), "x");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no staging directory left behind");
    }

    #[test]
    fn a_deletion_is_undone_with_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("gone.txt"), "old").unwrap();
        std::fs::write(root.join("blocker"), "file").unwrap();
        let result = apply(
            root,
            &[
                planned("gone.txt", Action::Delete, ""),
                planned("blocker/x.txt", Action::Create, "x"),
            ],
        );
        assert!(result.is_err());
        assert_eq!(
            std::fs::read_to_string(root.join("gone.txt")).unwrap(),
            "old"
        );

        apply(root, &[planned("gone.txt", Action::Delete, "")]).unwrap();
        assert!(!root.join("gone.txt").exists());
        let left: Vec<_> = std::fs::read_dir(root)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["blocker"], "no staging directory left behind");
    }

    #[test]
    fn failure_midway_restores_the_tree() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("keep.txt"), "old").unwrap();
        // `blocker` is a file, so `blocker/x.txt` cannot be created.
        std::fs::write(root.join("blocker"), "file").unwrap();
        let result = apply(
            root,
            &[
                planned("keep.txt", Action::Overwrite, "new"),
                planned("fresh/y.txt", Action::Create, "y"),
                planned("blocker/x.txt", Action::Create, "x"),
            ],
        );
        assert!(result.is_err());
        assert_eq!(
            std::fs::read_to_string(root.join("keep.txt")).unwrap(),
            "old"
        );
        assert!(!root.join("fresh").exists());
    }
}
