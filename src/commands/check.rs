//! `trellis check`: the pre-merge gate. Lint, drift and the contract check in
//! one run and one report, with one exit code.

use super::{ALL_REPORT_FORMATS, Context};
use crate::cli::{CheckArgs, CheckJob, OutputFormat};
use crate::error::InputError;
use crate::policy::sink::Sink;
use crate::report::Report;
use std::io::Write;

pub(crate) fn run(ctx: &Context, args: &CheckArgs) -> anyhow::Result<i32> {
    let format = ctx.format("check", ALL_REPORT_FORMATS, OutputFormat::Text)?;
    let repo = ctx.repo_with_services()?;
    let mut combined = Report::new("check");
    let config_file = repo.config.display_path(&repo.root);
    // One sink for every job, so an exception is unused only if no job matched it.
    let config = ctx.config();
    let mut sink = Sink::new(config.policy(), config_file);
    let runs = |job: CheckJob| match job {
        CheckJob::Score => args.with.contains(&job) && !args.skip.contains(&job),
        _ => !args.skip.contains(&job),
    };

    if runs(CheckJob::Lint) {
        let options = crate::lint::LintOptions {
            changed_since: args.changed_since.clone(),
            staged: args.staged,
            baseline: args.baseline.clone(),
            cache: true,
            ..Default::default()
        };
        absorb(
            &mut combined,
            "lint",
            crate::lint::run(&repo, &config.lint, &config.rules, &options)?,
            &mut sink,
        );
    }
    if runs(CheckJob::Drift) {
        let options = crate::drift::DriftOptions {
            quiet: ctx.global.quiet,
            ..Default::default()
        };
        absorb(
            &mut combined,
            "drift",
            crate::drift::run(&repo, &config.drift, config.policy(), &options)?,
            &mut sink,
        );
    }
    let contract_in_check = config.contract.in_check != Some(false);
    if runs(CheckJob::Contract) && !contract_in_check && args.against.is_none() {
        combined.stats.push((
            "contract".to_string(),
            "off (contract.in-check: false)".to_string(),
        ));
    } else if runs(CheckJob::Contract) {
        match contract_git(&repo, args.against.is_some())? {
            Ok(git) => {
                let options = crate::contract::ContractOptions {
                    against: args.against.clone(),
                    staged: args.staged,
                    ..Default::default()
                };
                match crate::contract::check(&repo, &git, &config.contract, &options) {
                    Ok(report) => absorb(&mut combined, "contract", report, &mut sink),
                    // The contracts could not be read: still show what lint and
                    // drift found, then the error, and exit 2 as for any bad input.
                    Err(err) if args.against.is_none() => {
                        sink.finish(&mut combined);
                        ctx.render(combined, format)?;
                        let _ = writeln!(std::io::stderr(), "{}", err.render(ctx.stderr_color()));
                        return Ok(crate::error::exit::INPUT);
                    }
                    Err(err) => return Err(err.into()),
                }
            }
            Err(reason) => {
                ctx.status(&format!("trellis check: contract check skipped: {reason}"));
                combined
                    .stats
                    .push(("contract".to_string(), format!("skipped ({reason})")));
            }
        }
    }
    if runs(CheckJob::Score) {
        match score_report(ctx, &repo)? {
            Ok(report) => absorb(&mut combined, "score", report, &mut sink),
            Err(reason) => {
                ctx.status(&format!("trellis check: score skipped: {reason}"));
                combined
                    .stats
                    .push(("score".to_string(), format!("skipped ({reason})")));
            }
        }
    }
    sink.finish(&mut combined);
    ctx.render(combined, format)
}

/// The scorecard's findings over `score.window` ending now, gated on
/// `score.fail_under`; or why there is no history to score.
fn score_report(
    ctx: &Context,
    repo: &crate::repo::Repo,
) -> Result<Result<Report, String>, InputError> {
    let Ok(git) = crate::git::Git::open(&repo.root) else {
        return Ok(Err("not a git repository".to_string()));
    };
    if git.is_empty() {
        return Ok(Err("the repository has no commits yet".to_string()));
    }
    let options = crate::score::Options {
        progress: !ctx.global.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()),
        now: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64),
        ..Default::default()
    };
    let card = crate::score::scorecard(repo, &git, ctx.config().score_sections(), &options)?;
    let gates = crate::score::findings::Gates {
        floor: ctx.config().score.fail_under,
    };
    Ok(Ok(crate::score::findings::report(repo, &card, None, gates)))
}

/// The git repository the contract check compares against, or why there is
/// none. Without an explicit `--against`, a repository that cannot answer
/// (no git, no commits, no default branch) is
/// skipped with a note rather than failing the whole gate; with `--against`
/// the user asked for it, so those are errors.
fn contract_git(
    repo: &crate::repo::Repo,
    explicit: bool,
) -> Result<Result<crate::git::Git, String>, InputError> {
    let git = match crate::git::Git::open(&repo.root) {
        Ok(git) => git,
        Err(err) if explicit => return Err(err),
        Err(_) => return Ok(Err("not a git repository".to_string())),
    };
    if git.is_empty() {
        return if explicit {
            Err(
                InputError::new("the repository has no commits to compare against")
                    .help("commit first, or drop --against"),
            )
        } else {
            Ok(Err("the repository has no commits yet".to_string()))
        };
    }
    if !explicit && git.default_branch().is_none() {
        return Ok(Err(
            "no default branch (main, master or origin/HEAD) to compare against; pass --against REF"
                .to_string(),
        ));
    }
    Ok(Ok(git))
}

/// Adds one job's findings, rules and statistics to the combined report,
/// after the sink resolved them: it runs here, once per job, so its counts
/// are per job, and the combined report is rendered without it.
fn absorb(combined: &mut Report, job: &str, report: Report, sink: &mut Sink<'_>) {
    let mut report = sink.apply(report);
    if job == "contract" {
        super::contract::add_consumers_summary(&mut report);
    }
    combined.findings.extend(report.findings);
    combined.rules.extend(report.rules);
    combined.sources.extend(report.sources);
    for (key, value) in report.stats {
        combined.stats.push((format!("{job} {key}"), value));
    }
}
