//! Contract verdicts per commit, judged by the contract engine in parallel and
//! cached in `.git/trellis/score-contracts-v1`: a commit and its parent never
//! change, so neither does the verdict for the same files and categories.
//!
//! One line per verdict: `<commit> <parent> <categories>\t<paths, \x1f-joined>\t<b|o|u>`
//! (breaking, compatible, unknown).

use super::metrics::ContractChange;
use super::scan::CommitInfo;
use crate::contract::TreeSide;
use crate::contract::source::{ProtoListing, is_listed};
use crate::error::InputError;
use crate::git::{Git, TreeFile};
use crate::repo::Repo;
use git2::Oid;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

pub(crate) const FILE_NAME: &str = "score-contracts-v1";
const HEADER: &str = "trellis-score-contracts 1";

type Key = (Oid, Oid, String, String);

fn key(change: &ContractChange, categories: &str) -> Key {
    (
        change.commit,
        change.parent,
        categories.to_string(),
        change.paths.join("\u{1f}"),
    )
}

/// Breaking or not, or why it could not be judged.
type Verdict = Result<bool, String>;

/// What files of earlier versions say of a commit that could not be judged:
/// they kept no reason.
const NO_REASON_KEPT: &str = "a side of the change does not compile";

fn load(path: &Path) -> HashMap<Key, Verdict> {
    let mut out = HashMap::new();
    let Ok(text) = std::fs::read_to_string(path) else {
        return out;
    };
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        return out;
    }
    for line in lines {
        let mut fields = line.split('\t');
        let (Some(head), Some(paths), Some(verdict)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let mut head = head.split(' ');
        let (Some(Ok(commit)), Some(Ok(parent)), Some(categories)) = (
            head.next().map(Oid::from_str),
            head.next().map(Oid::from_str),
            head.next(),
        ) else {
            continue;
        };
        let verdict = match verdict {
            "b" => Ok(true),
            "o" => Ok(false),
            _ => Err(fields
                .next()
                .filter(|why| !why.is_empty())
                .unwrap_or(NO_REASON_KEPT)
                .to_string()),
        };
        out.insert(
            (commit, parent, categories.to_string(), paths.to_string()),
            verdict,
        );
    }
    out
}

fn save(path: &Path, verdicts: &HashMap<Key, Verdict>) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut out = String::from(HEADER);
    out.push('\n');
    for ((commit, parent, categories, paths), verdict) in verdicts {
        let verdict = match verdict {
            Ok(true) => "b".to_string(),
            Ok(false) => "o".to_string(),
            // The reason, on one line without tabs, as a fourth field.
            Err(why) => format!("u\t{}", why.replace(['\t', '\n', '\r'], " ")),
        };
        let _ = writeln!(out, "{commit} {parent} {categories}\t{paths}\t{verdict}");
    }
    crate::fsutil::write_atomic(path, out.as_bytes())
}

/// The scanned commits, for rebuilding each commit's contract files from
/// the files it changed instead of listing its tree.
pub(crate) struct History<'a> {
    // FxHash: built over every commit of the window on every run.
    pub(crate) commits: rustc_hash::FxHashMap<Oid, &'a CommitInfo>,
    /// Whether merges were diffed against their first parent by the scan
    /// (`merges: first-parent`); otherwise their changes are diffed here.
    pub(crate) merges_listed: bool,
    /// Where the project is in the repository ("" at its root): the
    /// commits' paths are already relative to it.
    pub(crate) root: &'a str,
}

/// Contract files (path -> blob) at a commit.
type Files = Arc<BTreeMap<String, Oid>>;

/// Both sides of a change, or why they could not be read.
type Sides = Result<(Files, Files), String>;

/// The contract files of commits: a commit's are its first parent's with
/// the commit's own changes applied, back to a commit outside the scanned
/// history (or a shallow boundary), or to a merge the scan did not diff,
/// whose tree is listed (subtrees listed before are not read again).
/// Walking a window of thousands of commits then reads almost no trees.
/// Diffing every merge of the first-parent chain instead took a fifth of a
/// cold scan of a long history with a few contract commits.
struct Listings<'a, 'h> {
    history: &'a History<'h>,
    git: &'a Git,
    listing: &'a ProtoListing,
    known: HashMap<Oid, Files>,
    /// Commits whose tree was listed.
    listed: usize,
}

impl Listings<'_, '_> {
    fn at(&mut self, id: Oid) -> Result<Files, InputError> {
        let mut chain = Vec::new();
        let mut current = id;
        let mut files = loop {
            if let Some(files) = self.known.get(&current) {
                break files.clone();
            }
            let merge_unlisted = |info: &CommitInfo| info.is_merge() && !self.history.merges_listed;
            match self.history.commits.get(&current) {
                Some(info) if !info.boundary && !merge_unlisted(info) => {
                    chain.push(*info);
                    if info.parents.is_empty() {
                        // A root commit's changes are its whole tree.
                        break Files::default();
                    }
                    current = info.first_parent();
                }
                _ => {
                    let listed: BTreeMap<String, Oid> = self
                        .listing
                        .files_at_under(self.git, current, self.history.root)?
                        .into_iter()
                        .map(|f| (f.path, f.blob))
                        .collect();
                    let listed = Arc::new(listed);
                    self.listed += 1;
                    self.known.insert(current, listed.clone());
                    break listed;
                }
            }
        };
        for info in chain.into_iter().rev() {
            let changes: Vec<(&str, Oid)> = info
                .files
                .iter()
                .filter(|f| is_listed(&f.path))
                .map(|f| (&*f.path, f.new))
                .collect();
            if !changes.is_empty() {
                let next = Arc::make_mut(&mut files);
                for (path, blob) in changes {
                    if blob.is_zero() {
                        next.remove(path);
                    } else {
                        next.insert(path.to_string(), blob);
                    }
                }
            }
            self.known.insert(info.id, files.clone());
        }
        Ok(files)
    }
}

fn tree_files(files: &Files) -> Vec<TreeFile> {
    files
        .iter()
        .map(|(path, blob)| TreeFile {
            path: path.clone(),
            blob: *blob,
        })
        .collect()
}

/// Judges every change, from the cache where it can; the rest in parallel,
/// each worker with its own git handle. A root commit only adds contracts,
/// which breaks nothing.
pub(crate) fn judge(
    repo: &Repo,
    git: &Git,
    contract: &crate::contract::ContractConfig,
    categories: &[crate::contract::Category],
    changes: &[ContractChange],
    cache_dir: Option<&Path>,
    history: &History<'_>,
) -> Vec<Result<bool, String>> {
    let names: Vec<&str> = categories.iter().map(|c| c.id()).collect();
    let category_key = if names.is_empty() {
        "-".to_string()
    } else {
        names.join(",")
    };
    // Projects in different directories of one repository can have
    // contracts at the same relative paths: each keeps its own verdicts.
    let file_name = if history.root.is_empty() {
        FILE_NAME.to_string()
    } else {
        format!("{FILE_NAME}@{}", history.root.replace(['/', '\\'], "+"))
    };
    let cache_file = cache_dir.map(|dir| dir.join(file_name));
    let mut cached = cache_file.as_deref().map(load).unwrap_or_default();
    let missing: Vec<&ContractChange> = changes
        .iter()
        .filter(|c| !c.parent.is_zero() && !cached.contains_key(&key(c, &category_key)))
        .collect();

    // Both sides of every change, rebuilt from the history in one pass;
    // then compiled and compared in parallel, one git handle per run of
    // changes, blobs decoded once whichever worker needs them first.
    let listing = ProtoListing::default();
    let mut listings = Listings {
        history,
        git,
        listing: &listing,
        known: HashMap::new(),
        listed: 0,
    };
    let sides: Vec<(&ContractChange, Sides)> = missing
        .iter()
        .map(|change| {
            let both = listings
                .at(change.parent)
                .and_then(|old| Ok((old, listings.at(change.commit)?)))
                .map_err(|e| e.message);
            (*change, both)
        })
        .collect();
    drop(listings);
    let runs = rayon::current_num_threads().max(1) * 2;
    let run_len = sides.len().div_ceil(runs).max(1);
    let fresh: Vec<(Key, Result<bool, String>)> = sides
        .par_chunks(run_len)
        .flat_map_iter(|run| {
            let git = Git::open(&repo.root);
            let listing = &listing;
            let category_key = &category_key;
            run.iter().map(move |(change, both)| {
                let verdict = match (&git, both) {
                    (Ok(git), Ok((old, new))) => {
                        let (old, new) = (tree_files(old), tree_files(new));
                        let label =
                            |side: &str, id: Oid| format!("{side} ({})", crate::git::short(id));
                        crate::contract::breaking_between(
                            repo,
                            git,
                            contract,
                            [
                                TreeSide {
                                    files: &old,
                                    label: label("old", change.parent),
                                },
                                TreeSide {
                                    files: &new,
                                    label: label("new", change.commit),
                                },
                            ],
                            &change.paths,
                            categories,
                            listing,
                        )
                        .map_err(|e| e.message)
                    }
                    (Err(e), _) => Err(e.message.clone()),
                    (_, Err(e)) => Err(e.clone()),
                };
                (key(change, category_key), verdict)
            })
        })
        .collect();
    let wrote_new = !fresh.is_empty();
    cached.extend(fresh);
    if wrote_new && let Some(file) = &cache_file {
        // A cache that cannot be written only costs time on the next run.
        let _ = save(file, &cached);
    }
    changes
        .iter()
        .map(|change| {
            if change.parent.is_zero() {
                return Ok(false);
            }
            let k = key(change, &category_key);
            cached
                .get(&k)
                .cloned()
                .unwrap_or_else(|| Err(NO_REASON_KEPT.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::scan::tests::{commit, options};
    use crate::score::scan::{Merges, scan};

    /// The contract files rebuilt from the history are exactly what listing
    /// each commit's tree gives, across adds, edits, deletes, skipped
    /// directories, buf files and a merge that brings a proto in.
    #[test]
    fn rebuilt_contract_files_match_the_trees() {
        let dir = tempfile::tempdir().unwrap();
        let repository = git2::Repository::init(dir.path()).unwrap();
        let base = commit(
            &repository,
            &[],
            &[
                ("api/a/v1/a.proto", Some("syntax = \"proto3\";\n")),
                ("main.go", Some("package main\n")),
            ],
            1000,
        );
        let older = commit(
            &repository,
            &[base],
            &[("api/b/v1/b.proto", Some("syntax = \"proto3\";\n"))],
            2000,
        );
        let side = commit(
            &repository,
            &[older],
            &[
                ("api/c/v1/c.proto", Some("syntax = \"proto3\";\n")),
                ("vendor/x/x.proto", Some("syntax = \"proto3\";\n")),
            ],
            3000,
        );
        let main = commit(
            &repository,
            &[older],
            &[
                ("api/a/v1/a.proto", Some("syntax = \"proto3\"; // edited\n")),
                ("buf.yaml", Some("version: v2\n")),
                ("api/b/v1/b.proto", None),
            ],
            4000,
        );
        // The merge takes the side branch's files (the helper starts from
        // the first parent's tree).
        let merge = commit(
            &repository,
            &[main, side],
            &[
                ("api/c/v1/c.proto", Some("syntax = \"proto3\";\n")),
                ("vendor/x/x.proto", Some("syntax = \"proto3\";\n")),
            ],
            5000,
        );
        let after = commit(
            &repository,
            &[merge],
            &[("api/c/v1/c.proto", None), ("README.md", Some("x\n"))],
            6000,
        );
        let git = Git::open(dir.path()).unwrap();
        let listing = ProtoListing::default();
        for merges in [Merges::Skip, Merges::FirstParent] {
            let mut opts = options(after);
            opts.since = Some(2500);
            opts.merges = merges;
            opts.churn = true;
            let scanned = scan(repository.path(), &repository, &opts).unwrap();
            let history = History {
                commits: scanned.commits.iter().map(|c| (c.id, c)).collect(),
                merges_listed: merges == Merges::FirstParent,
                root: "",
            };
            let mut listings = Listings {
                history: &history,
                git: &git,
                listing: &listing,
                known: HashMap::new(),
                listed: 0,
            };
            for id in [after, merge, main, side, older, base] {
                let rebuilt = listings.at(id).unwrap();
                let listed: BTreeMap<String, Oid> = listing
                    .files_at(&git, id)
                    .unwrap()
                    .into_iter()
                    .map(|f| (f.path, f.blob))
                    .collect();
                assert_eq!(*rebuilt, listed, "{merges:?} at {id}");
            }
            let at_merge = listings.at(merge).unwrap();
            let at_merge: Vec<&str> = at_merge.keys().map(String::as_str).collect();
            assert_eq!(
                at_merge,
                ["api/a/v1/a.proto", "api/c/v1/c.proto", "buf.yaml"]
            );
        }
    }

    /// A merge on the way back from a contract commit is listed, not
    /// diffed against its first parent: objects that only that diff would
    /// read (here a vendored directory the merge brought in, whose side
    /// commit is before the window) are never needed, and the sides of a
    /// change after many merges cost one listing.
    #[test]
    fn merges_before_a_contract_change_are_listed_not_diffed() {
        let dir = tempfile::tempdir().unwrap();
        let repository = git2::Repository::init(dir.path()).unwrap();
        let proto = "syntax = \"proto3\";\n";
        let base = commit(&repository, &[], &[("api/a/v1/a.proto", Some(proto))], 1000);
        let side = commit(
            &repository,
            &[base],
            &[("vendor/x/y/z.go", Some("package y\n"))],
            1500,
        );
        let mut head = commit(
            &repository,
            &[base, side],
            &[("vendor/x/y/z.go", Some("package y\n"))],
            3000,
        );
        for i in 0..20 {
            let text = format!("package main // {i}\n");
            let step = commit(
                &repository,
                &[head],
                &[("main.go", Some(&text))],
                3100 + i * 10,
            );
            let other = commit(
                &repository,
                &[head],
                &[("other.go", Some(&text))],
                3105 + i * 10,
            );
            head = commit(
                &repository,
                &[step, other],
                &[("other.go", Some(&text))],
                3108 + i * 10,
            );
        }
        let change = commit(
            &repository,
            &[head],
            &[("api/a/v1/a.proto", Some("syntax = \"proto3\"; // edited\n"))],
            4000,
        );
        let mut opts = options(change);
        opts.since = Some(2000);
        let scanned = scan(repository.path(), &repository, &opts).unwrap();
        // The vendored directory's tree, which only a diff of the first
        // merge against its first parent reads.
        let merged = repository
            .find_commit(scanned.commits.last().unwrap().id)
            .unwrap();
        assert!(merged.parent_count() == 2 && merged.parent_id(1).unwrap() == side);
        let vendored = merged
            .tree()
            .unwrap()
            .get_path(Path::new("vendor/x"))
            .unwrap()
            .id();
        let hex = vendored.to_string();
        std::fs::remove_file(
            repository
                .path()
                .join("objects")
                .join(&hex[..2])
                .join(&hex[2..]),
        )
        .unwrap();
        let git = Git::open(dir.path()).unwrap();
        let listing = ProtoListing::default();
        let history = History {
            commits: scanned.commits.iter().map(|c| (c.id, c)).collect(),
            merges_listed: false,
            root: "",
        };
        let mut listings = Listings {
            history: &history,
            git: &git,
            listing: &listing,
            known: HashMap::new(),
            listed: 0,
        };
        let old = listings.at(head).unwrap();
        let new = listings.at(change).unwrap();
        assert_eq!(old.keys().collect::<Vec<_>>(), ["api/a/v1/a.proto"]);
        assert_ne!(old.get("api/a/v1/a.proto"), new.get("api/a/v1/a.proto"));
        assert_eq!(listings.listed, 1, "the merge before the change, once");
    }
}
