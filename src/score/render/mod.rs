//! The scorecard for people (text, markdown, html) and machines (json).

mod html;
mod markdown;
mod text;

pub use html::render as html;
pub use markdown::render as markdown;
pub use text::render as text;

use super::model::{Scorecard, ServiceScore, Status};

/// `1 commit`, `2 commits`: a count with its noun, singular for one.
pub fn count(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

pub fn json(card: &Scorecard) -> String {
    let mut out = serde_json::to_string_pretty(card).unwrap_or_else(|_| "{}".into());
    out.push('\n');
    out
}

/// The scorecard at `--compare REF`, for deltas and the ratchet.
pub struct Baseline<'a> {
    pub reference: &'a str,
    pub card: &'a Scorecard,
}

impl Baseline<'_> {
    pub fn service(&self, name: &str) -> Option<&ServiceScore> {
        self.card.services.iter().find(|s| s.name == name)
    }
}

/// Services whose score is lower now than at the baseline: (name, before, now).
pub fn dropped(card: &Scorecard, baseline: &Baseline<'_>) -> Vec<(String, u32, u32)> {
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

fn score_text(score: Option<u32>) -> String {
    score.map_or("-".into(), |s| s.to_string())
}
