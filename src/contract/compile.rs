//! Compiling one unit of a side with protox, from memory: the unit's files
//! by import name, then the other units' files, the import-only files and
//! the well-known types bundled with protox.

use super::model::Model;
use super::source::{ProtoSet, scan_header};
use super::units::SideUnits;
use crate::error::InputError;
use miette::Diagnostic;
use protox::file::{File, FileResolver, GoogleFileResolver};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// Import-only files (`contract.imports`, buf's module cache): import name ->
/// (where they were read, text).
pub(crate) type ImportFiles = HashMap<String, (String, Arc<str>)>;

/// One side as the compiler reads it: its units and the texts of its files.
#[derive(Debug)]
pub(crate) struct SideSource {
    /// How errors name the side: `old (main@1a2b3c4d5e)`.
    pub(crate) label: String,
    pub(crate) units: SideUnits,
    /// Repository path -> text.
    texts: HashMap<String, Arc<str>>,
    imports: Arc<ImportFiles>,
}

impl SideSource {
    pub(crate) fn new(
        set: &ProtoSet,
        units: SideUnits,
        imports: Arc<ImportFiles>,
    ) -> Arc<SideSource> {
        let texts = set
            .files
            .iter()
            .filter_map(|(path, file)| Some((path.clone(), file.text.clone()?)))
            .collect();
        Arc::new(SideSource {
            label: set.label.clone(),
            units,
            texts,
            imports,
        })
    }

    /// What an import of a file in `unit` opens: where it was read, and its text.
    pub(crate) fn open(&self, unit: usize, name: &str) -> Option<(&String, &Arc<str>)> {
        if let Some((_, path)) = self.units.resolve(unit, name)
            && let Some(text) = self.texts.get(path)
        {
            return Some((path, text));
        }
        self.imports.get(name).map(|(path, text)| (path, text))
    }

    /// The text of one of the side's files, by repository path.
    pub(crate) fn text(&self, path: &str) -> Option<&Arc<str>> {
        self.texts.get(path)
    }
}

struct UnitResolver {
    side: Arc<SideSource>,
    unit: usize,
    google: GoogleFileResolver,
    located: Located,
}

/// Which files keep their source locations (and comments). Locations are
/// most of a compiled file's memory: sides are compiled without them, the
/// model reads them from a file's text when a finding needs them, and only
/// options are located by compiling a file again (see [`Locator`]); a
/// compile error is located by compiling again with all.
enum Located {
    All,
    Nothing,
    /// One file, whose options a finding needs located.
    Only(String),
}

impl FileResolver for UnitResolver {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        match self.side.open(self.unit, name) {
            Some((_, text)) => match &self.located {
                Located::All => File::from_source(name, text),
                Located::Only(located) if located == name => File::from_source(name, text),
                Located::Nothing | Located::Only(_) => {
                    let mut descriptor = protox_parse::parse(name, text)?;
                    descriptor.source_code_info = None;
                    Ok(File::from_file_descriptor_proto(descriptor))
                }
            },
            None => self.google.open_file(name),
        }
    }
}

/// Locations of options, which exist only once the compiler has interpreted
/// them: the file a finding needs one from is compiled again, alone and
/// with locations (its imports without).
#[derive(Debug)]
pub(crate) struct Locator {
    side: Arc<SideSource>,
    unit: usize,
}

impl Locator {
    pub(crate) fn interpreted(&self, name: &str) -> Option<prost_types::SourceCodeInfo> {
        let mut compiler = compiler(&self.side, self.unit, Located::Only(name.to_string()));
        compiler.open_file(name).ok()?;
        let pool = compiler.descriptor_pool();
        let file = pool.get_file_by_name(name)?;
        file.file_descriptor_proto().source_code_info.clone()
    }
}

fn compiler(side: &Arc<SideSource>, unit: usize, located: Located) -> protox::Compiler {
    let resolver = UnitResolver {
        side: side.clone(),
        unit,
        google: GoogleFileResolver::new(),
        located,
    };
    let mut compiler = protox::Compiler::with_file_resolver(resolver);
    compiler.include_imports(true);
    compiler
}

/// A target that did not compile.
#[derive(Debug)]
pub(crate) struct Failure {
    /// The target's import name.
    pub(crate) target: String,
    /// Where that file was read: its repository path, or its import name
    /// for files from outside the side.
    pub(crate) path: String,
    /// For a name defined twice: the import name of the file that defined it first.
    pub(crate) other: Option<String>,
    /// An import that resolves nowhere.
    pub(crate) not_found: bool,
    /// What is wrong, without side or file.
    pub(crate) reason: String,
    /// Side, file, line, column and message; the help is the caller's, who
    /// knows which setting fixes the layout.
    pub(crate) error: InputError,
}

/// One unit of one side, compiled.
#[derive(Debug, Default)]
pub(crate) struct UnitBuild {
    /// The targets that compiled (and the types of what they import).
    pub(crate) model: Model,
    pub(crate) failures: Vec<Failure>,
    /// Repository paths of every file that compiled into the unit, the
    /// targets and what they import.
    pub(crate) compiled: BTreeSet<String>,
}

/// Compiles `targets` (import names) of one unit and what they import, one
/// target at a time: a target that does not compile is a [`Failure`] and
/// the others still compile.
pub(crate) fn compile_unit(
    side: &Arc<SideSource>,
    unit: usize,
    targets: &BTreeSet<String>,
) -> UnitBuild {
    let mut failures: Vec<Failure> = targets
        .iter()
        .filter_map(|name| edition_failure(side, unit, name))
        .collect();
    let compilable: Vec<&String> = targets
        .iter()
        .filter(|name| !failures.iter().any(|f| &f.target == *name))
        .collect();
    let (pool, errors) = compile_targets(side, unit, &compilable, Located::Nothing);
    if !errors.is_empty() {
        // Again with locations, for the errors' lines and columns.
        let (_, located) = compile_targets(side, unit, &compilable, Located::All);
        for (target, err) in errors {
            let err = located
                .iter()
                .find(|(name, _)| *name == target)
                .map_or(&err, |(_, located)| located);
            failures.push(failure(side, unit, target, err));
        }
    }
    let layout = &side.units.units[unit].layout;
    // Targets outside the side's files are imports such as the well-known
    // types; buf compares them too, under their import name.
    let paths: HashMap<String, String> = compilable
        .iter()
        .map(|name| {
            let path = layout.names.get(*name).unwrap_or(name);
            (name.to_string(), path.clone())
        })
        .collect();
    let texts: HashMap<String, Arc<str>> = compilable
        .iter()
        .filter_map(|name| {
            let text = side.text(layout.names.get(*name)?)?;
            Some((name.to_string(), text.clone()))
        })
        .collect();
    let compiled = pool
        .files()
        .filter_map(|file| side.open(unit, file.name()).map(|(path, _)| path.clone()))
        .collect();
    let locator = Arc::new(Locator {
        side: side.clone(),
        unit,
    });
    UnitBuild {
        model: Model::build(&pool, &paths, &texts, &locator),
        failures,
        compiled,
    }
}

fn compile_targets<'t>(
    side: &Arc<SideSource>,
    unit: usize,
    targets: &[&'t String],
    located: Located,
) -> (
    prost_reflect::DescriptorPool,
    Vec<(&'t String, protox::Error)>,
) {
    let mut compiler = compiler(side, unit, located);
    let mut errors = Vec::new();
    for name in targets {
        // A file that fails leaves the compiler as it was: the next target
        // still compiles against everything added before.
        if let Err(err) = compiler.open_file(name.as_str()) {
            errors.push((*name, err));
        }
    }
    (compiler.descriptor_pool(), errors)
}

/// protox cannot read editions: such a target is refused with a clear message.
fn edition_failure(side: &SideSource, unit: usize, name: &str) -> Option<Failure> {
    let path = side.units.units[unit].layout.names.get(name)?;
    let text = side.text(path)?;
    let (edition, line) = scan_header(text).edition?;
    let error = InputError::new(format!(
        "{}: {path} uses `edition = \"{edition}\"`, which trellis contract does not support yet",
        side.label
    ))
    .in_file(path)
    .at(line, 1)
    .with_source(text.to_string())
    .help("editions need a protobuf compiler with editions support; until protox reads them, keep this file on `syntax = \"proto3\"` or exclude it with `contract.ignore`");
    Some(Failure {
        target: name.to_string(),
        path: path.clone(),
        other: None,
        not_found: false,
        reason: format!("`edition = \"{edition}\"` is not supported yet"),
        error,
    })
}

fn failure(side: &SideSource, unit: usize, target: &str, err: &protox::Error) -> Failure {
    let file = err.file().unwrap_or(target).to_string();
    let (path, text) = match side.open(unit, &file) {
        Some((path, text)) => (path.clone(), Some(text.clone())),
        None => (file.clone(), None),
    };
    let offset = err
        .labels()
        .and_then(|mut labels| labels.next())
        .map(|label| label.offset());
    let label = &side.label;
    let mut message = format!("{label}: {path} does not compile: {err}");
    if err.is_file_not_found() {
        message = format!("{label}: {err} (needed by {path})");
    }
    let mut error = InputError::new(message).in_file(&path);
    if let (Some(offset), Some(text)) = (offset, &text) {
        let (line, column) = line_column(text, offset);
        error = error.at(line, column).with_source(text.to_string());
    }
    Failure {
        target: target.to_string(),
        other: first_definition(&err.to_string()),
        not_found: err.is_file_not_found(),
        reason: err.to_string(),
        path,
        error,
    }
}

/// The file named by prost-reflect's "name 'x' is already defined in file
/// 'y'": the error carries that file only in its text.
fn first_definition(message: &str) -> Option<String> {
    let (_, rest) = message.split_once("is already defined in file '")?;
    let (name, _) = rest.split_once('\'')?;
    Some(name.to_string())
}

pub(crate) fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32 + 1;
    let column = before
        .rsplit_once('\n')
        .map_or(before, |(_, rest)| rest)
        .chars()
        .count() as u32
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::units::{Partition, Scopes};

    /// The side's first unit and all its files as targets.
    fn build(files: &[(&str, &str)]) -> UnitBuild {
        let set = ProtoSet::from_texts("new (work tree)", files);
        let [units, _] = Partition::new([&set, &set], &[], &Scopes::default())
            .unwrap()
            .sides;
        let targets = units.units[0].layout.names.keys().cloned().collect();
        compile_unit(&SideSource::new(&set, units, Arc::default()), 0, &targets)
    }

    #[test]
    fn errors_name_side_file_line_and_column() {
        let build = build(&[(
            "a.proto",
            "syntax = \"proto3\";\nmessage M {\n  strin x = 1;\n}\n",
        )]);
        let err = &build.failures[0].error;
        assert!(
            err.message.starts_with("new (work tree): a.proto"),
            "{}",
            err.message
        );
        assert_eq!(err.line, Some(3), "{err:?}");
        assert_eq!(err.column, Some(3), "{err:?}");
    }

    #[test]
    fn a_target_that_fails_leaves_the_others_compiled() {
        let build = build(&[
            ("a.proto", "syntax = \"proto3\";\nmessage M {}\n"),
            ("b.proto", "syntax = \"proto3\";\nmessage M {}\n"),
            ("c.proto", "syntax = \"proto3\";\nmessage C {}\n"),
        ]);
        assert_eq!(build.failures.len(), 1, "{:?}", build.failures);
        let failure = &build.failures[0];
        assert_eq!(failure.target, "b.proto");
        assert_eq!(failure.other.as_deref(), Some("a.proto"));
        assert_eq!(
            build.model.files.keys().collect::<Vec<_>>(),
            vec!["a.proto", "c.proto"]
        );
        assert!(build.compiled.contains("c.proto"));
    }

    #[test]
    fn well_known_types_resolve_and_editions_are_refused() {
        let build = build(&[(
            "a.proto",
            "syntax = \"proto3\";\nimport \"google/protobuf/timestamp.proto\";\nmessage M { google.protobuf.Timestamp t = 1; }\n",
        )]);
        assert!(build.failures.is_empty());
        assert_eq!(
            build.model.messages["M"].fields[0].type_name,
            "google.protobuf.Timestamp"
        );
        let build = build_editions();
        let err = &build.failures[0].error;
        assert!(err.message.contains("does not support"), "{}", err.message);
        assert_eq!(err.line, Some(1));
    }

    fn build_editions() -> UnitBuild {
        build(&[("e.proto", "edition = \"2023\";\nmessage M {}\n")])
    }
}
