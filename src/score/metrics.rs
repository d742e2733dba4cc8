//! From scanned commits, tags and table facts to the per-service scorecard.

use super::config::ScoreConfig;
use super::generated::GeneratedFiles;
use super::model::*;
use super::scan::{CommitInfo, FileChange, Lines, ScanResult};
use super::window::{Window, format_date};
use crate::git::Tag;
use crate::repo::Repo;
use git2::Oid;
use rustc_hash::{FxHashMap as FxMap, FxHashSet as FxSet};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One contract change to judge: a commit, its first parent, and the
/// service's contract files the commit changed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ContractChange {
    pub(crate) commit: Oid,
    pub(crate) parent: Oid,
    pub(crate) paths: Vec<String>,
}

/// Judges contract changes in one batch (so the caller can cache and
/// parallelise): per change `Ok(true)` breaking, `Ok(false)` compatible,
/// `Err(why)` when a side does not compile (unknown).
pub(crate) type BreakingCheck<'a> = dyn Fn(&[ContractChange]) -> Vec<Result<bool, String>> + 'a;

/// Where interface stability gets its verdicts from.
pub(crate) enum Contracts<'a> {
    Available(&'a BreakingCheck<'a>),
    // Nothing builds it today (`trellis score` always has a checker); left
    // for score's owner to remove with its branch in `stability`, which
    // would make `Contracts` a one-variant enum.
    #[allow(dead_code)]
    Unavailable(String),
}

/// Where data coupling gets its table facts: (table, service) pairs.
pub(crate) enum Tables {
    Available(Vec<(String, String)>),
    Unavailable(String),
}

pub(crate) struct Inputs<'a> {
    pub(crate) repo: &'a Repo,
    /// Per service name; services not in it are unavailable.
    pub(crate) dependency_age: &'a BTreeMap<String, DependencyAge>,
    pub(crate) git: &'a git2::Repository,
    pub(crate) config: &'a ScoreConfig,
    pub(crate) window: Window,
    /// The commit the walk started from (the end of the window).
    pub(crate) head: Oid,
    pub(crate) scan: &'a ScanResult,
    pub(crate) tags: &'a [Tag],
    pub(crate) contracts: Contracts<'a>,
    pub(crate) tables: Tables,
    pub(crate) generated: &'a GeneratedFiles,
    /// Files that are never hotspots though people edit them (lock files, changelogs).
    pub(crate) hotspot_ignore: &'a crate::policy::GlobList,
    pub(crate) mailmap: Option<&'a git2::Mailmap>,
    /// Only these services are reported (all when empty); the domain average
    /// still uses every service.
    pub(crate) only: &'a [String],
    pub(crate) shallow: bool,
}

/// Maps a path (possibly from before a rename) to the service it belongs to now.
struct ServiceMap<'a> {
    repo: &'a Repo,
    aliases: Vec<(String, String)>,
    /// Directory of a current contract -> its owner, for contract files that
    /// no longer exist at the same path.
    contract_dirs: HashMap<String, String>,
}

impl<'a> ServiceMap<'a> {
    fn new(repo: &'a Repo, config: &ScoreConfig) -> ServiceMap<'a> {
        let mut aliases: Vec<(String, String)> = config
            .aliases
            .iter()
            .map(|(dir, name)| (dir.trim_end_matches('/').to_string(), name.clone()))
            .collect();
        aliases.sort_by_key(|(dir, _)| std::cmp::Reverse(dir.len()));
        let mut contract_dirs = HashMap::new();
        for service in &repo.services {
            for contract in &service.contracts {
                let dir = contract.rsplit_once('/').map_or("", |(d, _)| d);
                contract_dirs.insert(dir.to_string(), service.name.clone());
            }
        }
        ServiceMap {
            repo,
            aliases,
            contract_dirs,
        }
    }

    fn service(&self, path: &str) -> Option<String> {
        if path.ends_with(".proto")
            && let Some(owner) = self.contract_owner(path)
        {
            return Some(owner);
        }
        for (dir, name) in &self.aliases {
            if path.starts_with(dir.as_str()) && path.as_bytes().get(dir.len()) == Some(&b'/') {
                return Some(name.clone());
            }
        }
        self.repo.service_for(path).map(|s| s.name.clone())
    }

    fn contract_owner(&self, path: &str) -> Option<String> {
        if let Some(service) = self
            .repo
            .services
            .iter()
            .find(|s| s.contracts.iter().any(|c| c == path))
        {
            return Some(service.name.clone());
        }
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        self.contract_dirs.get(dir).cloned()
    }
}

#[derive(Default)]
struct Acc {
    commits: usize,
    bot_commits: usize,
    /// Per person ([`Author::person`]): their key, the name shown and their
    /// commits; keyed by number so that a long window's commits compare no
    /// strings.
    authors: FxMap<u32, (String, String, usize)>,
    added: u64,
    removed: u64,
    /// Paths (by number, [`Facts::path`]) with a change whose lines were
    /// not counted: numbers, where the text of each such change (every
    /// change of a vendored file) was copied and compared in a tree.
    skipped_files: FxSet<u32>,
    /// Contract changes and the week they fall in.
    contract_commits: Vec<(ContractChange, usize)>,
    weekly: Weekly,
    weekly_authors: Vec<FxSet<u32>>,
}

impl Acc {
    fn new(weeks: usize) -> Acc {
        Acc {
            weekly: Weekly {
                commits: vec![0; weeks],
                churn: vec![0; weeks],
                deploys: vec![0; weeks],
                contract_commits: vec![0; weeks],
                breaking_commits: vec![0; weeks],
                authors: vec![0; weeks],
            },
            weekly_authors: vec![FxSet::default(); weeks],
            ..Acc::default()
        }
    }

    /// Per person (mailmap-resolved email, lowercase): the name shown and
    /// their commits.
    fn people(&self) -> BTreeMap<String, (String, usize)> {
        self.authors
            .values()
            .map(|(key, shown, commits)| (key.clone(), (shown.clone(), *commits)))
            .collect()
    }
}

/// Who made a commit, once per distinct name and email in the window.
struct Author {
    /// The person: their email after `.mailmap`, lowercase, so one email
    /// under two names counts once.
    key: String,
    /// A number per distinct `key` in the window.
    person: u32,
    /// `Name <email>` as `.mailmap` gives it.
    shown: String,
    bot: bool,
}

/// What depends only on a path (its service, whether it is generated or
/// never a hotspot) or only on an author, worked out once: a long window has
/// tens of thousands of commits over a few thousand paths and authors.
///
/// Paths and authors are numbered, and looked up by the address of their
/// text: changes read from the cache share one string per path and author,
/// so a change is one pointer hash away from its facts, where hashing the
/// text of every change's path (200,000 changes on a long history, three
/// times each) was most of the metrics' time. Texts at other addresses (new
/// commits, one string per change) are numbered by text first.
struct Facts<'s> {
    paths: Vec<PathFacts<'s>>,
    path_at: FxMap<*const u8, u32>,
    authors: Vec<Author>,
    author_at: FxMap<(*const u8, *const u8), u32>,
}

struct PathFacts<'s> {
    path: &'s str,
    service: Option<String>,
}

impl<'s> Facts<'s> {
    fn gather(inputs: &Inputs<'s>, map: &ServiceMap<'_>) -> Facts<'s> {
        let bots: Vec<String> = inputs
            .config
            .bots
            .iter()
            .map(|b| b.to_lowercase())
            .collect();
        let mut facts = Facts {
            paths: Vec::new(),
            path_at: FxMap::default(),
            authors: Vec::new(),
            author_at: FxMap::default(),
        };
        let mut path_numbers: FxMap<&'s str, u32> = FxMap::default();
        // A long history names about as many paths as it has commits
        // (60,000 on moby): grown from empty, both maps rehashed all their
        // entries at every doubling.
        let expected = inputs.scan.commits.len();
        facts.path_at.reserve(expected);
        path_numbers.reserve(expected);
        let mut author_numbers: FxMap<(&'s str, &'s str), u32> = FxMap::default();
        let mut persons: FxMap<String, u32> = FxMap::default();
        for commit in &inputs.scan.commits {
            let (name, email) = (&*commit.author_name, &*commit.author_email);
            if let std::collections::hash_map::Entry::Vacant(slot) =
                facts.author_at.entry((name.as_ptr(), email.as_ptr()))
            {
                let number = *author_numbers.entry((name, email)).or_insert_with(|| {
                    let mut author = identity(commit, inputs.mailmap, &bots);
                    let next = persons.len() as u32;
                    author.person = *persons.entry(author.key.clone()).or_insert(next);
                    facts.authors.push(author);
                    (facts.authors.len() - 1) as u32
                });
                slot.insert(number);
            }
            for file in &commit.files {
                let std::collections::hash_map::Entry::Vacant(slot) =
                    facts.path_at.entry(file.path.as_ptr())
                else {
                    continue;
                };
                let path: &'s str = &file.path;
                let number = *path_numbers.entry(path).or_insert_with(|| {
                    facts.paths.push(PathFacts {
                        path,
                        service: map.service(path),
                    });
                    (facts.paths.len() - 1) as u32
                });
                slot.insert(number);
            }
        }
        facts
    }

    fn author(&self, commit: &CommitInfo) -> &Author {
        let at = (commit.author_name.as_ptr(), commit.author_email.as_ptr());
        &self.authors[self.author_at[&at] as usize]
    }

    /// The number of a path of a gathered commit.
    fn path(&self, path: &str) -> usize {
        self.path_at[&path.as_ptr()] as usize
    }
}

/// Everything the commit walk counts, per service and for the repository.
struct Walk {
    acc: BTreeMap<String, Acc>,
    merges: usize,
    bot_commits: usize,
    large_commits_skipped: usize,
    /// Temporal coupling: commits per service and per pair of services.
    revisions: BTreeMap<String, usize>,
    shared: BTreeMap<(String, String), usize>,
    /// Hotspots, by path number: human commits per path, and paths with a
    /// change whose content said it was generated.
    changes_by_path: Vec<usize>,
    excluded_paths: Vec<bool>,
}

impl Walk {
    fn read(inputs: &Inputs<'_>, facts: &Facts<'_>, names: &[String], weeks: usize) -> Walk {
        let mut walk = Walk {
            acc: names.iter().map(|n| (n.clone(), Acc::new(weeks))).collect(),
            merges: 0,
            bot_commits: 0,
            large_commits_skipped: 0,
            revisions: BTreeMap::new(),
            shared: BTreeMap::new(),
            changes_by_path: vec![0; facts.paths.len()],
            excluded_paths: vec![false; facts.paths.len()],
        };
        for commit in &inputs.scan.commits {
            let week = inputs
                .window
                .week_index(commit.time)
                .min(weeks.saturating_sub(1));
            walk.commit(inputs, facts, commit, week);
        }
        walk
    }

    fn commit(&mut self, inputs: &Inputs<'_>, facts: &Facts<'_>, commit: &CommitInfo, week: usize) {
        let author = facts.author(commit);
        self.merges += usize::from(commit.is_merge());
        self.bot_commits += usize::from(author.bot);
        // A bot bumping every go.mod at once would read as coupling, churn
        // and hotspots that no person made.
        let counts_for_people = !author.bot || inputs.config.include_bot_commits;
        let mut touched: BTreeMap<&str, Vec<(u32, &FileChange)>> = BTreeMap::new();
        for file in &commit.files {
            let number = facts.path(&file.path);
            let path = &facts.paths[number];
            if let Some(service) = &path.service {
                touched
                    .entry(service)
                    .or_default()
                    .push((number as u32, file));
            }
            if counts_for_people {
                self.changes_by_path[number] += 1;
            }
            if matches!(file.lines, Lines::Generated) {
                self.excluded_paths[number] = true;
            }
        }
        for (service, files) in &touched {
            // None: an alias to a service that no longer exists.
            if let Some(acc) = self.acc.get_mut(*service) {
                count_service_commit(
                    acc,
                    commit,
                    author,
                    files,
                    week,
                    counts_for_people,
                    inputs.config.churn,
                );
            }
        }
        if commit.files.len() > inputs.config.max_changeset {
            self.large_commits_skipped += 1;
        } else if counts_for_people && !touched.is_empty() {
            self.count_coupling(touched.keys().copied().collect());
        }
    }

    fn count_coupling(&mut self, services: Vec<&str>) {
        for service in &services {
            *self.revisions.entry(service.to_string()).or_default() += 1;
        }
        for (i, a) in services.iter().enumerate() {
            for b in &services[i + 1..] {
                *self
                    .shared
                    .entry((a.to_string(), b.to_string()))
                    .or_default() += 1;
            }
        }
    }
}

fn count_service_commit(
    acc: &mut Acc,
    commit: &CommitInfo,
    author: &Author,
    files: &[(u32, &FileChange)],
    week: usize,
    counts_for_people: bool,
    churn: bool,
) {
    acc.commits += 1;
    acc.weekly.commits[week] += 1;
    if author.bot {
        acc.bot_commits += 1;
    } else {
        acc.authors
            .entry(author.person)
            .or_insert_with(|| (author.key.clone(), author.shown.clone(), 0))
            .2 += 1;
        acc.weekly_authors[week].insert(author.person);
    }
    if counts_for_people {
        for (number, file) in files {
            match file.lines {
                Lines::Counted { added, removed } => {
                    acc.added += u64::from(added);
                    acc.removed += u64::from(removed);
                    acc.weekly.churn[week] += u64::from(added) + u64::from(removed);
                }
                // Only a churn count reports them (and without churn every
                // file would be one).
                _ if churn => {
                    acc.skipped_files.insert(*number);
                }
                _ => {}
            }
        }
    }
    let contracts: Vec<String> = files
        .iter()
        .map(|(_, f)| f)
        .filter(|f| f.path.ends_with(".proto"))
        .map(|f| f.path.to_string())
        .collect();
    if !contracts.is_empty() && !commit.is_merge() {
        acc.weekly.contract_commits[week] += 1;
        let change = ContractChange {
            commit: commit.id,
            parent: commit.first_parent(),
            paths: contracts,
        };
        acc.contract_commits.push((change, week));
    }
}

/// Why the window's history cannot give the history metrics (stability,
/// deploys, authors) a value: no commits in it, or a shallow clone that ends
/// inside it. None when the history is whole.
struct MissingHistory {
    reason: String,
    /// With no commit at all even today's tables say nothing about the window.
    empty_window: bool,
}

fn missing_history(inputs: &Inputs<'_>, last_commit: Option<&str>) -> Option<MissingHistory> {
    if inputs.scan.commits.is_empty() {
        let last = last_commit.map_or(String::new(), |date| format!("; last commit on {date}"));
        return Some(MissingHistory {
            reason: format!(
                "no commits between {} and {}{last}",
                inputs.window.since_date(),
                inputs.window.until_date()
            ),
            empty_window: true,
        });
    }
    inputs.scan.hit_shallow_boundary.then(|| MissingHistory {
        reason: SHALLOW_REASON.to_string(),
        empty_window: false,
    })
}

const SHALLOW_REASON: &str = "the clone is shallow and its history ends inside the window; fetch it with `git fetch --unshallow` (or `fetch-depth: 0` in actions/checkout)";

pub(crate) fn compute(inputs: &Inputs<'_>) -> Scorecard {
    let weeks = inputs.window.weeks();
    let map = ServiceMap::new(inputs.repo, inputs.config);
    let names: Vec<String> = inputs
        .repo
        .services
        .iter()
        .map(|s| s.name.clone())
        .collect();
    let facts = Facts::gather(inputs, &map);
    let mut walk = Walk::read(inputs, &facts, &names, weeks.len());
    let last_commit = last_commit_date(inputs);
    let missing = missing_history(inputs, last_commit.as_deref());
    let mut history = history_header(inputs, &walk, last_commit, missing.is_some());
    let deploys = count_deploys(inputs, &map, &names, &mut history, &weeks);
    let owners = table_owners(&inputs.tables);
    let hotspots_all = rank_hotspots(inputs, &walk, &facts);
    // Without the window's whole history interface stability is unavailable
    // anyway: no verdict is worth computing.
    let verdicts = match missing {
        Some(_) => HashMap::new(),
        None => judge_contracts(inputs, &walk.acc),
    };
    let services = names
        .iter()
        .filter(|name| inputs.reported(name))
        .filter_map(|name| {
            let acc = walk.acc.remove(name)?;
            let context = ServiceContext {
                inputs,
                verdicts: &verdicts,
                owners: &owners,
                deploys: &deploys,
                hotspots: &hotspots_all,
                missing: missing.as_ref(),
                weeks: weeks.len(),
            };
            Some(service_score(&context, name, acc))
        })
        .collect();
    let temporal_coupling = temporal_coupling(walk.shared, walk.revisions, inputs.only);
    Scorecard {
        version: 1,
        window: WindowOut {
            since: inputs.window.since_date(),
            until: inputs.window.until_date(),
        },
        head: inputs.head.to_string(),
        history,
        services,
        temporal_coupling,
        hotspots: hotspots_all
            .into_iter()
            .take(inputs.config.hotspots)
            .collect(),
        weeks: weeks.into_iter().map(format_date).collect(),
    }
}

impl Inputs<'_> {
    fn reported(&self, name: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|n| n == name)
    }
}

/// The date of the commit the window ends at, for a window without commits.
fn last_commit_date(inputs: &Inputs<'_>) -> Option<String> {
    let commit = inputs.git.find_commit(inputs.head).ok()?;
    Some(format_date(commit.committer().when().seconds()))
}

fn history_header(
    inputs: &Inputs<'_>,
    walk: &Walk,
    last_commit: Option<String>,
    history_missing: bool,
) -> HistoryOut {
    let mut history = HistoryOut {
        commits: inputs.scan.commits.len(),
        merges: walk.merges,
        file_changes: inputs.scan.commits.iter().map(|c| c.files.len()).sum(),
        bot_commits: walk.bot_commits,
        bot_commits_in_metrics: inputs.config.include_bot_commits,
        large_commits_skipped: walk.large_commits_skipped,
        non_semver_tags: 0,
        shallow: inputs.shallow,
        last_commit,
        incomplete: Vec::new(),
        cached_commits: inputs.scan.cached,
        scanned_commits: inputs.scan.scanned,
    };
    if inputs.scan.hit_shallow_boundary && history_missing {
        for metric in [
            "commits",
            "authors",
            "churn",
            "hotspots",
            "temporal_coupling",
            "author_concentration",
            "interface_stability",
            "deploy_frequency",
        ] {
            history.incomplete.push(Incomplete {
                metric: metric.into(),
                reason: SHALLOW_REASON.into(),
            });
        }
    } else if inputs.shallow {
        history.incomplete.push(Incomplete {
            metric: "deploy_frequency".into(),
            reason: "a shallow clone may lack tags; fetch them with `git fetch --tags`".into(),
        });
    }
    history
}

/// Table -> the services that use it.
fn table_owners(tables: &Tables) -> BTreeMap<String, BTreeSet<String>> {
    let mut by_table: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    if let Tables::Available(uses) = tables {
        for (table, service) in uses.iter().filter(|(_, service)| !service.is_empty()) {
            by_table
                .entry(table.clone())
                .or_default()
                .insert(service.clone());
        }
    }
    by_table
}

/// Files by changes x lines at the end of the window, highest first.
fn rank_hotspots(inputs: &Inputs<'_>, walk: &Walk, facts: &Facts<'_>) -> Vec<Hotspot> {
    let mut hotspots: Vec<Hotspot> = walk
        .changes_by_path
        .iter()
        .zip(&walk.excluded_paths)
        .zip(&facts.paths)
        .filter(|((changes, excluded), _)| **changes > 0 && !**excluded)
        .filter_map(|((changes, _), facts)| {
            // Deleted by the end of the window, binary or generated: no hotspot.
            let Some(Some(lines)) = inputs.scan.head_lines.get(facts.path) else {
                return None;
            };
            // Generated, a lock file or a changelog (`score.hotspot_ignore`):
            // asked only of files still there, a tenth of those ever changed.
            if inputs.generated.is_generated(facts.path)
                || inputs.hotspot_ignore.is_match(facts.path)
            {
                return None;
            }
            Some(Hotspot {
                path: facts.path.to_string(),
                service: facts.service.clone(),
                changes: *changes,
                lines: *lines,
                score: *changes as u64 * u64::from(*lines),
            })
        })
        .collect();
    hotspots.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.path.cmp(&b.path)));
    hotspots
}

/// Every contract change of the reported services, judged in one batch.
fn judge_contracts(
    inputs: &Inputs<'_>,
    acc: &BTreeMap<String, Acc>,
) -> HashMap<ContractChange, Result<bool, String>> {
    let mut verdicts = HashMap::new();
    if let Contracts::Available(check) = &inputs.contracts {
        let changes: Vec<ContractChange> = acc
            .iter()
            .filter(|(name, _)| inputs.reported(name))
            .flat_map(|(_, a)| a.contract_commits.iter().map(|(change, _)| change.clone()))
            .collect();
        let results = check(&changes);
        verdicts.extend(changes.into_iter().zip(results));
    }
    verdicts
}

/// What every service's metrics are computed from.
struct ServiceContext<'c, 'i> {
    inputs: &'c Inputs<'i>,
    verdicts: &'c HashMap<ContractChange, Result<bool, String>>,
    owners: &'c BTreeMap<String, BTreeSet<String>>,
    deploys: &'c DeployCounts,
    hotspots: &'c [Hotspot],
    missing: Option<&'c MissingHistory>,
    weeks: usize,
}

fn service_score(context: &ServiceContext<'_, '_>, name: &str, mut acc: Acc) -> ServiceScore {
    let inputs = context.inputs;
    let config = inputs.config;
    let missing = context.missing.map(|m| m.reason.as_str());
    let stability = match missing {
        Some(reason) => unavailable_stability(config, acc.contract_commits.len(), reason),
        None => stability(inputs, &mut acc, context.verdicts),
    };
    let data_coupling = match context.missing.filter(|m| m.empty_window) {
        Some(m) => unavailable_coupling(config, &m.reason),
        None => data_coupling(inputs, name, context.owners),
    };
    let deploy_frequency = match missing {
        Some(reason) => unavailable_deploy(config, reason).0,
        None => context
            .deploys
            .get(name)
            .map(|d| d.0.clone())
            .unwrap_or_else(|| unavailable_deploy(config, "the service has no deploy data").0),
    };
    acc.weekly.deploys = deploy_weekly(context.deploys, name, context.weeks);
    acc.weekly.authors = acc.weekly_authors.iter().map(FxSet::len).collect();
    let author_concentration = match missing {
        Some(reason) => unavailable_concentration(config, reason),
        None => concentration(config, &acc.people()),
    };
    let score_inputs = score_inputs(
        config,
        &stability,
        &data_coupling,
        &deploy_frequency,
        &author_concentration,
    );
    let alerts = [
        ("interface_stability", stability.status),
        ("data_coupling", data_coupling.status),
        ("deploy_frequency", deploy_frequency.status),
        ("author_concentration", author_concentration.status),
    ]
    .into_iter()
    .filter(|(_, status)| *status == Status::Alert)
    .map(|(metric, _)| metric.to_string())
    .collect();
    ServiceScore {
        name: name.to_string(),
        score: total(&score_inputs),
        score_metrics: ScoreMetrics {
            used: score_inputs.iter().filter(|i| i.subscore.is_some()).count(),
            of: score_inputs.len(),
        },
        alerts,
        interface_stability: stability,
        data_coupling,
        deploy_frequency,
        commits: acc.commits,
        bot_commits: acc.bot_commits,
        authors: acc.authors.len(),
        churn: config.churn.then_some(Churn {
            added: acc.added,
            removed: acc.removed,
            skipped_files: acc.skipped_files.len(),
        }),
        author_concentration,
        dependency_age: inputs.dependency_age.get(name).cloned().unwrap_or_else(|| {
            DependencyAge::unavailable(
                "no go.mod or Cargo.toml of this service's own lists its dependencies",
            )
        }),
        hotspots: context
            .hotspots
            .iter()
            .filter(|h| h.service.as_deref() == Some(name))
            .take(config.hotspots)
            .cloned()
            .collect(),
        score_inputs,
        weekly: acc.weekly,
    }
}

/// Pairs of services changed in the same commits, strongest first.
fn temporal_coupling(
    shared: BTreeMap<(String, String), usize>,
    revisions: BTreeMap<String, usize>,
    only: &[String],
) -> Vec<CouplingPair> {
    let mut pairs: Vec<CouplingPair> = shared
        .into_iter()
        .map(|((a, b), count)| {
            let (ra, rb) = (revisions[&a], revisions[&b]);
            let average = (ra + rb) as f64 / 2.0;
            CouplingPair {
                degree: (count as f64 / average * 100.0).round() as u32,
                services: [a, b],
                shared_commits: count,
                revisions: [ra, rb],
            }
        })
        .filter(|p| only.is_empty() || p.services.iter().any(|s| only.contains(s)))
        .collect();
    pairs.sort_by(|a, b| {
        b.degree
            .cmp(&a.degree)
            .then(b.shared_commits.cmp(&a.shared_commits))
            .then_with(|| a.services.cmp(&b.services))
    });
    pairs
}

/// The author as `.mailmap` names them, and whether they are a bot.
fn identity(commit: &CommitInfo, mailmap: Option<&git2::Mailmap>, bots: &[String]) -> Author {
    let (mut name, mut email) = (
        commit.author_name.to_string(),
        commit.author_email.to_string(),
    );
    if let Some(mailmap) = mailmap
        // Only name and email matter to the mailmap; a fixed time spares
        // `Signature::now`'s reading of the time zone.
        && let Ok(signature) = git2::Signature::new(&name, &email, &git2::Time::new(0, 0))
        && let Ok(resolved) = mailmap.resolve_signature(&signature)
    {
        name = String::from_utf8_lossy(resolved.name_bytes()).into_owned();
        email = String::from_utf8_lossy(resolved.email_bytes()).into_owned();
    }
    let lower_name = name.to_lowercase();
    let lower_email = email.to_lowercase();
    let bot = bots
        .iter()
        .any(|b| lower_name.contains(b.as_str()) || lower_email.contains(b.as_str()));
    // Without an email the name is all that tells people apart.
    let key = if lower_email.is_empty() {
        lower_name
    } else {
        lower_email
    };
    Author {
        key,
        person: 0,
        shown: format!("{name} <{email}>"),
        bot,
    }
}

fn unavailable_stability(config: &ScoreConfig, contract_commits: usize, reason: &str) -> Stability {
    Stability {
        contract_commits,
        breaking_commits: 0,
        unknown_commits: 0,
        ratio: None,
        threshold: config.interface_stability.alert_above,
        status: Status::Unavailable,
        reason: Some(reason.to_string()),
        breaking: Vec::new(),
    }
}

fn stability(
    inputs: &Inputs<'_>,
    a: &mut Acc,
    verdicts: &HashMap<ContractChange, Result<bool, String>>,
) -> Stability {
    let contract_commits = a.contract_commits.len();
    if let Contracts::Unavailable(reason) = &inputs.contracts {
        return unavailable_stability(inputs.config, contract_commits, reason);
    }
    if contract_commits == 0 {
        return unavailable_stability(
            inputs.config,
            0,
            "no commit in the window changed the service's contracts",
        );
    }
    let (mut breaking, mut unknown) = (Vec::new(), 0);
    // Why one of the commits that could not be judged was not.
    let mut first_unknown: Option<String> = None;
    for (change, week) in &a.contract_commits {
        match verdicts.get(change) {
            Some(Ok(true)) => {
                breaking.push(crate::git::short(change.commit));
                a.weekly.breaking_commits[*week] += 1;
            }
            Some(Ok(false)) => {}
            Some(Err(why)) => {
                unknown += 1;
                first_unknown
                    .get_or_insert_with(|| format!("{}: {why}", crate::git::short(change.commit)));
            }
            None => unknown += 1,
        }
    }
    judged_stability(
        inputs.config,
        contract_commits,
        unknown,
        breaking,
        first_unknown,
    )
}

/// The ratio over the commits that could be judged; with fewer than half of
/// them judged, the few that were say too little and the metric is unavailable.
fn judged_stability(
    config: &ScoreConfig,
    contract_commits: usize,
    unknown: usize,
    breaking: Vec<String>,
    first_unknown: Option<String>,
) -> Stability {
    let threshold = config.interface_stability.alert_above;
    let judged = contract_commits - unknown;
    if judged * 2 < contract_commits {
        let example =
            first_unknown.map_or(String::new(), |first| format!(" (for example {first})"));
        let reason = format!(
            "{unknown} of {} could not be judged, as a side does not compile{example}; at least half must be",
            crate::score::render::count(contract_commits as u64, "contract commit"),
        );
        return Stability {
            unknown_commits: unknown,
            breaking_commits: breaking.len(),
            breaking,
            ..unavailable_stability(config, contract_commits, &reason)
        };
    }
    let ratio = round4(breaking.len() as f64 / judged as f64);
    Stability {
        contract_commits,
        breaking_commits: breaking.len(),
        unknown_commits: unknown,
        ratio: Some(ratio),
        threshold,
        status: if ratio > threshold {
            Status::Alert
        } else {
            Status::Ok
        },
        reason: None,
        breaking,
    }
}

fn data_coupling(
    inputs: &Inputs<'_>,
    name: &str,
    owners: &BTreeMap<String, BTreeSet<String>>,
) -> DataCoupling {
    let threshold = inputs.config.data_coupling.alert_at;
    if let Tables::Unavailable(reason) = &inputs.tables {
        return unavailable_coupling(inputs.config, reason);
    }
    let tables: Vec<SharedTable> = owners
        .iter()
        .filter(|(_, services)| services.contains(name) && services.len() > 1)
        .map(|(table, services)| SharedTable {
            table: table.clone(),
            services: services.iter().filter(|s| *s != name).cloned().collect(),
        })
        .collect();
    let count = tables.len();
    DataCoupling {
        shared_tables: tables.iter().map(|t| t.table.clone()).collect(),
        tables,
        count,
        threshold,
        status: if count >= threshold {
            Status::Alert
        } else {
            Status::Ok
        },
        reason: None,
    }
}

fn unavailable_coupling(config: &ScoreConfig, reason: &str) -> DataCoupling {
    DataCoupling {
        shared_tables: Vec::new(),
        tables: Vec::new(),
        count: 0,
        threshold: config.data_coupling.alert_at,
        status: Status::Unavailable,
        reason: Some(reason.to_string()),
    }
}

/// Deploys per service with the week of each deploy.
type DeployCounts = BTreeMap<String, (DeployFrequency, Vec<usize>)>;

fn unavailable_deploy(config: &ScoreConfig, reason: &str) -> (DeployFrequency, Vec<usize>) {
    (
        DeployFrequency {
            deploys: 0,
            domain_average: None,
            ratio: None,
            threshold: config.deploy_frequency.alert_below,
            domain: "all".into(),
            status: Status::Unavailable,
            reason: Some(reason.to_string()),
            tags: Vec::new(),
        },
        Vec::new(),
    )
}

fn deploy_weekly(deploys: &DeployCounts, name: &str, weeks: usize) -> Vec<usize> {
    let mut out = vec![0; weeks];
    if let Some((_, list)) = deploys.get(name) {
        for week in list {
            if let Some(slot) = out.get_mut(*week) {
                *slot += 1;
            }
        }
    }
    out
}

/// Whether `version` (what `*` matched) is semver, with or without Go's `v`.
fn is_semver(version: &str) -> bool {
    let version = version.strip_prefix('v').unwrap_or(version);
    semver::Version::parse(version).is_ok()
}

/// Matches `name` against a pattern with one `*` (the version) and returns
/// what the `*` matched, with the `v` that precedes it in the pattern.
fn match_tag(pattern: &str, name: &str) -> Option<String> {
    let (prefix, suffix) = pattern.split_once('*')?;
    let rest = name.strip_prefix(prefix)?.strip_suffix(suffix)?;
    let v = if prefix.ends_with('v') { "v" } else { "" };
    Some(format!("{v}{rest}"))
}

fn count_deploys(
    inputs: &Inputs<'_>,
    map: &ServiceMap<'_>,
    names: &[String],
    history: &mut HistoryOut,
    weeks: &[i64],
) -> DeployCounts {
    let config = &inputs.config.deploy_frequency;
    let window = inputs.window;
    let mut per_service: BTreeMap<String, Vec<(String, usize)>> =
        names.iter().map(|n| (n.clone(), Vec::new())).collect();
    let mut non_semver = BTreeSet::new();
    let mut semver_tags = BTreeSet::new();
    let week_of = |time: i64| window.week_index(time).min(weeks.len().saturating_sub(1));
    for tag in inputs.tags {
        for name in names {
            let matched = config
                .tags
                .iter()
                .find_map(|p| match_tag(&p.replace("{service}", name), &tag.name));
            let Some(version) = matched else { continue };
            if !is_semver(&version) {
                non_semver.insert(tag.name.clone());
                continue;
            }
            semver_tags.insert(tag.name.clone());
            if window.contains(tag.time) {
                per_service
                    .entry(name.clone())
                    .or_default()
                    .push((tag.name.clone(), week_of(tag.time)));
            }
        }
        for pattern in &config.repo_wide_tags {
            let Some(version) = match_tag(pattern, &tag.name) else {
                continue;
            };
            if !is_semver(&version) {
                non_semver.insert(tag.name.clone());
                continue;
            }
            semver_tags.insert(tag.name.clone());
            if window.contains(tag.time) {
                for name in names {
                    per_service
                        .entry(name.clone())
                        .or_default()
                        .push((tag.name.clone(), week_of(tag.time)));
                }
            }
        }
    }
    if let Some(marker) = &config.marker
        && let Ok(glob) = crate::policy::Glob::new(marker.clone()).compile()
    {
        let matcher = glob.compile_matcher();
        for commit in &inputs.scan.commits {
            if !matcher.is_match(&*commit.summary) {
                continue;
            }
            let touched: BTreeSet<String> = commit
                .files
                .iter()
                .filter_map(|f| map.service(&f.path))
                .collect();
            for name in touched {
                if let Some(list) = per_service.get_mut(&name) {
                    list.push((
                        format!("commit {}", crate::git::short(commit.id)),
                        week_of(commit.time),
                    ));
                }
            }
        }
    }
    // A tag that is a version for one pattern is not "non-semver" for another.
    history.non_semver_tags = non_semver.difference(&semver_tags).count();

    deploy_ratios(config, names, &per_service)
}

/// Each service's deploys against the average of its domain: a configured
/// group, else every service.
fn deploy_ratios(
    config: &super::config::DeployConfig,
    names: &[String],
    per_service: &BTreeMap<String, Vec<(String, usize)>>,
) -> DeployCounts {
    let domain_of = |name: &str| -> (String, Vec<String>) {
        for (group, members) in &config.groups {
            if members.iter().any(|m| m == name) {
                return (group.clone(), members.clone());
            }
        }
        ("all".to_string(), names.to_vec())
    };
    let mut out = DeployCounts::new();
    for name in names {
        let (domain, members) = domain_of(name);
        let counts: Vec<usize> = members
            .iter()
            .map(|m| per_service.get(m).map_or(0, Vec::len))
            .collect();
        let average = counts.iter().sum::<usize>() as f64 / counts.len().max(1) as f64;
        let list = per_service.get(name).cloned().unwrap_or_default();
        let deploys = list.len();
        let (ratio, status, reason) = if average == 0.0 {
            (
                None,
                Status::Unavailable,
                Some(format!(
                    "no deploys found in the window for any service of domain `{domain}` (tags {}{})",
                    config.tags.join(", "),
                    config
                        .marker
                        .as_ref()
                        .map(|m| format!(", marker `{m}`"))
                        .unwrap_or_default()
                )),
            )
        } else {
            let ratio = round4(deploys as f64 / average);
            let status = if ratio < config.alert_below {
                Status::Alert
            } else {
                Status::Ok
            };
            (Some(ratio), status, None)
        };
        out.insert(
            name.clone(),
            (
                DeployFrequency {
                    deploys,
                    domain_average: (average > 0.0).then(|| round4(average)),
                    ratio,
                    threshold: config.alert_below,
                    domain,
                    status,
                    reason,
                    tags: list.iter().map(|(t, _)| t.clone()).collect(),
                },
                list.iter().map(|(_, w)| *w).collect(),
            ),
        );
    }
    out
}

fn unavailable_concentration(config: &ScoreConfig, reason: &str) -> Concentration {
    Concentration {
        top_author: None,
        top_share: None,
        bus_factor: 0,
        threshold: config.author_concentration.alert_bus_factor_below,
        status: Status::Unavailable,
        reason: Some(reason.to_string()),
    }
}

/// `authors`: per person, the name shown and their commits.
fn concentration(
    config: &ScoreConfig,
    authors: &BTreeMap<String, (String, usize)>,
) -> Concentration {
    let threshold = config.author_concentration.alert_bus_factor_below;
    let total: usize = authors.values().map(|(_, n)| n).sum();
    if total == 0 {
        return unavailable_concentration(config, "no commits by people in the window");
    }
    let mut ranked: Vec<(&String, &usize)> =
        authors.values().map(|(shown, n)| (shown, n)).collect();
    ranked.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    let mut covered = 0;
    let mut bus_factor = 0;
    for (_, count) in &ranked {
        covered += **count;
        bus_factor += 1;
        if covered * 2 > total {
            break;
        }
    }
    Concentration {
        top_author: Some(ranked[0].0.clone()),
        top_share: Some(round4(*ranked[0].1 as f64 / total as f64)),
        bus_factor,
        threshold,
        status: if bus_factor < threshold {
            Status::Alert
        } else {
            Status::Ok
        },
        reason: None,
    }
}

fn score_inputs(
    config: &ScoreConfig,
    stability: &Stability,
    coupling: &DataCoupling,
    deploy: &DeployFrequency,
    concentration: &Concentration,
) -> Vec<ScoreInput> {
    let w = &config.weights;
    let limit = 2.0 * stability.threshold;
    let stability_sub = match stability.status {
        Status::Unavailable => None,
        _ => stability.ratio.map(|r| match r {
            r if limit > 0.0 => 100.0 * (1.0 - r / limit).max(0.0),
            r if r > 0.0 => 0.0,
            _ => 100.0,
        }),
    };
    let coupling_sub = match coupling.status {
        Status::Unavailable => None,
        _ => Some(if coupling.threshold == 0 {
            100.0
        } else {
            100.0 * (1.0 - coupling.count as f64 / coupling.threshold as f64).max(0.0)
        }),
    };
    let deploy_sub = deploy.ratio.map(|r| 100.0 * r.min(1.0));
    let concentration_sub = match concentration.status {
        Status::Unavailable => None,
        _ => Some(if concentration.threshold == 0 {
            100.0
        } else {
            100.0 * (concentration.bus_factor as f64 / concentration.threshold as f64).min(1.0)
        }),
    };
    vec![
        ScoreInput {
            metric: "interface_stability".into(),
            value: stability.ratio,
            subscore: stability_sub.map(round2),
            weight: w.interface_stability,
            formula: format!("100 x max(0, 1 - ratio / {limit})"),
        },
        ScoreInput {
            metric: "data_coupling".into(),
            value: (coupling.status != Status::Unavailable).then_some(coupling.count as f64),
            subscore: coupling_sub.map(round2),
            weight: w.data_coupling,
            formula: format!("100 x max(0, 1 - shared tables / {})", coupling.threshold),
        },
        ScoreInput {
            metric: "deploy_frequency".into(),
            value: deploy.ratio,
            subscore: deploy_sub.map(round2),
            weight: w.deploy_frequency,
            formula: "100 x min(1, deploys / domain average)".into(),
        },
        ScoreInput {
            metric: "author_concentration".into(),
            value: (concentration.status != Status::Unavailable)
                .then_some(concentration.bus_factor as f64),
            subscore: concentration_sub.map(round2),
            weight: w.author_concentration,
            formula: format!("100 x min(1, bus factor / {})", concentration.threshold),
        },
    ]
}

/// The weighted mean of the available sub-scores, rounded.
fn total(inputs: &[ScoreInput]) -> Option<u32> {
    let (mut sum, mut weights) = (0.0, 0.0);
    for input in inputs {
        if let Some(sub) = input.subscore {
            sum += sub * input.weight;
            weights += input.weight;
        }
    }
    (weights > 0.0).then(|| (sum / weights).round() as u32)
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_patterns() {
        assert_eq!(
            match_tag("order-service/v*", "order-service/v1.2.3").as_deref(),
            Some("v1.2.3")
        );
        assert_eq!(
            match_tag("order-service-v*", "order-service-v2.0.0").as_deref(),
            Some("v2.0.0")
        );
        assert_eq!(match_tag("order-service/v*", "user-service/v1.0.0"), None);
        assert!(is_semver("v1.2.3"));
        assert!(is_semver("v1.2.3-rc.1"));
        assert!(!is_semver("vnext"));
        assert!(!is_semver("v1.2"));
    }

    #[test]
    fn bus_factor_and_share() {
        let config = ScoreConfig::default();
        let person = |name: &str, commits: usize| (name.to_string(), (name.to_string(), commits));
        let authors: BTreeMap<String, (String, usize)> =
            [person("a", 6), person("b", 3), person("c", 1)].into();
        let c = concentration(&config, &authors);
        assert_eq!(c.bus_factor, 1);
        assert_eq!(c.top_share, Some(0.6));
        assert_eq!(c.status, Status::Alert);
        let even: BTreeMap<String, (String, usize)> = [person("a", 5), person("b", 5)].into();
        assert_eq!(concentration(&config, &even).bus_factor, 2);
    }

    #[test]
    fn unknown_verdicts_are_neither_breaking_nor_compatible() {
        let config = ScoreConfig::default();
        // 4 commits, 1 unknown, 1 breaking: 1 of 3 judged, not 1 of 4.
        let st = judged_stability(&config, 4, 1, vec!["abc".into()], None);
        assert_eq!(st.ratio, Some(0.3333));
        assert_eq!(st.status, Status::Alert);
        // Half judged is enough; fewer is not, whatever the judged ones say.
        assert_eq!(
            judged_stability(&config, 4, 2, Vec::new(), None).status,
            Status::Ok
        );
        let st = judged_stability(
            &config,
            6,
            4,
            Vec::new(),
            Some("c0ffee: x.proto does not compile".into()),
        );
        assert_eq!(st.status, Status::Unavailable);
        assert_eq!(st.ratio, None);
        assert_eq!(
            st.reason.as_deref(),
            Some(
                "4 of 6 contract commits could not be judged, as a side does not compile (for example c0ffee: x.proto does not compile); at least half must be"
            )
        );
        let inputs = score_inputs(
            &config,
            &st,
            &unavailable_coupling(&config, "x"),
            &unavailable_deploy(&config, "x").0,
            &unavailable_concentration(&config, "x"),
        );
        assert!(inputs.iter().all(|i| i.subscore.is_none()));
        assert_eq!(total(&inputs), None);
    }

    #[test]
    fn one_email_under_two_names_is_one_person() {
        let commit = |name: &str, email: &str| CommitInfo {
            id: Oid::ZERO_SHA1,
            parents: Vec::new(),
            time: 0,
            author_name: name.into(),
            author_email: email.into(),
            summary: "".into(),
            boundary: false,
            files: Vec::new(),
        };
        let bots = vec!["[bot]".to_string()];
        let a = identity(&commit("Ada Lovelace", "ada@example.com"), None, &bots);
        let b = identity(&commit("ada", "Ada@Example.com"), None, &bots);
        assert_eq!(a.key, b.key);
        assert!(!a.bot);
        assert!(identity(&commit("renovate[bot]", "bot@x"), None, &bots).bot);
    }

    #[test]
    fn score_reweights_missing_metrics() {
        let inputs = vec![
            ScoreInput {
                metric: "a".into(),
                value: None,
                subscore: Some(50.0),
                weight: 1.0,
                formula: String::new(),
            },
            ScoreInput {
                metric: "b".into(),
                value: None,
                subscore: None,
                weight: 3.0,
                formula: String::new(),
            },
            ScoreInput {
                metric: "c".into(),
                value: None,
                subscore: Some(100.0),
                weight: 1.0,
                formula: String::new(),
            },
        ];
        assert_eq!(total(&inputs), Some(75));
        assert_eq!(total(&inputs[1..2]), None);
    }
}
