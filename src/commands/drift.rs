//! `trellis drift`.

use super::{ALL_REPORT_FORMATS, Context};
use crate::cli::{DriftArgs, FixLevel, OutputFormat};
use crate::drift::{DriftOptions, fix};
use crate::error::exit;
use crate::report::Severity;

pub(crate) fn run(ctx: &Context, args: &DriftArgs) -> anyhow::Result<i32> {
    let format = ctx.format("drift", ALL_REPORT_FORMATS, OutputFormat::Text)?;
    let repo = ctx.repo_with_services()?;
    let options = DriftOptions {
        upstream: args.upstream || args.offline,
        offline: args.offline,
        quiet: ctx.global.quiet,
    };
    let config = ctx.config();
    let report = crate::drift::run(&repo, &config.drift, config.policy(), &options)?;
    if !args.fix {
        return ctx.emit(report, format);
    }
    // Fixes come after `rules:` and `exceptions:`: what is excepted stays.
    let report = ctx.resolved(report);
    let plan = fix::plan(&repo.root, &report.findings, min_level(args.fix_level))?;
    for conflict in &plan.conflicts {
        ctx.status(conflict);
    }
    if plan.below_level > 0 {
        ctx.status(&format!(
            "left {} fixable finding(s) below --fix-level {}: `--fix-level info` fixes them too",
            plan.below_level,
            level_name(args.fix_level)
        ));
    }
    if args.dry_run {
        return print_diff(&plan);
    }
    if plan.changes.is_empty() {
        ctx.status("trellis drift --fix: nothing to fix");
        return ctx.render(report, format);
    }
    let outcomes = fix::apply(
        &repo.root,
        plan,
        std::time::Duration::from_secs(args.tidy_timeout),
    )
    .map_err(|e| crate::error::InputError::new(format!("cannot write go.mod: {e}")))?;
    report_outcomes(ctx, &outcomes);
    // What is left, from the manifests as they are now.
    let repo = ctx.repo_with_services()?;
    let config = ctx.config();
    ctx.emit(
        crate::drift::run(&repo, &config.drift, config.policy(), &options)?,
        format,
    )
}

fn min_level(level: FixLevel) -> Severity {
    match level {
        FixLevel::Info => Severity::Info,
        FixLevel::Warning => Severity::Warning,
        FixLevel::Error => Severity::Error,
    }
}

fn level_name(level: FixLevel) -> &'static str {
    min_level(level).as_str()
}

fn print_diff(plan: &fix::Plan) -> anyhow::Result<i32> {
    super::output::print(&fix::diff(plan))?;
    Ok(if plan.changes.is_empty() {
        exit::CLEAN
    } else {
        exit::FINDINGS
    })
}

fn report_outcomes(ctx: &Context, outcomes: &[fix::ModuleOutcome]) {
    for outcome in outcomes {
        let dir = outcome
            .manifest
            .rsplit_once('/')
            .map_or(".", |(dir, _)| dir);
        match &outcome.tidy {
            fix::Tidy::Ran => ctx.status(&format!(
                "fixed {}: {}; go mod tidy: ok",
                outcome.manifest,
                outcome.summary.join(", ")
            )),
            fix::Tidy::NotRun => ctx.status(&format!(
                "fixed {}: {}; go is not on PATH: run `go mod tidy` in {dir}",
                outcome.manifest,
                outcome.summary.join(", ")
            )),
            fix::Tidy::FailedAndRestored(reason) => ctx.status(&format!(
                "not fixed {}: {reason}; its go.mod and go.sum are as they were",
                outcome.manifest
            )),
        }
    }
}
