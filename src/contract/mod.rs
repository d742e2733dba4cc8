//! `trellis contract`: breaking .proto changes between two revisions, with
//! `buf breaking`'s rule ids, categories and verdicts.
//!
//! Both sides are read into memory (git objects, the work tree or a
//! directory) and split into compilation units (services, include roots,
//! a buf workspace); in each unit only the files whose blob ids differ (plus
//! their importers, additions and deletions) are compiled with protox, and
//! buf's rules run over each unit's pair.

pub(crate) mod bufcache;
pub mod compare;
pub(crate) mod compile;
pub mod config;
pub(crate) mod consumers;
pub(crate) mod failures;
pub(crate) mod model;
pub(crate) mod needed;
pub(crate) mod output;
pub(crate) mod parsed;
pub(crate) mod reuse;
pub mod rules;
pub(crate) mod source;
pub(crate) mod units;

pub(crate) use compare::Comparison;
pub(crate) use config::ContractConfig;
pub use rules::Category;

use crate::error::InputError;
use crate::git::{Git, short};
use crate::repo::Repo;
use crate::report::{Finding, Report, RuleInfo};
use git2::Oid;
use source::ProtoSet;
use std::path::{Path, PathBuf};

/// Every contract rule, for `trellis explain` and `trellis rules`.
pub(crate) fn rules() -> Vec<RuleInfo> {
    let buf = rules::all().iter().map(|rule| RuleInfo {
        id: rule.id.to_string(),
        job: "contract".to_string(),
        default_severity: crate::report::Severity::Error,
        summary: rule.purpose.to_string(),
        docs: rule.full_docs(),
    });
    let engine = rules::ENGINE_RULES.iter().map(|(id, def)| def.info(*id));
    buf.chain(engine).collect()
}

/// What to compare and how. `Default` is what `trellis check` uses: the work
/// tree against the merge base with the default branch, rules from config.
#[derive(Debug, Clone, Default)]
pub struct ContractOptions {
    /// A git ref or a directory; `None` = the default branch.
    pub(crate) against: Option<String>,
    /// Compare against the tip of `against` instead of the merge base with HEAD.
    pub(crate) no_merge_base: bool,
    /// The new side as a git ref instead of the work tree.
    pub(crate) head: Option<String>,
    /// The new side from the index instead of the work tree (pre-commit).
    pub(crate) staged: bool,
    /// Only files under these paths (relative to the repository root).
    pub(crate) paths: Vec<String>,
    /// Categories or rule ids replacing `contract.use` from the config.
    pub(crate) use_: Vec<String>,
    /// Run FIELD_NO_REUSE even when the config does not turn it on.
    pub(crate) field_no_reuse: bool,
}

/// Where the old side comes from, resolved.
enum Against {
    Commit { oid: Oid, label: String },
    Dir(PathBuf),
}

/// Runs the contract check as `trellis contract` and `trellis check` do.
/// `config` is trellis.yaml's `contract:` section.
pub fn check(
    repo: &Repo,
    git: &Git,
    config: &ContractConfig,
    options: &ContractOptions,
) -> Result<Report, InputError> {
    let comparison = run(repo, Some(git), config, options)?;
    Ok(comparison.into_report(repo))
}

/// Like [`check`] for callers that may have no git repository (`--against DIR`).
pub(crate) fn run(
    repo: &Repo,
    git: Option<&Git>,
    config: &ContractConfig,
    options: &ContractOptions,
) -> Result<Comparison, InputError> {
    let settings =
        compare::Settings::from_repo(repo, config, &options.use_, options.field_no_reuse)?;
    // The project may be a directory of a larger repository: git paths are
    // rebased onto it.
    let root = match git {
        Some(git) => git.prefix_of(&repo.root).ok_or_else(|| {
            InputError::new(format!(
                "{} is not inside the work tree of {}",
                repo.root.display(),
                git.root.display()
            ))
            .help("run trellis inside a git checkout, or compare against a directory with --against DIR")
        })?,
        None => String::new(),
    };
    let (new, head_commit) = match &options.head {
        Some(head) => {
            let git = require_git(git, "--head")?;
            let oid = git.resolve(head)?;
            let label = format!("new ({head}@{})", short(oid));
            (
                ProtoSet::from_git(git, oid, &root, label, Some(repo))?,
                Some(oid),
            )
        }
        None if options.staged => {
            let git = require_git(git, "--staged")?;
            (
                ProtoSet::from_tree_files(
                    git,
                    &source::under_root(git.index_files()?, &root),
                    "new (index)".to_string(),
                    Some(repo),
                    &source::ProtoListing::default(),
                )?,
                None,
            )
        }
        None => (
            ProtoSet::from_work_tree(repo, "new (work tree)".to_string())?,
            None,
        ),
    };
    let against = resolve_against(repo, git, options, head_commit)?;
    let old = match &against {
        Against::Commit { oid, label } => {
            let git = require_git(git, "--against REF")?;
            ProtoSet::from_git(git, *oid, &root, label.clone(), Some(repo))?
        }
        Against::Dir(dir) => ProtoSet::from_dir(dir, format!("old ({})", dir.display()))?,
    };
    let mut comparison = compare::compare(&old, &new, &settings, &options.paths)?;
    if settings.field_no_reuse
        && let (Some(git), Against::Commit { oid, .. }) = (git, &against)
    {
        let findings = reuse::check(git, *oid, &root, &new, &comparison, &settings)?;
        comparison.findings.extend(findings);
    }
    if options.head.is_some() || options.staged {
        let new_side = comparison
            .findings
            .iter()
            .filter(|finding| finding.side == rules::Side::New)
            .map(|finding| &finding.path)
            .chain(comparison.not_compiled.iter().map(|warning| &warning.path));
        let texts: Vec<(String, String)> = new_side
            .filter_map(|path| {
                Some((
                    path.clone(),
                    new.files.get(path)?.text.as_deref()?.to_string(),
                ))
            })
            .collect();
        for (path, text) in texts {
            comparison.new_sources.entry(path).or_insert(text);
        }
    }
    comparison.old_label = old.label;
    comparison.new_label = new.label;
    Ok(comparison)
}

fn require_git<'a>(git: Option<&'a Git>, flag: &str) -> Result<&'a Git, InputError> {
    git.ok_or_else(|| {
        InputError::new(format!("{flag} needs a git repository"))
            .help("run inside a git checkout, or compare against a directory with --against DIR")
    })
}

fn resolve_against(
    repo: &Repo,
    git: Option<&Git>,
    options: &ContractOptions,
    head_commit: Option<Oid>,
) -> Result<Against, InputError> {
    if let Some(against) = &options.against {
        let as_path = Path::new(against);
        let candidates = [as_path.to_path_buf(), repo.root.join(as_path)];
        if let Some(dir) = candidates.iter().find(|p| p.is_dir()) {
            return Ok(Against::Dir(dir.clone()));
        }
    }
    let git = require_git(git, "--against REF")?;
    let name = match &options.against {
        Some(name) => name.clone(),
        None => git.default_branch().ok_or_else(|| {
            InputError::new("no default branch to compare against (no main, master or origin/HEAD)")
                .help("pass --against REF (a branch, tag or commit) or --against DIR")
        })?,
    };
    let tip = git.resolve(&name)?;
    if options.no_merge_base {
        return Ok(Against::Commit {
            oid: tip,
            label: format!("old ({name}@{})", short(tip)),
        });
    }
    let head = match head_commit {
        Some(head) => head,
        None => git.head()?,
    };
    // With --head REV the new side is REV, so the label names it rather than HEAD.
    let head_name = options.head.as_deref().unwrap_or("HEAD");
    let base = git.merge_base(tip, head).map_err(|err| {
        if git.is_shallow() {
            InputError::new(format!(
                "the merge base of {name} and {head_name} is not in this shallow clone"
            ))
            .help(format!(
                "fetch the history back to the branch point: `git fetch --unshallow` or `git fetch --deepen=N origin {name}` with N at least the number of commits since HEAD left {name} (actions/checkout: `fetch-depth: 0`); or pass --no-merge-base to compare against the tip of {name}"
            ))
        } else {
            err
        }
    })?;
    Ok(Against::Commit {
        oid: base,
        label: format!(
            "old (merge base of {name} and {head_name}, {})",
            short(base)
        ),
    })
}

/// Compares two commits: findings of the configured rules (or of
/// `categories` when not empty) in files under `paths` (all when empty). A
/// file the change is to blame for that does not compile is an `Err`,
/// never findings; files it is not to blame for are left out, silently. The score job,
/// which judges many commits, rebuilds the sides itself and calls
/// [`compare_sets`].
pub fn compare_commits(
    repo: &Repo,
    git: &Git,
    config: &ContractConfig,
    old: Oid,
    new: Oid,
    paths: &[String],
    categories: &[Category],
) -> Result<Vec<Finding>, InputError> {
    let root = git.prefix_of(&repo.root).unwrap_or_default();
    let label = |side: &str, id: Oid| format!("{side} ({})", short(id));
    let old_set = ProtoSet::from_git(git, old, &root, label("old", old), Some(repo))?;
    let new_set = ProtoSet::from_git(git, new, &root, label("new", new), Some(repo))?;
    compare_sets(repo, config, &old_set, &new_set, paths, categories)
}

/// One side of a change as `trellis score` reads it from history: the
/// contract files of a commit (see [`source::is_listed`]) and its label.
pub(crate) struct TreeSide<'a> {
    pub(crate) files: &'a [crate::git::TreeFile],
    pub(crate) label: String,
}

/// What `trellis score` needs of contract: whether the change from `old` to
/// `new` breaks a contract under `paths` in `categories`. `listing` caches
/// the decoded files across calls.
pub(crate) fn breaking_between(
    repo: &Repo,
    git: &Git,
    config: &ContractConfig,
    [old, new]: [TreeSide<'_>; 2],
    paths: &[String],
    categories: &[Category],
    listing: &source::ProtoListing,
) -> Result<bool, InputError> {
    let old = ProtoSet::from_tree_files(git, old.files, old.label, Some(repo), listing)?;
    let new = ProtoSet::from_tree_files(git, new.files, new.label, Some(repo), listing)?;
    Ok(!compare_sets(repo, config, &old, &new, paths, categories)?.is_empty())
}

/// [`compare_commits`] on two sides the caller read already.
pub(crate) fn compare_sets(
    repo: &Repo,
    config: &ContractConfig,
    old_set: &ProtoSet,
    new_set: &ProtoSet,
    paths: &[String],
    categories: &[Category],
) -> Result<Vec<Finding>, InputError> {
    let use_: Vec<String> = categories.iter().map(|c| c.id().to_string()).collect();
    let settings = compare::Settings {
        check_untouched: false,
        parse_cache: None,
        ..compare::Settings::from_repo(repo, config, &use_, false)?
    };
    let comparison = compare::compare(old_set, new_set, &settings, paths)?;
    let mut findings = comparison.into_verdict_report(repo).findings;
    // Callers judge whether a change breaks a contract; a file left out is not a break.
    findings.retain(|finding| finding.rule != failures::ID);
    Ok(findings)
}
