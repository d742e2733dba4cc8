//! Dispatch: one function per subcommand, sharing one context.

mod check;
mod config;
mod config_init;
mod contract;
mod drift;
mod lint;
pub(crate) mod output;
mod scaffold;
mod score;
mod services;

use crate::cli::{Cli, ColorChoice, Command, FailOn, GlobalArgs, OutputFormat};
use crate::error::{InputError, exit};
use crate::repo::Repo;
use crate::report::{Format, RenderContext, Report, Severity};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// Runs the CLI and returns the process exit code.
pub fn main(cli: Cli) -> i32 {
    install_panic_hook();
    use_large_worker_stacks();
    crate::logging::init(cli.global.verbose);
    let stderr_color = color_enabled(cli.global.color, std::io::stderr().is_terminal());
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            let input = match err.downcast::<InputError>() {
                Ok(input) => input,
                Err(other) => match environment_error(&other) {
                    Some(input) => input,
                    None => {
                        let _ = writeln!(std::io::stderr(), "internal error: {other:#}");
                        let _ = writeln!(
                            std::io::stderr(),
                            "this is a bug in trellis; please report it with the command you ran"
                        );
                        return exit::INTERNAL;
                    }
                },
            };
            let _ = writeln!(std::io::stderr(), "{}", input.render(stderr_color));
            exit::INPUT
        }
    }
}

/// A failed write or read that no command turned into an [`InputError`]
/// itself: a full disk, a closed pipe, a file that vanished. The machine,
/// not trellis, is at fault, so it is exit 2, never "a bug in trellis".
fn environment_error(err: &anyhow::Error) -> Option<InputError> {
    if let Some(io) = output::stdout_failure(err) {
        let help = if io.kind() == std::io::ErrorKind::BrokenPipe {
            "the program reading trellis's output exited before it had read everything; the output is incomplete"
        } else {
            "free space where the output goes, or send it elsewhere"
        };
        return Some(
            InputError::new(format!("cannot write to {}: {io}", output::stdout_target()))
                .help(help),
        );
    }
    output::io_failure(err).map(|_| {
        InputError::new(format!("input/output error: {err:#}"))
            .help("check free disk space and permissions, then run the command again")
    })
}

/// Stack of each rayon worker, where files are parsed and checked. Syntax
/// trees are walked iteratively and Rust files nested deeper than
/// `lint::rust::MAX_NESTING` are not parsed at all; this is the second line
/// of defence for syn, whose parser, visitors and drop recurse once per
/// level. The memory is reserved, and only used as deep as a file goes.
const WORKER_STACK_BYTES: usize = 256 << 20;

fn use_large_worker_stacks() {
    // Fails only if a pool already exists, which then keeps its stacks.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(WORKER_STACK_BYTES)
        .build_global();
}

fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let _ = writeln!(std::io::stderr(), "internal error: {info}");
        let _ = writeln!(
            std::io::stderr(),
            "this is a bug in trellis; please report it with the command you ran"
        );
        std::process::exit(exit::INTERNAL);
    }));
}

fn run(cli: Cli) -> anyhow::Result<i32> {
    let ctx = Context::new(cli.global)?;
    match cli.command {
        Command::Services => services::run(&ctx),
        Command::Check(args) => check::run(&ctx, &args),
        Command::Score(args) => score::run(&ctx, &args),
        Command::Drift(args) => drift::run(&ctx, &args),
        Command::Config(command) => config::run(&ctx, command),
        Command::Init(args) => config::init(&ctx, &args),
        Command::Contract(args) => contract::run(&ctx, &args),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            // clap_complete panics on a failed write; render first, then write.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "trellis", &mut script);
            output::stdout().write_all(&script)?;
            output::stdout().flush()?;
            Ok(exit::CLEAN)
        }
        Command::Lint(args) => lint::run(&ctx, &args),
        Command::Explain { rule } => lint::explain(&ctx, &rule),
        Command::Rules => lint::rules(&ctx),
        Command::Hook(command) => lint::hook(&ctx, command),
        Command::New(command) => scaffold::new(&ctx, command),
        Command::Sync(args) => scaffold::sync(&ctx, &args),
        Command::Upgrade(args) => scaffold::upgrade(&ctx, &args),
        Command::Templates(command) => scaffold::templates(&ctx, command),
        Command::Man => {
            let command = <Cli as clap::CommandFactory>::command();
            let mut out = output::stdout();
            clap_mangen::Man::new(command).render(&mut out)?;
            out.flush()?;
            Ok(exit::CLEAN)
        }
    }
}

/// What every command needs: where the repository is, how to print.
pub(crate) struct Context {
    pub(crate) global: GlobalArgs,
    /// The repository root.
    pub(crate) root: PathBuf,
    /// Whether stdout gets colour.
    pub(crate) color: bool,
    /// The configuration [`Context::repo`] loaded, kept so that [`Context::emit`]
    /// can apply its `rules:` and `exceptions:` to every command's report
    /// without each command remembering to.
    config: std::cell::OnceCell<crate::config::Loaded>,
}

impl Context {
    fn new(global: GlobalArgs) -> Result<Context, InputError> {
        let root = match &global.directory {
            Some(dir) => {
                if !dir.is_dir() {
                    return Err(InputError::new(format!(
                        "-C {}: no such directory",
                        dir.display()
                    ))
                    .help("pass the path of an existing repository"));
                }
                dir.clone()
            }
            None => {
                let cwd = std::env::current_dir().map_err(|e| {
                    InputError::new(format!("cannot read the current directory: {e}"))
                })?;
                crate::repo::find_root(&cwd)
            }
        };
        let color = color_enabled(global.color, std::io::stdout().is_terminal());
        Ok(Context {
            global,
            root,
            color,
            config: std::cell::OnceCell::new(),
        })
    }

    /// The directory the command acts in: `-C DIR` as given, else the
    /// current directory (not the repository root: `trellis new` in a
    /// subdirectory scaffolds there).
    pub(crate) fn invoked_in(&self) -> Result<PathBuf, InputError> {
        match &self.global.directory {
            Some(dir) => Ok(dir.clone()),
            None => std::env::current_dir()
                .map_err(|e| InputError::new(format!("cannot read the current directory: {e}"))),
        }
    }

    /// Loads the configuration and discovers the services.
    pub(crate) fn repo(&self) -> Result<Repo, InputError> {
        let config = crate::config::load(&self.root, self.global.config.as_deref())?;
        if self.config.set(config.clone()).is_ok() {
            // Once per run, however many times the repository is opened.
            for deprecation in &config.deprecations {
                self.status(&deprecation.to_string());
            }
        }
        crate::logging::timed("repository: files and services", || {
            Repo::open(&self.root, config.repo_config())
        })
    }

    /// The configuration [`Context::repo`] loaded (the defaults before it
    /// ran): each job is handed its own section of it.
    pub(crate) fn config(&self) -> &crate::config::Config {
        static DEFAULTS: std::sync::LazyLock<crate::config::Loaded> =
            std::sync::LazyLock::new(crate::config::Loaded::defaults);
        &self.config.get().unwrap_or(&DEFAULTS).config
    }

    /// Like [`Context::repo`], but a repository with neither services nor
    /// libraries (no Go or Rust module at all) is an input error.
    pub(crate) fn repo_with_services(&self) -> Result<Repo, InputError> {
        let repo = self.repo()?;
        if repo.services.is_empty() && repo.libraries.is_empty() {
            let mut help = "a service is a directory with a go.mod or a Cargo.toml [package]; for directories inside one module, list them under `services:` in trellis.yaml".to_string();
            if !repo.skipped_modules.is_empty() {
                help = format!(
                    "every go.mod found is left out of its go.work (`{}`: {}); add the modules to the go.work's `use` list",
                    repo.skipped_modules[0].manifest, repo.skipped_modules[0].reason
                );
            } else if !repo.foreign.is_empty() {
                let languages: std::collections::BTreeSet<&str> =
                    repo.foreign.iter().map(|p| p.language).collect();
                help = format!(
                    "trellis analyses Go and Rust; this repository holds {} projects, which it does not analyse",
                    languages.into_iter().collect::<Vec<_>>().join(", ")
                );
            }
            return Err(
                InputError::new(format!("no services found in {}", repo.root.display())).help(help),
            );
        }
        Ok(repo)
    }

    /// The requested format if this command supports it, else `default`.
    pub(crate) fn format(
        &self,
        command: &str,
        allowed: &[OutputFormat],
        default: OutputFormat,
    ) -> Result<OutputFormat, InputError> {
        match self.global.format {
            None => Ok(default),
            Some(format) if allowed.contains(&format) => Ok(format),
            Some(format) => {
                let names: Vec<_> = allowed.iter().map(|f| format_name(*f)).collect();
                Err(InputError::new(format!(
                    "`trellis {command}` does not support --format {}",
                    format_name(format)
                ))
                .help(format!("use one of: {}", names.join(", "))))
            }
        }
    }

    /// Applies the configuration's `rules:` and `exceptions:` to one job's
    /// report (see [`crate::policy::sink`]), prints it in the chosen format
    /// and returns the exit code.
    pub(crate) fn emit(&self, report: Report, format: OutputFormat) -> anyhow::Result<i32> {
        let report = self.resolved(report);
        self.render(report, format)
    }

    /// The report after `rules:` and `exceptions:`: final severities, and
    /// only the findings that stay.
    pub(crate) fn resolved(&self, report: Report) -> Report {
        match self.config.get() {
            Some(loaded) => crate::policy::sink::apply(
                report,
                loaded.config.policy(),
                &loaded.display_path(&self.root),
            ),
            None => report,
        }
    }

    /// Prints a report whose findings are final (the sink already ran on
    /// each part, as `trellis check` does per job) and returns the exit code.
    pub(crate) fn render(&self, mut report: Report, format: OutputFormat) -> anyhow::Result<i32> {
        report.finish();
        let format = match format {
            OutputFormat::Text => Format::Text,
            OutputFormat::Json => Format::Json,
            OutputFormat::Sarif => Format::Sarif,
            OutputFormat::Github => Format::Github,
            OutputFormat::Gitlab => Format::Gitlab,
            OutputFormat::Junit => Format::Junit,
            OutputFormat::Markdown => Format::Markdown,
            OutputFormat::Html => {
                return Err(
                    InputError::new("--format html is only available for `trellis score`")
                        .help("use text, json, sarif, github, junit or markdown")
                        .into(),
                );
            }
            // buf's formats are rendered by `trellis contract` itself; elsewhere ctx.format() refuses them.
            OutputFormat::BufJson | OutputFormat::BufText => Format::Json,
        };
        let ctx = RenderContext {
            root: self.root.clone(),
            color: self.color,
            git_prefix: crate::report::git_prefix(&self.root),
            describe: crate::rules::find,
        };
        let text = crate::report::render(&report, format, &ctx);
        let mut stdout = output::stdout();
        if !(self.global.quiet && format == Format::Text && report.findings.is_empty()) {
            stdout.write_all(text.as_bytes())?;
        }
        stdout.flush()?;
        Ok(self.exit_code(&report))
    }

    pub(crate) fn exit_code(&self, report: &Report) -> i32 {
        let threshold = match self.global.fail_on {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        };
        match threshold {
            Some(level) if report.has_findings_at(level) => exit::FINDINGS,
            _ => exit::CLEAN,
        }
    }

    /// Whether stderr gets colour.
    pub(crate) fn stderr_color(&self) -> bool {
        color_enabled(self.global.color, std::io::stderr().is_terminal())
    }

    /// A line for people on stderr, unless --quiet.
    pub(crate) fn status(&self, line: &str) {
        if !self.global.quiet {
            let _ = writeln!(std::io::stderr(), "{line}");
        }
    }
}

pub(crate) const ALL_REPORT_FORMATS: &[OutputFormat] = &[
    OutputFormat::Text,
    OutputFormat::Json,
    OutputFormat::Sarif,
    OutputFormat::Github,
    OutputFormat::Gitlab,
    OutputFormat::Junit,
    OutputFormat::Markdown,
];

pub(crate) fn format_name(format: OutputFormat) -> String {
    clap::ValueEnum::to_possible_value(&format)
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

/// `auto` means a terminal without NO_COLOR (any non-empty value) and not TERM=dumb.
pub(crate) fn color_enabled(choice: ColorChoice, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_terminal
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    }
}
