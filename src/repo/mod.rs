//! The repository model: where the services are, what language they are in,
//! which contracts they own, and which service each file belongs to. Jobs read
//! files through this module; none walks the file system on its own.

mod discover;
pub(crate) mod go_imports;
pub(crate) mod programs;
pub(crate) mod tables;

pub(crate) use discover::is_main_package;
pub(crate) use discover::walk_builder;

use crate::error::InputError;
use crate::policy::{Glob, GlobList, ServiceEntry};
use schemars::JsonSchema;
use serde::Deserialize;
use serde::Serialize;
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The keys of trellis.yaml the repository model reads (`services`,
/// `libraries`, `exclude`, `contracts`), and the files they came from: the
/// jobs are handed their own sections, so the repository holds no more.
#[derive(Debug, Clone, Default)]
pub struct RepoConfig {
    pub(crate) services: Vec<ServiceEntry>,
    pub(crate) libraries: Vec<Glob>,
    pub(crate) exclude: Vec<Glob>,
    pub(crate) contracts: ContractsConfig,
    /// The config files read, the given one last; empty when defaults were used.
    pub(crate) files: Vec<PathBuf>,
}

impl RepoConfig {
    /// The config file that was read last, relative to `root` when inside it:
    /// where findings about the configuration point. `trellis.yaml` when
    /// defaults were used.
    pub(crate) fn display_path(&self, root: &Path) -> String {
        config_display_path(&self.files, root)
    }
}

/// See [`RepoConfig::display_path`].
pub(crate) fn config_display_path(files: &[PathBuf], root: &Path) -> String {
    files
        .last()
        .map(|file| {
            let file = file.canonicalize().unwrap_or_else(|_| file.clone());
            let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
            crate::fsutil::relative_path(&root, &file).unwrap_or_else(|| file.display().to_string())
        })
        .unwrap_or_else(|| crate::policy::FILE_NAME.to_string())
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContractsConfig {
    /// A shared directory of contracts, mapped to services by name:
    /// `api/order/...` belongs to `order-service` (or `order`).
    #[serde(default = "default_api_root")]
    pub(crate) root: String,
    /// Explicit owners: a directory under the repository root -> a service name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) owners: BTreeMap<String, String>,
}

fn default_api_root() -> String {
    "api".to_string()
}

impl Default for ContractsConfig {
    fn default() -> Self {
        ContractsConfig {
            root: default_api_root(),
            owners: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Language {
    Go,
    Rust,
}

impl Language {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Language::Go => "go",
            Language::Rust => "rust",
        }
    }
}

/// What a module (or a configured directory) is to the repository model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Kind {
    /// Deployed on its own: builds a binary, or was configured as a service.
    Service,
    /// Shared code services import: builds no binary, or was configured under
    /// `libraries:`. Linted with the rules for all code, never as a service.
    Library,
    /// A binary for developers, not deployed: a module under `tools/`,
    /// `hack/`, `scripts/`, `examples/`. Linted like a library.
    Tool,
}

/// Directory names whose binaries are tools, not deployed services.
pub(crate) const TOOL_DIRS: &[&str] = &[
    "tools",
    "tool",
    "tooling",
    "hack",
    "scripts",
    "script",
    "example",
    "examples",
    "test",
    "tests",
    "e2e",
    "docs",
    "third_party",
    "xtask",
    "bench",
    "benches",
    "benchmark",
    "benchmarks",
    "benchmarking",
];

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Service => "service",
            Kind::Library => "library",
            Kind::Tool => "tool",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Service {
    pub(crate) name: String,
    pub(crate) kind: Kind,
    /// Relative to the repository root, `/`-separated; "" for the root itself.
    pub(crate) root: String,
    pub(crate) language: Language,
    /// The Go module path of the service (with the directory suffix when the
    /// service is a directory inside a larger module), or the Rust package name.
    pub(crate) module: String,
    /// The go.mod or Cargo.toml that defines the module the service is in.
    pub(crate) manifest: String,
    /// .proto files this service owns, relative to the repository root.
    pub(crate) contracts: Vec<String>,
}

/// A Cargo package as its manifest declares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct RustCrate {
    pub(crate) name: String,
    /// Relative directory of the Cargo.toml, "" for the root.
    pub(crate) dir: String,
    /// Files `[[bin]]` targets name with `path`, relative to the repository root.
    pub(crate) bin_paths: Vec<String>,
    /// Files `[[test]]`, `[[bench]]` and `[[example]]` targets name.
    pub(crate) test_paths: Vec<String>,
    /// A command-line tool or `xtask`: output is its interface.
    pub(crate) prints_by_design: bool,
    /// An end-to-end, integration or test-support crate.
    pub(crate) is_test_crate: bool,
}

/// A Go module the model analyses: every go.mod, less those a go.work leaves out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct GoModule {
    pub(crate) path: String,
    /// Relative directory, "" for the root.
    pub(crate) dir: String,
    pub(crate) manifest: String,
    /// The go.work whose `use` list holds the module, if any.
    pub(crate) workspace: Option<String>,
}

/// A go.mod the model leaves out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct SkippedModule {
    pub(crate) manifest: String,
    pub(crate) reason: String,
}

/// Two or more analysed go.mod files that declare one module path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct DuplicateModule {
    pub(crate) path: String,
    /// Every go.mod declaring it; the first is the one an import from outside
    /// these modules resolves to.
    pub(crate) manifests: Vec<String>,
}

/// A project in a language trellis does not analyse (Node, Java, C#, Python),
/// found by its manifest so that it is named rather than silently dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ForeignProject {
    pub(crate) root: String,
    pub(crate) language: &'static str,
    pub(crate) manifest: String,
}

impl Service {
    /// Whether `path` (relative, `/`-separated) lies under this service's root.
    pub(crate) fn contains(&self, path: &str) -> bool {
        self.root.is_empty()
            || path == self.root
            || (path.starts_with(&self.root) && path.as_bytes().get(self.root.len()) == Some(&b'/'))
    }

    /// The path relative to the service root.
    pub(crate) fn relative<'a>(&self, path: &'a str) -> &'a str {
        if self.root.is_empty() {
            path
        } else {
            path.strip_prefix(&self.root)
                .map(|rest| rest.trim_start_matches('/'))
                .unwrap_or(path)
        }
    }
}

#[derive(Debug, Clone)]
pub struct Repo {
    pub(crate) root: PathBuf,
    pub(crate) config: RepoConfig,
    pub(crate) services: Vec<Service>,
    /// The root go.mod when other modules live below it: the dependency anchor.
    pub(crate) anchor: Option<String>,
    /// Every file the walk saw, relative and `/`-separated, sorted; files of
    /// skipped modules are not among them.
    pub(crate) files: Vec<String>,
    /// Paths under the root the walk could not take in; lint reports each.
    pub(crate) unwalked: Vec<Unwalked>,
    /// The modules that are not services: libraries (no binary, or
    /// configured under `libraries:`) and tools (binaries under `tools/`...),
    /// each with its kind.
    pub(crate) libraries: Vec<Service>,
    /// The analysed Go modules, by directory.
    pub(crate) go_modules: Vec<GoModule>,
    pub(crate) skipped_modules: Vec<SkippedModule>,
    pub(crate) duplicate_modules: Vec<DuplicateModule>,
    pub(crate) foreign: Vec<ForeignProject>,
    /// Every Cargo package, service or not, with the facts its files'
    /// lint outcome depends on.
    pub(crate) rust_crates: Vec<RustCrate>,
    excludes: GlobList,
    service_roots: ServiceRoots,
    module_index: ModuleIndex,
}

/// A path the walk left out, and why (an unreadable directory, a name that
/// is not UTF-8, a path longer than the system allows).
#[derive(Debug, Clone)]
pub(crate) struct Unwalked {
    /// Relative to the root, `/`-separated, non-UTF-8 bytes replaced.
    pub(crate) path: String,
    pub(crate) reason: String,
}

/// Service and library roots by directory, so finding a file's owner costs
/// one lookup per directory level instead of a scan of every service
/// (monorepos have hundreds, and every file of a lint run asks). A library nested under a service's
/// directory is not part of that service: the deepest root decides.
#[derive(Debug, Clone, Default)]
pub(crate) struct ServiceRoots {
    // FxHash: score asks for the owner of every path a long history names,
    // and SipHash over each directory level was a twentieth of its run.
    by_root: rustc_hash::FxHashMap<String, Owner>,
}

#[derive(Debug, Clone, Copy)]
enum Owner {
    Service(usize),
    Library(usize),
}

impl ServiceRoots {
    pub(crate) fn new(services: &[Service], libraries: &[Service]) -> ServiceRoots {
        let mut by_root = rustc_hash::FxHashMap::default();
        for (index, library) in libraries.iter().enumerate() {
            by_root.insert(library.root.clone(), Owner::Library(index));
        }
        for (index, service) in services.iter().enumerate() {
            // Two services with one root: the later wins, as a scan keeping the last maximum would.
            by_root.insert(service.root.clone(), Owner::Service(index));
        }
        ServiceRoots { by_root }
    }

    fn owner(&self, path: &str) -> Option<Owner> {
        longest_prefix(path, |root| self.by_root.get(root).copied()).map(|(owner, _)| owner)
    }

    fn find(&self, path: &str) -> Option<usize> {
        match self.owner(path)? {
            Owner::Service(index) => Some(index),
            Owner::Library(_) => None,
        }
    }
}

/// Go module paths to the analysed modules declaring them, for import
/// resolution by prefix (every import of a lint run asks).
#[derive(Debug, Clone, Default)]
pub(crate) struct ModuleIndex {
    /// Module path -> indices into `go_modules`, the preferred one first.
    by_path: HashMap<String, Vec<usize>>,
    /// Module directory -> index, to find the module a file is in.
    by_dir: HashMap<String, usize>,
}

impl ModuleIndex {
    pub(crate) fn new(modules: &[GoModule]) -> ModuleIndex {
        let mut index = ModuleIndex::default();
        for (i, module) in modules.iter().enumerate() {
            index.by_dir.insert(module.dir.clone(), i);
            // No import path is "": a go.mod without a module line must not
            // match every import at the root of the prefix walk.
            if !module.path.is_empty() {
                index
                    .by_path
                    .entry(module.path.clone())
                    .or_default()
                    .push(i);
            }
        }
        // Among duplicates, the shallowest directory first, then by name, so
        // the choice does not depend on the order of the walk.
        for candidates in index.by_path.values_mut() {
            candidates.sort_by(|&a, &b| {
                let depth = |i: usize| modules[i].dir.split('/').count();
                depth(a)
                    .cmp(&depth(b))
                    .then_with(|| modules[a].dir.cmp(&modules[b].dir))
            });
        }
        index
    }
}

/// The value `lookup` gives for the longest of `path`, its `/`-bounded
/// prefixes and finally "" (the root), with that prefix: one lookup per
/// directory level instead of a scan of every candidate.
pub(crate) fn longest_prefix<T>(
    path: &str,
    lookup: impl Fn(&str) -> Option<T>,
) -> Option<(T, &str)> {
    let mut candidate = path;
    loop {
        if let Some(found) = lookup(candidate) {
            return Some((found, candidate));
        }
        if candidate.is_empty() {
            return None;
        }
        candidate = candidate.rsplit_once('/').map_or("", |(dir, _)| dir);
    }
}

impl Repo {
    /// Reads the repository at `root` with its configuration.
    pub fn open(root: &Path, config: RepoConfig) -> Result<Repo, InputError> {
        discover::discover(root, config)
    }

    /// The service a file belongs to: the one with the deepest root containing it.
    pub(crate) fn service_for(&self, path: &str) -> Option<&Service> {
        self.service_roots
            .find(path)
            .and_then(|index| self.services.get(index))
    }

    /// The Cargo package a file belongs to: the one with the deepest directory.
    pub(crate) fn rust_crate_for(&self, path: &str) -> Option<&RustCrate> {
        self.rust_crates
            .iter()
            .filter(|c| {
                c.dir.is_empty()
                    || path
                        .strip_prefix(&c.dir)
                        .is_some_and(|rest| rest.starts_with('/'))
            })
            .max_by_key(|c| c.dir.len())
    }

    /// Whether the file lies in a library (and in no service nested below it).
    pub(crate) fn library_for(&self, path: &str) -> Option<&Service> {
        match self.service_roots.owner(path)? {
            Owner::Library(index) => self.libraries.get(index),
            Owner::Service(_) => None,
        }
    }

    /// The analysed Go module a file (or directory) is in: the deepest one.
    pub(crate) fn go_module_for(&self, path: &str) -> Option<&GoModule> {
        longest_prefix(path, |dir| self.module_index.by_dir.get(dir).copied())
            .map(|(i, _)| &self.go_modules[i])
    }

    /// The module and directory of a Go import path, resolved as the Go
    /// toolchain would: the longest module path that prefixes it and, when
    /// several go.mod files declare that path, the importing file's own
    /// module, else one of its go.work, else the shallowest directory. `None` for packages outside
    /// the repository.
    pub(crate) fn resolve_go_import(
        &self,
        from_file: &str,
        import: &str,
    ) -> Option<(&GoModule, String)> {
        let (candidates, _) =
            longest_prefix(import, |prefix| self.module_index.by_path.get(prefix))?;
        let own = self.go_module_for(from_file);
        let workspace = own.and_then(|m| m.workspace.as_deref());
        let modules = || candidates.iter().map(|&i| &self.go_modules[i]);
        let chosen = modules()
            .find(|m| own.is_some_and(|own| own.dir == m.dir))
            .or_else(|| {
                modules().find(|m| workspace.is_some() && m.workspace.as_deref() == workspace)
            })
            .unwrap_or(&self.go_modules[candidates[0]]);
        Some((chosen, package_dir(chosen, import)))
    }

    /// The service a Go import resolves into, if any (`None` for libraries,
    /// the anchor, and packages outside the repository).
    pub(crate) fn service_of_go_import(&self, from_file: &str, import: &str) -> Option<&Service> {
        let (_, dir) = self.resolve_go_import(from_file, import)?;
        self.service_for(&dir)
    }

    /// The service that owns a contract file, by location or by the contracts map.
    pub(crate) fn contract_owner(&self, path: &str) -> Option<&Service> {
        self.services
            .iter()
            .find(|s| s.contracts.iter().any(|c| c == path))
            .or_else(|| self.service_for(path))
    }

    pub(crate) fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    pub(crate) fn is_excluded(&self, path: &str) -> bool {
        self.excludes.is_match(path)
    }

    /// Files with one of these extensions, in walk order (sorted).
    pub(crate) fn files_with_extension<'a>(
        &'a self,
        extensions: &'a [&str],
    ) -> impl Iterator<Item = &'a str> + 'a {
        self.files.iter().map(String::as_str).filter(move |path| {
            Path::new(path)
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| extensions.contains(&e))
        })
    }

    pub(crate) fn absolute(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }
}

/// The repository-relative directory of an import inside `module`.
fn package_dir(module: &GoModule, import: &str) -> String {
    let rest = import[module.path.len()..].trim_start_matches('/');
    match (module.dir.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_string(),
        (false, true) => module.dir.clone(),
        (false, false) => format!("{}/{rest}", module.dir),
    }
}

/// The repository root for a starting directory: the nearest ancestor with a
/// `.git` or a `trellis.yaml`, or the directory itself when there is none.
pub(crate) fn find_root(start: &Path) -> PathBuf {
    let mut dir = Some(start);
    while let Some(current) = dir {
        if current.join(".git").exists() || current.join(crate::policy::FILE_NAME).is_file() {
            return current.to_path_buf();
        }
        dir = current.parent();
    }
    start.to_path_buf()
}

pub(crate) use crate::fsutil::relative_path;

#[cfg(test)]
mod service_root_tests {
    use super::*;

    fn service(name: &str, root: &str) -> Service {
        Service {
            name: name.to_string(),
            kind: Kind::Service,
            root: root.to_string(),
            language: Language::Go,
            module: String::new(),
            manifest: String::new(),
            contracts: Vec::new(),
        }
    }

    #[test]
    fn the_deepest_root_owns_a_file() {
        let services = vec![
            service("root", ""),
            service("orders", "services/orders"),
            service("orders-worker", "services/orders/worker"),
        ];
        let roots = ServiceRoots::new(&services, &[]);
        let name = |path: &str| roots.find(path).map(|i| services[i].name.as_str());
        assert_eq!(
            name("services/orders/worker/main.go"),
            Some("orders-worker")
        );
        assert_eq!(name("services/orders/workers/main.go"), Some("orders"));
        assert_eq!(name("services/orders"), Some("orders"));
        assert_eq!(name("services/ordersx/main.go"), Some("root"));
        assert_eq!(name("main.go"), Some("root"));
        let without_root = ServiceRoots::new(&services[1..], &[]);
        assert_eq!(without_root.find("tools/gen.go"), None);
    }
}
