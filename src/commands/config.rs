use super::Context;
use crate::cli::{ConfigCommand, InitArgs};
use crate::error::{InputError, exit};
use std::io::Write;

pub fn run(ctx: &Context, command: ConfigCommand) -> anyhow::Result<i32> {
    match command {
        ConfigCommand::Schema => {
            std::io::stdout().write_all(crate::config::schema().as_bytes())?;
        }
        ConfigCommand::Show => {
            let loaded = crate::config::load(&ctx.root, ctx.global.config.as_deref())?;
            let document = serde_json::json!({
                "files": loaded.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
                "config": loaded.config,
            });
            let mut text = serde_json::to_string_pretty(&document)?;
            text.push('\n');
            std::io::stdout().write_all(text.as_bytes())?;
        }
    }
    Ok(exit::CLEAN)
}

pub fn init(ctx: &Context, args: &InitArgs) -> anyhow::Result<i32> {
    let path = ctx.root.join(crate::config::FILE_NAME);
    if path.exists() && !args.force && !args.stdout {
        return Err(
            InputError::new(format!("{} already exists", path.display()))
                .help("pass --force to replace it, or --stdout to print the proposal")
                .into(),
        );
    }
    // Inspect with the defaults, not with the file being replaced.
    let repo = crate::repo::Repo::open(&ctx.root, crate::config::Loaded::defaults())?;
    let text = crate::config::init::render(&repo);
    // The proposal must itself be a valid config.
    crate::config::parse(&path, &text)?;
    if args.stdout {
        std::io::stdout().write_all(text.as_bytes())?;
    } else {
        crate::fsutil::write_atomic(&path, text.as_bytes())?;
        ctx.status(&format!(
            "wrote {} ({} services found)",
            path.display(),
            repo.services.len()
        ));
    }
    Ok(exit::CLEAN)
}
