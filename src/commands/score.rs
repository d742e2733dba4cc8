//! `trellis score`: compute, render, and gate on the scorecard.

use super::Context;
use crate::cli::{OutputFormat, ScoreArgs};
use crate::error::{InputError, exit};
use crate::git::Git;
use crate::registry::RuleId;
use crate::score::render::{self, Baseline};
use std::io::{IsTerminal, Write};

pub fn run(ctx: &Context, args: &ScoreArgs) -> anyhow::Result<i32> {
    let format = ctx.format(
        "score",
        &[
            OutputFormat::Text,
            OutputFormat::Json,
            OutputFormat::Markdown,
            OutputFormat::Html,
        ],
        OutputFormat::Text,
    )?;
    let repo = ctx.repo_with_services()?;
    let git = Git::open(&repo.root)?;
    if git.is_empty() {
        return Err(InputError::new(format!(
            "{} has no commits yet, so there is no history to score",
            git.root.display()
        ))
        .help("commit something first, or run `trellis score` on a repository with history")
        .into());
    }
    if git.repository().head_detached().unwrap_or(false) {
        ctx.status(&format!(
            "note: HEAD is detached at {}; scoring the history that leads to it",
            crate::git::short(git.head()?)
        ));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let options = crate::score::Options {
        since: args.since.clone(),
        until: args.until.clone(),
        services: args.services.clone(),
        end: None,
        progress: !ctx.global.quiet && std::io::stderr().is_terminal(),
        now,
    };
    let card = crate::score::scorecard(&repo, &git, &options)?;
    if card.history.commits == 0 {
        ctx.status(&format!(
            "note: no commits between {} and {}; history metrics are empty (widen the window with --since)",
            card.window.since, card.window.until
        ));
    }

    // The baseline: the same window length, ending at REF's commit.
    let baseline_card = match &args.compare {
        Some(reference) => {
            let end = git.resolve(reference)?;
            let length_days = window_days(&card);
            let base_options = crate::score::Options {
                since: Some(format!("{length_days}d")),
                until: None,
                end: Some(end),
                progress: options.progress,
                ..options.clone()
            };
            Some(crate::score::scorecard(&repo, &git, &base_options)?)
        }
        None => None,
    };
    let baseline = args
        .compare
        .as_deref()
        .zip(baseline_card.as_ref())
        .map(|(reference, card)| Baseline { reference, card });

    let text = match format {
        OutputFormat::Json => render::json(&card),
        OutputFormat::Markdown => render::markdown(&card, baseline.as_ref()),
        OutputFormat::Html => render::html(&card, baseline.as_ref()),
        _ => render::text(&card, baseline.as_ref()),
    };
    match &args.output {
        Some(path) => {
            crate::fsutil::write_atomic(path, text.as_bytes()).map_err(|e| {
                InputError::new(format!("cannot write {}: {e}", path.display()))
                    .help("check that the directory exists and is writable")
            })?;
            ctx.status(&format!("wrote {}", path.display()));
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
        }
    }

    // Gates: --fail-under, the ratchet, --fail-on-alert. Their lines are
    // printed even with --quiet: they say why the exit code is 1.
    let mut failed = false;
    let gate = |line: String| {
        let _ = writeln!(std::io::stderr(), "{line}");
    };
    let floor = args.fail_under.or(repo.config.config.score.fail_under);
    if let Some(floor) = floor {
        for s in &card.services {
            if let Some(score) = s.score
                && score < floor
            {
                gate(format!(
                    "{}: {} scores {score} < {floor}",
                    RuleId::ScoreFailUnder,
                    s.name
                ));
                failed = true;
            }
        }
    }
    if let Some(baseline) = &baseline {
        for (name, before, now) in render::dropped(&card, baseline) {
            gate(format!(
                "{}: {name} dropped from {before} to {now} since {}",
                RuleId::ScoreRatchet,
                baseline.reference
            ));
            failed = true;
        }
    }
    if args.fail_on_alert {
        for s in &card.services {
            for alert in &s.alerts {
                // Every alerting metric has its rule (a unit test holds it);
                // the metric's own name is the fallback for a new one.
                let rule =
                    crate::score::rules::alert_rule(alert).map_or(alert.as_str(), |id| id.as_str());
                gate(format!("{rule}: {} is in alert", s.name));
                failed = true;
            }
        }
    }
    Ok(if failed { exit::FINDINGS } else { exit::CLEAN })
}

/// The window's length in whole days.
fn window_days(card: &crate::score::Scorecard) -> i64 {
    let since = crate::score::window::parse_date(&card.window.since, "--since").unwrap_or(0);
    let until = crate::score::window::parse_date(&card.window.until, "--until").unwrap_or(0);
    ((until - since) / 86_400 + 1).max(1)
}
