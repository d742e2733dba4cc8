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
    pub(crate) global: GlobalArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct GlobalArgs {
    /// The repository to work on [default: the nearest ancestor with .git or trellis.yaml]
    #[arg(short = 'C', long = "directory", global = true, value_name = "DIR")]
    pub(crate) directory: Option<PathBuf>,
    /// Configuration file [default: trellis.yaml at the repository root]
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Output format; each command lists the ones it supports
    #[arg(long, global = true, value_enum)]
    pub(crate) format: Option<OutputFormat>,
    /// When to use colour (NO_COLOR in the environment turns `auto` off)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,
    /// Exit 1 when a finding at or above this severity is reported
    #[arg(long, global = true, value_enum, default_value_t = FailOn::Error)]
    pub(crate) fail_on: FailOn,
    /// Print only findings and errors
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,
    /// Log what is being done on stderr (repeat for more)
    ///
    /// -v: stage timings and cache use; -vv: also skipped files and each
    /// cache miss; -vvv: also the logs of the libraries trellis uses.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    Text,
    Json,
    Sarif,
    Github,
    /// GitLab Code Quality report (`artifacts: reports: codequality:`)
    Gitlab,
    Junit,
    Markdown,
    /// One self-contained HTML page (`trellis score`)
    Html,
    /// buf's JSON lines (`trellis contract` only)
    BufJson,
    /// buf's `path:line:column:message` lines (`trellis contract` only)
    BufText,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FailOn {
    Error,
    Warning,
    Info,
    /// Never fail because of findings
    Never,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List the services of the repository (text or json)
    Services,
    /// Run every check a pre-merge gate needs: lint, drift and contract (against the default branch)
    Check(CheckArgs),
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
    /// Bring a scaffolded service to its template's new version, merging into edited files
    #[command(long_about = UPGRADE_ABOUT)]
    Upgrade(UpgradeArgs),
    /// Service templates for `trellis new`
    #[command(subcommand)]
    Templates(TemplatesCommand),
    /// Find dependency drift between services, against the anchor and upstream
    Drift(DriftArgs),
    /// Per-service health scorecard from git history (text, json, markdown, html)
    Score(ScoreArgs),
    /// Find breaking .proto changes between two revisions (buf breaking's rules and verdicts)
    Contract(ContractArgs),
    /// Check architecture and service-code rules on Go and Rust code
    Lint(LintArgs),
    /// Print the documentation of a rule: what, why, an example and the fix
    Explain {
        /// The rule id, for example go-structured-logging
        rule: String,
    },
    /// List every rule (text, json or markdown)
    Rules,
    /// Git hooks
    #[command(subcommand)]
    Hook(HookCommand),
}

#[derive(Debug, Args)]
pub(crate) struct LintArgs {
    /// Files or directories to report on [default: the whole repository]
    pub(crate) paths: Vec<PathBuf>,
    /// Only files changed since the merge base with REF (branch, tag or commit)
    #[arg(long, value_name = "REF")]
    pub(crate) changed_since: Option<String>,
    /// Lint the staged contents (the index), as a pre-commit hook must
    #[arg(long)]
    pub(crate) staged: bool,
    /// Hide the findings recorded in this baseline; report entries that match nothing
    #[arg(long, value_name = "FILE", conflicts_with = "baseline_write")]
    pub(crate) baseline: Option<PathBuf>,
    /// Record the current findings in FILE (by fingerprint, no line numbers) and exit 0
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline_write: Option<PathBuf>,
    /// Allow --baseline-write when CI is set, and replace an existing baseline
    #[arg(long)]
    pub(crate) force: bool,
    /// Run only this rule (repeatable)
    #[arg(long = "rule", value_name = "ID")]
    pub(crate) rules: Vec<String>,
    /// Do not read or write the cache under .git/trellis
    #[arg(long)]
    pub(crate) no_cache: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum HookCommand {
    /// Write .git/hooks/pre-commit running `trellis check --staged`
    Install {
        /// Replace a pre-commit hook trellis did not write
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Args)]
pub(crate) struct ScoreArgs {
    /// Start of the window: a duration back from --until (`90d`, `12w`, `6m`, `1y`) or a date (`2026-01-31`) [default: score.window, 30d]
    #[arg(long, value_name = "90d|DATE")]
    pub(crate) since: Option<String>,
    /// End of the window, a date (its whole day counts) [default: now]
    #[arg(long, value_name = "DATE")]
    pub(crate) until: Option<String>,
    /// Only this service (repeat for more)
    #[arg(long = "service", value_name = "NAME")]
    pub(crate) services: Vec<String>,
    /// Write the report to this file instead of stdout
    #[arg(long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Exit 1 when a service scores below N (0-100) [default: score.fail_under]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=100))]
    pub(crate) fail_under: Option<u32>,
    /// Compare with the scorecard as of REF (same window length, ending at REF) and exit 1 when a score dropped
    #[arg(long, value_name = "REF")]
    pub(crate) compare: Option<String>,
    /// Exit 1 when any metric is in alert
    #[arg(long)]
    pub(crate) fail_on_alert: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DriftArgs {
    /// Also compare with the newest upstream releases (Go module proxy, crates.io index)
    #[arg(long)]
    pub(crate) upstream: bool,
    /// Never touch the network: upstream data comes from $GOMODCACHE/cache/download
    #[arg(long)]
    pub(crate) offline: bool,
    /// Move every lagging `require` to the version drift suggests (the anchor,
    /// or the version the services align on), then `go mod tidy` in each
    /// touched module; excepted modules and services are left alone
    #[arg(long)]
    pub(crate) fix: bool,
    /// With --fix: print the changes as a unified diff and write nothing
    #[arg(long, requires = "fix")]
    pub(crate) dry_run: bool,
    /// With --fix: stop `go mod tidy` after this many seconds and restore
    /// that module's go.mod and go.sum
    #[arg(long, value_name = "SECONDS", default_value_t = 300, requires = "fix")]
    pub(crate) tidy_timeout: u64,
    /// With --fix: fix findings at this level and above. Info-level ones
    /// (only `// indirect` requirements differ) are left to `go mod tidy`
    /// unless this says `info`
    #[arg(long, value_enum, value_name = "LEVEL", default_value_t = FixLevel::Warning, requires = "fix")]
    pub(crate) fix_level: FixLevel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FixLevel {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Subcommand)]
pub(crate) enum NewCommand {
    /// A gRPC service: contract, handlers (one file per RPC), tests, build files
    Service(NewServiceArgs),
    /// A typed client of another service of the repository, in the service here
    #[command(long_about = CLIENT_ABOUT)]
    Client(NewClientArgs),
}

const CLIENT_ABOUT: &str = "\
A typed client of another service of the repository, in the service here.

Run inside a Go service trellis generated (or name it with --in). --service names the service \
to call: a service of this repository by name (found by its .trellis/scaffold.json), or its \
directory. trellis writes internal/clients/OTHER/: client.go (yours: dialling, a default \
deadline for calls without one, credentials), client_gen.go (the typed clients of OTHER's \
contract and the RPCs retried on UNAVAILABLE: those with idempotency_level NO_SIDE_EFFECTS or \
IDEMPOTENT) and client_test.go (a bufconn test of the deadline and the retries); `trellis sync` \
keeps the last two in step with OTHER's contract while nobody edits them.

The service's go.mod gets `require OTHER_MODULE` and `replace OTHER_MODULE => ../path` (so \
`go mod tidy` and builds without a workspace work); in a go.work workspace that uses this \
service, OTHER is also added with `use`. A go.mod that requires OTHER's module from a registry \
is refused: trellis wires local modules only.";

#[derive(Debug, Args)]
pub(crate) struct NewClientArgs {
    /// The service to call: its name among the repository's services, or its directory
    #[arg(long, value_name = "NAME|DIR")]
    pub(crate) service: String,
    /// The calling service's directory [default: the service around the current directory]
    #[arg(long = "in", value_name = "SERVICE_DIR")]
    pub(crate) service_dir: Option<PathBuf>,
    /// Print the plan and write nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Overwrite client files that exist with other content
    #[arg(long)]
    pub(crate) force: bool,
    /// Do not run `go mod tidy`; print it
    #[arg(long)]
    pub(crate) no_generate: bool,
    #[command(flatten)]
    pub(crate) limits: ScaffoldLimitArgs,
}

#[derive(Debug, Args)]
pub(crate) struct NewServiceArgs {
    /// Service name: lower-case words joined by `-` (directory, binary and proto package)
    pub(crate) name: String,
    /// Go module path [default: what the repository's layout implies (its go.work's modules, or
    /// the enclosing go.mod's path plus the directory), else NAME]
    #[arg(long, value_name = "MODULE_PATH")]
    pub(crate) module: Option<String>,
    /// Generate from this contract instead of a starter one (every RPC of every service).
    /// In the repository's api root (a buf module inside the service's git work tree or
    /// go.work) it stays there and may import its other contracts, generated once for all
    /// services; elsewhere it is copied into the service's api/
    #[arg(long, value_name = "FILE")]
    pub(crate) proto: Option<PathBuf>,
    /// A directory the contract's imports are looked up under, as protoc's -I (repeatable)
    /// [default: the module roots of the nearest buf.yaml or buf.work.yaml above FILE]
    #[arg(long, value_name = "DIR", requires = "proto")]
    pub(crate) proto_path: Vec<PathBuf>,
    /// Built-in template name, template directory, or GIT_URL[@REV]
    #[arg(long, value_name = "NAME|DIR|GIT_URL[@REV]")]
    pub(crate) template: Option<String>,
    /// Output directory [default: ./NAME]
    #[arg(long, value_name = "OUT")]
    pub(crate) dir: Option<PathBuf>,
    /// Set a template variable (repeatable)
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub(crate) set: Vec<(String, String)>,
    /// Print the plan (create/skip/overwrite per file) and write nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Overwrite existing files
    #[arg(long)]
    pub(crate) force: bool,
    /// Do not run the post-generation steps (buf generate, go mod tidy); print them
    #[arg(long)]
    pub(crate) no_generate: bool,
    /// Run the post-generation steps of a template that is not built in
    #[arg(long)]
    pub(crate) trust: bool,
    #[command(flatten)]
    pub(crate) limits: ScaffoldLimitArgs,
}

#[derive(Debug, Args)]
pub(crate) struct SyncArgs {
    /// The service directory (holding .trellis/scaffold.json) [default: .]
    pub(crate) service_dir: Option<PathBuf>,
    /// Print the plan and write nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Delete the stubs and tests of RPCs gone from the contract (only those nobody edited)
    #[arg(long)]
    pub(crate) prune: bool,
    /// Do not run code generation; print the command instead
    #[arg(long)]
    pub(crate) no_generate: bool,
    /// Run the generation steps of a template that is not built in
    #[arg(long)]
    pub(crate) trust: bool,
    #[command(flatten)]
    pub(crate) limits: ScaffoldLimitArgs,
}

const UPGRADE_ABOUT: &str = "\
Bring a scaffolded service to its template's new version, merging into edited files.

The template is rendered at the version the service was generated from, with the recorded \
variables (the base), and at the new version (theirs); the difference is merged into the \
service's files three ways, like `git merge-file`. Untouched files are replaced, edited ones \
merged; a hunk that conflicts is written between `<<<<<<< ours` and `>>>>>>> template VERSION` \
markers. Files the new version adds are created (never over a file of yours), files it removes \
are deleted only when untouched. New variables take their defaults (or --set); removed ones are \
dropped with a note.

A built-in template upgrades to the version in this trellis, a directory template to the \
directory's content, a git template to --to REV (default: the head of the branch it was \
generated from, or the default branch for a tag or commit).

Exit status: 0 upgraded cleanly; 1 conflicts (or a file in the way) left: resolve them and run \
`trellis upgrade --continue`, which records the new version once no markers remain; 2 nothing \
was written (bad input, or the contract changed since the last `trellis sync`).";

#[derive(Debug, Args)]
pub(crate) struct UpgradeArgs {
    /// The service directory (holding .trellis/scaffold.json) [default: .]
    pub(crate) service_dir: Option<PathBuf>,
    /// A git template's revision to upgrade to (tag, branch, commit)
    #[arg(long, value_name = "REV")]
    pub(crate) to: Option<String>,
    /// Print the plan (and the conflicts it would leave) and write nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Finish an upgrade whose conflicts are resolved: record the new version
    #[arg(long = "continue")]
    pub(crate) resume: bool,
    /// Set a template variable (repeatable); new variables otherwise take their defaults
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub(crate) set: Vec<(String, String)>,
    /// Do not run the template's steps (code generation, go mod tidy); print them
    #[arg(long)]
    pub(crate) no_generate: bool,
    /// Run the steps of a template that is not built in
    #[arg(long)]
    pub(crate) trust: bool,
    #[command(flatten)]
    pub(crate) limits: ScaffoldLimitArgs,
}

/// What a template may cost (docs/scaffold.md, "Limits").
#[derive(Debug, Clone, Args)]
pub(crate) struct ScaffoldLimitArgs {
    /// Largest template file or contract read, in bytes
    #[arg(long, value_name = "BYTES", env = "TRELLIS_MAX_INPUT_BYTES", default_value_t = crate::scaffold::limits::DEFAULT_MAX_INPUT_BYTES, hide_env_values = true)]
    pub(crate) max_input_bytes: u64,
    /// Largest total size of the rendered files, in bytes
    #[arg(long, value_name = "BYTES", env = "TRELLIS_MAX_OUTPUT_BYTES", default_value_t = crate::scaffold::limits::DEFAULT_MAX_OUTPUT_BYTES, hide_env_values = true)]
    pub(crate) max_output_bytes: u64,
    /// Longest time rendering the template may take, in seconds
    #[arg(long, value_name = "SECS", env = "TRELLIS_RENDER_TIMEOUT", default_value_t = crate::scaffold::limits::DEFAULT_RENDER_TIMEOUT_SECS, hide_env_values = true)]
    pub(crate) render_timeout: u64,
    /// Longest wait for a git template's server to accept the connection, in seconds
    #[arg(long, value_name = "SECS", env = "TRELLIS_GIT_CONNECT_TIMEOUT", default_value_t = crate::scaffold::limits::DEFAULT_GIT_CONNECT_TIMEOUT_SECS, hide_env_values = true)]
    pub(crate) git_connect_timeout: u64,
    /// Longest a git template fetch may take (and may stall), in seconds
    #[arg(long, value_name = "SECS", env = "TRELLIS_GIT_TIMEOUT", default_value_t = crate::scaffold::limits::DEFAULT_GIT_TIMEOUT_SECS, hide_env_values = true)]
    pub(crate) git_timeout: u64,
    /// Longest one post-generation step (buf generate, go mod tidy) may run, in seconds
    #[arg(long, value_name = "SECS", env = "TRELLIS_STEP_TIMEOUT", default_value_t = crate::scaffold::limits::DEFAULT_STEP_TIMEOUT_SECS, hide_env_values = true)]
    pub(crate) step_timeout: u64,
}

impl ScaffoldLimitArgs {
    pub(crate) fn limits(&self) -> crate::scaffold::limits::Limits {
        use std::time::Duration;
        crate::scaffold::limits::Limits {
            max_input_bytes: self.max_input_bytes,
            max_output_bytes: self.max_output_bytes,
            render_timeout: Duration::from_secs(self.render_timeout.max(1)),
            git_connect_timeout: Duration::from_secs(self.git_connect_timeout.max(1)),
            git_timeout: Duration::from_secs(self.git_timeout.max(1)),
            step_timeout: Duration::from_secs(self.step_timeout.max(1)),
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum TemplatesCommand {
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
pub(crate) enum ConfigCommand {
    /// Print the JSON Schema of trellis.yaml, for editors
    Schema,
    /// Print the effective configuration (after `extends` and defaults) as JSON
    Show,
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Replace an existing trellis.yaml
    #[arg(long)]
    pub(crate) force: bool,
    /// Print the file instead of writing it
    #[arg(long)]
    pub(crate) stdout: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ContractArgs {
    /// The old side: a git ref (branch, tag, commit; a branch that exists only as
    /// origin/NAME resolves) or a directory [default: the default branch]
    #[arg(long, value_name = "REF|DIR")]
    pub(crate) against: Option<String>,
    /// Only check .proto files under these paths (relative to the repository root)
    #[arg(value_name = "PATH")]
    pub(crate) paths: Vec<String>,
    /// Categories (FILE, PACKAGE, WIRE_JSON, WIRE, CSR) or rule ids, replacing `contract.use`
    #[arg(long = "use", value_name = "CATEGORY|RULE", value_delimiter = ',')]
    pub(crate) use_: Vec<String>,
    /// Compare against the tip of --against instead of its merge base with HEAD
    #[arg(long)]
    pub(crate) no_merge_base: bool,
    /// The new side as a git ref instead of the work tree
    #[arg(long, value_name = "REF", conflicts_with = "staged")]
    pub(crate) head: Option<String>,
    /// The new side from the index (what the next commit will hold), for a pre-commit hook
    #[arg(long)]
    pub(crate) staged: bool,
    /// Also report field numbers and names reused after an earlier deletion (walks git history)
    #[arg(long)]
    pub(crate) field_no_reuse: bool,
    /// Print the rules with their categories and exit
    #[arg(long)]
    pub(crate) list_rules: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub(crate) enum CheckJob {
    Lint,
    Drift,
    Contract,
    /// Off unless asked for with --with: it reads the window's git history.
    Score,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Leave a job out (repeatable)
    #[arg(long, value_enum, value_name = "JOB")]
    pub(crate) skip: Vec<CheckJob>,
    /// Add a job that is off by default (repeatable): `score` gates on its
    /// alerts, `score.fail_under`, over `score.window`
    #[arg(long, value_enum, value_name = "JOB")]
    pub(crate) with: Vec<CheckJob>,
    /// Check the staged contents (the index) instead of the work tree, for a
    /// pre-commit hook: lint reads the staged files, contract the staged .proto files
    #[arg(long)]
    pub(crate) staged: bool,
    /// Lint only files changed since the merge base with REF
    #[arg(long, value_name = "REF")]
    pub(crate) changed_since: Option<String>,
    /// Contracts: compare with this ref (merge base with HEAD) [default: the default branch]
    #[arg(long, value_name = "REF")]
    pub(crate) against: Option<String>,
    /// Lint: hide the findings recorded in this baseline
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
}
