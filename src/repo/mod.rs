//! The repository model: where the services are, what language they are in,
//! which contracts they own, and which service each file belongs to. Jobs read
//! files through this module; none walks the file system on its own.

mod discover;
pub mod tables;

pub use discover::{go_module_path, walk_builder};

use crate::config::{GlobList, Loaded};
use crate::error::InputError;
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Go,
    Rust,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Go => "go",
            Language::Rust => "rust",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Service {
    pub name: String,
    /// Relative to the repository root, `/`-separated; "" for the root itself.
    pub root: String,
    pub language: Language,
    /// The Go module path of the service (with the directory suffix when the
    /// service is a directory inside a larger module), or the Rust package name.
    pub module: String,
    /// The go.mod or Cargo.toml that defines the module the service is in.
    pub manifest: String,
    /// .proto files this service owns, relative to the repository root.
    pub contracts: Vec<String>,
}

impl Service {
    /// Whether `path` (relative, `/`-separated) lies under this service's root.
    pub fn contains(&self, path: &str) -> bool {
        self.root.is_empty()
            || path == self.root
            || (path.starts_with(&self.root) && path.as_bytes().get(self.root.len()) == Some(&b'/'))
    }

    /// The path relative to the service root.
    pub fn relative<'a>(&self, path: &'a str) -> &'a str {
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
    pub root: PathBuf,
    pub config: Loaded,
    pub services: Vec<Service>,
    /// The root go.mod when other modules live below it: the dependency anchor.
    pub anchor: Option<String>,
    /// Every file the walk saw, relative and `/`-separated, sorted.
    pub files: Vec<String>,
    excludes: GlobList,
    service_roots: ServiceRoots,
}

/// Service roots by directory, so finding a file's service costs one lookup
/// per directory level instead of a scan of every service (monorepos have
/// hundreds, and every file of a lint run asks).
#[derive(Debug, Clone, Default)]
pub(crate) struct ServiceRoots {
    by_root: HashMap<String, usize>,
}

impl ServiceRoots {
    pub(crate) fn new(services: &[Service]) -> ServiceRoots {
        let mut by_root = HashMap::new();
        for (index, service) in services.iter().enumerate() {
            // Two services with one root: the later wins, as a scan keeping the last maximum would.
            by_root.insert(service.root.clone(), index);
        }
        ServiceRoots { by_root }
    }

    fn find(&self, path: &str) -> Option<usize> {
        longest_prefix(path, |root| self.by_root.get(root).copied()).map(|(index, _)| index)
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
    pub fn open(root: &Path, config: Loaded) -> Result<Repo, InputError> {
        discover::discover(root, config)
    }

    /// The service a file belongs to: the one with the deepest root containing it.
    pub fn service_for(&self, path: &str) -> Option<&Service> {
        self.service_roots
            .find(path)
            .and_then(|index| self.services.get(index))
    }

    /// The service that owns a contract file, by location or by the contracts map.
    pub fn contract_owner(&self, path: &str) -> Option<&Service> {
        self.services
            .iter()
            .find(|s| s.contracts.iter().any(|c| c == path))
            .or_else(|| self.service_for(path))
    }

    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    pub fn is_excluded(&self, path: &str) -> bool {
        self.excludes.is_match(path)
    }

    /// Files with one of these extensions, in walk order (sorted).
    pub fn files_with_extension<'a>(
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

    pub fn absolute(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }
}

/// The repository root for a starting directory: the nearest ancestor with a
/// `.git` or a `trellis.yaml`, or the directory itself when there is none.
pub fn find_root(start: &Path) -> PathBuf {
    let mut dir = Some(start);
    while let Some(current) = dir {
        if current.join(".git").exists() || current.join(crate::config::FILE_NAME).is_file() {
            return current.to_path_buf();
        }
        dir = current.parent();
    }
    start.to_path_buf()
}

/// Relative `/`-separated form of `path` under `root`.
pub fn relative_path(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<_> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

#[cfg(test)]
mod service_root_tests {
    use super::*;

    fn service(name: &str, root: &str) -> Service {
        Service {
            name: name.to_string(),
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
        let roots = ServiceRoots::new(&services);
        let name = |path: &str| roots.find(path).map(|i| services[i].name.as_str());
        assert_eq!(
            name("services/orders/worker/main.go"),
            Some("orders-worker")
        );
        assert_eq!(name("services/orders/workers/main.go"), Some("orders"));
        assert_eq!(name("services/orders"), Some("orders"));
        assert_eq!(name("services/ordersx/main.go"), Some("root"));
        assert_eq!(name("main.go"), Some("root"));
        let without_root = ServiceRoots::new(&services[1..]);
        assert_eq!(without_root.find("tools/gen.go"), None);
    }
}
