//! The compared view of one side: every file, message, enum, service and
//! extension by the key buf pairs it with, and where each sits in its source.

use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{
    DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileOptions, ServiceDescriptorProto,
};
use std::collections::{BTreeMap, HashMap};

/// A 1-based region, columns in characters, end exclusive (as buf prints it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Loc {
    pub(crate) line: u32,
    pub(crate) column: u32,
    pub(crate) end_line: u32,
    pub(crate) end_column: u32,
}

/// The source path of an element: the field numbers from FileDescriptorProto down.
pub(crate) type SourcePath = Vec<i32>;

#[derive(Debug, Clone)]
pub(crate) struct FileInfo {
    /// The import name (relative to its root), what buf calls the path.
    pub(crate) name: String,
    /// The path relative to the repository root.
    pub(crate) path: String,
    pub(crate) package: String,
    /// "proto2" or "proto3".
    pub(crate) syntax: String,
    pub(crate) options: FileOptions,
    /// The source text (empty for files compiled from descriptors, such as the well-known types).
    pub(crate) text: std::sync::Arc<str>,
    /// Source locations, parsed from `text` when a finding first needs one:
    /// the compiled files carry none (see `compile`). The well-known types
    /// bring theirs.
    locations: std::sync::OnceLock<Option<prost_types::SourceCodeInfo>>,
    /// Locations of interpreted options, from compiling the file again.
    interpreted: std::sync::OnceLock<Option<prost_types::SourceCodeInfo>>,
    locator: std::sync::Arc<super::compile::Locator>,
    pub(crate) messages: Vec<String>,
    pub(crate) enums: Vec<String>,
    pub(crate) services: Vec<String>,
    pub(crate) extensions: Vec<String>,
}

/// Whether a source path goes through the options of an element (the
/// field numbers of `options` in descriptor.proto's messages): the length
/// of the path to those options.
fn through_options(path: &[i32]) -> Option<usize> {
    #[derive(Clone, Copy)]
    enum Element {
        File,
        Message,
        Field,
        Enum,
        Value,
        Service,
        Method,
        Oneof,
    }
    let mut element = Element::File;
    let mut rest = path;
    while let [field, tail @ ..] = rest {
        let (options, child) = match element {
            Element::File => (
                8,
                match field {
                    4 => Some(Element::Message),
                    5 => Some(Element::Enum),
                    6 => Some(Element::Service),
                    7 => Some(Element::Field),
                    _ => None,
                },
            ),
            Element::Message => (
                7,
                match field {
                    2 | 6 => Some(Element::Field),
                    3 => Some(Element::Message),
                    4 => Some(Element::Enum),
                    8 => Some(Element::Oneof),
                    _ => None,
                },
            ),
            Element::Field => (8, None),
            Element::Enum => (3, (*field == 2).then_some(Element::Value)),
            Element::Value => (3, None),
            Element::Service => (3, (*field == 2).then_some(Element::Method)),
            Element::Method => (4, None),
            Element::Oneof => (2, None),
        };
        if *field == options {
            return Some(path.len() - tail.len());
        }
        // A repeated element: the next number is its index.
        match (child, tail) {
            (Some(next), [_, after @ ..]) => {
                element = next;
                rest = after;
            }
            _ => return None,
        }
    }
    None
}

/// A protobuf span (`[line, column, end column]` or `[line, column, end
/// line, end column]`, 0-based) as a 1-based location.
fn span_loc(span: &[i32]) -> Option<Loc> {
    match span.len() {
        3 => Some(Loc {
            line: span[0] as u32 + 1,
            column: span[1] as u32 + 1,
            end_line: span[0] as u32 + 1,
            end_column: span[2] as u32 + 1,
        }),
        4 => Some(Loc {
            line: span[0] as u32 + 1,
            column: span[1] as u32 + 1,
            end_line: span[2] as u32 + 1,
            end_column: span[3] as u32 + 1,
        }),
        _ => None,
    }
}

fn sub_path(path: &[i32], field: i32) -> Vec<i32> {
    let mut out = path.to_vec();
    out.push(field);
    out
}

/// Whether option text (`go_package = "..."`) sets the option `name`.
fn names_option(text: &str, name: &str) -> bool {
    text.strip_prefix(name)
        .is_some_and(|rest| rest.trim_start().starts_with('='))
}

impl FileInfo {
    /// Where an element is, by its source path.
    pub(crate) fn loc(&self, path: &[i32]) -> Option<Loc> {
        let parsed = self.parsed_locations();
        // The first location for a path is the declaration; later ones (for
        // repeated options) must not replace it.
        let find = |info: &Option<prost_types::SourceCodeInfo>| {
            info.as_ref()?
                .location
                .iter()
                .find(|l| l.path == path)
                .cloned()
        };
        let location = match find(parsed) {
            Some(location) => location,
            // The parser locates an option as written (uninterpreted); only
            // the compiler moves it to the option's own path. When the
            // element has options written at all, the file is compiled again.
            None if through_options(path).is_some_and(|end| {
                parsed.as_ref().is_some_and(|info| {
                    info.location
                        .iter()
                        .any(|l| l.path.starts_with(&path[..end]))
                })
            }) =>
            {
                find(
                    self.interpreted
                        .get_or_init(|| self.locator.interpreted(&self.name)),
                )?
            }
            None => return None,
        };
        span_loc(&location.span)
    }

    /// The parser's locations of this file (options as written, not interpreted).
    fn parsed_locations(&self) -> &Option<prost_types::SourceCodeInfo> {
        self.locations.get_or_init(|| {
            protox_parse::parse(&self.name, &self.text)
                .ok()
                .and_then(|parsed| parsed.source_code_info)
        })
    }

    /// Every parsed location of exactly `path`, in source order.
    fn parsed_spans<'a>(&'a self, path: &'a [i32]) -> impl Iterator<Item = Loc> + 'a {
        self.parsed_locations()
            .iter()
            .flat_map(|info| info.location.iter())
            .filter(move |l| l.path == path)
            .filter_map(|l| span_loc(&l.span))
    }

    /// The text from `loc`'s start to its end, lines joined by `\n`.
    fn text_of(&self, loc: Loc) -> String {
        let lines = self.text.lines().enumerate();
        let mut out = String::new();
        for (index, line) in lines.skip(loc.line as usize - 1) {
            let number = index as u32 + 1;
            if number > loc.end_line {
                break;
            }
            let start = if number == loc.line {
                loc.column - 1
            } else {
                0
            };
            let chars = line.chars().skip(start as usize);
            if number == loc.end_line {
                out.extend(chars.take(loc.end_column.saturating_sub(start + 1) as usize));
            } else {
                out.extend(chars);
                out.push('\n');
            }
        }
        out
    }

    pub(crate) fn is_proto3(&self) -> bool {
        self.syntax == "proto3"
    }

    /// The `option NAME = ...;` statement of the file, where buf points for file options.
    pub(crate) fn option_statement(&self, name: &str) -> Option<Loc> {
        self.parsed_spans(&[8]).find(|&statement| {
            let text = self.text_of(statement);
            text.strip_prefix("option")
                .filter(|rest| rest.starts_with(char::is_whitespace))
                .is_some_and(|rest| names_option(rest.trim_start(), name))
        })
    }

    /// Where `name = value` is written in a field's `[...]` options (buf
    /// points at that option, protox's compiler at the whole list).
    pub(crate) fn field_option(&self, field_path: &[i32], name: &str) -> Option<Loc> {
        // `json_name` and `default` are not options to the parser but fields
        // of the descriptor: `json_name` has spans for the whole option and
        // for its value, `default` only for its value.
        match name {
            "json_name" => {
                return self
                    .parsed_spans(&sub_path(field_path, 10))
                    .min_by_key(|loc| (loc.line, loc.column));
            }
            "default" => {
                let value = self.parsed_spans(&sub_path(field_path, 7)).next()?;
                return Some(self.widen_to_option_name(value, name));
            }
            _ => {}
        }
        let options = self.parsed_locations().as_ref()?;
        let prefix_len = field_path.len() + 2;
        options
            .location
            .iter()
            .filter(|l| {
                l.path.len() == prefix_len + 1
                    && l.path.starts_with(field_path)
                    && l.path[field_path.len()..prefix_len] == [8, 999]
            })
            .filter_map(|l| span_loc(&l.span))
            .find(|&option| names_option(&self.text_of(option), name))
    }

    /// `value`'s location extended back over `name =` on its line.
    fn widen_to_option_name(&self, value: Loc, name: &str) -> Loc {
        let Some(line) = self.text.lines().nth(value.line as usize - 1) else {
            return value;
        };
        let before: String = line.chars().take(value.column as usize - 1).collect();
        let Some(named) = before.trim_end().strip_suffix('=') else {
            return value;
        };
        let Some(rest) = named.trim_end().strip_suffix(name) else {
            return value;
        };
        Loc {
            column: rest.chars().count() as u32 + 1,
            ..value
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cardinality {
    OptionalExplicit,
    OptionalImplicit,
    Required,
    Repeated,
    Map,
}

impl Cardinality {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Cardinality::OptionalExplicit => "optional with explicit presence",
            Cardinality::OptionalImplicit => "optional with implicit presence",
            Cardinality::Required => "required",
            Cardinality::Repeated => "repeated",
            Cardinality::Map => "map",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct FieldInfo {
    pub(crate) number: i32,
    pub(crate) name: String,
    /// The effective JSON name: the explicit `json_name` or the derived one.
    pub(crate) json_name: String,
    pub(crate) kind: Type,
    /// Full name without the leading dot, for message, enum and group fields.
    pub(crate) type_name: String,
    /// The real (non-synthetic) oneof holding the field.
    pub(crate) oneof: Option<String>,
    pub(crate) cardinality: Cardinality,
    pub(crate) default: Option<String>,
    pub(crate) options: Option<prost_types::FieldOptions>,
    /// Source path of the field.
    pub(crate) path: SourcePath,
}

impl FieldInfo {
    pub(crate) fn kind_name(&self) -> &'static str {
        kind_name(self.kind)
    }

    /// The source path of the written type: `type_name` for named types, else `type`.
    pub(crate) fn type_path(&self) -> SourcePath {
        let mut path = self.path.clone();
        path.push(if self.type_name.is_empty() { 5 } else { 6 });
        path
    }

    pub(crate) fn sub_path(&self, field: i32) -> SourcePath {
        let mut path = self.path.clone();
        path.push(field);
        path
    }
}

#[derive(Debug, Clone)]
pub(crate) struct MessageInfo {
    pub(crate) full_name: String,
    /// The name inside its file, `Outer.Inner`.
    pub(crate) nested_name: String,
    pub(crate) file: String,
    pub(crate) path: SourcePath,
    pub(crate) proto: DescriptorProto,
    pub(crate) fields: Vec<FieldInfo>,
    /// Real oneofs by name (synthetic proto3 `optional` oneofs left out).
    pub(crate) oneofs: Vec<String>,
    pub(crate) is_map_entry: bool,
}

impl MessageInfo {
    pub(crate) fn field(&self, number: i32) -> Option<&FieldInfo> {
        self.fields.iter().find(|f| f.number == number)
    }

    pub(crate) fn is_number_reserved(&self, number: i32) -> bool {
        self.proto
            .reserved_range
            .iter()
            .any(|r| r.start() <= number && number < r.end())
    }

    pub(crate) fn is_name_reserved(&self, name: &str) -> bool {
        self.proto.reserved_name.iter().any(|n| n == name)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct EnumValueInfo {
    pub(crate) number: i32,
    pub(crate) name: String,
    pub(crate) path: SourcePath,
}

#[derive(Debug, Clone)]
pub(crate) struct EnumInfo {
    pub(crate) full_name: String,
    pub(crate) nested_name: String,
    pub(crate) file: String,
    pub(crate) path: SourcePath,
    pub(crate) proto: EnumDescriptorProto,
    pub(crate) values: Vec<EnumValueInfo>,
    /// proto2 enums are closed, proto3 enums open.
    pub(crate) closed: bool,
}

impl EnumInfo {
    pub(crate) fn names_for(&self, number: i32) -> Vec<&str> {
        self.values
            .iter()
            .filter(|v| v.number == number)
            .map(|v| v.name.as_str())
            .collect()
    }

    pub(crate) fn is_number_reserved(&self, number: i32) -> bool {
        self.proto
            .reserved_range
            .iter()
            .any(|r| r.start() <= number && number <= r.end())
    }

    pub(crate) fn is_name_reserved(&self, name: &str) -> bool {
        self.proto.reserved_name.iter().any(|n| n == name)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct MethodInfo {
    pub(crate) name: String,
    pub(crate) input: String,
    pub(crate) output: String,
    pub(crate) client_streaming: bool,
    pub(crate) server_streaming: bool,
    pub(crate) idempotency: String,
    pub(crate) path: SourcePath,
}

#[derive(Debug, Clone)]
pub(crate) struct ServiceInfo {
    pub(crate) full_name: String,
    pub(crate) name: String,
    pub(crate) file: String,
    pub(crate) path: SourcePath,
    pub(crate) methods: Vec<MethodInfo>,
}

#[derive(Debug, Clone)]
pub(crate) struct ExtensionInfo {
    pub(crate) full_name: String,
    pub(crate) extendee: String,
    pub(crate) file: String,
    pub(crate) field: FieldInfo,
}

/// One compiled side.
#[derive(Debug, Default)]
pub(crate) struct Model {
    /// By import name.
    pub(crate) files: BTreeMap<String, FileInfo>,
    pub(crate) messages: BTreeMap<String, MessageInfo>,
    pub(crate) enums: BTreeMap<String, EnumInfo>,
    pub(crate) services: BTreeMap<String, ServiceInfo>,
    pub(crate) extensions: BTreeMap<String, ExtensionInfo>,
    /// Package -> files declaring it (import names), over the compared files.
    pub(crate) packages: BTreeMap<String, Vec<String>>,
}

impl Model {
    /// Builds the model from compiled files. `paths` maps import names to
    /// repository paths; files not in it (imports such as the well-known
    /// types) still resolve types but are not compared.
    pub(crate) fn build(
        pool: &prost_reflect::DescriptorPool,
        paths: &HashMap<String, String>,
        texts: &HashMap<String, std::sync::Arc<str>>,
        locator: &std::sync::Arc<super::compile::Locator>,
    ) -> Model {
        let descriptors: Vec<prost_reflect::FileDescriptor> = pool.files().collect();
        let mut model = Model::default();
        // First pass: which message types are map entries, and enums' names.
        let mut map_entries = std::collections::HashSet::new();
        for descriptor in &descriptors {
            let file = descriptor.file_descriptor_proto();
            let package = file.package().to_string();
            collect_map_entries(&package, &file.message_type, &mut map_entries);
        }
        for descriptor in &descriptors {
            let file = descriptor.file_descriptor_proto();
            // Imports outside the compared set (the well-known types, unchanged
            // files) still provide types to look up, but are not compared.
            let target = paths.get(file.name());
            let mut info = FileInfo {
                name: file.name().to_string(),
                path: target.cloned().unwrap_or_default(),
                package: file.package().to_string(),
                syntax: match file.syntax() {
                    "" => "proto2".to_string(),
                    other => other.to_string(),
                },
                options: file.options.clone().unwrap_or_default(),
                text: texts
                    .get(file.name())
                    .cloned()
                    .unwrap_or_else(|| std::sync::Arc::from("")),
                locations: match &file.source_code_info {
                    Some(info) => std::sync::OnceLock::from(Some(info.clone())),
                    None => std::sync::OnceLock::new(),
                },
                interpreted: std::sync::OnceLock::new(),
                locator: locator.clone(),
                messages: Vec::new(),
                enums: Vec::new(),
                services: Vec::new(),
                extensions: Vec::new(),
            };
            let (file_name, package) = (info.name.clone(), info.package.clone());
            let scope = Scope {
                file: &file_name,
                package: &package,
                proto3: info.is_proto3(),
                map_entries: &map_entries,
            };
            for (i, message) in file.message_type.iter().enumerate() {
                add_message(
                    &mut model,
                    &mut info,
                    &scope,
                    message,
                    None,
                    vec![4, i as i32],
                );
            }
            for (i, enumeration) in file.enum_type.iter().enumerate() {
                add_enum(
                    &mut model,
                    &mut info,
                    &scope,
                    enumeration,
                    None,
                    vec![5, i as i32],
                );
            }
            for (i, service) in file.service.iter().enumerate() {
                add_service(&mut model, &mut info, &scope, service, vec![6, i as i32]);
            }
            for (i, extension) in file.extension.iter().enumerate() {
                add_extension(
                    &mut model,
                    &mut info,
                    &scope,
                    extension,
                    &scope.package_prefix(),
                    vec![7, i as i32],
                );
            }
            if target.is_some() {
                model
                    .packages
                    .entry(info.package.clone())
                    .or_default()
                    .push(info.name.clone());
                model.files.insert(info.name.clone(), info);
            }
        }
        model
    }

    pub(crate) fn file(&self, name: &str) -> Option<&FileInfo> {
        self.files.get(name)
    }

    /// Leaves a file out of the comparison (its types still resolve).
    pub(crate) fn forget(&mut self, name: &str) {
        if let Some(file) = self.files.remove(name)
            && let Some(files) = self.packages.get_mut(&file.package)
        {
            files.retain(|other| other != name);
            if files.is_empty() {
                self.packages.remove(&file.package);
            }
        }
    }

    /// Keeps only the compared files (what consumers read once the rules
    /// have run): the types are most of a model's memory, and a large
    /// comparison holds one model per group of files until its report.
    pub(crate) fn keep_files_only(&mut self) {
        self.messages = BTreeMap::new();
        self.enums = BTreeMap::new();
        self.services = BTreeMap::new();
        self.extensions = BTreeMap::new();
    }

    /// Adds another group's compared files (groups share no compared file).
    pub(crate) fn absorb_files(&mut self, other: Model) {
        for (package, mut files) in other.packages {
            self.packages.entry(package).or_default().append(&mut files);
        }
        self.files.extend(other.files);
    }
}

struct Scope<'a> {
    file: &'a str,
    package: &'a str,
    proto3: bool,
    map_entries: &'a std::collections::HashSet<String>,
}

impl Scope<'_> {
    fn package_prefix(&self) -> String {
        if self.package.is_empty() {
            String::new()
        } else {
            format!("{}.", self.package)
        }
    }
}

fn collect_map_entries(
    prefix: &str,
    messages: &[DescriptorProto],
    out: &mut std::collections::HashSet<String>,
) {
    for message in messages {
        let full = join(prefix, message.name());
        if message.options.as_ref().is_some_and(|o| o.map_entry()) {
            out.insert(full.clone());
        }
        collect_map_entries(&full, &message.nested_type, out);
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

fn add_message(
    model: &mut Model,
    file: &mut FileInfo,
    scope: &Scope<'_>,
    message: &DescriptorProto,
    parent: Option<(&str, &str)>,
    path: SourcePath,
) {
    let (full_name, nested_name) = match parent {
        Some((full, nested)) => (join(full, message.name()), join(nested, message.name())),
        None => (
            join(scope.package, message.name()),
            message.name().to_string(),
        ),
    };
    let is_map_entry = message.options.as_ref().is_some_and(|o| o.map_entry());
    // A map entry has no source of its own: buf points at the map field.
    let entry_field_path = |nested_index: usize| -> Option<SourcePath> {
        let nested = message.nested_type.get(nested_index)?;
        message
            .field
            .iter()
            .position(|f| {
                f.type_name().rsplit('.').next() == Some(nested.name())
                    && f.label() == Label::Repeated
            })
            .map(|i| {
                let mut p = path.clone();
                p.extend([2, i as i32]);
                p
            })
    };
    let fields = message
        .field
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let mut field_path = path.clone();
            field_path.extend([2, i as i32]);
            field_info(scope, field, Some(message), field_path)
        })
        .collect();
    let oneofs = message
        .oneof_decl
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            message
                .field
                .iter()
                .any(|f| f.oneof_index == Some(*i as i32) && !f.proto3_optional())
                || !message
                    .field
                    .iter()
                    .any(|f| f.oneof_index == Some(*i as i32))
        })
        .map(|(_, o)| o.name().to_string())
        .collect();
    file.messages.push(full_name.clone());
    for (i, nested) in message.nested_type.iter().enumerate() {
        let mut nested_path = path.clone();
        nested_path.extend([3, i as i32]);
        let is_entry = nested.options.as_ref().is_some_and(|o| o.map_entry());
        add_message(
            model,
            file,
            scope,
            nested,
            Some((&full_name, &nested_name)),
            nested_path,
        );
        if is_entry
            && let Some(map_field) = entry_field_path(i)
            && let Some(entry) = model.messages.get_mut(&join(&full_name, nested.name()))
        {
            for field in &mut entry.fields {
                field.path = map_field.clone();
            }
        }
    }
    for (i, nested) in message.enum_type.iter().enumerate() {
        let mut nested_path = path.clone();
        nested_path.extend([4, i as i32]);
        add_enum(
            model,
            file,
            scope,
            nested,
            Some((&full_name, &nested_name)),
            nested_path,
        );
    }
    for (i, extension) in message.extension.iter().enumerate() {
        let mut extension_path = path.clone();
        extension_path.extend([6, i as i32]);
        add_extension(model, file, scope, extension, &full_name, extension_path);
    }
    model.messages.insert(
        full_name.clone(),
        MessageInfo {
            full_name,
            nested_name,
            file: scope.file.to_string(),
            path,
            // What the rules read besides fields: options, reserved and extension ranges.
            proto: DescriptorProto {
                name: None,
                field: Vec::new(),
                extension: Vec::new(),
                nested_type: Vec::new(),
                enum_type: Vec::new(),
                oneof_decl: Vec::new(),
                ..message.clone()
            },
            fields,
            oneofs,
            is_map_entry,
        },
    );
}

fn field_info(
    scope: &Scope<'_>,
    field: &FieldDescriptorProto,
    message: Option<&DescriptorProto>,
    path: SourcePath,
) -> FieldInfo {
    let type_name = field.type_name().trim_start_matches('.').to_string();
    let kind = field.r#type();
    let oneof = match (field.oneof_index, message) {
        (Some(index), Some(message)) if !field.proto3_optional() => message
            .oneof_decl
            .get(index as usize)
            .map(|o| o.name().to_string()),
        _ => None,
    };
    let is_map = kind == Type::Message
        && field.label() == Label::Repeated
        && scope.map_entries.contains(&type_name);
    let cardinality = if is_map {
        Cardinality::Map
    } else {
        match field.label() {
            Label::Repeated => Cardinality::Repeated,
            Label::Required => Cardinality::Required,
            Label::Optional => {
                let explicit = !scope.proto3
                    || field.proto3_optional()
                    || field.oneof_index.is_some()
                    || matches!(kind, Type::Message | Type::Group)
                    || field.extendee.is_some();
                if explicit {
                    Cardinality::OptionalExplicit
                } else {
                    Cardinality::OptionalImplicit
                }
            }
        }
    };
    FieldInfo {
        number: field.number(),
        name: field.name().to_string(),
        json_name: field
            .json_name
            .clone()
            .unwrap_or_else(|| json_camel(field.name())),
        kind,
        type_name,
        oneof,
        cardinality,
        default: field.default_value.clone(),
        options: field.options.clone(),
        path,
    }
}

/// protoc's default JSON name: underscores dropped, the next letter upper-cased.
pub(crate) fn json_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn add_enum(
    model: &mut Model,
    file: &mut FileInfo,
    scope: &Scope<'_>,
    enumeration: &EnumDescriptorProto,
    parent: Option<(&str, &str)>,
    path: SourcePath,
) {
    let (full_name, nested_name) = match parent {
        Some((full, nested)) => (
            join(full, enumeration.name()),
            join(nested, enumeration.name()),
        ),
        None => (
            join(scope.package, enumeration.name()),
            enumeration.name().to_string(),
        ),
    };
    let values = enumeration
        .value
        .iter()
        .enumerate()
        .map(|(i, value)| {
            let mut value_path = path.clone();
            value_path.extend([2, i as i32]);
            EnumValueInfo {
                number: value.number(),
                name: value.name().to_string(),
                path: value_path,
            }
        })
        .collect();
    file.enums.push(full_name.clone());
    model.enums.insert(
        full_name.clone(),
        EnumInfo {
            full_name,
            nested_name,
            file: scope.file.to_string(),
            path,
            proto: EnumDescriptorProto {
                value: Vec::new(),
                ..enumeration.clone()
            },
            values,
            closed: !scope.proto3,
        },
    );
}

fn add_service(
    model: &mut Model,
    file: &mut FileInfo,
    scope: &Scope<'_>,
    service: &ServiceDescriptorProto,
    path: SourcePath,
) {
    let full_name = join(scope.package, service.name());
    let methods = service
        .method
        .iter()
        .enumerate()
        .map(|(i, method)| {
            let mut method_path = path.clone();
            method_path.extend([2, i as i32]);
            MethodInfo {
                name: method.name().to_string(),
                input: method.input_type().trim_start_matches('.').to_string(),
                output: method.output_type().trim_start_matches('.').to_string(),
                client_streaming: method.client_streaming(),
                server_streaming: method.server_streaming(),
                idempotency: method
                    .options
                    .as_ref()
                    .map(|o| o.idempotency_level().as_str_name().to_string())
                    .unwrap_or_else(|| "IDEMPOTENCY_UNKNOWN".to_string()),
                path: method_path,
            }
        })
        .collect();
    file.services.push(full_name.clone());
    model.services.insert(
        full_name.clone(),
        ServiceInfo {
            full_name,
            name: service.name().to_string(),
            file: scope.file.to_string(),
            path,
            methods,
        },
    );
}

fn add_extension(
    model: &mut Model,
    file: &mut FileInfo,
    scope: &Scope<'_>,
    extension: &FieldDescriptorProto,
    prefix: &str,
    path: SourcePath,
) {
    let full_name = join(prefix.trim_end_matches('.'), extension.name());
    let field = field_info(scope, extension, None, path);
    file.extensions.push(full_name.clone());
    model.extensions.insert(
        full_name.clone(),
        ExtensionInfo {
            full_name,
            extendee: extension.extendee().trim_start_matches('.').to_string(),
            file: scope.file.to_string(),
            field,
        },
    );
}

pub(crate) fn kind_name(kind: Type) -> &'static str {
    match kind {
        Type::Double => "double",
        Type::Float => "float",
        Type::Int64 => "int64",
        Type::Uint64 => "uint64",
        Type::Int32 => "int32",
        Type::Fixed64 => "fixed64",
        Type::Fixed32 => "fixed32",
        Type::Bool => "bool",
        Type::String => "string",
        Type::Group => "group",
        Type::Message => "message",
        Type::Bytes => "bytes",
        Type::Uint32 => "uint32",
        Type::Enum => "enum",
        Type::Sfixed32 => "sfixed32",
        Type::Sfixed64 => "sfixed64",
        Type::Sint32 => "sint32",
        Type::Sint64 => "sint64",
    }
}

#[cfg(test)]
mod tests {
    use super::through_options;

    #[test]
    fn option_paths_are_recognised_through_nested_elements() {
        // file option 11 (go_package)
        assert_eq!(through_options(&[8, 11]), Some(1));
        // message 0, option 7 of the message
        assert_eq!(through_options(&[4, 0, 7, 2]), Some(3));
        // message 0, field 1, its options (json_name is 10, not an option)
        assert_eq!(through_options(&[4, 0, 2, 1, 8]), Some(5));
        assert_eq!(through_options(&[4, 0, 2, 1, 10]), None);
        // nested message 1 of message 0, enum 0 inside, value 2, its options
        assert_eq!(through_options(&[4, 0, 3, 1, 4, 0, 2, 2, 3, 1]), Some(9));
        // service 0, method 1, options
        assert_eq!(through_options(&[6, 0, 2, 1, 4, 33]), Some(5));
        // a field's name, a message's name
        assert_eq!(through_options(&[4, 0, 2, 1, 1]), None);
        assert_eq!(through_options(&[4, 0, 1]), None);
    }
}
