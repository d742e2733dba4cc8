//! The facts the drift checks read: every go.mod, go.sum, go.work and
//! go.work.sum of the repository, every Cargo manifest and lock, parsed once.

use super::cargo::{CargoManifest, LockedPackage, parse_lock, parse_manifest};
use super::gomod::sum::GoSum;
use super::gomod::{GoMod, GoWork, Mode, parse_go_mod, parse_go_work};
use crate::error::InputError;
use crate::repo::{Language, Repo};
use rayon::prelude::*;

/// The environment variable that lets drift run `cargo metadata` (value `1`).
pub(crate) const CARGO_METADATA_ENV: &str = "TRELLIS_CARGO_METADATA";

/// One go.mod file and who it belongs to.
#[derive(Debug, Clone)]
pub(crate) struct GoModule {
    /// The go.mod, relative to the repository root.
    pub(crate) manifest: String,
    /// Its directory ("" for the root).
    pub(crate) dir: String,
    /// The service it defines, or its module path when it is not a service.
    pub(crate) name: String,
    /// The service name when this module is a service.
    pub(crate) service: Option<String>,
    /// The root go.mod that anchors versions for the others.
    pub(crate) is_anchor: bool,
    pub(crate) parsed: GoMod,
}

#[derive(Debug, Clone)]
pub(crate) struct SumFile {
    pub(crate) path: String,
    pub(crate) parsed: GoSum,
}

#[derive(Debug, Clone)]
pub(crate) struct WorkFile {
    pub(crate) path: String,
    pub(crate) dir: String,
    pub(crate) parsed: GoWork,
    /// The `use` directives whose directory holds no go.mod on disk, and why.
    pub(crate) missing_uses: Vec<(super::gomod::Setting, String)>,
}

/// The `use` directives of a go.work whose directory is missing or has no
/// go.mod: the go command refuses to load such a workspace. Checked on disk,
/// not against the walk, so a directory left out by `exclude:` still counts.
fn missing_uses(
    root: &std::path::Path,
    dir: &str,
    work: &GoWork,
) -> Vec<(super::gomod::Setting, String)> {
    let base = root.join(dir);
    work.uses
        .iter()
        .filter_map(|used| {
            let target = base.join(&used.value);
            let why = match std::fs::metadata(&target) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => "does not exist",
                Err(_) => return None,
                Ok(meta) if !meta.is_dir() => "is not a directory",
                Ok(_) if target.join("go.mod").is_file() => return None,
                Ok(_) => "has no go.mod",
            };
            Some((used.clone(), why.to_string()))
        })
        .collect()
}

#[derive(Debug, Clone)]
pub(crate) struct RustManifest {
    pub(crate) path: String,
    pub(crate) service: Option<String>,
    pub(crate) parsed: CargoManifest,
}

#[derive(Debug, Clone)]
pub(crate) struct RustLock {
    pub(crate) path: String,
    pub(crate) packages: Vec<LockedPackage>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Facts {
    pub(crate) modules: Vec<GoModule>,
    pub(crate) sums: Vec<SumFile>,
    pub(crate) works: Vec<WorkFile>,
    pub(crate) manifests: Vec<RustManifest>,
    pub(crate) locks: Vec<RustLock>,
    /// How `workspace = true` requirements were resolved, for the report.
    pub(crate) workspace_resolution: Option<String>,
}

impl Facts {
    pub(crate) fn gather(repo: &Repo) -> Result<Facts, InputError> {
        enum Parsed {
            Mod(Box<GoModule>),
            Sum(SumFile),
            Work(WorkFile),
            Manifest(RustManifest),
            Lock(RustLock),
        }
        let wanted: Vec<&String> = repo
            .files
            .iter()
            .filter(|f| {
                matches!(
                    file_name(f),
                    "go.mod" | "go.sum" | "go.work" | "go.work.sum" | "Cargo.toml" | "Cargo.lock"
                )
            })
            .collect();
        let parsed: Vec<Parsed> = wanted
            .par_iter()
            .map(|rel| -> Result<Parsed, InputError> {
                let path = repo.absolute(rel);
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    InputError::new(format!("cannot read {rel}: {e}"))
                        .in_file(&path)
                        .help("check the file's permissions and encoding (UTF-8)")
                })?;
                let dir = parent_dir(rel);
                Ok(match file_name(rel) {
                    "go.mod" => {
                        let parsed = parse_go_mod(&text, Mode::Strict)
                            .map_err(|e| e.into_input_error(&path, &text))?;
                        let named = |list: &[crate::repo::Service]| {
                            list.iter()
                                .find(|s| s.language == Language::Go && s.manifest == **rel)
                                .map(|s| s.name.clone())
                        };
                        let service = named(&repo.services);
                        let is_anchor = repo.anchor.as_deref() == Some(rel.as_str());
                        Parsed::Mod(Box::new(GoModule {
                            manifest: rel.to_string(),
                            // A library is named as a service would be.
                            name: service
                                .clone()
                                .or_else(|| named(&repo.libraries))
                                .unwrap_or_else(|| parsed.module_path().to_string()),
                            service,
                            dir,
                            is_anchor,
                            parsed,
                        }))
                    }
                    "go.sum" | "go.work.sum" => Parsed::Sum(SumFile {
                        path: rel.to_string(),
                        parsed: GoSum::parse(&text)
                            .map_err(|e| e.into_input_error(&path, &text))?,
                    }),
                    "go.work" => {
                        let parsed =
                            parse_go_work(&text).map_err(|e| e.into_input_error(&path, &text))?;
                        Parsed::Work(WorkFile {
                            path: rel.to_string(),
                            missing_uses: missing_uses(&repo.root, &dir, &parsed),
                            dir,
                            parsed,
                        })
                    }
                    "Cargo.toml" => Parsed::Manifest(RustManifest {
                        path: rel.to_string(),
                        service: repo
                            .services
                            .iter()
                            .find(|s| s.language == Language::Rust && s.manifest == **rel)
                            .map(|s| s.name.clone()),
                        parsed: parse_manifest(&path, &text)?,
                    }),
                    _ => Parsed::Lock(RustLock {
                        path: rel.to_string(),
                        packages: parse_lock(&path, &text)?,
                    }),
                })
            })
            .collect::<Result<_, _>>()?;
        let mut facts = Facts::default();
        for item in parsed {
            match item {
                Parsed::Mod(m) => facts.modules.push(*m),
                Parsed::Sum(s) => facts.sums.push(s),
                Parsed::Work(w) => facts.works.push(w),
                Parsed::Manifest(m) => facts.manifests.push(m),
                Parsed::Lock(l) => facts.locks.push(l),
            }
        }
        facts.resolve_workspaces(repo);
        Ok(facts)
    }

    /// Gives `workspace = true` dependencies the requirement they inherit:
    /// from the nearest `[workspace.dependencies]` above the member, and
    /// first from `cargo metadata` when the user opted in with
    /// [`CARGO_METADATA_ENV`] (it knows renames, globs and excludes).
    ///
    /// Not by default: cargo through rustup runs whatever toolchain the
    /// analysed repository's rust-toolchain.toml names (even a path inside
    /// the repository), so reviewing a repository would run its code.
    fn resolve_workspaces(&mut self, repo: &Repo) {
        let roots: Vec<String> = self
            .manifests
            .iter()
            .filter(|m| m.parsed.is_workspace)
            .map(|m| m.path.clone())
            .collect();
        if roots.is_empty() {
            return;
        }
        let cargo_allowed = std::env::var_os(CARGO_METADATA_ENV).is_some_and(|v| v == "1");
        let roots = if cargo_allowed { roots } else { Vec::new() };
        let mut used_cargo = 0;
        let mut failures = Vec::new();
        for root in &roots {
            let metadata = cargo_metadata::MetadataCommand::new()
                .manifest_path(repo.absolute(root))
                .no_deps()
                .other_options(vec!["--offline".to_string()])
                .exec();
            let metadata = match metadata {
                Ok(m) => m,
                Err(e) => {
                    failures.push(format!("{root}: {}", first_line(&e.to_string())));
                    continue;
                }
            };
            used_cargo += 1;
            for package in metadata.workspace_packages() {
                let Some(rel) =
                    crate::repo::relative_path(&repo.root, package.manifest_path.as_std_path())
                else {
                    continue;
                };
                let Some(manifest) = self.manifests.iter_mut().find(|m| m.path == rel) else {
                    continue;
                };
                for dep in manifest.parsed.deps.iter_mut().filter(|d| d.req.is_none()) {
                    if let Some(resolved) = package.dependencies.iter().find(|d| {
                        d.name == dep.name
                            && d.path.is_none()
                            && d.source
                                .as_ref()
                                .is_some_and(|s| s.repr.starts_with("registry+"))
                    }) {
                        dep.req = Some(resolved.req.to_string());
                    }
                }
            }
        }
        // Whatever cargo did not resolve: the nearest workspace table above.
        let tables: Vec<(String, Vec<super::cargo::CargoDep>)> = self
            .manifests
            .iter()
            .filter(|m| m.parsed.is_workspace)
            .map(|m| (parent_dir(&m.path), m.parsed.workspace_deps.clone()))
            .collect();
        for manifest in &mut self.manifests {
            let dir = parent_dir(&manifest.path);
            let Some((_, table)) = tables
                .iter()
                .filter(|(root, _)| {
                    root.is_empty() || dir == *root || dir.starts_with(&format!("{root}/"))
                })
                .max_by_key(|(root, _)| root.len())
            else {
                continue;
            };
            for dep in manifest
                .parsed
                .deps
                .iter_mut()
                .filter(|d| d.inherited && d.req.is_none())
            {
                if let Some(from) = table.iter().find(|w| w.name == dep.name) {
                    dep.req.clone_from(&from.req);
                }
            }
        }
        self.workspace_resolution = Some(if !cargo_allowed {
            format!(
                "own parser (cargo metadata not run: it would run the toolchain the repository's rust-toolchain.toml names; {CARGO_METADATA_ENV}=1 allows it)"
            )
        } else if failures.is_empty() {
            format!(
                "cargo metadata ({used_cargo} workspace{})",
                if used_cargo == 1 { "" } else { "s" }
            )
        } else {
            format!(
                "own parser (cargo metadata failed: {})",
                failures.join("; ")
            )
        });
    }

    /// The version a manifest's dependency resolves to: the nearest
    /// Cargo.lock's (with its place), else the requirement's floor.
    pub(crate) fn crate_in_use(
        &self,
        manifest: &str,
        name: &str,
        req: &str,
    ) -> Option<(semver::Version, Option<(String, u32)>)> {
        let mut dir = parent_dir(manifest);
        loop {
            let lock_path = join(&dir, "Cargo.lock");
            if let Some(lock) = self.locks.iter().find(|l| l.path == lock_path) {
                let parsed_req = semver::VersionReq::parse(req).ok();
                let locked = lock
                    .packages
                    .iter()
                    .filter(|p| p.name == name)
                    .filter_map(|p| Some((semver::Version::parse(&p.version).ok()?, p.line)))
                    .filter(|(v, _)| parsed_req.as_ref().is_none_or(|r| r.matches(v)))
                    .max();
                if let Some((version, line)) = locked {
                    return Some((version, Some((lock.path.clone(), line))));
                }
            }
            if dir.is_empty() {
                break;
            }
            dir = parent_dir(&dir);
        }
        let parsed = semver::VersionReq::parse(req).ok()?;
        let c = parsed.comparators.first()?;
        Some((
            semver::Version::new(c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0)),
            None,
        ))
    }

    /// The go.mod files that are not the anchor: the services' modules.
    pub(crate) fn service_modules(&self) -> impl Iterator<Item = &GoModule> {
        self.modules.iter().filter(|m| !m.is_anchor)
    }

    pub(crate) fn anchor(&self) -> Option<&GoModule> {
        self.modules.iter().find(|m| m.is_anchor)
    }

    /// The go.sum beside a go.mod.
    pub(crate) fn sum_for(&self, module: &GoModule) -> Option<&SumFile> {
        let want = join(&module.dir, "go.sum");
        self.sums.iter().find(|s| s.path == want)
    }

    /// The go.work whose `use` names this module's directory, if any.
    pub(crate) fn workspace_of(&self, module: &GoModule) -> Option<&WorkFile> {
        self.works.iter().find(|w| w.uses_dir(&module.dir))
    }

    /// The modules a go.work uses.
    pub(crate) fn workspace_modules<'a>(
        &'a self,
        work: &'a WorkFile,
    ) -> impl Iterator<Item = &'a GoModule> + 'a {
        self.modules.iter().filter(|m| work.uses_dir(&m.dir))
    }

    /// Every file Go reads hashes from in workspace mode: the go.sum of each
    /// module the workspace uses, and its go.work.sum.
    pub(crate) fn workspace_sums(&self, work: &WorkFile) -> Vec<&SumFile> {
        let work_sum = join(&work.dir, "go.work.sum");
        let mut sums: Vec<&SumFile> = self
            .workspace_modules(work)
            .filter_map(|m| self.sum_for(m))
            .collect();
        sums.extend(self.sums.iter().find(|s| s.path == work_sum));
        sums
    }
}

impl WorkFile {
    /// Whether `use` names this directory (relative to the repository root).
    pub(crate) fn uses_dir(&self, dir: &str) -> bool {
        self.parsed
            .uses
            .iter()
            .any(|u| normalize(&join(&self.dir, &u.value)).as_deref() == Some(dir))
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

pub(crate) fn parent_dir(path: &str) -> String {
    path.rfind('/')
        .map_or_else(String::new, |i| path[..i].to_string())
}

// Shared with the repository model, which resolves go.work and replace paths.
pub(crate) use crate::fsutil::{join_relative as join, normalize_relative as normalize};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_relative_paths() {
        assert_eq!(normalize("services/a/../b").as_deref(), Some("services/b"));
        assert_eq!(normalize("./x").as_deref(), Some("x"));
        assert_eq!(normalize("a/../.."), None);
        assert_eq!(normalize("."), Some(String::new()));
    }
}
