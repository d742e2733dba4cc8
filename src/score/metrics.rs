//! From scanned commits, tags and table facts to the per-service scorecard.

use super::config::ScoreConfig;
use super::generated::GeneratedFiles;
use super::hash::{FxMap, FxSet};
use super::model::*;
use super::scan::{CommitInfo, Lines, ScanResult};
use super::window::{Window, format_date};
use crate::git::Tag;
use crate::repo::Repo;
use git2::Oid;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One contract change to judge: a commit, its first parent, and the
/// service's contract files the commit changed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContractChange {
    pub commit: Oid,
    pub parent: Oid,
    pub paths: Vec<String>,
}

/// Judges contract changes in one batch (so the caller can cache and
/// parallelise): per change `Ok(true)` breaking, `Ok(false)` compatible,
/// `Err(why)` when a side does not compile (unknown).
pub type BreakingCheck<'a> = dyn Fn(&[ContractChange]) -> Vec<Result<bool, String>> + 'a;

/// Where interface stability gets its verdicts from.
pub enum Contracts<'a> {
    Available(&'a BreakingCheck<'a>),
    Unavailable(String),
}

/// Where data coupling gets its table facts: (table, service) pairs.
pub enum Tables {
    Available(Vec<(String, String)>),
    Unavailable(String),
}

pub struct Inputs<'a> {
    pub repo: &'a Repo,
    /// Per service name; services not in it are unavailable.
    pub dependency_age: &'a BTreeMap<String, DependencyAge>,
    pub git: &'a git2::Repository,
    pub config: &'a ScoreConfig,
    pub window: Window,
    /// The commit the walk started from (the end of the window).
    pub head: Oid,
    pub scan: &'a ScanResult,
    pub tags: &'a [Tag],
    pub contracts: Contracts<'a>,
    pub tables: Tables,
    pub generated: &'a GeneratedFiles,
    pub mailmap: Option<&'a git2::Mailmap>,
    /// Only these services are reported (all when empty); the domain average
    /// still uses every service.
    pub only: &'a [String],
    pub shallow: bool,
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
    authors: BTreeMap<String, usize>,
    added: u64,
    removed: u64,
    skipped_files: BTreeSet<String>,
    /// Contract changes and the week they fall in.
    contract_commits: Vec<(ContractChange, usize)>,
    weekly: Weekly,
    weekly_authors: Vec<BTreeSet<String>>,
}

pub fn compute(inputs: &Inputs<'_>) -> Scorecard {
    let config = inputs.config;
    let window = inputs.window;
    let weeks = window.weeks();
    let map = ServiceMap::new(inputs.repo, config);
    let names: Vec<String> = inputs
        .repo
        .services
        .iter()
        .map(|s| s.name.clone())
        .collect();
    let mut acc: BTreeMap<String, Acc> = names
        .iter()
        .map(|n| {
            let a = Acc {
                weekly: Weekly {
                    commits: vec![0; weeks.len()],
                    churn: vec![0; weeks.len()],
                    deploys: vec![0; weeks.len()],
                    contract_commits: vec![0; weeks.len()],
                    breaking_commits: vec![0; weeks.len()],
                    authors: vec![0; weeks.len()],
                },
                weekly_authors: vec![BTreeSet::new(); weeks.len()],
                ..Acc::default()
            };
            (n.clone(), a)
        })
        .collect();

    let bots: Vec<String> = config.bots.iter().map(|b| b.to_lowercase()).collect();
    let mut history = HistoryOut {
        commits: inputs.scan.commits.len(),
        merges: 0,
        file_changes: inputs.scan.commits.iter().map(|c| c.files.len()).sum(),
        bot_commits: 0,
        large_commits_skipped: 0,
        non_semver_tags: 0,
        shallow: inputs.shallow,
        incomplete: Vec::new(),
        cached_commits: inputs.scan.cached,
        scanned_commits: inputs.scan.scanned,
    };
    // Temporal coupling and hotspot inputs.
    let mut revisions: BTreeMap<String, usize> = BTreeMap::new();
    let mut shared: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut changes_by_path: FxMap<&str, usize> = FxMap::default();
    let mut generated_paths: FxSet<&str> = FxSet::default();

    // What depends only on a path (its service, whether it is generated)
    // or only on an author is worked out once: a long window has tens of
    // thousands of commits over a few thousand paths and authors.
    let mut path_facts: FxMap<&str, (Option<String>, bool)> = FxMap::default();
    let mut identities: FxMap<(&str, &str), (String, bool)> = FxMap::default();
    for commit in &inputs.scan.commits {
        identities
            .entry((&commit.author_name, &commit.author_email))
            .or_insert_with(|| identity(commit, inputs.mailmap, &bots));
        for file in &commit.files {
            path_facts.entry(&file.path).or_insert_with(|| {
                (
                    map.service(&file.path),
                    inputs.generated.is_generated(&file.path),
                )
            });
        }
    }

    for commit in &inputs.scan.commits {
        if commit.is_merge() {
            history.merges += 1;
        }
        let (author, is_bot) =
            &identities[&(commit.author_name.as_str(), commit.author_email.as_str())];
        let is_bot = *is_bot;
        if is_bot {
            history.bot_commits += 1;
        }
        let week = window
            .week_index(commit.time)
            .min(weeks.len().saturating_sub(1));
        let mut touched: BTreeMap<&str, Vec<&super::scan::FileChange>> = BTreeMap::new();
        for file in &commit.files {
            let (service, generated) = &path_facts[file.path.as_str()];
            if let Some(service) = service {
                touched.entry(service).or_default().push(file);
            }
            *changes_by_path.entry(&file.path).or_default() += 1;
            if matches!(file.lines, Lines::Generated) || *generated {
                generated_paths.insert(&file.path);
            }
        }
        for (service, files) in &touched {
            let Some(a) = acc.get_mut(*service) else {
                continue; // an alias to a service that no longer exists
            };
            a.commits += 1;
            a.weekly.commits[week] += 1;
            if is_bot {
                a.bot_commits += 1;
            } else {
                match a.authors.get_mut(author) {
                    Some(count) => *count += 1,
                    None => {
                        a.authors.insert(author.clone(), 1);
                    }
                }
                if !a.weekly_authors[week].contains(author) {
                    a.weekly_authors[week].insert(author.clone());
                }
            }
            for file in files {
                match file.lines {
                    Lines::Counted { added, removed } => {
                        a.added += u64::from(added);
                        a.removed += u64::from(removed);
                        a.weekly.churn[week] += u64::from(added) + u64::from(removed);
                    }
                    _ => {
                        if !a.skipped_files.contains(&file.path) {
                            a.skipped_files.insert(file.path.clone());
                        }
                    }
                }
            }
            let contracts: Vec<String> = files
                .iter()
                .filter(|f| f.path.ends_with(".proto"))
                .map(|f| f.path.clone())
                .collect();
            if !contracts.is_empty() && !commit.is_merge() {
                a.weekly.contract_commits[week] += 1;
                let change = ContractChange {
                    commit: commit.id,
                    parent: commit.first_parent(),
                    paths: contracts,
                };
                a.contract_commits.push((change, week));
            }
        }
        if commit.files.len() > config.max_changeset {
            history.large_commits_skipped += 1;
        } else if !touched.is_empty() {
            let services: Vec<&str> = touched.keys().copied().collect();
            for s in &services {
                match revisions.get_mut(*s) {
                    Some(count) => *count += 1,
                    None => {
                        revisions.insert(s.to_string(), 1);
                    }
                }
            }
            for (i, a) in services.iter().enumerate() {
                for b in &services[i + 1..] {
                    *shared.entry((a.to_string(), b.to_string())).or_default() += 1;
                }
            }
        }
    }
    let file_changes: BTreeMap<&str, usize> = changes_by_path.into_iter().collect();

    // Deploys: tags per service, repo-wide tags, marker commits.
    let deploys = count_deploys(inputs, &map, &names, &mut history, &weeks);

    // Table facts -> shared tables per service.
    let table_owners: BTreeMap<String, BTreeSet<String>> = match &inputs.tables {
        Tables::Available(uses) => {
            let mut by_table: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for (table, service) in uses {
                if !service.is_empty() {
                    by_table
                        .entry(table.clone())
                        .or_default()
                        .insert(service.clone());
                }
            }
            by_table
        }
        Tables::Unavailable(_) => BTreeMap::new(),
    };

    // Sizes of changed files at the end of the window, for hotspots.
    let mut hotspots_all: Vec<Hotspot> = Vec::new();
    for (path, changes) in &file_changes {
        if generated_paths.contains(path) {
            continue;
        }
        // Deleted by the end of the window, binary or generated: no hotspot.
        let Some(Some(lines)) = inputs.scan.head_lines.get(*path) else {
            continue;
        };
        hotspots_all.push(Hotspot {
            path: path.to_string(),
            service: path_facts[path].0.clone(),
            changes: *changes,
            lines: *lines,
            score: *changes as u64 * u64::from(*lines),
        });
    }
    hotspots_all.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.path.cmp(&b.path)));

    // Shallow clones: say what is incomplete instead of guessing.
    if inputs.scan.hit_shallow_boundary {
        let reason = "the clone is shallow and its history ends inside the window; fetch it with `git fetch --unshallow` (or `fetch-depth: 0` in actions/checkout)".to_string();
        for metric in [
            "commits",
            "authors",
            "churn",
            "hotspots",
            "temporal_coupling",
            "author_concentration",
            "interface_stability",
        ] {
            history.incomplete.push(Incomplete {
                metric: metric.into(),
                reason: reason.clone(),
            });
        }
    }
    if inputs.shallow {
        history.incomplete.push(Incomplete {
            metric: "deploy_frequency".into(),
            reason: "a shallow clone may lack tags; fetch them with `git fetch --tags`".into(),
        });
    }

    // Every contract change of the reported services, judged in one batch.
    let reported = |name: &String| inputs.only.is_empty() || inputs.only.contains(name);
    let mut verdicts: HashMap<ContractChange, Result<bool, String>> = HashMap::new();
    if let Contracts::Available(check) = &inputs.contracts {
        let changes: Vec<ContractChange> = acc
            .iter()
            .filter(|(name, _)| reported(name))
            .flat_map(|(_, a)| a.contract_commits.iter().map(|(change, _)| change.clone()))
            .collect();
        let results = check(&changes);
        verdicts.extend(changes.into_iter().zip(results));
    }

    let mut services = Vec::new();
    for name in &names {
        if !reported(name) {
            continue;
        }
        let Some(mut a) = acc.remove(name) else {
            continue;
        };
        let stability = stability(inputs, &mut a, &verdicts);
        let data_coupling = data_coupling(inputs, name, &table_owners);
        let deploy = deploys
            .get(name)
            .cloned()
            .unwrap_or_else(|| unavailable_deploy(config));
        a.weekly.deploys = deploy_weekly(&deploys, name, weeks.len());
        a.weekly.authors = a.weekly_authors.iter().map(BTreeSet::len).collect();
        let concentration = concentration(config, &a.authors);
        let hotspots: Vec<Hotspot> = hotspots_all
            .iter()
            .filter(|h| h.service.as_deref() == Some(name))
            .take(config.hotspots)
            .cloned()
            .collect();
        let deploy_out = deploy.0;
        let score_inputs = score_inputs(
            config,
            &stability,
            &data_coupling,
            &deploy_out,
            &concentration,
        );
        let score = total(&score_inputs);
        let mut alerts = Vec::new();
        for (metric, status) in [
            ("interface_stability", stability.status),
            ("data_coupling", data_coupling.status),
            ("deploy_frequency", deploy_out.status),
            ("author_concentration", concentration.status),
        ] {
            if status == Status::Alert {
                alerts.push(metric.to_string());
            }
        }
        services.push(ServiceScore {
            name: name.clone(),
            score,
            alerts,
            interface_stability: stability,
            data_coupling,
            deploy_frequency: deploy_out,
            commits: a.commits,
            bot_commits: a.bot_commits,
            authors: a.authors.len(),
            churn: config.churn.then_some(Churn {
                added: a.added,
                removed: a.removed,
                skipped_files: a.skipped_files.len(),
            }),
            author_concentration: concentration,
            dependency_age: inputs.dependency_age.get(name).cloned().unwrap_or_else(|| {
                DependencyAge::unavailable(
                    "no go.mod of this service; only Go modules' dependency age is read (crates are not looked up offline)",
                )
            }),
            hotspots,
            score_inputs,
            weekly: a.weekly,
        });
    }

    let temporal_coupling = shared
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
        .filter(|p| inputs.only.is_empty() || p.services.iter().any(|s| inputs.only.contains(s)))
        .collect::<Vec<_>>();
    let mut temporal_coupling = temporal_coupling;
    temporal_coupling.sort_by(|a, b| {
        b.degree
            .cmp(&a.degree)
            .then(b.shared_commits.cmp(&a.shared_commits))
            .then_with(|| a.services.cmp(&b.services))
    });

    Scorecard {
        version: 1,
        window: WindowOut {
            since: window.since_date(),
            until: window.until_date(),
        },
        head: inputs.head.to_string(),
        history,
        services,
        temporal_coupling,
        hotspots: hotspots_all.into_iter().take(config.hotspots).collect(),
        weeks: weeks.into_iter().map(format_date).collect(),
    }
}

/// The author as `.mailmap` names them, and whether they are a bot.
fn identity(
    commit: &CommitInfo,
    mailmap: Option<&git2::Mailmap>,
    bots: &[String],
) -> (String, bool) {
    let (mut name, mut email) = (commit.author_name.clone(), commit.author_email.clone());
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
    (format!("{name} <{email}>"), bot)
}

fn stability(
    inputs: &Inputs<'_>,
    a: &mut Acc,
    verdicts: &HashMap<ContractChange, Result<bool, String>>,
) -> Stability {
    let threshold = inputs.config.interface_stability.alert_above;
    let contract_commits = a.contract_commits.len();
    match &inputs.contracts {
        Contracts::Available(_) => {}
        Contracts::Unavailable(reason) => {
            return Stability {
                contract_commits,
                breaking_commits: 0,
                unknown_commits: 0,
                ratio: None,
                threshold,
                status: Status::Unavailable,
                reason: Some(reason.clone()),
                breaking: Vec::new(),
            };
        }
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
    let judged = contract_commits - unknown;
    // Without one judged commit there is no ratio: say why.
    let reason = (judged == 0 && unknown > 0).then(|| {
        let commits = if unknown == 1 { "commit" } else { "commits" };
        match &first_unknown {
            Some(first) => format!(
                "{unknown} contract {commits} could not be judged, as a side does not compile (for example {first})"
            ),
            None => format!("{unknown} contract {commits} could not be judged"),
        }
    });
    let ratio = (judged > 0).then(|| round4(breaking.len() as f64 / judged as f64));
    let status = match ratio {
        Some(r) if r > threshold => Status::Alert,
        _ => Status::Ok,
    };
    Stability {
        contract_commits,
        breaking_commits: breaking.len(),
        unknown_commits: unknown,
        ratio,
        threshold,
        status,
        reason,
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
        return DataCoupling {
            shared_tables: Vec::new(),
            tables: Vec::new(),
            count: 0,
            threshold,
            status: Status::Unavailable,
            reason: Some(reason.clone()),
        };
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

/// Deploys per service with the week of each deploy.
type DeployCounts = BTreeMap<String, (DeployFrequency, Vec<usize>)>;

fn unavailable_deploy(config: &ScoreConfig) -> (DeployFrequency, Vec<usize>) {
    (
        DeployFrequency {
            deploys: 0,
            domain_average: None,
            ratio: None,
            threshold: config.deploy_frequency.alert_below,
            domain: "all".into(),
            status: Status::Unavailable,
            reason: Some("the service has no deploy data".into()),
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
        && let Ok(glob) = crate::config::Glob::new(marker.clone()).compile()
    {
        let matcher = glob.compile_matcher();
        for commit in &inputs.scan.commits {
            if !matcher.is_match(&commit.summary) {
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

    // Domains: configured groups, else every service.
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

fn concentration(config: &ScoreConfig, authors: &BTreeMap<String, usize>) -> Concentration {
    let threshold = config.author_concentration.alert_bus_factor_below;
    let total: usize = authors.values().sum();
    if total == 0 {
        return Concentration {
            top_author: None,
            top_share: None,
            bus_factor: 0,
            threshold,
            status: Status::Unavailable,
            reason: Some("no commits by people in the window".into()),
        };
    }
    let mut ranked: Vec<(&String, &usize)> = authors.iter().collect();
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
        _ => Some(match stability.ratio {
            Some(r) if limit > 0.0 => 100.0 * (1.0 - r / limit).max(0.0),
            Some(r) if r > 0.0 => 0.0,
            Some(_) => 100.0,
            None => 100.0,
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
            formula: format!("100 x max(0, 1 - ratio / {limit}); 100 without contract commits"),
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
        let authors: BTreeMap<String, usize> = [
            ("a".to_string(), 6),
            ("b".to_string(), 3),
            ("c".to_string(), 1),
        ]
        .into();
        let c = concentration(&config, &authors);
        assert_eq!(c.bus_factor, 1);
        assert_eq!(c.top_share, Some(0.6));
        assert_eq!(c.status, Status::Alert);
        let even: BTreeMap<String, usize> = [("a".to_string(), 5), ("b".to_string(), 5)].into();
        assert_eq!(concentration(&config, &even).bus_factor, 2);
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
