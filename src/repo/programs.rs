//! Go programs and what they are: a network service or worker, or a
//! command-line tool.
//!
//! A program is a directory's `package main` files. What it reaches is those
//! files plus the repository packages they import, transitively. A program
//! that reaches a server or a long-lived consumer (`rules/service-signals.yaml`)
//! is a service; one that reaches none is a tool. Code that only tools reach
//! is tool code, where printing is the program's interface rather than a log.
//!
//! The facts come from the lint pipeline (one [`ProgramFile`] per Go file,
//! cached with the file), so classifying reads no file again.

use super::Repo;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::OnceLock;

/// One thing that shows a program serves: an import, and the members of it
/// that start serving (none: the import alone).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Signal {
    pub(crate) import: String,
    #[serde(default)]
    pub(crate) members: Vec<String>,
    pub(crate) what: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignalTable {
    signals: Vec<Signal>,
}

/// The built-in signals, from `rules/service-signals.yaml`.
pub(crate) fn signals() -> &'static [Signal] {
    static TABLE: OnceLock<Vec<Signal>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let text = include_str!("../../rules/service-signals.yaml");
        let table: SignalTable =
            serde_saphyr::from_str(text).expect("rules/service-signals.yaml is valid (tested)");
        table.signals
    })
}

/// The signal of `import`, if it has one.
pub(crate) fn signal_for(import: &str) -> Option<(usize, &'static Signal)> {
    signals()
        .iter()
        .enumerate()
        .find(|(_, s)| s.import == import)
}

/// What the classification needs of one Go file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ProgramFile {
    pub(crate) path: String,
    pub(crate) package: String,
    pub(crate) is_test: bool,
    /// Every import path of the file.
    pub(crate) imports: Vec<String>,
    /// What of the signals the file uses: `import` or `import.Member`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) serves: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum ProgramKind {
    Service,
    Tool,
}

/// One Go program and why it is what it is.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Program {
    /// The directory of its `package main` files ("" at the root).
    pub(crate) dir: String,
    pub(crate) kind: ProgramKind,
    /// For a service: the first signal reached, and the file that uses it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) evidence: Option<Evidence>,
    /// Repository packages it reaches (its own directory not counted).
    pub(crate) packages: usize,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Evidence {
    pub(crate) what: String,
    /// `import` or `import.Member`.
    pub(crate) uses: String,
    pub(crate) file: String,
}

impl Program {
    /// Why the program is a service or a tool, in words.
    pub(crate) fn reason(&self) -> String {
        match &self.evidence {
            Some(e) => format!("{} ({}) in {}", e.what, e.uses, e.file),
            None => format!("no server reached from {}", shown(&self.dir)),
        }
    }
}

fn shown(dir: &str) -> &str {
    if dir.is_empty() { "." } else { dir }
}

/// Every program of the repository, and the code only tools reach.
#[derive(Debug, Default)]
pub(crate) struct Programs {
    pub(crate) programs: Vec<Program>,
    /// Code that only tools reach, each with the tools that reach it.
    tool_only: BTreeMap<Unit, Vec<String>>,
    /// Every non-test `package main` file.
    main_files: HashSet<String>,
}

/// A directory's `package main` files (a program) or its other files (a
/// package): a directory may hold both, as with a `//go:build ignore` generator.
type Unit = (String, bool);

/// Why a file is tool code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ToolCode<'p> {
    pub(crate) dir: &'p str,
    /// The file is the tool's own `package main`.
    pub(crate) program: bool,
    pub(crate) tools: &'p [String],
}

impl ToolCode<'_> {
    pub(crate) fn reason(&self) -> String {
        if self.program {
            format!(
                "command-line tool (no server reached from {})",
                shown(self.dir)
            )
        } else {
            let tools: Vec<&str> = self.tools.iter().map(|t| shown(t)).collect();
            format!(
                "imported only by command-line tools ({}), none of which reaches a server",
                tools.join(", ")
            )
        }
    }
}

impl Programs {
    /// The tool code `path` is part of, if it is.
    pub(crate) fn tool_code(&self, path: &str) -> Option<ToolCode<'_>> {
        let unit = (parent(path).to_string(), self.main_files.contains(path));
        let ((dir, program), tools) = self.tool_only.get_key_value(&unit)?;
        Some(ToolCode {
            dir,
            program: *program,
            tools,
        })
    }

    /// The tool code by directory, for `-v`.
    pub(crate) fn tool_only(&self) -> impl Iterator<Item = ToolCode<'_>> {
        self.tool_only
            .iter()
            .map(|((dir, program), tools)| ToolCode {
                dir,
                program: *program,
                tools,
            })
    }
}

/// Classifies every program in `files` and finds the code only tools reach.
pub(crate) fn classify(repo: &Repo, files: &[ProgramFile]) -> Programs {
    let graph = PackageGraph::new(repo, files);
    let mut programs = Vec::new();
    let mut reached_by: HashMap<Unit, Vec<(&str, ProgramKind)>> = HashMap::new();
    for dir in graph.program_dirs() {
        let reached = graph.reach(dir);
        let evidence = graph.evidence(dir, true).or_else(|| {
            reached
                .iter()
                .find_map(|package| graph.evidence(package, false))
        });
        let kind = if evidence.is_some() {
            ProgramKind::Service
        } else {
            ProgramKind::Tool
        };
        let units = std::iter::once((dir.to_string(), true))
            .chain(reached.iter().map(|p| (p.to_string(), false)));
        for unit in units {
            reached_by.entry(unit).or_default().push((dir, kind));
        }
        programs.push(Program {
            dir: dir.to_string(),
            kind,
            evidence,
            packages: reached.len(),
        });
    }
    let tool_only = reached_by
        .into_iter()
        .filter(|(_, by)| by.iter().all(|(_, kind)| *kind == ProgramKind::Tool))
        .map(|(unit, by)| {
            let mut tools: Vec<String> = by.iter().map(|(t, _)| t.to_string()).collect();
            tools.sort();
            tools.dedup();
            (unit, tools)
        })
        .collect();
    let main_files = files
        .iter()
        .filter(|f| f.package == "main" && !f.is_test)
        .map(|f| f.path.clone())
        .collect();
    Programs {
        programs,
        tool_only,
        main_files,
    }
}

/// Package directories and their imports within the repository.
struct PackageGraph<'f> {
    /// Non-test files by directory.
    by_dir: BTreeMap<&'f str, Vec<&'f ProgramFile>>,
    /// Imports of a directory's `package main` files (true) or other files
    /// (false) that resolve to another directory of the repository.
    edges: HashMap<(&'f str, bool), BTreeSet<String>>,
}

impl<'f> PackageGraph<'f> {
    fn new(repo: &Repo, files: &'f [ProgramFile]) -> PackageGraph<'f> {
        let mut by_dir: BTreeMap<&str, Vec<&ProgramFile>> = BTreeMap::new();
        for file in files.iter().filter(|f| !f.is_test && !f.package.is_empty()) {
            by_dir.entry(parent(&file.path)).or_default().push(file);
        }
        let mut edges: HashMap<(&str, bool), BTreeSet<String>> = HashMap::new();
        for (dir, files) in &by_dir {
            for file in files {
                let targets = edges.entry((dir, file.package == "main")).or_default();
                for import in &file.imports {
                    if let Some((_, target)) = repo.resolve_go_import(&file.path, import)
                        && target != *dir
                    {
                        targets.insert(target);
                    }
                }
            }
        }
        PackageGraph { by_dir, edges }
    }

    fn program_dirs(&self) -> impl Iterator<Item = &'f str> + '_ {
        self.by_dir
            .iter()
            .filter(|(_, fs)| fs.iter().any(|f| f.package == "main"))
            .map(|(d, _)| *d)
    }

    /// The package directories a program imports, transitively, breadth
    /// first (so the evidence named is the nearest).
    fn reach(&self, program: &'f str) -> Vec<&'f str> {
        let mut seen = BTreeSet::new();
        let mut order = Vec::new();
        let mut queue = VecDeque::from([(program, true)]);
        while let Some(unit) = queue.pop_front() {
            let Some(targets) = self.edges.get(&unit) else {
                continue;
            };
            for target in targets {
                if let Some((&key, _)) = self.by_dir.get_key_value(target.as_str())
                    && seen.insert(key)
                {
                    order.push(key);
                    queue.push_back((key, false));
                }
            }
        }
        order
    }

    /// The first signal a unit's files use.
    fn evidence(&self, dir: &str, main: bool) -> Option<Evidence> {
        let files = self.by_dir.get(dir)?;
        files
            .iter()
            .filter(|f| (f.package == "main") == main)
            .find_map(|f| {
                let uses = f.serves.first()?;
                let import = signal_import(uses)?;
                let (_, signal) = signal_for(import)?;
                Some(Evidence {
                    what: signal.what.clone(),
                    uses: uses.clone(),
                    file: f.path.clone(),
                })
            })
    }
}

/// The import path of a `serves` entry (`import` or `import.Member`; import
/// paths have dots of their own).
fn signal_import(uses: &str) -> Option<&str> {
    if signal_for(uses).is_some() {
        return Some(uses);
    }
    let (import, _) = uses.rsplit_once('.')?;
    signal_for(import).map(|_| import)
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signal_table_reads_and_names_each_import_once() {
        let mut seen = BTreeSet::new();
        for signal in signals() {
            assert!(
                seen.insert(signal.import.as_str()),
                "{} twice",
                signal.import
            );
            assert!(!signal.what.is_empty());
        }
        assert!(signal_for("net/http").is_some());
    }
}
