//! The scorecard as data: what `--format json` prints and every renderer reads.
//! The shape is documented in docs/score.md; `version` changes when it breaks.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Alert,
    /// The data for the metric is missing; `reason` says why.
    Unavailable,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Alert => "alert",
            Status::Unavailable => "unavailable",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scorecard {
    pub version: u32,
    pub window: WindowOut,
    /// The commit the history was read from.
    pub head: String,
    pub history: HistoryOut,
    pub services: Vec<ServiceScore>,
    /// Pairs of services changed in the same commits (code-maat's coupling).
    pub temporal_coupling: Vec<CouplingPair>,
    /// The repository's top files by changes x lines.
    pub hotspots: Vec<Hotspot>,
    /// Monday dates of the weekly buckets used by every `weekly` series.
    pub weeks: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WindowOut {
    pub since: String,
    pub until: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HistoryOut {
    /// Commits in the window (merges included, as `git log` counts them).
    pub commits: usize,
    pub merges: usize,
    /// (commit, file) pairs: the lines `git log --name-only --no-renames` prints.
    pub file_changes: usize,
    pub bot_commits: usize,
    /// Whether bots' commits count in churn, hotspots and temporal coupling
    /// (`score.include_bot_commits`); they never count as authors.
    pub bot_commits_in_metrics: bool,
    /// Commits over `max_changeset` files, left out of temporal coupling.
    pub large_commits_skipped: usize,
    /// Tags that matched a deploy pattern but whose version is not semver.
    pub non_semver_tags: usize,
    pub shallow: bool,
    /// The date of the commit the window ends at: with no commit in the
    /// window, when the last one was.
    pub last_commit: Option<String>,
    /// Metrics that could not see all the data, and why.
    pub incomplete: Vec<Incomplete>,
    /// Commits read from the cache and commits read now.
    pub cached_commits: usize,
    pub scanned_commits: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Incomplete {
    pub metric: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServiceScore {
    pub name: String,
    /// 0-100, from `score_inputs`; `null` when no metric had data.
    pub score: Option<u32>,
    /// How many metrics had data and made the score, of how many.
    pub score_metrics: ScoreMetrics,
    /// Metric names in alert.
    pub alerts: Vec<String>,
    pub interface_stability: Stability,
    pub data_coupling: DataCoupling,
    pub deploy_frequency: DeployFrequency,
    pub commits: usize,
    pub bot_commits: usize,
    pub authors: usize,
    /// `null` when `score.churn` is off.
    pub churn: Option<Churn>,
    pub author_concentration: Concentration,
    /// Not part of the score: shown beside it.
    #[serde(default = "DependencyAge::missing")]
    pub dependency_age: DependencyAge,
    pub hotspots: Vec<Hotspot>,
    /// Every input of the score: value, 0-100 sub-score, weight.
    pub score_inputs: Vec<ScoreInput>,
    pub weekly: Weekly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreMetrics {
    pub used: usize,
    pub of: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stability {
    pub contract_commits: usize,
    pub breaking_commits: usize,
    /// Commits whose contract did not compile on one side: neither breaking nor not.
    pub unknown_commits: usize,
    /// breaking / (contract - unknown); `null` when unavailable: no contract
    /// commits, or fewer than half of them judged.
    pub ratio: Option<f64>,
    pub threshold: f64,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Short ids of the breaking commits.
    pub breaking: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DataCoupling {
    pub shared_tables: Vec<String>,
    /// For each shared table, the other services that access it.
    pub tables: Vec<SharedTable>,
    pub count: usize,
    pub threshold: usize,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SharedTable {
    pub table: String,
    pub services: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeployFrequency {
    pub deploys: usize,
    /// The average deploys of the services in this service's domain.
    pub domain_average: Option<f64>,
    pub ratio: Option<f64>,
    pub threshold: f64,
    /// The domain: a configured group name, or `all`.
    pub domain: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The tags (or marker commits) counted.
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Churn {
    pub added: u64,
    pub removed: u64,
    /// Files left out: generated, vendored or binary.
    pub skipped_files: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Concentration {
    pub top_author: Option<String>,
    pub top_share: Option<f64>,
    /// The fewest authors who made more than half of the human commits.
    pub bus_factor: usize,
    pub threshold: usize,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Dependency age: libyears of the service's direct dependencies (for each,
/// the time from the release it uses to the newest release), from the
/// release times `trellis drift --offline` reads in the Go module cache or
/// cargo's crates.io index cache.
/// Nothing is looked up on the network and nothing is estimated.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DependencyAge {
    /// `null` when unavailable.
    pub libyears: Option<f64>,
    /// Direct requirements counted (both release times known).
    pub dependencies: usize,
    /// Direct requirements left out: their release times are not cached.
    pub not_found: usize,
    /// `ok` or `unavailable`.
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl DependencyAge {
    pub fn unavailable(reason: impl Into<String>) -> DependencyAge {
        DependencyAge {
            libyears: None,
            dependencies: 0,
            not_found: 0,
            status: Status::Unavailable,
            source: None,
            reason: Some(reason.into()),
        }
    }

    fn missing() -> DependencyAge {
        DependencyAge::unavailable("not in this report")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hotspot {
    pub path: String,
    pub service: Option<String>,
    /// Commits in the window that changed the file.
    pub changes: usize,
    /// Lines of the file at the end of the window.
    pub lines: u32,
    /// changes x lines.
    pub score: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CouplingPair {
    pub services: [String; 2],
    /// Commits that changed both.
    pub shared_commits: usize,
    /// Commits of each service (after leaving out large commits).
    pub revisions: [usize; 2],
    /// shared / average(revisions) x 100, rounded (code-maat's degree).
    pub degree: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScoreInput {
    pub metric: String,
    /// The metric's value as shown above (a ratio, a count); `null` if unavailable.
    pub value: Option<f64>,
    /// 0-100; `null` when the metric is left out of the score.
    pub subscore: Option<f64>,
    pub weight: f64,
    /// How the sub-score was computed from the value.
    pub formula: String,
}

/// One value per week of the window, for the trend charts.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Weekly {
    pub commits: Vec<usize>,
    pub churn: Vec<u64>,
    pub deploys: Vec<usize>,
    pub contract_commits: Vec<usize>,
    pub breaking_commits: Vec<usize>,
    pub authors: Vec<usize>,
}
