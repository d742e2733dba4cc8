//! All-or-nothing writes: every file is first written to a staging directory
//! next to the target, then moved into place; if a move fails, the files
//! already moved are taken back and the ones they replaced restored.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Overwrite,
    /// A trellis-owned file rewritten because the contract changed.
    Regenerate,
    Skip,
    Unchanged,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::Create => "create",
            Action::Overwrite => "overwrite",
            Action::Regenerate => "regenerate",
            Action::Skip => "skip",
            Action::Unchanged => "unchanged",
        })
    }
}

impl Action {
    pub fn writes(self) -> bool {
        matches!(
            self,
            Action::Create | Action::Overwrite | Action::Regenerate
        )
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct PlannedFile {
    pub path: String,
    pub action: Action,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip)]
    pub content: Vec<u8>,
}

/// Refuses to write through a symbolic link that already exists in the
/// target (it could point anywhere).
pub fn check_no_symlinks(root: &Path, rel: &str) -> Result<(), String> {
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

/// Writes the files whose action writes, all or none.
pub fn apply(root: &Path, files: &[PlannedFile]) -> anyhow::Result<()> {
    let writes: Vec<&PlannedFile> = files.iter().filter(|f| f.action.writes()).collect();
    if writes.is_empty() {
        return Ok(());
    }
    let parent = root
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // A new service directory is built whole and renamed into place.
    if !root.exists() {
        std::fs::create_dir_all(parent)?;
        let staging = tempfile::Builder::new()
            .prefix(".trellis-new-")
            .tempdir_in(parent)?;
        let built = staging.path().join("service");
        for file in &writes {
            write_new(&built.join(&file.path), &file.content)?;
        }
        std::fs::rename(&built, root)?;
        return Ok(());
    }
    let staging = tempfile::Builder::new()
        .prefix(".trellis-staging-")
        .tempdir_in(root)?;
    let new_dir = staging.path().join("new");
    let backup_dir = staging.path().join("backup");
    for file in &writes {
        write_new(&new_dir.join(&file.path), &file.content)?;
    }
    let mut moved: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    let mut created_dirs: Vec<PathBuf> = Vec::new();
    let result = (|| -> std::io::Result<()> {
        for file in &writes {
            let target = root.join(&file.path);
            if let Some(dir) = target.parent() {
                let mut missing = Vec::new();
                let mut probe = dir.to_path_buf();
                while !probe.exists() {
                    missing.push(probe.clone());
                    if !probe.pop() {
                        break;
                    }
                }
                std::fs::create_dir_all(dir)?;
                created_dirs.extend(missing.into_iter().rev());
            }
            let backup = if target.exists() {
                let backup = backup_dir.join(&file.path);
                if let Some(dir) = backup.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                std::fs::rename(&target, &backup)?;
                Some(backup)
            } else {
                None
            };
            moved.push((target.clone(), backup));
            std::fs::rename(new_dir.join(&file.path), &target)?;
        }
        Ok(())
    })();
    if let Err(err) = result {
        for (target, backup) in moved.iter().rev() {
            let _ = std::fs::remove_file(target);
            if let Some(backup) = backup {
                let _ = std::fs::rename(backup, target);
            }
        }
        for dir in created_dirs.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
        return Err(anyhow::anyhow!(
            "writing the files failed, nothing was changed: {err}"
        ));
    }
    Ok(())
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
