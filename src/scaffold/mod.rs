//! `trellis new` and `trellis sync`: proto-first service scaffolding from
//! templates, with stubs added when the contract grows and nothing a person
//! wrote ever overwritten.

pub(crate) mod apply;
pub(crate) mod client;
pub(crate) mod git_source;
pub(crate) mod limits;
pub(crate) mod merge;
pub(crate) mod names;
pub(crate) mod proto;
pub(crate) mod render;
pub(crate) mod rustfmt;
pub(crate) mod shared;
pub(crate) mod staging;
pub(crate) mod state;
pub(crate) mod sync_plan;
pub(crate) mod template;
pub(crate) mod upgrade;
mod workspace;

use crate::error::InputError;
use apply::{Action, PlannedFile};
use render::{Identity, RenderInput, RenderedFile};
use state::{FileRecord, RpcRecord, STATE_FILE, State, TemplateRecord};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
pub(crate) use sync_plan::{Blocker, RemovedRpc};
use template::{Owner, Template};

#[derive(Debug, Clone, Default)]
pub(crate) struct NewOptions {
    pub(crate) name: String,
    pub(crate) module: Option<String>,
    pub(crate) proto: Option<PathBuf>,
    /// Where the contract's imports are looked up; empty: the nearest buf
    /// workspace's roots.
    pub(crate) proto_path: Vec<PathBuf>,
    pub(crate) template: Option<String>,
    pub(crate) dir: Option<PathBuf>,
    pub(crate) set: Vec<(String, String)>,
    pub(crate) dry_run: bool,
    pub(crate) force: bool,
    pub(crate) no_generate: bool,
    pub(crate) trust: bool,
    pub(crate) limits: limits::Limits,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct SyncOptions {
    pub(crate) dry_run: bool,
    /// Delete the untouched files of RPCs gone from the contract.
    pub(crate) prune: bool,
    pub(crate) no_generate: bool,
    pub(crate) trust: bool,
    pub(crate) limits: limits::Limits,
}

/// What a command did (or, with --dry-run, would do).
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Outcome {
    pub(crate) command: &'static str,
    pub(crate) directory: PathBuf,
    pub(crate) template: String,
    pub(crate) dry_run: bool,
    pub(crate) files: Vec<PlannedFile>,
    /// RPCs with a stub on disk that the contract no longer has.
    pub(crate) removed_rpcs: Vec<RemovedRpc>,
    /// Changes sync refuses because the build would break; when any is
    /// here, nothing was written (exit 1).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) blocked: Vec<Blocker>,
    /// Interrupted runs whose leftovers were undone first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) recovered: Vec<staging::Recovered>,
    pub(crate) steps: Vec<StepOutcome>,
    /// Commands the user should run next (steps that were not run).
    pub(crate) next: Vec<String>,
    /// Why the real run would write nothing (a dry run shows the plan, then
    /// exits as the real run would).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_refusal"
    )]
    pub(crate) refused: Option<InputError>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct StepOutcome {
    pub(crate) name: String,
    pub(crate) command: String,
    pub(crate) status: StepStatus,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub(crate) output: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum StepStatus {
    Ran,
    Failed,
    NotRun,
}

fn serialize_refusal<S: serde::Serializer>(
    refused: &Option<InputError>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(None)?;
    if let Some(refused) = refused {
        map.serialize_entry("message", &refused.message)?;
        if let Some(help) = &refused.help {
            map.serialize_entry("help", help)?;
        }
    }
    map.end()
}

impl Outcome {
    /// An outcome that has planned `files` and run no step yet.
    fn new(
        command: &'static str,
        directory: PathBuf,
        template: String,
        dry_run: bool,
        files: Vec<PlannedFile>,
        recovered: Vec<staging::Recovered>,
    ) -> Outcome {
        Outcome {
            command,
            directory,
            template,
            dry_run,
            files,
            removed_rpcs: Vec::new(),
            blocked: Vec::new(),
            recovered,
            steps: Vec::new(),
            next: Vec::new(),
            refused: None,
        }
    }

    pub(crate) fn changed(&self) -> bool {
        self.blocked.is_empty() && self.files.iter().any(|f| f.action.changes())
    }

    pub(crate) fn failed(&self) -> bool {
        self.steps.iter().any(|s| s.status == StepStatus::Failed)
    }
}

/// `trellis new service NAME`: the contract, the template rendered for it,
/// a plan that never overwrites other content unasked, then the files and
/// the template's steps.
pub(crate) fn new_service(options: &NewOptions, base: &Path) -> anyhow::Result<Outcome> {
    names::validate_service_name(&options.name)?;
    let cache = template::cache_root();
    let template = template::resolve(options.template.as_deref(), &cache, &options.limits)?;
    let out = output_dir(options, base)?;
    let workspace = workspace::Workspace::find(&out, &options.limits)?;
    let (options, module_note) = with_implied_module(options, &template, &workspace);
    let options = &options;
    let scratch = tempfile::tempdir().map_err(|e| {
        InputError::new(format!(
            "cannot create a temporary directory in {}: {e}",
            std::env::temp_dir().display()
        ))
        .help("set TMPDIR to a writable directory with free space")
    })?;
    let files = {
        let (template, options) = (template.clone(), options.clone());
        let scratch = scratch.path().to_path_buf();
        let out = out.clone();
        limits::within(
            options.limits.render_timeout,
            &format!("rendering template `{}`", template.manifest.name),
            move || -> anyhow::Result<(Vec<RenderedFile>, shared::Outside)> {
                let contract = new_contract(&template, &options, &scratch, &out)?;
                render_new_service(&template, &options, contract, &out)
            },
        )??
    };
    let (files, mut outside) = files;
    // Held from planning to the last write, so a concurrent run cannot
    // change what this one planned against.
    let _lock = staging::OutputLock::acquire(&out)?;
    let recovered = staging::recover(&out, options.dry_run)?;
    let (mut plan, conflicts) = plan_new_files(&out, files, options.force, &recovered)?;
    join_workspace(&mut outside, &out, &plan, &options.limits)?;
    plan.extend(outside.planned());
    if let Some(gomod) = plan.iter_mut().find(|f| f.path == "go.mod") {
        gomod.reason = gomod.reason.take().or(module_note);
    }
    let mut outcome = Outcome::new(
        "new",
        out.clone(),
        template.origin.describe(),
        options.dry_run,
        plan,
        recovered,
    );
    if !conflicts.is_empty() {
        let mut refusal = conflicts_error(&conflicts, &out);
        if let Some(note) = recovery_note(&outcome.recovered, options.dry_run) {
            refusal.message = format!("{}; {note}", refusal.message);
        }
        if !options.dry_run {
            return Err(refusal.into());
        }
        // The plan is shown, and the exit code is the real run's.
        outcome.refused = Some(refusal);
    }
    let template = match &outside.identity {
        Some(identity) => shared::with_generation(&template, identity, &out),
        None => template,
    };
    if options.dry_run {
        if outcome.refused.is_none() {
            outcome.next = step_commands(&template, &out, &outcome.files, false);
        }
        return Ok(outcome);
    }
    // The api root's files and go.work first: if they cannot be written,
    // the service is not either; if the service cannot be, go.work is put
    // back.
    let work_before = outside.work_before();
    outside.write()?;
    apply_inside(&out, &outcome.files, work_before)?;
    run_steps(
        &template,
        &out,
        options.no_generate,
        options.trust,
        false,
        options.limits.step_timeout,
        &mut outcome,
    );
    Ok(outcome)
}

/// The options with `--module` taken from the repository's layout when the
/// user gave none and the template has a `module` variable: a service in a
/// workspace of `example.com/shop/app/cart` modules becomes
/// `example.com/shop/app/ledger`, not `ledger`.
fn with_implied_module(
    options: &NewOptions,
    template: &Template,
    workspace: &workspace::Workspace,
) -> (NewOptions, Option<String>) {
    let mut options = options.clone();
    let given = options.module.is_some() || options.set.iter().any(|(k, _)| k == "module");
    let has_module = template
        .manifest
        .variables
        .iter()
        .any(|v| v.name == "module");
    if given || !has_module {
        return (options, None);
    }
    let Some((module, why)) = workspace.implied_module(&options.limits) else {
        return (options, None);
    };
    let note = format!("module {module}, from {why}; --module sets another");
    options.module = Some(module);
    (options, Some(note))
}

/// The planned files inside the service (those outside it, `../go.work`,
/// are written first by their owners); when these cannot be written, the
/// go.work edited before is put back, so the run leaves nothing behind.
pub(crate) fn apply_inside(
    dir: &Path,
    files: &[PlannedFile],
    work_before: Option<(PathBuf, String)>,
) -> Result<(), InputError> {
    let inside: Vec<PlannedFile> = files
        .iter()
        .filter(|f| !f.path.starts_with(".."))
        .cloned()
        .collect();
    let Err(error) = apply::apply(dir, &inside) else {
        return Ok(());
    };
    if let Some((path, text)) = work_before {
        crate::fsutil::write_atomic(&path, text.as_bytes()).map_err(|e| {
            InputError::new(format!("cannot restore {}: {e}", path.display()))
                .help("put back the `use` line trellis added by hand")
        })?;
    }
    Err(error)
}

/// A new Go service joins the go.work above it (a service with a shared
/// contract was given its `use` lines with the api root's module already),
/// and the go.work's `go` line is raised to the service's, as `go work use`
/// does: the go command refuses a workspace older than one of its modules.
fn join_workspace(
    outside: &mut shared::Outside,
    out: &Path,
    plan: &[PlannedFile],
    limits: &limits::Limits,
) -> Result<(), InputError> {
    let Some(gomod) = plan.iter().find(|f| f.path == "go.mod") else {
        return Ok(());
    };
    if outside.identity.is_none() {
        let service = state::canonical_even_if_missing(out).unwrap_or_else(|| out.to_path_buf());
        outside.work =
            client::wire_workspace(&service, false, std::slice::from_ref(&service), limits)?;
        outside.service = service;
    }
    let go = workspace::go_line(&String::from_utf8_lossy(&gomod.content));
    if let (Some(work), Some(go)) = (outside.work.as_mut(), go) {
        workspace::raise_go_line(work, &go);
    }
    Ok(())
}

/// `--dir`, or a directory named after the service. A symbolic link there,
/// even one pointing at a directory, is refused: trellis writes through no
/// links, and a dangling one would be replaced.
fn output_dir(options: &NewOptions, base: &Path) -> Result<PathBuf, InputError> {
    let out = options
        .dir
        .clone()
        .unwrap_or_else(|| base.join(&options.name));
    let meta = std::fs::symlink_metadata(&out);
    if meta.as_ref().is_ok_and(|m| m.file_type().is_symlink()) {
        let points_to = std::fs::read_link(&out)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        return Err(InputError::new(format!(
            "{} is a symbolic link (to `{points_to}`); trellis does not write through links",
            out.display()
        ))
        .help("pass the directory itself with --dir, or remove the link"));
    }
    if meta.is_ok_and(|m| !m.is_dir()) {
        return Err(InputError::new(format!(
            "--dir {}: exists and is not a directory",
            out.display()
        ))
        .help("pass a new or existing directory"));
    }
    Ok(out)
}

/// The contract a new service is generated from.
struct NewContract {
    text: String,
    /// Where it goes in the service (or, in the api root, where it is).
    proto_file: String,
    parsed: proto::Contract,
    /// Rendered from the template's starter, not given with --proto.
    starter: bool,
    /// In the repository's api root: not copied, generated there.
    shared: Option<(shared::ApiRootRecord, shared::GoGeneration)>,
}

fn new_contract(
    template: &Template,
    options: &NewOptions,
    scratch: &Path,
    out: &Path,
) -> anyhow::Result<NewContract> {
    match &options.proto {
        Some(path) => given_contract(path, options, template, out),
        None => starter_contract(template, options, scratch),
    }
}

/// `--proto FILE`: in an api root of the service's repository it stays
/// there (shared.rs); elsewhere it is placed under `api/` by its package.
fn given_contract(
    path: &Path,
    options: &NewOptions,
    template: &Template,
    out: &Path,
) -> anyhow::Result<NewContract> {
    let (service, max_bytes) = (&options.name, options.limits.max_input_bytes);
    let shown = path.display().to_string();
    let (located, outside_root) = shared::locate(path, out);
    let roots = match (&located, options.proto_path.is_empty()) {
        (_, false) => options.proto_path.clone(),
        (Some(located), true) => located.roots.clone(),
        (None, true) => proto::nearest_buf_roots(path),
    };
    if let Some(located) = located {
        return shared_contract(located, options, template, out, &roots, &shown);
    }
    let parsed = proto::parse_file(path, &shown, &roots, max_bytes)?;
    let text = limits::read_input(path, &shown, max_bytes)?;
    if let Some(root) = outside_root {
        refuse_outside_repository(&root, &roots, &parsed, template, &shown, out)?;
    }
    let base_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| format!("{service}.proto"));
    let dir = if parsed.package.is_empty() {
        "api".to_string()
    } else {
        format!("api/{}", parsed.package.replace('.', "/"))
    };
    Ok(NewContract {
        text,
        proto_file: format!("{dir}/{base_name}"),
        parsed,
        starter: false,
        shared: None,
    })
}

/// A contract in the api root: its imports must be generated there too,
/// and the api root's Go generation tells where its package is.
fn shared_contract(
    located: shared::Located,
    options: &NewOptions,
    template: &Template,
    out: &Path,
    roots: &[PathBuf],
    shown: &str,
) -> anyhow::Result<NewContract> {
    if template.manifest.language != template::Language::Go {
        return Err(InputError::new(format!(
            "{shown} is in the api root {}, whose contracts are generated once into a Go module; template `{}` is not a Go template",
            located.dir.display(),
            template.manifest.name
        ))
        .in_file(shown)
        .help("generate a Go service from it, or pass a copy of the contract from outside the api root (a self-contained one is copied into the service)")
        .into());
    }
    let variables = variables_for(
        template,
        options,
        &Identity::new(&options.name, String::new(), false),
    )?;
    let text_of = |name: &str| variables.get(name).and_then(|v| v.as_str());
    let module = text_of("module").unwrap_or(&options.name);
    let go_version = text_of("go_version").unwrap_or("1.26.0");
    let generation = shared::go_generation(&located, module, out, go_version, &template.versions)?;
    let record = shared::record(&located, &generation, out);
    let max_bytes = options.limits.max_input_bytes;
    let parsed =
        proto::parse_in_api_root(&located.file, shown, roots, max_bytes, &record.go_prefix)?;
    shared::check_imports(&located, shown, &parsed.imports, template)?;
    let text = limits::read_input(&located.file, shown, max_bytes)?;
    Ok(NewContract {
        text,
        proto_file: format!("{}/{}", record.dir, record.file),
        parsed,
        starter: false,
        shared: Some((record, generation)),
    })
}

/// A contract in an api root outside the service's repository may not
/// import other contracts of that root: they would be generated twice, or
/// not at all.
fn refuse_outside_repository(
    root: &Path,
    roots: &[PathBuf],
    parsed: &proto::Contract,
    template: &Template,
    shown: &str,
    out: &Path,
) -> Result<(), InputError> {
    let others: Vec<String> = shared::imports_in(roots, &parsed.imports)
        .into_iter()
        .filter(|i| !template.manifest.proto_imports.iter().any(|p| &p.path == i))
        .collect();
    let Some(first) = others.first() else {
        return Ok(());
    };
    Err(InputError::new(format!(
        "{shown} imports `{first}` from the api root {}, which is outside the repository of {} (no .git or go.work above both)",
        root.display(),
        out.display()
    ))
    .in_file(shown)
    .help(format!(
        "generate the service inside the repository that holds {} (--dir), so that its contracts are generated once for every service; or move what the contract uses from `{first}` into the contract",
        root.display()
    )))
}

/// The template's starter contract, rendered for the service and parsed
/// from a scratch file.
fn starter_contract(
    template: &Template,
    options: &NewOptions,
    scratch: &Path,
) -> anyhow::Result<NewContract> {
    let snake = options.name.replace('-', "_");
    let proto_file = format!("api/{snake}/v1/{snake}.proto");
    let identity = Identity::new(&options.name, proto_file.clone(), true);
    let variables = variables_for(template, options, &identity)?;
    let text = render::render_starter(
        template,
        &identity,
        &variables,
        options.limits.max_output_bytes,
    )?
    .ok_or_else(|| {
        InputError::new(format!(
            "template `{}` has no starter contract",
            template.manifest.name
        ))
        .help("pass the contract with --proto FILE")
    })?;
    let path = scratch.join(format!("{snake}.proto"));
    std::fs::write(&path, &text).map_err(|e| {
        InputError::new(format!("cannot write {}: {e}", path.display()))
            .help("check free space in the temporary directory (TMPDIR)")
    })?;
    let parsed = proto::parse_file(&path, &proto_file, &[], options.limits.max_input_bytes)?;
    Ok(NewContract {
        text,
        proto_file,
        parsed,
        starter: true,
        shared: None,
    })
}

/// Every file of the new service: the contract, the template's files and
/// the state file that `trellis sync` reads.
fn render_new_service(
    template: &Template,
    options: &NewOptions,
    contract: NewContract,
    out: &Path,
) -> anyhow::Result<(Vec<RenderedFile>, shared::Outside)> {
    let mut identity = Identity::new(&options.name, contract.proto_file.clone(), contract.starter);
    let (record, generation) = contract.shared.clone().unzip();
    identity.api_root = record;
    let variables = variables_for(template, options, &identity)?;
    let rpc_names = render::assign_rpc_names(&contract.parsed, &BTreeMap::new());
    let rendered = render::render(&RenderInput {
        template,
        identity: &identity,
        variables: &variables,
        contract: &contract.parsed,
        rpc_names: &rpc_names,
        max_output_bytes: options.limits.max_output_bytes,
    })?;
    let mut all = Vec::new();
    if identity.api_root.is_none() {
        all.push(RenderedFile {
            path: contract.proto_file.clone(),
            content: contract.text.clone(),
            owner: Owner::User,
            rpc: None,
        });
    }
    for file in rendered {
        if file.path == contract.proto_file || file.path == STATE_FILE {
            return Err(InputError::new(format!(
                "template `{}` writes `{}`, which trellis writes itself",
                template.manifest.name, file.path
            ))
            .into());
        }
        all.push(file);
    }
    let outside = match (&identity.api_root, generation) {
        (Some(_), Some(generation)) => {
            shared::Outside::plan(out, &identity, &generation, &options.limits)?
        }
        _ => shared::Outside::default(),
    };
    let state = build_state(
        template,
        identity,
        variables,
        &contract.text,
        rpc_names,
        &all,
        None,
    );
    let state = State {
        template: TemplateRecord {
            origin: state::origin_to_store(&state.template.origin, out),
            ..state.template
        },
        ..state
    };
    all.push(RenderedFile {
        path: STATE_FILE.to_string(),
        content: state.to_json(),
        owner: Owner::Trellis,
        rpc: None,
    });
    Ok((all, outside))
}

/// What writing `files` under `out` does to each, and the files that exist
/// with other content (overwritten only with --force).
fn plan_new_files(
    out: &Path,
    files: Vec<RenderedFile>,
    force: bool,
    recovered: &[staging::Recovered],
) -> Result<(Vec<PlannedFile>, Vec<String>), InputError> {
    let mut plan = Vec::new();
    let mut conflicts = Vec::new();
    for file in files {
        apply::check_no_symlinks(out, &file.path)
            .map_err(|why| InputError::new(why).help("remove the link or choose another --dir"))?;
        // A dry run plans against what the real run would see after its
        // undo of an interrupted run, so that both agree.
        let existing = staging::content_after(recovered, &file.path)
            .unwrap_or_else(|| std::fs::read(out.join(&file.path)).ok());
        let action = match existing {
            Some(existing) if existing == file.content.as_bytes() => Action::Unchanged,
            Some(_) if force => Action::Overwrite,
            Some(_) => {
                conflicts.push(file.path.clone());
                Action::Conflict
            }
            None => Action::Create,
        };
        plan.push(PlannedFile {
            path: file.path,
            action,
            reason: (action == Action::Conflict).then(|| {
                "exists with other content; the run writes nothing (--force overwrites)".to_string()
            }),
            content: file.content.into_bytes(),
        });
    }
    Ok((plan, conflicts))
}

fn conflicts_error(conflicts: &[String], out: &Path) -> InputError {
    let shown: Vec<_> = conflicts.iter().take(5).cloned().collect();
    if out.join(STATE_FILE).is_file() {
        return InputError::new(format!(
            "{} is a service trellis generated already, and {} of its file(s) differ from a fresh one: {}{}",
            out.display(),
            conflicts.len(),
            shown.join(", "),
            if conflicts.len() > 5 { ", ..." } else { "" }
        ))
        .help("nothing was written; `trellis sync` brings it up to date with its contract, --force overwrites the files, --dir chooses another directory");
    }
    InputError::new(format!(
        "{} file(s) already exist in {} with other content: {}{}",
        conflicts.len(),
        out.display(),
        shown.join(", "),
        if conflicts.len() > 5 { ", ..." } else { "" }
    ))
    .help("nothing was written; pass --force to overwrite them, --dry-run to see the plan, or --dir to choose another directory")
}

fn variables_for(
    template: &Template,
    options: &NewOptions,
    identity: &Identity,
) -> Result<BTreeMap<String, serde_json::Value>, InputError> {
    let mut given: BTreeMap<String, String> = options.set.iter().cloned().collect();
    if let Some(module) = &options.module {
        if let Some(previous) = given.get("module")
            && previous != module
        {
            return Err(InputError::new(format!(
                "--module {module} and --set module={previous} disagree"
            ))
            .help("pass the module path once"));
        }
        given.insert("module".to_string(), module.clone());
    }
    let ctx = render::base_context(identity, &template.versions);
    let values = template::resolve_variables(&template.manifest, &given, &ctx)?;
    template::check_go_version(&values, &template.versions)?;
    Ok(values)
}

/// The state file's entry in a plan, when the run changes what it records
/// (an unchanged state is not rewritten, so a no-op run writes nothing).
fn planned_state(previous: &State, next: &State) -> Option<PlannedFile> {
    (next != previous).then(|| state_entry(next))
}

/// The state file rewritten to record `state`.
fn state_entry(state: &State) -> PlannedFile {
    PlannedFile {
        path: STATE_FILE.to_string(),
        action: Action::Regenerate,
        reason: None,
        content: state.to_json().into_bytes(),
    }
}

pub(crate) fn build_state(
    template: &Template,
    identity: Identity,
    variables: BTreeMap<String, serde_json::Value>,
    contract_text: &str,
    mut rpcs: BTreeMap<String, RpcRecord>,
    written: &[RenderedFile],
    previous: Option<&State>,
) -> State {
    let mut files = previous.map(|s| s.files.clone()).unwrap_or_default();
    for file in written {
        files.insert(
            file.path.clone(),
            FileRecord {
                owner: file.owner,
                sha256: state::hash(file.content.as_bytes()),
            },
        );
        if let Some(key) = &file.rpc
            && let Some(record) = rpcs.get_mut(key)
            && !record.files.contains(&file.path)
        {
            record.files.push(file.path.clone());
        }
    }
    State {
        format: state::format_for(&identity),
        generator: format!("trellis {}", env!("CARGO_PKG_VERSION")),
        template: TemplateRecord {
            name: template.manifest.name.clone(),
            version: template.manifest.version.clone(),
            origin: template.origin.clone(),
        },
        identity,
        variables,
        contract_sha256: state::hash(contract_text.as_bytes()),
        rpcs,
        files,
        clients: previous.map(|s| s.clients.clone()).unwrap_or_default(),
    }
}

/// `trellis sync [SERVICE_DIR]`.
pub(crate) fn sync(dir: &Path, options: &SyncOptions) -> anyhow::Result<Outcome> {
    let _lock = staging::OutputLock::acquire(dir)?;
    let recovered = staging::recover(dir, options.dry_run)?;
    let previous = State::load(dir)?;
    let limits = options.limits;
    let origin = state::origin_to_load(&previous.template.origin, dir);
    let template = template::reload(&origin, &template::cache_root(), &limits)?;
    let (proto_path, shown, _) = shared::contract_source(dir, &previous.identity);
    let contract = shared::parse(dir, &previous.identity, limits.max_input_bytes, None)?;
    let contract_text = limits::read_input(&proto_path, &shown, limits.max_input_bytes)?;
    let rpc_names = render::assign_rpc_names(&contract, &previous.rpcs);
    let mut rendered = render_sync_within(&template, &previous, &contract, &rpc_names, &limits)?;
    rendered.extend(client::render_for_sync(&template, dir, &previous, &limits)?);
    let planned = sync_plan::plan(
        &sync_plan::SyncInput {
            dir,
            previous: &previous,
            contract: &contract,
            language: template.manifest.language,
            prune: options.prune,
        },
        rendered,
        rpc_names,
    )?;
    let mut plan = planned.files;
    let contract_changed = previous.contract_sha256 != state::hash(contract_text.as_bytes());
    let mut next_state = build_state(
        &template,
        previous.identity.clone(),
        previous.variables.clone(),
        &contract_text,
        planned.rpcs,
        &planned.written,
        Some(&previous),
    );
    for path in &planned.deleted {
        next_state.files.remove(path);
    }
    let next_state = State {
        template: TemplateRecord {
            origin: state::origin_to_store(&next_state.template.origin, dir),
            ..next_state.template
        },
        ..next_state
    };
    plan.extend(planned_state(&previous, &next_state));
    let mut outcome = Outcome {
        removed_rpcs: planned.removed_rpcs,
        blocked: planned.blocked,
        ..Outcome::new(
            "sync",
            dir.to_path_buf(),
            template.origin.describe(),
            options.dry_run,
            plan,
            recovered,
        )
    };
    // A blocked sync writes nothing: the service keeps building against
    // the code generated from the previous contract.
    if options.dry_run || !outcome.blocked.is_empty() {
        return Ok(outcome);
    }
    apply::apply(dir, &outcome.files)?;
    let generated_missing = template.manifest.language == template::Language::Go
        && !shared::generated_dir(dir, &previous.identity).exists();
    let template = shared::with_generation(&template, &previous.identity, dir);
    if contract_changed || generated_missing {
        run_steps(
            &template,
            dir,
            options.no_generate,
            options.trust,
            true,
            options.limits.step_timeout,
            &mut outcome,
        );
    }
    Ok(outcome)
}

/// `sync`'s rendering, under the render budget (a thread it can give up on).
fn render_sync_within(
    template: &Template,
    previous: &State,
    contract: &proto::Contract,
    rpc_names: &BTreeMap<String, RpcRecord>,
    limits: &limits::Limits,
) -> Result<Vec<RenderedFile>, InputError> {
    let variables = sync_variables(template, previous)?;
    let (template, previous, contract, rpc_names) = (
        template.clone(),
        previous.clone(),
        contract.clone(),
        rpc_names.clone(),
    );
    let max_output_bytes = limits.max_output_bytes;
    limits::within(
        limits.render_timeout,
        &format!("rendering template `{}`", template.manifest.name),
        move || {
            render::render(&RenderInput {
                template: &template,
                identity: &previous.identity,
                variables: &variables,
                contract: &contract,
                rpc_names: &rpc_names,
                max_output_bytes,
            })
        },
    )?
}

/// The variables `sync` renders with: the recorded ones, and for each one the
/// template gained after the service was generated, what the service has
/// without it. A switch is off: turning it on also changes files that are the
/// person's (server.go, go.mod), which only `trellis upgrade` merges, so sync
/// creating the switch's new files would break the build. Any other variable
/// takes its default.
fn sync_variables(
    template: &Template,
    previous: &State,
) -> Result<BTreeMap<String, serde_json::Value>, InputError> {
    let mut variables = previous.variables.clone();
    let mut added = template.manifest.clone();
    added
        .variables
        .retain(|v| !previous.variables.contains_key(&v.name));
    for variable in &added.variables {
        if variable.kind == template::VariableKind::Bool {
            variables.insert(variable.name.clone(), serde_json::Value::Bool(false));
        }
    }
    added
        .variables
        .retain(|v| v.kind != template::VariableKind::Bool);
    let builtins = render::base_context(&previous.identity, &template.versions);
    let defaults = template::resolve_variables(&added, &BTreeMap::new(), &builtins).map_err(|e| {
        InputError::new(format!(
            "template `{}` has a variable this service was generated without: {}",
            template.manifest.name, e.message
        ))
        .help("run `trellis upgrade --set NAME=VALUE` to give it a value and take the template's new version")
    })?;
    variables.extend(defaults);
    Ok(variables)
}

pub(crate) fn step_commands(
    template: &Template,
    dir: &Path,
    files: &[PlannedFile],
    sync_only: bool,
) -> Vec<String> {
    steps_to_run(template, dir, files, sync_only)
        .into_iter()
        .map(|s| {
            format!(
                "(cd {} && {})",
                shell_quote(&s.dir.as_deref().unwrap_or(dir).display().to_string()),
                s.run.join(" ")
            )
        })
        .collect()
}

/// The template's steps for this run: all, or only sync's; without those
/// whose `when` variable is false for the service. The variables are the
/// state file's the run writes (in `files`), else the recorded ones.
fn steps_to_run<'a>(
    template: &'a Template,
    dir: &Path,
    files: &[PlannedFile],
    sync_only: bool,
) -> Vec<&'a template::Step> {
    let planned_state = files
        .iter()
        .find(|f| f.path == STATE_FILE)
        .and_then(|f| serde_json::from_slice::<State>(&f.content).ok());
    let (variables, identity) = planned_state
        .or_else(|| State::load(dir).ok())
        .map(|s| (s.variables, Some(s.identity)))
        .unwrap_or_default();
    let flag = |name: &str| match name {
        "starter" => identity.as_ref().map(|i| i.starter),
        "shared_contract" => identity.as_ref().map(|i| i.api_root.is_some()),
        "own_contract" => identity.as_ref().map(|i| i.api_root.is_none()),
        _ => Some(variables.get(name) == Some(&serde_json::Value::Bool(true))),
    };
    template
        .manifest
        .steps
        .iter()
        .filter(|s| !sync_only || s.on_sync)
        .filter(|s| {
            s.when
                .as_ref()
                .is_none_or(|expr| template::when_holds(expr, flag) == Ok(true))
        })
        .collect()
}

fn shell_quote(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+=:@".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

pub(crate) fn run_steps(
    template: &Template,
    dir: &Path,
    no_generate: bool,
    trust: bool,
    sync_only: bool,
    timeout: std::time::Duration,
    outcome: &mut Outcome,
) {
    let steps = steps_to_run(template, dir, &outcome.files, sync_only);
    let allowed = !no_generate && (template.origin.trusted() || trust);
    let mut blocked = !allowed;
    for step in steps {
        let run = step.run.join(" ");
        let step_dir = step.dir.as_deref().unwrap_or(dir);
        // A step outside the service says where it ran.
        let command = match &step.dir {
            Some(other) => format!(
                "(cd {} && {run})",
                shell_quote(&other.display().to_string())
            ),
            None => run.clone(),
        };
        let available = step
            .requires
            .as_deref()
            .is_none_or(|program| crate::fsutil::on_path(program).is_some());
        if blocked || !available {
            blocked = true;
            outcome.steps.push(StepOutcome {
                name: step.name.clone(),
                command: command.clone(),
                status: StepStatus::NotRun,
                output: String::new(),
            });
            outcome.next.push(format!(
                "(cd {} && {run})",
                shell_quote(&step_dir.display().to_string())
            ));
            continue;
        }
        let mut program = std::process::Command::new(&step.run[0]);
        program.args(&step.run[1..]).current_dir(step_dir);
        let (status, output) = match crate::process::run_bounded(program, timeout) {
            Ok(done) if done.status.success() => (StepStatus::Ran, String::new()),
            Ok(done) => (
                StepStatus::Failed,
                format!("{}{}", done.stdout, done.stderr),
            ),
            Err(crate::process::RunError::TimedOut(after)) => (
                StepStatus::Failed,
                format!(
                    "did not finish in {} s (--step-timeout) and was stopped",
                    after.as_secs()
                ),
            ),
            Err(e) => (StepStatus::Failed, e.to_string()),
        };
        if status == StepStatus::Failed {
            blocked = true;
            outcome.next.push(format!(
                "(cd {} && {run})",
                shell_quote(&step_dir.display().to_string())
            ));
        }
        outcome.steps.push(StepOutcome {
            name: step.name.clone(),
            command,
            status,
            output,
        });
    }
}

/// Renders an outcome for people.
pub(crate) fn render_text(outcome: &Outcome) -> String {
    let mut text = String::new();
    let verb = if outcome.dry_run { "would " } else { "" };
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for recovered in &outcome.recovered {
        text.push_str(&format!(
            "{verb}recover an interrupted run: restore {}, remove {}, delete {}\n",
            list_or_none(&recovered.restored),
            list_or_none(&recovered.removed),
            recovered.staging.display()
        ));
    }
    let blocked = !outcome.blocked.is_empty();
    for file in &outcome.files {
        *counts.entry(file.action.to_string()).or_default() += 1;
        // A blocked run writes nothing: only what blocks it is listed.
        if file.action == Action::Unchanged || blocked {
            continue;
        }
        // Files outside the service (go.work, the api root's) read as
        // clean paths, not `svc/../go.work`.
        let path = shared::normalized(&outcome.directory.join(&file.path));
        text.push_str(&format!(
            "{:<10} {}",
            file.action.to_string(),
            path.display()
        ));
        if let Some(reason) = &file.reason {
            text.push_str(&format!("  ({reason})"));
        }
        text.push('\n');
    }
    for removed in outcome.removed_rpcs.iter().filter(|_| !blocked) {
        text.push_str(&format!(
            "removed    {} is gone from the contract; its files are still here: {} (`trellis sync --prune` deletes them while nobody has edited them)\n",
            removed.rpc,
            removed.files.join(", ")
        ));
    }
    for blocker in &outcome.blocked {
        text.push_str(&format!(
            "blocked    {}\n           {}\n           fix: {}\n",
            outcome.directory.join(&blocker.path).display(),
            blocker.reason,
            blocker.fix
        ));
    }
    for step in &outcome.steps {
        match step.status {
            StepStatus::Ran => text.push_str(&format!("ran        {}\n", step.command)),
            StepStatus::Failed => text.push_str(&format!(
                "failed     {}\n{}\n",
                step.command,
                step.output.trim_end()
            )),
            StepStatus::NotRun => {}
        }
    }
    let changes = outcome.files.iter().filter(|f| f.action.changes()).count();
    if !outcome.blocked.is_empty() {
        text.push_str(&format!(
            "{} stopped: {} change(s) would leave the build broken; {} (the service still builds from the previous contract)\n",
            outcome.command,
            outcome.blocked.len(),
            if outcome.dry_run { "the real run writes nothing" } else { "nothing was written" }
        ));
    } else if outcome.refused.is_some() {
        text.push_str(&format!(
            "{verb}{}: refused; nothing would be written (template {})\n",
            outcome.command, outcome.template
        ));
    } else if changes == 0 && outcome.removed_rpcs.is_empty() {
        text.push_str(&format!(
            "{} is up to date: no changes\n",
            outcome.directory.display()
        ));
    } else {
        let summary: Vec<String> = counts
            .iter()
            .filter(|(action, _)| action.as_str() != "unchanged")
            .map(|(action, n)| format!("{n} {action}"))
            .collect();
        text.push_str(&format!(
            "{verb}{}: {} (template {})\n",
            outcome.command,
            summary.join(", "),
            outcome.template
        ));
    }
    if let Some(refused) = &outcome.refused {
        text.push_str(&format!(
            "the real run would write nothing: {}\n",
            refused.message
        ));
    }
    if !outcome.next.is_empty() {
        text.push_str("next:\n");
        for command in &outcome.next {
            text.push_str(&format!("  {command}\n"));
        }
    }
    text
}

/// Said even when the run then stops: the undo already happened.
fn recovery_note(recovered: &[staging::Recovered], dry_run: bool) -> Option<String> {
    let first = recovered.first()?;
    let verb = if dry_run { "would undo" } else { "undid" };
    Some(format!(
        "trellis first {verb} an interrupted run (restored {}, removed {}, {} staging director{})",
        list_or_none(&first.restored),
        list_or_none(&first.removed),
        recovered.len(),
        if recovered.len() == 1 { "y" } else { "ies" }
    ))
}

fn list_or_none(paths: &[String]) -> String {
    if paths.is_empty() {
        "nothing".to_string()
    } else {
        paths.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(path: &str, content: &str) -> RenderedFile {
        RenderedFile {
            path: path.to_string(),
            content: content.to_string(),
            owner: Owner::User,
            rpc: None,
        }
    }

    #[test]
    fn a_new_service_skips_other_content_unless_forced() {
        let out = tempfile::tempdir().unwrap();
        std::fs::write(out.path().join("same.go"), "same").unwrap();
        std::fs::write(out.path().join("edited.go"), "mine").unwrap();
        let files = || {
            vec![
                rendered("same.go", "same"),
                rendered("edited.go", "theirs"),
                rendered("fresh.go", "new"),
            ]
        };
        let actions =
            |plan: &[PlannedFile]| -> Vec<Action> { plan.iter().map(|f| f.action).collect() };

        let (plan, conflicts) = plan_new_files(out.path(), files(), false, &[]).unwrap();
        assert_eq!(
            actions(&plan),
            [Action::Unchanged, Action::Conflict, Action::Create]
        );
        assert!(plan[1].reason.as_deref().unwrap().starts_with("exists"));
        assert_eq!(conflicts, ["edited.go"]);

        let (plan, conflicts) = plan_new_files(out.path(), files(), true, &[]).unwrap();
        assert_eq!(
            actions(&plan),
            [Action::Unchanged, Action::Overwrite, Action::Create]
        );
        assert!(conflicts.is_empty());
    }

    #[test]
    fn conflicts_are_listed_up_to_five() {
        let conflicts: Vec<String> = (1..=7).map(|i| format!("f{i}.go")).collect();
        let err = conflicts_error(&conflicts, Path::new("svc"));
        assert_eq!(
            err.message,
            "7 file(s) already exist in svc with other content: f1.go, f2.go, f3.go, f4.go, f5.go, ..."
        );
    }
}
