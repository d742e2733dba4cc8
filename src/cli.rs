//! The command line, in one place: help, completions and the man page come from it.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "trellis",
    version,
    about = "Architecture rules, dependency drift, contract checks, scaffolding and health scores for Go and Rust microservice repositories",
    propagate_version = true,
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// The repository to work on [default: the nearest ancestor with .git or trellis.yaml]
    #[arg(short = 'C', long = "directory", global = true, value_name = "DIR")]
    pub directory: Option<PathBuf>,
    /// Configuration file [default: trellis.yaml at the repository root]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format; each command lists the ones it supports
    #[arg(long, global = true, value_enum)]
    pub format: Option<OutputFormat>,
    /// When to use colour (NO_COLOR in the environment turns `auto` off)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Exit 1 when a finding at or above this severity is reported
    #[arg(long, global = true, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Print only findings and errors
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Print more about what is being done (repeat for more)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Sarif,
    Github,
    Junit,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    /// Never fail because of findings
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the services of the repository (text or json)
    Services,
    /// Configuration helpers
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Inspect the repository and write a commented trellis.yaml
    Init(InitArgs),
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    Man,
    /// Find dependency drift between services, against the anchor and upstream
    Drift(DriftArgs),
}

#[derive(Debug, Args)]
pub struct DriftArgs {
    /// Also compare with the newest upstream releases (Go module proxy, crates.io index)
    #[arg(long)]
    pub upstream: bool,
    /// Never touch the network: upstream data comes from $GOMODCACHE/cache/download
    #[arg(long)]
    pub offline: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the JSON Schema of trellis.yaml, for editors
    Schema,
    /// Print the effective configuration (after `extends` and defaults) as JSON
    Show,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Replace an existing trellis.yaml
    #[arg(long)]
    pub force: bool,
    /// Print the file instead of writing it
    #[arg(long)]
    pub stdout: bool,
}
