//! Builds the template context from the service name, the variables and the
//! contract, and renders the template into an in-memory list of files.

use super::names;
use super::proto::{Contract, MessageRef, ProtoRpc};
use super::state::RpcRecord;
use super::template::{Each, Owner, Template};
use crate::error::InputError;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One file the template produces.
#[derive(Debug, Clone)]
pub(crate) struct RenderedFile {
    pub(crate) path: String,
    pub(crate) content: String,
    pub(crate) owner: Owner,
    /// The RPC (`pkg.Service/Method`) a per-RPC file belongs to.
    pub(crate) rpc: Option<String>,
}

/// The names shared by every file, fixed by the service name and recorded in
/// the state file so that `sync` renders with the same ones.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub(crate) struct Identity {
    pub(crate) name: String,
    /// The contract, relative to the service directory.
    pub(crate) proto_file: String,
    /// True when trellis wrote the starter contract (its Get/List are implemented).
    pub(crate) starter: bool,
    pub(crate) resource: String,
    /// Set when the contract lives in the repository's api root (generated
    /// once for every service, see shared.rs) instead of the service's api/;
    /// `proto_file` then climbs out of the service (`../api/...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) api_root: Option<super::shared::ApiRootRecord>,
}

impl Identity {
    pub(crate) fn new(name: &str, proto_file: String, starter: bool) -> Identity {
        Identity {
            name: name.to_string(),
            proto_file,
            starter,
            resource: names::resource_from_service(name),
            api_root: None,
        }
    }
}

/// The built-in names available to variable defaults and the starter proto.
pub(crate) fn base_context(identity: &Identity, versions: &serde_json::Value) -> tera::Context {
    let resource = &identity.resource;
    let plural = names::plural(resource);
    let mut ctx = tera::Context::new();
    ctx.insert("name", &identity.name);
    ctx.insert("name_snake", &identity.name.replace('-', "_"));
    ctx.insert("crate_name", &identity.name.replace('-', "_"));
    ctx.insert("env_prefix", &names::env_prefix(&identity.name));
    ctx.insert("resource", resource);
    ctx.insert("resource_lower", &names::snake(resource).replace('_', " "));
    ctx.insert("resource_snake", &names::snake(resource));
    ctx.insert("resource_var", &names::go_var(resource));
    ctx.insert("resource_plural", &plural);
    ctx.insert(
        "resource_plural_lower",
        &names::snake(&plural).replace('_', " "),
    );
    ctx.insert("resource_plural_snake", &names::snake(&plural));
    ctx.insert("resource_plural_var", &names::go_var(&plural));
    ctx.insert("service_name", &format!("{resource}Service"));
    ctx.insert("proto_package", &names::proto_package(&identity.name));
    ctx.insert("proto_file", &identity.proto_file);
    ctx.insert("starter", &identity.starter);
    ctx.insert("shared_contract", &identity.api_root.is_some());
    ctx.insert("own_contract", &identity.api_root.is_none());
    ctx.insert(
        "api_module",
        &identity
            .api_root
            .as_ref()
            .map(|a| a.go_module.as_str())
            .unwrap_or(""),
    );
    ctx.insert(
        "api_dir",
        &identity
            .api_root
            .as_ref()
            .map(|a| a.dir.as_str())
            .unwrap_or("api"),
    );
    ctx.insert("versions", versions);
    ctx.insert("trellis_version", env!("CARGO_PKG_VERSION"));
    ctx
}

#[derive(Debug, Clone, Serialize)]
struct ServiceCtx {
    name: String,
    go_name: String,
    full_name: String,
    handler: String,
    dial: String,
    rust_trait: String,
    rust_server_module: String,
    rust_client_module: String,
    rpcs: Vec<RpcCtx>,
}

#[derive(Debug, Clone, Serialize)]
struct RpcCtx {
    key: String,
    name: String,
    go_name: String,
    full_name: String,
    kind: &'static str,
    role: &'static str,
    input: String,
    output: String,
    handler: String,
    dial: String,
    file: String,
    test_name: String,
    imports: Vec<String>,
    test_imports: Vec<String>,
    rust_name: String,
    rust_input: String,
    rust_output: String,
    rust_request: String,
    rust_stream: String,
    rust_service: String,
}

pub(crate) fn rpc_key(service_full_name: &str, rpc: &str) -> String {
    format!("{service_full_name}/{rpc}")
}

/// Assigns a file stem and a test name to every RPC: the recorded ones keep
/// theirs, new ones get names that collide with nothing already there.
pub(crate) fn assign_rpc_names(
    contract: &Contract,
    recorded: &BTreeMap<String, RpcRecord>,
) -> BTreeMap<String, RpcRecord> {
    let reserved = ["deps", "errors", "convert", "main", "servers_gen"];
    let mut stems: BTreeSet<String> = recorded.values().map(|r| r.stem.clone()).collect();
    let mut tests: BTreeSet<String> = recorded.values().map(|r| r.test_name.clone()).collect();
    let mut out = BTreeMap::new();
    for service in &contract.services {
        let service_go = names::go_camel_case(&service.name);
        for rpc in &service.rpcs {
            let key = rpc_key(&service.full_name, &rpc.name);
            if let Some(existing) = recorded.get(&key) {
                out.insert(key, existing.clone());
                continue;
            }
            let go_name = names::go_camel_case(&rpc.name);
            let mut stem = names::safe_go_file_stem(&names::snake(&go_name));
            if stems.contains(&stem) || reserved.contains(&stem.as_str()) {
                stem = names::safe_go_file_stem(&names::snake(&format!("{service_go}{go_name}")));
            }
            let mut unique = stem.clone();
            let mut counter = 2;
            while stems.contains(&unique) {
                unique = format!("{stem}{counter}");
                counter += 1;
            }
            let mut test_name = go_name.clone();
            if tests.contains(&test_name) {
                test_name = format!("{service_go}{go_name}");
            }
            let mut unique_test = test_name.clone();
            let mut counter = 2;
            while tests.contains(&unique_test) {
                unique_test = format!("{test_name}{counter}");
                counter += 1;
            }
            stems.insert(unique.clone());
            tests.insert(unique_test.clone());
            out.insert(
                key,
                RpcRecord {
                    stem: unique,
                    test_name: unique_test,
                    files: Vec::new(),
                    signature: Some(rpc.signature()),
                },
            );
        }
    }
    out
}

/// The Go import path and alias of the contract's generated package: in
/// the api root's shared module, or in the service's own gen/go.
pub(crate) fn contract_go_package(
    identity: &Identity,
    module: &str,
    proto_package: &str,
) -> (String, String) {
    let (own, alias) = go_package(module, proto_package);
    match &identity.api_root {
        Some(root) => (root.go_package.clone(), alias),
        None => (own, alias),
    }
}

/// The Go import path and alias of the generated package of the contract,
/// as buf's managed mode lays it out under gen/go.
pub(crate) fn go_package(module: &str, proto_package: &str) -> (String, String) {
    if proto_package.is_empty() {
        return (format!("{module}/gen/go"), "pb".to_string());
    }
    let parts: Vec<&str> = proto_package.split('.').collect();
    let tail = &parts[parts.len().saturating_sub(2)..];
    let alias: String = tail
        .concat()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    (format!("{module}/gen/go/{}", parts.join("/")), alias)
}

pub(crate) struct RenderInput<'a> {
    pub(crate) template: &'a Template,
    pub(crate) identity: &'a Identity,
    pub(crate) variables: &'a BTreeMap<String, serde_json::Value>,
    pub(crate) contract: &'a Contract,
    pub(crate) rpc_names: &'a BTreeMap<String, RpcRecord>,
    /// The most all rendered files together may hold.
    pub(crate) max_output_bytes: u64,
}

/// Each import of the contract (besides the well-known types) must be one
/// the template provides with the service's variables: anything else would
/// not build.
fn check_imports(input: &RenderInput) -> Result<(), InputError> {
    if input.identity.api_root.is_some() {
        // The api root's shared module generates the imports; shared.rs
        // checked that it has them.
        return Ok(());
    }
    let proto_file = &input.identity.proto_file;
    for import in &input.contract.imports {
        let provided = input
            .template
            .manifest
            .proto_imports
            .iter()
            .find(|p| &p.path == import);
        match provided {
            Some(p) => {
                if let Some(flag) = &p.when
                    && input.variables.get(flag) != Some(&serde_json::Value::Bool(true))
                {
                    return Err(InputError::new(format!(
                        "{proto_file} imports `{import}`, which the service gets only with {flag}=true"
                    ))
                    .in_file(proto_file)
                    .help(format!(
                        "drop `--set {flag}=false`, or remove the import and what uses it from the contract"
                    )));
                }
            }
            None => {
                let known: Vec<&str> = input
                    .template
                    .manifest
                    .proto_imports
                    .iter()
                    .map(|p| p.path.as_str())
                    .collect();
                return Err(InputError::new(format!(
                    "{proto_file} imports `{import}`; template `{}` builds a contract that imports only the well-known types{}",
                    input.template.manifest.name,
                    if known.is_empty() { String::new() } else { format!(" and {}", known.join(", ")) }
                ))
                .in_file(proto_file)
                .help("move the imported messages into this file (well-known types under google/protobuf/ are fine)"));
            }
        }
    }
    Ok(())
}

/// Renders every file of the template for this contract.
pub(crate) fn render(input: &RenderInput) -> Result<Vec<RenderedFile>, InputError> {
    let template = input.template;
    check_imports(input)?;
    let mut ctx = base_context(input.identity, &template.versions);
    for (key, value) in input.variables {
        ctx.insert(key.clone(), value);
    }
    let module = input
        .variables
        .get("module")
        .and_then(|v| v.as_str())
        .unwrap_or(&input.identity.name)
        .to_string();
    let (pb_import, pb) = contract_go_package(input.identity, &module, &input.contract.package);
    // The `golang:1.N` image of the go line, so that a service generated for
    // a newer Go builds in an image that has it.
    if let Some(version) = input.variables.get("go_version").and_then(|v| v.as_str()) {
        let minor: Vec<&str> = version.split('.').take(2).collect();
        ctx.insert("go_minor", &minor.join("."));
    }
    ctx.insert("module", &module);
    ctx.insert("pb", &pb);
    ctx.insert("pb_import", &pb_import);
    ctx.insert("proto_package", &input.contract.package);
    let services = services_context(input, &pb, &pb_import);
    ctx.insert("services", &services);

    let mut tera = tera::Tera::default();
    tera.autoescape_on(Vec::<&str>::new());
    let mut rendered = Vec::new();
    let mut budget = OutputBudget {
        template: &template.manifest.name,
        left: input.max_output_bytes,
        limit: input.max_output_bytes,
    };
    for spec in &template.manifest.files {
        if let Some(flag) = &spec.when {
            let enabled = super::template::when_holds(flag, |name| {
                ctx.get(name).map(|v| v.as_bool().unwrap_or(false))
            })
            .map_err(|unknown| {
                InputError::new(format!(
                    "template `{}`: `when: {flag}` names no variable (`{unknown}`)",
                    template.manifest.name
                ))
                .help("`when` takes bool variables or built-in flags, joined by `&&`, each maybe negated with `!`")
            })?;
            if !enabled {
                continue;
            }
        }
        let source = template
            .files
            .get(&spec.src)
            .ok_or_else(|| InputError::new(format!("template source `{}` is missing", spec.src)))?;
        tera.add_raw_template(&spec.src, source)
            .map_err(|e| template_error(&template.manifest.name, &spec.src, &e))?;
        match spec.each {
            None => {
                let path = render_path(&tera, &spec.dest, &ctx, &template.manifest.name)?;
                let content = budget.render(&tera, &spec.src, &ctx)?;
                rendered.push(RenderedFile {
                    path,
                    content: tidy_end(content),
                    owner: spec.owner,
                    rpc: None,
                });
            }
            Some(Each::Rpc) => {
                for service in &services {
                    for rpc in &service.rpcs {
                        let mut local = ctx.clone();
                        local.insert("svc", service);
                        local.insert("rpc", rpc);
                        let path = render_path(&tera, &spec.dest, &local, &template.manifest.name)?;
                        let content = budget.render(&tera, &spec.src, &local)?;
                        rendered.push(RenderedFile {
                            path,
                            content: tidy_end(content),
                            owner: spec.owner,
                            rpc: Some(rpc.key.clone()),
                        });
                    }
                }
            }
        }
    }
    if let Some(edition) = &template.manifest.rustfmt_edition {
        let edition = tera
            .render_str(edition, &ctx, false)
            .map_err(|e| template_error(&template.manifest.name, "rustfmt_edition", &e))?;
        super::rustfmt::check_edition(&template.manifest.name, &edition)?;
        super::rustfmt::format(&mut rendered, &edition);
    }
    // Part of the rendering, so that upgrade's base and target versions of
    // go.mod have it as the service's does.
    if let Some(root) = &input.identity.api_root {
        super::shared::wire_service_go_mod(&mut rendered, root)?;
    }
    let mut seen = BTreeSet::new();
    for file in &rendered {
        if !seen.insert(file.path.clone()) {
            return Err(InputError::new(format!(
                "template `{}` writes `{}` twice",
                template.manifest.name, file.path
            ))
            .help("give every entry of `files` a distinct `dest`"));
        }
    }
    Ok(rendered)
}

/// Renders a list of plain parts (no `each`) with a context the caller
/// built: the files of `trellis new client`.
pub(crate) fn render_parts(
    template: &Template,
    specs: &[super::template::FileSpec],
    ctx: &tera::Context,
    max_output_bytes: u64,
) -> Result<Vec<RenderedFile>, InputError> {
    let name = &template.manifest.name;
    let mut tera = tera::Tera::default();
    tera.autoescape_on(Vec::<&str>::new());
    let mut budget = OutputBudget {
        template: name,
        left: max_output_bytes,
        limit: max_output_bytes,
    };
    let mut rendered = Vec::new();
    for spec in specs {
        if spec.each.is_some() || spec.when.is_some() {
            return Err(InputError::new(format!(
                "template `{name}`: the client part `{}` has `each` or `when`, which client parts do not take",
                spec.src
            ))
            .help("a client part is rendered once per called service"));
        }
        let source = template
            .files
            .get(&spec.src)
            .ok_or_else(|| InputError::new(format!("template source `{}` is missing", spec.src)))?;
        tera.add_raw_template(&spec.src, source)
            .map_err(|e| template_error(name, &spec.src, &e))?;
        let path = render_path(&tera, &spec.dest, ctx, name)?;
        let content = budget.render(&tera, &spec.src, ctx)?;
        rendered.push(RenderedFile {
            path,
            content: tidy_end(content),
            owner: spec.owner,
            rpc: None,
        });
    }
    Ok(rendered)
}

/// What rendered files may still add up to. Rendering writes into a
/// buffer that refuses to grow past it, so a template that repeats without
/// end stops there instead of filling memory.
struct OutputBudget<'a> {
    template: &'a str,
    left: u64,
    limit: u64,
}

/// The error a [`CappedBuffer`] returns when the budget is spent.
#[derive(Debug, thiserror::Error)]
#[error("output budget exhausted")]
struct BudgetExhausted;

struct CappedBuffer<'a> {
    bytes: Vec<u8>,
    left: &'a mut u64,
}

impl std::io::Write for CappedBuffer<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.left.checked_sub(buf.len() as u64) {
            Some(left) => {
                *self.left = left;
                self.bytes.extend_from_slice(buf);
                Ok(buf.len())
            }
            None => Err(std::io::Error::other(BudgetExhausted)),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl OutputBudget<'_> {
    fn render(
        &mut self,
        tera: &tera::Tera,
        file: &str,
        ctx: &tera::Context,
    ) -> Result<String, InputError> {
        let mut buffer = CappedBuffer {
            bytes: Vec::new(),
            left: &mut self.left,
        };
        match tera.render_to(file, ctx, &mut buffer) {
            Ok(()) => Ok(String::from_utf8_lossy(&buffer.bytes).into_owned()),
            Err(err) if exhausted(&err) => Err(InputError::new(format!(
                "template `{}`: the rendered files exceed {} bytes (at `{file}`)",
                self.template, self.limit
            ))
            .help("a template that repeats without end, or a very large contract; raise the limit with --max-output-bytes (TRELLIS_MAX_OUTPUT_BYTES) if it is legitimate")),
            Err(err) => Err(template_error(self.template, file, &err)),
        }
    }
}

fn exhausted(err: &tera::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(cause) = source {
        if cause.is::<BudgetExhausted>()
            || cause
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .is_some_and(|inner| inner.is::<BudgetExhausted>())
        {
            return true;
        }
        source = cause.source();
    }
    false
}

/// Renders the starter contract of a template.
pub(crate) fn render_starter(
    template: &Template,
    identity: &Identity,
    variables: &BTreeMap<String, serde_json::Value>,
    max_output_bytes: u64,
) -> Result<Option<String>, InputError> {
    let Some(src) = &template.manifest.starter_proto else {
        return Ok(None);
    };
    let mut ctx = base_context(identity, &template.versions);
    for (key, value) in variables {
        ctx.insert(key.clone(), value);
    }
    let text = template
        .files
        .get(src)
        .ok_or_else(|| InputError::new(format!("template source `{src}` is missing")))?;
    let mut tera = tera::Tera::default();
    tera.autoescape_on(Vec::<&str>::new());
    tera.add_raw_template(src, text)
        .map_err(|e| template_error(&template.manifest.name, src, &e))?;
    let mut budget = OutputBudget {
        template: &template.manifest.name,
        left: max_output_bytes,
        limit: max_output_bytes,
    };
    budget.render(&tera, src, &ctx).map(Some)
}

/// Template control lines leave blank lines at the end; files end with one newline.
fn tidy_end(mut text: String) -> String {
    let trimmed = text.trim_end_matches(['\n', ' ', '\t']).len();
    text.truncate(trimmed);
    if !text.is_empty() {
        text.push('\n');
    }
    text
}

fn render_path(
    tera: &tera::Tera,
    dest: &str,
    ctx: &tera::Context,
    template: &str,
) -> Result<String, InputError> {
    let path = tera
        .render_str(dest, ctx, false)
        .map_err(|e| template_error(template, dest, &e))?;
    if let Err(why) = super::template::check_destination(&path) {
        return Err(InputError::new(format!(
            "template `{template}`: destination `{dest}` renders to `{path}`, which {why}"
        ))
        .help("a template may only write inside the new service directory"));
    }
    Ok(path.trim_start_matches("./").to_string())
}

fn template_error(template: &str, file: &str, err: &tera::Error) -> InputError {
    let mut message = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    InputError::new(format!("template `{template}`, file `{file}`: {message}"))
        .help("fix the template (an unknown name in {{ }} is an error)")
}

fn services_context(input: &RenderInput, pb: &str, pb_import: &str) -> Vec<ServiceCtx> {
    let resource = &input.identity.resource;
    let plural = names::plural(resource);
    let mut out = Vec::new();
    for (index, service) in input.contract.services.iter().enumerate() {
        let go_name = names::go_camel_case(&service.name);
        let handler = format!("{}Handler", go_name.trim_end_matches("Server"));
        let dial = format!("dial{go_name}");
        let mut rpcs = Vec::new();
        for rpc in &service.rpcs {
            let key = rpc_key(&service.full_name, &rpc.name);
            let record = input.rpc_names.get(&key).cloned().unwrap_or(RpcRecord {
                stem: names::snake(&rpc.name),
                test_name: names::go_camel_case(&rpc.name),
                files: Vec::new(),
                signature: None,
            });
            let kind = match (rpc.client_streaming, rpc.server_streaming) {
                (false, false) => "unary",
                (false, true) => "server_streaming",
                (true, false) => "client_streaming",
                (true, true) => "bidi_streaming",
            };
            let go_rpc = names::go_camel_case(&rpc.name);
            let role = if input.identity.starter && index == 0 && kind == "unary" {
                starter_role(rpc, &go_rpc, resource, &plural)
            } else {
                "stub"
            };
            let input_type = go_type(&rpc.input, pb);
            let output_type = go_type(&rpc.output, pb);
            let (imports, test_imports) = rpc_imports(rpc, kind, role, pb, pb_import);
            rpcs.push(RpcCtx {
                key,
                name: rpc.name.clone(),
                go_name: go_rpc,
                full_name: format!("{}/{}", service.full_name, rpc.name),
                kind,
                role,
                input: input_type,
                output: output_type,
                handler: handler.clone(),
                dial: dial.clone(),
                file: record.stem,
                test_name: record.test_name,
                imports,
                test_imports,
                rust_name: heck::ToSnakeCase::to_snake_case(rpc.name.as_str()),
                rust_input: rpc.input.rust_type.clone(),
                rust_output: rpc.output.rust_type.clone(),
                rust_request: if rpc.input.rust_type == "()" {
                    "()".to_string()
                } else {
                    format!("<{}>::default()", rpc.input.rust_type)
                },
                rust_stream: format!(
                    "{}Stream",
                    heck::ToUpperCamelCase::to_upper_camel_case(rpc.name.as_str())
                ),
                rust_service: heck::ToUpperCamelCase::to_upper_camel_case(service.name.as_str()),
            });
        }
        out.push(ServiceCtx {
            name: service.name.clone(),
            go_name,
            full_name: service.full_name.clone(),
            handler,
            dial,
            rust_trait: heck::ToUpperCamelCase::to_upper_camel_case(service.name.as_str()),
            rust_server_module: format!("{}_server", names::snake(&service.name)),
            rust_client_module: format!("{}_client", names::snake(&service.name)),
            rpcs,
        });
    }
    out
}

fn starter_role(rpc: &ProtoRpc, go_rpc: &str, resource: &str, plural: &str) -> &'static str {
    if go_rpc == format!("Get{resource}") && rpc.input.go_name == format!("Get{resource}Request") {
        "get"
    } else if go_rpc == format!("List{plural}")
        && rpc.input.go_name == format!("List{plural}Request")
    {
        "list"
    } else {
        "stub"
    }
}

pub(crate) fn go_type(message: &MessageRef, pb: &str) -> String {
    match &message.go_import {
        Some((alias, _)) => format!("{alias}.{}", message.go_name),
        None => format!("{pb}.{}", message.go_name),
    }
}

/// The import blocks of a handler file and of its test, in gofmt's grouping
/// (standard library, a blank line, the rest); "" stands for the blank line.
fn rpc_imports(
    rpc: &ProtoRpc,
    kind: &str,
    role: &str,
    pb: &str,
    pb_import: &str,
) -> (Vec<String>, Vec<String>) {
    let mut message_imports = BTreeSet::new();
    // Other contracts of the api root: local packages, grouped with pb.
    let mut api_root_imports = BTreeSet::new();
    let mut uses_pb = false;
    for message in [&rpc.input, &rpc.output] {
        match &message.go_import {
            Some((alias, path)) if is_well_known(path) => {
                message_imports.insert(format!("{alias} \"{path}\""));
            }
            Some((alias, path)) => {
                api_root_imports.insert((path.clone(), format!("{alias} \"{path}\"")));
            }
            None => uses_pb = true,
        }
    }
    let pb_line = format!("{pb} \"{pb_import}\"");
    let module_service = pb_import
        .split("/gen/go")
        .next()
        .map(|module| format!("\"{module}/internal/service\""));

    let mut std = Vec::new();
    let mut third = Vec::new();
    let mut local = Vec::new();
    match role {
        "get" => {
            std.push("\"context\"".to_string());
            local.push(pb_line.clone());
        }
        "list" => {
            std.push("\"context\"".to_string());
            local.push(pb_line.clone());
            local.extend(module_service);
        }
        _ => {
            if kind == "unary" {
                std.push("\"context\"".to_string());
            } else {
                third.push("\"google.golang.org/grpc\"".to_string());
            }
            third.push("\"google.golang.org/grpc/codes\"".to_string());
            third.push("\"google.golang.org/grpc/status\"".to_string());
            third.extend(message_imports.iter().cloned());
            let mut locals: Vec<(String, String)> = api_root_imports.iter().cloned().collect();
            if uses_pb {
                locals.push((pb_import.to_string(), pb_line.clone()));
            }
            locals.sort();
            local.extend(locals.into_iter().map(|(_, line)| line));
        }
    }
    let imports = groups([std, third, local]);

    let mut test_std = vec!["\"testing\"".to_string()];
    let mut test_third = Vec::new();
    let mut test_local = Vec::new();
    let request_needed = matches!(kind, "unary" | "server_streaming");
    match role {
        "list" => test_local.push(pb_line),
        _ => {
            test_third.push("\"google.golang.org/grpc/codes\"".to_string());
            test_third.push("\"google.golang.org/grpc/status\"".to_string());
            if request_needed {
                match &rpc.input.go_import {
                    Some((alias, path)) if is_well_known(path) => {
                        test_third.push(format!("{alias} \"{path}\""))
                    }
                    Some((alias, path)) => test_local.push(format!("{alias} \"{path}\"")),
                    None => test_local.push(pb_line),
                }
            }
        }
    }
    test_std.sort();
    test_third.sort();
    (imports, groups([test_std, test_third, test_local]))
}

fn is_well_known(go_import: &str) -> bool {
    go_import.starts_with("google.golang.org/protobuf/")
}

fn groups<const N: usize>(blocks: [Vec<String>; N]) -> Vec<String> {
    let mut out = Vec::new();
    for block in blocks.into_iter().filter(|b| !b.is_empty()) {
        if !out.is_empty() {
            out.push(String::new());
        }
        out.extend(block);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_package_follows_buf_managed_mode() {
        assert_eq!(
            go_package("example.com/shop/payment", "payment.v1"),
            (
                "example.com/shop/payment/gen/go/payment/v1".to_string(),
                "paymentv1".to_string()
            )
        );
        assert_eq!(
            go_package("m", "shop.order_service.v2"),
            (
                "m/gen/go/shop/order_service/v2".to_string(),
                "orderservicev2".to_string()
            )
        );
    }
}
