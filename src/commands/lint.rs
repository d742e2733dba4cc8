//! `trellis lint`, `trellis explain`, `trellis rules`, `trellis hook install`.

use super::{ALL_REPORT_FORMATS, Context};
use crate::cli::{HookCommand, LintArgs, OutputFormat};
use crate::error::{InputError, did_you_mean, exit};
use crate::lint::{LintOptions, baseline::Baseline};
use std::io::Write;
use std::path::Path;

pub(crate) fn run(ctx: &Context, args: &LintArgs) -> anyhow::Result<i32> {
    let format = ctx.format("lint", ALL_REPORT_FORMATS, OutputFormat::Text)?;
    let repo = ctx.repo()?;
    let mut paths = Vec::new();
    for path in &args.paths {
        paths.push(repo_relative(&repo.root, path)?);
    }
    if let Some(file) = &args.baseline_write {
        if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) && !args.force {
            return Err(InputError::new("refusing to write a baseline while CI is set")
                .help("a baseline written in CI would hide new findings; write it locally, or pass --force")
                .into());
        }
        if file.exists() && !args.force && !is_baseline(file) {
            return Err(InputError::new(format!(
                "{} exists and is not a trellis baseline",
                file.display()
            ))
            .help("choose another file name, or pass --force to replace it")
            .into());
        }
    }
    let options = LintOptions {
        paths,
        only: args.rules.clone(),
        changed_since: args.changed_since.clone(),
        staged: args.staged,
        baseline: args.baseline.clone(),
        cache: !args.no_cache,
    };
    let config = ctx.config();
    let report = crate::lint::run(&repo, &config.lint, &config.rules, &options)?;
    if let Some(file) = &args.baseline_write {
        let baseline = Baseline::from_findings(&report.findings);
        baseline.write(file)?;
        ctx.status(&format!(
            "wrote {} baseline entries ({} findings) to {}",
            baseline.entries.len(),
            report.findings.len(),
            file.display()
        ));
        return Ok(exit::CLEAN);
    }
    ctx.emit(report, format)
}

fn is_baseline(file: &Path) -> bool {
    Baseline::read(file).is_ok()
}

/// A path argument (relative to the current directory) as a path relative to the repository.
fn repo_relative(root: &Path, path: &Path) -> Result<String, InputError> {
    // Relative paths are taken from the current directory, or else from the
    // repository root (so `-C repo lint services/x` works from anywhere).
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        let from_cwd = std::env::current_dir()
            .map_err(|e| InputError::new(format!("cannot read the current directory: {e}")))?
            .join(path);
        if from_cwd.exists() {
            from_cwd
        } else {
            root.join(path)
        }
    };
    let canonical = absolute.canonicalize().map_err(|_| {
        InputError::new(format!("{}: no such file or directory", path.display()))
            .help("pass files or directories inside the repository")
    })?;
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    crate::repo::relative_path(&root, &canonical).ok_or_else(|| {
        InputError::new(format!(
            "{} is outside the repository {}",
            path.display(),
            root.display()
        ))
        .help("pass paths inside the repository, or choose it with -C")
    })
}

pub(crate) fn explain(ctx: &Context, id: &str) -> anyhow::Result<i32> {
    let rules = crate::rules::all();
    let Some(rule) = rules.iter().find(|r| r.id == id) else {
        let hint = match did_you_mean(id, rules.iter().map(|r| r.id.as_str())) {
            Some(close) => format!("did you mean `{close}`? `trellis rules` lists every rule"),
            None => "`trellis rules` lists every rule".to_string(),
        };
        return Err(InputError::new(format!("unknown rule `{id}`"))
            .help(hint)
            .into());
    };
    let _ = ctx;
    let mut out = super::output::stdout();
    writeln!(
        out,
        "# {}\n\n{} (job: {}, default severity: {})\n\n{}",
        rule.id, rule.summary, rule.job, rule.default_severity, rule.docs
    )?;
    Ok(exit::CLEAN)
}

pub(crate) fn rules(ctx: &Context) -> anyhow::Result<i32> {
    let format = ctx.format(
        "rules",
        &[
            OutputFormat::Text,
            OutputFormat::Json,
            OutputFormat::Markdown,
        ],
        OutputFormat::Text,
    )?;
    let rules = crate::rules::all();
    let text = match format {
        OutputFormat::Json => {
            let mut text = serde_json::to_string_pretty(&serde_json::json!({
                "version": 1,
                "rules": rules,
            }))?;
            text.push('\n');
            text
        }
        OutputFormat::Markdown => crate::rules::markdown(&rules),
        _ => {
            let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
            let mut text = String::new();
            for rule in &rules {
                text.push_str(&format!(
                    "{:width$}  {:8}  {:7}  {}\n",
                    rule.id,
                    rule.job,
                    rule.default_severity.as_str(),
                    rule.summary
                ));
            }
            text
        }
    };
    super::output::print(&text)?;
    Ok(exit::CLEAN)
}

/// The first line after the shebang marks hooks trellis wrote.
const HOOK_MARKER: &str = "# installed by trellis hook install";

pub(crate) fn hook_script() -> String {
    format!(
        "#!/bin/sh\n{HOOK_MARKER}; `trellis hook install --force` rewrites it\n# Lints what is staged for this commit, not the work tree.\nexec trellis check --staged\n"
    )
}

pub(crate) fn hook(ctx: &Context, command: HookCommand) -> anyhow::Result<i32> {
    let HookCommand::Install { force } = command;
    let git = crate::git::Git::open(&ctx.root)?;
    let repository = git.repository();
    let hooks = match repository
        .config()
        .ok()
        .and_then(|c| c.get_path("core.hooksPath").ok())
    {
        Some(path) if path.is_absolute() => path,
        Some(path) => repository
            .workdir()
            .map_or_else(|| path.clone(), |w| w.join(&path)),
        None => repository.path().join("hooks"),
    };
    let hook = hooks.join("pre-commit");
    if let Ok(existing) = std::fs::read_to_string(&hook)
        && !existing.contains(HOOK_MARKER)
        && !force
    {
        return Err(InputError::new(format!(
            "{} exists and was not written by trellis",
            hook.display()
        ))
        .help("add `trellis check --staged` to it yourself, or pass --force to replace it")
        .into());
    } else if hook.exists() && !hook.is_file() {
        return Err(InputError::new(format!("{} is not a file", hook.display())).into());
    }
    std::fs::create_dir_all(&hooks)
        .map_err(|e| InputError::new(format!("cannot create {}: {e}", hooks.display())))?;
    crate::fsutil::write_atomic(&hook, hook_script().as_bytes())
        .map_err(|e| InputError::new(format!("cannot write {}: {e}", hook.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).map_err(|e| {
            InputError::new(format!("cannot make {} executable: {e}", hook.display()))
        })?;
    }
    ctx.status(&format!("installed {}", hook.display()));
    Ok(exit::CLEAN)
}
