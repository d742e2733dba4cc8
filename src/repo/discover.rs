//! Finding services: one walk of the tree, honouring .gitignore and the usual
//! directories nobody wants analysed.

use super::RepoConfig;
use super::{
    DuplicateModule, ForeignProject, GoModule, Kind, Language, Repo, RustCrate, Service,
    SkippedModule, Unwalked, relative_path,
};
use crate::error::InputError;
use crate::policy::GlobList;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// Directory names never walked into, wherever they are.
const SKIPPED_DIRS: &[&str] = &["vendor", "testdata", "node_modules"];

pub(crate) fn discover(root: &Path, config: RepoConfig) -> Result<Repo, InputError> {
    let root = canonical_root(root)?;
    let config_file = config.files.last().cloned();
    let cfg = &config;
    let excludes = GlobList::new(&cfg.exclude).map_err(|e| glob_error(&config_file, &e))?;
    let (mut files, unwalked) = walk(&root, &excludes);
    let mut modules = read_manifests(&root, &files)?;
    let skipped_modules = apply_go_work(&root, &files, &mut modules)?;
    drop_skipped_files(&mut files, &modules, &skipped_modules);
    let go_modules = go_modules(&modules);
    let duplicate_modules = duplicates(&go_modules);

    let classified = if cfg.services.is_empty() {
        classify_modules(&root, &files, &modules, cfg, &config_file)?
    } else {
        configured_services(&files, &modules, cfg, &config_file)?
    };
    let Classified {
        mut services,
        mut libraries,
    } = classified;
    let anchor = anchor(&modules, &services);
    name_services(&mut services, &root);
    name_services(&mut libraries, &root);
    assign_contracts(&mut services, &libraries, &files, cfg);
    services.sort_by(|a, b| a.name.cmp(&b.name).then(a.root.cmp(&b.root)));
    libraries.sort_by(|a, b| a.root.cmp(&b.root));
    let foreign = foreign_projects(&files);

    let service_roots = super::ServiceRoots::new(&services, &libraries);
    let module_index = super::ModuleIndex::new(&go_modules);
    let rust_crates = modules
        .iter()
        .filter_map(|m| m.rust_crate.clone())
        .collect();
    Ok(Repo {
        rust_crates,
        root,
        config,
        services,
        anchor,
        files,
        unwalked,
        libraries,
        go_modules,
        skipped_modules,
        duplicate_modules,
        foreign,
        excludes,
        service_roots,
        module_index,
    })
}

fn canonical_root(root: &Path) -> Result<std::path::PathBuf, InputError> {
    if !root.is_dir() {
        return Err(
            InputError::new(format!("{} is not a directory", root.display()))
                .help("pass an existing repository directory with -C"),
        );
    }
    root.canonicalize().map_err(|e| {
        InputError::new(format!("cannot open {}: {e}", root.display()))
            .help("pass an existing repository directory with -C")
    })
}

/// Every go.mod, and every Cargo.toml with a `[package]`.
fn read_manifests(root: &Path, files: &[String]) -> Result<Vec<ModuleRoot>, InputError> {
    let mut modules = Vec::new();
    for manifest in files {
        match file_name(manifest) {
            "go.mod" => modules.push(read_go_mod(root, manifest)?),
            "Cargo.toml" => modules.extend(read_cargo_toml(root, manifest)?),
            _ => {}
        }
    }
    Ok(modules)
}

/// A manifest's text; one that cannot be read is an input error, never an
/// empty file (which would then be reported as having no module line).
fn read_manifest(root: &Path, manifest: &str) -> Result<String, InputError> {
    std::fs::read_to_string(root.join(manifest)).map_err(|e| {
        InputError::new(format!("cannot read {manifest}: {e}"))
            .in_file(root.join(manifest))
            .help("make the file readable by this user, or exclude its directory in trellis.yaml")
    })
}

fn read_go_mod(root: &Path, manifest: &str) -> Result<ModuleRoot, InputError> {
    let text = read_manifest(root, manifest)?;
    let module = go_module_path(&text).ok_or_else(|| {
        InputError::new("go.mod has no `module` line")
            .in_file(root.join(manifest))
            .at(1, 1)
            .with_source(text.clone())
            .help("start the file with `module example.com/your/module`")
    })?;
    Ok(ModuleRoot {
        dir: parent_dir(manifest),
        language: Language::Go,
        module,
        manifest: manifest.to_string(),
        builds_binary: false,
        workspace: None,
        go_mod: text,
        rust_crate: None,
    })
}

fn read_cargo_toml(root: &Path, manifest: &str) -> Result<Option<ModuleRoot>, InputError> {
    let text = read_manifest(root, manifest)?;
    let parsed: toml::Table = toml::from_str(&text).map_err(|e| {
        let mut err = InputError::new(format!("Cargo.toml does not parse: {}", e.message()))
            .in_file(root.join(manifest))
            .with_source(text.clone())
            .help("fix the TOML syntax, or exclude the directory in trellis.yaml");
        if let Some(span) = e.span() {
            let (line, column) = line_column(&text, span.start);
            err = err.at(line, column);
        }
        err
    })?;
    let Some(name) = parsed
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
    else {
        return Ok(None); // a virtual workspace manifest: its members are found on their own
    };
    let dir = parent_dir(manifest);
    // Cargo's own rules: an explicit [[bin]], src/main.rs, or files in src/bin/.
    let builds_binary = parsed
        .get("bin")
        .is_some_and(|bins| bins.as_array().is_some_and(|list| !list.is_empty()))
        || root.join(&dir).join("src/main.rs").is_file()
        || std::fs::read_dir(root.join(&dir).join("src/bin"))
            .is_ok_and(|mut entries| entries.next().is_some());
    let rust_crate = RustCrate {
        name: name.to_string(),
        bin_paths: target_paths(&parsed, &["bin"], &dir),
        test_paths: target_paths(&parsed, &["test", "bench", "example"], &dir),
        prints_by_design: prints_by_design(name, &dir),
        is_test_crate: is_test_crate(name, &dir),
        dir: dir.clone(),
    };
    Ok(Some(ModuleRoot {
        dir,
        language: Language::Rust,
        module: name.to_string(),
        manifest: manifest.to_string(),
        builds_binary,
        workspace: None,
        go_mod: String::new(),
        rust_crate: Some(rust_crate),
    }))
}

/// The `path`s of a manifest's `[[bin]]` (or `[[test]]`...) targets,
/// relative to the repository root: a demo client or tool at
/// `src/client.rs` is an entry point as much as `src/main.rs` is.
fn target_paths(parsed: &toml::Table, sections: &[&str], dir: &str) -> Vec<String> {
    sections
        .iter()
        .filter_map(|section| parsed.get(*section).and_then(|v| v.as_array()))
        .flatten()
        .filter_map(|target| target.get("path").and_then(|p| p.as_str()))
        .filter_map(|path| normalize_relative(dir, path.trim_start_matches("./")))
        .collect()
}

/// Command-line and `xtask` crates: their output is their interface. Told
/// by the package or directory name, the one fact that says what a crate is for.
fn prints_by_design(name: &str, dir: &str) -> bool {
    crate_names(name, dir).any(|n| n == "xtask" || n.split('-').any(|p| p == "cli"))
}

/// End-to-end, integration and test-support crates: never deployed.
fn is_test_crate(name: &str, dir: &str) -> bool {
    crate_names(name, dir).any(|n| {
        matches!(n.as_str(), "integ" | "tests" | "testing")
            || n.split('-')
                .any(|p| matches!(p, "e2e" | "tests" | "testing" | "testutils" | "integration"))
    })
}

/// The package name and the directory name, lower case, `_` read as `-`.
fn crate_names<'a>(name: &'a str, dir: &'a str) -> impl Iterator<Item = String> + 'a {
    let last = dir.rsplit('/').next().unwrap_or(dir);
    [name, last]
        .into_iter()
        .map(|n| n.to_ascii_lowercase().replace('_', "-"))
}

/// Go's workspace rule: a go.mod below a go.work's directory belongs to that
/// (nearest) workspace, and is built only when its `use` list names it.
/// Marks the modules each go.work uses and returns those it leaves out
/// (tutorial copies, examples), which are removed from `modules`.
fn apply_go_work(
    root: &Path,
    files: &[String],
    modules: &mut Vec<ModuleRoot>,
) -> Result<Vec<SkippedModule>, InputError> {
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for work in files.iter().filter(|f| file_name(f) == "go.work") {
        let path = root.join(work);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let parsed =
            crate::gomod::parse_go_work(&text).map_err(|e| e.into_input_error(&path, &text))?;
        let dir = parent_dir(work);
        let mut used: BTreeSet<String> = parsed
            .uses
            .iter()
            .filter_map(|u| normalize_relative(&dir, &u.value))
            .collect();
        // A directory a replace points at is built too, through the replace.
        used.extend(local_replace_targets(&dir, &parsed.replaces));
        uses.insert(dir, used);
    }
    if uses.is_empty() {
        return Ok(Vec::new());
    }
    // ... and so is one that any go.mod replaces a requirement with.
    let mut replaced: BTreeSet<String> = BTreeSet::new();
    for module in modules.iter().filter(|m| m.language == Language::Go) {
        let lax = crate::gomod::Mode::Lax;
        if let Ok(parsed) = crate::gomod::parse_go_mod(&module.go_mod, lax) {
            replaced.extend(local_replace_targets(&module.dir, &parsed.replaces));
        }
    }
    let mut skipped = Vec::new();
    modules.retain_mut(|module| {
        if module.language != Language::Go {
            return true;
        }
        let Some((used, work_dir)) = super::longest_prefix(&module.dir, |dir| uses.get(dir)) else {
            return true;
        };
        let work = if work_dir.is_empty() {
            "go.work".to_string()
        } else {
            format!("{work_dir}/go.work")
        };
        if used.contains(&module.dir) {
            module.workspace = Some(work);
            return true;
        }
        if replaced.contains(&module.dir) {
            return true;
        }
        skipped.push(SkippedModule {
            manifest: module.manifest.clone(),
            reason: format!("not in the `use` list of {work}"),
        });
        false
    });
    Ok(skipped)
}

fn local_replace_targets<'a>(
    dir: &'a str,
    replaces: &'a [crate::gomod::Replace],
) -> impl Iterator<Item = String> + 'a {
    replaces
        .iter()
        .filter(|r| r.is_local())
        .filter_map(move |r| normalize_relative(dir, &r.new_path))
}

/// `dir` joined with a go.work `use` path (`./app/cart`, `rpc_gen`, `.`),
/// `None` when it leaves the repository.
fn normalize_relative(dir: &str, used: &str) -> Option<String> {
    crate::fsutil::normalize_relative(&crate::fsutil::join_relative(dir, used))
}

/// Files of a skipped module are not analysed: the nearest go.mod above them
/// decides, as it does for the Go toolchain.
fn drop_skipped_files(files: &mut Vec<String>, modules: &[ModuleRoot], skipped: &[SkippedModule]) {
    if skipped.is_empty() {
        return;
    }
    let mut owner: HashMap<&str, bool> = HashMap::new();
    for module in modules.iter().filter(|m| m.language == Language::Go) {
        owner.insert(&module.dir, true);
    }
    let skipped_dirs: Vec<String> = skipped.iter().map(|s| parent_dir(&s.manifest)).collect();
    for dir in &skipped_dirs {
        owner.insert(dir, false);
    }
    files.retain(|file| {
        super::longest_prefix(parent_dir_str(file), |dir| owner.get(dir).copied())
            .is_none_or(|(analysed, _)| analysed)
    });
}

fn go_modules(modules: &[ModuleRoot]) -> Vec<GoModule> {
    modules
        .iter()
        .filter(|m| m.language == Language::Go)
        .map(|m| GoModule {
            path: m.module.clone(),
            dir: m.dir.clone(),
            manifest: m.manifest.clone(),
            workspace: m.workspace.clone(),
        })
        .collect()
}

fn duplicates(modules: &[GoModule]) -> Vec<DuplicateModule> {
    let mut by_path: BTreeMap<&str, Vec<&GoModule>> = BTreeMap::new();
    for module in modules {
        by_path.entry(&module.path).or_default().push(module);
    }
    by_path
        .into_iter()
        .filter(|(_, list)| list.len() > 1)
        .map(|(path, mut list)| {
            list.sort_by(|a, b| {
                let depth = |m: &GoModule| m.dir.split('/').count();
                depth(a).cmp(&depth(b)).then_with(|| a.dir.cmp(&b.dir))
            });
            DuplicateModule {
                path: path.to_string(),
                manifests: list.iter().map(|m| m.manifest.clone()).collect(),
            }
        })
        .collect()
}

struct Classified {
    services: Vec<Service>,
    libraries: Vec<Service>,
}

/// A root go.mod above other Go modules is the dependency anchor the seeds
/// describe, not a service of its own (unless configured as one).
fn anchor(modules: &[ModuleRoot], services: &[Service]) -> Option<String> {
    let nested_go = modules
        .iter()
        .any(|m| m.language == Language::Go && !m.dir.is_empty());
    let root = modules
        .iter()
        .find(|m| m.dir.is_empty() && m.language == Language::Go)?;
    let root_is_service = services
        .iter()
        .any(|s| s.root.is_empty() && s.language == Language::Go);
    (nested_go && !root_is_service).then(|| root.manifest.clone())
}

/// Without `services:`, every module is a service, a library or the anchor:
/// a root go.mod above other Go modules is the dependency anchor; a module
/// configured under `libraries:` or building no binary is a library.
fn classify_modules(
    root: &Path,
    files: &[String],
    modules: &[ModuleRoot],
    cfg: &RepoConfig,
    config_file: &Option<std::path::PathBuf>,
) -> Result<Classified, InputError> {
    let configured_libraries =
        GlobList::new(&cfg.libraries).map_err(|e| glob_error(config_file, &e))?;
    let nested_go = modules
        .iter()
        .any(|m| m.language == Language::Go && !m.dir.is_empty());
    let go_binaries = go_main_modules(root, files, modules);
    let mut classified = Classified {
        services: Vec::new(),
        libraries: Vec::new(),
    };
    let builds_binary = |module: &ModuleRoot| match module.language {
        Language::Go => go_binaries.contains(module.dir.as_str()),
        Language::Rust => module.builds_binary,
    };
    // A root module that builds a binary over nested libraries only is a
    // service with helper modules; over nested services it is the anchor.
    let nested_go_service = modules
        .iter()
        .any(|m| m.language == Language::Go && !m.dir.is_empty() && builds_binary(m));
    for module in modules {
        let is_root_go = module.dir.is_empty() && module.language == Language::Go;
        if is_root_go && nested_go && (nested_go_service || !builds_binary(module)) {
            continue; // the anchor
        }
        let builds_binary = builds_binary(module);
        // Command-line, xtask and test crates are run by developers, not deployed.
        let is_tool = module
            .dir
            .split('/')
            .any(|part| super::TOOL_DIRS.contains(&part))
            || module
                .rust_crate
                .as_ref()
                .is_some_and(|c| c.prints_by_design || c.is_test_crate);
        let kind = if configured_libraries.is_match(&module.dir) || !builds_binary {
            Kind::Library
        } else if is_tool {
            Kind::Tool
        } else {
            Kind::Service
        };
        let entry = module.as_service(kind, &module.dir);
        match kind {
            Kind::Service => classified.services.push(entry),
            Kind::Library | Kind::Tool => classified.libraries.push(entry),
        }
    }
    Ok(classified)
}

/// The directories of the Go modules that hold a `package main` (outside
/// tests and `//go:build ignore` generators, which build no binary).
fn go_main_modules<'a>(
    root: &Path,
    files: &[String],
    modules: &'a [ModuleRoot],
) -> BTreeSet<&'a str> {
    let dirs: HashMap<&str, &'a str> = modules
        .iter()
        .filter(|m| m.language == Language::Go)
        .map(|m| (m.dir.as_str(), m.dir.as_str()))
        .collect();
    let mut found = BTreeSet::new();
    let mut candidates: Vec<(&str, &str)> = files
        .iter()
        .filter(|f| f.ends_with(".go") && !f.ends_with("_test.go"))
        .filter_map(|f| {
            super::longest_prefix(parent_dir_str(f), |dir| dirs.get(dir).copied())
                .map(|(module, _)| (module, f.as_str()))
        })
        .collect();
    // The likeliest holders of `package main` first, so most modules are
    // decided by reading one file.
    candidates.sort_by_key(|(_, f)| {
        let name = file_name(f);
        (name != "main.go", !f.contains("cmd/"), f.split('/').count())
    });
    for (module, file) in candidates {
        if found.contains(module) {
            continue;
        }
        if is_main_package(&root.join(file)) {
            found.insert(module);
        }
    }
    found
}

/// Whether a Go file declares `package main` and is built by default.
pub(crate) fn is_main_package(path: &Path) -> bool {
    use std::io::Read;
    let mut head = Vec::with_capacity(8192);
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    // The package clause follows at most the header comments; 64 KiB holds
    // any licence header seen in practice, and bounds what a hostile file costs.
    if file.take(64 * 1024).read_to_end(&mut head).is_err() {
        return false;
    }
    let text = String::from_utf8_lossy(&head);
    let mut rest: &str = &text;
    let mut ignored = false;
    // Skip the comments and blank space before the package clause; a build
    // constraint among them may exclude the file from every build.
    loop {
        rest = rest.trim_start();
        if let Some(comment) = rest.strip_prefix("//") {
            let (line, after) = comment.split_once('\n').unwrap_or((comment, ""));
            let line = line.trim_start();
            if let Some(constraint) = line
                .strip_prefix("go:build")
                .or_else(|| line.strip_prefix("+build"))
            {
                ignored |= constraint.split_whitespace().any(|t| t == "ignore");
            }
            rest = after;
        } else if let Some(comment) = rest.strip_prefix("/*") {
            let Some((_, after)) = comment.split_once("*/") else {
                return false;
            };
            rest = after;
        } else {
            break;
        }
    }
    let mut words = rest.split(|c: char| c.is_whitespace() || c == '/' || c == ';');
    !ignored && words.next() == Some("package") && words.find(|w| !w.is_empty()) == Some("main")
}

/// With `services:`, the configured directories are the services; a named
/// entry must match exactly one directory.
fn configured_services(
    files: &[String],
    modules: &[ModuleRoot],
    cfg: &RepoConfig,
    config_file: &Option<std::path::PathBuf>,
) -> Result<Classified, InputError> {
    let mut dirs_with_files = BTreeSet::new();
    for file in files {
        let mut dir = parent_dir(file);
        loop {
            if !dirs_with_files.insert(dir.clone()) || dir.is_empty() {
                break;
            }
            dir = parent_dir(&dir);
        }
    }
    let mut chosen: BTreeMap<String, Option<String>> = BTreeMap::new();
    for entry in &cfg.services {
        let list = GlobList::new(std::slice::from_ref(&entry.path))
            .map_err(|e| glob_error(config_file, &e))?;
        let matched: Vec<&String> = dirs_with_files
            .iter()
            .filter(|d| list.is_match(d))
            .collect();
        if let Some(name) = &entry.name {
            if matched.len() != 1 {
                let mut err = InputError::new(format!(
                    "service `{name}`: `{}` matches {} directories, not one",
                    entry.path.pattern,
                    matched.len()
                ))
                .help("give a named service entry the path of exactly one existing directory, or drop `name` to use a glob");
                if let Some(file) = config_file {
                    err = err.in_file(file);
                }
                if let Some((line, column)) = entry.path.location {
                    err = err.at(line, column);
                }
                return Err(err);
            }
            chosen.insert(matched[0].clone(), Some(name.clone()));
        } else {
            for dir in matched {
                chosen.entry(dir.clone()).or_insert(None);
            }
        }
    }
    let mut services = Vec::new();
    for (dir, name) in chosen {
        let Some(module) = modules
            .iter()
            .filter(|m| m.dir.is_empty() || dir == m.dir || dir.starts_with(&format!("{}/", m.dir)))
            .max_by_key(|m| m.dir.len())
        else {
            return Err(InputError::new(format!(
                "service directory {dir} is not inside any go.mod or Cargo.toml module"
            ))
            .in_file(config_file.clone().unwrap_or_default())
            .help("add a go.mod or Cargo.toml, or narrow the `services` globs"));
        };
        let mut service = module.as_service(Kind::Service, &dir);
        if let Some(name) = name {
            service.name = name;
        }
        services.push(service);
    }
    let libraries = GlobList::new(&cfg.libraries).map_err(|e| glob_error(config_file, &e))?;
    let libraries = modules
        .iter()
        .filter(|m| libraries.is_match(&m.dir))
        .map(|m| m.as_service(Kind::Library, &m.dir))
        .collect();
    Ok(Classified {
        services,
        libraries,
    })
}

struct ModuleRoot {
    dir: String,
    language: Language,
    module: String,
    manifest: String,
    /// Rust only: Go modules are asked by reading their files.
    builds_binary: bool,
    workspace: Option<String>,
    /// The go.mod's text (Go only), read once for the module line and, with a
    /// go.work, for its directory replaces.
    go_mod: String,
    rust_crate: Option<RustCrate>,
}

impl ModuleRoot {
    /// The service or library at `dir` inside this module.
    fn as_service(&self, kind: Kind, dir: &str) -> Service {
        let suffix = dir
            .strip_prefix(&self.dir)
            .unwrap_or(dir)
            .trim_start_matches('/');
        let module = match (self.language, suffix.is_empty()) {
            (Language::Go, false) => format!("{}/{}", self.module, suffix),
            _ => self.module.clone(),
        };
        Service {
            name: String::new(),
            kind,
            root: dir.to_string(),
            language: self.language,
            module,
            manifest: self.manifest.clone(),
            contracts: Vec::new(),
        }
    }
}

/// Manifests of languages trellis does not analyse, the outermost of each
/// language per directory tree.
fn foreign_projects(files: &[String]) -> Vec<ForeignProject> {
    let mut found: Vec<ForeignProject> = Vec::new();
    // Only manifests are sorted: sorting every file of a large tree by a
    // key counted anew on each comparison was most of discovery's time.
    let mut by_depth: Vec<(usize, &String, &'static str)> = files
        .iter()
        .filter_map(|file| {
            let name = file_name(file);
            let language = match name {
                "package.json" => "javascript",
                "pom.xml" | "build.gradle" | "build.gradle.kts" => "java",
                "pyproject.toml" | "setup.py" | "requirements.txt" => "python",
                _ if name.ends_with(".csproj") => "csharp",
                _ => return None,
            };
            Some((file.matches('/').count(), file, language))
        })
        .collect();
    by_depth.sort_by(|a, b| (a.0, a.1.as_str()).cmp(&(b.0, b.1.as_str())));
    for (_, file, language) in by_depth {
        let root = parent_dir(file);
        let inside_another = found.iter().any(|p| {
            p.language == language
                && (p.root.is_empty()
                    || root == p.root
                    || root.starts_with(&format!("{}/", p.root)))
        });
        if !inside_another {
            found.push(ForeignProject {
                root,
                language,
                manifest: file.clone(),
            });
        }
    }
    found.sort_by(|a, b| a.root.cmp(&b.root).then(a.manifest.cmp(&b.manifest)));
    found
}

fn glob_error(file: &Option<std::path::PathBuf>, e: &globset::Error) -> InputError {
    let mut err = InputError::new(format!("invalid glob: {e}"));
    if let Some(file) = file {
        err = err.in_file(file);
    }
    err.help("fix the pattern in trellis.yaml")
}

/// Every file under `root` that is not ignored, relative and sorted, and the
/// paths the walk could not take in (unreadable directories, names that are
/// not UTF-8, paths too long for the system), each with the reason.
fn walk(root: &Path, excludes: &GlobList) -> (Vec<String>, Vec<Unwalked>) {
    let walker = walk_builder(root).build();
    let mut files = Vec::new();
    let mut unwalked = Vec::new();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                // Errors in ignore files are not paths left out; I/O errors
                // are, unless trellis.yaml excludes the path anyway.
                if err.io_error().is_some() {
                    let lost = unwalked_by_error(root, &err);
                    if !excludes.is_match(&lost.path) {
                        unwalked.push(lost);
                    }
                }
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        // A lossy name would name a file that does not exist.
        let utf8 = entry
            .path()
            .strip_prefix(root)
            .is_ok_and(|rel| rel.to_str().is_some());
        let Some(rel) = relative_path(root, entry.path()).filter(|_| utf8) else {
            let shown = entry.path().strip_prefix(root).unwrap_or(entry.path());
            unwalked.push(Unwalked {
                path: shown.to_string_lossy().replace('\\', "/"),
                reason: "its name is not valid UTF-8".to_string(),
            });
            continue;
        };
        if excludes.is_match(&rel) || rel == ".git" {
            continue;
        }
        files.push(rel);
    }
    files.sort_unstable();
    unwalked.sort_by(|a, b| a.path.cmp(&b.path));
    (files, unwalked)
}

fn unwalked_by_error(root: &Path, err: &ignore::Error) -> Unwalked {
    let mut inner = err;
    let mut path = None;
    loop {
        match inner {
            ignore::Error::WithPath { path: p, err } => {
                path.get_or_insert(p.clone());
                inner = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                inner = err;
            }
            _ => break,
        }
    }
    let shown = path
        .as_deref()
        .map(|p| {
            p.strip_prefix(root)
                .unwrap_or(p)
                .to_string_lossy()
                .replace('\\', "/")
        })
        .unwrap_or_default();
    let reason = inner
        .io_error()
        .map_or_else(|| inner.to_string(), ToString::to_string);
    Unwalked {
        path: shown,
        reason,
    }
}

/// The walker every job uses: hidden entries, .gitignore'd paths, vendor/,
/// testdata/, node_modules/ and Cargo's target/ are skipped.
pub(crate) fn walk_builder(root: &Path) -> ignore::WalkBuilder {
    let mut builder = ignore::WalkBuilder::new(root);
    builder
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|entry| {
            if !entry.file_type().is_some_and(|t| t.is_dir()) {
                return true;
            }
            let name = entry.file_name().to_string_lossy();
            if SKIPPED_DIRS.contains(&name.as_ref()) {
                return false;
            }
            if name == "target" {
                let parent_has_cargo = entry
                    .path()
                    .parent()
                    .is_some_and(|p| p.join("Cargo.toml").is_file());
                return !parent_has_cargo;
            }
            true
        });
    builder
}

fn parent_dir(path: &str) -> String {
    parent_dir_str(path).to_string()
}

fn parent_dir_str(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() as u32 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
    (line, column)
}

/// The `module` directive of a go.mod file.
pub(crate) fn go_module_path(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let line = line.split("//").next()?.trim();
        let rest = line.strip_prefix("module")?;
        if !rest.starts_with([' ', '\t']) {
            return None;
        }
        Some(rest.trim().trim_matches('"').trim_matches('`').to_string()).filter(|m| !m.is_empty())
    })
}

/// A service is named after its directory; the root after the repository's
/// directory. When names clash, the shallowest service keeps the short name
/// (so a copy appearing deeper in the tree renames nothing) and the others
/// are named by their relative path. Names set in trellis.yaml are kept.
fn name_services(services: &mut [Service], root: &Path) {
    let repo_name = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "root".to_string());
    let configured: Vec<bool> = services.iter().map(|s| !s.name.is_empty()).collect();
    for service in services.iter_mut().filter(|s| s.name.is_empty()) {
        service.name = if service.root.is_empty() {
            repo_name.clone()
        } else {
            file_name(&service.root).to_string()
        };
    }
    let depth = |s: &Service| {
        if s.root.is_empty() {
            0
        } else {
            s.root.split('/').count()
        }
    };
    let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, service) in services.iter().enumerate() {
        by_name.entry(service.name.clone()).or_default().push(i);
    }
    for indices in by_name.values().filter(|list| list.len() > 1) {
        let shallowest = indices.iter().map(|&i| depth(&services[i])).min();
        let keepers = indices
            .iter()
            .filter(|&&i| Some(depth(&services[i])) == shallowest)
            .count();
        for &i in indices {
            let keeps = configured[i]
                || services[i].root.is_empty()
                || (keepers == 1 && Some(depth(&services[i])) == shallowest);
            if !keeps {
                services[i].name = services[i].root.clone();
            }
        }
    }
}

/// Contracts belong, in order, to: the owner trellis.yaml names; the nearest
/// service directory holding them; the service whose directory the shared api
/// root mirrors (`api/cart/service/v1` -> `app/cart/service`); the service a
/// directory or the file is named after (`api/order/...` -> `order-service`);
/// the root service; for a proto in a shared contract crate (Rust's `proto`
/// or `rpc` library), the service its file is named after
/// (`edge_registry.proto` -> `edge-registry`), else the workspace's only
/// Rust service. Protos under test directories are test data, not contracts.
fn assign_contracts(
    services: &mut [Service],
    libraries: &[Service],
    files: &[String],
    cfg: &RepoConfig,
) {
    let api_root = cfg.contracts.root.trim_matches('/');
    let in_rust_library = |file: &str| {
        libraries
            .iter()
            .any(|l| l.language == Language::Rust && !l.root.is_empty() && l.contains(file))
    };
    let rust_services: Vec<usize> = (0..services.len())
        .filter(|&i| services[i].language == Language::Rust)
        .collect();
    for file in files
        .iter()
        .filter(|f| f.ends_with(".proto") && !is_test_data(f))
    {
        let containing = |with_root: bool| {
            services
                .iter()
                .enumerate()
                .filter(|(_, s)| s.root.is_empty() != with_root && s.contains(file))
                .max_by_key(|(_, s)| s.root.len())
                .map(|(i, _)| i)
        };
        let owner = cfg
            .contracts
            .owners
            .iter()
            .filter(|(dir, _)| file.starts_with(&format!("{}/", dir.trim_end_matches('/'))))
            .max_by_key(|(dir, _)| dir.len())
            .and_then(|(_, name)| services.iter().position(|s| &s.name == name))
            .or_else(|| containing(true))
            .or_else(|| by_mirrored_directory(services, file, api_root))
            .or_else(|| by_api_root(services, file, api_root))
            .or_else(|| {
                if !in_rust_library(file) {
                    return None;
                }
                by_file_name(services, file).or(match rust_services.as_slice() {
                    [only] => Some(*only),
                    _ => None,
                })
            })
            .or_else(|| containing(false));
        if let Some(index) = owner {
            services[index].contracts.push(file.clone());
        }
    }
}

/// The service whose root ends with the longest run of the contract's
/// directories under the api root, when at least two match: `api/cart/service/v1/x.proto`
/// -> `app/cart/service`. One directory alone is left to name matching.
fn by_mirrored_directory(services: &[Service], file: &str, api_root: &str) -> Option<usize> {
    if api_root.is_empty() {
        return None;
    }
    let rest = file.strip_prefix(api_root)?.strip_prefix('/')?;
    let dirs: Vec<&str> = rest.split('/').collect();
    let dirs = &dirs[..dirs.len().saturating_sub(1)];
    let mut best: Option<(usize, usize)> = None;
    let mut tie = false;
    for (index, service) in services.iter().enumerate() {
        let root: Vec<&str> = service.root.split('/').filter(|p| !p.is_empty()).collect();
        let matched = (2..=dirs.len().min(root.len()))
            .rev()
            .find(|&k| root[root.len() - k..] == dirs[..k]);
        if let Some(k) = matched {
            match best {
                Some((_, len)) if len > k => {}
                Some((_, len)) if len == k => tie = true,
                _ => {
                    best = Some((index, k));
                    tie = false;
                }
            }
        }
    }
    if tie { None } else { best.map(|(i, _)| i) }
}

fn by_api_root(services: &[Service], file: &str, api_root: &str) -> Option<usize> {
    if api_root.is_empty() {
        return None;
    }
    let rest = file.strip_prefix(api_root)?.strip_prefix('/')?;
    let mut parts: Vec<&str> = rest.split('/').collect();
    let file_name = parts.pop()?;
    let stem = file_name.strip_suffix(".proto").unwrap_or(file_name);
    let service_named = |part: &str| {
        services.iter().position(|s| {
            let name = s.name.rsplit('/').next().unwrap_or(&s.name);
            name == part || base_name(name) == base_name(part)
        })
    };
    parts
        .into_iter()
        .chain(std::iter::once(stem))
        .find_map(service_named)
}

/// Protos under `test/`, `tests/`, `testdata/` or `fixtures/` feed tests.
fn is_test_data(file: &str) -> bool {
    file.split('/')
        .any(|part| matches!(part, "test" | "tests" | "testdata" | "fixtures"))
}

/// The service a proto file is named after, `_` and `-` alike:
/// `edge_registry.proto` -> `edge-registry`, `orders.proto` -> `orders-service`.
fn by_file_name(services: &[Service], file: &str) -> Option<usize> {
    let stem = file_name(file).strip_suffix(".proto")?.replace('_', "-");
    let matches: Vec<usize> = (0..services.len())
        .filter(|&i| {
            let name = services[i]
                .name
                .rsplit('/')
                .next()
                .unwrap_or(&services[i].name);
            let name = name.replace('_', "-");
            name == stem || base_name(&name) == base_name(&stem)
        })
        .collect();
    match matches.as_slice() {
        [only] => Some(*only),
        _ => None,
    }
}

/// `order-service`, `order_service`, `order-svc` and `order` are one name.
fn base_name(name: &str) -> &str {
    for suffix in ["-service", "_service", "-svc", "_svc", "service"] {
        if let Some(base) = name.strip_suffix(suffix)
            && !base.is_empty()
        {
            return base;
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn go_service(name: &str, root: &str) -> Service {
        Service {
            name: name.to_string(),
            kind: Kind::Service,
            root: root.to_string(),
            language: Language::Go,
            module: format!("example.com/{root}"),
            manifest: format!("{root}/go.mod"),
            contracts: Vec::new(),
        }
    }

    #[test]
    fn api_contracts_belong_to_the_service_a_directory_or_the_file_names() {
        let services = vec![
            go_service("order-service", "services/order-service"),
            go_service("users", "internal/users"),
        ];
        let owner = |file: &str| by_api_root(&services, file, "api").map(|i| &services[i].name);
        assert_eq!(
            owner("api/order/v1/order.proto").map(String::as_str),
            Some("order-service")
        );
        assert_eq!(
            owner("api/proto/order/v1/x.proto").map(String::as_str),
            Some("order-service")
        );
        assert_eq!(
            owner("api/protobuf/users.proto").map(String::as_str),
            Some("users")
        );
        assert_eq!(owner("api/protobuf/billing.proto"), None);
        assert_eq!(owner("proto/users.proto"), None);
    }

    #[test]
    fn reads_module_line() {
        assert_eq!(
            go_module_path("// c\nmodule example.com/a // x\n\ngo 1.22\n").as_deref(),
            Some("example.com/a")
        );
        assert_eq!(
            go_module_path("module \"example.com/q\"\n").as_deref(),
            Some("example.com/q")
        );
        assert_eq!(go_module_path("modulex a\n"), None);
    }

    #[test]
    fn base_names() {
        assert_eq!(base_name("order-service"), "order");
        assert_eq!(base_name("order"), "order");
        assert_eq!(base_name("service"), "service");
    }

    fn write(root: &Path, path: &str, text: &str) {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }

    #[test]
    fn discovers_services_anchor_and_contracts() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "go.mod", "module example.com/shop\n");
        write(root, "api/order/v1/order.proto", "syntax = \"proto3\";\n");
        write(
            root,
            "services/order-service/go.mod",
            "module example.com/shop/order\n",
        );
        write(root, "services/order-service/main.go", "package main\n");
        write(root, "services/order-service/vendor/x/go.mod", "module x\n");
        write(
            root,
            "crates/pricing/Cargo.toml",
            "[package]\nname = \"pricing\"\n",
        );
        write(root, "crates/pricing/src/main.rs", "fn main() {}\n");
        write(
            root,
            "crates/pricing/proto/p.proto",
            "syntax = \"proto3\";\n",
        );
        write(
            root,
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\"]\n",
        );
        write(root, ".hidden/go.mod", "module hidden\n");
        let repo = Repo::open(root, RepoConfig::default()).unwrap();
        let names: Vec<_> = repo.services.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["order-service", "pricing"]);
        assert_eq!(repo.anchor.as_deref(), Some("go.mod"));
        assert_eq!(repo.services[0].contracts, ["api/order/v1/order.proto"]);
        assert_eq!(repo.services[1].contracts, ["crates/pricing/proto/p.proto"]);
        assert_eq!(
            repo.service_for("services/order-service/main.go")
                .map(|s| s.name.as_str()),
            Some("order-service")
        );
        assert!(repo.service_for("api/order/v1/order.proto").is_none());
        assert_eq!(
            repo.contract_owner("api/order/v1/order.proto")
                .map(|s| s.name.as_str()),
            Some("order-service")
        );
    }

    #[test]
    fn configured_service_directories_inside_one_module() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "go.mod", "module example.com/mono\n");
        write(root, "app/user/service/main.go", "package main\n");
        write(root, "app/shop/service/main.go", "package main\n");
        let loaded = RepoConfig {
            services: vec![crate::policy::ServiceEntry::glob("app/*/service")],
            ..RepoConfig::default()
        };
        let repo = Repo::open(root, loaded).unwrap();
        let modules: Vec<_> = repo.services.iter().map(|s| s.module.as_str()).collect();
        // Both are named `service`, so the relative path names them.
        assert_eq!(
            modules,
            [
                "example.com/mono/app/shop/service",
                "example.com/mono/app/user/service"
            ]
        );
        assert_eq!(repo.services[0].name, "app/shop/service");
    }

    #[test]
    fn gitignored_and_target_dirs_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, ".gitignore", "generated/\n");
        write(root, "generated/go.mod", "module gen\n");
        write(root, "svc/Cargo.toml", "[package]\nname = \"svc\"\n");
        write(root, "svc/src/main.rs", "fn main() {}\n");
        write(
            root,
            "svc/target/debug/build/x/Cargo.toml",
            "[package]\nname = \"x\"\n",
        );
        let repo = Repo::open(root, RepoConfig::default()).unwrap();
        let names: Vec<_> = repo.services.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["svc"]);
    }
}

#[cfg(test)]
mod model_tests {
    use super::*;

    fn write(root: &Path, files: &[(&str, &str)]) {
        for (path, text) in files {
            let full = root.join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
    }

    fn open(root: &Path) -> Repo {
        Repo::open(root, RepoConfig::default()).unwrap()
    }

    const MAIN: &str = "package main\n\nfunc main() {}\n";

    #[test]
    fn go_work_leaves_out_the_modules_it_does_not_use() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("go.work", "go 1.24\n\nuse (\n\t./app/cart\n\tcommon\n)\n"),
                ("app/cart/go.mod", "module example.com/mall/cart\n"),
                ("app/cart/main.go", MAIN),
                ("common/go.mod", "module example.com/mall/common\n"),
                ("common/log/log.go", "package log\n"),
                (
                    "tutorial/ch01/cart/go.mod",
                    "module example.com/mall/cart\n",
                ),
                ("tutorial/ch01/cart/main.go", MAIN),
                ("tutorial/README.md", "copies\n"),
            ],
        );
        let repo = open(dir.path());
        let services: Vec<_> = repo.services.iter().map(|s| s.root.as_str()).collect();
        assert_eq!(services, ["app/cart"]);
        let libraries: Vec<_> = repo.libraries.iter().map(|s| s.root.as_str()).collect();
        assert_eq!(libraries, ["common"]);
        assert_eq!(repo.skipped_modules.len(), 1);
        assert_eq!(
            repo.skipped_modules[0].manifest,
            "tutorial/ch01/cart/go.mod"
        );
        assert!(repo.skipped_modules[0].reason.contains("go.work"));
        assert!(!repo.files.iter().any(|f| f.starts_with("tutorial/ch01/")));
        assert!(repo.files.iter().any(|f| f == "tutorial/README.md"));
        assert!(repo.duplicate_modules.is_empty());
        assert_eq!(
            repo.go_modules[0].workspace.as_deref(),
            Some("go.work"),
            "{:?}",
            repo.go_modules
        );
    }

    #[test]
    fn the_nearest_go_work_decides() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("go.work", "go 1.24\nuse ./app/cart\n"),
                ("app/cart/go.mod", "module example.com/mall/cart\n"),
                ("app/cart/main.go", MAIN),
                ("tutorial/ch01/go.work", "go 1.24\nuse ./cart\n"),
                (
                    "tutorial/ch01/cart/go.mod",
                    "module example.com/mall/cart\n",
                ),
                ("tutorial/ch01/cart/main.go", MAIN),
            ],
        );
        let repo = open(dir.path());
        assert!(
            repo.skipped_modules.is_empty(),
            "{:?}",
            repo.skipped_modules
        );
        // Both are analysed, declare one path, and keep stable names: the
        // shallowest keeps the short one.
        assert_eq!(repo.duplicate_modules.len(), 1);
        assert_eq!(
            repo.duplicate_modules[0].manifests,
            ["app/cart/go.mod", "tutorial/ch01/cart/go.mod"]
        );
        let names: Vec<_> = repo.services.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["cart", "tutorial/ch01/cart"]);
    }

    #[test]
    fn imports_resolve_to_the_own_module_then_the_workspace_then_the_shallowest() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("app/cart/go.mod", "module example.com/mall/cart\n"),
                ("app/cart/main.go", MAIN),
                ("app/order/go.mod", "module example.com/mall/order\n"),
                ("app/order/main.go", MAIN),
                ("copy/cart/go.mod", "module example.com/mall/cart\n"),
                ("copy/cart/main.go", MAIN),
                ("copy/go.work", "go 1.24\nuse (\n\t./cart\n\t./order\n)\n"),
                ("copy/order/go.mod", "module example.com/mall/order\n"),
                ("copy/order/main.go", MAIN),
                ("nested/go.mod", "module example.com/mall/cart/v2\n"),
                ("nested/main.go", MAIN),
            ],
        );
        let repo = open(dir.path());
        let resolve = |from: &str, import: &str| {
            repo.resolve_go_import(from, import)
                .map(|(m, dir)| (m.dir.clone(), dir))
        };
        // The file's own module.
        assert_eq!(
            resolve("copy/cart/main.go", "example.com/mall/cart/internal/x"),
            Some(("copy/cart".into(), "copy/cart/internal/x".into()))
        );
        // Its go.work's module.
        assert_eq!(
            resolve("copy/cart/main.go", "example.com/mall/order/api"),
            Some(("copy/order".into(), "copy/order/api".into()))
        );
        // No relation: the shallowest declaration.
        assert_eq!(
            resolve("app/order/main.go", "example.com/mall/cart/repo"),
            Some(("app/cart".into(), "app/cart/repo".into()))
        );
        // The longest module path wins over the importing file's module.
        assert_eq!(
            resolve("app/cart/main.go", "example.com/mall/cart/v2/x"),
            Some(("nested".into(), "nested/x".into()))
        );
        assert_eq!(resolve("app/cart/main.go", "example.com/other"), None);
        assert_eq!(
            repo.service_of_go_import("copy/cart/main.go", "example.com/mall/cart/x")
                .map(|s| s.root.as_str()),
            Some("copy/cart")
        );
    }

    #[test]
    fn a_rust_contract_crate_serves_the_workspace_s_only_service_and_tools_are_no_services() {
        let dir = tempfile::tempdir().unwrap();
        let package = |name: &str| format!("[package]\nname = \"{name}\"\n");
        write(
            dir.path(),
            &[
                ("crates/engine/Cargo.toml", &package("engine")),
                ("crates/engine/src/main.rs", "fn main() {}\n"),
                ("crates/engine-rpc/Cargo.toml", &package("engine-rpc")),
                ("crates/engine-rpc/src/lib.rs", "\n"),
                (
                    "crates/engine-rpc/proto/controller.proto",
                    "syntax = \"proto3\";\n",
                ),
                (
                    "crates/engine-rpc/proto/tests/sample.proto",
                    "syntax = \"proto3\";\n",
                ),
                ("crates/engine-cli/Cargo.toml", &package("engine-cli")),
                ("crates/engine-cli/src/main.rs", "fn main() {}\n"),
                ("xtask/Cargo.toml", &package("xtask")),
                ("xtask/src/main.rs", "fn main() {}\n"),
                ("e2e/Cargo.toml", &package("e2e")),
                ("e2e/src/main.rs", "fn main() {}\n"),
            ],
        );
        let repo = open(dir.path());
        let services: Vec<(&str, &[String])> = repo
            .services
            .iter()
            .map(|s| (s.name.as_str(), s.contracts.as_slice()))
            .collect();
        assert_eq!(
            services,
            [(
                "engine",
                &["crates/engine-rpc/proto/controller.proto".to_string()][..]
            )]
        );
        let tools: Vec<&str> = repo
            .libraries
            .iter()
            .filter(|l| l.kind == Kind::Tool)
            .map(|l| l.root.as_str())
            .collect();
        assert_eq!(tools, ["crates/engine-cli", "e2e", "xtask"]);
    }

    #[test]
    fn modules_without_a_binary_are_libraries() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("go.mod", "module example.com/shop\n"),
                ("orders/go.mod", "module example.com/shop/orders\n"),
                (
                    "orders/cmd/orders/main.go",
                    "// Licence\n/* more */\n\npackage main // entry\n",
                ),
                ("common/go.mod", "module example.com/shop/common\n"),
                ("common/log.go", "package log\n"),
                ("common/main_test.go", "package main\n"),
                ("common/gen.go", "//go:build ignore\n\npackage main\n"),
                ("shared/Cargo.toml", "[package]\nname = \"shared\"\n"),
                ("shared/src/lib.rs", "pub fn f() {}\n"),
                (
                    "api/Cargo.toml",
                    "[package]\nname = \"api\"\n\n[[bin]]\nname = \"api\"\npath = \"src/server.rs\"\n",
                ),
                ("worker/Cargo.toml", "[package]\nname = \"worker\"\n"),
                ("worker/src/bin/worker.rs", "fn main() {}\n"),
            ],
        );
        let repo = open(dir.path());
        let kinds: Vec<_> = repo
            .services
            .iter()
            .chain(&repo.libraries)
            .map(|s| (s.root.as_str(), s.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("api", Kind::Service),
                ("orders", Kind::Service),
                ("worker", Kind::Service),
                ("common", Kind::Library),
                ("shared", Kind::Library),
            ]
        );
        assert_eq!(repo.anchor.as_deref(), Some("go.mod"));
        assert_eq!(
            repo.library_for("common/log.go").map(|l| l.name.as_str()),
            Some("common")
        );
        assert!(repo.service_for("common/log.go").is_none());
    }

    #[test]
    fn a_library_nested_in_a_service_is_not_part_of_it() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("go.mod", "module example.com/svc\n"),
                ("main.go", MAIN),
                ("pkg/util/go.mod", "module example.com/svc/pkg/util\n"),
                ("pkg/util/util.go", "package util\n"),
            ],
        );
        let repo = open(dir.path());
        assert_eq!(repo.services.len(), 1);
        assert!(repo.service_for("pkg/util/util.go").is_none());
        assert!(repo.service_for("main.go").is_some());
        assert_eq!(
            repo.service_of_go_import("main.go", "example.com/svc/pkg/util"),
            None
        );
    }

    #[test]
    fn named_service_entries_keep_their_names_and_must_match_one_directory() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("go.mod", "module example.com/mono\n"),
                ("app/user/service/cmd/server/main.go", MAIN),
                ("app/shop/interface/cmd/server/main.go", MAIN),
                ("api/user/service/v1/user.proto", "syntax = \"proto3\";\n"),
                ("api/shop/interface/v1/shop.proto", "syntax = \"proto3\";\n"),
            ],
        );
        let loaded = RepoConfig {
            services: vec![
                crate::policy::ServiceEntry::named("app/user/service", "user"),
                crate::policy::ServiceEntry::named("app/shop/interface", "shop-bff"),
            ],
            ..RepoConfig::default()
        };
        let repo = Repo::open(dir.path(), loaded).unwrap();
        let summary: Vec<_> = repo
            .services
            .iter()
            .map(|s| (s.name.as_str(), s.contracts.clone()))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "shop-bff",
                    vec!["api/shop/interface/v1/shop.proto".to_string()]
                ),
                ("user", vec!["api/user/service/v1/user.proto".to_string()]),
            ]
        );
        let mut loaded = RepoConfig {
            services: vec![crate::policy::ServiceEntry::named("app/*/service", "x")],
            ..RepoConfig::default()
        };
        assert!(Repo::open(dir.path(), loaded.clone()).is_ok());
        loaded.services = vec![crate::policy::ServiceEntry::named("app/none", "x")];
        let err = Repo::open(dir.path(), loaded).unwrap_err();
        assert!(err.message.contains("matches 0 directories"), "{err:?}");
    }

    #[test]
    fn other_languages_are_named_not_dropped() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("src/cart/go.mod", "module example.com/cart\n"),
                ("src/cart/main.go", MAIN),
                ("src/frontend/package.json", "{}\n"),
                ("src/frontend/lib/package.json", "{}\n"),
                ("src/ads/pom.xml", "<project/>\n"),
                ("src/pay/Pay.csproj", "<Project/>\n"),
                ("src/reco/pyproject.toml", "[project]\nname='r'\n"),
            ],
        );
        let repo = open(dir.path());
        let foreign: Vec<_> = repo
            .foreign
            .iter()
            .map(|p| (p.root.as_str(), p.language))
            .collect();
        assert_eq!(
            foreign,
            [
                ("src/ads", "java"),
                ("src/frontend", "javascript"),
                ("src/pay", "csharp"),
                ("src/reco", "python"),
            ]
        );
    }

    #[test]
    fn package_clauses_after_comments_and_build_tags() {
        let dir = tempfile::tempdir().unwrap();
        let check = |text: &str| {
            let path = dir.path().join("f.go");
            std::fs::write(&path, text).unwrap();
            is_main_package(&path)
        };
        assert!(check("package main\n"));
        assert!(check("// Copyright\n\n/*\n doc\n*/\npackage main\n"));
        assert!(check("/* a */ package main\n"));
        assert!(check("package main;\n"));
        assert!(check("//go:build linux\n\npackage main\n"));
        assert!(!check("//go:build ignore\n\npackage main\n"));
        assert!(!check("// +build ignore\n\npackage main\n"));
        assert!(!check("package mainly\n"));
        assert!(!check("package foo\n"));
        assert!(!check(""));
    }
}
