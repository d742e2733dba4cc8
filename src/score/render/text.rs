use super::{Baseline, breaking, count, libyears, mark, number, ratio, score_text};
use crate::score::model::{Scorecard, ServiceScore, Status};
use std::fmt::Write as _;

/// A table for a terminal (`!` marks an alert, `?` a metric without data,
/// grey with colour), then why metrics have no data, the top hotspots and
/// couplings.
pub(crate) fn render(card: &Scorecard, baseline: Option<&Baseline<'_>>, color: bool) -> String {
    let mut out = header(card);
    table(&mut out, card, baseline, color);
    notes(&mut out, card);
    hotspots_and_couplings(&mut out, card);
    out
}

fn header(card: &Scorecard) -> String {
    if card.history.commits == 0 {
        return format!("history {}\n", super::empty_window(card));
    }
    format!(
        "history {} .. {}: {} ({}, {} by bots)\n",
        card.window.since,
        card.window.until,
        count(card.history.commits as u64, "commit"),
        count(card.history.merges as u64, "merge"),
        card.history.bot_commits
    )
}

/// A table cell and whether it shows a metric without data.
struct Cell {
    text: String,
    no_data: bool,
}

impl Cell {
    fn plain(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            no_data: false,
        }
    }

    fn metric(text: String, status: Status) -> Cell {
        Cell {
            text: format!("{text}{}", mark(status)),
            no_data: status == Status::Unavailable,
        }
    }
}

const HEADER: [&str; 12] = [
    "SERVICE",
    "SCORE",
    "STABILITY",
    "BREAKING",
    "SHARED TABLES",
    "DEPLOYS",
    "DEPLOY RATIO",
    "COMMITS",
    "AUTHORS",
    "BUS FACTOR",
    "CHURN +/-",
    "LIBYEARS",
];

fn table(out: &mut String, card: &Scorecard, baseline: Option<&Baseline<'_>>, color: bool) {
    let rows: Vec<Vec<Cell>> = card.services.iter().map(|s| row(s, baseline)).collect();
    let mut widths: Vec<usize> = HEADER.iter().map(|h| h.len()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.text.chars().count());
        }
    }
    let line = |cells: &[Cell], out: &mut String| {
        let mut text = String::new();
        for (cell, width) in cells.iter().zip(&widths) {
            let padded = format!("{:<width$}  ", cell.text);
            // Grey (ANSI bright black) for what has no data, padding outside it.
            if color && cell.no_data {
                let _ = write!(
                    text,
                    "\x1b[90m{}\x1b[0m{}",
                    cell.text,
                    &padded[cell.text.len()..]
                );
            } else {
                text.push_str(&padded);
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    out.push('\n');
    line(&HEADER.map(Cell::plain), out);
    for row in &rows {
        line(row, out);
    }
    out.push_str("\n! alert   ? no data (see below)\n");
}

fn row(s: &ServiceScore, baseline: Option<&Baseline<'_>>) -> Vec<Cell> {
    let stability = &s.interface_stability;
    vec![
        Cell::plain(s.name.clone()),
        score_cell(s, baseline),
        Cell::metric(ratio(stability.ratio), stability.status),
        Cell::plain(breaking(stability)),
        Cell::metric(s.data_coupling.count.to_string(), s.data_coupling.status),
        Cell::plain(s.deploy_frequency.deploys.to_string()),
        Cell::metric(number(s.deploy_frequency.ratio), s.deploy_frequency.status),
        Cell::plain(s.commits.to_string()),
        Cell::plain(s.authors.to_string()),
        Cell::metric(
            match s.author_concentration.status {
                Status::Unavailable => "-".to_string(),
                _ => s.author_concentration.bus_factor.to_string(),
            },
            s.author_concentration.status,
        ),
        Cell::plain(
            s.churn
                .as_ref()
                .map_or("-".into(), |c| format!("+{} -{}", c.added, c.removed)),
        ),
        Cell::metric(libyears(&s.dependency_age), s.dependency_age.status),
    ]
}

fn score_cell(s: &ServiceScore, baseline: Option<&Baseline<'_>>) -> Cell {
    let mut score = score_text(s);
    if let Some(base) = baseline
        .and_then(|b| b.service(&s.name))
        .and_then(|b| b.score)
        && let Some(now) = s.score
        && now != base
    {
        let _ = write!(score, " ({:+})", i64::from(now) - i64::from(base));
    }
    Cell {
        text: score,
        no_data: s.score.is_none(),
    }
}

fn notes(out: &mut String, card: &Scorecard) {
    let mut notes = Vec::new();
    for s in &card.services {
        for shared in &s.data_coupling.tables {
            notes.push(format!(
                "{} shares table `{}` with {}",
                s.name,
                shared.table,
                shared.services.join(", ")
            ));
        }
    }
    for (metric, reason, services) in super::reasons(card) {
        notes.push(format!(
            "{metric} has no data for {}: {reason}",
            services.join(", ")
        ));
    }
    notes.extend(super::history_notes(card));
    if !notes.is_empty() {
        out.push('\n');
        for note in notes {
            let _ = writeln!(out, "note: {note}");
        }
    }
}

fn hotspots_and_couplings(out: &mut String, card: &Scorecard) {
    if !card.hotspots.is_empty() {
        out.push_str("\nhotspots (changes x lines):\n");
        for h in card.hotspots.iter().take(5) {
            let _ = writeln!(
                out,
                "  {:>6}  {} ({}, {})",
                h.score,
                h.path,
                count(h.changes as u64, "change"),
                count(h.lines, "line")
            );
        }
    }
    if !card.temporal_coupling.is_empty() {
        out.push_str("\ntemporal coupling (changed together):\n");
        for pair in card.temporal_coupling.iter().take(5) {
            let _ = writeln!(
                out,
                "  {:>3}%  {} + {} ({} of {} and {})",
                pair.degree,
                pair.services[0],
                pair.services[1],
                count(pair.shared_commits as u64, "shared commit"),
                pair.revisions[0],
                pair.revisions[1]
            );
        }
    }
}
