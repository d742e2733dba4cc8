//! Git access over git2: refs, trees and blobs at a revision, changes since a
//! ref, the index, tags. Nothing here touches the work tree.

pub(crate) mod commit;
pub(crate) mod packs;

use crate::error::InputError;
use git2::{ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};
use std::path::{Path, PathBuf};

pub struct Git {
    repo: Repository,
    /// The work tree root (or the git dir for a bare repository).
    pub(crate) root: PathBuf,
}

/// One file in a tree: its path and blob id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeFile {
    pub path: String,
    pub blob: Oid,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub name: String,
    /// The commit the tag points at (annotated tags are peeled).
    pub(crate) commit: Oid,
    /// Seconds since the epoch: the tagger's time for annotated tags, else the commit's.
    pub time: i64,
}

impl Git {
    /// Opens the repository containing `path`.
    pub fn open(path: &Path) -> Result<Git, InputError> {
        let repo = Repository::discover(path).map_err(|e| {
            InputError::new(format!("{} is not inside a git repository", path.display())).help(
                format!(
                    "run trellis inside a git checkout, or `git init` first ({})",
                    e.message()
                ),
            )
        })?;
        let root = repo
            .workdir()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| repo.path().to_path_buf());
        Ok(Git { repo, root })
    }

    pub(crate) fn repository(&self) -> &Repository {
        &self.repo
    }

    /// Where `dir` is in the work tree, `/`-separated ("" at its root), or
    /// None outside it: trellis may run on a project in a subdirectory of a
    /// larger repository, and git paths must be rebased onto it.
    pub(crate) fn prefix_of(&self, dir: &Path) -> Option<String> {
        let workdir = self.repo.workdir()?.canonicalize().ok()?;
        let dir = dir.canonicalize().ok()?;
        crate::fsutil::relative_path(&workdir, &dir)
    }

    /// Whether HEAD points at no commit yet.
    pub fn is_empty(&self) -> bool {
        self.repo.is_empty().unwrap_or(false) || self.repo.head().is_err()
    }

    pub fn is_shallow(&self) -> bool {
        self.repo.is_shallow()
    }

    fn describe(&self) -> String {
        self.root.display().to_string()
    }

    /// Resolves `main`, `origin/main`, a tag, a sha or any revision expression to
    /// a commit. A bare branch name that exists only on a remote resolves to the
    /// remote branch, as in most CI checkouts.
    pub fn resolve(&self, rev: &str) -> Result<Oid, InputError> {
        if self.is_empty() && (rev == "HEAD" || rev.starts_with("HEAD")) {
            return Err(self.empty_error());
        }
        let candidates = [
            rev.to_string(),
            format!("refs/remotes/origin/{rev}"),
            format!("refs/tags/{rev}"),
        ];
        for candidate in &candidates {
            if let Ok(object) = self.repo.revparse_single(candidate)
                && let Ok(commit) = object.peel_to_commit()
            {
                return Ok(commit.id());
            }
        }
        let mut err = InputError::new(format!("unknown revision `{rev}` in {}", self.describe()));
        err = if self.is_shallow() {
            err.help(format!(
                "this is a shallow clone; fetch the ref first: `git fetch --depth=50 origin {rev}`"
            ))
        } else if self.is_empty() {
            err.help("the repository has no commits yet")
        } else {
            err.help(format!(
                "check the name with `git rev-parse {rev}`; for a branch of a remote, `git fetch origin {rev}`"
            ))
        };
        Err(err)
    }

    fn empty_error(&self) -> InputError {
        InputError::new(format!("{} has no commits yet", self.describe()))
            .help("commit something first, or run the command on a repository with history")
    }

    pub fn head(&self) -> Result<Oid, InputError> {
        if self.is_empty() {
            return Err(self.empty_error());
        }
        self.resolve("HEAD")
    }

    /// The merge base of two commits; in a shallow clone a missing base is an
    /// error that says how to deepen the clone.
    pub fn merge_base(&self, a: Oid, b: Oid) -> Result<Oid, InputError> {
        self.repo.merge_base(a, b).map_err(|e| {
            let mut err = InputError::new(format!(
                "no merge base between {} and {} in {}",
                short(a),
                short(b),
                self.describe()
            ));
            err = if self.is_shallow() {
                err.help("the clone is shallow and the merge base is outside it: fetch more history (`git fetch --deepen=100`, or `fetch-depth: 0` in actions/checkout)")
            } else {
                err.help(format!("the histories are unrelated ({})", e.message()))
            };
            err
        })
    }

    /// Reads a file's content at a commit, `None` when the path does not exist there.
    pub fn read_at(&self, commit: Oid, path: &str) -> Result<Option<Vec<u8>>, InputError> {
        let tree = self.tree_of(commit)?;
        let entry = match tree.get_path(Path::new(path)) {
            Ok(entry) => entry,
            Err(_) => return Ok(None),
        };
        if entry.kind() != Some(ObjectType::Blob) {
            return Ok(None);
        }
        Ok(Some(self.blob(entry.id())?))
    }

    pub fn blob(&self, id: Oid) -> Result<Vec<u8>, InputError> {
        let blob = self.repo.find_blob(id).map_err(|e| {
            InputError::new(format!("cannot read blob {}: {}", short(id), e.message()))
        })?;
        Ok(blob.content().to_vec())
    }

    fn tree_of(&self, commit: Oid) -> Result<git2::Tree<'_>, InputError> {
        self.repo
            .find_commit(commit)
            .and_then(|c| c.tree())
            .map_err(|e| {
                InputError::new(format!(
                    "cannot read commit {}: {}",
                    short(commit),
                    e.message()
                ))
            })
    }

    /// Every file in the tree of a commit (recursively), optionally under a
    /// prefix; symbolic links are left out, as in the work tree.
    pub fn files_at(&self, commit: Oid, prefix: &str) -> Result<Vec<TreeFile>, InputError> {
        let tree = self.tree_of(commit)?;
        let (tree, base) = if prefix.is_empty() {
            (tree, String::new())
        } else {
            match tree.get_path(Path::new(prefix)) {
                Ok(entry) if entry.kind() == Some(ObjectType::Tree) => (
                    self.repo
                        .find_tree(entry.id())
                        .map_err(|e| InputError::new(e.message().to_string()))?,
                    format!("{}/", prefix.trim_end_matches('/')),
                ),
                _ => return Ok(Vec::new()),
            }
        };
        let mut files = Vec::new();
        tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() == Some(ObjectType::Blob)
                && !is_symlink(entry.filemode())
                && let Ok(name) = entry.name()
            {
                files.push(TreeFile {
                    path: format!("{base}{dir}{name}"),
                    blob: entry.id(),
                });
            }
            TreeWalkResult::Ok
        })
        .map_err(|e| InputError::new(format!("cannot walk tree: {}", e.message())))?;
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }

    /// Files that differ between `base` and the work tree (staged or not, and
    /// untracked files that are not ignored).
    pub fn changed_since(&self, base: Oid) -> Result<Vec<String>, InputError> {
        let tree = self.tree_of(base)?;
        let mut options = git2::DiffOptions::new();
        options.include_untracked(true).recurse_untracked_dirs(true);
        let diff = self
            .repo
            .diff_tree_to_workdir_with_index(Some(&tree), Some(&mut options))
            .map_err(|e| {
                InputError::new(format!(
                    "cannot diff against {}: {}",
                    short(base),
                    e.message()
                ))
            })?;
        let mut paths = Vec::new();
        for delta in diff.deltas() {
            if delta.status() == git2::Delta::Deleted {
                continue;
            }
            if let Some(path) = delta.new_file().path() {
                paths.push(path_string(path));
            }
        }
        paths.sort();
        paths.dedup();
        Ok(paths)
    }

    /// Files staged in the index that differ from HEAD, with their index blobs:
    /// what a pre-commit hook must check, whatever the work tree holds.
    pub fn staged(&self) -> Result<Vec<TreeFile>, InputError> {
        let index = self
            .repo
            .index()
            .map_err(|e| InputError::new(format!("cannot read the index: {}", e.message())))?;
        let head_tree = if self.is_empty() {
            None
        } else {
            Some(self.tree_of(self.head()?)?)
        };
        let diff = self
            .repo
            .diff_tree_to_index(head_tree.as_ref(), Some(&index), None)
            .map_err(|e| InputError::new(format!("cannot diff the index: {}", e.message())))?;
        let mut files = Vec::new();
        for delta in diff.deltas() {
            if delta.status() == git2::Delta::Deleted {
                continue;
            }
            let file = delta.new_file();
            if file.mode() == git2::FileMode::Link {
                continue;
            }
            if let Some(path) = file.path() {
                files.push(TreeFile {
                    path: path_string(path),
                    blob: file.id(),
                });
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }

    /// Every file of the index with its blob: the tree the next commit will
    /// have. Entries in conflict (stages 1-3) are left out.
    pub(crate) fn index_files(&self) -> Result<Vec<TreeFile>, InputError> {
        let index = self
            .repo
            .index()
            .map_err(|e| InputError::new(format!("cannot read the index: {}", e.message())))?;
        let mut files: Vec<TreeFile> = index
            .iter()
            .filter(|entry| (entry.flags >> 12) & 0x3 == 0 && !is_symlink(entry.mode as i32))
            .map(|entry| TreeFile {
                path: String::from_utf8_lossy(&entry.path).into_owned(),
                blob: entry.id,
            })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }

    /// All tags with the commit they name and their time, sorted by name.
    pub fn tags(&self) -> Result<Vec<Tag>, InputError> {
        let mut tags = Vec::new();
        let names = self
            .repo
            .tag_names(None)
            .map_err(|e| InputError::new(format!("cannot list tags: {}", e.message())))?;
        let odb = self.repo.odb().ok();
        for name in names.iter().flatten().flatten() {
            let Ok(object) = self.repo.revparse_single(&format!("refs/tags/{name}")) else {
                continue;
            };
            // An annotated tag of a commit with a tagger names both without
            // reading the commit (hundreds of commit reads in a project
            // with a long release history); a commit that is missing is
            // skipped like one that cannot be peeled to.
            let annotated = object.as_tag().and_then(|tag| {
                let time = tag.tagger()?.when().seconds();
                (tag.target_type() == Some(git2::ObjectType::Commit)
                    && odb.as_ref().is_some_and(|odb| odb.exists(tag.target_id())))
                .then(|| (tag.target_id(), time))
            });
            let (commit, time) = match annotated {
                Some(found) => found,
                None => {
                    let Ok(commit) = object.peel_to_commit() else {
                        continue; // a tag of a tree or a blob names no release
                    };
                    let time = object
                        .as_tag()
                        .and_then(|t| t.tagger().map(|s| s.when().seconds()))
                        .unwrap_or_else(|| commit.time().seconds());
                    (commit.id(), time)
                }
            };
            tags.push(Tag {
                name: name.to_string(),
                commit,
                time,
            });
        }
        tags.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(tags)
    }

    /// The branch other branches merge into: origin/HEAD's target, else main or master.
    pub fn default_branch(&self) -> Option<String> {
        if let Ok(reference) = self.repo.find_reference("refs/remotes/origin/HEAD")
            && let Ok(Some(target)) = reference.symbolic_target()
        {
            return Some(target.trim_start_matches("refs/remotes/").to_string());
        }
        ["main", "master", "origin/main", "origin/master"]
            .into_iter()
            .find(|name| self.repo.revparse_single(name).is_ok())
            .map(str::to_string)
    }
}

/// Whether a tree or index entry's mode is a symbolic link (its blob holds
/// the link text). The work-tree walk does not follow links, so every
/// listing of git objects leaves them out too: both sides of a comparison
/// must see the same files.
pub(crate) fn is_symlink(filemode: i32) -> bool {
    filemode == i32::from(git2::FileMode::Link)
}

pub(crate) fn short(id: Oid) -> String {
    id.to_string()[..10].to_string()
}

fn path_string(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}
