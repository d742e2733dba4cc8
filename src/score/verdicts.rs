//! Contract verdicts per commit, judged by the contract engine in parallel and
//! cached in `.git/trellis/score-contracts-v1`: a commit and its parent never
//! change, so neither does the verdict for the same files and categories.
//!
//! One line per verdict: `<commit> <parent> <categories>\t<paths, \x1f-joined>\t<b|o|u>`
//! (breaking, compatible, unknown).

use super::metrics::ContractChange;
use crate::git::Git;
use crate::repo::Repo;
use git2::Oid;
use rayon::prelude::*;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

pub const FILE_NAME: &str = "score-contracts-v1";
const HEADER: &str = "trellis-score-contracts 1";

type Key = (Oid, Oid, String, String);

fn key(change: &ContractChange, categories: &str) -> Key {
    (
        change.commit,
        change.parent,
        categories.to_string(),
        change.paths.join("\u{1f}"),
    )
}

fn load(path: &Path) -> HashMap<Key, Option<bool>> {
    let mut out = HashMap::new();
    let Ok(text) = std::fs::read_to_string(path) else {
        return out;
    };
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        return out;
    }
    for line in lines {
        let mut fields = line.split('\t');
        let (Some(head), Some(paths), Some(verdict)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let mut head = head.split(' ');
        let (Some(Ok(commit)), Some(Ok(parent)), Some(categories)) = (
            head.next().map(Oid::from_str),
            head.next().map(Oid::from_str),
            head.next(),
        ) else {
            continue;
        };
        let verdict = match verdict {
            "b" => Some(true),
            "o" => Some(false),
            _ => None,
        };
        out.insert(
            (commit, parent, categories.to_string(), paths.to_string()),
            verdict,
        );
    }
    out
}

fn save(path: &Path, verdicts: &HashMap<Key, Option<bool>>) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut out = String::from(HEADER);
    out.push('\n');
    for ((commit, parent, categories, paths), verdict) in verdicts {
        let verdict = match verdict {
            Some(true) => 'b',
            Some(false) => 'o',
            None => 'u',
        };
        let _ = writeln!(out, "{commit} {parent} {categories}\t{paths}\t{verdict}");
    }
    crate::fsutil::write_atomic(path, out.as_bytes())
}

/// Judges every change, from the cache where it can; the rest in parallel,
/// each worker with its own git handle. A root commit only adds contracts,
/// which breaks nothing.
pub fn judge(
    repo: &Repo,
    categories: &[crate::contract::Category],
    changes: &[ContractChange],
    cache_dir: Option<&Path>,
) -> Vec<Result<bool, String>> {
    let names: Vec<&str> = categories.iter().map(|c| c.id()).collect();
    let category_key = if names.is_empty() {
        "-".to_string()
    } else {
        names.join(",")
    };
    let cache_file = cache_dir.map(|dir| dir.join(FILE_NAME));
    let mut cached = cache_file.as_deref().map(load).unwrap_or_default();
    let missing: Vec<&ContractChange> = changes
        .iter()
        .filter(|c| !c.parent.is_zero() && !cached.contains_key(&key(c, &category_key)))
        .collect();
    let fresh: Vec<(Key, Result<bool, String>)> = missing
        .par_iter()
        .map_init(
            || Git::open(&repo.root),
            |git, change| {
                let verdict = match git {
                    Ok(git) => crate::contract::compare_commits(
                        repo,
                        git,
                        change.parent,
                        change.commit,
                        &change.paths,
                        categories,
                    )
                    .map(|findings| !findings.is_empty())
                    .map_err(|e| e.message),
                    Err(e) => Err(e.message.clone()),
                };
                (key(change, &category_key), verdict)
            },
        )
        .collect();
    let mut reasons = HashMap::new();
    let wrote_new = !fresh.is_empty();
    for (k, verdict) in fresh {
        cached.insert(k.clone(), verdict.as_ref().ok().copied());
        if let Err(reason) = verdict {
            reasons.insert(k, reason);
        }
    }
    if wrote_new && let Some(file) = &cache_file {
        // A cache that cannot be written only costs time on the next run.
        let _ = save(file, &cached);
    }
    changes
        .iter()
        .map(|change| {
            if change.parent.is_zero() {
                return Ok(false);
            }
            let k = key(change, &category_key);
            match cached.get(&k) {
                Some(Some(breaking)) => Ok(*breaking),
                _ => Err(reasons
                    .remove(&k)
                    .unwrap_or_else(|| "a side of the change does not compile".to_string())),
            }
        })
        .collect()
}
