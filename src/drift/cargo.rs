//! Cargo.toml dependency requirements and Cargo.lock packages, with lines.

use crate::error::InputError;
use std::collections::BTreeMap;
use std::path::Path;

/// One dependency requirement of a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CargoDep {
    /// The crate name (after `package = ...` renames).
    pub(crate) name: String,
    /// The version requirement as written (`1`, `^0.14`, `=1.2.3`); None for path/git-only.
    pub(crate) req: Option<String>,
    /// `dependencies`, `dev-dependencies`, `build-dependencies`, or a target table.
    pub(crate) kind: String,
    pub(crate) line: u32,
    /// Inherited from `[workspace.dependencies]` (`workspace = true`).
    pub(crate) inherited: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CargoManifest {
    pub(crate) package: Option<String>,
    pub(crate) is_workspace: bool,
    pub(crate) deps: Vec<CargoDep>,
    /// `[workspace.dependencies]`.
    pub(crate) workspace_deps: Vec<CargoDep>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LockedPackage {
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) source: Option<String>,
    pub(crate) line: u32,
}

fn line_of(text: &str, offset: usize) -> u32 {
    text[..offset.min(text.len())].matches('\n').count() as u32 + 1
}

fn toml_error(path: &Path, text: &str, e: &toml::de::Error, what: &str) -> InputError {
    let mut err = InputError::new(format!("{what} does not parse: {}", e.message().trim()))
        .in_file(path)
        .with_source(text)
        .help("fix the TOML syntax at this position");
    if let Some(span) = e.span() {
        let line = line_of(text, span.start);
        let line_start = text[..span.start.min(text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let column = text[line_start..span.start.min(text.len())].chars().count() as u32 + 1;
        err = err.at(line, column);
    }
    err
}

type Spanned = toml::Spanned<toml::Value>;

fn deps_of(
    table: Option<&toml::Value>,
    spans: &BTreeMap<String, Spanned>,
    kind: &str,
    text: &str,
    out: &mut Vec<CargoDep>,
) {
    let Some(table) = table.and_then(|t| t.as_table()) else {
        return;
    };
    for (key, value) in table {
        let line = spans.get(key).map_or(0, |s| line_of(text, s.span().start));
        let (req, name, inherited) = match value {
            toml::Value::String(req) => (Some(req.clone()), key.clone(), false),
            toml::Value::Table(t) => (
                t.get("version")
                    .and_then(|v| v.as_str())
                    .map(str::to_string),
                t.get("package")
                    .and_then(|v| v.as_str())
                    .unwrap_or(key)
                    .to_string(),
                t.get("workspace").and_then(|v| v.as_bool()) == Some(true),
            ),
            _ => continue,
        };
        out.push(CargoDep {
            name,
            req,
            kind: kind.to_string(),
            line,
            inherited,
        });
    }
}

/// The spans of the entries of the tables we read, keyed by dependency name.
#[derive(serde::Deserialize, Default)]
struct SpannedDeps {
    #[serde(default)]
    dependencies: BTreeMap<String, Spanned>,
    #[serde(default, rename = "dev-dependencies")]
    dev: BTreeMap<String, Spanned>,
    #[serde(default, rename = "build-dependencies")]
    build: BTreeMap<String, Spanned>,
    #[serde(default)]
    workspace: Option<SpannedWorkspace>,
}

#[derive(serde::Deserialize, Default)]
struct SpannedWorkspace {
    #[serde(default)]
    dependencies: BTreeMap<String, Spanned>,
}

pub(crate) fn parse_manifest(path: &Path, text: &str) -> Result<CargoManifest, InputError> {
    let table: toml::Table =
        toml::from_str(text).map_err(|e| toml_error(path, text, &e, "Cargo.toml"))?;
    let spans: SpannedDeps = toml::from_str(text).unwrap_or_default();
    let mut manifest = CargoManifest {
        package: table
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .map(str::to_string),
        is_workspace: table.contains_key("workspace"),
        ..CargoManifest::default()
    };
    deps_of(
        table.get("dependencies"),
        &spans.dependencies,
        "dependencies",
        text,
        &mut manifest.deps,
    );
    deps_of(
        table.get("dev-dependencies"),
        &spans.dev,
        "dev-dependencies",
        text,
        &mut manifest.deps,
    );
    deps_of(
        table.get("build-dependencies"),
        &spans.build,
        "build-dependencies",
        text,
        &mut manifest.deps,
    );
    if let Some(targets) = table.get("target").and_then(|t| t.as_table()) {
        for (cfg, target) in targets {
            for kind in ["dependencies", "dev-dependencies", "build-dependencies"] {
                deps_of(
                    target.get(kind),
                    &BTreeMap::new(),
                    &format!("target.{cfg}.{kind}"),
                    text,
                    &mut manifest.deps,
                );
            }
        }
    }
    let ws_spans = spans.workspace.unwrap_or_default();
    deps_of(
        table.get("workspace").and_then(|w| w.get("dependencies")),
        &ws_spans.dependencies,
        "workspace.dependencies",
        text,
        &mut manifest.workspace_deps,
    );
    // Lines of target-specific entries: the first line naming the key.
    for dep in manifest.deps.iter_mut().filter(|d| d.line == 0) {
        dep.line = text
            .lines()
            .position(|l| {
                let l = l.trim_start();
                l.starts_with(&dep.name) && l[dep.name.len()..].trim_start().starts_with(['=', '.'])
            })
            .map_or(1, |i| i as u32 + 1);
    }
    Ok(manifest)
}

#[derive(serde::Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<LockEntry>,
}

#[derive(serde::Deserialize)]
struct LockEntry {
    name: toml::Spanned<String>,
    version: String,
    #[serde(default)]
    source: Option<String>,
}

pub(crate) fn parse_lock(path: &Path, text: &str) -> Result<Vec<LockedPackage>, InputError> {
    let lock: Lock = toml::from_str(text).map_err(|e| toml_error(path, text, &e, "Cargo.lock"))?;
    Ok(lock
        .package
        .into_iter()
        .map(|p| LockedPackage {
            line: line_of(text, p.name.span().start),
            name: p.name.into_inner(),
            version: p.version,
            source: p.source,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_dependencies_with_lines() {
        let text = "[package]\nname = \"a\"\n\n[dependencies]\nserde = \"1\"\ntokio = { version = \"1.40\", features = [\"rt\"] }\nlocal = { path = \"../l\" }\nshared = { workspace = true }\n\n[dev-dependencies]\nproptest = \"1\"\n\n[target.'cfg(unix)'.dependencies]\nlibc = \"0.2\"\n";
        let m = parse_manifest(Path::new("Cargo.toml"), text).unwrap();
        assert_eq!(m.package.as_deref(), Some("a"));
        let tokio = m.deps.iter().find(|d| d.name == "tokio").unwrap();
        assert_eq!((tokio.req.as_deref(), tokio.line), (Some("1.40"), 6));
        assert!(m.deps.iter().any(|d| d.name == "shared" && d.inherited));
        let libc = m.deps.iter().find(|d| d.name == "libc").unwrap();
        assert_eq!(libc.line, 14);
        assert_eq!(
            m.deps.iter().find(|d| d.name == "proptest").unwrap().kind,
            "dev-dependencies"
        );
    }

    #[test]
    fn malformed_manifest_names_the_line() {
        let err = parse_manifest(Path::new("Cargo.toml"), "[package]\nname = \n").unwrap_err();
        assert_eq!(err.line, Some(2));
    }

    #[test]
    fn lock_packages_with_lines() {
        let text = "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"syn\"\nversion = \"2.0.1\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
        let lock = parse_lock(Path::new("Cargo.lock"), text).unwrap();
        assert_eq!(lock[1].name, "syn");
        assert_eq!(lock[1].line, 8);
        assert!(lock[0].source.is_none());
    }
}
