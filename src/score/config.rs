//! The `score:` section of trellis.yaml: window, bots, aliases, thresholds and weights.

use crate::policy::Glob;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
pub(crate) struct ScoreConfig {
    /// The default window when `--since` is not given: `30d`, `12w`, `6m`, `1y` or a date.
    pub(crate) window: String,
    /// Authors whose name or email contains one of these (case-insensitive) are
    /// bots: left out of author metrics and counted separately.
    pub(crate) bots: Vec<String>,
    /// Count bots' commits in temporal coupling, hotspots and churn too. Off
    /// by default: a dependency bot bumping every go.mod at once reads as
    /// coupling and hotspots no person made.
    pub(crate) include_bot_commits: bool,
    /// Globs of generated files (in addition to the built-in ones: vendor/,
    /// *.pb.go, *_gen.go, lock files, files marked `Code generated ... DO NOT EDIT`);
    /// their lines never count as churn and they are never hotspots.
    pub(crate) generated: Vec<Glob>,
    /// Old directories -> the service they are now, so history from before a
    /// directory rename counts for the service (`services/orders: order-service`).
    pub(crate) aliases: BTreeMap<String, String>,
    /// Globs of files that are never hotspots though people edit them (lock
    /// files, changelogs, OpenAPI/Swagger documents); `[]` lets them rank.
    pub(crate) hotspot_ignore: Vec<Glob>,
    /// `skip` (as `git log` prints merges: no files) or `first-parent`.
    pub(crate) merges: MergeMode,
    /// Commits changing more files than this are left out of temporal coupling
    /// (code-maat's max changeset size) and counted.
    #[serde(alias = "max_changeset")]
    pub(crate) max_changeset: usize,
    /// Keep per-commit results in .git/trellis so a re-run reads only new commits.
    pub(crate) cache: bool,
    /// Count lines added and removed (churn). Off, the scan reads only which
    /// files changed, which is faster on very long histories.
    pub(crate) churn: bool,
    /// How many hotspots to list per service and for the repository.
    pub(crate) hotspots: usize,
    #[serde(alias = "interface_stability")]
    pub(crate) interface_stability: StabilityConfig,
    #[serde(alias = "data_coupling")]
    pub(crate) data_coupling: DataCouplingConfig,
    #[serde(alias = "deploy_frequency")]
    pub(crate) deploy_frequency: DeployConfig,
    #[serde(alias = "author_concentration")]
    pub(crate) author_concentration: ConcentrationConfig,
    /// Weights of the metrics in the 0-100 score (metrics without data are
    /// left out and the others re-weighted).
    pub(crate) weights: Weights,
    /// Fail (exit 1) when any service scores below this (the `--fail-under` default).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(alias = "fail_under")]
    pub(crate) fail_under: Option<u32>,
}

impl Default for ScoreConfig {
    fn default() -> Self {
        ScoreConfig {
            window: "30d".into(),
            bots: vec!["[bot]".into(), "renovate".into(), "dependabot".into()],
            include_bot_commits: false,
            generated: Vec::new(),
            aliases: BTreeMap::new(),
            hotspot_ignore: [
                "**/go.sum",
                "**/*.lock",
                "**/*-lock.json",
                "**/*-lock.yaml",
                "**/CHANGELOG*",
                "**/*.swagger.json",
                "**/swagger.json",
                "**/openapi.json",
                "**/*.openapi.json",
            ]
            .into_iter()
            .map(Glob::new)
            .collect(),
            merges: MergeMode::Skip,
            max_changeset: 30,
            cache: true,
            churn: true,
            hotspots: 10,
            interface_stability: StabilityConfig::default(),
            data_coupling: DataCouplingConfig::default(),
            deploy_frequency: DeployConfig::default(),
            author_concentration: ConcentrationConfig::default(),
            weights: Weights::default(),
            fail_under: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema, Default)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum MergeMode {
    #[default]
    Skip,
    FirstParent,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
pub(crate) struct StabilityConfig {
    /// Alert when breaking commits / contract commits is above this ratio.
    #[serde(alias = "alert_above")]
    pub(crate) alert_above: f64,
    /// Contract rule categories that make a change breaking (buf's FILE, PACKAGE, WIRE_JSON, WIRE).
    pub(crate) categories: Vec<String>,
}

impl Default for StabilityConfig {
    fn default() -> Self {
        StabilityConfig {
            alert_above: 0.15,
            categories: vec!["FILE".into()],
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
pub(crate) struct DataCouplingConfig {
    /// Alert when a service shares this many tables (or more) with other services.
    #[serde(alias = "alert_at")]
    pub(crate) alert_at: usize,
}

impl Default for DataCouplingConfig {
    fn default() -> Self {
        DataCouplingConfig { alert_at: 2 }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
pub(crate) struct DeployConfig {
    /// Tag patterns of a service's deploys; `{service}` is the service name and
    /// `*` the version, which must be semver (`v1.2.3`) for the tag to count.
    pub(crate) tags: Vec<String>,
    /// Tags that deploy every service at once (`v*`); none by default.
    #[serde(alias = "repo_wide_tags")]
    pub(crate) repo_wide_tags: Vec<String>,
    /// A glob matched against commit subjects that marks a deploy of the
    /// services the commit touches (`deploy:*`), instead of or beside tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) marker: Option<String>,
    /// Business domains: group name -> service names. A service's deploys are
    /// compared with its group's average; without groups, with all services.
    pub(crate) groups: BTreeMap<String, Vec<String>>,
    /// Alert when deploys / domain average is below this.
    #[serde(alias = "alert_below")]
    pub(crate) alert_below: f64,
}

impl Default for DeployConfig {
    fn default() -> Self {
        DeployConfig {
            tags: vec!["{service}/v*".into(), "{service}-v*".into()],
            repo_wide_tags: Vec::new(),
            marker: None,
            groups: BTreeMap::new(),
            alert_below: 0.5,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
pub(crate) struct ConcentrationConfig {
    /// Alert when fewer authors than this made more than half of the commits.
    #[serde(alias = "alert_bus_factor_below")]
    pub(crate) alert_bus_factor_below: usize,
}

impl Default for ConcentrationConfig {
    fn default() -> Self {
        ConcentrationConfig {
            alert_bus_factor_below: 2,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
pub(crate) struct Weights {
    #[serde(alias = "interface_stability")]
    pub(crate) interface_stability: f64,
    #[serde(alias = "data_coupling")]
    pub(crate) data_coupling: f64,
    #[serde(alias = "deploy_frequency")]
    pub(crate) deploy_frequency: f64,
    #[serde(alias = "author_concentration")]
    pub(crate) author_concentration: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            interface_stability: 35.0,
            data_coupling: 25.0,
            deploy_frequency: 25.0,
            author_concentration: 15.0,
        }
    }
}
