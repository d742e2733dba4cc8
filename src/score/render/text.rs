use super::{Baseline, count, mark, number, ratio, score_text};
use crate::score::model::Scorecard;
use std::fmt::Write as _;

/// A table for a terminal (`!` marks an alert, `?` a metric without data),
/// then the top hotspots and couplings.
pub fn render(card: &Scorecard, baseline: Option<&Baseline<'_>>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "history {} .. {}: {} ({}, {} by bots)",
        card.window.since,
        card.window.until,
        count(card.history.commits as u64, "commit"),
        count(card.history.merges as u64, "merge"),
        card.history.bot_commits
    );
    let header = [
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
    let mut rows: Vec<Vec<String>> = Vec::new();
    for s in &card.services {
        let mut score = score_text(s.score);
        if let Some(base) = baseline
            .and_then(|b| b.service(&s.name))
            .and_then(|b| b.score)
            && let Some(now) = s.score
            && now != base
        {
            let _ = write!(score, " ({:+})", i64::from(now) - i64::from(base));
        }
        let stability = &s.interface_stability;
        rows.push(vec![
            s.name.clone(),
            score,
            format!("{}{}", ratio(stability.ratio), mark(stability.status)),
            format!(
                "{}/{}",
                stability.breaking_commits, stability.contract_commits
            ),
            format!("{}{}", s.data_coupling.count, mark(s.data_coupling.status)),
            s.deploy_frequency.deploys.to_string(),
            format!(
                "{}{}",
                number(s.deploy_frequency.ratio),
                mark(s.deploy_frequency.status)
            ),
            s.commits.to_string(),
            s.authors.to_string(),
            format!(
                "{}{}",
                s.author_concentration.bus_factor,
                mark(s.author_concentration.status)
            ),
            s.churn
                .as_ref()
                .map_or("-".into(), |c| format!("+{} -{}", c.added, c.removed)),
            format!(
                "{}{}",
                number(s.dependency_age.libyears),
                mark(s.dependency_age.status)
            ),
        ]);
    }
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>, out: &mut String| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let _ = write!(text, "{cell:<width$}  ", width = widths[i]);
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    out.push('\n');
    line(header.to_vec(), &mut out);
    for row in &rows {
        line(row.iter().map(String::as_str).collect(), &mut out);
    }
    out.push_str("\n! alert   ? no data (see below)\n");

    // Metrics without data, grouped by reason so a reason shared by every
    // service is said once.
    let mut reasons: Vec<(String, String, Vec<String>)> = Vec::new();
    let mut notes = Vec::new();
    for s in &card.services {
        for (metric, reason) in [
            ("interface_stability", &s.interface_stability.reason),
            ("data_coupling", &s.data_coupling.reason),
            ("deploy_frequency", &s.deploy_frequency.reason),
            ("author_concentration", &s.author_concentration.reason),
            ("dependency_age", &s.dependency_age.reason),
        ] {
            let Some(reason) = reason else { continue };
            match reasons
                .iter_mut()
                .find(|(m, r, _)| m == metric && r == reason)
            {
                Some((_, _, services)) => services.push(s.name.clone()),
                None => reasons.push((metric.to_string(), reason.clone(), vec![s.name.clone()])),
            }
        }
        for shared in &s.data_coupling.tables {
            notes.push(format!(
                "{} shares table `{}` with {}",
                s.name,
                shared.table,
                shared.services.join(", ")
            ));
        }
    }
    for (metric, reason, services) in reasons {
        notes.push(format!(
            "{metric} has no data for {}: {reason}",
            services.join(", ")
        ));
    }
    for incomplete in &card.history.incomplete {
        notes.push(format!(
            "{} is incomplete: {}",
            incomplete.metric, incomplete.reason
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
    if !notes.is_empty() {
        out.push('\n');
        for note in notes {
            let _ = writeln!(out, "note: {note}");
        }
    }

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
    out
}
