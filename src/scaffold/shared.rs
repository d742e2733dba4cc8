//! Contracts shared in the repository: `new --proto api/acme/order/v1/order.proto`
//! where the file sits in the repository's api root (a directory with a
//! buf.yaml or buf.work.yaml, inside the git work tree or go.work of the
//! service) is not copied into the service. Every contract of the api root
//! is generated once, by the api root's buf.gen.yaml, into one Go module;
//! services implement and call its packages. So no .proto file is
//! registered twice when two services' packages meet in one binary, and a
//! contract may import another of the same root.
//!
//! The api root's buf.gen.yaml and the generated module's go.mod are the
//! repository's: trellis reads them (the Go package of a file is managed
//! mode's `go_package_prefix` plus the file's directory, with protoc-gen-go's
//! `paths=source_relative`), and writes them only when they are absent.

use super::apply::{Action, PlannedFile};
use super::client;
use super::limits;
use super::render::{Identity, RenderedFile};
use super::template::{Step, Template};
use crate::error::InputError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// How a service's state names its contract in the api root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ApiRootRecord {
    /// The api root (the directory of its buf.yaml or buf.work.yaml),
    /// relative to the service directory (`../api`).
    pub(crate) dir: String,
    /// The contract, relative to `dir`.
    pub(crate) file: String,
    /// The Go package its code is generated into, and the api root's
    /// go_package_prefix (the other contracts' packages are under it).
    pub(crate) go_package: String,
    pub(crate) go_prefix: String,
    /// The Go module holding that package, and its directory relative to the
    /// service directory: what the service's go.mod requires and replaces.
    pub(crate) go_module: String,
    pub(crate) go_module_dir: String,
}

/// A contract found inside an api root of the service's repository.
#[derive(Debug, Clone)]
pub(crate) struct Located {
    /// The api root: where buf.yaml (or buf.work.yaml) and buf.gen.yaml are.
    pub(crate) dir: PathBuf,
    /// Its module roots, where imports resolve.
    pub(crate) roots: Vec<PathBuf>,
    /// The contract, canonical.
    pub(crate) file: PathBuf,
    /// The top of the repository: its git work tree, else its go.work.
    pub(crate) repository: PathBuf,
}

/// The nearest directory above `file` with a buf configuration.
pub(crate) fn nearest_buf_dir(file: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    start
        .ancestors()
        .skip(1)
        .find(|dir| dir.join("buf.yaml").is_file() || dir.join("buf.work.yaml").is_file())
        .map(Path::to_path_buf)
}

/// The repository a (maybe not yet created) service directory belongs to:
/// the nearest ancestor with .git, else with go.work.
pub(crate) fn repository_of(service_dir: &Path) -> Option<PathBuf> {
    let service = super::state::canonical_even_if_missing(service_dir)?;
    let found = service
        .ancestors()
        .find(|d| d.join(".git").exists())
        .or_else(|| service.ancestors().find(|d| d.join("go.work").is_file()))?;
    Some(found.to_path_buf())
}

/// Where `contract` sits: in an api root of the repository of `service_dir`
/// (shared), or elsewhere (None: the contract is copied into the service).
/// The second value names the api root outside the repository, when the
/// contract is in one: its imports of other contracts then cannot be had.
pub(crate) fn locate(contract: &Path, service_dir: &Path) -> (Option<Located>, Option<PathBuf>) {
    let Some(dir) = nearest_buf_dir(contract) else {
        return (None, None);
    };
    let (Ok(file), Ok(dir)) = (std::fs::canonicalize(contract), std::fs::canonicalize(&dir)) else {
        return (None, None);
    };
    let roots: Vec<PathBuf> = super::proto::buf_roots(&dir)
        .iter()
        .filter_map(|r| std::fs::canonicalize(r).ok())
        .collect();
    if !roots.iter().any(|r| file.starts_with(r)) {
        return (None, None);
    }
    match repository_of(service_dir) {
        Some(repository) if dir.starts_with(&repository) => (
            Some(Located {
                dir,
                roots,
                file,
                repository,
            }),
            None,
        ),
        _ => (None, Some(dir)),
    }
}

/// The contract's imports that are other contracts of its api root; the
/// rest must be provided otherwise (see [`check_imports`]).
pub(crate) fn imports_in(roots: &[PathBuf], imports: &[String]) -> Vec<String> {
    imports
        .iter()
        .filter(|i| roots.iter().any(|r| r.join(i).is_file()))
        .cloned()
        .collect()
}

/// Each import of a shared contract must be generated with it: a contract
/// of the api root, a file the template provides, or (not found locally)
/// a dependency the api root's buf.yaml fetches. Anything else would
/// resolve for trellis (through --proto-path) but not for `buf generate`.
pub(crate) fn check_imports(
    located: &Located,
    shown: &str,
    imports: &[String],
    template: &Template,
) -> Result<(), InputError> {
    let has_deps = ["buf.yaml", "buf.work.yaml"].iter().any(|name| {
        limits::read_regular(&located.dir.join(name), 1 << 20)
            .is_ok_and(|text| text.lines().any(|l| l.trim_start().starts_with("deps:")))
    });
    for import in imports {
        let in_root = located.roots.iter().any(|r| r.join(import).is_file());
        let provided = template
            .manifest
            .proto_imports
            .iter()
            .any(|p| &p.path == import);
        if in_root || provided {
            continue;
        }
        if has_deps && !located.roots.iter().any(|r| r.join(import).exists()) {
            log::info!(
                "{shown}: `{import}` is not in the api root {}; its buf.yaml has deps, which buf resolves at generation",
                located.dir.display()
            );
            continue;
        }
        return Err(InputError::new(format!(
            "{shown} imports `{import}`, which is neither in the api root {} nor provided by template `{}`, so the api root's `buf generate` cannot build it",
            located.dir.display(),
            template.manifest.name
        ))
        .in_file(shown)
        .help(format!(
            "put `{import}` under a module of {} (a path its buf.yaml lists), or add the module that has it to its buf.yaml's deps",
            located.dir.display()
        )));
    }
    Ok(())
}

/// What generates the api root's Go code: read from its buf.gen.yaml and
/// go.mod, or the files trellis writes because they are absent.
#[derive(Debug, Clone)]
pub(crate) struct GoGeneration {
    pub(crate) prefix: String,
    pub(crate) module: String,
    pub(crate) module_dir: PathBuf,
    /// Files to create (absolute path, content): buf.gen.yaml, go.mod.
    pub(crate) writes: Vec<(PathBuf, String)>,
}

/// Reads (or plans) the api root's Go generation. `service_module` is the
/// new service's module path, `service_dir` its directory: a module path
/// trellis has to choose is the service's with its directory swapped for
/// the generated code's.
pub(crate) fn go_generation(
    located: &Located,
    service_module: &str,
    service_dir: &Path,
    go_version: &str,
    versions: &serde_json::Value,
) -> Result<GoGeneration, InputError> {
    let gen_yaml = located.dir.join("buf.gen.yaml");
    let mut writes = Vec::new();
    let (prefix, out) = if gen_yaml.exists() {
        let (prefix, out) = read_buf_gen(&gen_yaml)?;
        (Some(prefix), out)
    } else {
        (None, "gen/go".to_string())
    };
    let out_dir = located.dir.join(&out);
    let module_file = out_dir
        .ancestors()
        .take_while(|d| d.starts_with(&located.repository))
        .map(|d| d.join("go.mod"))
        .find(|p| p.is_file());
    let (module, module_dir) = match &module_file {
        Some(go_mod) => {
            let shown = go_mod.display().to_string();
            let text = limits::read_input(go_mod, &shown, 1 << 20)?;
            let module = module_path(&text).ok_or_else(|| {
                InputError::new(format!("{shown} has no `module` line"))
                    .in_file(&shown)
                    .help("fix go.mod: its first directive is `module PATH`")
            })?;
            (module, go_mod.parent().unwrap_or(&out_dir).to_path_buf())
        }
        None => {
            let module = match &prefix {
                Some(prefix) => prefix.clone(),
                None => derived_module(service_module, service_dir, &out_dir, located),
            };
            (module, out_dir.clone())
        }
    };
    let inside = crate::fsutil::relative_path(&module_dir, &out_dir).unwrap_or_default();
    let expected = crate::fsutil::join_relative(&module, &inside).replace("//", "/");
    let expected = if inside.is_empty() {
        module.clone()
    } else {
        expected
    };
    let prefix = match prefix {
        Some(prefix) if prefix != expected => {
            return Err(InputError::new(format!(
                "{}: go_package_prefix `{prefix}` is not where protoc-gen-go writes (`{out}`), which is `{expected}` in module {module} ({})",
                gen_yaml.display(),
                module_dir.join("go.mod").display()
            ))
            .in_file(gen_yaml.display().to_string())
            .help(format!(
                "set the go_package_prefix to `{expected}`, so that the generated packages build where they are written"
            )));
        }
        Some(prefix) => prefix,
        None => {
            writes.push((gen_yaml.clone(), buf_gen_yaml(&expected, &out)));
            expected
        }
    };
    if module_file.is_none() {
        writes.push((
            module_dir.join("go.mod"),
            go_mod(&module, go_version, versions),
        ));
    }
    Ok(GoGeneration {
        prefix,
        module,
        module_dir,
        writes,
    })
}

/// The module of the api root's generated code when trellis chooses it:
/// the service's module with the service's path in the repository swapped
/// for the generated code's (example.com/shop/order in order/ ->
/// example.com/shop/api/gen/go for api/gen/go), else the service module's
/// parent joined with that path, else that path alone.
fn derived_module(
    service_module: &str,
    service_dir: &Path,
    out_dir: &Path,
    located: &Located,
) -> String {
    let service = super::state::canonical_even_if_missing(service_dir).unwrap_or_default();
    let service_rel =
        crate::fsutil::relative_path(&located.repository, &service).unwrap_or_default();
    let out_rel = crate::fsutil::relative_path(&located.repository, out_dir).unwrap_or_default();
    let base = service_module
        .strip_suffix(&format!("/{service_rel}"))
        .filter(|_| !service_rel.is_empty())
        .or_else(|| service_module.rsplit_once('/').map(|(parent, _)| parent));
    match base {
        Some(base) => format!("{base}/{out_rel}"),
        None => out_rel,
    }
}

fn buf_gen_yaml(prefix: &str, out: &str) -> String {
    format!(
        "# Written by trellis: the Go code of every contract of this api root, generated\n\
         # once into the module {prefix} for all services (`buf generate` here).\n\
         version: v2\n\
         managed:\n  enabled: true\n  override:\n    - file_option: go_package_prefix\n      value: {prefix}\n\
         \x20 # buf/validate/validate.proto keeps its go_package: its Go code is the\n\
         \x20 # module buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go.\n\
         \x20 disable:\n    - file_option: go_package\n      path: buf/validate\n\
         plugins:\n  - local: protoc-gen-go\n    out: {out}\n    opt: paths=source_relative\n\
         \x20 - local: protoc-gen-go-grpc\n    out: {out}\n    opt: paths=source_relative\n"
    )
}

fn go_mod(module: &str, go_version: &str, versions: &serde_json::Value) -> String {
    let pin = |name: &str| versions.get(name).and_then(|v| v.as_str()).unwrap_or("");
    format!(
        "// The Go code generated from the api root's contracts (written by trellis; `buf generate` fills it).\nmodule {module}\n\ngo {go_version}\n\nrequire (\n\tgoogle.golang.org/grpc {}\n\tgoogle.golang.org/protobuf {}\n)\n",
        pin("grpc"),
        pin("protobuf")
    )
}

/// The `module` path of a go.mod.
pub(crate) fn module_path(text: &str) -> Option<String> {
    let parsed = crate::gomod::parse_go_mod(text, crate::gomod::Mode::Lax).ok()?;
    Some(parsed.module_path().to_string()).filter(|m| !m.is_empty())
}

/// The go_package_prefix and protoc-gen-go output directory of a buf.gen.yaml
/// (v1 or v2); refused when trellis cannot tell the Go package of a file.
fn read_buf_gen(path: &Path) -> Result<(String, String), InputError> {
    let shown = path.display().to_string();
    let text = limits::read_input(path, &shown, 1 << 20)?;
    let config: serde_json::Value = serde_saphyr::from_str(&text).map_err(|e| {
        InputError::new(format!("{shown} does not parse: {e}"))
            .in_file(&shown)
            .help("fix the YAML (`buf generate` reports the same)")
    })?;
    let managed = config.get("managed");
    let prefix = managed
        .and_then(|m| m.get("override"))
        .and_then(|o| o.as_array())
        .into_iter()
        .flatten()
        .find(|o| {
            o.get("file_option").and_then(|f| f.as_str()) == Some("go_package_prefix")
                && o.get("path").is_none()
                && o.get("module").is_none()
        })
        .and_then(|o| o.get("value"))
        .or_else(|| managed.and_then(|m| m.get("go_package_prefix")?.get("default")))
        .and_then(|v| v.as_str());
    let enabled = managed
        .and_then(|m| m.get("enabled"))
        .and_then(|e| e.as_bool())
        == Some(true);
    let plugin = config
        .get("plugins")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
        .find(|p| is_protoc_gen_go(p));
    let why = match (enabled, prefix, plugin) {
        (true, Some(prefix), Some(plugin)) => {
            let opts: Vec<&str> = match plugin.get("opt") {
                Some(serde_json::Value::String(o)) => o.split(',').collect(),
                Some(serde_json::Value::Array(list)) => {
                    list.iter().filter_map(|o| o.as_str()).collect()
                }
                _ => Vec::new(),
            };
            match plugin.get("out").and_then(|o| o.as_str()) {
                Some(out) if opts.contains(&"paths=source_relative") => {
                    return Ok((prefix.trim_end_matches('/').to_string(), out.to_string()));
                }
                Some(_) => "its protoc-gen-go plugin has no `opt: paths=source_relative`",
                None => "its protoc-gen-go plugin has no `out`",
            }
        }
        (false, _, _) => "it has no managed mode (`managed: enabled: true`)",
        (_, None, _) => {
            "it has no go_package_prefix for every file (an override without `path` or `module`)"
        }
        (_, _, None) => "it runs no protoc-gen-go plugin",
    };
    Err(InputError::new(format!(
        "{shown}: trellis cannot tell the Go package of the api root's contracts: {why}"
    ))
    .in_file(&shown)
    .help("generate Go with managed mode's go_package_prefix (under `managed.override`) and protoc-gen-go with `opt: paths=source_relative`; or move buf.gen.yaml away and let trellis write one"))
}

fn is_protoc_gen_go(plugin: &serde_json::Value) -> bool {
    let named = |key: &str| plugin.get(key).and_then(|v| v.as_str()).unwrap_or("");
    // `local` may be a program and its arguments:
    // [go, tool, google.golang.org/protobuf/cmd/protoc-gen-go].
    let local = match plugin.get("local") {
        Some(serde_json::Value::Array(words)) => {
            words.last().and_then(|w| w.as_str()).unwrap_or("")
        }
        _ => named("local"),
    };
    let remote = if named("remote").is_empty() {
        named("plugin")
    } else {
        named("remote")
    };
    local == "protoc-gen-go"
        || local.ends_with("/protoc-gen-go")
        || remote.starts_with("buf.build/protocolbuffers/go")
        || named("protoc_builtin") == "go"
        || named("plugin") == "go"
        || named("name") == "go"
}

/// The record of a contract in the api root, for the service in `service_dir`.
pub(crate) fn record(
    located: &Located,
    generation: &GoGeneration,
    service_dir: &Path,
) -> ApiRootRecord {
    let service = super::state::canonical_even_if_missing(service_dir).unwrap_or_default();
    let file = crate::fsutil::relative_path(&located.dir, &located.file).unwrap_or_default();
    let root = located
        .roots
        .iter()
        .find(|r| located.file.starts_with(r))
        .unwrap_or(&located.dir);
    let import = crate::fsutil::relative_path(root, &located.file).unwrap_or_default();
    let package_dir = import.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    ApiRootRecord {
        dir: client::relative(&service, &located.dir),
        file,
        go_package: if package_dir.is_empty() {
            generation.prefix.clone()
        } else {
            format!("{}/{package_dir}", generation.prefix)
        },
        go_prefix: generation.prefix.clone(),
        go_module: generation.module.clone(),
        go_module_dir: client::relative(&service, &generation.module_dir),
    }
}

/// A service's contract, parsed where [`contract_source`] says it is;
/// `shown` names it in messages instead of its path from the service.
pub(crate) fn parse(
    dir: &Path,
    identity: &Identity,
    max_bytes: u64,
    shown: Option<&str>,
) -> Result<super::proto::Contract, InputError> {
    let (path, own_name, roots) = contract_source(dir, identity);
    let shown = shown.map(str::to_string).unwrap_or(own_name);
    match &identity.api_root {
        Some(root) => {
            super::proto::parse_in_api_root(&path, &shown, &roots, max_bytes, &root.go_prefix)
        }
        None => super::proto::parse_file(&path, &shown, &roots, max_bytes),
    }
}

/// Where a service's contract is read from: the file, its name in messages
/// and the roots its imports resolve under (the api root's for a shared
/// contract, the service's own buf.yaml's otherwise).
pub(crate) fn contract_source(dir: &Path, identity: &Identity) -> (PathBuf, String, Vec<PathBuf>) {
    let path = dir.join(&identity.proto_file);
    let roots = match &identity.api_root {
        Some(root) => super::proto::buf_roots(&dir.join(&root.dir)),
        None => super::proto::buf_roots(dir),
    };
    (path, identity.proto_file.clone(), roots)
}

/// Where the service's Go code generated from its contract is: gen/ of
/// its own, or the contract's package in the api root's module.
pub(crate) fn generated_dir(dir: &Path, identity: &Identity) -> PathBuf {
    match &identity.api_root {
        Some(root) => {
            let inside = root
                .go_package
                .strip_prefix(&root.go_module)
                .unwrap_or("")
                .trim_start_matches('/');
            dir.join(&root.go_module_dir).join(inside)
        }
        None => dir.join("gen"),
    }
}

/// The template with the api root's generation put before its own steps:
/// `buf generate` in the api root, then `go mod tidy` in the generated
/// module when it holds nothing but generated code. Both also run on sync.
pub(crate) fn with_generation(template: &Template, identity: &Identity, dir: &Path) -> Template {
    let Some(root) = &identity.api_root else {
        return template.clone();
    };
    let api_dir = normalized(&dir.join(&root.dir));
    let module_dir = normalized(&dir.join(&root.go_module_dir));
    let mut steps = vec![Step {
        name: "generate-api-root".to_string(),
        run: vec!["buf".to_string(), "generate".to_string()],
        requires: Some("buf".to_string()),
        on_sync: true,
        when: None,
        dir: Some(api_dir.clone()),
    }];
    if module_dir.starts_with(&api_dir) && module_dir != api_dir {
        steps.push(Step {
            name: "tidy-api-root".to_string(),
            run: vec!["go".to_string(), "mod".to_string(), "tidy".to_string()],
            requires: Some("go".to_string()),
            on_sync: true,
            when: None,
            dir: Some(module_dir),
        });
    }
    let mut template = template.clone();
    steps.append(&mut template.manifest.steps);
    template.manifest.steps = steps;
    template
}

/// `dir/../api` as `api`'s absolute path, without following links.
pub(crate) fn normalized(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// A relative `/`-path with `dir/..` pairs resolved, leading `..` kept:
/// `../order/../api/x.proto` -> `../api/x.proto`.
pub(crate) fn clean_relative(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// The rendered go.mod of a new service with the generated module required
/// and replaced (as `new client` wires a called service's module).
pub(crate) fn wire_service_go_mod(
    files: &mut [RenderedFile],
    record: &ApiRootRecord,
) -> Result<(), InputError> {
    if let Some(go_mod) = files.iter_mut().find(|f| f.path == "go.mod")
        && let Some(wired) = client::wire_go_mod_text(
            &go_mod.content,
            "go.mod",
            &record.go_module,
            &record.go_module_dir,
            "Generated from the api root's contracts (trellis new --proto).",
        )?
    {
        go_mod.content = wired;
    }
    Ok(())
}

/// The files outside the service that `new` writes for a shared contract,
/// as (path relative to the service, absolute path, content).
pub(crate) fn outside_writes(
    service_dir: &Path,
    generation: &GoGeneration,
) -> Vec<(String, PathBuf, String)> {
    let service = super::state::canonical_even_if_missing(service_dir).unwrap_or_default();
    generation
        .writes
        .iter()
        .map(|(path, content)| {
            (
                client::relative(&service, path),
                path.clone(),
                content.clone(),
            )
        })
        .collect()
}

/// What `new` writes outside a service with a shared contract: the api
/// root's buf.gen.yaml and generated module's go.mod when absent, and the
/// go.work above the service (it gets a `use` of the service and of the
/// generated module). Empty for a contract of the service's own.
#[derive(Default)]
pub(crate) struct Outside {
    /// The new service's identity, for the api root's generation steps.
    pub(crate) identity: Option<Identity>,
    /// The service directory, absolute, as go.work paths are compared.
    pub(crate) service: PathBuf,
    writes: Vec<(String, PathBuf, String)>,
    /// The go.work edit; a service with its own contract gets one too, made
    /// by `new` (`join_workspace`).
    pub(crate) work: Option<client::WorkEdit>,
}

impl Outside {
    pub(crate) fn plan(
        service_dir: &Path,
        identity: &Identity,
        generation: &GoGeneration,
        limits: &limits::Limits,
    ) -> Result<Outside, InputError> {
        let service = super::state::canonical_even_if_missing(service_dir).unwrap_or_default();
        let module_dir = super::state::canonical_even_if_missing(&generation.module_dir)
            .unwrap_or_else(|| generation.module_dir.clone());
        let work = client::wire_workspace(&service, false, &[service.clone(), module_dir], limits)?;
        Ok(Outside {
            identity: Some(identity.clone()),
            writes: outside_writes(service_dir, generation),
            service,
            work,
        })
    }

    /// The plan's entries, by paths relative to the service (`../api/...`).
    pub(crate) fn planned(&self) -> Vec<PlannedFile> {
        let mut planned: Vec<PlannedFile> = self
            .writes
            .iter()
            .map(|(shown, _, content)| PlannedFile {
                path: shown.clone(),
                action: Action::Create,
                reason: Some("the api root's Go generation, absent so far".to_string()),
                content: content.clone().into_bytes(),
            })
            .collect();
        if let Some(work) = &self.work {
            planned.push(PlannedFile {
                path: client::relative(&self.service, &work.path),
                action: Action::Overwrite,
                reason: Some(match &work.raised {
                    Some(raised) => format!("use {}; {raised}", work.added.join(", ")),
                    None => format!("use {}", work.added.join(", ")),
                }),
                content: work.content.clone().into_bytes(),
            });
        }
        planned
    }

    /// The go.work and its text before the edit, to put back if the
    /// service cannot be written.
    pub(crate) fn work_before(&self) -> Option<(PathBuf, String)> {
        self.work
            .as_ref()
            .map(|w| (w.path.clone(), w.original.clone()))
    }

    pub(crate) fn write(self) -> Result<(), InputError> {
        for (_, path, content) in &self.writes {
            let written = path
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| crate::fsutil::write_atomic(path, content.as_bytes()));
            written.map_err(|e| {
                InputError::new(format!("cannot write {}: {e}", path.display()))
                    .help("check the permissions of the api root")
            })?;
        }
        if let Some(work) = self.work {
            client::write_go_work(work)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_cleaned_keeping_leading_parents() {
        assert_eq!(clean_relative("../order/../api/x.proto"), "../api/x.proto");
        assert_eq!(clean_relative("./a/./b"), "a/b");
        assert_eq!(clean_relative("../../go.work"), "../../go.work");
        assert_eq!(clean_relative("a/.."), ".");
    }

    #[test]
    fn go_mod_module_lines_are_read() {
        assert_eq!(
            module_path("// gen\nmodule example.com/shop/api/gen/go\n\ngo 1.26.0\n").as_deref(),
            Some("example.com/shop/api/gen/go")
        );
        assert_eq!(module_path("modules x\n"), None);
    }

    #[test]
    fn buf_gen_yaml_v1_and_v2_give_the_prefix_and_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("buf.gen.yaml");
        std::fs::write(&path, buf_gen_yaml("example.com/shop/api/gen/go", "gen/go")).unwrap();
        assert_eq!(
            read_buf_gen(&path).unwrap(),
            (
                "example.com/shop/api/gen/go".to_string(),
                "gen/go".to_string()
            )
        );
        std::fs::write(
            &path,
            "version: v1\nmanaged:\n  enabled: true\n  go_package_prefix:\n    default: example.com/x/gen\n\
             plugins:\n  - plugin: buf.build/protocolbuffers/go\n    out: gen\n    opt:\n      - paths=source_relative\n",
        )
        .unwrap();
        assert_eq!(
            read_buf_gen(&path).unwrap(),
            ("example.com/x/gen".to_string(), "gen".to_string())
        );
        std::fs::write(
            &path,
            "version: v2\nplugins:\n  - local: protoc-gen-go\n    out: gen\n",
        )
        .unwrap();
        let err = read_buf_gen(&path).unwrap_err();
        assert!(err.message.contains("no managed mode"), "{}", err.message);
        // A plugin run as `go tool`, and a prefix for one module only.
        std::fs::write(
            &path,
            "version: v2\nmanaged:\n  enabled: true\n  override:\n    - file_option: go_package_prefix\n      value: example.com/x/api\n      module: buf.build/acme/api\n\
             plugins:\n  - local: [go, tool, google.golang.org/protobuf/cmd/protoc-gen-go]\n    out: .\n    opt: [paths=source_relative]\n",
        )
        .unwrap();
        let err = read_buf_gen(&path).unwrap_err();
        assert!(
            err.message.contains("no go_package_prefix for every file"),
            "{}",
            err.message
        );
        std::fs::write(
            &path,
            std::fs::read_to_string(&path)
                .unwrap()
                .replace("      module: buf.build/acme/api\n", ""),
        )
        .unwrap();
        assert_eq!(
            read_buf_gen(&path).unwrap(),
            ("example.com/x/api".to_string(), ".".to_string())
        );
    }
}
