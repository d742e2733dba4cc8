use super::Context;
use crate::cli::{ConfigCommand, InitArgs};
use crate::error::{InputError, exit};

pub(crate) fn run(ctx: &Context, command: ConfigCommand) -> anyhow::Result<i32> {
    match command {
        ConfigCommand::Schema => {
            super::output::print(&crate::config::schema())?;
        }
        ConfigCommand::Show => {
            let loaded = crate::config::load(&ctx.root, ctx.global.config.as_deref())?;
            let document = serde_json::json!({
                "files": loaded.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
                "config": loaded.config,
            });
            let mut text = serde_json::to_string_pretty(&document)?;
            text.push('\n');
            super::output::print(&text)?;
        }
    }
    Ok(exit::CLEAN)
}

pub(crate) fn init(ctx: &Context, args: &InitArgs) -> anyhow::Result<i32> {
    let path = ctx.root.join(crate::policy::FILE_NAME);
    if path.exists() && !args.force && !args.stdout {
        return Err(
            InputError::new(format!("{} already exists", path.display()))
                .help("pass --force to replace it, or --stdout to print the proposal")
                .into(),
        );
    }
    // Inspect with the defaults, not with the file being replaced.
    let repo = crate::repo::Repo::open(&ctx.root, crate::repo::RepoConfig::default())?;
    let text = super::config_init::render(&repo);
    // The proposal must itself be a valid config.
    crate::config::parse(&path, &text)?;
    if args.stdout {
        super::output::print(&text)?;
    } else {
        crate::fsutil::write_atomic(&path, text.as_bytes()).map_err(|e| {
            InputError::new(format!("cannot write {}: {e}", path.display())).help(
                "nothing was changed; check free disk space and permissions, then run the command again",
            )
        })?;
        ctx.status(&format!(
            "wrote {} ({} services found)",
            path.display(),
            repo.services.len()
        ));
    }
    Ok(exit::CLEAN)
}
