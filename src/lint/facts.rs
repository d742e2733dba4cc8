//! What repository-wide rules see: the imports of every file, the services'
//! modules, and the table uses. Per-file facts are cached with the findings.

use super::go::Import;
use crate::repo::tables::TableUse;
use crate::repo::{Language, Repo, Service, longest_prefix};
use crate::report::Span;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoFacts {
    pub path: String,
    pub package: String,
    pub is_test: bool,
    pub imports: Vec<Import>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RustFacts {
    pub path: String,
    /// The first segment of every `use` and `extern crate` path: the crates it names.
    pub crates: Vec<(String, Span)>,
}

pub struct Facts<'r> {
    pub repo: &'r Repo,
    pub go: Vec<GoFacts>,
    pub rust: Vec<RustFacts>,
    /// Go module path -> its directory (relative, "" for the root), longest first.
    pub modules: Vec<(String, String)>,
    /// `modules` and the Go services by module path, for lookups by the
    /// prefixes of an import path rather than scans (every import asks).
    module_dirs: HashMap<String, String>,
    service_modules: HashMap<&'r str, &'r Service>,
    pub tables: Vec<TableUse>,
    /// When only some files are linted (paths, --changed-since, --staged).
    pub selected: Option<&'r HashSet<String>>,
}

impl<'r> Facts<'r> {
    pub fn new(
        repo: &'r Repo,
        go: Vec<GoFacts>,
        rust: Vec<RustFacts>,
        tables: Vec<TableUse>,
        selected: Option<&'r HashSet<String>>,
    ) -> Facts<'r> {
        let mut modules: Vec<(String, String)> = Vec::new();
        for service in &repo.services {
            if service.language == Language::Go {
                modules.push((service.module.clone(), service.root.clone()));
            }
        }
        for manifest in repo.files.iter().filter(|f| f.ends_with("go.mod")) {
            let is_go_mod = manifest == "go.mod" || manifest.ends_with("/go.mod");
            if !is_go_mod {
                continue;
            }
            if let Ok(text) = std::fs::read_to_string(repo.absolute(manifest))
                && let Some(module) = crate::repo::go_module_path(&text)
            {
                let dir = manifest
                    .strip_suffix("go.mod")
                    .unwrap_or("")
                    .trim_end_matches('/')
                    .to_string();
                if !modules.iter().any(|(m, _)| *m == module) {
                    modules.push((module, dir));
                }
            }
        }
        modules.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        // No import path is "": an empty module (a go.mod without a module
        // line) must not match every import at the root of the prefix walk.
        let module_dirs = modules
            .iter()
            .filter(|(module, _)| !module.is_empty())
            .cloned()
            .collect();
        let mut service_modules = HashMap::new();
        for service in repo.services.iter().filter(|s| s.language == Language::Go) {
            if !service.module.is_empty() {
                service_modules.insert(service.module.as_str(), service);
            }
        }
        Facts {
            repo,
            go,
            rust,
            modules,
            module_dirs,
            service_modules,
            tables,
            selected,
        }
    }

    /// Whether findings in this file are reported in this run.
    pub fn is_selected(&self, path: &str) -> bool {
        self.selected.is_none_or(|s| s.contains(path))
    }

    /// The directory (relative to the repository) of a Go import path that is
    /// inside one of the repository's modules.
    pub fn package_dir(&self, import_path: &str) -> Option<String> {
        longest_prefix(import_path, |module| self.module_dirs.get(module)).map(|(dir, module)| {
            let rest = import_path[module.len()..].trim_start_matches('/');
            join(dir, rest)
        })
    }

    /// The service a Go import path points into.
    pub fn service_of_import(&self, import_path: &str) -> Option<&'r Service> {
        longest_prefix(import_path, |module| {
            self.service_modules.get(module).copied()
        })
        .map(|(service, _)| service)
    }

    pub fn service_of(&self, path: &str) -> Option<&'r Service> {
        self.repo.service_for(path)
    }
}

pub fn join(dir: &str, rest: &str) -> String {
    match (dir.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_string(),
        (false, true) => dir.to_string(),
        (false, false) => format!("{dir}/{rest}"),
    }
}

/// The directory part of a relative path.
pub fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}
