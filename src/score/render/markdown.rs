use super::{Baseline, number, ratio, score_text};
use crate::report::markdown::{code_span, escape_text};
use crate::score::model::{Scorecard, Status};
use std::fmt::Write as _;

fn badge(status: Status) -> &'static str {
    match status {
        Status::Ok => "",
        Status::Alert => " :red_circle:",
        Status::Unavailable => " _(no data)_",
    }
}

/// A pull-request comment: the table, and what changed against the baseline.
pub(crate) fn render(card: &Scorecard, baseline: Option<&Baseline<'_>>) -> String {
    let mut out = header(card, baseline);
    table(&mut out, card, baseline);
    if let Some(baseline) = baseline {
        changes(&mut out, card, baseline);
    }
    notes(&mut out, card);
    out
}

fn header(card: &Scorecard, baseline: Option<&Baseline<'_>>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## trellis score\n");
    let compared = baseline.map_or(String::new(), |b| {
        format!(" Compared with `{}`.", b.reference)
    });
    if card.history.commits == 0 {
        let _ = writeln!(out, "History: {}.{compared}\n", super::empty_window(card));
    } else {
        let _ = writeln!(
            out,
            "History {} to {}, {}.{compared}\n",
            card.window.since,
            card.window.until,
            super::count(card.history.commits as u64, "commit"),
        );
    }
    out
}

fn table(out: &mut String, card: &Scorecard, baseline: Option<&Baseline<'_>>) {
    out.push_str("| service | score | interface stability | shared tables | deploy ratio | commits | authors | bus factor |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for s in &card.services {
        let before = baseline
            .and_then(|b| b.service(&s.name))
            .and_then(|b| b.score);
        let score = match (before, s.score) {
            (Some(b), Some(n)) if b != n => format!("{} ({:+})", n, i64::from(n) - i64::from(b)),
            _ => score_text(s),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} ({}){} | {}{} | {}{} | {} | {} | {}{} |",
            escape_text(&s.name),
            score,
            ratio(s.interface_stability.ratio),
            super::breaking(&s.interface_stability),
            badge(s.interface_stability.status),
            s.data_coupling.count,
            badge(s.data_coupling.status),
            number(s.deploy_frequency.ratio),
            badge(s.deploy_frequency.status),
            s.commits,
            s.authors,
            s.author_concentration.bus_factor,
            badge(s.author_concentration.status),
        );
    }
}

/// Each metric that changed since the baseline, and the scores that dropped.
fn changes(out: &mut String, card: &Scorecard, baseline: &Baseline<'_>) {
    let mut changes = Vec::new();
    for s in &card.services {
        let Some(base) = baseline.service(&s.name) else {
            changes.push(format!("- {} is new", code_span(&s.name)));
            continue;
        };
        for (now, before) in s.score_inputs.iter().zip(&base.score_inputs) {
            if now.subscore != before.subscore {
                changes.push(format!(
                    "- {} {}: {} -> {} (sub-score {} -> {})",
                    code_span(&s.name),
                    now.metric,
                    number(before.value),
                    number(now.value),
                    number(before.subscore),
                    number(now.subscore)
                ));
            }
        }
    }
    out.push_str("\n### Changes\n\n");
    if changes.is_empty() {
        out.push_str("No metric changed.\n");
    } else {
        for change in changes {
            out.push_str(&change);
            out.push('\n');
        }
    }
    let dropped = super::dropped(card, baseline);
    if !dropped.is_empty() {
        out.push_str("\n**Scores dropped** (the ratchet fails):\n\n");
        for (name, before, now) in dropped {
            let _ = writeln!(out, "- {}: {before} -> {now}", code_span(&name));
        }
    }
}

/// Why metrics have no data, and what the history leaves out.
fn notes(out: &mut String, card: &Scorecard) {
    let mut notes: Vec<String> = super::reasons(card)
        .into_iter()
        .map(|(metric, reason, services)| {
            format!(
                "- {metric} has no data for {}: {reason}",
                services
                    .iter()
                    .map(|s| escape_text(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    notes.extend(
        super::history_notes(card)
            .into_iter()
            .map(|n| format!("- {n}")),
    );
    if !notes.is_empty() {
        out.push_str("\n### Notes\n\n");
        for note in notes {
            out.push_str(&note);
            out.push('\n');
        }
    }
}
