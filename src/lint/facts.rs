//! What repository-wide rules see: the imports of every file, the services'
//! modules, and the table uses. Per-file facts are cached with the findings.

use super::go::Import;
use crate::repo::tables::TableUse;
use crate::repo::{Repo, Service};
use crate::report::Span;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct GoFacts {
    pub(crate) path: String,
    pub(crate) package: String,
    pub(crate) is_test: bool,
    pub(crate) imports: Vec<Import>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RustFacts {
    pub(crate) path: String,
    /// Under `tests/`, a `#[cfg(test)]` module file, a test crate: not deployed.
    #[serde(default)]
    pub(crate) is_test: bool,
    /// Every `use` and `extern crate`: the crate it names and the module below.
    #[serde(default)]
    pub(crate) uses: Vec<CrateUse>,
}

/// `use auth::proto::{A, B}` is crate `auth`, module `proto`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CrateUse {
    pub(crate) krate: String,
    /// The second segment (a module or an item of the crate root); `None`
    /// for `extern crate` and `use auth::*`.
    pub(crate) module: Option<String>,
    pub(crate) span: Span,
}

pub struct Facts<'r> {
    pub(crate) repo: &'r Repo,
    pub(crate) go: Vec<GoFacts>,
    pub(crate) rust: Vec<RustFacts>,
    pub(crate) tables: Vec<TableUse>,
    /// When only some files are linted (paths, --changed-since, --staged).
    pub(crate) selected: Option<&'r HashSet<String>>,
}

impl<'r> Facts<'r> {
    pub(crate) fn new(
        repo: &'r Repo,
        go: Vec<GoFacts>,
        rust: Vec<RustFacts>,
        tables: Vec<TableUse>,
        selected: Option<&'r HashSet<String>>,
    ) -> Facts<'r> {
        Facts {
            repo,
            go,
            rust,
            tables,
            selected,
        }
    }

    /// Whether findings in this file are reported in this run.
    pub(crate) fn is_selected(&self, path: &str) -> bool {
        self.selected.is_none_or(|s| s.contains(path))
    }

    /// The directory (relative to the repository) of a Go import path that is
    /// inside one of the repository's modules, resolved from `from_file` as
    /// the Go toolchain would (see [`Repo::resolve_go_import`]).
    pub(crate) fn package_dir(&self, from_file: &str, import_path: &str) -> Option<String> {
        self.repo
            .resolve_go_import(from_file, import_path)
            .map(|(_, dir)| dir)
    }

    /// The service a Go import path points into, from `from_file`.
    pub(crate) fn service_of_import(
        &self,
        from_file: &str,
        import_path: &str,
    ) -> Option<&'r Service> {
        self.repo.service_of_go_import(from_file, import_path)
    }

    pub(crate) fn service_of(&self, path: &str) -> Option<&'r Service> {
        self.repo.service_for(path)
    }
}

/// The directory part of a relative path.
pub(crate) fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}
