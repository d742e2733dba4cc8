//! buf's breaking rules, one per file: each is an id, its categories, its
//! purpose, its docs and a check over a pair of compiled sides.

use super::model::{
    EnumInfo, FieldInfo, FileInfo, Loc, MessageInfo, MethodInfo, Model, ServiceInfo,
};

// The `mod` lines are at the end of this file; the list of rules is `crate::registry`'s,
// and the tables below are made from it.

/// buf's categories (config v2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    File,
    Package,
    WireJson,
    Wire,
    /// Confluent Schema Registry compatibility (buf v2 only).
    Csr,
}

impl Category {
    pub(crate) const ALL: [Category; 5] = [
        Category::File,
        Category::Package,
        Category::WireJson,
        Category::Wire,
        Category::Csr,
    ];

    pub(crate) fn id(self) -> &'static str {
        match self {
            Category::File => "FILE",
            Category::Package => "PACKAGE",
            Category::WireJson => "WIRE_JSON",
            Category::Wire => "WIRE",
            Category::Csr => "CSR",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.id() == text)
    }
}

/// Which side a finding points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Side {
    /// The new file (the usual case).
    New,
    /// The old file: the element, or the whole file, is gone from the new side.
    Old,
}

/// What a rule found, before it becomes a report finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Hit {
    pub(crate) rule: &'static str,
    /// Import name of the file the location is in.
    pub(crate) file: String,
    pub(crate) side: Side,
    /// `None` where buf has no location (a top-level element deleted from a
    /// file, a deleted file): buf prints line 1, column 1 then.
    pub(crate) loc: Option<Loc>,
    pub(crate) message: String,
    /// Line-independent identity for fingerprints.
    pub(crate) key: String,
    /// What `buf breaking` prints instead, where trellis's own formats say
    /// something more useful (`--format buf-json`/`buf-text` print this).
    pub(crate) as_buf: Option<AsBuf>,
    /// Where the element a deletion rule misses was defined on the old side:
    /// trellis's formats show it as a related location, buf's do not.
    pub(crate) previously: Option<OldDefinition>,
}

/// An element's definition on the old side: import name of its old file and
/// its location there.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct OldDefinition {
    pub(crate) file: String,
    pub(crate) loc: Option<Loc>,
}

/// buf's location and text of a finding, where they differ from trellis's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct AsBuf {
    /// `None`: line 1, column 1 of the file.
    pub(crate) loc: Option<Loc>,
    pub(crate) message: String,
}

pub(crate) struct Rule {
    pub(crate) id: &'static str,
    pub(crate) categories: &'static [Category],
    /// Deprecated in buf: in no category, run only when listed by id.
    pub(crate) deprecated: bool,
    /// buf's one-line purpose.
    pub(crate) purpose: &'static str,
    /// Markdown: What / Why / Example / Fix.
    pub(crate) docs: &'static str,
    pub(crate) check: fn(&Pair<'_>, &mut Sink<'_>),
}

impl Rule {
    /// The docs as `trellis explain` shows them: they end with the rule's
    /// categories, written from the data so that prose and data cannot differ.
    pub(crate) fn full_docs(&self) -> String {
        let categories = if self.deprecated {
            "none (deprecated; run only when listed by id)".to_string()
        } else {
            let names: Vec<&str> = self.categories.iter().map(|c| c.id()).collect();
            names.join(", ")
        };
        format!(
            "{}\n\nCategories: {categories}. Same id and verdicts as `buf breaking`.",
            self.docs.trim()
        )
    }
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

/// Deprecated ids of buf config v1/v1beta1 and the v2 rules they map to.
pub(crate) const ALIASES: &[(&str, &[&str])] = &[
    ("FIELD_SAME_CTYPE", &["FIELD_SAME_CPP_STRING_TYPE"]),
    (
        "FIELD_SAME_LABEL",
        &[
            "FIELD_SAME_CARDINALITY",
            "FIELD_WIRE_COMPATIBLE_CARDINALITY",
            "FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY",
        ],
    ),
    (
        "FILE_SAME_JAVA_STRING_CHECK_UTF8",
        &["FIELD_SAME_JAVA_UTF8_VALIDATION"],
    ),
    // The option left descriptor.proto; nothing can change it any more.
    ("FILE_SAME_PHP_GENERIC_SERVICES", &[]),
];

/// Makes the contract job's tables from the registry's list.
macro_rules! contract_tables {
    (
        lint { $($lint:tt)* }
        contract { $( $cv:ident = $cid:literal => $cmod:ident $({ $($co:tt)* })? ),* $(,)? }
        contract_engine { $( $ev:ident = $eid:literal => $emod:ident $({ $($eo:tt)* })? ),* $(,)? }
        $($rest:tt)*
    ) => {
        /// buf's breaking rules, in buf's order.
        static CONTRACT_RULES: &[Rule] = &[$($cmod::RULE,)*];

        /// The rules of trellis's own that the contract job reports, after buf's.
        pub(crate) static ENGINE_RULES: &[(crate::registry::RuleId, &crate::registry::Def)] =
            &[$((crate::registry::RuleId::$ev, &crate::contract::$emod::DEF),)*];
    };
}

crate::registry::with_rules!(contract_tables);

pub(crate) fn all() -> &'static [Rule] {
    CONTRACT_RULES
}

pub(crate) fn find(id: &str) -> Option<&'static Rule> {
    all().iter().find(|r| r.id == id)
}

/// Collects one rule's hits.
pub(crate) struct Sink<'a> {
    pub(crate) rule: &'static str,
    pub(crate) hits: &'a mut Vec<Hit>,
}

impl Sink<'_> {
    /// A hit in the new file `file` at `loc`.
    pub(crate) fn new_side(&mut self, file: &str, loc: Option<Loc>, key: String, message: String) {
        self.hits.push(Hit {
            rule: self.rule,
            file: file.to_string(),
            side: Side::New,
            loc,
            message,
            key,
            as_buf: None,
            previously: None,
        });
    }

    pub(crate) fn old_side(&mut self, file: &str, loc: Option<Loc>, key: String, message: String) {
        self.hits.push(Hit {
            rule: self.rule,
            file: file.to_string(),
            side: Side::Old,
            loc,
            message,
            key,
            as_buf: None,
            previously: None,
        });
    }

    /// Records where the hit just added was defined on the old side (a
    /// deleted field, RPC, message...), when the old file says.
    pub(crate) fn previously(&mut self, file: &str, loc: Option<Loc>) {
        if let Some(hit) = self.hits.last_mut() {
            hit.previously = Some(OldDefinition {
                file: file.to_string(),
                loc,
            });
        }
    }

    /// Gives the hit just added buf's own location and text, for buf's output
    /// formats, where trellis's differ on purpose (docs/contract.md says where).
    pub(crate) fn as_buf_prints(&mut self, loc: Option<Loc>, message: String) {
        if let Some(hit) = self.hits.last_mut() {
            hit.as_buf = Some(AsBuf { loc, message });
        }
    }
}

/// The two sides and the files to compare (import names).
pub(crate) struct Pair<'a> {
    pub(crate) old: &'a Model,
    pub(crate) new: &'a Model,
}

impl<'a> Pair<'a> {
    /// Files present on both sides, by import name.
    pub(crate) fn files(&self) -> impl Iterator<Item = (&'a FileInfo, &'a FileInfo)> + '_ {
        self.old
            .files
            .values()
            .filter_map(|old| self.new.files.get(&old.name).map(|new| (old, new)))
    }

    /// Messages in the new compared files that existed before (by full name).
    pub(crate) fn messages(&self) -> Vec<(&'a MessageInfo, &'a MessageInfo)> {
        let mut out = Vec::new();
        for file in self.new.files.values() {
            for name in &file.messages {
                if let (Some(old), Some(new)) =
                    (self.old.messages.get(name), self.new.messages.get(name))
                    && self.old.files.contains_key(&old.file)
                {
                    out.push((old, new));
                }
            }
        }
        out
    }

    /// Fields paired by number inside paired messages, then extensions
    /// paired by (extendee, number), as buf pairs them.
    pub(crate) fn fields(&self) -> Vec<FieldPair<'a>> {
        let mut out = Vec::new();
        for (old_message, new_message) in self.messages() {
            for new_field in &new_message.fields {
                if let Some(old_field) = old_message.field(new_field.number) {
                    out.push(FieldPair {
                        old_file: &old_message.file,
                        new_file: &new_message.file,
                        owner: &new_message.full_name,
                        extension: None,
                        in_map_entry: old_message.is_map_entry || new_message.is_map_entry,
                        old: old_field,
                        new: new_field,
                    });
                }
            }
        }
        let mut old_extensions = std::collections::HashMap::new();
        for file in self.old.files.values() {
            for name in &file.extensions {
                if let Some(x) = self.old.extensions.get(name) {
                    old_extensions.insert((x.extendee.as_str(), x.field.number), x);
                }
            }
        }
        for file in self.new.files.values() {
            for name in &file.extensions {
                let Some(new) = self.new.extensions.get(name) else {
                    continue;
                };
                if let Some(old) = old_extensions.get(&(new.extendee.as_str(), new.field.number)) {
                    out.push(FieldPair {
                        old_file: &old.file,
                        new_file: &new.file,
                        owner: &new.extendee,
                        extension: Some(&new.full_name),
                        in_map_entry: false,
                        old: &old.field,
                        new: &new.field,
                    });
                }
            }
        }
        out
    }

    pub(crate) fn enums(&self) -> Vec<(&'a EnumInfo, &'a EnumInfo)> {
        let mut out = Vec::new();
        for file in self.new.files.values() {
            for name in &file.enums {
                if let (Some(old), Some(new)) = (self.old.enums.get(name), self.new.enums.get(name))
                    && self.old.files.contains_key(&old.file)
                {
                    out.push((old, new));
                }
            }
        }
        out
    }

    pub(crate) fn services(&self) -> Vec<(&'a ServiceInfo, &'a ServiceInfo)> {
        let mut out = Vec::new();
        for file in self.new.files.values() {
            for name in &file.services {
                if let (Some(old), Some(new)) =
                    (self.old.services.get(name), self.new.services.get(name))
                    && self.old.files.contains_key(&old.file)
                {
                    out.push((old, new));
                }
            }
        }
        out
    }

    /// RPCs paired by name inside paired services.
    pub(crate) fn methods(&self) -> Vec<(&'a ServiceInfo, &'a MethodInfo, &'a MethodInfo)> {
        let mut out = Vec::new();
        for (old_service, new_service) in self.services() {
            for new_method in &new_service.methods {
                if let Some(old_method) = old_service
                    .methods
                    .iter()
                    .find(|m| m.name == new_method.name)
                {
                    out.push((new_service, old_method, new_method));
                }
            }
        }
        out
    }

    /// Location of a source path in a new file.
    pub(crate) fn loc(&self, file: &str, path: &[i32]) -> Option<Loc> {
        self.new.file(file).and_then(|f| f.loc(path))
    }

    /// Location of a source path in an old file.
    pub(crate) fn old_loc(&self, file: &str, path: &[i32]) -> Option<Loc> {
        self.old.file(file).and_then(|f| f.loc(path))
    }

    /// The first of several source paths that has a location in the new file.
    pub(crate) fn loc_any(&self, file: &str, paths: &[&[i32]]) -> Option<Loc> {
        paths.iter().find_map(|path| self.loc(file, path))
    }
}

pub(crate) struct FieldPair<'a> {
    pub(crate) old_file: &'a str,
    pub(crate) new_file: &'a str,
    /// Full name of the message holding the field, or of the extended message.
    pub(crate) owner: &'a str,
    /// Full name of the extension, for extension fields.
    pub(crate) extension: Option<&'a str>,
    /// Fields of map entries are skipped by the cardinality rules.
    pub(crate) in_map_entry: bool,
    pub(crate) old: &'a FieldInfo,
    pub(crate) new: &'a FieldInfo,
}

impl FieldPair<'_> {
    pub(crate) fn file(&self) -> &str {
        self.new_file
    }

    /// `Field "1" with name "a" on message "M"`, buf's subject for field findings.
    pub(crate) fn subject(&self) -> String {
        match self.extension {
            Some(extension) => format!(
                "Extension \"{}\" with name \"{extension}\" on message \"{}\"",
                self.new.number, self.owner
            ),
            None => format!(
                "Field \"{}\" with name \"{}\" on message \"{}\"",
                self.new.number,
                self.new.name,
                short_name(self.owner)
            ),
        }
    }

    /// `Field "1" on message "M"` (no name: the name is what changed).
    pub(crate) fn subject_without_name(&self) -> String {
        match self.extension {
            Some(_) => format!(
                "Extension \"{}\" on message \"{}\"",
                self.new.number, self.owner
            ),
            None => format!(
                "Field \"{}\" on message \"{}\"",
                self.new.number,
                short_name(self.owner)
            ),
        }
    }

    pub(crate) fn key(&self) -> String {
        format!("{}.{}", self.owner, self.new.number)
    }
}

/// The last component of a full name: buf names messages by their own name.
pub(crate) fn short_name(full: &str) -> &str {
    full.rsplit('.').next().unwrap_or(full)
}

/// Shared check bodies for rules that differ only in what they look at.
pub(crate) mod shared;
// ---- registry (generated list: one line per rule file) ----
pub(crate) mod enum_no_delete;
pub(crate) mod enum_same_json_format;
pub(crate) mod enum_same_type;
pub(crate) mod enum_value_no_delete;
pub(crate) mod enum_value_no_delete_unless_name_reserved;
pub(crate) mod enum_value_no_delete_unless_number_reserved;
pub(crate) mod enum_value_same_name;
pub(crate) mod extension_message_no_delete;
pub(crate) mod extension_no_delete;
pub(crate) mod field_no_delete;
pub(crate) mod field_no_delete_unless_name_reserved;
pub(crate) mod field_no_delete_unless_number_reserved;
pub(crate) mod field_same_cardinality;
pub(crate) mod field_same_cpp_string_type;
pub(crate) mod field_same_default;
pub(crate) mod field_same_java_utf8_validation;
pub(crate) mod field_same_json_name;
pub(crate) mod field_same_jstype;
pub(crate) mod field_same_name;
pub(crate) mod field_same_oneof;
pub(crate) mod field_same_type;
pub(crate) mod field_same_utf8_validation;
pub(crate) mod field_wire_compatible_cardinality;
pub(crate) mod field_wire_compatible_type;
pub(crate) mod field_wire_json_compatible_cardinality;
pub(crate) mod field_wire_json_compatible_type;
pub(crate) mod file_no_delete;
pub(crate) mod file_same_cc_enable_arenas;
pub(crate) mod file_same_cc_generic_services;
pub(crate) mod file_same_csharp_namespace;
pub(crate) mod file_same_go_package;
pub(crate) mod file_same_java_generic_services;
pub(crate) mod file_same_java_multiple_files;
pub(crate) mod file_same_java_outer_classname;
pub(crate) mod file_same_java_package;
pub(crate) mod file_same_objc_class_prefix;
pub(crate) mod file_same_optimize_for;
pub(crate) mod file_same_package;
pub(crate) mod file_same_php_class_prefix;
pub(crate) mod file_same_php_metadata_namespace;
pub(crate) mod file_same_php_namespace;
pub(crate) mod file_same_py_generic_services;
pub(crate) mod file_same_ruby_package;
pub(crate) mod file_same_swift_prefix;
pub(crate) mod file_same_syntax;
pub(crate) mod message_no_delete;
pub(crate) mod message_no_remove_standard_descriptor_accessor;
pub(crate) mod message_same_json_format;
pub(crate) mod message_same_message_set_wire_format;
pub(crate) mod message_same_required_fields;
pub(crate) mod oneof_no_delete;
pub(crate) mod package_enum_no_delete;
pub(crate) mod package_extension_no_delete;
pub(crate) mod package_message_no_delete;
pub(crate) mod package_no_delete;
pub(crate) mod package_service_no_delete;
pub(crate) mod reserved_enum_no_delete;
pub(crate) mod reserved_message_no_delete;
pub(crate) mod rpc_no_delete;
pub(crate) mod rpc_same_client_streaming;
pub(crate) mod rpc_same_idempotency_level;
pub(crate) mod rpc_same_request_type;
pub(crate) mod rpc_same_response_type;
pub(crate) mod rpc_same_server_streaming;
pub(crate) mod service_no_delete;
