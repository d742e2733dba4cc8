//! The .proto files of one side, in memory: from git objects at a commit,
//! from the work tree, or from a directory. Each carries its blob id so the
//! two sides can be compared without reading what did not change.

use crate::error::InputError;
use crate::git::{Git, TreeFile};
use crate::repo::Repo;
use git2::{ObjectType, Oid};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub(crate) struct ProtoFile {
    /// Relative to the side's root (the repository root), `/`-separated.
    pub(crate) path: String,
    /// The git blob id of the content (computed for files read from disk).
    pub(crate) id: Oid,
    /// `None` when git does not have the blob (a partial clone, a mirror
    /// without large blobs): an error only when the comparison needs the
    /// file (see [`ProtoSet::unreadable`]).
    pub(crate) text: Option<Arc<str>>,
}

/// One side: its files and the buf configuration files found at its root.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProtoSet {
    /// How errors name this side: `old (main@1a2b3c4d5e)`, `new (work tree)`.
    pub(crate) label: String,
    pub(crate) files: BTreeMap<String, ProtoFile>,
    pub(crate) buf_yaml: Option<String>,
    pub(crate) buf_work_yaml: Option<String>,
    /// The directory of those buf files ("" for the side's root).
    pub(crate) buf_dir: String,
    /// Path -> why git could not give the file's blob, for the files
    /// whose `text` is `None`.
    pub(crate) unreadable: BTreeMap<String, String>,
}

#[cfg(test)]
impl ProtoSet {
    /// A side made of these (path, text) files, for unit tests.
    pub(crate) fn from_texts(label: &str, files: &[(&str, &str)]) -> ProtoSet {
        let mut set = ProtoSet {
            label: label.into(),
            ..ProtoSet::default()
        };
        for (path, text) in files {
            set.files.insert(
                path.to_string(),
                ProtoFile {
                    path: path.to_string(),
                    id: Oid::ZERO_SHA1,
                    text: Some(Arc::from(*text)),
                },
            );
        }
        set
    }
}

fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn is_buf_config(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(name, "buf.yaml" | "buf.work.yaml") && !skipped(path)
}

/// Which directory's buf.yaml / buf.work.yaml describes a side: the root's,
/// else the shallowest one whose directory holds every .proto file of the
/// side (`proto/buf.yaml` in a repository whose protos all live in
/// `proto/`). A buf.yaml that covers only part of the protos would make the
/// rest invisible, so it is not chosen and the roots are inferred instead.
fn workspace_dir<'p>(configs: impl Iterator<Item = &'p str>, protos: &[&str]) -> Option<String> {
    let dirs: BTreeSet<&str> = configs.map(parent_dir).collect();
    if dirs.contains("") {
        return Some(String::new());
    }
    if protos.is_empty() {
        return None;
    }
    dirs.into_iter()
        .filter(|dir| protos.iter().all(|path| under(path, dir)))
        .min_by_key(|dir| dir.len())
        .map(str::to_string)
}

/// The directory of the buf files that describe the work tree's protos
/// (see [`workspace_dir`]).
pub(crate) fn work_tree_buf_dir(repo: &Repo) -> Option<String> {
    workspace_dir(
        repo.files
            .iter()
            .map(String::as_str)
            .filter(|p| is_buf_config(p)),
        &repo
            .files_with_extension(&["proto"])
            .filter(|p| !skipped(p))
            .collect::<Vec<_>>(),
    )
}

/// Directories no side ever reads protos from, as the repository walk skips them.
fn skipped(path: &str) -> bool {
    path.split('/')
        .any(|part| part.starts_with('.') || matches!(part, "vendor" | "node_modules" | "testdata"))
}

fn is_proto(path: &str) -> bool {
    path.ends_with(".proto")
}

/// The files of a repository-wide listing (the index) that are under `root`,
/// with paths relative to it.
pub(crate) fn under_root(files: Vec<TreeFile>, root: &str) -> Vec<TreeFile> {
    if root.is_empty() {
        return files;
    }
    files
        .into_iter()
        .filter_map(|file| {
            let rest = file.path.strip_prefix(root)?.strip_prefix('/')?.to_string();
            Some(TreeFile {
                path: rest,
                blob: file.blob,
            })
        })
        .collect()
}

/// Whether [`ProtoListing::files_at`] lists a path: a .proto outside the
/// skipped directories, or the root's buf configuration.
pub(crate) fn is_listed(path: &str) -> bool {
    is_buf_config(path) || (is_proto(path) && !skipped(path))
}

impl ProtoSet {
    /// The files of a commit under `root` ("" for the whole repository),
    /// read from git objects (no checkout).
    pub(crate) fn from_git(
        git: &Git,
        commit: Oid,
        root: &str,
        label: String,
        repo: Option<&Repo>,
    ) -> Result<ProtoSet, InputError> {
        let listing = ProtoListing::default();
        let files = listing.files_at_under(git, commit, root)?;
        ProtoSet::from_tree_files(git, &files, label, repo, &listing)
    }

    /// A side from its .proto files (and root buf configuration files) as
    /// the caller listed them at some commit, for instance rebuilt from the
    /// files each commit changed; `listing` decodes each blob once.
    pub(crate) fn from_tree_files(
        git: &Git,
        files: &[TreeFile],
        label: String,
        repo: Option<&Repo>,
        listing: &ProtoListing,
    ) -> Result<ProtoSet, InputError> {
        let mut set = ProtoSet {
            label,
            ..ProtoSet::default()
        };
        let mut configs = Vec::new();
        for file in files {
            if !is_listed(&file.path) {
                continue;
            }
            if is_buf_config(&file.path) {
                configs.push(file);
                continue;
            }
            if repo.is_some_and(|r| r.is_excluded(&file.path)) {
                continue;
            }
            let text = match listing.text(git, &set.label, &file.path, file.blob) {
                Ok(text) => Some(text),
                // Read lazily in spirit: a blob git lacks matters only if
                // the comparison needs the file, which is decided later.
                Err(Unread::Missing(reason)) => {
                    set.unreadable.insert(file.path.clone(), reason);
                    None
                }
                Err(Unread::Invalid(error)) => return Err(error),
            };
            set.files.insert(
                file.path.clone(),
                ProtoFile {
                    path: file.path.clone(),
                    id: file.blob,
                    text,
                },
            );
        }
        if let Some(dir) = workspace_dir(
            configs.iter().map(|f| f.path.as_str()),
            &set.files.keys().map(String::as_str).collect::<Vec<_>>(),
        ) {
            for file in configs {
                if parent_dir(&file.path) != dir {
                    continue;
                }
                let bytes = git
                    .repository()
                    .find_blob(file.blob)
                    .map(|found| found.content().to_vec())
                    .map_err(|e| missing_blob(&set.label, &file.path, file.blob, e.message()))?;
                let text = String::from_utf8_lossy(&bytes).into_owned();
                if file.path.rsplit('/').next() == Some("buf.yaml") {
                    set.buf_yaml = Some(text);
                } else {
                    set.buf_work_yaml = Some(text);
                }
            }
            set.buf_dir = dir;
        }
        Ok(set)
    }

    /// Reads the buf files of the workspace directory `dir` from disk.
    fn read_buf_config_from_disk(&mut self, root: &Path, dir: Option<String>) {
        let Some(dir) = dir else {
            return;
        };
        let base = root.join(&dir);
        self.buf_yaml = std::fs::read_to_string(base.join("buf.yaml")).ok();
        self.buf_work_yaml = std::fs::read_to_string(base.join("buf.work.yaml")).ok();
        self.buf_dir = dir;
    }

    /// The work tree as the repository model sees it.
    pub(crate) fn from_work_tree(repo: &Repo, label: String) -> Result<ProtoSet, InputError> {
        let paths: Vec<String> = repo
            .files_with_extension(&["proto"])
            .filter(|p| !skipped(p))
            .map(str::to_string)
            .collect();
        let mut set = ProtoSet {
            label,
            ..ProtoSet::default()
        };
        set.read_from_disk(&repo.root, paths)?;
        set.read_buf_config_from_disk(&repo.root, work_tree_buf_dir(repo));
        Ok(set)
    }

    /// Every .proto under a directory (for `--against DIR`).
    pub(crate) fn from_dir(dir: &Path, label: String) -> Result<ProtoSet, InputError> {
        if !dir.is_dir() {
            return Err(
                InputError::new(format!("{}: no such directory", dir.display()))
                    .help("pass a git ref or an existing directory to --against"),
            );
        }
        let mut paths = Vec::new();
        let mut configs = Vec::new();
        for entry in crate::repo::walk_builder(dir).build().flatten() {
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let Ok(relative) = entry.path().strip_prefix(dir) else {
                continue;
            };
            let relative = relative.to_string_lossy().replace('\\', "/");
            if is_proto(&relative) && !skipped(&relative) {
                paths.push(relative);
            } else if is_buf_config(&relative) {
                configs.push(relative);
            }
        }
        paths.sort();
        let mut set = ProtoSet {
            label,
            ..ProtoSet::default()
        };
        set.read_from_disk(dir, paths)?;
        let workspace = workspace_dir(
            configs.iter().map(String::as_str),
            &set.files.keys().map(String::as_str).collect::<Vec<_>>(),
        );
        set.read_buf_config_from_disk(dir, workspace);
        Ok(set)
    }

    fn read_from_disk(&mut self, root: &Path, paths: Vec<String>) -> Result<(), InputError> {
        for path in paths {
            let bytes = std::fs::read(root.join(&path)).map_err(|e| {
                InputError::new(format!("{}: cannot read {path}: {e}", self.label))
                    .in_file(root.join(&path))
            })?;
            let id = Oid::hash_object(ObjectType::Blob, &bytes)
                .map_err(|e| InputError::new(format!("cannot hash {path}: {}", e.message())))?;
            let text = decode(&self.label, &path, &bytes)?;
            self.files.insert(
                path.clone(),
                ProtoFile {
                    path,
                    id,
                    text: Some(text),
                },
            );
        }
        Ok(())
    }

    /// The error for a file of this side whose blob git does not have, now
    /// that the comparison needs it; `why` says what needs it.
    pub(crate) fn unreadable_error(&self, path: &str, why: &str) -> InputError {
        let id = self.files.get(path).map_or(Oid::ZERO_SHA1, |file| file.id);
        let reason = self
            .unreadable
            .get(path)
            .map_or("object not found", String::as_str);
        let mut error = missing_blob(&self.label, path, id, reason);
        error.message = format!("{}; {why}", error.message);
        error
    }
}

/// Lists the .proto files of commits (and `buf.yaml` / `buf.work.yaml` at
/// the root) without listing every file: directories no side reads protos
/// from are not entered, and what a tree holds is remembered by its id, so
/// a subtree that did not change between two commits is read once. Safe to
/// share between threads.
#[derive(Default)]
pub(crate) struct ProtoListing {
    /// Tree id -> the .proto files below it, relative to it.
    trees: Mutex<HashMap<Oid, Arc<Vec<TreeFile>>>>,
    /// Blob id -> its text.
    texts: Mutex<HashMap<Oid, Arc<str>>>,
}

impl ProtoListing {
    /// The .proto files of a commit plus the root's buf configuration files.
    #[cfg(test)]
    pub(crate) fn files_at(&self, git: &Git, commit: Oid) -> Result<Vec<TreeFile>, InputError> {
        self.files_at_under(git, commit, "")
    }

    /// The .proto files of a commit, for a project in the directory `root`
    /// of the repository ("" for the whole): paths relative to `root`, its
    /// buf configuration files, nothing when `root` did not exist at `commit`.
    pub(crate) fn files_at_under(
        &self,
        git: &Git,
        commit: Oid,
        root: &str,
    ) -> Result<Vec<TreeFile>, InputError> {
        let error = |e: git2::Error| {
            InputError::new(format!(
                "cannot read commit {}: {}",
                crate::git::short(commit),
                e.message()
            ))
        };
        let repository = git.repository();
        let mut tree = repository
            .find_commit(commit)
            .and_then(|c| c.tree())
            .map_err(error)?;
        if !root.is_empty() {
            match tree.get_path(Path::new(root)) {
                Ok(entry) if entry.kind() == Some(ObjectType::Tree) => {
                    tree = repository.find_tree(entry.id()).map_err(error)?;
                }
                _ => return Ok(Vec::new()),
            }
        }
        Ok(self
            .protos_below(repository, &tree)
            .map_err(error)?
            .iter()
            .cloned()
            .collect())
    }

    fn protos_below(
        &self,
        repository: &git2::Repository,
        tree: &git2::Tree<'_>,
    ) -> Result<Arc<Vec<TreeFile>>, git2::Error> {
        if let Some(known) = self.lock_trees().get(&tree.id()) {
            return Ok(known.clone());
        }
        let mut files = Vec::new();
        for entry in tree.iter() {
            let Ok(name) = std::str::from_utf8(entry.name_bytes()) else {
                continue;
            };
            match entry.kind() {
                Some(ObjectType::Tree) if !skipped(name) => {
                    // Listed before (another commit's tree shares it): not
                    // read again, so listing a commit near one listed
                    // already reads only the directories that changed.
                    let known = self.lock_trees().get(&entry.id()).cloned();
                    let below = match known {
                        Some(below) => below,
                        None => {
                            self.protos_below(repository, &repository.find_tree(entry.id())?)?
                        }
                    };
                    for file in below.iter() {
                        files.push(TreeFile {
                            path: format!("{name}/{}", file.path),
                            blob: file.blob,
                        });
                    }
                }
                // The work tree skips symbolic links; compiling a link's
                // blob would compile its link text.
                Some(ObjectType::Blob)
                    if is_listed(name) && !crate::git::is_symlink(entry.filemode()) =>
                {
                    files.push(TreeFile {
                        path: name.to_string(),
                        blob: entry.id(),
                    });
                }
                _ => {}
            }
        }
        let files = Arc::new(files);
        self.lock_trees().insert(tree.id(), files.clone());
        Ok(files)
    }

    fn lock_trees(&self) -> std::sync::MutexGuard<'_, HashMap<Oid, Arc<Vec<TreeFile>>>> {
        // A panic elsewhere cannot leave a half-written entry: inserts are whole.
        self.trees.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A .proto blob's text, decoded once per blob id.
    fn text(&self, git: &Git, label: &str, path: &str, blob: Oid) -> Result<Arc<str>, Unread> {
        let lock = || self.texts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(text) = lock().get(&blob) {
            return Ok(text.clone());
        }
        let bytes = match git.repository().find_blob(blob) {
            Ok(found) => found.content().to_vec(),
            Err(e) if e.code() == git2::ErrorCode::NotFound => {
                return Err(Unread::Missing(e.message().to_string()));
            }
            Err(e) => {
                return Err(Unread::Invalid(missing_blob(
                    label,
                    path,
                    blob,
                    e.message(),
                )));
            }
        };
        let text = decode(label, path, &bytes).map_err(Unread::Invalid)?;
        lock().insert(blob, text.clone());
        Ok(text)
    }
}

/// Why a blob's text could not be had.
enum Unread {
    /// Git does not have the object: an error only if the file is needed.
    Missing(String),
    /// The object is there but unusable (corrupt, not UTF-8): always an error.
    Invalid(InputError),
}

/// A blob of a side that git cannot give (a partial clone, a mirror without
/// large blobs): which side and file, and how to get it.
fn missing_blob(label: &str, path: &str, blob: Oid, reason: &str) -> InputError {
    InputError::new(format!(
        "{label}: cannot read {path} (blob {}): {reason}",
        crate::git::short(blob),
    ))
    .in_file(path)
    .help(format!(
        "in a partial clone, `git cat-file blob {blob} >/dev/null` fetches it from the promisor remote; else fetch the history again without `--filter`, or compare against a directory with --against DIR"
    ))
}

/// Whether `path` is `prefix` or lies below it.
pub(crate) fn under(path: &str, prefix: &str) -> bool {
    let prefix = prefix.trim_end_matches('/').trim_start_matches("./");
    prefix.is_empty()
        || prefix == "."
        || path == prefix
        || (path.starts_with(prefix) && path.as_bytes().get(prefix.len()) == Some(&b'/'))
}

fn decode(label: &str, path: &str, bytes: &[u8]) -> Result<Arc<str>, InputError> {
    std::str::from_utf8(bytes).map(Arc::from).map_err(|e| {
        InputError::new(format!("{label}: {path} is not valid UTF-8 ({e})"))
            .in_file(path)
            .help("protobuf sources must be UTF-8; re-encode the file")
    })
}

/// The include roots of a side and the import name of every file.
#[derive(Debug, Clone, Default)]
pub(crate) struct Layout {
    pub(crate) roots: Vec<String>,
    /// Import name -> repository path.
    pub(crate) names: BTreeMap<String, String>,
    /// Repository path -> import name.
    pub(crate) paths: BTreeMap<String, String>,
}

/// The include roots of a side and where they came from.
#[derive(Debug, Clone, Default)]
pub(crate) struct RootPlan {
    pub(crate) roots: Vec<String>,
    /// Configured or from buf's files (as opposed to inferred): files
    /// outside every root are not seen, and two files with one import name
    /// are an error.
    pub(crate) explicit: bool,
    excludes: Vec<String>,
    includes: HashMap<String, Vec<String>>,
}

/// Where the include roots come from: config, then buf.work.yaml / buf.yaml,
/// then inference from the imports and packages of the files themselves.
#[cfg(test)]
pub(crate) fn root_plan(set: &ProtoSet, configured: &[String]) -> Result<RootPlan, InputError> {
    let [plan, _] = root_plans([set, set], configured)?;
    Ok(plan)
}

/// Where the include roots of both sides of a comparison come from: config,
/// then buf.work.yaml / buf.yaml, then inference. Inferred roots come from
/// the files of both sides: a tree keeps its layout across a change (buf's
/// module root does not move), and a root that only the old side's imports
/// reveal still names the files that stay.
pub(crate) fn root_plans(
    sets: [&ProtoSet; 2],
    configured: &[String],
) -> Result<[RootPlan; 2], InputError> {
    if !configured.is_empty() {
        let plan = RootPlan {
            roots: normalize_roots(configured),
            explicit: true,
            ..RootPlan::default()
        };
        return Ok([plan.clone(), plan]);
    }
    let mut inferred: Option<Vec<String>> = None;
    let mut plan = |set: &ProtoSet| -> Result<RootPlan, InputError> {
        if let Some(modules) = buf_roots(set)? {
            return Ok(RootPlan {
                roots: modules.roots,
                explicit: true,
                excludes: modules.excludes,
                includes: modules.includes,
            });
        }
        let roots = inferred.get_or_insert_with(|| infer_roots(sets));
        Ok(RootPlan {
            roots: roots.clone(),
            ..RootPlan::default()
        })
    };
    Ok([plan(sets[0])?, plan(sets[1])?])
}

/// The layout of a whole side as one namespace.
#[cfg(test)]
pub(crate) fn layout(set: &ProtoSet, configured: &[String]) -> Result<Layout, InputError> {
    name_files(set, &root_plan(set, configured)?, set.files.keys())
}

/// The deepest of `roots` that holds `path`.
pub(crate) fn root_of<'r>(roots: &'r [String], path: &str) -> Option<&'r String> {
    roots
        .iter()
        .filter(|root| under(path, root))
        .max_by_key(|root| root.len())
}

/// The import name of each of `paths` (files of `set`) under the plan's roots.
pub(crate) fn name_files<'p>(
    set: &ProtoSet,
    plan: &RootPlan,
    paths: impl Iterator<Item = &'p String>,
) -> Result<Layout, InputError> {
    let mut layout = Layout {
        roots: plan.roots.clone(),
        ..Layout::default()
    };
    for path in paths {
        if plan.excludes.iter().any(|excluded| under(path, excluded)) {
            continue; // excluded from its module: buf does not see it either
        }
        let root = root_of(&plan.roots, path);
        // A module that lists `includes` holds only the files under them.
        if let Some(Some(dirs)) = root.map(|root| plan.includes.get(root.as_str()))
            && !dirs.iter().any(|dir: &String| under(path, dir))
        {
            continue;
        }
        let name = match root {
            Some(root) if root.is_empty() => path.clone(),
            Some(root) => path[root.len() + 1..].to_string(),
            None if plan.explicit => continue, // outside every module: buf does not see it either
            None => path.clone(),
        };
        let (path, name) = match layout.names.get(&name) {
            None => (path.clone(), name),
            Some(previous) if plan.explicit => {
                return Err(same_import_path(set, previous, path, &name));
            }
            // Inferred roots can give two files one name (a copy of a proto
            // under a plugin's or a vendored directory): the one under the
            // deeper root keeps its repository path, which is how buf names
            // files without a module configuration.
            Some(previous) if previous.len() > path.len() => {
                let previous = previous.clone();
                layout.names.insert(name.clone(), path.clone());
                layout.paths.insert(path.clone(), name);
                (previous.clone(), previous)
            }
            Some(_) => (path.clone(), path.clone()),
        };
        if let Some(previous) = layout.names.get(&name) {
            return Err(same_import_path(set, previous, &path, &name));
        }
        layout.names.insert(name.clone(), path.clone());
        layout.paths.insert(path, name);
    }
    Ok(layout)
}

fn same_import_path(set: &ProtoSet, previous: &str, path: &str, name: &str) -> InputError {
    InputError::new(format!(
        "{}: {previous} and {path} have the same import path `{name}`",
        set.label
    ))
    .in_file(path)
    .help("set `contract.roots` in trellis.yaml (or a buf.yaml) so each file has one import path")
}

fn normalize_roots(roots: &[String]) -> Vec<String> {
    let mut out: Vec<String> = roots
        .iter()
        .map(|r| {
            let r = r.trim_start_matches("./").trim_end_matches('/');
            if r == "." {
                String::new()
            } else {
                r.to_string()
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn yaml(label: &str, file: &str, text: &str) -> Result<serde_json::Value, InputError> {
    serde_saphyr::from_str::<serde_json::Value>(text).map_err(|e| {
        InputError::new(format!("{label}: {file} is not valid YAML: {e}"))
            .in_file(file)
            .help("fix the file or set `contract.roots` in trellis.yaml")
    })
}

/// The modules buf's configuration declares: their roots, and the
/// directories excluded from them.
struct BufModules {
    roots: Vec<String>,
    excludes: Vec<String>,
    /// Root -> the directories its module is limited to (v2 `includes`);
    /// roots that are absent, or whose modules list none, hold every file.
    includes: HashMap<String, Vec<String>>,
}

/// The strings of a YAML list.
fn strings(value: Option<&serde_json::Value>) -> Vec<String> {
    value
        .and_then(|v| v.as_array())
        .map(|list| {
            list.iter()
                .filter_map(|d| d.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Module roots from buf.work.yaml (`directories`) or buf.yaml (v2 `modules`
/// with their `excludes`, v1beta1 `build.roots`, else the directory of
/// buf.yaml itself, with v1 `build.excludes`).
fn buf_roots(set: &ProtoSet) -> Result<Option<BufModules>, InputError> {
    let Some(mut modules) = buf_roots_in_workspace(set)? else {
        return Ok(None);
    };
    // Paths in buf's files are relative to their directory.
    if !set.buf_dir.is_empty() {
        let dir = set.buf_dir.as_str();
        let rebase = |path: &String| match path.is_empty() {
            true => dir.to_string(),
            false => format!("{dir}/{path}"),
        };
        modules.roots = modules.roots.iter().map(rebase).collect();
        modules.excludes = modules.excludes.iter().map(rebase).collect();
        modules.includes = modules
            .includes
            .iter()
            .map(|(root, dirs)| (rebase(root), dirs.iter().map(rebase).collect()))
            .collect();
    }
    Ok(Some(modules))
}

fn buf_roots_in_workspace(set: &ProtoSet) -> Result<Option<BufModules>, InputError> {
    if let Some(text) = &set.buf_work_yaml {
        let value = yaml(&set.label, "buf.work.yaml", text)?;
        if value.get("directories").is_some() {
            return Ok(Some(BufModules {
                roots: normalize_roots(&strings(value.get("directories"))),
                excludes: Vec::new(),
                includes: HashMap::new(),
            }));
        }
    }
    let Some(text) = &set.buf_yaml else {
        return Ok(None);
    };
    let value = yaml(&set.label, "buf.yaml", text)?;
    if let Some(modules) = value.get("modules").and_then(|m| m.as_array()) {
        let mut roots = Vec::new();
        let mut excludes = Vec::new();
        // Modules may share a directory with different `includes`: the
        // directory holds what any of them includes, or everything when one
        // of them lists none.
        let mut includes: HashMap<String, Option<Vec<String>>> = HashMap::new();
        for module in modules {
            let Some(path) = module.get("path").and_then(|p| p.as_str()) else {
                continue;
            };
            let root = normalize_roots(&[path.to_string()])
                .pop()
                .unwrap_or_default();
            // v2 excludes and includes are relative to the workspace (buf.yaml's directory).
            excludes.extend(normalize_roots(&strings(module.get("excludes"))));
            let listed = normalize_roots(&strings(module.get("includes")));
            let entry = includes
                .entry(root.clone())
                .or_insert_with(|| Some(Vec::new()));
            match entry {
                Some(dirs) if !listed.is_empty() => dirs.extend(listed),
                _ => *entry = None,
            }
            roots.push(root);
        }
        return Ok(Some(BufModules {
            roots: normalize_roots(&roots),
            excludes,
            includes: includes
                .into_iter()
                .filter_map(|(root, dirs)| Some((root, dirs?)))
                .collect(),
        }));
    }
    let build = value.get("build");
    let excludes = normalize_roots(&strings(build.and_then(|b| b.get("excludes"))));
    if let Some(roots) = build.and_then(|b| b.get("roots")) {
        return Ok(Some(BufModules {
            roots: normalize_roots(&strings(Some(roots))),
            excludes,
            includes: HashMap::new(),
        }));
    }
    Ok(Some(BufModules {
        roots: vec![String::new()],
        excludes,
        includes: HashMap::new(),
    }))
}

/// Without configuration: a directory is a root when an import names a file
/// below it (`import "order/v1/order.proto"` found at `api/order/v1/order.proto`
/// makes `api` a root) or when a file sits at the path of its package
/// (`package shop.v1` in `proto/shop/v1/x.proto` makes `proto` a root).
/// Imports decide over packages: a package's root that would rename a file
/// an import names from a shallower root is not one (googleapis declares
/// `package maps.fleetengine.v1` in `google/maps/fleetengine/v1/`, and imports
/// `google/api/field_behavior.proto` from the repository root).
/// Files under no inferred root keep their repository path as import name.
fn infer_roots(sets: [&ProtoSet; 2]) -> Vec<String> {
    let same = std::ptr::eq(sets[0], sets[1]);
    let files = || {
        sets[0]
            .files
            .values()
            .chain(sets[1].files.values().filter(move |_| !same))
    };
    // Every path suffix that starts at a directory boundary -> the roots it implies.
    let mut suffixes: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for file in files() {
        let path = file.path.as_str();
        suffixes.entry(path).or_default().insert("");
        for (index, _) in path.match_indices('/') {
            suffixes
                .entry(&path[index + 1..])
                .or_default()
                .insert(&path[..index]);
        }
    }
    let mut import_roots = BTreeSet::new();
    // (root, path) of every import that resolves.
    let mut imported: BTreeSet<(&str, String)> = BTreeSet::new();
    let mut package_roots = BTreeSet::new();
    for file in files() {
        // A file git lacks counts by its path only: its imports are unknown.
        let Some(text) = &file.text else {
            continue;
        };
        let header = scan_header(text);
        for import in &header.imports {
            if import.starts_with("google/protobuf/") {
                continue;
            }
            for &root in suffixes.get(import.as_str()).into_iter().flatten() {
                import_roots.insert(root.to_string());
                let path = match root {
                    "" => import.clone(),
                    root => format!("{root}/{import}"),
                };
                imported.insert((root, path));
            }
        }
        if let Some(package) = &header.package {
            let directory = file.path.rsplit_once('/').map_or("", |(dir, _)| dir);
            let package_dir = package.replace('.', "/");
            if directory == package_dir {
                package_roots.insert(String::new());
            } else if let Some(prefix) = directory.strip_suffix(&package_dir)
                && let Some(root) = prefix.strip_suffix('/')
            {
                package_roots.insert(root.to_string());
            }
        }
    }
    package_roots.retain(|root: &String| {
        import_roots.contains(root)
            || !imported
                .iter()
                .any(|(by, path)| by.len() < root.len() && under(path, root))
    });
    let mut roots: BTreeSet<String> = import_roots.into_iter().chain(package_roots).collect();
    if roots.is_empty() {
        roots.insert(String::new());
    }
    roots.into_iter().collect()
}

/// What a quick scan of a file's header finds, without parsing it.
#[derive(Debug, Default)]
pub(crate) struct Header {
    pub(crate) package: Option<String>,
    pub(crate) imports: Vec<String>,
    /// `edition = "2023"` (protox cannot compile editions yet), with its line.
    pub(crate) edition: Option<(String, u32)>,
}

/// Reads `package`, `import` and `edition` statements, skipping comments.
pub(crate) fn scan_header(text: &str) -> Header {
    let mut header = Header::default();
    let mut in_block = false;
    let mut pending_package: Option<String> = None;
    for (index, raw) in text.lines().enumerate() {
        let mut line = raw;
        if in_block {
            match line.find("*/") {
                Some(end) => {
                    line = &line[end + 2..];
                    in_block = false;
                }
                None => continue,
            }
        }
        if let Some(start) = line.find("/*")
            && !line[..start].contains('"')
        {
            match line[start..].find("*/") {
                Some(_) => {}
                None => {
                    in_block = true;
                    line = &line[..start];
                }
            }
        }
        let line = line.split("//").next().unwrap_or("").trim();
        // A package statement may go on over lines (`package a\n.b;`).
        if let Some(so_far) = pending_package.as_mut() {
            let (part, ended) = match line.split_once(';') {
                Some((part, _)) => (part, true),
                None => (line, false),
            };
            so_far.extend(part.split_whitespace());
            if ended {
                header.package = pending_package.take();
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("package")
            && rest.starts_with(|c: char| c.is_whitespace())
        {
            // The statement ends at `;`, whatever follows on the line (found
            // by the fuzz harness: `package a.b;message M {}`), and a dotted
            // name may have spaces around its dots (`a .b`).
            let name: String = rest
                .split(';')
                .next()
                .unwrap_or("")
                .split_whitespace()
                .collect();
            match rest.contains(';') {
                true => header.package = Some(name),
                false => pending_package = Some(name),
            }
        } else if let Some(rest) = line.strip_prefix("import")
            && rest.starts_with(|c: char| c.is_whitespace() || c == '"')
        {
            if let Some(start) = rest.find('"')
                && let Some(path) = adjacent_strings(&rest[start..])
            {
                header.imports.push(path);
            }
        } else if let Some(rest) = line.strip_prefix("edition")
            && rest.trim_start().starts_with('=')
        {
            let value = rest
                .trim_start()
                .trim_start_matches('=')
                .trim()
                .trim_end_matches(';')
                .trim()
                .trim_matches('"')
                .to_string();
            header.edition = Some((value, index as u32 + 1));
        } else if line.starts_with("message ") || line.starts_with("service ") {
            // Headers end at the first definition; the rest is not needed.
            break;
        }
    }
    header
}

/// The value of `"a" "b"` (protobuf joins adjacent string literals, as C
/// does), or `None` when the first string is not closed on this line or
/// uses an escape other than `\"`, `\'` and `\\` (paths have none; found
/// by the fuzz target: `"\"a.proto"` is the path `"a.proto`).
fn adjacent_strings(mut rest: &str) -> Option<String> {
    let mut value = String::new();
    while let Some(inner) = rest.trim_start().strip_prefix('"') {
        let mut chars = inner.char_indices();
        let end = loop {
            match chars.next()? {
                (at, '"') => break at,
                (_, '\\') => match chars.next()? {
                    (_, escaped @ ('"' | '\'' | '\\')) => value.push(escaped),
                    _ => return None,
                },
                (_, c) => value.push(c),
            }
        };
        rest = &inner[end + 1..];
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(files: &[(&str, &str)]) -> ProtoSet {
        ProtoSet::from_texts("test", files)
    }

    #[test]
    fn header_scan_reads_package_imports_and_edition() {
        let header = scan_header(
            "// c\n/* block\n package nope; */\nedition = \"2023\";\npackage a.b;\nimport public \"x/y.proto\";\nmessage M {}\n",
        );
        assert_eq!(header.package.as_deref(), Some("a.b"));
        assert_eq!(header.imports, vec!["x/y.proto"]);
        assert_eq!(header.edition, Some(("2023".to_string(), 4)));
    }

    /// Found by the fuzz target: a statement after the package on its line.
    #[test]
    fn header_scan_ends_the_package_at_its_semicolon() {
        let header = scan_header("syntax = \"proto2\";\npackage a.b;message M {}\n");
        assert_eq!(header.package.as_deref(), Some("a.b"));
        let spaced = scan_header("package a .b ; // the shop\n");
        assert_eq!(spaced.package.as_deref(), Some("a.b"));
        let wrapped =
            scan_header("package shop // the shop\n  .order.v1\n;\nimport \"a.proto\";\n");
        assert_eq!(wrapped.package.as_deref(), Some("shop.order.v1"));
        assert_eq!(wrapped.imports, vec!["a.proto"]);
    }

    /// Found by the fuzz target: escapes inside an import's string.
    #[test]
    fn header_scan_reads_escapes_in_import_strings() {
        let header = scan_header("import \"\\\"a.proto\";\nimport \"b\\x41.proto\";\n");
        assert_eq!(header.imports, vec!["\"a.proto"]);
    }

    /// Found by the fuzz target: protoc joins adjacent literals.
    #[test]
    fn header_scan_joins_adjacent_import_strings() {
        let header = scan_header("import \"a/\" \"b.proto\";\nmessage M {}\n");
        assert_eq!(header.imports, vec!["a/b.proto"]);
    }

    #[test]
    fn roots_are_inferred_from_imports_and_packages() {
        let set = set(&[
            (
                "api/order/v1/order.proto",
                "package shop.order.v1;\nimport \"user/v1/user.proto\";\n",
            ),
            ("api/user/v1/user.proto", "package shop.user.v1;\n"),
            ("proto/pay/v1/pay.proto", "package pay.v1;\n"),
            ("misc/x.proto", "package other;\n"),
        ]);
        let layout = layout(&set, &[]).unwrap();
        assert_eq!(layout.roots, vec!["api".to_string(), "proto".to_string()]);
        assert_eq!(
            layout.paths["api/order/v1/order.proto"],
            "order/v1/order.proto"
        );
        assert_eq!(layout.paths["proto/pay/v1/pay.proto"], "pay/v1/pay.proto");
        assert_eq!(layout.paths["misc/x.proto"], "misc/x.proto");
    }

    #[test]
    fn imports_decide_over_package_paths() {
        // googleapis: the package is the path below `google/`, the imports name files from the top.
        let googleapis = set(&[
            ("google/api/behavior.proto", "package google.api;\n"),
            (
                "google/maps/fleet/v1/fleet.proto",
                "package maps.fleet.v1;\nimport \"google/api/behavior.proto\";\n",
            ),
            (
                "google/maps/fleet/v1/trips.proto",
                "package maps.fleet.v1;\nimport \"google/maps/fleet/v1/fleet.proto\";\n",
            ),
        ]);
        let names = layout(&googleapis, &[]).unwrap();
        assert_eq!(names.roots, vec![String::new()]);
        assert_eq!(
            names.paths["google/maps/fleet/v1/fleet.proto"],
            "google/maps/fleet/v1/fleet.proto"
        );
        // A package's root that renames no imported file stays a root.
        let shop = set(&[
            ("proto/shop/v1/a.proto", "package shop.v1;\n"),
            ("google/api/behavior.proto", "package google.api;\n"),
            (
                "proto/shop/v1/b.proto",
                "package shop.v1;\nimport \"google/api/behavior.proto\";\n",
            ),
        ]);
        let names = layout(&shop, &[]).unwrap();
        assert_eq!(names.roots, vec![String::new(), "proto".to_string()]);
    }

    #[test]
    fn roots_come_from_both_sides() {
        // Only the old side imports b.proto by its name below `api`; it keeps that name on the new side.
        let old = set(&[
            (
                "api/ops/a.proto",
                "package ops.v1;\nimport \"ops/b.proto\";\n",
            ),
            ("api/ops/b.proto", "package ops.v1;\n"),
        ]);
        let new = set(&[("api/ops/b.proto", "package ops.v1;\n")]);
        let plans = root_plans([&old, &new], &[]).unwrap();
        for (plan, side) in plans.iter().zip([&old, &new]) {
            let layout = name_files(side, plan, side.files.keys()).unwrap();
            assert_eq!(layout.paths["api/ops/b.proto"], "ops/b.proto");
        }
    }

    #[test]
    fn a_copy_under_an_inferred_root_keeps_its_path() {
        let set = set(&[
            ("errors/errors.proto", "package errors;\n"),
            (
                "cmd/protoc-gen-go-errors/errors/errors.proto",
                "package errors;\n",
            ),
        ]);
        let layout = layout(&set, &[]).unwrap();
        assert_eq!(layout.paths["errors/errors.proto"], "errors/errors.proto");
        assert_eq!(
            layout.paths["cmd/protoc-gen-go-errors/errors/errors.proto"],
            "cmd/protoc-gen-go-errors/errors/errors.proto"
        );
        assert_eq!(layout.names.len(), 2);
    }

    #[test]
    fn configured_roots_that_give_one_name_twice_are_an_error() {
        let set = set(&[("a/x.proto", ""), ("b/x.proto", "")]);
        let err = layout(&set, &["a".to_string(), "b".to_string()]).unwrap_err();
        assert!(
            err.message.contains("have the same import path `x.proto`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn buf_work_yaml_names_the_roots() {
        let mut set = set(&[
            ("proto/a/v1/a.proto", "package a.v1;\n"),
            ("other/b.proto", ""),
        ]);
        set.buf_work_yaml = Some("version: v1\ndirectories:\n  - proto\n".into());
        let layout = layout(&set, &[]).unwrap();
        assert_eq!(
            layout.names.keys().collect::<Vec<_>>(),
            vec!["a/v1/a.proto"]
        );
    }

    #[test]
    fn the_buf_workspace_is_the_root_or_a_directory_holding_every_proto() {
        let protos = ["proto/a/v1/a.proto", "proto/b/v1/b.proto"];
        let pick =
            |configs: &[&str], protos: &[&str]| workspace_dir(configs.iter().copied(), protos);
        assert_eq!(
            pick(&["buf.yaml", "proto/buf.yaml"], &protos),
            Some("".into())
        );
        assert_eq!(
            pick(&["proto/buf.yaml", "proto/a/buf.yaml"], &protos),
            Some("proto".into())
        );
        assert_eq!(pick(&["proto/a/buf.work.yaml"], &protos), None);
        assert_eq!(pick(&["proto/buf.yaml"], &[]), None);
        assert_eq!(pick(&[], &protos), None);
    }

    #[test]
    fn nested_buf_yaml_paths_are_relative_to_its_directory() {
        let mut set = set(&[
            ("proto/api/a/v1/a.proto", "package a.v1;\n"),
            ("proto/api/internal/x.proto", ""),
        ]);
        set.buf_yaml =
            Some("version: v2\nmodules:\n  - path: api\n    excludes: [api/internal]\n".into());
        set.buf_dir = "proto".into();
        let layout = layout(&set, &[]).unwrap();
        assert_eq!(layout.roots, vec!["proto/api"]);
        assert_eq!(
            layout.names.keys().collect::<Vec<_>>(),
            vec!["a/v1/a.proto"]
        );
    }
}
