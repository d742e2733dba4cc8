//! Staging directories, the lock on an output directory, and recovery from
//! a run that was killed (`kill -9`, a power cut) while it wrote.
//!
//! Every staging directory holds a `lock` file that its process keeps
//! locked (an OS file lock, released by the kernel when the process dies)
//! and in which it writes its pid once locked. A later run that can take
//! that lock knows the owner is gone: it undoes what the owner moved (from
//! the `journal`), puts the replaced files back (from `backup/`) and
//! removes the directory.

use crate::error::InputError;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Beside the target: a new service directory being built whole.
pub(crate) const NEW_PREFIX: &str = ".trellis-new-";
/// Inside the target: files staged for an existing directory.
pub(crate) const STAGING_PREFIX: &str = ".trellis-staging-";
/// A staging directory without a pid in its lock file may be one that
/// another process has just created; only this old is it taken as stale.
const UNCLAIMED_GRACE: std::time::Duration = std::time::Duration::from_secs(60);

/// The directory `root` is created in.
pub(crate) fn parent_of(root: &Path) -> PathBuf {
    root.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

/// A staging directory owned by this process; removed when dropped.
pub(crate) struct Staging {
    // Declared first so it is closed before the directory is removed
    // (Windows cannot remove an open file).
    _lock: File,
    dir: tempfile::TempDir,
}

impl Staging {
    pub(crate) fn create(parent: &Path, prefix: &str) -> Result<Staging, InputError> {
        let failed = |e: std::io::Error| {
            InputError::new(format!(
                "cannot create a staging directory in {}: {e}",
                parent.display()
            ))
            .help("nothing was changed; check free disk space and permissions, then run the command again")
        };
        let dir = tempfile::Builder::new()
            .prefix(prefix)
            .tempdir_in(parent)
            .map_err(failed)?;
        let mut lock = File::create(dir.path().join("lock")).map_err(failed)?;
        lock.try_lock()
            .map_err(|e| failed(std::io::Error::other(e)))?;
        // Written only once locked: a pid in an unlocked file means a dead owner.
        writeln!(lock, "{}", std::process::id()).map_err(failed)?;
        Ok(Staging { _lock: lock, dir })
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Exclusive use of an existing output directory for one run of `new` or
/// `sync`, from planning to the last write; released when dropped.
pub(crate) struct OutputLock {
    _dir: Option<File>,
}

impl OutputLock {
    /// Locks `root` if it exists; a directory that does not exist yet is
    /// claimed by the rename that creates it (see `apply`).
    pub(crate) fn acquire(root: &Path) -> Result<OutputLock, InputError> {
        if !root.is_dir() {
            return Ok(OutputLock { _dir: None });
        }
        #[cfg(unix)]
        {
            let dir = File::open(root).map_err(|e| {
                InputError::new(format!("cannot open {}: {e}", root.display()))
                    .help("check the directory's permissions")
            })?;
            match dir.try_lock() {
                Ok(()) => Ok(OutputLock { _dir: Some(dir) }),
                Err(std::fs::TryLockError::WouldBlock) => Err(InputError::new(format!(
                    "another trellis is writing into {}",
                    root.display()
                ))
                .help("nothing was written; wait for it to finish, then run the command again")),
                // A file system without locks (some network mounts): go on
                // unlocked, as trellis did before it locked at all.
                Err(std::fs::TryLockError::Error(_)) => Ok(OutputLock { _dir: None }),
            }
        }
        #[cfg(not(unix))]
        Ok(OutputLock { _dir: None })
    }
}

/// What a killed run had planned: the files it writes, in order, with the
/// hash of each new content, and the directories it creates.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Journal {
    pub(crate) files: Vec<JournalFile>,
    /// Relative to the target, parents before children.
    pub(crate) created_dirs: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct JournalFile {
    pub(crate) path: String,
    pub(crate) sha256: String,
}

impl Journal {
    pub(crate) fn plan(root: &Path, writes: &[&super::apply::PlannedFile]) -> Journal {
        let mut created_dirs: Vec<String> = Vec::new();
        for file in writes {
            let mut prefix = String::new();
            let parts: Vec<&str> = file.path.split('/').collect();
            for part in &parts[..parts.len().saturating_sub(1)] {
                prefix = crate::fsutil::join_relative(&prefix, part);
                if !root.join(&prefix).exists() && !created_dirs.contains(&prefix) {
                    created_dirs.push(prefix.clone());
                }
            }
        }
        Journal {
            files: writes
                .iter()
                .map(|f| JournalFile {
                    path: f.path.clone(),
                    // A deletion leaves no content of ours: recovery puts
                    // the backup back only while the path stays empty.
                    sha256: if f.action.writes() {
                        super::state::hash(&f.content)
                    } else {
                        String::new()
                    },
                })
                .collect(),
            created_dirs,
        }
    }

    pub(crate) fn write(&self, staging: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string(self).map_err(std::io::Error::other)?;
        let mut file = File::create(staging.join("journal"))?;
        file.write_all(text.as_bytes())?;
        // Recovery relies on it; it must be on disk before the first move.
        file.sync_all()
    }
}

/// One interrupted run that [`recover`] undid.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Recovered {
    pub(crate) staging: PathBuf,
    /// Files put back from the backup.
    pub(crate) restored: Vec<String>,
    /// Files the interrupted run had created, removed again.
    pub(crate) removed: Vec<String>,
    /// For a dry run, what the undo would leave at each path it touches:
    /// the backup's copy, or nothing; the plan is made against that.
    #[serde(skip)]
    pub(crate) would_leave: Vec<(String, Option<PathBuf>)>,
}

/// The content a path would have once `recovered` is undone, if the undo
/// touches it: `Some(None)` for a file it removes.
pub(crate) fn content_after(recovered: &[Recovered], rel: &str) -> Option<Option<Vec<u8>>> {
    recovered
        .iter()
        .flat_map(|r| r.would_leave.iter())
        .find(|(path, _)| path == rel)
        .map(|(_, backup)| backup.as_ref().and_then(|b| std::fs::read(b).ok()))
}

/// Undoes the runs of dead processes that wrote into `root` (staging inside
/// it) or were building `root` (staging beside it). With `dry_run`, only
/// reports what it would undo.
pub(crate) fn recover(root: &Path, dry_run: bool) -> Result<Vec<Recovered>, InputError> {
    let mut recovered = Vec::new();
    for staging in stale_staging(&parent_of(root), NEW_PREFIX) {
        // Nothing of a service built beside its target reached the target.
        if !dry_run {
            remove_staging(&staging)?;
        }
        recovered.push(Recovered {
            staging,
            restored: Vec::new(),
            removed: Vec::new(),
            would_leave: Vec::new(),
        });
    }
    if root.is_dir() {
        for staging in stale_staging(root, STAGING_PREFIX) {
            recovered.push(undo(root, &staging, dry_run)?);
        }
    }
    Ok(recovered)
}

/// The staging directories under `dir` whose owner is gone.
fn stale_staging(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut stale: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .filter(|path| owner_is_gone(path))
        .collect();
    stale.sort();
    stale
}

fn owner_is_gone(staging: &Path) -> bool {
    let claimed = match File::options()
        .read(true)
        .write(true)
        .open(staging.join("lock"))
    {
        Ok(lock) => {
            if lock.try_lock().is_err() {
                return false;
            }
            std::fs::read_to_string(staging.join("lock")).is_ok_and(|pid| !pid.trim().is_empty())
        }
        Err(_) => false,
    };
    claimed
        || std::fs::symlink_metadata(staging)
            .and_then(|m| m.modified())
            .is_ok_and(|modified| modified.elapsed().is_ok_and(|age| age > UNCLAIMED_GRACE))
}

/// Puts back what a killed run into `root` replaced and removes what it
/// created, from its journal; a file changed since is left as it is, and
/// so is the staging directory, which then still holds the original.
fn undo(root: &Path, staging: &Path, dry_run: bool) -> Result<Recovered, InputError> {
    let mut recovered = Recovered {
        staging: staging.to_path_buf(),
        restored: Vec::new(),
        removed: Vec::new(),
        would_leave: Vec::new(),
    };
    let journal: Option<Journal> = std::fs::read_to_string(staging.join("journal"))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());
    // Killed before the journal was written: nothing was moved yet.
    let Some(journal) = journal else {
        if !dry_run {
            remove_staging(staging)?;
        }
        return Ok(recovered);
    };
    let mut changed_since = Vec::new();
    for file in journal.files.iter().rev() {
        if super::template::check_relative(&file.path).is_err() {
            continue;
        }
        let target = root.join(&file.path);
        let backup = staging.join("backup").join(&file.path);
        let ours = std::fs::read(&target).is_ok_and(|b| super::state::hash(&b) == file.sha256);
        let missing = std::fs::symlink_metadata(&target).is_err();
        let has_backup = std::fs::symlink_metadata(&backup).is_ok();
        if has_backup && (ours || missing) {
            if dry_run {
                recovered
                    .would_leave
                    .push((file.path.clone(), Some(backup)));
            } else {
                std::fs::rename(&backup, &target).map_err(|e| recovery_error(&target, &e))?;
            }
            recovered.restored.push(file.path.clone());
        } else if has_backup {
            changed_since.push(file.path.clone());
        } else if ours && !staging.join("new").join(&file.path).exists() {
            if dry_run {
                recovered.would_leave.push((file.path.clone(), None));
            } else {
                std::fs::remove_file(&target).map_err(|e| recovery_error(&target, &e))?;
            }
            recovered.removed.push(file.path.clone());
        }
    }
    if !dry_run {
        for dir in journal.created_dirs.iter().rev() {
            if super::template::check_relative(dir).is_ok() {
                // Only if empty: anything in it now is not ours to delete.
                let _ = std::fs::remove_dir(root.join(dir));
            }
        }
    }
    if !changed_since.is_empty() {
        return Err(InputError::new(format!(
            "an interrupted trellis run left {}; {} changed since, so the original is kept there",
            staging.display(),
            changed_since.join(", ")
        ))
        .help(format!(
            "compare with the copies under {}/backup, keep what you need, delete the directory and run the command again",
            staging.display()
        )));
    }
    if !dry_run {
        remove_staging(staging)?;
    }
    Ok(recovered)
}

fn remove_staging(staging: &Path) -> Result<(), InputError> {
    std::fs::remove_dir_all(staging).map_err(|e| recovery_error(staging, &e))
}

fn recovery_error(path: &Path, err: &std::io::Error) -> InputError {
    InputError::new(format!(
        "cannot clean up after an interrupted trellis run: {}: {err}",
        path.display()
    ))
    .help("check the permissions; docs/scaffold.md describes how to recover by hand")
}

/// Test builds only: `TRELLIS_TEST_PAUSE=<point>` stops the run there
/// until a line (or the end) arrives on stdin, so that a test can kill it
/// or race another run against it at a known moment. Release builds have
/// no hook.
pub(crate) fn pause_for_tests(point: &str) {
    #[cfg(debug_assertions)]
    if std::env::var("TRELLIS_TEST_PAUSE").is_ok_and(|p| p == point) {
        let _ = writeln!(std::io::stderr(), "trellis: paused at {point}");
        let _ = std::io::stdin().read_line(&mut String::new());
    }
    #[cfg(not(debug_assertions))]
    let _ = point;
}
