//! Reads the contract with protox: its package, services and RPCs.

use crate::error::InputError;
use prost_reflect::{DescriptorPool, MessageDescriptor};
use std::path::{Path, PathBuf};

/// One .proto file, reduced to what the templates need.
#[derive(Debug, Clone)]
pub(crate) struct Contract {
    pub(crate) package: String,
    pub(crate) services: Vec<ProtoService>,
    /// The files it imports other than the well-known types, sorted.
    pub(crate) imports: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct ProtoService {
    pub(crate) name: String,
    pub(crate) full_name: String,
    pub(crate) rpcs: Vec<ProtoRpc>,
}

#[derive(Debug, Clone)]
pub(crate) struct ProtoRpc {
    pub(crate) name: String,
    pub(crate) input: MessageRef,
    pub(crate) output: MessageRef,
    pub(crate) client_streaming: bool,
    pub(crate) server_streaming: bool,
    /// `option idempotency_level` is NO_SIDE_EFFECTS or IDEMPOTENT: a
    /// client may retry it without applying a change twice.
    pub(crate) idempotent: bool,
}

impl ProtoRpc {
    /// What a stub's signature depends on: `pkg.In -> stream pkg.Out`.
    pub(crate) fn signature(&self) -> String {
        let stream = |on: bool| if on { "stream " } else { "" };
        format!(
            "{}{} -> {}{}",
            stream(self.client_streaming),
            self.input.full_name,
            stream(self.server_streaming),
            self.output.full_name
        )
    }
}

/// A message type as Go code names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MessageRef {
    pub(crate) full_name: String,
    /// `Some(import path)` for well-known types, `None` for messages of the contract itself.
    pub(crate) go_import: Option<(String, String)>,
    /// The Go type name within its package (`Outer_Inner`, `Empty`).
    pub(crate) go_name: String,
    /// The Rust type as prost generates it: `pb::outer::Inner`, `()`, `::prost_types::Timestamp`.
    pub(crate) rust_type: String,
}

fn rust_well_known(full_name: &str) -> String {
    let name = full_name.trim_start_matches("google.protobuf.");
    match name {
        "Empty" => "()".to_string(),
        "StringValue" => "::prost::alloc::string::String".to_string(),
        "BytesValue" => "::prost::alloc::vec::Vec<u8>".to_string(),
        "BoolValue" => "bool".to_string(),
        "Int32Value" => "i32".to_string(),
        "Int64Value" => "i64".to_string(),
        "UInt32Value" => "u32".to_string(),
        "UInt64Value" => "u64".to_string(),
        "FloatValue" => "f32".to_string(),
        "DoubleValue" => "f64".to_string(),
        other => format!("::prost_types::{other}"),
    }
}

/// `Outer.Inner` -> `pb::outer::Inner` (prost: parents become snake_case modules).
fn rust_local_type(local: &str) -> String {
    use heck::{ToSnakeCase, ToUpperCamelCase};
    let parts: Vec<&str> = local.split('.').collect();
    let mut path = vec!["pb".to_string()];
    for (index, part) in parts.iter().enumerate() {
        if index + 1 == parts.len() {
            path.push(part.to_upper_camel_case());
        } else {
            path.push(part.to_snake_case());
        }
    }
    path.join("::")
}

const WELL_KNOWN: &[(&str, &str)] = &[
    ("google.protobuf.Empty", "emptypb"),
    ("google.protobuf.Timestamp", "timestamppb"),
    ("google.protobuf.Duration", "durationpb"),
    ("google.protobuf.Any", "anypb"),
    ("google.protobuf.Struct", "structpb"),
    ("google.protobuf.Value", "structpb"),
    ("google.protobuf.ListValue", "structpb"),
    ("google.protobuf.FieldMask", "fieldmaskpb"),
    ("google.protobuf.StringValue", "wrapperspb"),
    ("google.protobuf.BytesValue", "wrapperspb"),
    ("google.protobuf.BoolValue", "wrapperspb"),
    ("google.protobuf.Int32Value", "wrapperspb"),
    ("google.protobuf.Int64Value", "wrapperspb"),
    ("google.protobuf.UInt32Value", "wrapperspb"),
    ("google.protobuf.UInt64Value", "wrapperspb"),
    ("google.protobuf.FloatValue", "wrapperspb"),
    ("google.protobuf.DoubleValue", "wrapperspb"),
];

/// Parses and checks `path`. Its imports are looked up beside it, then
/// under `roots` (proto roots such as a service's `third_party/`), then among
/// the well-known types. `shown` is the name used in error messages.
///
/// An import found nowhere is tolerated when the contract uses it for
/// options only (`buf/validate/validate.proto` before `make proto-deps`
/// copied it): trellis reads services and message names, never custom
/// options, so it reads the contract without them and leaves checking
/// them to buf. An import whose types the contract uses is an error.
pub(crate) fn parse_file(
    path: &Path,
    shown: &str,
    roots: &[PathBuf],
    max_bytes: u64,
) -> Result<Contract, InputError> {
    parse_with(path, shown, roots, max_bytes, None)
}

/// [`parse_file`] for a contract of the repository's api root, whose RPCs
/// may also take and return messages of the other contracts there: they
/// are generated into the same module, under `go_prefix` by their
/// directory (buf's managed mode).
pub(crate) fn parse_in_api_root(
    path: &Path,
    shown: &str,
    roots: &[PathBuf],
    max_bytes: u64,
    go_prefix: &str,
) -> Result<Contract, InputError> {
    parse_with(path, shown, roots, max_bytes, Some(go_prefix))
}

fn parse_with(
    path: &Path,
    shown: &str,
    roots: &[PathBuf],
    max_bytes: u64,
    go_prefix: Option<&str>,
) -> Result<Contract, InputError> {
    let text = super::limits::read_input(path, shown, max_bytes)?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut dirs = vec![dir.to_path_buf()];
    dirs.extend(roots.iter().cloned());
    let resolver = || {
        let mut chain = protox::file::ChainFileResolver::new();
        chain.add(BoundedResolver {
            dirs: dirs.clone(),
            main_name: file_name.clone(),
            main_text: text.clone(),
            max_bytes,
        });
        chain.add(protox::file::GoogleFileResolver::new());
        chain
    };
    let parsed = protox::file::File::from_source(&file_name, &text)
        .map_err(|err| proto_error(&err, shown, &text))?;
    let probe = resolver();
    let missing: Vec<String> = parsed
        .file_descriptor_proto()
        .dependency
        .iter()
        .filter(|import| {
            protox::file::FileResolver::open_file(&probe, import)
                .is_err_and(|e| e.is_file_not_found())
        })
        .cloned()
        .collect();
    let mut compiler = protox::Compiler::with_file_resolver(resolver());
    compiler.include_imports(true);
    if missing.is_empty() {
        if let Err(err) = compiler.open_file(&file_name) {
            return Err(proto_error(&err, shown, &text));
        }
    } else {
        let mut compiler = protox::Compiler::with_file_resolver(WithoutImports {
            inner: resolver(),
            main: without_options_of(parsed.file_descriptor_proto().clone(), &missing),
        });
        compiler.include_imports(true);
        if compiler.open_file(&file_name).is_err() {
            return Err(missing_import(shown, &missing[0], &dirs));
        }
        log::info!(
            "{shown}: {} not found beside it or under a proto root; read without custom options, which buf checks at generation",
            missing.join(", ")
        );
        let pool = compiler.descriptor_pool();
        let mut contract = contract_from_pool(&pool, &file_name, shown, go_prefix)?;
        contract.imports.extend(missing);
        contract.imports.sort();
        return Ok(contract);
    }
    let pool = compiler.descriptor_pool();
    contract_from_pool(&pool, &file_name, shown, go_prefix)
}

/// The contract's descriptor without the imports in `missing` and without
/// custom options, which may name extensions those imports declare.
fn without_options_of(
    mut file: prost_types::FileDescriptorProto,
    missing: &[String],
) -> prost_types::FileDescriptorProto {
    file.dependency.retain(|d| !missing.contains(d));
    file.public_dependency.clear();
    file.weak_dependency.clear();
    strip_custom_options(&mut file);
    file
}

/// Drops every custom (extension) option of the file, its messages,
/// fields, enums, services and methods; built-in options stay.
fn strip_custom_options(file: &mut prost_types::FileDescriptorProto) {
    fn keep(options: &mut Vec<prost_types::UninterpretedOption>) {
        options.retain(|o| !o.name.iter().any(|part| part.is_extension));
    }
    fn message(m: &mut prost_types::DescriptorProto) {
        if let Some(o) = m.options.as_mut() {
            keep(&mut o.uninterpreted_option);
        }
        for f in m.field.iter_mut().chain(m.extension.iter_mut()) {
            if let Some(o) = f.options.as_mut() {
                keep(&mut o.uninterpreted_option);
            }
        }
        for o in m.oneof_decl.iter_mut().filter_map(|d| d.options.as_mut()) {
            keep(&mut o.uninterpreted_option);
        }
        m.enum_type.iter_mut().for_each(enumeration);
        m.nested_type.iter_mut().for_each(message);
    }
    fn enumeration(e: &mut prost_types::EnumDescriptorProto) {
        if let Some(o) = e.options.as_mut() {
            keep(&mut o.uninterpreted_option);
        }
        for o in e.value.iter_mut().filter_map(|v| v.options.as_mut()) {
            keep(&mut o.uninterpreted_option);
        }
    }
    if let Some(o) = file.options.as_mut() {
        keep(&mut o.uninterpreted_option);
    }
    file.message_type.iter_mut().for_each(message);
    file.enum_type.iter_mut().for_each(enumeration);
    for f in file.extension.iter_mut().filter_map(|f| f.options.as_mut()) {
        keep(&mut f.uninterpreted_option);
    }
    for service in &mut file.service {
        if let Some(o) = service.options.as_mut() {
            keep(&mut o.uninterpreted_option);
        }
        for o in service.method.iter_mut().filter_map(|m| m.options.as_mut()) {
            keep(&mut o.uninterpreted_option);
        }
    }
}

/// Serves the main file from a prepared descriptor, everything else
/// from `inner`.
struct WithoutImports<R> {
    inner: R,
    main: prost_types::FileDescriptorProto,
}

impl<R: protox::file::FileResolver> protox::file::FileResolver for WithoutImports<R> {
    fn open_file(&self, name: &str) -> Result<protox::file::File, protox::Error> {
        if self.main.name.as_deref() == Some(name) {
            return Ok(protox::file::File::from_file_descriptor_proto(
                self.main.clone(),
            ));
        }
        self.inner.open_file(name)
    }
}

fn missing_import(shown: &str, import: &str, dirs: &[PathBuf]) -> InputError {
    let looked: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    let fix = if import == "buf/validate/validate.proto" {
        "the contract uses a type declared in it (rules alone would need no copy): pass \
         `--proto-path DIR/proto/protovalidate`, where DIR is the Dir that `go mod download -json \
         github.com/bufbuild/protovalidate@v1.2.2` prints"
            .to_string()
    } else {
        format!(
            "pass the directory that holds `{import}` with `--proto-path DIR` (or list it as a module \
             of the nearest buf.yaml), or move what the contract uses from it into the contract"
        )
    };
    InputError::new(format!(
        "{shown} imports `{import}`, which is in none of {} and the contract uses more than its options",
        looked.join(", ")
    ))
    .in_file(shown)
    .help(fix)
}

/// Serves the contract from the text already read, and imports from the
/// first of `dirs` that has them, only when they are regular files within
/// the limit: protox's own resolver would open a FIFO named `x.proto` and
/// wait forever.
struct BoundedResolver {
    dirs: Vec<PathBuf>,
    main_name: String,
    main_text: String,
    max_bytes: u64,
}

impl protox::file::FileResolver for BoundedResolver {
    fn open_file(&self, name: &str) -> Result<protox::file::File, protox::Error> {
        if name == self.main_name {
            return protox::file::File::from_source(name, &self.main_text);
        }
        if super::template::check_relative(name).is_err() {
            return Err(protox::Error::file_not_found(name));
        }
        for dir in &self.dirs {
            let path = dir.join(name);
            match super::limits::read_regular(&path, self.max_bytes) {
                Ok(text) => return protox::file::File::from_source(name, &text),
                Err(super::limits::ReadRefused::Io(e))
                    if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(refused) => {
                    return Err(protox::Error::new(format!(
                        "cannot read {}: {refused}",
                        path.display()
                    )));
                }
            }
        }
        Err(protox::Error::file_not_found(name))
    }
}

/// The proto roots of the buf workspace in `dir`: the module paths of its
/// buf.yaml (v2, or `.` for v1) and the directories of its buf.work.yaml.
/// None when `dir` has no buf configuration, or one that does not parse
/// (buf itself then reports it).
pub(crate) fn buf_roots(dir: &Path) -> Vec<PathBuf> {
    let read = |name: &str| -> Option<serde_json::Value> {
        let text = super::limits::read_regular(&dir.join(name), 1 << 20).ok()?;
        serde_saphyr::from_str(&text).ok()
    };
    let paths = |value: Option<&serde_json::Value>| -> Vec<PathBuf> {
        value
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .filter_map(|entry| entry.get("path").unwrap_or(entry).as_str())
            .filter(|path| super::template::check_relative(path).is_ok())
            .map(|path| dir.join(path))
            .collect()
    };
    if let Some(work) = read("buf.work.yaml") {
        return paths(work.get("directories"));
    }
    match read("buf.yaml") {
        Some(config) if config.get("version").and_then(|v| v.as_str()) == Some("v2") => {
            match config.get("modules") {
                Some(modules) => paths(Some(modules)),
                None => vec![dir.to_path_buf()],
            }
        }
        Some(_) => vec![dir.to_path_buf()],
        None => Vec::new(),
    }
}

/// [`buf_roots`] of the nearest directory above `file` with a buf
/// configuration: the roots a `--proto` contract's imports resolve from.
pub(crate) fn nearest_buf_roots(file: &Path) -> Vec<PathBuf> {
    let start = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    for dir in start.ancestors().skip(1) {
        if dir.join("buf.yaml").is_file() || dir.join("buf.work.yaml").is_file() {
            return buf_roots(dir);
        }
    }
    Vec::new()
}

fn contract_from_pool(
    pool: &DescriptorPool,
    file_name: &str,
    shown: &str,
    go_prefix: Option<&str>,
) -> Result<Contract, InputError> {
    let file = pool.get_file_by_name(file_name).ok_or_else(|| {
        InputError::new(format!("{shown}: protox returned no descriptor")).in_file(shown)
    })?;
    let imports = file
        .dependencies()
        .map(|import| import.name().to_string())
        .filter(|name| !name.starts_with("google/protobuf/"))
        .collect();
    let package = file.package_name().to_string();
    let mut services = Vec::new();
    for service in file.services() {
        let mut rpcs = Vec::new();
        for method in service.methods() {
            rpcs.push(ProtoRpc {
                name: method.name().to_string(),
                input: message_ref(&method.input(), &package, shown, go_prefix)?,
                output: message_ref(&method.output(), &package, shown, go_prefix)?,
                client_streaming: method.is_client_streaming(),
                server_streaming: method.is_server_streaming(),
                idempotent: method
                    .method_descriptor_proto()
                    .options
                    .as_ref()
                    .is_some_and(|o| {
                        o.idempotency_level()
                            != prost_types::method_options::IdempotencyLevel::IdempotencyUnknown
                    }),
            });
        }
        services.push(ProtoService {
            name: service.name().to_string(),
            full_name: service.full_name().to_string(),
            rpcs,
        });
    }
    if services.is_empty() {
        return Err(InputError::new(format!("{shown} defines no service"))
            .in_file(shown)
            .help("add a `service` with at least one `rpc`; trellis generates a handler per RPC"));
    }
    Ok(Contract {
        package,
        services,
        imports,
    })
}

fn message_ref(
    message: &MessageDescriptor,
    package: &str,
    shown: &str,
    go_prefix: Option<&str>,
) -> Result<MessageRef, InputError> {
    let full_name = message.full_name().to_string();
    if let Some((_, go_package)) = WELL_KNOWN.iter().find(|(name, _)| *name == full_name) {
        return Ok(MessageRef {
            rust_type: rust_well_known(&full_name),
            go_name: message.name().to_string(),
            go_import: Some((
                go_package.to_string(),
                format!("google.golang.org/protobuf/types/known/{go_package}"),
            )),
            full_name,
        });
    }
    let local = if package.is_empty() {
        Some(full_name.as_str())
    } else {
        full_name
            .strip_prefix(package)
            .and_then(|rest| rest.strip_prefix('.'))
    };
    match local {
        Some(local) if message.parent_file().package_name() == package => Ok(MessageRef {
            rust_type: rust_local_type(local),
            go_name: super::names::go_camel_case(local),
            go_import: None,
            full_name,
        }),
        _ => match go_prefix {
            Some(prefix) => Ok(api_root_message(message, prefix)),
            None => Err(InputError::new(format!(
                "{shown}: RPC type `{full_name}` is neither in package `{package}` nor a supported well-known type"
            ))
            .in_file(shown)
            .help("use messages defined in this file, or google.protobuf well-known types; a contract in the repository's api root may use the messages of the contracts it imports from there")),
        },
    }
}

/// A message of another contract of the api root, in its generated package.
fn api_root_message(message: &MessageDescriptor, prefix: &str) -> MessageRef {
    let file = message.parent_file();
    let other_package = file.package_name();
    let full_name = message.full_name().to_string();
    let local = full_name
        .strip_prefix(other_package)
        .and_then(|rest| rest.strip_prefix('.'))
        .unwrap_or(&full_name)
        .to_string();
    let import = match file.name().rsplit_once('/') {
        Some((dir, _)) => format!("{prefix}/{dir}"),
        None => prefix.to_string(),
    };
    let alias = super::render::go_package("", other_package).1;
    MessageRef {
        // The Rust template does not take shared contracts (shared.rs).
        rust_type: format!("::{}", full_name.replace('.', "::")),
        go_name: super::names::go_camel_case(&local),
        go_import: Some((alias, import)),
        full_name,
    }
}

/// protox reports `file:line:col: message`; keep the position for the caret.
fn proto_error(err: &protox::Error, shown: &str, text: &str) -> InputError {
    let debug = format!("{err:?}");
    let mut error = InputError::new(format!("{shown} does not parse: {err}")).in_file(shown);
    // `name:LINE:COL: message`
    let mut parts = debug.splitn(4, ':');
    let (_name, line, column) = (parts.next(), parts.next(), parts.next());
    if let (Some(line), Some(column)) = (
        line.and_then(|l| l.trim().parse::<u32>().ok()),
        column.and_then(|c| c.trim().parse::<u32>().ok()),
    ) {
        error = error
            .at(line, column)
            .with_source(text.to_string())
            .help("fix the contract, then run the command again");
        error.message = format!("{shown}:{line}:{column}: {err}");
    } else {
        error = error.help("fix the contract, then run the command again");
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Contract, InputError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.proto");
        std::fs::write(&path, text).unwrap();
        parse_file(&path, "x.proto", &[], 1 << 20)
    }

    #[test]
    fn reads_streaming_kinds_and_types() {
        let contract = parse(
            "syntax = \"proto3\";\npackage a.v1;\nimport \"google/protobuf/empty.proto\";\n\
             message M { message Inner {} }\n\
             service S {\n rpc U(M) returns (google.protobuf.Empty);\n rpc W(M) returns (stream M.Inner);\n\
             rpc C(stream M) returns (M);\n rpc B(stream M) returns (stream M);\n}\n",
        )
        .unwrap();
        assert_eq!(contract.package, "a.v1");
        let rpcs = &contract.services[0].rpcs;
        assert_eq!(rpcs.len(), 4);
        assert_eq!(rpcs[0].output.go_name, "Empty");
        assert!(rpcs[0].output.go_import.is_some());
        assert_eq!(rpcs[1].output.go_name, "M_Inner");
        assert_eq!(rpcs[1].output.rust_type, "pb::m::Inner");
        assert_eq!(rpcs[0].output.rust_type, "()");
        assert!(rpcs[1].server_streaming && !rpcs[1].client_streaming);
        assert!(rpcs[2].client_streaming && !rpcs[2].server_streaming);
        assert!(rpcs[3].client_streaming && rpcs[3].server_streaming);
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let err =
            parse("syntax = \"proto3\";\npackage a.v1;\nservice S {\n  rpc U(M returns (M);\n}\n")
                .unwrap_err();
        assert_eq!(err.line, Some(4), "{}", err.message);
        assert!(err.column.is_some());
    }

    /// A rules file of our own in the style of protovalidate's: an
    /// extension of FieldOptions.
    const RULES: &str = "syntax = \"proto2\";\npackage acme.rules;\n\
        import \"google/protobuf/descriptor.proto\";\n\
        message FieldRules { optional uint32 min_len = 1; }\n\
        extend google.protobuf.FieldOptions { optional FieldRules field = 51234; }\n";

    const RULED: &str = "syntax = \"proto3\";\npackage shop.v1;\n\
        import \"acme/rules/rules.proto\";\n\
        service S { rpc Get(GetRequest) returns (GetResponse); }\n\
        message GetRequest { string id = 1 [(acme.rules.field).min_len = 1]; }\n\
        message GetResponse {}\n";

    #[test]
    fn an_import_used_for_options_only_may_be_absent() {
        let contract = parse(RULED).unwrap();
        assert_eq!(contract.imports, ["acme/rules/rules.proto"]);
        assert_eq!(contract.services[0].rpcs[0].input.go_name, "GetRequest");
    }

    #[test]
    fn an_import_found_under_a_root_is_compiled_and_its_options_checked() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("third_party");
        std::fs::create_dir_all(root.join("acme/rules")).unwrap();
        std::fs::write(root.join("acme/rules/rules.proto"), RULES).unwrap();
        let path = dir.path().join("shop.proto");
        std::fs::write(&path, RULED).unwrap();
        let contract =
            parse_file(&path, "shop.proto", std::slice::from_ref(&root), 1 << 20).unwrap();
        assert_eq!(contract.imports, ["acme/rules/rules.proto"]);
        // With the file at hand, a misspelt rule is caught, with its line.
        std::fs::write(&path, RULED.replace("min_len = 1", "min_length = 1")).unwrap();
        let err = parse_file(&path, "shop.proto", &[root], 1 << 20).unwrap_err();
        assert_eq!(err.line, Some(5), "{}", err.message);
    }

    #[test]
    fn an_absent_import_whose_type_is_used_names_the_import_and_the_roots() {
        let err = parse(
            "syntax = \"proto3\";\npackage shop.v1;\nimport \"money/v1/money.proto\";\n\
             service S { rpc Get(GetRequest) returns (GetRequest); }\n\
             message GetRequest { money.v1.Amount amount = 1; }\n",
        )
        .unwrap_err();
        assert!(
            err.message
                .contains("x.proto imports `money/v1/money.proto`, which is in none of"),
            "{}",
            err.message
        );
        assert!(err.help.unwrap().contains("--proto-path DIR"));
    }

    #[test]
    fn buf_roots_follow_buf_yaml_and_buf_work_yaml() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert!(buf_roots(root).is_empty());
        std::fs::write(root.join("buf.yaml"), "version: v1\n").unwrap();
        assert_eq!(buf_roots(root), [root.to_path_buf()]);
        std::fs::write(
            root.join("buf.yaml"),
            "version: v2\nmodules:\n  - path: api\n  - path: third_party\n  - path: ../outside\n",
        )
        .unwrap();
        assert_eq!(
            buf_roots(root),
            [root.join("api"), root.join("third_party")]
        );
        std::fs::write(
            root.join("buf.work.yaml"),
            "version: v1\ndirectories:\n  - proto\n",
        )
        .unwrap();
        assert_eq!(buf_roots(root), [root.join("proto")]);
        std::fs::create_dir_all(root.join("proto/shop/v1")).unwrap();
        assert_eq!(
            nearest_buf_roots(&root.join("proto/shop/v1/shop.proto")),
            [root.join("proto")]
        );
    }

    #[test]
    fn no_service_is_an_error() {
        let err = parse("syntax = \"proto3\";\npackage a.v1;\nmessage M {}\n").unwrap_err();
        assert!(err.message.contains("defines no service"));
    }
}
