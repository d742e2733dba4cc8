//! The history scan: for every commit in a window, the files it changed
//! against its first parent, like `git log --name-only --no-renames` prints
//! them (merge commits list nothing, root commits list every file).
//!
//! Trees are compared by object id and only subtrees whose ids differ are
//! read, so a commit that touches one file costs one path of tree reads, not
//! a walk over every directory (git2's `diff_tree_to_tree` expands unchanged
//! subtrees and was measured at several times git's CPU). Trees are decoded
//! from the raw object once and kept for the next commits of the same
//! worker: walking newest first, a commit's parent tree is the next commit's
//! tree, so most of the parent side is never read twice. The worker threads
//! read tree objects through gitoxide or libgit2, whichever suits the packs
//! ([`ObjectReader`]). Results are cached
//! per commit id in `.git/trellis/`, with the parents, so a second run walks
//! the cached part of the history without reading a single git object.

use super::cache::{self, Cache};
use super::generated::{GeneratedFiles, has_generated_marker};
use crate::error::InputError;
use crate::git::packs::{Content, PackReader, Packs};
use git2::{Oid, Repository, Tree};
use rustc_hash::{FxHashMap as FxMap, FxHashSet as FxSet};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Lines added and removed in one file of one commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lines {
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

/// Text shared by every record that holds it: a path or an author is the
/// same string in thousands of file changes and commits, and a cached run
/// decoded one `String` per change (400,000 allocations, a third of the run).
pub(crate) type Text = std::sync::Arc<str>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileChange {
    pub path: Text,
    /// The blob before the commit; zero when the file was added (and, for
    /// files read from the cache whose lines are counted, not kept).
    pub(crate) old: Oid,
    /// The blob after the commit; zero when the file was deleted.
    pub(crate) new: Oid,
    pub(crate) lines: Lines,
}

/// One commit as the metrics need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CommitInfo {
    pub(crate) id: Oid,
    /// The parents, first parent first; empty for a root commit and for a
    /// shallow clone's boundary.
    pub(crate) parents: Vec<Oid>,
    /// Committer time (what `git log --since` filters on), seconds since the epoch.
    pub time: i64,
    pub author_name: Text,
    pub author_email: Text,
    /// The first line of the message.
    pub summary: Text,
    /// A shallow clone's boundary: its parents are missing, so its file list
    /// would be the whole tree. Its files are left out of the metrics.
    pub(crate) boundary: bool,
    pub(crate) files: Vec<FileChange>,
}

impl CommitInfo {
    /// Drops blob ids that are no longer needed (lines already counted), as
    /// the cache does, so fresh and cached results are the same.
    /// Contract files keep theirs: the contract verdicts rebuild each
    /// commit's .proto files from these changes instead of reading trees.
    pub(crate) fn forget_counted_blobs(&mut self) {
        for file in &mut self.files {
            if file.lines != Lines::Unknown && !is_contract_file(&file.path) {
                file.old = Oid::ZERO_SHA1;
                file.new = Oid::ZERO_SHA1;
            }
        }
    }

    pub(crate) fn is_merge(&self) -> bool {
        self.parents.len() > 1
    }

    /// The first parent, zero for a root commit (or a shallow boundary).
    pub(crate) fn first_parent(&self) -> Oid {
        self.parents.first().copied().unwrap_or(Oid::ZERO_SHA1)
    }
}

/// Whether the contract engine reads this file: a .proto, or the buf
/// configuration at the root.
pub(crate) fn is_contract_file(path: &str) -> bool {
    path.ends_with(".proto") || path == "buf.yaml" || path == "buf.work.yaml"
}

/// How merge commits are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Merges {
    /// As `git log` prints them by default: no files.
    #[default]
    Skip,
    /// Diffed against the first parent, as `git log --first-parent -m` does.
    FirstParent,
}

#[derive(Debug, Clone)]
pub(crate) struct ScanOptions {
    /// The commit the walk starts from.
    pub(crate) start: Oid,
    /// Oldest committer time kept (inclusive); `None` keeps everything.
    pub(crate) since: Option<i64>,
    /// Newest committer time kept (inclusive).
    pub(crate) until: Option<i64>,
    pub(crate) merges: Merges,
    /// Whether to count lines added and removed (for churn).
    pub(crate) churn: bool,
    /// Files whose lines are never counted (generated or vendored).
    pub(crate) generated: GeneratedFiles,
    /// Where the cache lives; `None` disables it.
    pub(crate) cache_dir: Option<PathBuf>,
    /// Show a progress bar on stderr (only when the scan takes over a second).
    pub(crate) progress: bool,
    /// How trees are compared; libgit2's diff is kept for the benchmark.
    pub(crate) tree_diff: TreeDiff,
    /// What reads the tree objects [`TreeDiff::Own`] compares.
    pub(crate) objects: ObjectReader,
}

/// The object reader behind the scan's own tree comparison. Both give the
/// same bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum ObjectReader {
    /// The repository's packs through [`PackReader`], which keeps every
    /// delta base it resolves: in a pack that git's pack-objects wrote an
    /// older tree is a delta against the newer one just read, in one that
    /// `git fast-import` wrote the first read of a directory resolves its
    /// chain and leaves every older version cached, so a walk from the
    /// newest commit reads each tree at about one delta in either shape.
    /// gitoxide's object database reads what the packs do not hold.
    #[default]
    Packs,
    /// libgit2 (`TRELLIS_SCORE_OBJECTS=libgit2`, for bench/score.sh).
    Libgit2,
}

/// The tree comparison the scan uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum TreeDiff {
    /// [`compare`]: descends only into subtrees whose ids differ.
    #[default]
    Own,
    /// git2's `diff_tree_to_tree` without rename detection, for comparison
    /// (`TRELLIS_SCORE_TREE_DIFF=libgit2`, used by bench/score.sh).
    Libgit2,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ScanResult {
    /// Newest first, in `git log` order (commit time).
    pub(crate) commits: Vec<CommitInfo>,
    /// How many commits were read from the cache and how many were diffed now.
    pub(crate) cached: usize,
    pub(crate) scanned: usize,
    /// Whether the walk stopped at a shallow boundary inside the window.
    pub(crate) hit_shallow_boundary: bool,
    /// Why the cache could not be written, when it could not.
    pub(crate) cache_warning: Option<String>,
    /// Lines at the start commit of every file the window changed that
    /// still exists there (`None`: binary or generated), for hotspots.
    pub(crate) head_lines: HeadLines,
}

/// Path -> lines at the start commit (`None`: binary or generated).
pub(crate) type HeadLines = FxMap<String, Option<u32>>;

/// A commit read during the walk, before its files are listed.
#[derive(Debug, Clone)]
struct Header {
    info: CommitInfo,
    tree: Oid,
}

/// A commit whose files are listed now: its tree and its first parent's.
struct Task {
    header: Header,
    parent_tree: Option<Oid>,
    /// Merges skipped like `git log` does, and boundaries, list nothing.
    list_files: bool,
}

fn git_error(what: &str, id: Oid) -> impl Fn(git2::Error) -> InputError + '_ {
    move |e| {
        InputError::new(format!(
            "cannot read {what} {}: {}",
            crate::git::short(id),
            e.message()
        ))
    }
}

/// Puts libgit2's process-wide options, which [`scan`] changes, back to
/// their defaults when dropped: hold one for as long as the scorecard runs.
pub(crate) struct RestoreLibgit2Defaults;

impl Drop for RestoreLibgit2Defaults {
    fn drop(&mut self) {
        git2::opts::strict_hash_verification(true);
        git2::opts::enable_caching(true);
    }
}

/// Walks the history from `options.start` and returns the commits in the window.
pub(crate) fn scan(
    git_dir: &Path,
    repo: &Repository,
    options: &ScanOptions,
) -> Result<ScanResult, InputError> {
    // libgit2 re-hashes (SHA-1 with collision detection) every object it
    // reads unless told not to; git does not on reads, and a scan that only
    // reads a repository git already trusts gains nothing from it.
    git2::opts::strict_hash_verification(false);
    // The scan keeps the trees it needs itself and reads every commit and
    // blob once; libgit2's object cache would only add locking and copies.
    // libgit2's own diff (kept for the benchmark) relies on it.
    git2::opts::enable_caching(options.tree_diff == TreeDiff::Libgit2);
    let shallow = shallow_boundary(git_dir);
    let cache_file = options
        .cache_dir
        .as_ref()
        .map(|dir| dir.join(cache::FILE_NAME));
    let mut cache = match &cache_file {
        Some(file) => Cache::load(file, &options.generated),
        None => Cache::default(),
    };

    // The walk hands runs of new commits to the pool while it goes on, so
    // reading commits and comparing trees overlap.
    let progress = Progress::new(options.progress);
    // Opened by the first worker that needs it, shared by all of them.
    let shared = SharedObjects::default();
    let commits = CommitReader::new(repo, options, &shared);
    let runs: std::sync::Mutex<Vec<(usize, RunResult)>> = std::sync::Mutex::new(Vec::new());
    let mut inline: Vec<Task> = Vec::new();
    let (ids, places) = rayon::in_place_scope(|scope| {
        let mut count = 0;
        let mut dispatch = |run: Vec<Task>, last: bool| {
            progress.grow(run.len());
            if last && count == 0 && run.len() <= INLINE {
                // A few new commits (a re-run): no threads, no second handle.
                inline = run;
                return;
            }
            let (index, runs, progress, shared) = (count, &runs, &progress, &shared);
            count += 1;
            scope.spawn(move |_| {
                let listed = list_run(git_dir, options, shared, &run, progress);
                runs.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((index, listed));
            });
        };
        walk(&commits, options, &cache, &shallow, &mut dispatch)
    })?;
    let mut trees = TreeCache::default();
    let mut fresh: Vec<CommitInfo> = inline
        .iter()
        .map(|task| read_task(repo, repo, task, options, &mut trees))
        .collect::<Result<_, _>>()?;
    progress.advance(fresh.len());
    let mut runs = runs.into_inner().unwrap_or_else(|e| e.into_inner());
    runs.sort_by_key(|(index, _)| *index);
    for (_, run) in runs {
        fresh.extend(run?);
    }
    progress.finish();

    let scanned = fresh.len();
    let hit_shallow_boundary = fresh.iter().any(|c| c.boundary);
    // The commits the cache file gains (the cache holds them).
    let mut appended: Vec<Oid> = Vec::new();
    for mut commit in fresh {
        commit.forget_counted_blobs();
        // Boundary commits are never cached: after `git fetch --deepen` they
        // have parents and a different file list.
        if !commit.boundary {
            appended.push(commit.id);
        }
        cache.commits.insert(commit.id, commit);
    }
    // Every commit of the window is in the cache now: by its place from
    // here on, looked up once.
    let places: Vec<u32> = ids
        .iter()
        .zip(places)
        .map(|(id, place)| match place {
            NOT_CACHED => cache.commits.place(id).unwrap_or(NOT_CACHED),
            place => place,
        })
        .collect();

    // Churn for cached commits that were read without line counts. Their
    // generated files stay uncounted on every run: their paths are judged
    // by the cache's answers where it has them (asking the globs' memo for
    // every change of a vendored file was a twentieth of a re-run).
    if options.churn {
        for place in &places {
            let Some(commit) = cache.commits.at_mut(*place) else {
                continue;
            };
            let mut filled = false;
            for file in &mut commit.files {
                if file.lines == Lines::Unknown
                    && !cache.answers.is_generated(&file.path, &options.generated)
                {
                    file.lines = count_lines(repo, file.old, file.new);
                    filled = true;
                }
            }
            if filled && !commit.boundary {
                commit.forget_counted_blobs();
                appended.push(commit.id);
            }
        }
    }

    let (head_lines, new_lines) =
        head_lines(repo, options.start, &places, &options.generated, &mut cache)?;

    let mut cache_warning = None;
    if (!appended.is_empty() || !new_lines.is_empty())
        && let Some(file) = &cache_file
        && let Err(e) = cache.append(file, &options.generated, &appended, &new_lines)
    {
        cache_warning = Some(format!(
            "could not write the history cache {}: {e} (the next run scans again)",
            file.display()
        ));
    }

    let commits: Vec<CommitInfo> = places
        .iter()
        .filter_map(|place| cache.commits.take_at(*place))
        .collect();
    Ok(ScanResult {
        cached: commits.len() - scanned.min(commits.len()),
        scanned,
        commits,
        hit_shallow_boundary,
        cache_warning,
        head_lines,
    })
}

/// Lines at `head` of the files the commits changed, from the cache by blob
/// id where it can (a re-run reads only blobs that changed); also the
/// blobs counted now. Generated and vendored files are never hotspots, so
/// their blobs are not read (in a repository that vendors its
/// dependencies they were most of a cold scan's blob reads).
fn head_lines(
    repo: &Repository,
    head: Oid,
    places: &[u32],
    generated: &GeneratedFiles,
    cache: &mut Cache,
) -> Result<(HeadLines, Vec<Oid>), InputError> {
    // Changes read from the cache share one string per path: they are told
    // apart by its address before its text is hashed (200,000 changes of a
    // long history name a few ten thousand paths).
    // Generated paths are left out, judged once per path, not once per
    // change (the globs for every change of a long history were a tenth
    // of a cached run), and for a path read from the cache not at all: it
    // comes with its answer.
    let mut addresses: FxSet<*const u8> = FxSet::default();
    let mut changed: FxSet<&str> = FxSet::default();
    for file in places
        .iter()
        .filter_map(|place| cache.commits.at(*place))
        .flat_map(|c| &c.files)
    {
        if addresses.insert(file.path.as_ptr())
            && !cache.answers.is_generated(&file.path, generated)
        {
            changed.insert(&file.path);
        }
    }
    // Only directories holding a wanted path are entered: a vendored tree
    // (three quarters of a large Go repository's files) is skipped whole.
    let mut dirs: FxSet<&str> = FxSet::default();
    for path in &changed {
        let mut at = path.len();
        while let Some(slash) = path[..at].rfind('/') {
            if !dirs.insert(&path[..=slash]) {
                break;
            }
            at = slash;
        }
    }
    let mut at_head: Vec<(String, Oid)> = Vec::new();
    if !changed.is_empty() {
        let error = git_error("commit", head);
        let tree = repo
            .find_commit(head)
            .and_then(|c| c.tree())
            .map_err(&error)?;
        let mut path = String::new();
        tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            path.clear();
            path.push_str(dir);
            path.push_str(&String::from_utf8_lossy(entry.name_bytes()));
            match entry.kind() {
                Some(git2::ObjectType::Blob) if changed.contains(path.as_str()) => {
                    at_head.push((path.clone(), entry.id()));
                }
                Some(git2::ObjectType::Tree) => {
                    path.push('/');
                    if !dirs.contains(path.as_str()) {
                        return git2::TreeWalkResult::Skip;
                    }
                }
                _ => {}
            }
            git2::TreeWalkResult::Ok
        })
        .map_err(&error)?;
    }
    let mut lines = FxMap::default();
    let mut counted = Vec::new();
    for (path, blob) in at_head {
        let count = match cache.blob_lines.get(&blob) {
            Some(count) => *count,
            None => {
                let count = repo.find_blob(blob).ok().and_then(|b| {
                    (!b.is_binary() && !has_generated_marker(b.content()))
                        .then(|| line_count(b.content()))
                });
                cache.blob_lines.insert(blob, count);
                counted.push(blob);
                count
            }
        };
        lines.insert(path, count);
    }
    Ok((lines, counted))
}

/// A run's commits with their files, or why they could not be read.
type RunResult = Result<Vec<CommitInfo>, InputError>;

/// Up to this many new commits are read on the calling thread.
const INLINE: usize = 64;
/// New commits per run handed to a worker: long enough that a worker's
/// tree cache pays (a commit's parent follows it in the run), short enough
/// to keep both cores busy while the walk goes on.
const RUN: usize = 4096;

/// The repository's object database (gitoxide's) and packs, opened once by the
/// first worker that reads through them and shared by all.
#[derive(Default)]
struct SharedObjects {
    /// `None` when gitoxide cannot open the object database: the workers
    /// then read trees through libgit2.
    store: std::sync::OnceLock<Option<std::sync::Arc<gix_odb::Store>>>,
    /// The repository's packs, opened by the first reader.
    packs: std::sync::OnceLock<std::sync::Arc<Packs>>,
}

/// Opens the repository's object database with gitoxide (packs, loose
/// objects, alternates; the common directory's for a linked worktree).
fn open_gix(repo: &Repository) -> Option<std::sync::Arc<gix_odb::Store>> {
    gix_odb::Store::at_opts(
        repo.commondir().join("objects"),
        gix_hash::Kind::Sha1,
        &mut std::iter::empty(),
        gix_odb::store::init::Options::default(),
    )
    .ok()
    .map(std::sync::Arc::new)
}

/// Bytes of resolved pack objects a worker keeps (by pack offset: an older
/// tree whose delta base is a newer tree read just before finds it there).
const TREE_PACK_CACHE: usize = 32 << 20;
/// A worker's object reader: the repository's packs first
/// ([`PackReader`]), gitoxide's object database for what they do not hold
/// (loose objects) or hold damaged; counting reads and the delta links
/// each walked.
struct Objects {
    packs: std::cell::RefCell<PackReader>,
    objects: gix_odb::HandleArc,
    /// Where gitoxide decodes each object it reads.
    buffer: std::cell::RefCell<Vec<u8>>,
    reads: std::cell::Cell<usize>,
}

impl Objects {
    /// A reader keeping about `cache_bytes` of resolved pack objects, whole
    /// ones too if `keep_whole`.
    fn new(
        shared: &SharedObjects,
        store: &std::sync::Arc<gix_odb::Store>,
        cache_bytes: usize,
        keep_whole: bool,
    ) -> Objects {
        // No object cache: the scan keeps decoded trees itself; nor a pack
        // cache: what gitoxide reads is what the packs did not answer.
        let packs = shared
            .packs
            .get_or_init(|| std::sync::Arc::new(Packs::open(store.path())))
            .clone();
        Objects {
            packs: std::cell::RefCell::new(PackReader::new(packs, cache_bytes, keep_whole)),
            objects: store.to_cache_arc(),
            buffer: Default::default(),
            reads: std::cell::Cell::new(0),
        }
    }

    /// Reads so far and the delta links they walked.
    fn counts(&self) -> (usize, usize) {
        (self.reads.get(), self.packs.borrow().links())
    }
}

/// Lists the files of a run of commits on a worker, with its own handles
/// (neither a git2 nor a gix Repository is shareable across threads).
fn list_run(
    git_dir: &Path,
    options: &ScanOptions,
    shared: &SharedObjects,
    run: &[Task],
    progress: &Progress,
) -> Result<Vec<CommitInfo>, InputError> {
    let repo = Repository::open(git_dir).map_err(|e| {
        InputError::new(format!(
            "cannot open {}: {}",
            git_dir.display(),
            e.message()
        ))
    })?;
    // libgit2's diff reads its own trees.
    let wanted = options.tree_diff == TreeDiff::Own && options.objects == ObjectReader::Packs;
    let reader = wanted
        .then(|| shared.store.get_or_init(|| open_gix(&repo)).as_ref())
        .flatten()
        .map(|store| Objects::new(shared, store, TREE_PACK_CACHE, true));
    let source: &dyn TreeSource = match &reader {
        Some(reader) => reader,
        None => &repo,
    };
    let mut trees = TreeCache::default();
    let listed = run
        .iter()
        .map(|task| read_task(&repo, source, task, options, &mut trees))
        .collect::<Result<Vec<_>, _>>()?;
    progress.advance(run.len());
    if let Some(reader) = &reader {
        let (reads, links) = reader.counts();
        log::debug!(
            "a run of {} commits read {reads} trees, {links} delta links looked up",
            run.len()
        );
    }
    Ok(listed)
}

/// The commit ids in the window, newest first, like `git log`: a queue
/// ordered by committer time (ties in the order commits were reached).
/// Cached commits give their time and parents from the cache, so only new
/// commits are read; those in the window go to `dispatch` in runs, with
/// their first parent's tree (read when the parent was reached). Like
/// `git log --since`, the walk stops once several commits in a row are
/// older than the window, which tolerates a little clock skew without
/// reading all of history. Also each commit's place in the cache, or
/// [`NOT_CACHED`].
fn walk(
    commits: &CommitReader<'_>,
    options: &ScanOptions,
    cache: &Cache,
    shallow: &HashSet<Oid>,
    dispatch: &mut dyn FnMut(Vec<Task>, bool),
) -> Result<(Vec<Oid>, Vec<u32>), InputError> {
    const SLOP: usize = 5;
    // Read commits wait here until they leave the queue.
    let mut read: OidMap<Header> = OidMap::default();
    // The tree of every commit read, for its children's comparisons.
    let mut trees: OidMap<Oid> = OidMap::default();
    // Queued: time, order reached, id and the commit's place in the cache
    // (`NOT_CACHED` for one read now).
    let mut queue: BinaryHeap<Queued> = BinaryHeap::new();
    // Commits reached: cached ones by their place, looked up once (a re-run
    // walks the whole cached history), others by id.
    let mut seen: OidMap<()> = OidMap::default();
    let mut seen_places = vec![false; cache.commits.places()];
    let mut order = 0u64;
    // Enqueues a commit, reading it unless the cache knows it; false when
    // the commit is missing (a parent a shallow clone cut off).
    let mut reach = |id: Oid,
                     queue: &mut BinaryHeap<Queued>,
                     read: &mut OidMap<Header>,
                     trees: &mut OidMap<Oid>|
     -> bool {
        let cached = cache
            .commits
            .place(&id)
            .filter(|_| !shallow.contains(&id))
            .and_then(|place| Some((place, cache.commits.at(place)?)));
        let (time, place) = match cached {
            Some((place, commit)) => {
                if std::mem::replace(&mut seen_places[place as usize], true) {
                    return true;
                }
                (commit.time, place)
            }
            None => {
                if seen.insert(id, ()).is_some() {
                    return true;
                }
                let Some(header) = commits.header(id, shallow.contains(&id)) else {
                    return false;
                };
                let time = header.info.time;
                trees.insert(id, header.tree);
                read.insert(id, header);
                (time, NOT_CACHED)
            }
        };
        order += 1;
        queue.push((time, Reverse(order), id, place));
        true
    };
    if !reach(options.start, &mut queue, &mut read, &mut trees) {
        return Err(InputError::new(format!(
            "cannot read commit {}",
            crate::git::short(options.start)
        )));
    }
    let mut ids = Vec::new();
    let mut places = Vec::new();
    let mut run = Vec::new();
    let mut old_in_a_row = 0;
    while let Some((time, _, id, place)) = queue.pop() {
        let fresh = match place {
            NOT_CACHED => read.remove(&id),
            _ => None,
        };
        let parents = match (&fresh, cache.commits.at(place)) {
            (Some(header), _) => &header.info.parents,
            (None, Some(commit)) => &commit.parents,
            (None, None) => &cache.commits[&id].parents,
        };
        let mut missing_parent = false;
        for parent in parents {
            missing_parent |= !reach(*parent, &mut queue, &mut read, &mut trees);
        }
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
        places.push(place);
        let Some(mut header) = fresh else {
            continue;
        };
        if missing_parent {
            // A parent that is missing without a shallow file: the commit
            // is a boundary all the same (its files would be the whole tree).
            header.info.boundary = true;
            header.info.parents.clear();
        }
        let info = &header.info;
        let list_files =
            !info.boundary && (info.parents.len() <= 1 || options.merges == Merges::FirstParent);
        let parent_tree = match info.parents.first() {
            Some(parent) if list_files => Some(match trees.get(parent) {
                Some(tree) => *tree,
                // A cached parent: read only its tree id.
                None => commits.tree(*parent)?,
            }),
            _ => None,
        };
        run.push(Task {
            header,
            parent_tree,
            list_files,
        });
        if run.len() == RUN {
            dispatch(std::mem::take(&mut run), false);
        }
    }
    if !run.is_empty() {
        dispatch(run, true);
    }
    Ok((ids, places))
}

/// A commit waiting in [`walk`]'s queue: newest first, then in the order
/// reached; its place in the cache or [`NOT_CACHED`].
type Queued = (i64, Reverse<u64>, Oid, u32);
const NOT_CACHED: u32 = u32::MAX;

/// Reads the walk's commits through [`Objects`], as the workers read the
/// trees (the packs, then gitoxide's store; no libgit2 commit object built
/// to be dropped), else through libgit2. A commit those cannot read or
/// parse is asked of libgit2, whose answer is the reference.
struct CommitReader<'r> {
    repo: &'r Repository,
    objects: Option<Objects>,
}

/// Bytes of the walk's pack cache: commits are rarely stored as deltas,
/// and each is read once.
const COMMIT_PACK_CACHE: usize = 4 << 20;

impl<'r> CommitReader<'r> {
    fn new(
        repo: &'r Repository,
        options: &ScanOptions,
        shared: &SharedObjects,
    ) -> CommitReader<'r> {
        // libgit2 replaces the parents of commits named in info/grafts;
        // gitoxide's object database does not know of grafts.
        let grafts = repo.commondir().join("info/grafts").exists();
        let objects = (options.objects != ObjectReader::Libgit2 && !grafts)
            .then(|| shared.store.get_or_init(|| open_gix(repo)).as_ref())
            .flatten()
            .map(|store| Objects::new(shared, store, COMMIT_PACK_CACHE, false));
        CommitReader { repo, objects }
    }

    /// The commit's header, `None` when it is missing (a parent a shallow
    /// clone cut off) or damaged.
    fn header(&self, id: Oid, boundary: bool) -> Option<Header> {
        let read = self.objects.as_ref().and_then(|objects| {
            let data = objects.read(id, gix_object::Kind::Commit).ok()?;
            let fields = crate::git::commit::parse(&data)?;
            Some(Header {
                info: CommitInfo {
                    id,
                    summary: String::from_utf8_lossy(&fields.summary()).into(),
                    parents: if boundary { Vec::new() } else { fields.parents },
                    time: fields.time,
                    author_name: String::from_utf8_lossy(fields.author_name).into(),
                    author_email: String::from_utf8_lossy(fields.author_email).into(),
                    boundary,
                    files: Vec::new(),
                },
                tree: fields.tree,
            })
        });
        read.or_else(|| {
            let commit = self.repo.find_commit(id).ok()?;
            Some(libgit2_header(&commit, boundary))
        })
    }

    /// The commit's tree id.
    fn tree(&self, id: Oid) -> Result<Oid, InputError> {
        match self.header(id, false) {
            Some(header) => Ok(header.tree),
            None => Err(InputError::new(format!(
                "cannot read commit {}",
                crate::git::short(id)
            ))),
        }
    }
}

fn libgit2_header(commit: &git2::Commit<'_>, boundary: bool) -> Header {
    let author = commit.author();
    Header {
        info: CommitInfo {
            id: commit.id(),
            parents: if boundary {
                Vec::new()
            } else {
                commit.parent_ids().collect()
            },
            time: commit.committer().when().seconds(),
            author_name: String::from_utf8_lossy(author.name_bytes()).into(),
            author_email: String::from_utf8_lossy(author.email_bytes()).into(),
            summary: String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default()).into(),
            boundary,
            files: Vec::new(),
        },
        tree: commit.tree_id(),
    }
}

/// Lists a task's files: trees from `source`, line counts (and libgit2's
/// diff) through `repo`.
fn read_task(
    repo: &Repository,
    source: &dyn TreeSource,
    task: &Task,
    options: &ScanOptions,
    trees: &mut TreeCache,
) -> Result<CommitInfo, InputError> {
    let mut info = task.header.info.clone();
    if !task.list_files {
        return Ok(info);
    }
    let error = git_error("commit", info.id);
    let mut files = Vec::new();
    match options.tree_diff {
        TreeDiff::Own => {
            let mut path = Vec::new();
            let old = task
                .parent_tree
                .map(|id| trees.get(source, id))
                .transpose()
                .map_err(&error)?;
            let new = trees.get(source, task.header.tree).map_err(&error)?;
            compare(
                source,
                trees,
                old.as_deref(),
                Some(&new),
                &mut path,
                &mut files,
            )
            .map_err(&error)?;
            trees.next_generation();
        }
        TreeDiff::Libgit2 => {
            let new = repo.find_tree(task.header.tree).map_err(&error)?;
            let old = task
                .parent_tree
                .map(|id| repo.find_tree(id))
                .transpose()
                .map_err(&error)?;
            libgit2_diff(repo, old.as_ref(), &new, &mut files).map_err(&error)?;
        }
    }
    if options.churn {
        for file in &mut files {
            if !options.generated.is_generated(&file.path) {
                file.lines = count_lines(repo, file.old, file.new);
            }
        }
    }
    info.files = files;
    Ok(info)
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
            .map(|p| p.to_string_lossy().replace('\\', "/").into())
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

/// One tree object, decoded once: entries point into the raw bytes, and
/// ids stay raw until one is needed (most entries are only compared).
#[derive(Debug)]
pub(crate) struct RawTree {
    data: Content,
    entries: Vec<RawEntry>,
}

#[derive(Debug, Clone, Copy)]
struct RawEntry {
    /// Where the entry (its mode) starts in `data`.
    start: u32,
    /// The name's range in `data`; the 20-byte id follows its NUL.
    name: (u32, u32),
    mode: u32,
}

const MODE_TREE: u32 = 0o040000;

impl RawEntry {
    fn is_tree(&self) -> bool {
        self.mode & 0o170000 == MODE_TREE
    }

    /// Where the entry starts in the tree object (its mode).
    fn start(&self) -> usize {
        self.start as usize
    }

    /// Where the next entry starts: past the name's NUL and the id.
    fn end(&self) -> usize {
        self.name.1 as usize + 21
    }
}

impl RawTree {
    /// Decodes git's tree format: `<octal mode> <name>\0<20-byte id>` repeated.
    fn parse(data: Content) -> Option<RawTree> {
        let mut entries = Vec::with_capacity(data.len() / 32);
        let mut at = 0;
        while at < data.len() {
            let entry_start = at as u32;
            let mut mode = 0u32;
            while *data.get(at)? != b' ' {
                let digit = data[at];
                if !(b'0'..=b'7').contains(&digit) {
                    return None;
                }
                mode = mode * 8 + u32::from(digit - b'0');
                at += 1;
            }
            let start = at + 1;
            let nul = start + data.get(start..)?.iter().position(|b| *b == 0)?;
            if nul + 21 > data.len() {
                return None;
            }
            entries.push(RawEntry {
                start: entry_start,
                name: (start as u32, nul as u32),
                mode,
            });
            at = nul + 21;
        }
        Some(RawTree { data, entries })
    }

    fn name(&self, entry: &RawEntry) -> &[u8] {
        &self.data[entry.name.0 as usize..entry.name.1 as usize]
    }

    fn raw_id(&self, entry: &RawEntry) -> &[u8] {
        let at = entry.name.1 as usize + 1;
        &self.data[at..at + 20]
    }

    fn id(&self, entry: &RawEntry) -> Oid {
        Oid::from_bytes(self.raw_id(entry)).expect("20 bytes")
    }
}

/// A map keyed by object id that compares ids as plain bytes: `Oid`'s own
/// equality calls into libgit2 for every probe, which showed in the walk's
/// and the cache's profiles.
#[derive(Debug, Clone)]
pub(crate) struct OidMap<V>(FxMap<[u8; 20], V>);

fn key(id: &Oid) -> [u8; 20] {
    id.as_bytes().try_into().unwrap_or([0; 20])
}

impl<V> Default for OidMap<V> {
    fn default() -> Self {
        OidMap(Default::default())
    }
}

impl<V> OidMap<V> {
    pub(crate) fn get(&self, id: &Oid) -> Option<&V> {
        self.0.get(&key(id))
    }

    pub(crate) fn insert(&mut self, id: Oid, value: V) -> Option<V> {
        self.0.insert(key(&id), value)
    }

    /// The value of this id, `make`'s when there was none: one probe
    /// where a lookup and then an insert took two.
    pub(crate) fn get_or_insert_with(&mut self, id: Oid, make: impl FnOnce() -> V) -> &mut V {
        self.0.entry(key(&id)).or_insert_with(make)
    }

    pub(crate) fn remove(&mut self, id: &Oid) -> Option<V> {
        self.0.remove(&key(id))
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn reserve(&mut self, additional: usize) {
        self.0.reserve(additional);
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (Oid, &V)> {
        self.0
            .iter()
            .map(|(k, v)| (Oid::from_bytes(k).expect("20 bytes"), v))
    }
}

impl<V> std::ops::Index<&Oid> for OidMap<V> {
    type Output = V;

    fn index(&self, id: &Oid) -> &V {
        self.get(id).expect("id in map")
    }
}

/// Decoded trees of the last commits a worker compared, in two
/// generations: a tree used since the last rotation stays, older ones go
/// once the current generation is full. A directory's version is read as
/// the old side where a commit changed it and again, some commits later in
/// the walk (newest first), as the new side where it was introduced; a
/// cache that spans those commits reads it once. Git reads it twice.
#[derive(Default)]
struct TreeCache {
    current: OidMap<Rc<RawTree>>,
    previous: OidMap<Rc<RawTree>>,
}

/// Trees per generation: a few megabytes per worker.
const TREES_PER_GENERATION: usize = 4096;

/// Where the raw bytes of tree objects come from.
trait TreeSource {
    /// The tree object's content (git's tree format), or why it cannot be read.
    fn tree_bytes(&self, id: Oid) -> Result<Content, git2::Error>;
}

fn not_a(id: Oid, kind: impl std::fmt::Display, wanted: impl std::fmt::Display) -> git2::Error {
    git2::Error::from_str(&format!(
        "{} is a {kind}, not a {wanted}",
        crate::git::short(id)
    ))
}

impl TreeSource for Repository {
    fn tree_bytes(&self, id: Oid) -> Result<Content, git2::Error> {
        let odb = self.odb()?;
        let object = odb.read(id)?;
        if object.kind() != git2::ObjectType::Tree {
            return Err(not_a(id, object.kind(), "tree"));
        }
        Ok(Rc::new(object.data().to_vec()))
    }
}

impl TreeSource for Objects {
    fn tree_bytes(&self, id: Oid) -> Result<Content, git2::Error> {
        self.read(id, gix_object::Kind::Tree)
    }
}

impl Objects {
    /// Reads an object that must be of `kind`.
    fn read(&self, id: Oid, kind: gix_object::Kind) -> Result<Content, git2::Error> {
        self.reads.set(self.reads.get() + 1);
        let gix_id = gix_hash::ObjectId::try_from(id.as_bytes())
            .map_err(|e| git2::Error::from_str(&e.to_string()))?;
        if let Ok((found, content)) = self.packs.borrow_mut().read(&gix_id) {
            if found != kind {
                return Err(not_a(id, found, kind));
            }
            return Ok(content);
        }
        let mut buffer = self.buffer.borrow_mut();
        let found = gix_object::Find::try_find(&self.objects, &gix_id, &mut buffer)
            .map_err(|e| git2::Error::from_str(&format!("{}: {e}", crate::git::short(id))))?;
        match found {
            Some(object) if object.kind == kind => Ok(Rc::new(object.data.to_vec())),
            Some(object) => Err(not_a(id, object.kind, kind)),
            // git knows the empty tree without storing it; so does libgit2.
            None if kind == gix_object::Kind::Tree && gix_id.is_empty_tree() => Ok(Rc::default()),
            None => Err(git2::Error::new(
                git2::ErrorCode::NotFound,
                git2::ErrorClass::Odb,
                format!("object {} not found", crate::git::short(id)),
            )),
        }
    }
}

impl TreeCache {
    fn get(&mut self, source: &dyn TreeSource, id: Oid) -> Result<Rc<RawTree>, git2::Error> {
        if let Some(tree) = self.current.get(&id) {
            return Ok(tree.clone());
        }
        let tree = match self.previous.remove(&id) {
            Some(tree) => tree,
            None => Rc::new(RawTree::parse(source.tree_bytes(id)?).ok_or_else(|| {
                git2::Error::from_str(&format!("tree {} is damaged", crate::git::short(id)))
            })?),
        };
        self.current.insert(id, tree.clone());
        Ok(tree)
    }

    /// Called after each commit: rotates once the generation is full.
    fn next_generation(&mut self) {
        if self.current.len() >= TREES_PER_GENERATION {
            self.previous = std::mem::take(&mut self.current);
        }
    }
}

/// Git's tree order: names compared bytewise, a directory as if its name
/// ended in `/`.
fn tree_order(a: &[u8], a_tree: bool, b: &[u8], b_tree: bool) -> std::cmp::Ordering {
    let len = a.len().min(b.len());
    match a[..len].cmp(&b[..len]) {
        std::cmp::Ordering::Equal => {}
        other => return other,
    }
    let next = |name: &[u8], tree: bool| name.get(len).copied().or(tree.then_some(b'/'));
    next(a, a_tree).cmp(&next(b, b_tree))
}

/// Appends the files that differ between two trees, descending only into
/// subtrees whose ids differ. Both entry lists come sorted by git's tree
/// order, so one merge pass pairs them. `path` holds the directory being
/// compared (with a trailing `/` unless at the root); paths are built as
/// bytes and turned into a String only for a changed file.
fn compare(
    repo: &dyn TreeSource,
    trees: &mut TreeCache,
    old: Option<&RawTree>,
    new: Option<&RawTree>,
    path: &mut Vec<u8>,
    out: &mut Vec<FileChange>,
) -> Result<(), git2::Error> {
    let none: &[RawEntry] = &[];
    let mut old_entries = old.map_or(none, |t| &t.entries[..]);
    let mut new_entries = new.map_or(none, |t| &t.entries[..]);
    let (mut i, mut j) = (0, 0);
    if let (Some(ot), Some(nt)) = (old, new) {
        // A commit changes one entry or a few of a directory: the entries
        // before and after them are the same bytes in both trees, found by
        // comparing the raw objects at memory speed instead of pairing
        // every name and id.
        let (same_before, old_end, new_end) = unchanged_ends(ot, nt);
        (i, j) = (same_before, same_before);
        old_entries = &old_entries[..old_end];
        new_entries = &new_entries[..new_end];
    }
    while i < old_entries.len() || j < new_entries.len() {
        let order = match (old_entries.get(i), new_entries.get(j), old, new) {
            (Some(a), Some(b), Some(ot), Some(nt)) => {
                tree_order(ot.name(a), a.is_tree(), nt.name(b), b.is_tree())
            }
            (Some(_), None, ..) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        match order {
            std::cmp::Ordering::Less => {
                let (tree, entry) = (old.expect("old entry"), &old_entries[i]);
                side(repo, trees, tree, entry, true, path, out)?;
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                let (tree, entry) = (new.expect("new entry"), &new_entries[j]);
                side(repo, trees, tree, entry, false, path, out)?;
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                let (a, b) = (&old_entries[i], &new_entries[j]);
                let (ot, nt) = (old.expect("old entry"), new.expect("new entry"));
                if ot.raw_id(a) != nt.raw_id(b) || a.mode != b.mode {
                    let name = ot.name(a);
                    let len = path.len();
                    path.extend_from_slice(name);
                    if a.is_tree() {
                        path.push(b'/');
                        let (ta, tb) = (trees.get(repo, ot.id(a))?, trees.get(repo, nt.id(b))?);
                        compare(repo, trees, Some(&ta), Some(&tb), path, out)?;
                    } else {
                        out.push(FileChange {
                            path: String::from_utf8_lossy(path).into(),
                            old: ot.id(a),
                            new: nt.id(b),
                            lines: Lines::Unknown,
                        });
                    }
                    path.truncate(len);
                }
                i += 1;
                j += 1;
            }
        }
    }
    Ok(())
}

/// How many leading entries two trees share byte for byte, and where their
/// shared trailing entries start in each: `(same_before, old_end, new_end)`
/// with the entries `..same_before` and `old_end..` (old) and
/// `new_end..` (new) the same in both.
fn unchanged_ends(old: &RawTree, new: &RawTree) -> (usize, usize, usize) {
    let (a, b) = (&old.data[..], &new.data[..]);
    let prefix = common_prefix(a, b);
    // Identical bytes parse into identical entries: every entry that ends
    // inside the common prefix is the same in both trees.
    let same_before = old.entries.partition_point(|e| e.end() <= prefix);
    let shorter = a.len().min(b.len());
    let suffix = common_suffix(&a[prefix.min(shorter)..], &b[prefix.min(shorter)..]);
    let old_tail = a.len() - suffix;
    // The first old entry that starts inside the common suffix; its bytes
    // and all after it are the new tree's last bytes too. If the new tree
    // has an entry starting at the same distance from its end, parsing
    // from there gives the same entries (the format has no state), else
    // nothing is skipped at the end.
    let first = same_before + old.entries[same_before..].partition_point(|e| e.start() < old_tail);
    let Some(start) = old.entries.get(first).map(RawEntry::start) else {
        return (same_before, old.entries.len(), new.entries.len());
    };
    let new_start = b.len() - (a.len() - start);
    let found = new.entries[same_before..].binary_search_by_key(&new_start, RawEntry::start);
    match found {
        Ok(at) => (same_before, first, same_before + at),
        Err(_) => (same_before, old.entries.len(), new.entries.len()),
    }
}

/// Bytes two slices share at their start.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const WORD: usize = 16;
    let shorter = a.len().min(b.len());
    let words = a[..shorter]
        .chunks_exact(WORD)
        .zip(b[..shorter].chunks_exact(WORD))
        .take_while(|(x, y)| x == y)
        .count();
    let at = words * WORD;
    at + a[at..shorter]
        .iter()
        .zip(&b[at..shorter])
        .take_while(|(x, y)| x == y)
        .count()
}

/// Bytes two slices share at their end.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const WORD: usize = 16;
    let shorter = a.len().min(b.len());
    let (a, b) = (&a[a.len() - shorter..], &b[b.len() - shorter..]);
    let words = a
        .rchunks_exact(WORD)
        .zip(b.rchunks_exact(WORD))
        .take_while(|(x, y)| x == y)
        .count();
    let at = shorter - words * WORD;
    words * WORD
        + a[..at]
            .iter()
            .rev()
            .zip(b[..at].iter().rev())
            .take_while(|(x, y)| x == y)
            .count()
}

/// An entry on one side only: a file added or deleted, or a whole directory.
fn side(
    repo: &dyn TreeSource,
    trees: &mut TreeCache,
    parent: &RawTree,
    entry: &RawEntry,
    deleted: bool,
    path: &mut Vec<u8>,
    out: &mut Vec<FileChange>,
) -> Result<(), git2::Error> {
    let len = path.len();
    path.extend_from_slice(parent.name(entry));
    if entry.is_tree() {
        path.push(b'/');
        let tree = trees.get(repo, parent.id(entry))?;
        if deleted {
            compare(repo, trees, Some(&tree), None, path, out)?;
        } else {
            compare(repo, trees, None, Some(&tree), path, out)?;
        }
    } else {
        let (old, new) = if deleted {
            (parent.id(entry), Oid::ZERO_SHA1)
        } else {
            (Oid::ZERO_SHA1, parent.id(entry))
        };
        out.push(FileChange {
            path: String::from_utf8_lossy(path).into(),
            old,
            new,
            lines: Lines::Unknown,
        });
    }
    path.truncate(len);
    Ok(())
}

/// Lines added and removed between two blobs (either may be zero: added or
/// deleted file). Submodule entries and unreadable blobs count as binary.
pub(crate) fn count_lines(repo: &Repository, old: Oid, new: Oid) -> Lines {
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
            // An empty path, not none: given none, libgit2 looks up the diff
            // driver of a placeholder path "file" in the attributes, which
            // reads the whole index (a sixteenth of a re-run on a large
            // repository) for an answer about no file of the commit. An
            // empty path takes the automatic driver without any lookup.
            let path = Some(Path::new(""));
            match git2::Patch::from_blobs(old_blob, path, new_blob, path, Some(&mut options)) {
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
pub(crate) fn line_count(content: &[u8]) -> u32 {
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
    /// The total grows as the walk finds new commits ([`Progress::grow`]).
    fn new(enabled: bool) -> Progress {
        let bar = enabled.then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(
                Some(0),
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

    fn grow(&self, count: usize) {
        if let Some(bar) = &self.bar {
            bar.inc_length(count as u64);
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
pub(crate) mod tests {
    use super::*;
    use git2::Signature;

    pub(crate) fn options(start: Oid) -> ScanOptions {
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
            objects: ObjectReader::Packs,
        }
    }

    /// Commits `files` (path, Some(content) or None to delete) on top of `parents`.
    pub(crate) fn commit(
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
        commit.files.iter().map(|f| &*f.path).collect()
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
        assert_eq!(result.commits[0].parents, [second, side]);
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

    /// Packs every object reachable from `head` (libgit2 stores trees as
    /// deltas) and removes the loose ones, so reads resolve deltas.
    fn pack_everything(repo: &Repository, head: Oid) {
        let mut walk = repo.revwalk().unwrap();
        walk.push(head).unwrap();
        let mut builder = repo.packbuilder().unwrap();
        builder.insert_walk(&mut walk).unwrap();
        builder
            .write(&repo.path().join("objects/pack"), 0o644)
            .unwrap();
        for entry in std::fs::read_dir(repo.path().join("objects")).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name().len() == 2 {
                std::fs::remove_dir_all(entry.path()).unwrap();
            }
        }
    }

    /// A history longer than [`INLINE`], so worker threads list the files
    /// (reading trees through gitoxide unless told otherwise): nested
    /// changes, directories added and removed, a file replaced by a
    /// directory, merges.
    fn long_history(repo: &Repository) -> Oid {
        let mut head = commit(
            repo,
            &[],
            &[("README", Some("r\n")), ("svc/a/main.go", Some("0\n"))],
            1000,
        );
        for i in 1..200i64 {
            let time = 1000 + i * 60;
            let text = format!("{i}\n");
            let deep = format!("svc/{}/pkg{}/f.go", ["a", "b", "c"][i as usize % 3], i % 7);
            let added = format!("new/d{i}/x.go");
            let gone = format!("new/d{}/x.go", i - 5);
            let mut files: Vec<(&str, Option<&str>)> = vec![(&deep, Some(&text))];
            if i % 10 == 0 {
                files.push((&added, Some(&text)));
            }
            if i % 10 == 5 && i > 10 {
                files.push((&gone, None));
            }
            if i == 151 {
                files.push(("README", None));
                files.push(("README/x", Some("now a directory\n")));
            }
            if i % 50 == 0 {
                let side = commit(repo, &[head], &[("side.go", Some(&text))], time - 30);
                head = commit(repo, &[head, side], &[("side.go", Some(&text))], time - 10);
            }
            head = commit(repo, &[head], &files, time);
        }
        head
    }

    #[test]
    fn the_packs_and_libgit2_read_the_same_history() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let head = long_history(&repo);
        pack_everything(&repo, head);
        assert!(open_gix(&repo).is_some(), "gitoxide opens the repository");

        let mut runs = Vec::new();
        for merges in [Merges::Skip, Merges::FirstParent] {
            for (tree_diff, objects) in [
                (TreeDiff::Own, ObjectReader::Packs),
                (TreeDiff::Own, ObjectReader::Libgit2),
                (TreeDiff::Libgit2, ObjectReader::Packs),
            ] {
                let mut opts = options(head);
                opts.merges = merges;
                opts.tree_diff = tree_diff;
                opts.objects = objects;
                let result = scan(repo.path(), &repo, &opts).unwrap();
                assert!(result.scanned > INLINE, "worker threads listed the files");
                runs.push((merges, result.commits));
            }
        }
        for pair in runs.windows(2) {
            if pair[0].0 == pair[1].0 {
                assert_eq!(pair[0].1, pair[1].1, "{:?}", pair[0].0);
            }
        }
        assert_eq!(runs.len(), 6);
        let skip = &runs[0].1;
        assert_eq!(skip.len(), 200 + 3 * 2);
        let files: usize = skip.iter().map(|c| c.files.len()).sum();
        // The root's two files, one file in each of the 199 commits after
        // it, 19 directories added and 19 removed, README replaced by a
        // directory, 3 side commits (the merges list nothing).
        assert_eq!(files, 2 + 199 + 19 + 19 + 2 + 3);
        let replaced = skip.iter().find(|c| c.files.len() == 3).unwrap();
        assert_eq!(paths(replaced), ["README", "README/x", "svc/b/pkg4/f.go"]);
    }

    #[test]
    fn both_readers_give_the_same_tree_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let head = commit(
            &repo,
            &[],
            &[("a/b.go", Some("1\n")), ("c", Some("2\n"))],
            1000,
        );
        pack_everything(&repo, head);
        let store = open_gix(&repo).unwrap();
        let objects = Objects::new(&SharedObjects::default(), &store, TREE_PACK_CACHE, true);
        let commit = repo.find_commit(head).unwrap();
        let tree = commit.tree().unwrap();
        let sub = tree.get_path(Path::new("a")).unwrap().id();
        for id in [tree.id(), sub] {
            assert_eq!(
                objects.tree_bytes(id).unwrap(),
                TreeSource::tree_bytes(&repo, id).unwrap()
            );
        }
        // Both answered by the pack (a link looked up each), not by
        // gitoxide's store.
        assert_eq!(objects.counts(), (2, 2));
        let blob = tree.get_path(Path::new("c")).unwrap().id();
        for source in [&objects as &dyn TreeSource, &repo] {
            let error = source.tree_bytes(blob).unwrap_err();
            assert!(
                error.message().contains("not a tree"),
                "{}",
                error.message()
            );
            assert!(
                source
                    .tree_bytes(Oid::from_bytes(&[7; 20]).unwrap())
                    .is_err()
            );
            // The empty tree is known without being stored.
            let empty = Oid::from_str("4b825dc642cb6eb9a060e54bf8d69288fbee4904").unwrap();
            assert_eq!(source.tree_bytes(empty).unwrap().as_slice(), b"");
        }
    }

    fn git(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> String {
        let output = crate::git::packs::tests::git(dir, args, stdin.unwrap_or_default());
        String::from_utf8(output).unwrap()
    }

    /// The benchmark's history generator, small: fast-import stores each
    /// version of a tree as a delta against the previous one (long chains,
    /// newest last); after `git repack -adf` (what a clone gets) the newest
    /// is whole and older ones deltas against it. The packs' reader lists
    /// the same files as libgit2 in both.
    #[test]
    fn the_pack_reader_lists_what_libgit2_lists_in_either_shape_of_pack() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let stream = std::process::Command::new("awk")
            .args(["-v", "COMMITS=1500", "-v", "SERVICES=2", "-f"])
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/score-history.awk"))
            .output()
            .unwrap();
        assert!(stream.status.success());
        git(
            dir.path(),
            &["fast-import", "--quiet"],
            Some(&stream.stdout),
        );
        let head = Oid::from_str(git(dir.path(), &["rev-parse", "main"], None).trim()).unwrap();
        let scan_with = |objects: ObjectReader| {
            let mut opts = options(head);
            opts.churn = false;
            opts.objects = objects;
            scan(repo.path(), &repo, &opts).unwrap()
        };
        let packs = scan_with(ObjectReader::Packs);
        assert!(packs.scanned >= 1500);
        let libgit2 = scan_with(ObjectReader::Libgit2);
        assert_eq!(packs.commits, libgit2.commits);

        git(dir.path(), &["repack", "-adfq"], None);
        assert_eq!(scan_with(ObjectReader::Packs).commits, libgit2.commits);
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
        let tree_id = repo.find_commit(id).unwrap().tree_id();
        let tree = TreeCache::default().get(&repo, tree_id).unwrap();
        let names: Vec<&[u8]> = tree.entries.iter().map(|e| tree.name(e)).collect();
        assert_eq!(names, [&b"a.go"[..], b"a", b"a0", b"ab"]);
        let order = |a: &RawEntry, b: &RawEntry| {
            tree_order(tree.name(a), a.is_tree(), tree.name(b), b.is_tree())
        };
        for pair in tree.entries.windows(2) {
            assert_eq!(order(&pair[0], &pair[1]), std::cmp::Ordering::Less);
        }
        assert_eq!(
            order(&tree.entries[1], &tree.entries[1]),
            std::cmp::Ordering::Equal
        );
        assert!(tree.entries[1].is_tree() && !tree.entries[0].is_tree());
    }

    /// A tree object of files, each id twenty times one byte.
    fn file_tree(entries: &[(String, u8)]) -> RawTree {
        let mut data = Vec::new();
        for (name, id) in entries {
            data.extend_from_slice(b"100644 ");
            data.extend_from_slice(name.as_bytes());
            data.push(0);
            data.extend_from_slice(&[*id; 20]);
        }
        RawTree::parse(Rc::new(data)).unwrap()
    }

    /// Files only: no subtree is ever read.
    struct NoTrees;

    impl TreeSource for NoTrees {
        fn tree_bytes(&self, _id: Oid) -> Result<Content, git2::Error> {
            Err(git2::Error::from_str("no subtree in these trees"))
        }
    }

    #[test]
    fn skipping_unchanged_ends_lists_what_pairing_every_entry_lists() {
        let base: Vec<(String, u8)> = (0..12).map(|k| (format!("f{k:02}"), k as u8)).collect();
        // One change at `at`: 0 a new id, 1 removed, 2 a file added after
        // it, 3 renamed to a longer name (same id), 4 an id that holds a
        // whole entry's bytes (" \0" and digits) to confuse a parser.
        let mutate = |tree: &mut Vec<(String, u8)>, kind: usize, at: usize| match kind {
            0 => tree[at].1 = tree[at].1.wrapping_add(100),
            1 => {
                tree.remove(at);
            }
            2 => tree.insert(at + 1, (format!("{}a", tree[at].0), 7)),
            3 => tree[at].0.push_str("-longer"),
            _ => tree[at].1 = b'0',
        };
        let mut cases = 0;
        for first in 0..5 * 12 {
            for second in [None, Some(7), Some(59)] {
                let mut new = base.clone();
                mutate(&mut new, first / 12, first % 12);
                if let Some(second) = second {
                    let at = (second % 12).min(new.len() - 1);
                    mutate(&mut new, second / 12, at);
                }
                new.sort();
                let (old_tree, new_tree) = (file_tree(&base), file_tree(&new));
                let mut listed = Vec::new();
                compare(
                    &NoTrees,
                    &mut TreeCache::default(),
                    Some(&old_tree),
                    Some(&new_tree),
                    &mut Vec::new(),
                    &mut listed,
                )
                .unwrap();
                let listed: Vec<String> = listed.iter().map(|f| f.path.to_string()).collect();
                // What pairing every name gives.
                let mut expected: Vec<String> = base
                    .iter()
                    .chain(&new)
                    .filter(|entry| !(base.contains(entry) && new.contains(entry)))
                    .map(|(name, _)| name.clone())
                    .collect();
                expected.sort();
                expected.dedup();
                assert_eq!(listed, expected, "{base:?} -> {new:?}");
                cases += 1;
            }
        }
        assert_eq!(cases, 180);
        // One id changed in the middle: only that entry is paired.
        let mut new = base.clone();
        new[5].1 = 99;
        assert_eq!(
            unchanged_ends(&file_tree(&base), &file_tree(&new)),
            (5, 6, 6)
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
    fn generated_files_get_no_head_lines() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let head = commit(
            &repo,
            &[],
            &[("main.go", Some("a\nb\n")), ("vendor/x/y.go", Some("v\n"))],
            1000,
        );
        let result = scan(repo.path(), &repo, &options(head)).unwrap();
        assert_eq!(result.head_lines.get("main.go"), Some(&Some(2)));
        assert_eq!(result.head_lines.get("vendor/x/y.go"), None);

        // From the cache, under the patterns that judged the paths and
        // under others.
        let mut cached = options(head);
        cached.cache_dir = Some(dir.path().join(".git/trellis"));
        let lines = |opts: &ScanOptions| {
            let result = scan(repo.path(), &repo, opts).unwrap();
            let mut lines: Vec<(String, Option<u32>)> = result.head_lines.into_iter().collect();
            lines.sort();
            lines
        };
        let main_only = vec![("main.go".to_string(), Some(2))];
        assert_eq!(lines(&cached), main_only);
        assert_eq!(lines(&cached), main_only);
        let mut all = cached.clone();
        all.generated = GeneratedFiles::new(&[crate::policy::Glob::new("*.go")]).unwrap();
        assert_eq!(lines(&all), []);
        assert_eq!(lines(&cached), main_only);
    }

    #[test]
    fn head_lines_enter_only_directories_with_changed_files_and_miss_none() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let first = commit(
            &repo,
            &[],
            &[
                ("svc/a/main.go", Some("1\n")),
                ("svc/ab/main.go", Some("1\n2\n")),
                ("svc/a/deep/er/x.go", Some("1\n2\n3\n")),
                ("docs", Some("a file first\n")),
                ("untouched/keep.go", Some("k\n")),
                ("vendor/lib/v.go", Some("v\n")),
                ("gone/old.go", Some("o\n")),
            ],
            1000,
        );
        // `docs` becomes a directory, `gone/` goes, `svc/ab` changes again.
        let head = commit(
            &repo,
            &[first],
            &[
                ("docs", None),
                ("docs/guide.md", Some("g\nh\n")),
                ("gone/old.go", None),
                ("svc/ab/main.go", Some("1\n2\n3\n4\n")),
                ("top.go", Some("t\n")),
            ],
            2000,
        );
        let result = scan(repo.path(), &repo, &options(head)).unwrap();
        let mut got: Vec<(&str, Option<u32>)> = result
            .head_lines
            .iter()
            .map(|(path, lines)| (path.as_str(), *lines))
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("docs/guide.md", Some(2)),
                ("svc/a/deep/er/x.go", Some(3)),
                ("svc/a/main.go", Some(1)),
                ("svc/ab/main.go", Some(4)),
                ("top.go", Some(1)),
                ("untouched/keep.go", Some(1)),
            ]
        );
        // The same as every blob of the whole tree that the window changed
        // and that is not generated.
        let changed: HashSet<&str> = result
            .commits
            .iter()
            .flat_map(|c| c.files.iter().map(|f| &*f.path))
            .collect();
        let mut whole = Vec::new();
        let tree = repo.find_commit(head).unwrap().tree().unwrap();
        tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            let path = format!("{dir}{}", entry.name().unwrap());
            if entry.kind() == Some(git2::ObjectType::Blob)
                && changed.contains(path.as_str())
                && !path.starts_with("vendor/")
            {
                whole.push(path);
            }
            git2::TreeWalkResult::Ok
        })
        .unwrap();
        whole.sort();
        assert_eq!(got.iter().map(|(p, _)| *p).collect::<Vec<_>>(), whole);
    }

    #[test]
    fn counts_lines_like_numstat() {
        assert_eq!(line_count(b""), 0);
        assert_eq!(line_count(b"a"), 1);
        assert_eq!(line_count(b"a\nb\n"), 2);
        assert_eq!(line_count(b"a\nb"), 2);
    }

    /// A change counted as `git diff --numstat` counts it, whatever the
    /// attributes say: `count_lines` has no path, and a placeholder's
    /// attributes (`*` matched libgit2's "file") must not mark it binary.
    #[test]
    fn counts_a_change_like_numstat_without_consulting_attributes() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let old = commit(&repo, &[], &[("f.txt", Some("a\nb\nc\nd\n"))], 1);
        let new = commit(&repo, &[old], &[("f.txt", Some("a\nx\nc\nd\ne"))], 2);
        let blob = |id: Oid| {
            let tree = repo.find_commit(id).unwrap().tree().unwrap();
            tree.get_path(Path::new("f.txt")).unwrap().id()
        };
        let (old_blob, new_blob) = (blob(old), blob(new));
        let counted = count_lines(&repo, old_blob, new_blob);
        let Lines::Counted { added, removed } = counted else {
            panic!("{counted:?}");
        };
        let numstat = git(
            dir.path(),
            &["diff", "--numstat", &old.to_string(), &new.to_string()],
            None,
        );
        assert_eq!(numstat, format!("{added}\t{removed}\tf.txt\n"));
        std::fs::write(dir.path().join(".gitattributes"), "* -diff\n").unwrap();
        let repo = Repository::open(dir.path()).unwrap();
        assert_eq!(count_lines(&repo, old_blob, new_blob), counted);
    }
}
