//! The scorecard for people (text, markdown, html) and machines (json).

mod html;
mod markdown;
mod text;

pub(crate) use html::render as html;
pub(crate) use markdown::render as markdown;
pub(crate) use text::render as text;

use super::model::{DependencyAge, Scorecard, ServiceScore, Status};

/// `1 commit`, `2 commits`: a count with its noun, singular for one.
pub(crate) fn count(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The card with the findings its gates raised (after `rules:` and
/// `exceptions:`), so one file holds the numbers and the verdict.
pub(crate) fn json(card: &Scorecard, findings: &[crate::report::Finding]) -> String {
    let mut value = serde_json::to_value(card).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.insert(
            "findings".into(),
            serde_json::to_value(findings).unwrap_or_default(),
        );
    }
    let mut out = serde_json::to_string_pretty(&value).unwrap_or_else(|_| "{}".into());
    out.push('\n');
    out
}

/// The scorecard at `--compare REF`, for deltas and the ratchet.
pub(crate) struct Baseline<'a> {
    pub(crate) reference: &'a str,
    pub(crate) card: &'a Scorecard,
}

impl Baseline<'_> {
    pub(crate) fn service(&self, name: &str) -> Option<&ServiceScore> {
        self.card.services.iter().find(|s| s.name == name)
    }
}

/// Services whose score is lower now than at the baseline: (name, before, now).
pub(crate) fn dropped(card: &Scorecard, baseline: &Baseline<'_>) -> Vec<(String, u32, u32)> {
    card.services
        .iter()
        .filter_map(|s| {
            let before = baseline.service(&s.name)?.score?;
            let now = s.score?;
            (now < before).then(|| (s.name.clone(), before, now))
        })
        .collect()
}

fn ratio(value: Option<f64>) -> String {
    value.map_or("-".into(), |v| format!("{:.0}%", v * 100.0))
}

fn number(value: Option<f64>) -> String {
    value.map_or("-".into(), |v| {
        if v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.2}")
        }
    })
}

fn mark(status: Status) -> &'static str {
    match status {
        Status::Ok => "",
        Status::Alert => " !",
        Status::Unavailable => " ?",
    }
}

/// The score, with how many metrics made it when some had no data.
fn score_text(service: &ServiceScore) -> String {
    let metrics = service.score_metrics;
    match service.score {
        None => "no data".into(),
        Some(score) if metrics.used < metrics.of => {
            format!("{score} ({} of {})", metrics.used, metrics.of)
        }
        Some(score) => score.to_string(),
    }
}

/// Breaking commits of the judged ones, and of how many contract commits
/// when some could not be judged: `2/8 of 10`.
fn breaking(st: &super::model::Stability) -> String {
    let judged = st.contract_commits - st.unknown_commits;
    if st.unknown_commits == 0 {
        format!("{}/{}", st.breaking_commits, st.contract_commits)
    } else {
        format!(
            "{}/{judged} of {}",
            st.breaking_commits, st.contract_commits
        )
    }
}

/// Libyears with how many direct requirements they were summed over.
fn libyears(age: &DependencyAge) -> String {
    match age.libyears {
        Some(years) => format!(
            "{} ({} of {})",
            number(Some(years)),
            age.dependencies,
            age.dependencies + age.not_found
        ),
        None => "-".into(),
    }
}

/// The header of a window without commits.
fn empty_window(card: &Scorecard) -> String {
    let last = card
        .history
        .last_commit
        .as_ref()
        .map_or(String::new(), |date| format!("; last commit on {date}"));
    format!(
        "no commits between {} and {}{last}",
        card.window.since, card.window.until
    )
}

/// Why metrics have no data: (metric, reason, services), a reason shared by
/// several services said once.
fn reasons(card: &Scorecard) -> Vec<(&'static str, String, Vec<String>)> {
    let mut reasons: Vec<(&'static str, String, Vec<String>)> = Vec::new();
    for s in &card.services {
        for (metric, reason) in unavailable(s) {
            match reasons
                .iter_mut()
                .find(|(m, r, _)| *m == metric && r == reason)
            {
                Some((_, _, services)) => services.push(s.name.clone()),
                None => reasons.push((metric, reason.to_string(), vec![s.name.clone()])),
            }
        }
    }
    reasons
}

/// The metrics of a service that have no data, with the reason.
fn unavailable(s: &ServiceScore) -> Vec<(&'static str, &str)> {
    [
        (
            "interface_stability",
            s.interface_stability.status,
            &s.interface_stability.reason,
        ),
        (
            "data_coupling",
            s.data_coupling.status,
            &s.data_coupling.reason,
        ),
        (
            "deploy_frequency",
            s.deploy_frequency.status,
            &s.deploy_frequency.reason,
        ),
        (
            "author_concentration",
            s.author_concentration.status,
            &s.author_concentration.reason,
        ),
        (
            "dependency_age",
            s.dependency_age.status,
            &s.dependency_age.reason,
        ),
    ]
    .into_iter()
    .filter(|(_, status, _)| *status == Status::Unavailable)
    .map(|(metric, _, reason)| (metric, reason.as_deref().unwrap_or("no reason recorded")))
    .collect()
}

/// What the history header's counts leave out, in words.
fn history_notes(card: &Scorecard) -> Vec<String> {
    let mut notes: Vec<String> = card
        .history
        .incomplete
        .iter()
        .map(|i| format!("{} is incomplete: {}", i.metric, i.reason))
        .collect();
    if card.history.bot_commits > 0 && !card.history.bot_commits_in_metrics {
        notes.push(format!(
            "{} by bots left out of churn, hotspots and temporal coupling (score.include_bot_commits)",
            count(card.history.bot_commits as u64, "commit")
        ));
    }
    if card.history.non_semver_tags > 0 {
        notes.push(format!(
            "{} ignored because their version is not semver",
            count(card.history.non_semver_tags as u64, "deploy tag")
        ));
    }
    if card.history.large_commits_skipped > 0 {
        notes.push(format!(
            "{} over the changeset limit left out of temporal coupling",
            count(card.history.large_commits_skipped as u64, "commit")
        ));
    }
    notes
}
