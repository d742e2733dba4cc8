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
    /// Scaffold a new service from a proto-first template
    #[command(subcommand)]
    New(NewCommand),
    /// Add stubs for new RPCs of a scaffolded service; never touches edited files
    Sync(SyncArgs),
    /// Service templates for `trellis new`
    #[command(subcommand)]
    Templates(TemplatesCommand),
}

#[derive(Debug, Subcommand)]
pub enum NewCommand {
    /// A gRPC service: contract, handlers (one file per RPC), tests, build files
    Service(NewServiceArgs),
}

#[derive(Debug, Args)]
pub struct NewServiceArgs {
    /// Service name: lower-case words joined by `-` (directory, binary and proto package)
    pub name: String,
    /// Go module path [default: NAME]
    #[arg(long, value_name = "MODULE_PATH")]
    pub module: Option<String>,
    /// Generate from this contract instead of a starter one (every RPC of every service)
    #[arg(long, value_name = "FILE")]
    pub proto: Option<PathBuf>,
    /// Built-in template name, template directory, or GIT_URL[@REV]
    #[arg(long, value_name = "NAME|DIR|GIT_URL[@REV]")]
    pub template: Option<String>,
    /// Output directory [default: ./NAME]
    #[arg(long, value_name = "OUT")]
    pub dir: Option<PathBuf>,
    /// Set a template variable (repeatable)
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub set: Vec<(String, String)>,
    /// Print the plan (create/skip/overwrite per file) and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Overwrite existing files
    #[arg(long)]
    pub force: bool,
    /// Do not run the post-generation steps (buf generate, go mod tidy); print them
    #[arg(long)]
    pub no_generate: bool,
    /// Run the post-generation steps of a template that is not built in
    #[arg(long)]
    pub trust: bool,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The service directory (holding .trellis/scaffold.json) [default: .]
    pub service_dir: Option<PathBuf>,
    /// Print the plan and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Do not run code generation; print the command instead
    #[arg(long)]
    pub no_generate: bool,
    /// Run the generation steps of a template that is not built in
    #[arg(long)]
    pub trust: bool,
}

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// List the built-in templates
    List,
}

fn parse_key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => {
            Ok((key.trim().to_string(), value.to_string()))
        }
        _ => Err(format!("`{text}` is not KEY=VALUE")),
    }
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
