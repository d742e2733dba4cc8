//! Old spellings trellis.yaml still accepts: the snake_case keys of the
//! drift, contract and score sections (every key is kebab-case now, as lint's
//! always were) and `lint.rules` (the top-level `rules:` covers every job).
//! Each use is found with its line and column and becomes a warning naming
//! the new spelling; before `extends` are merged, old keys are renamed so a
//! parent and a child that spell one key differently still merge.

use super::keys::{self, Node};
use std::path::{Path, PathBuf};

/// Keys renamed to kebab-case, by the section they are in (its keys in the
/// new spelling). `score.weights` names the same metrics as `score`.
const RENAMED: &[(&[&str], &str)] = &[
    (&["drift"], "indirect_severity"),
    (&["drift"], "cargo_skip"),
    (&["drift", "upstream"], "timeout_secs"),
    (&["drift", "upstream"], "cache_ttl_hours"),
    (&["drift", "upstream"], "crates_index"),
    (&["contract"], "ignore_only"),
    (&["contract"], "ignore_unstable_packages"),
    (&["contract"], "field_no_reuse"),
    (&["contract"], "in_check"),
    (&["score"], "max_changeset"),
    (&["score"], "interface_stability"),
    (&["score"], "data_coupling"),
    (&["score"], "deploy_frequency"),
    (&["score"], "author_concentration"),
    (&["score"], "fail_under"),
    (&["score", "interface-stability"], "alert_above"),
    (&["score", "data-coupling"], "alert_at"),
    (&["score", "deploy-frequency"], "repo_wide_tags"),
    (&["score", "deploy-frequency"], "alert_below"),
    (&["score", "author-concentration"], "alert_bus_factor_below"),
    (&["score", "weights"], "interface_stability"),
    (&["score", "weights"], "data_coupling"),
    (&["score", "weights"], "deploy_frequency"),
    (&["score", "weights"], "author_concentration"),
];

/// A key in an old spelling, where it was written and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Deprecation {
    pub(crate) file: PathBuf,
    pub(crate) line: u32,
    pub(crate) column: u32,
    pub(crate) message: String,
}

impl std::fmt::Display for Deprecation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "warning: {}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// The new spelling of `key` in the section at `section` (new spellings),
/// if `key` is an old one.
fn renamed(section: &[String], key: &str) -> Option<String> {
    RENAMED
        .iter()
        .any(|(at, old)| *old == key && at.iter().eq(section.iter()))
        .then(|| key.replace('_', "-"))
}

/// Every old spelling in one file's text, in the order written. A file the
/// YAML layer cannot read yields none: parsing it reports the error.
pub(crate) fn scan(file: &Path, text: &str) -> Vec<Deprecation> {
    let Ok(root) = serde_saphyr::from_str::<Node>(text) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    keys::walk(&root, &renamed, &mut |section, key| {
        let at = |message: String| Deprecation {
            file: file.to_path_buf(),
            line: key.referenced.line() as u32,
            column: key.referenced.column() as u32,
            message,
        };
        let dotted = |name: &str| {
            let mut parts: Vec<&str> = section.iter().map(String::as_str).collect();
            parts.push(name);
            parts.join(".")
        };
        if let Some(new) = renamed(section, &key.value) {
            found.push(at(format!(
                "`{}` is an old spelling: write `{}` (trellis.yaml keys are kebab-case)",
                dotted(&key.value),
                dotted(&new)
            )));
        } else if section == ["lint"] && key.value == "rules" {
            found.push(at(
                "`lint.rules` is deprecated: move its entries to the top-level `rules:`, which covers every job (and where an exact id also turns a lint rule on)".to_string(),
            ));
        }
    });
    found
}

/// Renames old keys to their new spelling in a parsed file, so files merged
/// through `extends` agree on one spelling.
pub(crate) fn normalize(value: &mut serde_json::Value) {
    normalize_in(value, &mut Vec::new());
}

fn normalize_in(value: &mut serde_json::Value, section: &mut Vec<String>) {
    let serde_json::Value::Object(map) = value else {
        return;
    };
    let old: Vec<String> = map
        .keys()
        .filter(|key| renamed(section, key).is_some())
        .cloned()
        .collect();
    for key in old {
        if let Some(moved) = map.remove(&key) {
            // Both spellings in one file: the new one wins, as it is the one documented.
            map.entry(key.replace('_', "-")).or_insert(moved);
        }
    }
    for (key, child) in map.iter_mut() {
        section.push(key.clone());
        normalize_in(child, section);
        section.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(text: &str) -> Vec<(u32, u32, String)> {
        scan(Path::new("trellis.yaml"), text)
            .into_iter()
            .map(|d| (d.line, d.column, d.message))
            .collect()
    }

    #[test]
    fn old_spellings_are_found_where_they_are_written() {
        let text = "version: 1\ndrift:\n  indirect_severity: warning\n  upstream:\n    timeout_secs: 3\nscore:\n  interface_stability:\n    alert_above: 0.2\n  weights: {data_coupling: 10}\n";
        let found = messages(text);
        let places: Vec<(u32, u32)> = found.iter().map(|(l, c, _)| (*l, *c)).collect();
        assert_eq!(places, vec![(3, 3), (5, 5), (7, 3), (8, 5), (9, 13)]);
        assert!(
            found[0].2.contains(
                "`drift.indirect_severity` is an old spelling: write `drift.indirect-severity`"
            ),
            "{found:?}"
        );
        assert!(
            found[3]
                .2
                .contains("write `score.interface-stability.alert-above`"),
            "{found:?}"
        );
    }

    #[test]
    fn new_spellings_and_user_keys_are_left_alone() {
        let text = "version: 1\ndrift:\n  indirect-severity: info\n  anchor:\n    github.com/a_b/c_d: v1.0.0\ncontracts:\n  owners:\n    api/in_check: a\nscore:\n  aliases:\n    fail_under: x\n";
        assert!(messages(text).is_empty());
    }

    #[test]
    fn lint_rules_is_deprecated_with_its_replacement() {
        let found = messages("version: 1\nlint:\n  rules:\n    go-init-func: off\n");
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1), (3, 3));
        assert!(found[0].2.contains("top-level `rules:`"), "{found:?}");
    }

    #[test]
    fn normalize_renames_old_keys_and_keeps_new_ones() {
        let mut value = serde_json::json!({
            "drift": {"indirect_severity": "warning", "upstream": {"cache_ttl_hours": 1}},
            "contract": {"in_check": false, "in-check": true},
            "contracts": {"owners": {"a_b": "x"}},
        });
        normalize(&mut value);
        assert_eq!(
            value,
            serde_json::json!({
                "drift": {"indirect-severity": "warning", "upstream": {"cache-ttl-hours": 1}},
                "contract": {"in-check": true},
                "contracts": {"owners": {"a_b": "x"}},
            })
        );
    }
}
