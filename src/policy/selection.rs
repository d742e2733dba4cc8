//! The top-level `rules:` and `exceptions:` keys: which findings of every job
//! are reported, at what severity, and which are excepted with a reason. They
//! are resolved after the checks run, by [`super::sink`].

use super::{Glob, Located};
use crate::report::RuleLevel;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;

/// A rule id (`drift-version-mismatch`, `FIELD_NO_DELETE`) or a prefix of
/// rule ids ending in `-` or `_` (`drift-`, `go-`, `FIELD_`), with where it
/// was written. Compared by text only, so it can key a map.
#[derive(Debug, Clone)]
pub struct RuleKey {
    pub(crate) id: String,
    /// Line and column in the file that set it; `None` after merging `extends`.
    pub(crate) location: Option<(u32, u32)>,
}

impl RuleKey {
    pub(crate) fn new(id: impl Into<String>) -> RuleKey {
        RuleKey {
            id: id.into(),
            location: None,
        }
    }

    /// Whether this key names `rule`, and how specifically: exact ids rank
    /// above every prefix, longer prefixes above shorter ones.
    pub(crate) fn rank(&self, rule: &str) -> Option<usize> {
        if self.id == rule {
            Some(usize::MAX)
        } else if is_prefix(&self.id) && rule.starts_with(&self.id) {
            Some(self.id.len())
        } else {
            None
        }
    }
}

/// Only keys ending in a separator are prefixes: a misspelt id such as
/// `drift-version-mismatc` is then an error instead of a prefix of one rule.
pub(crate) fn is_prefix(key: &str) -> bool {
    key.ends_with('-') || key.ends_with('_')
}

impl PartialEq for RuleKey {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for RuleKey {}

impl PartialOrd for RuleKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RuleKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.id.cmp(&other.id)
    }
}

impl<'de> Deserialize<'de> for RuleKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<String>::deserialize(deserializer)?;
        Ok(RuleKey {
            location: super::glob::location_of(&spanned.referenced),
            id: spanned.value,
        })
    }
}

impl serde::Serialize for RuleKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.id)
    }
}

impl JsonSchema for RuleKey {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RuleKey".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A rule id of any job (`trellis rules` lists them), or a prefix of rule ids ending in `-` or `_` (`drift-`, `go-`, `FIELD_`)."
        })
    }
}

/// The level a `rules:` map gives `rule`: its exact id, else the longest
/// matching prefix, else `None` (the check's own severity stands).
pub(crate) fn level_for(rules: &BTreeMap<RuleKey, RuleLevel>, rule: &str) -> Option<RuleLevel> {
    rules
        .iter()
        .filter_map(|(key, level)| key.rank(rule).map(|rank| (rank, *level)))
        .max_by_key(|(rank, _)| *rank)
        .map(|(_, level)| level)
}

/// One entry of `exceptions:`: findings of `rule` at a path, about a module
/// or in a service are accepted, for a stated reason.
#[derive(Debug, Clone, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Exception {
    /// The rule id or prefix (ending in `-` or `_`) this exception is for.
    pub(crate) rule: RuleKey,
    /// A glob over the finding's path, relative to the repository root
    /// (`services/legacy/**`). Give `path`, or `module` and/or `service`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) path: Option<Glob>,
    /// The dependency the finding is about: a Go module path
    /// (`github.com/google/uuid`) or a crate name, as drift findings name it.
    /// With `service`, only that service's findings about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) module: Option<Located<String>>,
    /// The service the finding is about, by its name in reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) service: Option<String>,
    /// Why these findings are accepted. Required: it is what the next reader sees.
    pub(crate) reason: String,
}

/// One entry of `drift.exceptions`, the older spelling of an `exceptions:`
/// entry with `rule: drift-` and a module: the sink applies both.
#[derive(Debug, Clone, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DriftException {
    /// The module path.
    pub(crate) module: Located<String>,
    /// Services the exception covers; all when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) services: Vec<Located<String>>,
    /// Why this module may drift. Required.
    pub(crate) reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(entries: &[(&str, RuleLevel)]) -> BTreeMap<RuleKey, RuleLevel> {
        entries
            .iter()
            .map(|(id, level)| (RuleKey::new(*id), *level))
            .collect()
    }

    #[test]
    fn exact_id_wins_over_any_prefix() {
        let map = rules(&[
            ("drift-", RuleLevel::Off),
            ("drift-version-mismatch", RuleLevel::Error),
        ]);
        assert_eq!(
            level_for(&map, "drift-version-mismatch"),
            Some(RuleLevel::Error)
        );
        assert_eq!(level_for(&map, "drift-outdated"), Some(RuleLevel::Off));
    }

    #[test]
    fn longest_prefix_wins() {
        let map = rules(&[("go-", RuleLevel::Info), ("go-http-", RuleLevel::Error)]);
        assert_eq!(
            level_for(&map, "go-http-client-timeout"),
            Some(RuleLevel::Error)
        );
        assert_eq!(level_for(&map, "go-init-func"), Some(RuleLevel::Info));
        assert_eq!(level_for(&map, "arch-layer"), None);
    }

    #[test]
    fn keys_without_separator_are_not_prefixes() {
        let map = rules(&[("drift", RuleLevel::Off), ("FIELD", RuleLevel::Off)]);
        assert_eq!(level_for(&map, "drift-outdated"), None);
        assert_eq!(level_for(&map, "FIELD_NO_DELETE"), None);
        let map = rules(&[("FIELD_", RuleLevel::Warning)]);
        assert_eq!(level_for(&map, "FIELD_NO_DELETE"), Some(RuleLevel::Warning));
    }
}
