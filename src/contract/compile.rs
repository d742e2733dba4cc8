//! Compiling one side with protox, from memory: the side's files by import
//! name, then the well-known types bundled with protox.

use super::model::Model;
use super::source::{Layout, ProtoSet, scan_header};
use crate::error::InputError;
use miette::Diagnostic;
use protox::file::{File, FileResolver, GoogleFileResolver};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// Import-only files (`contract.imports`, buf's module cache): import name ->
/// (where they were read, text).
pub type ImportFiles = HashMap<String, (String, Arc<str>)>;

struct MemoryResolver {
    /// Import name -> (repository path, text).
    files: Arc<HashMap<String, (String, Arc<str>)>>,
    /// `contract.imports`, after the side's own files.
    imports: Arc<ImportFiles>,
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

impl FileResolver for MemoryResolver {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        match self.files.get(name).or_else(|| self.imports.get(name)) {
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
pub struct Locator {
    files: Arc<HashMap<String, (String, Arc<str>)>>,
    imports: Arc<ImportFiles>,
}

impl Locator {
    pub fn interpreted(&self, name: &str) -> Option<prost_types::SourceCodeInfo> {
        let resolver = MemoryResolver {
            files: self.files.clone(),
            imports: self.imports.clone(),
            google: GoogleFileResolver::new(),
            located: Located::Only(name.to_string()),
        };
        let mut compiler = protox::Compiler::with_file_resolver(resolver);
        compiler.include_imports(true);
        compiler.open_file(name).ok()?;
        let pool = compiler.descriptor_pool();
        let file = pool.get_file_by_name(name)?;
        file.file_descriptor_proto().source_code_info.clone()
    }
}

/// Compiles `targets` (import names) and what they import, and builds the
/// model of the targets. An error names the side, the file, line and column.
pub fn compile(
    set: &ProtoSet,
    layout: &Layout,
    targets: &BTreeSet<String>,
    imports: &Arc<ImportFiles>,
) -> Result<Model, InputError> {
    for name in targets {
        let Some(path) = layout.names.get(name) else {
            continue;
        };
        if let Some(file) = set.files.get(path)
            && let Some((edition, line)) = scan_header(&file.text).edition
        {
            return Err(InputError::new(format!(
                "{}: {path} uses `edition = \"{edition}\"`, which trellis contract does not support yet",
                set.label
            ))
            .in_file(path)
            .at(line, 1)
            .with_source(file.text.to_string())
            .help("editions need a protobuf compiler with editions support; until protox reads them, keep this file on `syntax = \"proto3\"` or exclude it with `contract.ignore`"));
        }
    }
    let files: HashMap<String, (String, Arc<str>)> = layout
        .names
        .iter()
        .filter_map(|(name, path)| {
            set.files
                .get(path)
                .map(|f| (name.clone(), (path.clone(), f.text.clone())))
        })
        .collect();
    let mut error_context: HashMap<String, (String, Arc<str>)> = files.clone();
    for (name, file) in imports.iter() {
        error_context
            .entry(name.clone())
            .or_insert_with(|| file.clone());
    }
    let files = Arc::new(files);
    let compile_all = |located: Located| {
        let resolver = MemoryResolver {
            files: files.clone(),
            imports: imports.clone(),
            google: GoogleFileResolver::new(),
            located,
        };
        let mut compiler = protox::Compiler::with_file_resolver(resolver);
        compiler.include_imports(true);
        for name in targets {
            compiler.open_file(name).map_err(|err| (name, err))?;
        }
        Ok::<_, (&String, protox::Error)>(compiler.descriptor_pool())
    };
    let pool = match compile_all(Located::Nothing) {
        Ok(pool) => pool,
        Err((name, err)) => {
            // Again with locations, for the error's line and column.
            let (name, err) = compile_all(Located::All).err().unwrap_or((name, err));
            return Err(compile_error(&set.label, name, &err, &error_context));
        }
    };
    // Targets outside the side's files are imports such as the well-known
    // types; buf compares them too, under their import name.
    let paths: HashMap<String, String> = targets
        .iter()
        .map(|name| {
            let path = layout
                .names
                .get(name)
                .cloned()
                .unwrap_or_else(|| name.clone());
            (name.clone(), path)
        })
        .collect();
    let texts: HashMap<String, Arc<str>> = targets
        .iter()
        .filter_map(|name| {
            layout
                .names
                .get(name)
                .and_then(|p| set.files.get(p))
                .map(|f| (name.clone(), f.text.clone()))
        })
        .collect();
    let locator = Arc::new(Locator {
        files,
        imports: imports.clone(),
    });
    Ok(Model::build(&pool, &paths, &texts, &locator))
}

fn compile_error(
    label: &str,
    target: &str,
    err: &protox::Error,
    files: &HashMap<String, (String, Arc<str>)>,
) -> InputError {
    let file_name = err.file().unwrap_or(target).to_string();
    let (path, text) = match files.get(&file_name) {
        Some((path, text)) => (path.clone(), Some(text.clone())),
        None => (file_name.clone(), None),
    };
    let offset = err
        .labels()
        .and_then(|mut labels| labels.next())
        .map(|label| label.offset());
    let mut message = format!("{label}: {path} does not compile: {err}");
    if err.is_file_not_found() {
        message = format!("{label}: {err} (needed by {path})");
    }
    let mut input = InputError::new(message).in_file(&path);
    if let (Some(offset), Some(text)) = (offset, &text) {
        let (line, column) = line_column(text, offset);
        input = input.at(line, column).with_source(text.to_string());
    }
    let help = if err.is_file_not_found() {
        "an import does not resolve: set the include roots with `contract.roots` in trellis.yaml (or a buf.yaml), or add the missing file; a buf.yaml dependency from the Buf Schema Registry is read from buf's module cache once buf has fetched what buf.lock pins (`buf dep update`, or any buf build online), or export it (`buf export buf.build/OWNER/MODULE -o DIR`) and list DIR in `contract.imports`"
    } else {
        "fix the file on that side; a side that does not compile cannot be compared"
    };
    input.help(help)
}

fn line_column(text: &str, offset: usize) -> (u32, u32) {
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
    use crate::contract::source::{ProtoFile, layout};

    fn side(files: &[(&str, &str)]) -> (ProtoSet, Layout) {
        let mut set = ProtoSet {
            label: "new (work tree)".into(),
            ..ProtoSet::default()
        };
        for (path, text) in files {
            set.files.insert(
                path.to_string(),
                ProtoFile {
                    path: path.to_string(),
                    id: git2::Oid::ZERO_SHA1,
                    text: Arc::from(*text),
                },
            );
        }
        let layout = layout(&set, &[]).unwrap();
        (set, layout)
    }

    #[test]
    fn errors_name_side_file_line_and_column() {
        let (set, layout) = side(&[(
            "a.proto",
            "syntax = \"proto3\";\nmessage M {\n  strin x = 1;\n}\n",
        )]);
        let targets = layout.names.keys().cloned().collect();
        let err = compile(&set, &layout, &targets, &Arc::default()).unwrap_err();
        assert!(
            err.message.starts_with("new (work tree): a.proto"),
            "{}",
            err.message
        );
        assert_eq!(err.line, Some(3), "{err:?}");
        assert_eq!(err.column, Some(3), "{err:?}");
    }

    #[test]
    fn well_known_types_resolve_and_editions_are_refused() {
        let (set, layout) = side(&[(
            "a.proto",
            "syntax = \"proto3\";\nimport \"google/protobuf/timestamp.proto\";\nmessage M { google.protobuf.Timestamp t = 1; }\n",
        )]);
        let targets = layout.names.keys().cloned().collect();
        let model = compile(&set, &layout, &targets, &Arc::default()).unwrap();
        assert_eq!(
            model.messages["M"].fields[0].type_name,
            "google.protobuf.Timestamp"
        );
        let (set, layout) = side(&[("e.proto", "edition = \"2023\";\nmessage M {}\n")]);
        let targets = layout.names.keys().cloned().collect();
        let err = compile(&set, &layout, &targets, &Arc::default()).unwrap_err();
        assert!(err.message.contains("does not support"), "{}", err.message);
        assert_eq!(err.line, Some(1));
    }
}
