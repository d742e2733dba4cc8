//! The `contract:` section of trellis.yaml, buf's `breaking:` section as a
//! fallback, and turning `use` / `except` into the set of rules to run.

use super::rules::{self, ALIASES, Category, Rule};
use crate::error::{InputError, did_you_mean};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// How `trellis contract` compares .proto files. The keys after `roots` have
/// the meaning of the same keys under `breaking:` in a buf.yaml; when none of
/// them is set here, a buf.yaml at the repository root is read instead.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ContractConfig {
    /// Include roots (import paths), relative to the repository root.
    /// Default: the modules of buf.work.yaml / buf.yaml, else inferred from imports and packages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) roots: Vec<String>,
    /// Categories (FILE, PACKAGE, WIRE_JSON, WIRE, CSR) or rule ids to run. Default: FILE.
    #[serde(default, rename = "use", skip_serializing_if = "Vec::is_empty")]
    pub(crate) use_: Vec<String>,
    /// Categories or rule ids not to run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) except: Vec<String>,
    /// Files or directories (relative to the repository root or to a proto root) not checked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) ignore: Vec<String>,
    /// Rule id or category -> files or directories where it does not run.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[serde(alias = "ignore_only")]
    pub(crate) ignore_only: BTreeMap<String, Vec<String>>,
    /// Skip packages whose last component is an unstable version (`v1alpha1`, `v1beta2`, `v1test`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[serde(alias = "ignore_unstable_packages")]
    pub(crate) ignore_unstable_packages: bool,
    /// Report a field number or name that was deleted earlier in git history and is
    /// used again (FIELD_NO_REUSE, beyond buf). Off by default.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[serde(alias = "field_no_reuse")]
    pub(crate) field_no_reuse: bool,
    /// Directories (relative to the repository root) of .proto files that are
    /// imported but are not the repository's contracts: buf.yaml `deps` from
    /// the Buf Schema Registry, exported with `buf export MODULE -o DIR`.
    /// Both sides read them from the work tree; they are not compared.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) imports: Vec<String>,
    /// Whether `trellis check` runs the contract check (against the merge base
    /// with the default branch). Default: true inside a git repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(alias = "in_check")]
    pub(crate) in_check: Option<bool>,
}

impl ContractConfig {
    pub(crate) fn is_default(&self) -> bool {
        *self == ContractConfig::default()
    }

    /// Whether no buf-equivalent key is set, so a buf.yaml's `breaking:` applies.
    pub(crate) fn says_nothing(&self) -> bool {
        self.use_.is_empty()
            && self.except.is_empty()
            && self.ignore.is_empty()
            && self.ignore_only.is_empty()
            && !self.ignore_unstable_packages
    }

    /// Reads `breaking:` of a buf.yaml (v1beta1, v1 or v2, top level or the first module).
    pub(crate) fn from_buf_yaml(text: &str) -> Result<Option<ContractConfig>, InputError> {
        let value: serde_json::Value = serde_saphyr::from_str(text).map_err(|e| {
            InputError::new(format!("buf.yaml is not valid YAML: {e}"))
                .in_file("buf.yaml")
                .help("fix buf.yaml, or configure `contract:` in trellis.yaml")
        })?;
        let breaking = value.get("breaking").or_else(|| {
            value
                .get("modules")
                .and_then(|m| m.as_array())
                .and_then(|m| m.iter().find_map(|module| module.get("breaking")))
        });
        let Some(breaking) = breaking else {
            return Ok(None);
        };
        let strings = |key: &str| -> Vec<String> {
            breaking
                .get(key)
                .and_then(|v| v.as_array())
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|i| i.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut config = ContractConfig {
            use_: strings("use"),
            except: strings("except"),
            ignore: strings("ignore"),
            ignore_unstable_packages: breaking
                .get("ignore_unstable_packages")
                .and_then(|v| v.as_bool())
                .unwrap_or(false),
            ..ContractConfig::default()
        };
        if let Some(map) = breaking.get("ignore_only").and_then(|v| v.as_object()) {
            for (rule, paths) in map {
                let paths = paths
                    .as_array()
                    .map(|p| {
                        p.iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                config.ignore_only.insert(rule.clone(), paths);
            }
        }
        Ok(Some(config))
    }
}

/// Expands category names, rule ids and deprecated aliases to rule ids.
pub(crate) fn expand(item: &str, origin: &str) -> Result<Vec<&'static str>, InputError> {
    if let Some(category) = Category::parse(item) {
        return Ok(rules::all()
            .iter()
            .filter(|r| r.categories.contains(&category))
            .map(|r| r.id)
            .collect());
    }
    if let Some(rule) = rules::find(item) {
        return Ok(vec![rule.id]);
    }
    if let Some((_, targets)) = ALIASES.iter().find(|(alias, _)| *alias == item) {
        return Ok(targets
            .iter()
            .filter_map(|t| rules::find(t).map(|r| r.id))
            .collect());
    }
    let candidates: Vec<&str> = Category::ALL
        .iter()
        .map(|c| c.id())
        .chain(rules::all().iter().map(|r| r.id))
        .collect();
    let mut err = InputError::new(format!(
        "{origin}: unknown breaking rule or category `{item}`"
    ));
    err = match did_you_mean(item, candidates.iter().copied()) {
        Some(close) => err.help(format!("did you mean `{close}`? `trellis contract --list-rules` prints them all")),
        None => err.help("use FILE, PACKAGE, WIRE_JSON, WIRE, CSR or a rule id; `trellis contract --list-rules` prints them all"),
    };
    Err(err)
}

/// The rules to run: `use` (default FILE) minus `except`.
pub(crate) fn select(
    use_: &[String],
    except: &[String],
    origin: &str,
) -> Result<Vec<&'static Rule>, InputError> {
    let mut ids = BTreeSet::new();
    if use_.is_empty() {
        ids.extend(expand("FILE", origin)?);
    }
    for item in use_ {
        ids.extend(expand(item, origin)?);
    }
    for item in except {
        for id in expand(item, origin)? {
            ids.remove(id);
        }
    }
    Ok(rules::all().iter().filter(|r| ids.contains(r.id)).collect())
}

/// Whether a package's last component is an unstable version (`v1alpha1`, `v2beta`, `v1test`).
pub(crate) fn is_unstable_package(package: &str) -> bool {
    let last = package.rsplit('.').next().unwrap_or(package);
    let Some(rest) = last.strip_prefix('v') else {
        return false;
    };
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 {
        return false;
    }
    let tail = &rest[digits..];
    if tail.starts_with("test") {
        return true;
    }
    for word in ["alpha", "beta"] {
        if let Some(after) = tail.strip_prefix(word) {
            return after.chars().all(|c| c.is_ascii_digit());
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_file_and_except_removes() {
        let rules = select(&[], &[], "test").unwrap();
        assert_eq!(rules.len(), 51);
        let rules = select(&["FILE".into()], &["FIELD_SAME_NAME".into()], "test").unwrap();
        assert_eq!(rules.len(), 50);
        assert_eq!(select(&["PACKAGE".into()], &[], "t").unwrap().len(), 51);
        assert_eq!(select(&["WIRE_JSON".into()], &[], "t").unwrap().len(), 22);
        assert_eq!(select(&["WIRE".into()], &[], "t").unwrap().len(), 15);
    }

    #[test]
    fn aliases_and_unknown_ids() {
        let rules = select(&["FIELD_SAME_CTYPE".into()], &[], "t").unwrap();
        assert_eq!(rules[0].id, "FIELD_SAME_CPP_STRING_TYPE");
        let err = select(&["FIELD_SAME_NAEM".into()], &[], "trellis.yaml").unwrap_err();
        assert!(err.help.unwrap().contains("FIELD_SAME_NAME"));
    }

    #[test]
    fn unstable_packages() {
        assert!(is_unstable_package("foo.v1alpha1"));
        assert!(is_unstable_package("foo.v2beta"));
        assert!(is_unstable_package("foo.v1test2"));
        assert!(!is_unstable_package("foo.v1"));
        assert!(!is_unstable_package("foo.alpha"));
    }

    #[test]
    fn buf_yaml_breaking_section() {
        let config = ContractConfig::from_buf_yaml(
            "version: v2\nbreaking:\n  use: [WIRE_JSON]\n  ignore_only:\n    FIELD_SAME_NAME: [a.proto]\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(config.use_, vec!["WIRE_JSON"]);
        assert_eq!(config.ignore_only["FIELD_SAME_NAME"], vec!["a.proto"]);
    }
}
