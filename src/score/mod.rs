//! `trellis score`: a per-service health scorecard from git history.
//!
//! The scan ([`scan`]) reads the files each commit changed (cached per commit
//! id), [`metrics`] turns commits, tags and table facts into the scorecard
//! ([`model`]), and [`render`] prints it for people and machines.

pub(crate) mod cache;
pub(crate) mod config;
pub(crate) mod findings;
pub(crate) mod generated;
pub(crate) mod metrics;
pub(crate) mod model;
pub(crate) mod project;
pub(crate) mod render;
pub(crate) mod rules;
pub(crate) mod scan;
pub(crate) mod verdicts;
pub(crate) mod window;

pub(crate) use config::ScoreConfig;
pub(crate) use model::Scorecard;

use crate::error::{InputError, did_you_mean};
use crate::git::Git;
use crate::repo::Repo;
use git2::Oid;

/// The checks of `trellis score`, for `trellis explain` and `trellis rules`.
pub(crate) fn rules() -> Vec<crate::report::RuleInfo> {
    rules::all()
}

/// What to score.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// `90d` or a date; `None` takes `score.window` from the config.
    pub(crate) since: Option<String>,
    /// A date; `None` means now (or the end commit's time with `end`).
    pub(crate) until: Option<String>,
    /// Only these services (all when empty).
    pub(crate) services: Vec<String>,
    /// Score as of this commit instead of HEAD (for `--compare`): the window
    /// then ends at the commit's time unless `until` is given.
    pub(crate) end: Option<Oid>,
    /// Show a progress bar on stderr for long scans.
    pub(crate) progress: bool,
    /// The current time, seconds since the epoch.
    pub(crate) now: i64,
}

/// The sections of trellis.yaml the score reads: its own, and those of the
/// jobs whose narrow functions it calls (contract's breaking verdicts, drift's
/// dependency age).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sections<'a> {
    pub(crate) score: &'a ScoreConfig,
    pub(crate) contract: &'a crate::contract::ContractConfig,
    pub(crate) drift: &'a crate::drift::DriftConfig,
}

/// Reads the history and computes the scorecard.
pub(crate) fn scorecard(
    repo: &Repo,
    git: &Git,
    sections: Sections<'_>,
    options: &Options,
) -> Result<Scorecard, InputError> {
    let _restore = scan::RestoreLibgit2Defaults;
    let config = sections.score;
    check_request(repo, git, config, options)?;
    let start = match options.end {
        Some(id) => id,
        None => git.head()?,
    };
    let window = window_of(git, config, options)?;
    let generated = generated::GeneratedFiles::new(&config.generated)
        .map_err(|e| glob_error("score.generated", &e))?;
    let hotspot_ignore = crate::policy::GlobList::new(&config.hotspot_ignore)
        .map_err(|e| glob_error("score.hotspot_ignore", &e))?;
    let root = project_root(repo, git)?;
    let repository = git.repository();
    let mut scanned = scan::scan(
        repository.path(),
        repository,
        &scan_options(
            config,
            repository,
            start,
            window,
            &generated,
            options.progress,
        ),
    )?;
    project::rebase(&mut scanned, &root);
    let tags = git.tags()?;
    let mailmap = repository.mailmap().ok();
    let categories = categories(config)?;
    // A commit is breaking when the contract engine reports any finding of
    // the configured categories in the service's changed contract files; a
    // side that does not compile makes it unknown.
    let cache_dir = config.cache.then(|| repository.path().join("trellis"));
    let history = verdicts::History {
        commits: scanned.commits.iter().map(|c| (c.id, c)).collect(),
        merges_listed: config.merges == config::MergeMode::FirstParent,
        root: &root,
    };
    let breaking = |changes: &[metrics::ContractChange]| {
        verdicts::judge(
            repo,
            git,
            sections.contract,
            &categories,
            changes,
            cache_dir.as_deref(),
            &history,
        )
    };
    let dependency_age = match options.end {
        None => dependency_age(repo, &sections.drift.upstream),
        Some(_) => dependency_age_not_at_compare(repo),
    };
    let inputs = metrics::Inputs {
        repo,
        dependency_age: &dependency_age,
        git: repository,
        config,
        window,
        head: start,
        scan: &scanned,
        tags: &tags,
        contracts: metrics::Contracts::Available(&breaking),
        tables: tables(
            repo,
            git,
            options.end,
            &root,
            cache_dir.as_ref().map(|dir| dir.join("score-tables")),
        ),
        generated: &generated,
        hotspot_ignore: &hotspot_ignore,
        mailmap: mailmap.as_ref(),
        only: &options.services,
        shallow: git.is_shallow(),
    };
    let mut card = metrics::compute(&inputs);
    drop(inputs);
    drop(history);
    if let Some(warning) = scanned.cache_warning.take() {
        card.history.incomplete.push(model::Incomplete {
            metric: "cache".into(),
            reason: warning,
        });
    }
    // Freeing a long history's commits (hundreds of thousands of small
    // strings) took a sixth of a cached run; another thread does it while
    // this one renders.
    std::thread::spawn(move || drop(scanned));
    Ok(card)
}

/// Refuses what cannot be scored: an empty repository, an unknown
/// `--service`, an alias to a service that does not exist.
fn check_request(
    repo: &Repo,
    git: &Git,
    config: &ScoreConfig,
    options: &Options,
) -> Result<(), InputError> {
    if git.is_empty() {
        return Err(InputError::new(format!(
            "{} has no commits yet, so there is no history to score",
            git.root.display()
        ))
        .help("commit something first, or run `trellis score` on a repository with history"));
    }
    for name in &options.services {
        if repo.service(name).is_none() {
            let names = repo.services.iter().map(|s| s.name.as_str());
            let mut err = InputError::new(format!("--service {name}: no such service"));
            err = match did_you_mean(name, names) {
                Some(close) => err.help(format!(
                    "did you mean `{close}`? `trellis services` lists them"
                )),
                None => err.help("`trellis services` lists the services"),
            };
            return Err(err);
        }
    }
    for (dir, name) in &config.aliases {
        if repo.service(name).is_none() {
            let names = repo.services.iter().map(|s| s.name.as_str());
            let hint = match did_you_mean(name, names) {
                Some(close) => format!("did you mean `{close}`? an alias maps an old directory to a service that exists now"),
                None => "an alias maps an old directory to a service that exists now; `trellis services` lists them".to_string(),
            };
            let mut err = InputError::new(format!(
                "score.aliases: `{dir}` maps to `{name}`, which is not a service"
            ))
            .help(hint);
            if let Some(file) = repo.config.files.last() {
                err = err.in_file(file);
            }
            return Err(err);
        }
    }
    Ok(())
}

/// The window: `--since`/`--until`, ending at `--compare`'s commit when
/// scoring the baseline.
fn window_of(
    git: &Git,
    config: &ScoreConfig,
    options: &Options,
) -> Result<window::Window, InputError> {
    let now = match (options.end, &options.until) {
        (Some(id), None) => git
            .repository()
            .find_commit(id)
            .map(|c| c.committer().when().seconds())
            .unwrap_or(options.now),
        _ => options.now,
    };
    let since = options
        .since
        .clone()
        .unwrap_or_else(|| config.window.clone());
    window::Window::parse(&since, options.until.as_deref(), now)
}

fn glob_error(key: &str, error: &globset::Error) -> InputError {
    InputError::new(format!("invalid glob in {key}: {}", error.kind()))
        .help("globs use `*`, `**`, `?`, `[abc]` and `{a,b}`")
}

/// The project's directory inside the repository: git paths are rebased onto it.
fn project_root(repo: &Repo, git: &Git) -> Result<String, InputError> {
    git.prefix_of(&repo.root).ok_or_else(|| {
        InputError::new(format!(
            "{} is not inside the work tree of {}",
            repo.root.display(),
            git.root.display()
        ))
        .help("run trellis score inside a git checkout")
    })
}

fn scan_options(
    config: &ScoreConfig,
    repository: &git2::Repository,
    start: Oid,
    window: window::Window,
    generated: &generated::GeneratedFiles,
    progress: bool,
) -> scan::ScanOptions {
    scan::ScanOptions {
        start,
        since: Some(window.since),
        until: Some(window.until),
        merges: match config.merges {
            config::MergeMode::Skip => scan::Merges::Skip,
            config::MergeMode::FirstParent => scan::Merges::FirstParent,
        },
        churn: config.churn,
        generated: generated.clone(),
        cache_dir: config.cache.then(|| repository.path().join("trellis")),
        progress,
        tree_diff: match std::env::var("TRELLIS_SCORE_TREE_DIFF").as_deref() {
            Ok("libgit2") => scan::TreeDiff::Libgit2,
            _ => scan::TreeDiff::Own,
        },
        objects: match std::env::var("TRELLIS_SCORE_OBJECTS").as_deref() {
            Ok("libgit2") => scan::ObjectReader::Libgit2,
            _ => scan::ObjectReader::Packs,
        },
    }
}

fn dependency_age_not_at_compare(
    repo: &Repo,
) -> std::collections::BTreeMap<String, model::DependencyAge> {
    let reason =
        "dependency age is read from the work tree's go.mod files only, not at --compare REF";
    repo.services
        .iter()
        .map(|s| (s.name.clone(), model::DependencyAge::unavailable(reason)))
        .collect()
}

/// Libyears per service from what `trellis drift --offline` reads: the
/// services' go.mod and Cargo files, and release times in the local Go
/// module cache and cargo's index cache.
fn dependency_age(
    repo: &Repo,
    upstream: &crate::drift::upstream::UpstreamConfig,
) -> std::collections::BTreeMap<String, model::DependencyAge> {
    let ages = match crate::drift::dependency_age(repo, upstream) {
        Ok(ages) => ages,
        Err(e) => {
            let reason = format!("the manifests could not be read: {}", e.message);
            return repo
                .services
                .iter()
                .map(|s| (s.name.clone(), model::DependencyAge::unavailable(&reason)))
                .collect();
        }
    };
    ages.services
        .into_iter()
        .map(|(service, age)| {
            let age = match &age.unavailable {
                Some(reason) => model::DependencyAge::unavailable(format!(
                    "{reason}; dependency age needs the release times cached there"
                )),
                None => age_from_counts(age.years, &age.source, age.ecosystem),
            };
            (service, age)
        })
        .collect()
}

/// Libyears when at least half of the direct dependencies have release
/// times in the local cache: from fewer the sum says more about what is
/// cached than about the service.
fn age_from_counts(
    years: crate::drift::Libyears,
    source: &str,
    ecosystem: crate::drift::Ecosystem,
) -> model::DependencyAge {
    let total = years.counted + years.missing;
    let (cache, fix) = ecosystem.cache_words();
    let what = match ecosystem {
        crate::drift::Ecosystem::Go => "requirements",
        crate::drift::Ecosystem::Rust => "dependencies",
    };
    if years.counted == 0 && years.unlocked > 0 && years.unlocked == years.missing {
        return model::DependencyAge {
            not_found: years.missing,
            ..model::DependencyAge::unavailable(
                "no Cargo.lock: the versions of its dependencies in use are not recorded (commit the workspace's Cargo.lock, or run `cargo generate-lockfile`)",
            )
        };
    }
    if years.counted == 0 && years.missing > 0 {
        return model::DependencyAge {
            not_found: years.missing,
            // The same words for every such service, so the report
            // says it once for all of them; `not_found` keeps the count.
            ..model::DependencyAge::unavailable(format!(
                "none of its direct {what} has its release times in {cache} ({fix})"
            ))
        };
    }
    if years.counted * 2 < total {
        return model::DependencyAge {
            dependencies: years.counted,
            not_found: years.missing,
            ..model::DependencyAge::unavailable(format!(
                "only {} of {total} direct {what} have their release times in {cache}, fewer than half ({fix})",
                years.counted
            ))
        };
    }
    model::DependencyAge {
        libyears: Some((years.years * 100.0).round() / 100.0),
        dependencies: years.counted,
        not_found: years.missing,
        status: model::Status::Ok,
        source: Some(source.to_string()),
        reason: None,
    }
}

/// The contract categories that make a change breaking, from the config.
fn categories(config: &ScoreConfig) -> Result<Vec<crate::contract::Category>, InputError> {
    config
        .interface_stability
        .categories
        .iter()
        .map(|name| {
            crate::contract::Category::parse(name).ok_or_else(|| {
                let valid: Vec<&str> = crate::contract::Category::ALL
                    .iter()
                    .map(|c| c.id())
                    .collect();
                InputError::new(format!(
                    "score.interface_stability.categories: unknown category `{name}`"
                ))
                .help(format!("use one or more of: {}", valid.join(", ")))
            })
        })
        .collect()
}

/// Table facts for data coupling: from the work tree for HEAD, from the
/// commit's tree for `--compare` (with today's services, so both sides name
/// the same services).
fn tables(
    repo: &Repo,
    git: &Git,
    end: Option<Oid>,
    root: &str,
    cache: Option<std::path::PathBuf>,
) -> metrics::Tables {
    use crate::repo::tables::{table_uses_cached, table_uses_in};
    let uses = match end {
        None => table_uses_cached(repo, cache.as_deref()),
        Some(commit) => {
            let files = match git.files_at(commit, root) {
                Ok(files) => files,
                Err(e) => return metrics::Tables::Unavailable(e.message),
            };
            let mut uses = Vec::new();
            for mut file in files {
                if let Some(inside) = project::in_project(&file.path, root) {
                    file.path = inside.to_string();
                }
                let sql_like = [".sql", ".go", ".rs"]
                    .iter()
                    .any(|ext| file.path.ends_with(ext));
                if !sql_like || repo.is_excluded(&file.path) {
                    continue;
                }
                let Ok(bytes) = git.blob(file.blob) else {
                    continue;
                };
                let Ok(text) = String::from_utf8(bytes) else {
                    continue;
                };
                let service = repo.service_for(&file.path).map_or("", |s| s.name.as_str());
                uses.extend(table_uses_in(&file.path, &text, service));
            }
            uses
        }
    };
    metrics::Tables::Available(uses.into_iter().map(|u| (u.table, u.service)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::drift::Ecosystem::Go;

    fn years(years: f64, counted: usize, missing: usize) -> crate::drift::Libyears {
        crate::drift::Libyears {
            years,
            counted,
            missing,
            unlocked: 0,
        }
    }

    #[test]
    fn libyears_from_fewer_than_half_of_the_requirements_are_unavailable() {
        let age = age_from_counts(years(4.234, 8, 2), "cache", Go);
        assert_eq!(
            (age.libyears, age.dependencies, age.not_found),
            (Some(4.23), 8, 2)
        );
        assert_eq!(age.status, model::Status::Ok);
        let age = age_from_counts(years(0.66, 2, 8), "cache", Go);
        assert_eq!(age.libyears, None);
        assert_eq!(age.status, model::Status::Unavailable);
        assert!(
            age.reason
                .unwrap()
                .starts_with("only 2 of 10 direct requirements")
        );
        // Nothing found is not 0.00 libyears.
        assert_eq!(
            age_from_counts(years(0.0, 0, 3), "cache", Go).libyears,
            None
        );
    }
}
