//! Reads the contract with protox: its package, services and RPCs.

use crate::error::InputError;
use prost_reflect::{DescriptorPool, MessageDescriptor};
use std::path::Path;

/// One .proto file, reduced to what the templates need.
#[derive(Debug, Clone)]
pub struct Contract {
    pub package: String,
    pub services: Vec<ProtoService>,
}

#[derive(Debug, Clone)]
pub struct ProtoService {
    pub name: String,
    pub full_name: String,
    pub rpcs: Vec<ProtoRpc>,
}

#[derive(Debug, Clone)]
pub struct ProtoRpc {
    pub name: String,
    pub input: MessageRef,
    pub output: MessageRef,
    pub client_streaming: bool,
    pub server_streaming: bool,
    /// `option idempotency_level` is NO_SIDE_EFFECTS or IDEMPOTENT: a
    /// client may retry it without applying a change twice.
    pub idempotent: bool,
}

impl ProtoRpc {
    /// What a stub's signature depends on: `pkg.In -> stream pkg.Out`.
    pub fn signature(&self) -> String {
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
pub struct MessageRef {
    pub full_name: String,
    /// `Some(import path)` for well-known types, `None` for messages of the contract itself.
    pub go_import: Option<(String, String)>,
    /// The Go type name within its package (`Outer_Inner`, `Empty`).
    pub go_name: String,
    /// The Rust type as prost generates it: `pb::outer::Inner`, `()`, `::prost_types::Timestamp`.
    pub rust_type: String,
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

/// Parses and checks `path` (its imports are looked up beside it and among
/// the well-known types). `shown` is the name used in error messages.
pub fn parse_file(path: &Path, shown: &str, max_bytes: u64) -> Result<Contract, InputError> {
    let text = super::limits::read_input(path, shown, max_bytes)?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut resolver = protox::file::ChainFileResolver::new();
    resolver.add(BoundedResolver {
        dir: dir.to_path_buf(),
        main_name: file_name.clone(),
        main_text: text.clone(),
        max_bytes,
    });
    resolver.add(protox::file::GoogleFileResolver::new());
    let mut compiler = protox::Compiler::with_file_resolver(resolver);
    compiler.include_imports(true);
    if let Err(err) = compiler.open_file(&file_name) {
        return Err(proto_error(&err, shown, &text));
    }
    let pool = compiler.descriptor_pool();
    contract_from_pool(&pool, &file_name, shown)
}

/// Serves the contract from the text already read, and imports beside it
/// only when they are regular files within the limit: protox's own
/// resolver would open a FIFO named `x.proto` and wait forever.
struct BoundedResolver {
    dir: std::path::PathBuf,
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
        let path = self.dir.join(name);
        match super::limits::read_regular(&path, self.max_bytes) {
            Ok(text) => protox::file::File::from_source(name, &text),
            Err(super::limits::ReadRefused::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(protox::Error::file_not_found(name))
            }
            Err(refused) => Err(protox::Error::new(format!(
                "cannot read {}: {refused}",
                path.display()
            ))),
        }
    }
}

fn contract_from_pool(
    pool: &DescriptorPool,
    file_name: &str,
    shown: &str,
) -> Result<Contract, InputError> {
    let file = pool.get_file_by_name(file_name).ok_or_else(|| {
        InputError::new(format!("{shown}: protox returned no descriptor")).in_file(shown)
    })?;
    for import in file.dependencies() {
        if !import.name().starts_with("google/protobuf/") {
            return Err(InputError::new(format!(
                "{shown} imports `{}`; the contract must be one self-contained file",
                import.name()
            ))
            .in_file(shown)
            .help("move the imported messages into this file (well-known types under google/protobuf/ are fine)"));
        }
    }
    let package = file.package_name().to_string();
    let mut services = Vec::new();
    for service in file.services() {
        let mut rpcs = Vec::new();
        for method in service.methods() {
            rpcs.push(ProtoRpc {
                name: method.name().to_string(),
                input: message_ref(&method.input(), &package, shown)?,
                output: message_ref(&method.output(), &package, shown)?,
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
    Ok(Contract { package, services })
}

fn message_ref(
    message: &MessageDescriptor,
    package: &str,
    shown: &str,
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
        _ => Err(InputError::new(format!(
            "{shown}: RPC type `{full_name}` is neither in package `{package}` nor a supported well-known type"
        ))
        .in_file(shown)
        .help("use messages defined in this file, or google.protobuf well-known types")),
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
        parse_file(&path, "x.proto", 1 << 20)
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

    #[test]
    fn no_service_is_an_error() {
        let err = parse("syntax = \"proto3\";\npackage a.v1;\nmessage M {}\n").unwrap_err();
        assert!(err.message.contains("defines no service"));
    }
}
