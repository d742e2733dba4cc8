//! `trellis new client --service OTHER`: a typed client of another service
//! of the repository, over the code generated from OTHER's contract, the way
//! arch-cross-service-import's help tells people to call a service.
//!
//! The caller's go.mod gets `require` + `replace` of OTHER's module (so
//! `go mod tidy` and builds outside a workspace work); a go.work that uses
//! the caller also gets a `use` of OTHER. The client is recorded in the
//! caller's state so that `trellis sync` re-renders its trellis-owned files
//! from OTHER's contract.

use super::apply::{self, Action, PlannedFile};
use super::limits::Limits;
use super::names;
use super::proto::{Contract, ProtoRpc};
use super::render::{self, RenderedFile};
use super::state::{self, ClientRecord, FileRecord, STATE_FILE, State};
use super::template::{self, Template};
use super::{Outcome, staging};
use crate::error::InputError;
use serde::Serialize;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Clone, Default)]
pub(crate) struct ClientOptions {
    /// `--service`: a service name, or a directory.
    pub(crate) service: String,
    /// Where the command runs (or `--in`): inside the calling service.
    pub(crate) dir: PathBuf,
    /// Where a relative `--service DIR` is read from.
    pub(crate) invoked_in: PathBuf,
    pub(crate) dry_run: bool,
    pub(crate) force: bool,
    pub(crate) no_generate: bool,
    pub(crate) limits: Limits,
}

/// `trellis new client`.
pub(crate) fn new_client(options: &ClientOptions) -> anyhow::Result<Outcome> {
    let caller = service_root(&options.dir)?;
    let _lock = staging::OutputLock::acquire(&caller)?;
    let recovered = staging::recover(&caller, options.dry_run)?;
    let previous = State::load(&caller)?;
    let limits = options.limits;
    let origin = state::origin_to_load(&previous.template.origin, &caller);
    let template = template::reload(&origin, &template::cache_root(), &limits)?;
    if template.manifest.client.is_empty() {
        return Err(InputError::new(format!(
            "{}: template `{}` has no client part; `trellis new client` writes clients into Go services",
            caller.display(),
            template.manifest.name
        ))
        .help("call the other service through the client its contract's generated code provides")
        .into());
    }
    let other = find_other(&caller, &previous, &options.service, &options.invoked_in)?;
    let rel = relative(&caller, &other.dir);
    let files = render_client(&template, &previous, &other, &rel, &limits)?;
    // The client imports the package generated from the other contract:
    // in the other service's module, or in the api root's shared one.
    let (module, module_dir) = match &other.api_root {
        Some(root) => (
            root.go_module.clone(),
            super::shared::normalized(&other.dir.join(&root.go_module_dir)),
        ),
        None => (other.module.clone(), other.dir.clone()),
    };
    let module_rel = relative(&caller, &module_dir);
    let gomod = wire_go_mod(&caller, &module, &module_rel, &limits)?;
    let gowork = wire_go_work(&caller, &module_dir, &limits)?;

    let (mut plan, conflicts) = plan_files(&caller, &files, options.force)?;
    if let Some(content) = gomod {
        plan.push(PlannedFile {
            path: "go.mod".to_string(),
            action: Action::Overwrite,
            reason: Some(format!("require {module} and replace it with {module_rel}")),
            content: content.into_bytes(),
        });
    }
    let next = recorded(&previous, &other.name, &rel, &files);
    plan.extend(super::planned_state(&previous, &next));
    let mut outcome = Outcome::new(
        "new client",
        caller.clone(),
        template.origin.describe(),
        options.dry_run,
        plan,
        recovered,
    );
    if let Some(work) = &gowork {
        outcome.files.push(PlannedFile {
            path: relative(&caller, &work.path),
            action: Action::Overwrite,
            reason: Some(format!("use {}", work.added.join(", "))),
            content: Vec::new(),
        });
    }
    if !conflicts.is_empty() {
        let refusal = InputError::new(format!(
            "{} file(s) of the client exist in {} with other content: {}",
            conflicts.len(),
            caller.display(),
            conflicts.join(", ")
        ))
        .help("nothing was written; --force overwrites them (`trellis sync` refreshes client_gen.go and client_test.go while untouched)");
        if !options.dry_run {
            return Err(refusal.into());
        }
        outcome.refused = Some(refusal);
    }
    let tidy = tidy_template(&template);
    if options.dry_run {
        if outcome.refused.is_none() {
            outcome.next = super::step_commands(&tidy, &caller, &[], false);
        }
        return Ok(outcome);
    }
    // go.work first: if it cannot be written, nothing else is.
    let work_before = gowork
        .as_ref()
        .map(|w| (w.path.clone(), w.original.clone()));
    if let Some(work) = gowork {
        write_go_work(work)?;
    }
    super::apply_inside(&caller, &outcome.files, work_before)?;
    super::run_steps(
        &tidy,
        &caller,
        options.no_generate,
        true,
        false,
        limits.step_timeout,
        &mut outcome,
    );
    Ok(outcome)
}

/// Each client file against what is on disk; those with other content are
/// conflicts (overwritten only with --force).
fn plan_files(
    caller: &Path,
    files: &[RenderedFile],
    force: bool,
) -> Result<(Vec<PlannedFile>, Vec<String>), InputError> {
    let mut plan = Vec::new();
    let mut conflicts = Vec::new();
    for file in files {
        apply::check_no_symlinks(caller, &file.path)
            .map_err(|why| InputError::new(why).help("remove the link, then run again"))?;
        let action = match std::fs::read(caller.join(&file.path)).ok() {
            Some(on_disk) if on_disk == file.content.as_bytes() => Action::Unchanged,
            Some(_) if force => Action::Overwrite,
            Some(_) => {
                conflicts.push(file.path.clone());
                Action::Conflict
            }
            None => Action::Create,
        };
        plan.push(PlannedFile {
            path: file.path.clone(),
            action,
            reason: (action == Action::Conflict)
                .then(|| "exists with other content (--force overwrites)".to_string()),
            content: file.content.clone().into_bytes(),
        });
    }
    Ok((plan, conflicts))
}

/// The caller's state with the client and its files' hashes recorded.
fn recorded(previous: &State, name: &str, rel: &str, files: &[RenderedFile]) -> State {
    let mut next = previous.clone();
    next.clients.insert(
        name.to_string(),
        ClientRecord {
            dir: rel.to_string(),
            files: files.iter().map(|f| f.path.clone()).collect(),
        },
    );
    for file in files {
        next.files.insert(
            file.path.clone(),
            FileRecord {
                owner: file.owner,
                sha256: state::hash(file.content.as_bytes()),
            },
        );
    }
    next
}

pub(crate) fn write_go_work(work: WorkEdit) -> Result<(), InputError> {
    let root = work.path.parent().unwrap_or(Path::new("."));
    let name = work
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    apply::apply(
        root,
        &[PlannedFile {
            path: name,
            action: Action::Overwrite,
            reason: None,
            content: work.content.into_bytes(),
        }],
    )
}

/// The template with only its `go mod tidy` step: the client's imports add
/// the other module's requirements to go.sum.
fn tidy_template(template: &Template) -> Template {
    let mut tidy = template.clone();
    tidy.manifest.steps.retain(|s| {
        s.run.first().is_some_and(|p| p == "go") && s.run.get(1).is_some_and(|a| a == "mod")
    });
    tidy
}

/// The service around `dir`: the nearest ancestor holding the state file.
fn service_root(dir: &Path) -> Result<PathBuf, InputError> {
    let start = std::fs::canonicalize(dir)
        .map_err(|e| InputError::new(format!("{}: {e}", dir.display())))?;
    start
        .ancestors()
        .find(|d| d.join(STATE_FILE).is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            InputError::new(format!(
                "{} is not inside a service trellis generated (no {STATE_FILE} here or above)",
                dir.display()
            ))
            .help("run `trellis new client` inside the calling service, or name it with --in SERVICE_DIR")
        })
}

/// The service a client calls, read from its state and contract.
pub(crate) struct Other {
    pub(crate) name: String,
    pub(crate) dir: PathBuf,
    pub(crate) module: String,
    pub(crate) proto_file: String,
    pub(crate) grpc_port: String,
    pub(crate) contract: Contract,
    /// Its contract's place in the api root, when it is shared.
    pub(crate) api_root: Option<super::shared::ApiRootRecord>,
}

fn find_other(
    caller: &Path,
    caller_state: &State,
    wanted: &str,
    invoked_in: &Path,
) -> Result<Other, InputError> {
    let is_path = wanted.contains('/') || wanted.starts_with('.');
    let dir = if is_path {
        let dir = invoked_in.join(wanted);
        if !dir.is_dir() {
            return Err(InputError::new(format!(
                "--service {wanted}: {} is not a directory",
                dir.display()
            ))
            .help("pass a service's name or its directory"));
        }
        if !dir.join(STATE_FILE).is_file() {
            return Err(not_generated(wanted, &dir));
        }
        std::fs::canonicalize(&dir)
            .map_err(|e| InputError::new(format!("{}: {e}", dir.display())))?
    } else {
        find_by_name(caller, wanted)?
    };
    if dir == caller || (!is_path && wanted == caller_state.identity.name) {
        return Err(InputError::new(format!(
            "--service {wanted} is {} itself; a service calls itself in process, not through a client",
            caller.display()
        ))
        .help("name another service of the repository"));
    }
    load_other(&dir, &Limits::default())
}

fn not_generated(wanted: &str, dir: &Path) -> InputError {
    InputError::new(format!(
        "--service {wanted}: {} has no {STATE_FILE}; it is not a service trellis generated",
        dir.display()
    ))
    .help("`trellis new client` reads the other service's contract and module from its state; write a client of a service trellis did not generate by hand, over its generated stubs")
}

/// Reads the other service: its state, its module and its contract.
pub(crate) fn load_other(dir: &Path, limits: &Limits) -> Result<Other, InputError> {
    let other = State::load(dir)?;
    // Without --module the variable is unset and the template used the
    // service's name: go.mod says which.
    let from_go_mod = || {
        super::limits::read_regular(&dir.join("go.mod"), 1 << 20)
            .ok()
            .and_then(|text| super::shared::module_path(&text))
    };
    let recorded = other.variables.get("module").and_then(|v| v.as_str());
    let module = match recorded.map(str::to_string).or_else(from_go_mod) {
        Some(module) if dir.join("go.mod").is_file() => module,
        _ => {
            return Err(InputError::new(format!(
                "{} is not a Go service (template `{}`, no Go module); the generated client is Go",
                dir.display(),
                other.template.name
            ))
            .help("call it through the client its contract generates in its own language"));
        }
    };
    // The other service's imports resolve as its sync resolves them: from
    // its own buf.yaml roots (buf/validate), or from the api root's.
    let shown = dir.join(&other.identity.proto_file).display().to_string();
    let contract =
        super::shared::parse(dir, &other.identity, limits.max_input_bytes, Some(&shown))?;
    if contract.services.is_empty() {
        return Err(
            InputError::new(format!("{shown} defines no service to call"))
                .in_file(&shown)
                .help("add a service to the contract, or name another service"),
        );
    }
    let grpc_port = other
        .variables
        .get("grpc_port")
        .and_then(|v| v.as_str())
        .unwrap_or("9090")
        .to_string();
    Ok(Other {
        name: other.identity.name.clone(),
        dir: dir.to_path_buf(),
        module,
        proto_file: other.identity.proto_file.clone(),
        grpc_port,
        contract,
        api_root: other.identity.api_root.clone(),
    })
}

/// The repository's top: the nearest ancestor with .git, else with go.work,
/// else the directory above the service.
fn repository_root(caller: &Path) -> PathBuf {
    let ancestors = || caller.ancestors();
    ancestors()
        .find(|d| d.join(".git").exists())
        .or_else(|| ancestors().find(|d| d.join("go.work").is_file()))
        .or_else(|| caller.parent())
        .unwrap_or(caller)
        .to_path_buf()
}

/// Services are found by their state file, a few levels below the root.
fn find_by_name(caller: &Path, wanted: &str) -> Result<PathBuf, InputError> {
    let root = repository_root(caller);
    let mut found = Vec::new();
    let mut known = Vec::new();
    let mut same_dir_name = None;
    let walk = ignore::WalkBuilder::new(&root)
        .max_depth(Some(4))
        .filter_entry(|e| {
            !matches!(
                e.file_name().to_str(),
                Some("gen" | "vendor" | "node_modules" | "target")
            )
        })
        .build();
    for entry in walk.flatten() {
        if !entry.file_type().is_some_and(|t| t.is_dir()) {
            continue;
        }
        let dir = entry.path();
        let state_file = dir.join(STATE_FILE);
        if !state_file.is_file() {
            if dir.file_name().and_then(|n| n.to_str()) == Some(wanted) {
                same_dir_name = Some(dir.to_path_buf());
            }
            continue;
        }
        let Ok(state) = State::load(dir) else {
            continue;
        };
        if state.identity.name == wanted {
            found.push(dir.to_path_buf());
        } else {
            known.push(state.identity.name);
        }
    }
    match found.len() {
        1 => std::fs::canonicalize(&found[0])
            .map_err(|e| InputError::new(format!("{}: {e}", found[0].display()))),
        0 => {
            match same_dir_name {
                Some(dir) => Err(not_generated(wanted, &dir)),
                None => {
                    known.sort();
                    known.dedup();
                    Err(InputError::new(format!(
                    "no service named `{wanted}` under {} (services trellis generated there: {})",
                    root.display(),
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ))
                .help("pass one of those names, or the other service's directory (--service ../path)"))
                }
            }
        }
        _ => Err(InputError::new(format!(
            "{} services are named `{wanted}`: {}",
            found.len(),
            found
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .help("pass the directory of the one to call (--service ../path)")),
    }
}

/// `to` relative to `from`, with `/` separators (both absolute, canonical).
pub(crate) fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

#[derive(Debug, Serialize)]
struct ClientCtx {
    name: String,
    package: String,
    go_name: String,
    proto_file: String,
    grpc_port: String,
    pb: String,
    pb_import: String,
    services: Vec<ClientService>,
    idempotent: Vec<[String; 2]>,
    test: ClientTest,
}

#[derive(Debug, Serialize)]
struct ClientService {
    go_name: String,
    /// Spaces after the name that line the services up as gofmt does.
    pad: String,
}

#[derive(Debug, Serialize)]
struct ClientTest {
    /// A unary RPC to prove the default deadline with.
    deadline: Option<TestRpc>,
    /// A unary idempotent RPC: retried on UNAVAILABLE.
    retry: Option<TestRpc>,
    /// A unary RPC with side effects: tried once.
    once: Option<TestRpc>,
    /// Import lines for the request types the tests build.
    imports: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
struct TestRpc {
    service: String,
    go_name: String,
    path: String,
    request: String,
}

/// The Go package of a client: the other service's name, as one word.
fn package_name(service: &str) -> String {
    let word: String = service
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    match word.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => word,
        _ => format!("svc{word}"),
    }
}

fn client_context(other: &Other, rel_dir: &str) -> ClientCtx {
    let (pb_import, pb) = match &other.api_root {
        Some(root) => (
            root.go_package.clone(),
            render::go_package(&other.module, &other.contract.package).1,
        ),
        None => render::go_package(&other.module, &other.contract.package),
    };
    let mut idempotent = Vec::new();
    let mut test = ClientTest {
        deadline: None,
        retry: None,
        once: None,
        imports: Vec::new(),
    };
    let mut imports = std::collections::BTreeSet::new();
    for service in &other.contract.services {
        let go_service = names::go_camel_case(&service.name);
        for rpc in &service.rpcs {
            if rpc.idempotent {
                idempotent.push([service.full_name.clone(), rpc.name.clone()]);
            }
            if rpc.client_streaming || rpc.server_streaming {
                continue;
            }
            let make = |rpc: &ProtoRpc| TestRpc {
                service: go_service.clone(),
                go_name: names::go_camel_case(&rpc.name),
                path: format!("/{}/{}", service.full_name, rpc.name),
                request: format!("&{}{{}}", render::go_type(&rpc.input, &pb)),
            };
            let slot = if rpc.idempotent {
                &mut test.retry
            } else {
                &mut test.once
            };
            for slot in [slot, &mut test.deadline] {
                if slot.is_none() {
                    *slot = Some(make(rpc));
                    match &rpc.input.go_import {
                        Some((alias, path)) if alias != "emptypb" => {
                            imports.insert(format!("{alias} \"{path}\""));
                        }
                        Some(_) => {}
                        None => {
                            imports.insert(format!("{pb} \"{pb_import}\""));
                        }
                    }
                }
            }
        }
    }
    test.imports = imports.into_iter().collect();
    ClientCtx {
        name: other.name.clone(),
        package: package_name(&other.name),
        go_name: names::go_camel_case(&other.name),
        proto_file: super::shared::clean_relative(&format!("{rel_dir}/{}", other.proto_file)),
        grpc_port: other.grpc_port.clone(),
        services: aligned(
            other
                .contract
                .services
                .iter()
                .map(|s| names::go_camel_case(&s.name)),
        ),
        pb,
        pb_import,
        idempotent,
        test,
    }
}

fn aligned(names: impl Iterator<Item = String>) -> Vec<ClientService> {
    let names: Vec<String> = names.collect();
    let width = names.iter().map(String::len).max().unwrap_or(0);
    names
        .into_iter()
        .map(|go_name| ClientService {
            pad: " ".repeat(width - go_name.len()),
            go_name,
        })
        .collect()
}

/// The client's files, rendered with the caller's names and variables and
/// `client` for the other service.
pub(crate) fn render_client(
    template: &Template,
    caller: &State,
    other: &Other,
    rel_dir: &str,
    limits: &Limits,
) -> Result<Vec<RenderedFile>, InputError> {
    let mut ctx = render::base_context(&caller.identity, &template.versions);
    for (key, value) in &caller.variables {
        ctx.insert(key.clone(), value);
    }
    ctx.insert("client", &client_context(other, rel_dir));
    let files = render::render_parts(
        template,
        &template.manifest.client,
        &ctx,
        limits.max_output_bytes,
    )?;
    for file in &files {
        let a_client_file = caller
            .clients
            .values()
            .any(|c| c.files.contains(&file.path));
        if file.path == STATE_FILE || (caller.files.contains_key(&file.path) && !a_client_file) {
            return Err(InputError::new(format!(
                "template `{}`: the client part `{}` is a file the service template writes",
                template.manifest.name, file.path
            ))
            .help("give client parts destinations of their own (internal/clients/...)"));
        }
    }
    Ok(files)
}

/// go.mod with `require MODULE` and `replace MODULE => REL` added, or None
/// when both are there already. A require without a local replace is a
/// published module: refused, trellis wires local modules only.
fn wire_go_mod(
    caller: &Path,
    module: &str,
    rel: &str,
    limits: &Limits,
) -> Result<Option<String>, InputError> {
    let path = caller.join("go.mod");
    let shown = path.display().to_string();
    let text = super::limits::read_input(&path, &shown, limits.max_input_bytes)?;
    wire_go_mod_text(
        &text,
        &shown,
        module,
        rel,
        "Called through internal/clients (trellis new client).",
    )
}

/// [`wire_go_mod`] on go.mod's text (`shown` names it in errors); `why`
/// is the comment above the added lines.
pub(crate) fn wire_go_mod_text(
    text: &str,
    shown: &str,
    module: &str,
    rel: &str,
    why: &str,
) -> Result<Option<String>, InputError> {
    let mentions = |directive: &str| {
        text.lines().enumerate().find(|(_, line)| {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                [d, m, ..] if *d == directive => *m == module,
                [m, ..] => *m == module && in_block(text, line, directive),
                [] => false,
            }
        })
    };
    let required = mentions("require");
    let replaced = mentions("replace");
    match (required, replaced) {
        (Some(_), Some(_)) => Ok(None),
        (Some((line, _)), None) => Err(InputError::new(format!(
            "{shown}:{}: requires {module} without a replace: a published version, not the service in {rel}",
            line + 1
        ))
        .in_file(shown)
        .help(format!("trellis wires local modules only: remove that require (the client then uses {rel}), or write the client by hand against the published module"))),
        (None, Some((line, _))) => Err(InputError::new(format!(
            "{shown}:{}: replaces {module} but does not require it",
            line + 1
        ))
        .in_file(shown)
        .help(format!("remove the replace, or add `require {module} v0.0.0-00010101000000-000000000000`"))),
        (None, None) => {
            let mut text = text.to_string();
            if !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&format!(
                "\n// {why}\nrequire {module} v0.0.0-00010101000000-000000000000\n\nreplace {module} => {rel}\n"
            ));
            Ok(Some(text))
        }
    }
}

/// Whether `line` sits inside a `directive (` ... `)` block of `text`.
fn in_block(text: &str, line: &str, directive: &str) -> bool {
    let mut inside = false;
    for l in text.lines() {
        let trimmed = l.trim();
        if trimmed.starts_with(directive) && trimmed.ends_with('(') {
            inside = true;
        } else if trimmed == ")" {
            inside = false;
        } else if std::ptr::eq(l, line) {
            return inside;
        }
    }
    false
}

pub(crate) struct WorkEdit {
    pub(crate) path: PathBuf,
    pub(crate) content: String,
    /// The `use` lines added, as they read (`./payment`).
    pub(crate) added: Vec<String>,
    /// The go.work before the edit.
    pub(crate) original: String,
    /// What else changed (`go 1.23.0 -> 1.26.0, ...`), when anything did.
    pub(crate) raised: Option<String>,
}

/// A go.work above the caller: it must use the caller (else the caller does
/// not build in it today, and trellis will not guess); the other service is
/// added when missing.
fn wire_go_work(
    caller: &Path,
    other: &Path,
    limits: &Limits,
) -> Result<Option<WorkEdit>, InputError> {
    wire_workspace(caller, true, &[other.to_path_buf()], limits)
}

/// The go.work above `service` with a `use` of each of `add` it lacks; None
/// without a go.work or when it has them all. With `must_use_service` a
/// go.work that does not use `service` is refused; `new` passes `service`
/// in `add` instead, as a new service joins its workspace. All paths
/// absolute and canonical (`service` may not exist yet).
pub(crate) fn wire_workspace(
    service: &Path,
    must_use_service: bool,
    add: &[PathBuf],
    limits: &Limits,
) -> Result<Option<WorkEdit>, InputError> {
    let Some(path) = service
        .ancestors()
        .map(|d| d.join("go.work"))
        .find(|p| p.is_file())
    else {
        return Ok(None);
    };
    let root = path.parent().unwrap_or(Path::new("/"));
    let shown = path.display().to_string();
    let text = super::limits::read_input(&path, &shown, limits.max_input_bytes)?;
    let used: Vec<PathBuf> = work_uses(&text)
        .iter()
        .filter_map(|u| std::fs::canonicalize(root.join(u)).ok())
        .collect();
    if must_use_service && !used.iter().any(|u| u == service) {
        return Err(InputError::new(format!(
            "{shown} does not use {}, so the service does not build in that workspace",
            service.display()
        ))
        .in_file(&shown)
        .help(format!(
            "add it first (`go work use {}`), then run `trellis new client` again",
            relative(root, service)
        )));
    }
    let mut added = Vec::new();
    for dir in add {
        if !dir.starts_with(root) {
            return Err(InputError::new(format!(
                "{} is outside the workspace of {shown}",
                dir.display()
            ))
            .in_file(&shown)
            .help("move the service into the workspace, or call a service inside it"));
        }
        if !used.iter().any(|u| u == dir) {
            added.push(format!("./{}", relative(root, dir)));
        }
    }
    if added.is_empty() {
        return Ok(None);
    }
    let mut content = text.clone();
    if !content.ends_with('\n') {
        content.push('\n');
    }
    content.push('\n');
    for line in &added {
        content.push_str(&format!("use {line}\n"));
    }
    Ok(Some(WorkEdit {
        path,
        content,
        added,
        original: text,
        raised: None,
    }))
}

/// The directories a go.work `use`s, single or in blocks.
fn work_uses(text: &str) -> Vec<String> {
    let mut uses = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let line = line.split("//").next().unwrap_or("").trim();
        if inside {
            if line == ")" {
                inside = false;
            } else if !line.is_empty() {
                uses.push(line.trim_matches('"').to_string());
            }
        } else if line == "use (" {
            inside = true;
        } else if let Some(dir) = line.strip_prefix("use ") {
            uses.push(dir.trim().trim_matches('"').to_string());
        }
    }
    uses
}

/// `sync`: the clients' files rendered again from the other services'
/// current contracts.
pub(crate) fn render_for_sync(
    template: &Template,
    dir: &Path,
    state: &State,
    limits: &Limits,
) -> Result<Vec<RenderedFile>, InputError> {
    let mut all = Vec::new();
    if template.manifest.client.is_empty() {
        return Ok(all);
    }
    for (name, record) in &state.clients {
        let other_dir = dir.join(&record.dir);
        let other = load_other(&other_dir, limits).map_err(|e| {
            InputError::new(format!(
                "the client of `{name}` follows {}: {}",
                other_dir.display(),
                e.message
            ))
            .help(format!(
                "the .trellis/scaffold.json `clients.{name}.dir` names the called service's directory; fix it if the service moved"
            ))
        })?;
        all.extend(render_client(template, state, &other, &record.dir, limits)?);
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_and_descend() {
        assert_eq!(relative(Path::new("/r/a"), Path::new("/r/b")), "../b");
        assert_eq!(
            relative(Path::new("/r/svc/a"), Path::new("/r/b/c")),
            "../../b/c"
        );
        assert_eq!(relative(Path::new("/r"), Path::new("/r/b")), "b");
    }

    #[test]
    fn go_work_uses_single_and_block_directives() {
        let text = "go 1.26\n\nuse ./a // the first\nuse (\n\t./b\n\t\"./c d\"\n)\n";
        assert_eq!(work_uses(text), ["./a", "./b", "./c d"]);
    }

    #[test]
    fn package_names_are_one_lower_case_word() {
        assert_eq!(package_name("order-history"), "orderhistory");
        assert_eq!(package_name("payment"), "payment");
    }
}
