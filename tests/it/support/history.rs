//! Builds real git repositories in a temp dir from a fixture plus a history
//! description: commits with file contents, authors, dates and tags.

use git2::{Oid, Repository, Signature, Time};
use std::path::{Path, PathBuf};

pub struct History {
    pub dir: tempfile::TempDir,
    pub repo: Repository,
    pending: Vec<(String, Option<Vec<u8>>)>,
    /// Symbolic links to create and stage: (path, link text).
    links: Vec<(String, String)>,
    author: (String, String),
    time: i64,
}

impl History {
    /// An empty repository on branch `main`.
    pub fn new() -> History {
        let dir = tempfile::tempdir().unwrap();
        let mut options = git2::RepositoryInitOptions::new();
        options.initial_head("main");
        let repo = Repository::init_opts(dir.path(), &options).unwrap();
        History {
            dir,
            repo,
            pending: Vec::new(),
            links: Vec::new(),
            author: ("Ada Lovelace".into(), "ada@example.com".into()),
            time: date("2026-01-05"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Stages every file of `tests/fixtures/NAME` for the next commit.
    pub fn fixture(&mut self, name: &str) -> &mut History {
        self.fixture_at(name, "")
    }

    /// The fixture's files under the directory `at` ("" for the root).
    pub fn fixture_at(&mut self, name: &str, at: &str) -> &mut History {
        let from = super::fixture(name);
        for path in super::walk(&from) {
            let rel = path
                .strip_prefix(&from)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let content = std::fs::read(&path).unwrap();
            let rel = if at.is_empty() {
                rel
            } else {
                format!("{at}/{rel}")
            };
            self.pending.push((rel, Some(content)));
        }
        self
    }

    pub fn write(&mut self, path: &str, content: &str) -> &mut History {
        self.pending
            .push((path.to_string(), Some(content.as_bytes().to_vec())));
        self
    }

    /// A symbolic link at `path` to `target`, committed as git stores one.
    pub fn symlink(&mut self, path: &str, target: &str) -> &mut History {
        self.links.push((path.to_string(), target.to_string()));
        self
    }

    pub fn remove(&mut self, path: &str) -> &mut History {
        self.pending.push((path.to_string(), None));
        self
    }

    pub fn author(&mut self, name: &str, email: &str) -> &mut History {
        self.author = (name.to_string(), email.to_string());
        self
    }

    /// The date of the next commits: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS` (UTC).
    pub fn at(&mut self, when: &str) -> &mut History {
        self.time = date(when);
        self
    }

    /// Writes the pending files to the work tree, stages them and commits on HEAD.
    pub fn commit(&mut self, message: &str) -> Oid {
        let mut index = self.repo.index().unwrap();
        for (path, content) in self.pending.drain(..) {
            let full = self.dir.path().join(&path);
            match content {
                Some(bytes) => {
                    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
                    std::fs::write(&full, bytes).unwrap();
                    index.add_path(Path::new(&path)).unwrap();
                }
                None => {
                    let _ = std::fs::remove_file(&full);
                    index.remove_path(Path::new(&path)).unwrap();
                }
            }
        }
        for (path, target) in self.links.drain(..) {
            let full = self.dir.path().join(&path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::os::unix::fs::symlink(&target, &full).unwrap();
            index.add_path(Path::new(&path)).unwrap();
        }
        index.write().unwrap();
        let tree_id = index.write_tree().unwrap();
        let tree = self.repo.find_tree(tree_id).unwrap();
        let signature =
            Signature::new(&self.author.0, &self.author.1, &Time::new(self.time, 0)).unwrap();
        let parents: Vec<git2::Commit> = match self.repo.head() {
            Ok(head) => vec![head.peel_to_commit().unwrap()],
            Err(_) => Vec::new(),
        };
        let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
        let id = self
            .repo
            .commit(
                Some("HEAD"),
                &signature,
                &signature,
                message,
                &tree,
                &parent_refs,
            )
            .unwrap();
        // Keep commits strictly ordered in time unless the test sets dates.
        self.time += 60;
        id
    }

    /// A lightweight tag on HEAD.
    pub fn tag(&mut self, name: &str) -> &mut History {
        {
            let head = self
                .repo
                .head()
                .unwrap()
                .peel(git2::ObjectType::Commit)
                .unwrap();
            self.repo.tag_lightweight(name, &head, false).unwrap();
        }
        self
    }

    /// An annotated tag on HEAD, dated now-of-the-history.
    pub fn annotated_tag(&mut self, name: &str, message: &str) -> &mut History {
        {
            let head = self
                .repo
                .head()
                .unwrap()
                .peel(git2::ObjectType::Commit)
                .unwrap();
            let signature =
                Signature::new(&self.author.0, &self.author.1, &Time::new(self.time, 0)).unwrap();
            self.repo
                .tag(name, &head, &signature, message, false)
                .unwrap();
        }
        self
    }

    /// Creates `name` at HEAD and switches to it.
    pub fn branch(&mut self, name: &str) -> &mut History {
        {
            let head = self.repo.head().unwrap().peel_to_commit().unwrap();
            self.repo.branch(name, &head, true).unwrap();
        }
        self.checkout(name)
    }

    /// Merges branch `name` into HEAD with a merge commit (no conflicts expected).
    pub fn merge(&mut self, name: &str, message: &str) -> Oid {
        let ours = self.repo.head().unwrap().peel_to_commit().unwrap();
        let theirs = self
            .repo
            .find_branch(name, git2::BranchType::Local)
            .unwrap()
            .get()
            .peel_to_commit()
            .unwrap();
        let mut index = self.repo.merge_commits(&ours, &theirs, None).unwrap();
        let tree_id = index.write_tree_to(&self.repo).unwrap();
        let tree = self.repo.find_tree(tree_id).unwrap();
        let signature =
            Signature::new(&self.author.0, &self.author.1, &Time::new(self.time, 0)).unwrap();
        let id = self
            .repo
            .commit(
                Some("HEAD"),
                &signature,
                &signature,
                message,
                &tree,
                &[&ours, &theirs],
            )
            .unwrap();
        self.repo
            .checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
            .unwrap();
        self.time += 60;
        id
    }

    /// Switches HEAD (and the work tree) to an existing branch.
    pub fn checkout(&mut self, name: &str) -> &mut History {
        self.repo.set_head(&format!("refs/heads/{name}")).unwrap();
        self.repo
            .checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
            .unwrap();
        self
    }

    /// A shallow clone of this repository (depth commits) made by the git CLI,
    /// since libgit2 cannot make one from a local path.
    pub fn shallow_clone(&self, depth: u32) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("clone");
        let status = std::process::Command::new("git")
            .args(["clone", "--quiet", "--depth", &depth.to_string()])
            .arg(format!("file://{}", self.path().display()))
            .arg(&target)
            .status()
            .expect("git is installed");
        assert!(status.success());
        (dir, target)
    }
}

/// Seconds since the epoch for `YYYY-MM-DD[THH:MM[:SS]]`, UTC.
pub fn date(text: &str) -> i64 {
    let (day, time) = text.split_once('T').unwrap_or((text, "00:00:00"));
    let mut parts = day.split('-').map(|p| p.parse::<i64>().unwrap());
    let (y, m, d) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let mut clock = time.split(':').map(|p| p.parse::<i64>().unwrap());
    let (hh, mm, ss) = (
        clock.next().unwrap_or(0),
        clock.next().unwrap_or(0),
        clock.next().unwrap_or(0),
    );
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146097 + doe - 719468;
    days * 86400 + hh * 3600 + mm * 60 + ss
}

#[test]
fn dates_are_utc_epoch_seconds() {
    assert_eq!(date("1970-01-01"), 0);
    assert_eq!(date("2026-01-05T01:02:03"), 1_767_574_923);
}
