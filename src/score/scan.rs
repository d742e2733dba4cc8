//! The history scan: for every commit in a window, the files it changed
//! against its first parent, like `git log --name-only --no-renames` prints
//! them (merge commits list nothing, root commits list every file).
//!
//! Trees are compared by object id and only subtrees whose ids differ are
//! read, so a commit that touches one file costs one path of tree reads, not
//! a walk over every directory (git2's `diff_tree_to_tree` expands unchanged
//! subtrees and was measured at several times git's CPU). Results are cached
//! per commit id in `.git/trellis/`, so a second run reads only new commits.

use super::cache::{self, Cache};
use super::generated::{GeneratedFiles, has_generated_marker};
use crate::error::InputError;
use git2::{ObjectType, Oid, Repository, Sort, Tree};
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Lines added and removed in one file of one commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// Not counted yet (the file was outside what churn covers when scanned).
    Unknown,
    /// libgit2 found the content binary; binary files have no line churn.
    Binary,
    /// The content says it is generated (`Code generated ... DO NOT EDIT.`).
    Generated,
    Counted {
        added: u32,
        removed: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: String,
    /// The blob before the commit; zero when the file was added (and, for
    /// files read from the cache whose lines are counted, not kept).
    pub old: Oid,
    /// The blob after the commit; zero when the file was deleted.
    pub new: Oid,
    pub lines: Lines,
}

/// One commit as the metrics need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    pub id: Oid,
    pub parents: u32,
    /// Committer time (what `git log --since` filters on), seconds since the epoch.
    pub time: i64,
    pub author_name: String,
    pub author_email: String,
    /// The first line of the message.
    pub summary: String,
    /// A shallow clone's boundary: its parents are missing, so its file list
    /// would be the whole tree. Its files are left out of the metrics.
    pub boundary: bool,
    pub files: Vec<FileChange>,
}

impl CommitInfo {
    /// Drops blob ids that are no longer needed (lines already counted), as
    /// the cache does, so fresh and cached results are the same.
    pub fn forget_counted_blobs(&mut self) {
        for file in &mut self.files {
            if file.lines != Lines::Unknown {
                file.old = Oid::ZERO_SHA1;
                file.new = Oid::ZERO_SHA1;
            }
        }
    }
}

/// How merge commits are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Merges {
    /// As `git log` prints them by default: no files.
    #[default]
    Skip,
    /// Diffed against the first parent, as `git log --first-parent -m` does.
    FirstParent,
}

#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// The commit the walk starts from.
    pub start: Oid,
    /// Oldest committer time kept (inclusive); `None` keeps everything.
    pub since: Option<i64>,
    /// Newest committer time kept (inclusive).
    pub until: Option<i64>,
    pub merges: Merges,
    /// Whether to count lines added and removed (for churn).
    pub churn: bool,
    /// Files whose lines are never counted (generated or vendored).
    pub generated: GeneratedFiles,
    /// Where the cache lives; `None` disables it.
    pub cache_dir: Option<PathBuf>,
    /// Show a progress bar on stderr (only when the scan takes over a second).
    pub progress: bool,
    /// How trees are compared; libgit2's diff is kept for the benchmark.
    pub tree_diff: TreeDiff,
}

/// The tree comparison the scan uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TreeDiff {
    /// [`compare_trees`]: descends only into subtrees whose ids differ.
    #[default]
    Own,
    /// git2's `diff_tree_to_tree` without rename detection, for comparison
    /// (`TRELLIS_SCORE_TREE_DIFF=libgit2`, used by bench/score.sh).
    Libgit2,
}

#[derive(Debug, Clone, Default)]
pub struct ScanResult {
    /// Newest first, in `git log` order (commit time).
    pub commits: Vec<CommitInfo>,
    /// How many commits were read from the cache and how many were diffed now.
    pub cached: usize,
    pub scanned: usize,
    /// Whether the walk stopped at a shallow boundary inside the window.
    pub hit_shallow_boundary: bool,
    /// Why the cache could not be written, when it could not.
    pub cache_warning: Option<String>,
}

/// Walks the history from `options.start` and returns the commits in the window.
pub fn scan(
    git_dir: &Path,
    repo: &Repository,
    options: &ScanOptions,
) -> Result<ScanResult, InputError> {
    // libgit2 re-hashes (SHA-1 with collision detection) every object it
    // reads unless told not to; git does not on reads, and a scan that only
    // reads a repository git already trusts gains nothing from it. It was the
    // largest single cost of a cached run (perf).
    git2::opts::strict_hash_verification(false);
    let shallow = shallow_boundary(git_dir);
    let cache_file = options
        .cache_dir
        .as_ref()
        .map(|dir| dir.join(cache::FILE_NAME));
    let mut cache = match &cache_file {
        Some(file) => Cache::load(file),
        None => Cache::default(),
    };

    let ids = walk(repo, options, &cache)?;

    // What the cache does not know is read now, in parallel: each worker opens
    // its own handle because a git2 Repository is not shareable across threads.
    let missing: Vec<Oid> = ids
        .iter()
        .filter(|id| !cache.commits.contains_key(id) || shallow.contains(id))
        .copied()
        .collect();
    let progress = Progress::new(options.progress, missing.len());
    let fresh: Vec<CommitInfo> = missing
        .par_chunks(256)
        .map(|chunk| -> Result<Vec<CommitInfo>, InputError> {
            let repo = Repository::open(git_dir).map_err(|e| {
                InputError::new(format!(
                    "cannot open {}: {}",
                    git_dir.display(),
                    e.message()
                ))
            })?;
            let mut out = Vec::with_capacity(chunk.len());
            for id in chunk {
                out.push(read_commit(&repo, *id, options, shallow.contains(id))?);
            }
            progress.advance(chunk.len());
            Ok(out)
        })
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .collect();
    progress.finish();

    let scanned = fresh.len();
    let hit_shallow_boundary = fresh.iter().any(|c| c.boundary);
    let mut changed = false;
    for mut commit in fresh {
        commit.forget_counted_blobs();
        // Boundary commits are never cached: after `git fetch --deepen` they
        // have parents and a different file list.
        if !commit.boundary {
            changed = true;
        }
        cache.commits.insert(commit.id, commit);
    }

    // Churn for cached commits that were read without line counts.
    if options.churn {
        let mut filled = false;
        for id in &ids {
            let Some(commit) = cache.commits.get_mut(id) else {
                continue;
            };
            for file in &mut commit.files {
                if file.lines == Lines::Unknown && !options.generated.is_generated(&file.path) {
                    file.lines = count_lines(repo, file.old, file.new);
                    filled = true;
                }
            }
        }
        changed |= filled;
    }

    let mut cache_warning = None;
    if changed && let Some(file) = &cache_file {
        let keep: Vec<&CommitInfo> = cache.commits.values().filter(|c| !c.boundary).collect();
        if let Err(e) = cache::save(file, keep) {
            cache_warning = Some(format!(
                "could not write the history cache {}: {e} (the next run scans again)",
                file.display()
            ));
        }
    }

    let commits: Vec<CommitInfo> = ids
        .iter()
        .filter_map(|id| cache.commits.remove(id))
        .collect();
    Ok(ScanResult {
        cached: commits.len() - scanned.min(commits.len()),
        scanned,
        commits,
        hit_shallow_boundary,
        cache_warning,
    })
}

/// The commit ids in the window, newest first. Like `git log --since`, the walk
/// stops once several commits in a row are older than the window, which
/// tolerates a little clock skew without reading all of history.
fn walk(repo: &Repository, options: &ScanOptions, cache: &Cache) -> Result<Vec<Oid>, InputError> {
    const SLOP: usize = 5;
    let git_error =
        |e: git2::Error| InputError::new(format!("cannot walk the history: {}", e.message()));
    let mut walk = repo.revwalk().map_err(git_error)?;
    walk.set_sorting(Sort::TIME).map_err(git_error)?;
    walk.push(options.start).map_err(git_error)?;
    let mut ids = Vec::new();
    let mut old_in_a_row = 0;
    for id in walk {
        let id = match id {
            Ok(id) => id,
            // A shallow clone ends in missing parents; the boundary is
            // reported by the caller, the walk just ends there.
            Err(_) => break,
        };
        let time = match cache.commits.get(&id) {
            Some(commit) => commit.time,
            None => repo
                .find_commit(id)
                .map_err(git_error)?
                .committer()
                .when()
                .seconds(),
        };
        if options.since.is_some_and(|since| time < since) {
            old_in_a_row += 1;
            if old_in_a_row > SLOP {
                break;
            }
            continue;
        }
        old_in_a_row = 0;
        if options.until.is_some_and(|until| time > until) {
            continue;
        }
        ids.push(id);
    }
    Ok(ids)
}

fn read_commit(
    repo: &Repository,
    id: Oid,
    options: &ScanOptions,
    boundary: bool,
) -> Result<CommitInfo, InputError> {
    let error = |e: git2::Error| {
        InputError::new(format!(
            "cannot read commit {}: {}",
            crate::git::short(id),
            e.message()
        ))
    };
    let commit = repo.find_commit(id).map_err(error)?;
    let author = commit.author();
    let parents = if boundary {
        0
    } else {
        commit.parent_count() as u32
    };
    let mut files = Vec::new();
    let diff_against_parent = parents <= 1 || options.merges == Merges::FirstParent;
    if !boundary && diff_against_parent {
        let tree = commit.tree().map_err(error)?;
        let parent_tree = if parents == 0 {
            None
        } else {
            Some(commit.parent(0).and_then(|p| p.tree()).map_err(error)?)
        };
        match options.tree_diff {
            TreeDiff::Own => {
                compare_trees(repo, parent_tree.as_ref(), Some(&tree), "", &mut files)
                    .map_err(error)?;
            }
            TreeDiff::Libgit2 => {
                libgit2_diff(repo, parent_tree.as_ref(), &tree, &mut files).map_err(error)?;
            }
        }
        if options.churn {
            for file in &mut files {
                if !options.generated.is_generated(&file.path) {
                    file.lines = count_lines(repo, file.old, file.new);
                }
            }
        }
    }
    Ok(CommitInfo {
        id,
        parents,
        time: commit.committer().when().seconds(),
        author_name: String::from_utf8_lossy(author.name_bytes()).into_owned(),
        author_email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
        summary: String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default()).into_owned(),
        boundary,
        files,
    })
}

/// The same file list through git2's `diff_tree_to_tree` (no renames).
fn libgit2_diff(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: &Tree<'_>,
    out: &mut Vec<FileChange>,
) -> Result<(), git2::Error> {
    let diff = repo.diff_tree_to_tree(old, Some(new), None)?;
    for delta in diff.deltas() {
        let path = delta
            .new_file()
            .path()
            .or_else(|| delta.old_file().path())
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        out.push(FileChange {
            path,
            old: delta.old_file().id(),
            new: delta.new_file().id(),
            lines: Lines::Unknown,
        });
    }
    Ok(())
}

/// Git's tree order: names compared bytewise, a directory as if its name
/// ended in `/`. Compared in place: this runs for every entry of every tree
/// the scan reads, so it must not allocate.
fn tree_order(a: &git2::TreeEntry<'_>, b: &git2::TreeEntry<'_>) -> std::cmp::Ordering {
    let (an, bn) = (a.name_bytes(), b.name_bytes());
    let len = an.len().min(bn.len());
    match an[..len].cmp(&bn[..len]) {
        std::cmp::Ordering::Equal => {}
        other => return other,
    }
    let next = |name: &[u8], entry: &git2::TreeEntry<'_>| {
        name.get(len)
            .copied()
            .or_else(|| (entry.kind() == Some(ObjectType::Tree)).then_some(b'/'))
    };
    next(an, a).cmp(&next(bn, b))
}

/// Appends the files that differ between two trees, descending only into
/// subtrees whose ids differ. Both entry lists come sorted by git's tree
/// order, so one merge pass pairs them.
pub fn compare_trees(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
    prefix: &str,
    out: &mut Vec<FileChange>,
) -> Result<(), git2::Error> {
    let old_entries: Vec<git2::TreeEntry<'_>> = old.map(|t| t.iter().collect()).unwrap_or_default();
    let new_entries: Vec<git2::TreeEntry<'_>> = new.map(|t| t.iter().collect()).unwrap_or_default();
    let (mut i, mut j) = (0, 0);
    while i < old_entries.len() || j < new_entries.len() {
        let order = match (old_entries.get(i), new_entries.get(j)) {
            (Some(a), Some(b)) => tree_order(a, b),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, _) => std::cmp::Ordering::Greater,
        };
        match order {
            std::cmp::Ordering::Less => {
                side(repo, &old_entries[i], prefix, true, out)?;
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                side(repo, &new_entries[j], prefix, false, out)?;
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                let (a, b) = (&old_entries[i], &new_entries[j]);
                if a.id() != b.id() || a.filemode() != b.filemode() {
                    let path = join(prefix, a.name_bytes());
                    if a.kind() == Some(ObjectType::Tree) {
                        let (ta, tb) = (repo.find_tree(a.id())?, repo.find_tree(b.id())?);
                        compare_trees(repo, Some(&ta), Some(&tb), &path, out)?;
                    } else {
                        out.push(FileChange {
                            path,
                            old: a.id(),
                            new: b.id(),
                            lines: Lines::Unknown,
                        });
                    }
                }
                i += 1;
                j += 1;
            }
        }
    }
    Ok(())
}

/// An entry on one side only: a file added or deleted, or a whole directory.
fn side(
    repo: &Repository,
    entry: &git2::TreeEntry<'_>,
    prefix: &str,
    deleted: bool,
    out: &mut Vec<FileChange>,
) -> Result<(), git2::Error> {
    let path = join(prefix, entry.name_bytes());
    if entry.kind() == Some(ObjectType::Tree) {
        let tree = repo.find_tree(entry.id())?;
        if deleted {
            compare_trees(repo, Some(&tree), None, &path, out)
        } else {
            compare_trees(repo, None, Some(&tree), &path, out)
        }
    } else {
        let (old, new) = if deleted {
            (entry.id(), Oid::ZERO_SHA1)
        } else {
            (Oid::ZERO_SHA1, entry.id())
        };
        out.push(FileChange {
            path,
            old,
            new,
            lines: Lines::Unknown,
        });
        Ok(())
    }
}

fn join(prefix: &str, name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    if prefix.is_empty() {
        name.into_owned()
    } else {
        format!("{prefix}/{name}")
    }
}

/// Lines added and removed between two blobs (either may be zero: added or
/// deleted file). Submodule entries and unreadable blobs count as binary.
pub fn count_lines(repo: &Repository, old: Oid, new: Oid) -> Lines {
    let find = |id: Oid| -> Result<Option<git2::Blob<'_>>, ()> {
        if id.is_zero() {
            Ok(None)
        } else {
            repo.find_blob(id).map(Some).map_err(|_| ())
        }
    };
    let (Ok(old_blob), Ok(new_blob)) = (find(old), find(new)) else {
        return Lines::Binary;
    };
    let marked = |blob: &Option<git2::Blob<'_>>| {
        blob.as_ref()
            .is_some_and(|b| has_generated_marker(b.content()))
    };
    if marked(&new_blob) || (new_blob.is_none() && marked(&old_blob)) {
        return Lines::Generated;
    }
    if old_blob.as_ref().is_some_and(|b| b.is_binary())
        || new_blob.as_ref().is_some_and(|b| b.is_binary())
    {
        return Lines::Binary;
    }
    match (&old_blob, &new_blob) {
        (None, Some(blob)) => Lines::Counted {
            added: line_count(blob.content()),
            removed: 0,
        },
        (Some(blob), None) => Lines::Counted {
            added: 0,
            removed: line_count(blob.content()),
        },
        (Some(old_blob), Some(new_blob)) => {
            let mut options = git2::DiffOptions::new();
            options.context_lines(0);
            match git2::Patch::from_blobs(old_blob, None, new_blob, None, Some(&mut options)) {
                Ok(patch) => match patch.line_stats() {
                    Ok((_, added, removed)) => Lines::Counted {
                        added: added as u32,
                        removed: removed as u32,
                    },
                    Err(_) => Lines::Binary,
                },
                Err(_) => Lines::Binary,
            }
        }
        (None, None) => Lines::Counted {
            added: 0,
            removed: 0,
        },
    }
}

/// Lines as `git diff --numstat` counts them: a last line without a newline counts.
pub fn line_count(content: &[u8]) -> u32 {
    let newlines = content.iter().filter(|b| **b == b'\n').count() as u32;
    if content.last().is_some_and(|b| *b != b'\n') {
        newlines + 1
    } else {
        newlines
    }
}

/// The commits a shallow clone cut off (`.git/shallow`): their parents are absent.
fn shallow_boundary(git_dir: &Path) -> HashSet<Oid> {
    std::fs::read_to_string(git_dir.join("shallow"))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| Oid::from_str(line.trim()).ok())
        .collect()
}

/// A progress bar that appears only on a terminal and only once the scan has
/// run for a second, so quick runs and pipes stay quiet.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    start: Instant,
    shown: AtomicBool,
    done: AtomicUsize,
}

impl Progress {
    fn new(enabled: bool, total: usize) -> Progress {
        let bar = (enabled && total > 0).then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(
                Some(total as u64),
                indicatif::ProgressDrawTarget::hidden(),
            );
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "scanning history {bar:30} {pos}/{len} commits ({eta})",
            ) {
                bar.set_style(style);
            }
            bar
        });
        Progress {
            bar,
            start: Instant::now(),
            shown: AtomicBool::new(false),
            done: AtomicUsize::new(0),
        }
    }

    fn advance(&self, count: usize) {
        let Some(bar) = &self.bar else {
            self.done.fetch_add(count, Ordering::Relaxed);
            return;
        };
        if self.start.elapsed() > Duration::from_secs(1)
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
        bar.inc(count as u64);
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::Signature;

    fn options(start: Oid) -> ScanOptions {
        ScanOptions {
            start,
            since: None,
            until: None,
            merges: Merges::Skip,
            churn: true,
            generated: GeneratedFiles::new(&[]).unwrap(),
            cache_dir: None,
            progress: false,
            tree_diff: TreeDiff::Own,
        }
    }

    /// Commits `files` (path, Some(content) or None to delete) on top of `parents`.
    fn commit(
        repo: &Repository,
        parents: &[Oid],
        files: &[(&str, Option<&str>)],
        time: i64,
    ) -> Oid {
        let mut builder = match parents.first() {
            Some(p) => {
                let tree = repo.find_commit(*p).unwrap().tree().unwrap();
                let mut index = git2::Index::new().unwrap();
                index.read_tree(&tree).unwrap();
                index
            }
            None => git2::Index::new().unwrap(),
        };
        for (path, content) in files {
            match content {
                Some(text) => {
                    let blob = repo.blob(text.as_bytes()).unwrap();
                    let entry = git2::IndexEntry {
                        ctime: git2::IndexTime::new(0, 0),
                        mtime: git2::IndexTime::new(0, 0),
                        dev: 0,
                        ino: 0,
                        mode: 0o100644,
                        uid: 0,
                        gid: 0,
                        file_size: text.len() as u32,
                        id: blob,
                        flags: 0,
                        flags_extended: 0,
                        path: path.as_bytes().to_vec(),
                    };
                    builder.add(&entry).unwrap();
                }
                None => builder.remove_path(Path::new(path)).unwrap(),
            }
        }
        let tree_id = builder.write_tree_to(repo).unwrap();
        let tree = repo.find_tree(tree_id).unwrap();
        let sig = Signature::new("Ada", "ada@example.com", &git2::Time::new(time, 0)).unwrap();
        let parent_commits: Vec<git2::Commit> = parents
            .iter()
            .map(|p| repo.find_commit(*p).unwrap())
            .collect();
        let refs: Vec<&git2::Commit> = parent_commits.iter().collect();
        repo.commit(None, &sig, &sig, "change", &tree, &refs)
            .unwrap()
    }

    fn paths(commit: &CommitInfo) -> Vec<&str> {
        commit.files.iter().map(|f| f.path.as_str()).collect()
    }

    #[test]
    fn lists_changed_files_like_git_log() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let root = commit(
            &repo,
            &[],
            &[
                ("a/x.go", Some("1\n")),
                ("a/b/y.go", Some("1\n2\n")),
                ("z.txt", Some("z")),
            ],
            1000,
        );
        let second = commit(
            &repo,
            &[root],
            &[
                ("a/b/y.go", Some("1\n3\n4\n")),
                ("z.txt", None),
                ("c/new.go", Some("n\n")),
            ],
            2000,
        );
        let side = commit(&repo, &[root], &[("side.go", Some("s\n"))], 2500);
        let merge = commit(&repo, &[second, side], &[("side.go", Some("s\n"))], 3000);

        let result = scan(repo.path(), &repo, &options(merge)).unwrap();
        let ids: Vec<Oid> = result.commits.iter().map(|c| c.id).collect();
        assert_eq!(ids, [merge, side, second, root]);
        assert_eq!(
            paths(&result.commits[0]),
            Vec::<&str>::new(),
            "merges list nothing"
        );
        assert_eq!(result.commits[0].parents, 2);
        assert_eq!(paths(&result.commits[1]), ["side.go"]);
        assert_eq!(paths(&result.commits[2]), ["a/b/y.go", "c/new.go", "z.txt"]);
        assert_eq!(paths(&result.commits[3]), ["a/b/y.go", "a/x.go", "z.txt"]);
        let y = &result.commits[2].files[0];
        assert_eq!(
            y.lines,
            Lines::Counted {
                added: 2,
                removed: 1
            }
        );
        assert_eq!(
            result.commits[2].files[2].lines,
            Lines::Counted {
                added: 0,
                removed: 1
            }
        );

        let mut first_parent = options(merge);
        first_parent.merges = Merges::FirstParent;
        let result = scan(repo.path(), &repo, &first_parent).unwrap();
        assert_eq!(paths(&result.commits[0]), ["side.go"]);
    }

    #[test]
    fn own_tree_comparison_matches_libgit2() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let root = commit(
            &repo,
            &[],
            &[
                ("a/b/c.go", Some("1\n")),
                ("a/d.go", Some("2\n")),
                ("e", Some("3\n")),
            ],
            1000,
        );
        let next = commit(
            &repo,
            &[root],
            &[
                ("a/b/c.go", None),
                ("a/b/x/y.go", Some("4\n")),
                ("e", Some("5\n")),
                ("f/g", Some("6\n")),
            ],
            2000,
        );
        let own = scan(repo.path(), &repo, &options(next)).unwrap();
        let mut with_libgit2 = options(next);
        with_libgit2.tree_diff = TreeDiff::Libgit2;
        let theirs = scan(repo.path(), &repo, &with_libgit2).unwrap();
        assert_eq!(own.commits, theirs.commits);
        assert_eq!(
            paths(&own.commits[0]),
            ["a/b/c.go", "a/b/x/y.go", "e", "f/g"]
        );
    }

    #[test]
    fn tree_order_puts_directories_after_their_name_with_a_slash() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        // "a.go" < "a/" (since '.' < '/') < "a0" and "ab": git's own order.
        let id = commit(
            &repo,
            &[],
            &[
                ("a.go", Some("1\n")),
                ("a/x", Some("2\n")),
                ("a0", Some("3\n")),
                ("ab", Some("4\n")),
            ],
            1000,
        );
        let tree = repo.find_commit(id).unwrap().tree().unwrap();
        let entries: Vec<git2::TreeEntry<'_>> = tree.iter().collect();
        for pair in entries.windows(2) {
            assert_eq!(tree_order(&pair[0], &pair[1]), std::cmp::Ordering::Less);
        }
        assert_eq!(
            tree_order(&entries[1], &entries[1]),
            std::cmp::Ordering::Equal
        );
    }

    #[test]
    fn file_replaced_by_directory() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let root = commit(&repo, &[], &[("a", Some("file\n"))], 1000);
        let second = commit(&repo, &[root], &[("a", None), ("a/b", Some("x\n"))], 2000);
        let result = scan(repo.path(), &repo, &options(second)).unwrap();
        assert_eq!(paths(&result.commits[0]), ["a", "a/b"]);
        assert_eq!(
            result.commits[0].files[0].lines,
            Lines::Counted {
                added: 0,
                removed: 1
            }
        );
    }

    #[test]
    fn window_and_cache() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let mut head = commit(&repo, &[], &[("f", Some("0\n"))], 1000);
        for i in 1..20 {
            let text = format!("{i}\n");
            head = commit(&repo, &[head], &[("f", Some(&text))], 1000 + i * 100);
        }
        let cache_dir = dir.path().join(".git/trellis");
        let mut opts = options(head);
        opts.since = Some(1000 + 15 * 100);
        opts.until = Some(1000 + 18 * 100);
        opts.cache_dir = Some(cache_dir.clone());
        let first = scan(repo.path(), &repo, &opts).unwrap();
        assert_eq!(first.commits.len(), 4);
        assert_eq!(first.scanned, 4);
        let second = scan(repo.path(), &repo, &opts).unwrap();
        assert_eq!(second.scanned, 0);
        assert_eq!(second.cached, 4);
        assert_eq!(first.commits, second.commits);
    }

    #[test]
    fn counts_lines_like_numstat() {
        assert_eq!(line_count(b""), 0);
        assert_eq!(line_count(b"a"), 1);
        assert_eq!(line_count(b"a\nb\n"), 2);
        assert_eq!(line_count(b"a\nb"), 2);
    }
}
