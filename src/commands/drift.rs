//! `trellis drift`.

use super::{ALL_REPORT_FORMATS, Context};
use crate::cli::{DriftArgs, OutputFormat};
use crate::drift::DriftOptions;

pub fn run(ctx: &Context, args: &DriftArgs) -> anyhow::Result<i32> {
    let format = ctx.format("drift", ALL_REPORT_FORMATS, OutputFormat::Text)?;
    let repo = ctx.repo_with_services()?;
    let options = DriftOptions {
        upstream: args.upstream || args.offline,
        offline: args.offline,
        quiet: ctx.global.quiet,
    };
    let report = crate::drift::run(&repo, &options)?;
    ctx.emit(report, format)
}
