//! `trellis score`: compute, render, and gate on the scorecard.
//!
//! `--format` chooses what stdout gets: text, markdown and html print the
//! card (the findings then go to stderr, one line each, as they say why the
//! exit code is 1); json prints the card with a `findings` array; sarif,
//! github and junit print the findings only.

use super::Context;
use crate::cli::{OutputFormat, ScoreArgs};
use crate::error::{InputError, exit};
use crate::git::Git;
use crate::report::Report;
use crate::score::findings::{ALERTS, Gates};
use crate::score::render::{self, Baseline};
use crate::score::{Scorecard, findings};
use std::io::{IsTerminal, Write};

const FORMATS: &[OutputFormat] = &[
    OutputFormat::Text,
    OutputFormat::Json,
    OutputFormat::Markdown,
    OutputFormat::Html,
    OutputFormat::Sarif,
    OutputFormat::Github,
    OutputFormat::Gitlab,
    OutputFormat::Junit,
];

pub(crate) fn run(ctx: &Context, args: &ScoreArgs) -> anyhow::Result<i32> {
    let format = ctx.format("score", FORMATS, OutputFormat::Text)?;
    let repo = ctx.repo_with_services()?;
    let git = Git::open(&repo.root)?;
    let options = options(ctx, args, &git)?;
    let card = crate::score::scorecard(&repo, &git, ctx.config().score_sections(), &options)?;
    let baseline_card = match &args.compare {
        Some(reference) => Some(baseline(ctx, &repo, &git, &card, &options, reference)?),
        None => None,
    };
    let baseline = args
        .compare
        .as_deref()
        .zip(baseline_card.as_ref())
        .map(|(reference, card)| Baseline { reference, card });
    let gates = Gates {
        floor: args.fail_under.or(ctx.config().score.fail_under),
    };
    let report = findings::report(&repo, &card, baseline.as_ref(), gates);
    let report = match ctx.config.get() {
        Some(loaded) => crate::policy::sink::apply(
            report,
            loaded.config.policy(),
            &loaded.display_path(&ctx.root),
        ),
        None => report,
    };
    let alert = args.fail_on_alert
        && report
            .findings
            .iter()
            .any(|f| ALERTS.contains(&f.rule.as_str()));
    let code = match format {
        OutputFormat::Sarif | OutputFormat::Github | OutputFormat::Gitlab | OutputFormat::Junit => {
            ctx.render(report, format)?
        }
        _ => {
            write_card(ctx, args, format, &card, baseline.as_ref(), &report)?;
            ctx.exit_code(&report)
        }
    };
    Ok(if alert { exit::FINDINGS } else { code })
}

fn options(ctx: &Context, args: &ScoreArgs, git: &Git) -> anyhow::Result<crate::score::Options> {
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
    Ok(crate::score::Options {
        since: args.since.clone(),
        until: args.until.clone(),
        services: args.services.clone(),
        end: None,
        progress: !ctx.global.quiet && std::io::stderr().is_terminal(),
        now,
    })
}

/// The scorecard as of `reference`: the same window length, ending at its commit.
fn baseline(
    ctx: &Context,
    repo: &crate::repo::Repo,
    git: &Git,
    card: &Scorecard,
    options: &crate::score::Options,
    reference: &str,
) -> anyhow::Result<Scorecard> {
    let end = git.resolve(reference)?;
    let base_options = crate::score::Options {
        since: Some(format!("{}d", window_days(card))),
        until: None,
        end: Some(end),
        ..options.clone()
    };
    Ok(crate::score::scorecard(
        repo,
        git,
        ctx.config().score_sections(),
        &base_options,
    )?)
}

/// Prints the card in a card format (to `--output` or stdout) and its
/// findings on stderr, even with --quiet: they say why the exit code is 1.
fn write_card(
    ctx: &Context,
    args: &ScoreArgs,
    format: OutputFormat,
    card: &Scorecard,
    baseline: Option<&Baseline<'_>>,
    report: &Report,
) -> anyhow::Result<()> {
    let text = match format {
        OutputFormat::Json => render::json(card, &report.findings),
        OutputFormat::Markdown => render::markdown(card, baseline),
        OutputFormat::Html => render::html(card, baseline)
            .map_err(|e| anyhow::anyhow!("the score HTML template does not render: {e}"))?,
        _ => render::text(card, baseline, ctx.color && args.output.is_none()),
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
            let mut stdout = super::output::stdout();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
        }
    }
    let mut stderr = std::io::stderr().lock();
    for finding in &report.findings {
        writeln!(
            stderr,
            "{} {}: {}",
            finding.severity.as_str(),
            finding.rule,
            finding.message
        )?;
    }
    Ok(())
}

/// The window's length in whole days.
fn window_days(card: &Scorecard) -> i64 {
    let since = crate::score::window::parse_date(&card.window.since, "--since").unwrap_or(0);
    let until = crate::score::window::parse_date(&card.window.until, "--until").unwrap_or(0);
    ((until - since) / 86_400 + 1).max(1)
}
