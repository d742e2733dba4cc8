//! The `lint:` section of trellis.yaml.

use crate::policy::{Glob, Located};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LintConfig {
    /// Built-in rule packs to start from (`rules/*.yaml`): `recommended`
    /// (every rule, the default), `architecture`, `go-style`, `rust`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) packs: Vec<Located<String>>,
    /// Deprecated: the older spelling of the top-level `rules:` (a warning says
    /// so). Per rule id: `off`, or the severity to report it at (`info`,
    /// `warning`, `error`). Turning a rule on here adds it even when no chosen
    /// pack has it; ids of other jobs' rules count as top-level entries.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("deprecated" = true))]
    pub rules: BTreeMap<Located<String>, RuleLevel>,
    /// The built-in layer convention every service follows for `arch-layer`
    /// (`seeds`, `kratos`, `go-zero`, `hexagonal`). Unset: each service
    /// follows the one its directories show, and one that shows none is not
    /// checked. `components` overrides both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) layout: Option<Located<String>>,
    /// Layers of a service for `arch-layer`, by name. When set, every service
    /// is checked against this table instead of a built-in layout.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) components: BTreeMap<String, Component>,
    /// Import boundaries between parts of the repository, with captures:
    /// `from: services/{svc}/**`, `to: services/{other}/**` forbids a service
    /// importing any other service (a capture named the same in both must be equal,
    /// names that differ must differ). Reported as `arch-layer`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) boundaries: Vec<Boundary>,
    /// Package-level variable names `go-mutable-global` allows (globs on the name,
    /// for example `Version`, `*Flags`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) allowed_globals: Vec<Located<String>>,
    /// Most parameters a Go function may take before `go-too-many-params` fires. Default 4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) max_params: Option<usize>,
    /// Longest function (lines from `func` to its closing brace) in which
    /// `go-naked-return` accepts bare returns. Default 30, as golangci-lint's
    /// nakedret; 0 reports every naked return.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) naked_return_max_lines: Option<usize>,
    /// Also lint generated Go files (`*.pb.go`, `// Code generated ... DO NOT EDIT.`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) include_generated: bool,
    /// Parse every Go function body. By default a body that holds nothing any
    /// enabled rule looks for is only tokenised, not parsed, which makes lint
    /// about twice as fast; a syntax error inside such a body (with balanced
    /// brackets) is then not reported as `parse-degraded`. The compiler reports it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub parse_all_bodies: bool,
    /// Largest Go or Rust file lint analyses, in bytes. A larger file is
    /// reported as `parse-degraded` and not analysed. Default 4194304 (4 MiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) max_file_size: Option<u64>,
    /// Rules of your own: forbidden imports, forbidden calls, tree-sitter queries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) custom: Vec<CustomRule>,
}

/// Checks one file's `lint:` section as the run will resolve it (packs,
/// custom rules, layouts, boundaries), with errors pointing into `path`.
pub(crate) fn validate(
    section: &LintConfig,
    top: &BTreeMap<crate::policy::RuleKey, RuleLevel>,
    path: &std::path::Path,
    text: &str,
) -> Result<(), crate::error::InputError> {
    let source = super::settings::ConfigSource {
        path: Some(path),
        text: Some(text.to_string()),
    };
    super::settings::Settings::resolve(section, top, &source, &[]).map(drop)
}

// Where `rules:` and packs set a rule: the report layer owns it, since its
// sink resolves every job's levels.
pub(crate) use crate::report::RuleLevel;

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Component {
    /// Directories of the component, as globs relative to each service root
    /// (`internal/handlers/**`).
    pub(crate) paths: Vec<Glob>,
    /// Components this one may import. Imports inside a component are always allowed.
    #[serde(default)]
    pub(crate) may_depend_on: Vec<Located<String>>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Boundary {
    /// Files this boundary applies to, relative to the repository root, with
    /// `{name}` capturing one path segment.
    pub(crate) from: Located<String>,
    /// Package directories those files may not import.
    pub(crate) to: String,
    /// Shown with each finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) message: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct CustomRule {
    /// The rule's id in findings, `trellis:ignore` comments and `rules:`.
    pub(crate) id: Located<String>,
    /// What the finding says.
    pub(crate) message: String,
    #[serde(default = "default_custom_severity")]
    pub(crate) severity: RuleLevel,
    /// Only files matching one of these globs (relative to the repository root); all when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) paths: Vec<Glob>,
    /// Files matching one of these are skipped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) exclude: Vec<Glob>,
    /// Go import paths (or prefixes ending in `/...`) that may not be imported.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) forbid_import: Vec<String>,
    /// Go calls that may not be made, as `import/path.Func` (`log.Printf`,
    /// `net/http.Get`); aliases are resolved. A `*` name matches every function.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) forbid_call: Vec<String>,
    /// A tree-sitter query; each match of its `@match` capture (or of the
    /// first capture) is a finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) query: Option<String>,
    /// The language of `query`: `go` (default) or `rust`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) language: Option<QueryLanguage>,
    /// Extra text shown under each finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) help: Option<String>,
}

fn default_custom_severity() -> RuleLevel {
    RuleLevel::Error
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum QueryLanguage {
    Go,
    Rust,
}
