//! Finding services: one walk of the tree, honouring .gitignore and the usual
//! directories nobody wants analysed.

use super::{Language, Repo, Service, relative_path};
use crate::config::{GlobList, Loaded};
use crate::error::InputError;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Directory names never walked into, wherever they are.
const SKIPPED_DIRS: &[&str] = &["vendor", "testdata", "node_modules"];

pub fn discover(root: &Path, config: Loaded) -> Result<Repo, InputError> {
    if !root.is_dir() {
        return Err(
            InputError::new(format!("{} is not a directory", root.display()))
                .help("pass an existing repository directory with -C"),
        );
    }
    let root = root.canonicalize().map_err(|e| {
        InputError::new(format!("cannot open {}: {e}", root.display()))
            .help("pass an existing repository directory with -C")
    })?;
    let cfg = &config.config;
    let config_file = config.files.last().cloned();
    let excludes = GlobList::new(&cfg.exclude).map_err(|e| glob_error(&config_file, &e))?;
    let files = walk(&root, &excludes);

    let mut go_mods = Vec::new();
    let mut cargo_tomls = Vec::new();
    for file in &files {
        match file.rsplit('/').next() {
            Some("go.mod") => go_mods.push(file.clone()),
            Some("Cargo.toml") => cargo_tomls.push(file.clone()),
            _ => {}
        }
    }

    // Module roots: every go.mod and every Cargo.toml with a [package].
    let mut modules: Vec<ModuleRoot> = Vec::new();
    for manifest in &go_mods {
        let text = std::fs::read_to_string(root.join(manifest)).unwrap_or_default();
        let module = go_module_path(&text).ok_or_else(|| {
            InputError::new("go.mod has no `module` line")
                .in_file(root.join(manifest))
                .at(1, 1)
                .with_source(text.clone())
                .help("start the file with `module example.com/your/module`")
        })?;
        modules.push(ModuleRoot {
            dir: parent_dir(manifest),
            language: Language::Go,
            module,
            manifest: manifest.clone(),
        });
    }
    for manifest in &cargo_tomls {
        let text = std::fs::read_to_string(root.join(manifest)).unwrap_or_default();
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
            continue; // a virtual workspace manifest: its members are found on their own
        };
        modules.push(ModuleRoot {
            dir: parent_dir(manifest),
            language: Language::Rust,
            module: name.to_string(),
            manifest: manifest.clone(),
        });
    }

    let mut anchor = None;
    let mut services: Vec<Service> = Vec::new();
    if cfg.services.is_empty() {
        let libraries = GlobList::new(&cfg.libraries).map_err(|e| glob_error(&config_file, &e))?;
        let nested_go = modules
            .iter()
            .any(|m| m.language == Language::Go && !m.dir.is_empty());
        for module in &modules {
            // A root go.mod above other modules is the dependency anchor the
            // seeds describe, not a service of its own.
            if module.dir.is_empty() && module.language == Language::Go && nested_go {
                anchor = Some(module.manifest.clone());
                continue;
            }
            if libraries.is_match(&module.dir) {
                continue;
            }
            services.push(Service {
                name: String::new(),
                root: module.dir.clone(),
                language: module.language,
                module: module.module.clone(),
                manifest: module.manifest.clone(),
                contracts: Vec::new(),
            });
        }
    } else {
        let list = GlobList::new(&cfg.services).map_err(|e| glob_error(&config_file, &e))?;
        let mut dirs = BTreeSet::new();
        for file in &files {
            let mut dir = parent_dir(file);
            loop {
                if list.is_match(&dir) {
                    dirs.insert(dir.clone());
                }
                if dir.is_empty() {
                    break;
                }
                dir = parent_dir(&dir);
            }
        }
        for dir in dirs {
            let Some(module) = modules
                .iter()
                .filter(|m| {
                    m.dir.is_empty() || dir == m.dir || dir.starts_with(&format!("{}/", m.dir))
                })
                .max_by_key(|m| m.dir.len())
            else {
                return Err(InputError::new(format!(
                    "service directory {dir} is not inside any go.mod or Cargo.toml module"
                ))
                .in_file(config_file.clone().unwrap_or_default())
                .help("add a go.mod or Cargo.toml, or narrow the `services` globs"));
            };
            let suffix = dir
                .strip_prefix(&module.dir)
                .unwrap_or(&dir)
                .trim_start_matches('/');
            let module_path = match (module.language, suffix.is_empty()) {
                (Language::Go, false) => format!("{}/{}", module.module, suffix),
                _ => module.module.clone(),
            };
            services.push(Service {
                name: String::new(),
                root: dir.clone(),
                language: module.language,
                module: module_path,
                manifest: module.manifest.clone(),
                contracts: Vec::new(),
            });
        }
    }

    name_services(&mut services, &root);
    assign_contracts(&mut services, &files, cfg);
    services.sort_by(|a, b| a.name.cmp(&b.name).then(a.root.cmp(&b.root)));

    let service_roots = super::ServiceRoots::new(&services);
    Ok(Repo {
        root,
        config,
        services,
        anchor,
        files,
        excludes,
        service_roots,
    })
}

struct ModuleRoot {
    dir: String,
    language: Language,
    module: String,
    manifest: String,
}

fn glob_error(file: &Option<std::path::PathBuf>, e: &globset::Error) -> InputError {
    let mut err = InputError::new(format!("invalid glob: {e}"));
    if let Some(file) = file {
        err = err.in_file(file);
    }
    err.help("fix the pattern in trellis.yaml")
}

/// Every file under `root` that is not ignored, relative and sorted.
fn walk(root: &Path, excludes: &GlobList) -> Vec<String> {
    let walker = walk_builder(root).build();
    let mut files = Vec::new();
    for entry in walker.flatten() {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Some(rel) = relative_path(root, entry.path()) else {
            continue;
        };
        if excludes.is_match(&rel) || rel == ".git" {
            continue;
        }
        files.push(rel);
    }
    files.sort();
    files
}

/// The walker every job uses: hidden entries, .gitignore'd paths, vendor/,
/// testdata/, node_modules/ and Cargo's target/ are skipped.
pub fn walk_builder(root: &Path) -> ignore::WalkBuilder {
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
    match path.rfind('/') {
        Some(i) => path[..i].to_string(),
        None => String::new(),
    }
}

fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() as u32 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
    (line, column)
}

/// The `module` directive of a go.mod file.
pub fn go_module_path(text: &str) -> Option<String> {
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
/// directory; clashes are resolved by using the relative path.
fn name_services(services: &mut [Service], root: &Path) {
    let repo_name = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "root".to_string());
    for service in services.iter_mut() {
        service.name = if service.root.is_empty() {
            repo_name.clone()
        } else {
            service
                .root
                .rsplit('/')
                .next()
                .unwrap_or(&service.root)
                .to_string()
        };
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for service in services.iter() {
        *counts.entry(service.name.clone()).or_default() += 1;
    }
    for service in services.iter_mut() {
        if counts[&service.name] > 1 && !service.root.is_empty() {
            service.name = service.root.clone();
        }
    }
}

/// Contracts under a service's own root belong to it (the deepest root wins);
/// contracts under the shared api root belong to the service whose name
/// matches a directory (`api/order/...` -> `order-service`), else the file
/// name (`api/protobuf/users.proto` -> `users`).
fn assign_contracts(services: &mut [Service], files: &[String], cfg: &crate::config::Config) {
    let api_root = cfg.contracts.root.trim_matches('/');
    for file in files.iter().filter(|f| f.ends_with(".proto")) {
        let owner = cfg
            .contracts
            .owners
            .iter()
            .filter(|(dir, _)| file.starts_with(&format!("{}/", dir.trim_end_matches('/'))))
            .max_by_key(|(dir, _)| dir.len())
            .and_then(|(_, name)| services.iter().position(|s| &s.name == name))
            .or_else(|| by_api_root(services, file, api_root))
            .or_else(|| {
                services
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.contains(file))
                    .max_by_key(|(_, s)| s.root.len())
                    .map(|(i, _)| i)
            });
        if let Some(index) = owner {
            services[index].contracts.push(file.clone());
        }
    }
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
        let repo = Repo::open(root, Loaded::defaults()).unwrap();
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
        let mut loaded = Loaded::defaults();
        loaded.config.services = vec![crate::config::Glob::new("app/*/service")];
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
        write(
            root,
            "svc/target/debug/build/x/Cargo.toml",
            "[package]\nname = \"x\"\n",
        );
        let repo = Repo::open(root, Loaded::defaults()).unwrap();
        let names: Vec<_> = repo.services.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["svc"]);
    }
}
