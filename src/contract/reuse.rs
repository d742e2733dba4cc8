//! FIELD_NO_REUSE (beyond buf, off by default): a field number or name that
//! a message used earlier in git history, deleted, and now uses again. No
//! pairwise check can see it: the deletion was reviewed in one change, the
//! reuse arrives in another, and old data or old clients read the new field
//! with the old meaning.

use super::compare::{Comparison, ContractFinding, Settings};
use super::rules::Side;
use super::source::ProtoSet;
use crate::error::InputError;
use crate::git::{Git, short};
use crate::registry::{Def, RuleId};
use crate::report::Severity;
use git2::Oid;
use protox::file::{File, FileResolver, GoogleFileResolver};
use std::collections::{BTreeMap, HashMap, HashSet};

pub(crate) const ID: &str = RuleId::FieldNoReuse.as_str();

/// How far back the history walk goes.
const MAX_COMMITS: usize = 5000;

pub(crate) const DEF: Def = Def::new(
    Severity::Error,
    "A field number or name deleted earlier in git history is used again",
    include_str!("reuse.md"),
);

/// Reads files of one commit lazily by import name (owns its repository
/// handle: protox keeps resolvers for the compiler's lifetime).
struct CommitResolver {
    repo: git2::Repository,
    commit: Oid,
    /// Import name -> repository path on the new side (layouts rarely move).
    names: std::collections::BTreeMap<String, String>,
    roots: Vec<String>,
    /// Where the project is in the repository ("" at its root).
    project: String,
    google: GoogleFileResolver,
}

/// A project path as a path of the repository's trees.
fn git_path(project: &str, path: &str) -> std::path::PathBuf {
    if project.is_empty() {
        std::path::PathBuf::from(path)
    } else {
        std::path::Path::new(project).join(path)
    }
}

impl FileResolver for CommitResolver {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        let tree = self
            .repo
            .find_commit(self.commit)
            .and_then(|c| c.tree())
            .map_err(|e| protox::Error::new(e.message().to_string()))?;
        let candidates = self
            .names
            .get(name)
            .cloned()
            .into_iter()
            .chain(self.roots.iter().map(|root| {
                if root.is_empty() {
                    name.to_string()
                } else {
                    format!("{root}/{name}")
                }
            }))
            .chain(std::iter::once(name.to_string()));
        for path in candidates {
            if let Ok(entry) = tree.get_path(&git_path(&self.project, &path))
                && let Ok(blob) = self.repo.find_blob(entry.id())
            {
                let text = String::from_utf8_lossy(blob.content());
                return File::from_source(name, &text);
            }
        }
        self.google.open_file(name)
    }
}

/// A field of the new side that the old side does not have (by number or by name).
struct Slot {
    /// Index of the compilation unit in the comparison.
    unit: usize,
    /// Import name of the file.
    file: String,
    message: String,
    number: i32,
    name: String,
    loc: Option<super::model::Loc>,
}

fn new_fields(comparison: &Comparison) -> Vec<Slot> {
    let mut slots = Vec::new();
    for (unit, compared) in comparison.units.iter().enumerate() {
        for file in compared.new_model.files.values() {
            for full in &file.messages {
                let Some(message) = compared.new_model.messages.get(full) else {
                    continue;
                };
                let old = compared.old_model.messages.get(full);
                for field in &message.fields {
                    let known_number = old.is_some_and(|m| m.field(field.number).is_some());
                    let known_name =
                        old.is_some_and(|m| m.fields.iter().any(|f| f.name == field.name));
                    if known_number && known_name {
                        continue;
                    }
                    slots.push(Slot {
                        unit,
                        file: file.name.clone(),
                        message: full.clone(),
                        number: field.number,
                        name: field.name.clone(),
                        loc: file.loc(&field.path),
                    });
                }
            }
        }
    }
    slots
}

/// What history says about the wanted messages' fields: (unit, message) ->
/// number -> (field name, last commit seen), and -> name -> (number, commit).
#[derive(Default)]
struct Seen {
    numbers: HashMap<(usize, String), HashMap<i32, (String, Oid)>>,
    names: HashMap<(usize, String), HashMap<String, (i32, Oid)>>,
}

pub(crate) fn check(
    git: &Git,
    base: Oid,
    project: &str,
    _new: &ProtoSet,
    comparison: &Comparison,
    _settings: &Settings,
) -> Result<Vec<ContractFinding>, InputError> {
    let slots = new_fields(comparison);
    if slots.is_empty() {
        return Ok(Vec::new());
    }
    let seen = walk_history(git, base, project, comparison, &slots)?;
    let mut findings = Vec::new();
    for slot in slots {
        let unit = &comparison.units[slot.unit];
        let key = (slot.unit, slot.message.clone());
        let old_message = unit.old_model.messages.get(&slot.message);
        let short_name = slot.message.rsplit('.').next().unwrap_or(&slot.message);
        let (number, name) = (slot.number, &slot.name);
        if let Some((old_name, commit)) = seen.numbers.get(&key).and_then(|m| m.get(&number))
            && old_message.is_none_or(|m| m.field(number).is_none())
            && old_name != name
        {
            findings.push(finding(
                &slot.file,
                &unit.new_layout,
                slot.loc,
                format!("{}.{number}", slot.message),
                format!(
                    "Field \"{number}\" with name \"{name}\" on message \"{short_name}\" reuses the number of field \"{old_name}\", deleted after commit {}.",
                    short(*commit)
                ),
            ));
        } else if let Some((old_number, commit)) = seen.names.get(&key).and_then(|m| m.get(name))
            && old_message.is_none_or(|m| !m.fields.iter().any(|f| &f.name == name))
            && *old_number != number
        {
            findings.push(finding(
                &slot.file,
                &unit.new_layout,
                slot.loc,
                format!("{}:{name}", slot.message),
                format!(
                    "Field \"{number}\" with name \"{name}\" on message \"{short_name}\" reuses the name of field \"{old_number}\", deleted after commit {}.",
                    short(*commit)
                ),
            ));
        }
    }
    Ok(findings)
}

/// Compiles every historical version of the files that declare the wanted
/// messages (each blob once) and records their fields.
fn walk_history(
    git: &Git,
    base: Oid,
    project: &str,
    comparison: &Comparison,
    slots: &[Slot],
) -> Result<Seen, InputError> {
    // Which files to follow through history: those declaring the messages.
    let mut files: BTreeMap<(usize, String), String> = BTreeMap::new(); // (unit, import name) -> repo path
    for slot in slots {
        if let Some(path) = comparison.units[slot.unit].new_layout.names.get(&slot.file) {
            files.insert((slot.unit, slot.file.clone()), path.clone());
        }
    }
    let wanted: HashSet<(usize, &str)> =
        slots.iter().map(|s| (s.unit, s.message.as_str())).collect();
    let mut seen = Seen::default();
    let mut walk = git
        .repository()
        .revwalk()
        .map_err(|e| InputError::new(format!("cannot walk history: {}", e.message())))?;
    walk.push(base)
        .map_err(|e| InputError::new(format!("cannot walk history: {}", e.message())))?;
    let mut seen_blobs: HashSet<Oid> = HashSet::new();
    for (index, commit) in walk.flatten().enumerate() {
        if index >= MAX_COMMITS {
            break;
        }
        for ((unit, name), path) in &files {
            let Ok(tree) = git.repository().find_commit(commit).and_then(|c| c.tree()) else {
                continue;
            };
            let Ok(entry) = tree.get_path(&git_path(project, path)) else {
                continue;
            };
            if !seen_blobs.insert(entry.id()) {
                continue;
            }
            let Ok(handle) = git2::Repository::open(git.repository().path()) else {
                continue;
            };
            let layout = &comparison.units[*unit].new_layout;
            let resolver = CommitResolver {
                repo: handle,
                commit,
                names: layout.names.clone(),
                roots: layout.roots.clone(),
                project: project.to_string(),
                google: GoogleFileResolver::new(),
            };
            let mut compiler = protox::Compiler::with_file_resolver(resolver);
            if compiler.open_file(name).is_err() {
                continue; // a historical version that does not compile says nothing
            }
            let set = compiler.file_descriptor_set();
            let Some(file) = set.file.iter().find(|f| f.name() == name) else {
                continue;
            };
            record_fields(file, *unit, &wanted, commit, &mut seen);
        }
    }
    Ok(seen)
}

fn record_fields(
    file: &prost_types::FileDescriptorProto,
    unit: usize,
    wanted: &HashSet<(usize, &str)>,
    commit: Oid,
    seen: &mut Seen,
) {
    let prefix = if file.package().is_empty() {
        String::new()
    } else {
        format!("{}.", file.package())
    };
    let mut visit: Vec<(String, &prost_types::DescriptorProto)> = file
        .message_type
        .iter()
        .map(|message| (format!("{prefix}{}", message.name()), message))
        .collect();
    while let Some((full, message)) = visit.pop() {
        for nested in &message.nested_type {
            visit.push((format!("{full}.{}", nested.name()), nested));
        }
        if !wanted.contains(&(unit, full.as_str())) {
            continue;
        }
        let key = (unit, full);
        for field in &message.field {
            seen.numbers
                .entry(key.clone())
                .or_default()
                .entry(field.number())
                .or_insert((field.name().to_string(), commit));
            seen.names
                .entry(key.clone())
                .or_default()
                .entry(field.name().to_string())
                .or_insert((field.number(), commit));
        }
    }
}

fn finding(
    file: &str,
    layout: &super::source::Layout,
    loc: Option<super::model::Loc>,
    key: String,
    message: String,
) -> ContractFinding {
    ContractFinding {
        rule: ID.to_string(),
        path: layout
            .names
            .get(file)
            .cloned()
            .unwrap_or_else(|| file.to_string()),
        name: file.to_string(),
        side: Side::New,
        loc,
        message,
        key,
        deleted_file: false,
        as_buf: None,
        previously: None,
    }
}
