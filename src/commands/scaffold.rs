//! `trellis new service`, `trellis sync`, `trellis upgrade`, `trellis templates list`.

use super::Context;
use crate::cli::{NewCommand, OutputFormat, SyncArgs, TemplatesCommand, UpgradeArgs};
use crate::error::exit;
use crate::scaffold::{self, NewOptions, Outcome, SyncOptions};
use std::io::Write;
use std::path::PathBuf;

const FORMATS: &[OutputFormat] = &[OutputFormat::Text, OutputFormat::Json];

pub(crate) fn new(ctx: &Context, command: NewCommand) -> anyhow::Result<i32> {
    let args = match command {
        NewCommand::Service(args) => args,
        NewCommand::Client(args) => return new_client(ctx, args),
    };
    let format = ctx.format("new", FORMATS, OutputFormat::Text)?;
    let base = ctx.invoked_in()?;
    let template = args.template.map(|t| {
        let local = under_directory(ctx, PathBuf::from(&t));
        if local.exists() {
            local.display().to_string()
        } else {
            t
        }
    });
    let options = NewOptions {
        name: args.name,
        module: args.module,
        proto: args.proto.map(|p| under_directory(ctx, p)),
        proto_path: args
            .proto_path
            .into_iter()
            .map(|p| under_directory(ctx, p))
            .collect(),
        template,
        dir: args.dir.map(|d| under_directory(ctx, d)),
        set: args.set,
        dry_run: args.dry_run,
        force: args.force,
        no_generate: args.no_generate,
        trust: args.trust,
        limits: args.limits.limits(),
    };
    let outcome = scaffold::new_service(&options, &base)?;
    print(ctx, &outcome, format)
}

fn new_client(ctx: &Context, args: crate::cli::NewClientArgs) -> anyhow::Result<i32> {
    let format = ctx.format("new client", FORMATS, OutputFormat::Text)?;
    let base = ctx.invoked_in()?;
    let options = scaffold::client::ClientOptions {
        service: args.service,
        dir: match args.service_dir {
            Some(dir) => under_directory(ctx, dir),
            None => base.clone(),
        },
        invoked_in: base,
        dry_run: args.dry_run,
        force: args.force,
        no_generate: args.no_generate,
        limits: args.limits.limits(),
    };
    let outcome = scaffold::client::new_client(&options)?;
    print(ctx, &outcome, format)
}

/// Like `git -C`: a relative path given with `-C DIR` is a path under DIR.
fn under_directory(ctx: &Context, path: PathBuf) -> PathBuf {
    match &ctx.global.directory {
        Some(dir) if path.is_relative() => dir.join(path),
        _ => path,
    }
}

pub(crate) fn sync(ctx: &Context, args: &SyncArgs) -> anyhow::Result<i32> {
    let format = ctx.format("sync", FORMATS, OutputFormat::Text)?;
    let dir = match &args.service_dir {
        Some(dir) => under_directory(ctx, dir.clone()),
        None => ctx.invoked_in()?,
    };
    let options = SyncOptions {
        dry_run: args.dry_run,
        prune: args.prune,
        no_generate: args.no_generate,
        trust: args.trust,
        limits: args.limits.limits(),
    };
    let outcome = scaffold::sync(&dir, &options)?;
    print(ctx, &outcome, format)
}

pub(crate) fn upgrade(ctx: &Context, args: &UpgradeArgs) -> anyhow::Result<i32> {
    let format = ctx.format("upgrade", FORMATS, OutputFormat::Text)?;
    let dir = match &args.service_dir {
        Some(dir) => under_directory(ctx, dir.clone()),
        None => ctx.invoked_in()?,
    };
    let options = scaffold::upgrade::UpgradeOptions {
        to: args.to.clone(),
        dry_run: args.dry_run,
        resume: args.resume,
        set: args.set.clone(),
        no_generate: args.no_generate,
        trust: args.trust,
        limits: args.limits.limits(),
    };
    let outcome = scaffold::upgrade::upgrade(&dir, &options)?;
    let mut out = super::output::stdout();
    if format == OutputFormat::Json {
        writeln!(out, "{}", serde_json::to_string_pretty(&outcome)?)?;
    } else if !ctx.global.quiet || outcome.unfinished() || outcome.outcome.failed() {
        out.write_all(scaffold::upgrade::render_text(&outcome).as_bytes())?;
    }
    out.flush()?;
    if outcome.unfinished() || outcome.outcome.failed() {
        return Ok(exit::FINDINGS);
    }
    Ok(exit::CLEAN)
}

pub(crate) fn templates(ctx: &Context, command: TemplatesCommand) -> anyhow::Result<i32> {
    let TemplatesCommand::List = command;
    let format = ctx.format("templates list", FORMATS, OutputFormat::Text)?;
    let manifests = scaffold::template::builtin_manifests();
    let mut out = super::output::stdout();
    if format == OutputFormat::Json {
        writeln!(out, "{}", serde_json::to_string_pretty(&manifests)?)?;
        return Ok(exit::CLEAN);
    }
    for manifest in &manifests {
        writeln!(
            out,
            "{:<20} {:<5} {}",
            manifest.name,
            format!("{:?}", manifest.language).to_lowercase(),
            manifest.description
        )?;
        for variable in &manifest.variables {
            let default = match &variable.default {
                Some(serde_json::Value::String(s)) => format!(" [default: {s}]"),
                Some(other) => format!(" [default: {other}]"),
                None if variable.required => " [required]".to_string(),
                None => String::new(),
            };
            let choices = if variable.choices.is_empty() {
                String::new()
            } else {
                format!(" ({})", variable.choices.join("|"))
            };
            writeln!(
                out,
                "    --set {}=<{:?}>{choices}{default}  {}",
                variable.name, variable.kind, variable.help
            )?;
        }
    }
    writeln!(
        out,
        "\nAlso: --template DIR (a directory with template.yaml) or --template GIT_URL[@REV]."
    )?;
    Ok(exit::CLEAN)
}

fn print(ctx: &Context, outcome: &Outcome, format: OutputFormat) -> anyhow::Result<i32> {
    let mut out = super::output::stdout();
    if format == OutputFormat::Json {
        writeln!(out, "{}", serde_json::to_string_pretty(outcome)?)?;
    } else if !ctx.global.quiet || outcome.failed() || !outcome.blocked.is_empty() {
        out.write_all(scaffold::render_text(outcome).as_bytes())?;
    }
    out.flush()?;
    if let Some(refused) = &outcome.refused {
        return Err(refused.clone().into());
    }
    if outcome.failed() || !outcome.blocked.is_empty() {
        return Ok(exit::FINDINGS);
    }
    Ok(exit::CLEAN)
}
