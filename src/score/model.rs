//! The scorecard as data: what `--format json` prints and every renderer reads.
//! The shape is documented in docs/score.md; `version` changes when it breaks.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    Ok,
    Alert,
    /// The data for the metric is missing; `reason` says why.
    Unavailable,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Alert => "alert",
            Status::Unavailable => "unavailable",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Scorecard {
    pub(crate) version: u32,
    pub(crate) window: WindowOut,
    /// The commit the history was read from.
    pub(crate) head: String,
    pub(crate) history: HistoryOut,
    pub(crate) services: Vec<ServiceScore>,
    /// Pairs of services changed in the same commits (code-maat's coupling).
    pub(crate) temporal_coupling: Vec<CouplingPair>,
    /// The repository's top files by changes x lines.
    pub(crate) hotspots: Vec<Hotspot>,
    /// Monday dates of the weekly buckets used by every `weekly` series.
    pub(crate) weeks: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct WindowOut {
    pub(crate) since: String,
    pub(crate) until: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct HistoryOut {
    /// Commits in the window (merges included, as `git log` counts them).
    pub(crate) commits: usize,
    pub(crate) merges: usize,
    /// (commit, file) pairs: the lines `git log --name-only --no-renames` prints.
    pub(crate) file_changes: usize,
    pub(crate) bot_commits: usize,
    /// Whether bots' commits count in churn, hotspots and temporal coupling
    /// (`score.include_bot_commits`); they never count as authors.
    pub(crate) bot_commits_in_metrics: bool,
    /// Commits over `max_changeset` files, left out of temporal coupling.
    pub(crate) large_commits_skipped: usize,
    /// Tags that matched a deploy pattern but whose version is not semver.
    pub(crate) non_semver_tags: usize,
    pub(crate) shallow: bool,
    /// The date of the commit the window ends at: with no commit in the
    /// window, when the last one was.
    pub(crate) last_commit: Option<String>,
    /// Metrics that could not see all the data, and why.
    pub(crate) incomplete: Vec<Incomplete>,
    /// Commits read from the cache and commits read now.
    pub(crate) cached_commits: usize,
    pub(crate) scanned_commits: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Incomplete {
    pub(crate) metric: String,
    pub(crate) reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ServiceScore {
    pub(crate) name: String,
    /// 0-100, from `score_inputs`; `null` when no metric had data.
    pub(crate) score: Option<u32>,
    /// How many metrics had data and made the score, of how many.
    pub(crate) score_metrics: ScoreMetrics,
    /// Metric names in alert.
    pub(crate) alerts: Vec<String>,
    pub(crate) interface_stability: Stability,
    pub(crate) data_coupling: DataCoupling,
    pub(crate) deploy_frequency: DeployFrequency,
    pub(crate) commits: usize,
    pub(crate) bot_commits: usize,
    pub(crate) authors: usize,
    /// `null` when `score.churn` is off.
    pub(crate) churn: Option<Churn>,
    pub(crate) author_concentration: Concentration,
    /// Not part of the score: shown beside it.
    #[serde(default = "DependencyAge::missing")]
    pub(crate) dependency_age: DependencyAge,
    pub(crate) hotspots: Vec<Hotspot>,
    /// Every input of the score: value, 0-100 sub-score, weight.
    pub(crate) score_inputs: Vec<ScoreInput>,
    pub(crate) weekly: Weekly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ScoreMetrics {
    pub(crate) used: usize,
    pub(crate) of: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Stability {
    pub(crate) contract_commits: usize,
    pub(crate) breaking_commits: usize,
    /// Commits whose contract did not compile on one side: neither breaking nor not.
    pub(crate) unknown_commits: usize,
    /// breaking / (contract - unknown); `null` when unavailable: no contract
    /// commits, or fewer than half of them judged.
    pub(crate) ratio: Option<f64>,
    pub(crate) threshold: f64,
    pub(crate) status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reason: Option<String>,
    /// Short ids of the breaking commits.
    pub(crate) breaking: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DataCoupling {
    pub(crate) shared_tables: Vec<String>,
    /// For each shared table, the other services that access it.
    pub(crate) tables: Vec<SharedTable>,
    pub(crate) count: usize,
    pub(crate) threshold: usize,
    pub(crate) status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SharedTable {
    pub(crate) table: String,
    pub(crate) services: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DeployFrequency {
    pub(crate) deploys: usize,
    /// The average deploys of the services in this service's domain.
    pub(crate) domain_average: Option<f64>,
    pub(crate) ratio: Option<f64>,
    pub(crate) threshold: f64,
    /// The domain: a configured group name, or `all`.
    pub(crate) domain: String,
    pub(crate) status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reason: Option<String>,
    /// The tags (or marker commits) counted.
    pub(crate) tags: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Churn {
    pub(crate) added: u64,
    pub(crate) removed: u64,
    /// Files left out: generated, vendored or binary.
    pub(crate) skipped_files: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Concentration {
    pub(crate) top_author: Option<String>,
    pub(crate) top_share: Option<f64>,
    /// The fewest authors who made more than half of the human commits.
    pub(crate) bus_factor: usize,
    pub(crate) threshold: usize,
    pub(crate) status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reason: Option<String>,
}

/// Dependency age: libyears of the service's direct dependencies (for each,
/// the time from the release it uses to the newest release), from the
/// release times `trellis drift --offline` reads in the Go module cache or
/// cargo's crates.io index cache.
/// Nothing is looked up on the network and nothing is estimated.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DependencyAge {
    /// `null` when unavailable.
    pub(crate) libyears: Option<f64>,
    /// Direct requirements counted (both release times known).
    pub(crate) dependencies: usize,
    /// Direct requirements left out: their release times are not cached.
    pub(crate) not_found: usize,
    /// `ok` or `unavailable`.
    pub(crate) status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reason: Option<String>,
}

impl DependencyAge {
    pub(crate) fn unavailable(reason: impl Into<String>) -> DependencyAge {
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
pub(crate) struct Hotspot {
    pub(crate) path: String,
    pub(crate) service: Option<String>,
    /// Commits in the window that changed the file.
    pub(crate) changes: usize,
    /// Lines of the file at the end of the window.
    pub(crate) lines: u32,
    /// changes x lines.
    pub(crate) score: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CouplingPair {
    pub(crate) services: [String; 2],
    /// Commits that changed both.
    pub(crate) shared_commits: usize,
    /// Commits of each service (after leaving out large commits).
    pub(crate) revisions: [usize; 2],
    /// shared / average(revisions) x 100, rounded (code-maat's degree).
    pub(crate) degree: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ScoreInput {
    pub(crate) metric: String,
    /// The metric's value as shown above (a ratio, a count); `null` if unavailable.
    pub(crate) value: Option<f64>,
    /// 0-100; `null` when the metric is left out of the score.
    pub(crate) subscore: Option<f64>,
    pub(crate) weight: f64,
    /// How the sub-score was computed from the value.
    pub(crate) formula: String,
}

/// One value per week of the window, for the trend charts.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Weekly {
    pub(crate) commits: Vec<usize>,
    pub(crate) churn: Vec<u64>,
    pub(crate) deploys: Vec<usize>,
    pub(crate) contract_commits: Vec<usize>,
    pub(crate) breaking_commits: Vec<usize>,
    pub(crate) authors: Vec<usize>,
}
