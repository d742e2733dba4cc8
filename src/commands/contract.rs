use super::{ALL_REPORT_FORMATS, Context};
use crate::cli::{ContractArgs, OutputFormat};
use crate::contract::{self, ContractOptions, output};
use crate::error::exit;
use crate::git::Git;
use crate::policy::sink::{Sink, kept};
use std::io::Write;

pub(crate) fn run(ctx: &Context, args: &ContractArgs) -> anyhow::Result<i32> {
    if args.list_rules {
        return list_rules(ctx);
    }
    let mut allowed = ALL_REPORT_FORMATS.to_vec();
    allowed.extend([OutputFormat::BufJson, OutputFormat::BufText]);
    let format = ctx.format("contract", &allowed, OutputFormat::Text)?;
    let repo = ctx.repo()?;
    let git = Git::open(&ctx.root).ok();
    let options = ContractOptions {
        against: args.against.clone(),
        no_merge_base: args.no_merge_base,
        head: args.head.clone(),
        staged: args.staged,
        paths: args.paths.clone(),
        use_: args.use_.clone(),
        field_no_reuse: args.field_no_reuse,
    };
    let comparison = contract::run(&repo, git.as_ref(), &ctx.config().contract, &options)?;
    match format {
        OutputFormat::BufJson | OutputFormat::BufText => buf_format(ctx, &repo, comparison, format),
        _ => {
            let mut report = ctx.resolved(comparison.into_report(&repo));
            add_consumers_summary(&mut report);
            ctx.render(report, format)
        }
    }
}

/// "breaks 2 consumers (order-service, user-service)" in the summary, over
/// the findings that stay after `rules:` and `exceptions:`.
pub(crate) fn add_consumers_summary(report: &mut crate::report::Report) {
    if let Some(line) = contract::consumers::summary(&report.findings) {
        report.stats.push(("breaks".to_string(), line));
    }
}

/// buf's formats carry no severity: `rules:` and `exceptions:` decide which
/// findings they print (and `rules:` levels the exit code), as for every
/// other format.
fn buf_format(
    ctx: &Context,
    repo: &crate::repo::Repo,
    comparison: contract::Comparison,
    format: OutputFormat,
) -> anyhow::Result<i32> {
    let mut sink = Sink::new(ctx.config().policy(), repo.config.display_path(&repo.root));
    let printed = kept(comparison.findings.clone(), &sink, |finding| {
        contract::compare::to_finding(repo, finding)
    });
    let text = if format == OutputFormat::BufJson {
        output::buf_json(&printed)
    } else {
        output::buf_text(&printed)
    };
    let mut stdout = super::output::stdout();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    let report = sink.apply(comparison.into_report(repo));
    let code = ctx.exit_code(&report);
    Ok(if printed.is_empty() {
        exit::CLEAN
    } else {
        code
    })
}

fn list_rules(ctx: &Context) -> anyhow::Result<i32> {
    let format = ctx.format(
        "contract --list-rules",
        &[OutputFormat::Text, OutputFormat::Json],
        OutputFormat::Text,
    )?;
    let mut out = String::new();
    let rules = contract::rules::all();
    if format == OutputFormat::Json {
        for rule in rules {
            let line = serde_json::json!({
                "id": rule.id,
                "categories": rule.categories.iter().map(|c| c.id()).collect::<Vec<_>>(),
                "default": rule.categories.contains(&contract::Category::File),
                "purpose": rule.purpose,
                "deprecated": rule.deprecated,
            });
            out.push_str(&line.to_string());
            out.push('\n');
        }
    } else {
        let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
        out.push_str(&format!("{:<width$}  CATEGORIES  PURPOSE\n", "ID"));
        for rule in rules {
            let categories: Vec<&str> = rule.categories.iter().map(|c| c.id()).collect();
            let categories = if categories.is_empty() {
                "(deprecated)".to_string()
            } else {
                categories.join(",")
            };
            out.push_str(&format!(
                "{:<width$}  {categories}  {}\n",
                rule.id, rule.purpose
            ));
        }
    }
    super::output::print(&out)?;
    Ok(exit::CLEAN)
}
