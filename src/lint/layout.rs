//! Layer conventions as data: the built-in layouts under `rules/layouts/`
//! (the seeds' layout, Kratos, go-zero, hexagonal), each a table of layers
//! for `arch-layer` and the directories that identify it. A service follows
//! the layout `lint.layout` names, or the first one whose directories it has;
//! a service that has none is not checked, since any table would be a guess.

use super::config::Component;
use std::collections::BTreeMap;
use std::path::Path;

/// One built-in layout file.
pub(crate) struct LayoutSource {
    pub(crate) name: &'static str,
    pub(crate) text: &'static str,
}

/// In the order they are tried: the most specific first, the seeds' layout
/// (whose directories other layouts share) last.
pub(crate) const LAYOUTS: &[LayoutSource] = &[
    LayoutSource {
        name: "kratos",
        text: include_str!("../../rules/layouts/kratos.yaml"),
    },
    LayoutSource {
        name: "go-zero",
        text: include_str!("../../rules/layouts/go-zero.yaml"),
    },
    LayoutSource {
        name: "hexagonal",
        text: include_str!("../../rules/layouts/hexagonal.yaml"),
    },
    LayoutSource {
        name: "seeds",
        text: include_str!("../../rules/layouts/seeds.yaml"),
    },
];

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LayoutFile {
    pub(crate) name: String,
    // Part of the file's schema (deny_unknown_fields), for people reading it.
    #[allow(dead_code)]
    pub(crate) description: String,
    /// Alternatives: a service follows the layout when every directory of
    /// one alternative exists under its root.
    pub(crate) detect: Vec<Vec<String>>,
    pub(crate) components: BTreeMap<String, Component>,
    /// Where the layout puts a service's `package main`, as globs relative
    /// to its root (go-zero: `*.go` at the root). None: `cmd/<name>/main.go`.
    #[serde(default)]
    pub(crate) entrypoints: Vec<String>,
}

impl LayoutFile {
    /// Whether the service rooted at `root` has the directories of this layout.
    pub(crate) fn matches(&self, root: &Path) -> bool {
        self.detect
            .iter()
            .any(|dirs| dirs.iter().all(|dir| root.join(dir).is_dir()))
    }
}

/// Every built-in layout, parsed. They are part of the binary: a parse
/// failure is a bug in trellis, caught by the tests below.
/// The built-in layouts, in `LAYOUTS` order, parsed once per process.
pub(crate) fn builtin() -> &'static [LayoutFile] {
    static PARSED: std::sync::OnceLock<Vec<LayoutFile>> = std::sync::OnceLock::new();
    PARSED.get_or_init(|| {
        LAYOUTS
            .iter()
            .map(|source| {
                serde_saphyr::from_str(source.text).unwrap_or_else(|e| {
                    panic!("built-in layout {} does not parse: {e}", source.name)
                })
            })
            .collect()
    })
}

pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    LAYOUTS.iter().map(|l| l.name)
}

/// The layout a service at `root` follows by its directories, if any.
pub(crate) fn detect(root: &Path) -> Option<&'static str> {
    builtin()
        .iter()
        .zip(LAYOUTS)
        .find(|(layout, _)| layout.matches(root))
        .map(|(_, source)| source.name)
}

/// The name of the layer table a service at `root` is checked against, as
/// `arch-layer` chooses it (see `settings::Layouts::for_service`), for
/// `trellis services`.
pub(crate) fn name_for(config: &super::config::LintConfig, root: &Path) -> Option<String> {
    if !config.components.is_empty() {
        return Some("lint.components".to_string());
    }
    if let Some(name) = &config.layout {
        return Some(name.value.clone());
    }
    detect(root).map(str::to_string)
}

/// The applications nested in a service, as `arch-layer` finds them when
/// the service's root follows no layout and none is configured: for each Go
/// file, the nearest directory between it and the service root that has a
/// built-in layout's directories (go-zero's `cmd/rpc` with its own
/// `internal/`, Kratos apps under `app/<name>/service`). Sorted by directory.
pub(crate) fn nested_applications<'f>(
    repo_root: &Path,
    service_root: &str,
    files: impl Iterator<Item = &'f str>,
) -> Vec<(String, &'static str)> {
    let mut seen: std::collections::HashMap<String, Option<&'static str>> = Default::default();
    let mut found: std::collections::BTreeMap<String, &'static str> = Default::default();
    for path in files.filter(|path| path.ends_with(".go")) {
        let nearest = nearest_layout_dir(service_root, path, |dir| {
            *seen.entry(dir.to_string()).or_insert_with(|| {
                let absolute = repo_root.join(dir);
                builtin()
                    .iter()
                    .zip(LAYOUTS)
                    .find(|(layout, _)| layout.matches(&absolute))
                    .map(|(_, source)| source.name)
            })
        });
        if let Some((name, dir)) = nearest {
            found.insert(dir.to_string(), name);
        }
    }
    found.into_iter().collect()
}

/// The nearest directory above `path` and strictly below `service_root`
/// that `detect` recognises as a layout's root, with what it recognised.
/// One walk serves arch-layer and `trellis services`, so the application
/// the listing shows is the one the rule checks.
pub(crate) fn nearest_layout_dir<'p, T>(
    service_root: &str,
    path: &'p str,
    mut detect: impl FnMut(&'p str) -> Option<T>,
) -> Option<(T, &'p str)> {
    let parent = |path: &'p str| path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let under = |dir: &str| {
        service_root.is_empty()
            || dir
                .strip_prefix(service_root)
                .is_some_and(|rest| rest.starts_with('/'))
    };
    let mut dir = parent(path);
    while dir.len() > service_root.len() && under(dir) {
        if let Some(found) = detect(dir) {
            return Some((found, dir));
        }
        dir = parent(dir);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_layout_dir_is_below_the_service_root_and_nearest_the_file() {
        let layouts = ["svc/cmd/api", "svc/cmd", "svc"];
        let detect = |dir: &str| layouts.contains(&dir).then_some(());
        assert_eq!(
            nearest_layout_dir("svc", "svc/cmd/api/internal/logic/a.go", detect),
            Some(((), "svc/cmd/api"))
        );
        assert_eq!(nearest_layout_dir("svc", "svc/main.go", detect), None);
        // A sibling whose name only starts like the service root is outside it.
        assert_eq!(nearest_layout_dir("svc", "svcx/cmd/api/a.go", detect), None);
        assert_eq!(
            nearest_layout_dir("", "svc/cmd/x/a.go", detect),
            Some(((), "svc/cmd"))
        );
    }

    #[test]
    fn built_in_layouts_parse_and_name_only_their_own_components() {
        for (layout, source) in builtin().iter().zip(LAYOUTS) {
            assert_eq!(layout.name, source.name);
            assert!(!layout.detect.is_empty(), "{} detects nothing", layout.name);
            for (name, component) in &layout.components {
                for other in &component.may_depend_on {
                    assert!(
                        other.value == "*" || layout.components.contains_key(&other.value),
                        "{}: {name} may depend on unknown {other}",
                        layout.name
                    );
                }
            }
        }
    }

    #[test]
    fn the_most_specific_layout_wins() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("internal/service")).unwrap();
        assert_eq!(detect(root), Some("seeds"));
        std::fs::create_dir_all(root.join("internal/biz")).unwrap();
        std::fs::create_dir_all(root.join("internal/data")).unwrap();
        assert_eq!(detect(root), Some("kratos"));
        let other = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(other.path().join("pkg/util")).unwrap();
        assert_eq!(detect(other.path()), None);
    }
}
