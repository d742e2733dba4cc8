//! Per-file results keyed by content hash, for the effective rule set.
//!
//! A file whose size, mtime, ctime and inode are those recorded with its
//! entry, and that was last modified well before the run that recorded it, is
//! taken as unchanged without being read (git's racy-clean rule for its index);
//! any other file is read and hashed, and its entry is reused when the hash
//! matches. Stored under `.git/trellis/lint-cache/` (or
//! `$XDG_CACHE_HOME/trellis/` outside git) in shards by path, so that shards
//! load in parallel and a run rewrites only the shards it changed.

use super::FileOutcome;
pub(crate) use crate::cache::FileStat;
use crate::cache::RACY_NANOS;
use crate::repo::Repo;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The version of the shard format, in the header `crate::cache` writes.
const FORMAT: u32 = 5;

/// Shards of the cache: enough to load on every core and to keep rewrites
/// after a small change small.
const SHARDS: usize = 16;

/// Everything besides the content that a file's outcome depends on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Scope {
    /// Selected files are fully analysed; others only yield facts.
    pub(crate) selected: bool,
    pub(crate) service: Option<String>,
    /// What the file's Cargo.toml and parent module say about a Rust file.
    #[serde(default)]
    pub(crate) rust_role: Option<crate::lint::rust::Role>,
}

#[derive(Deserialize)]
struct Stored {
    rules: String,
    /// Nanoseconds since the epoch when the run that wrote the cache started.
    started_ns: i128,
    entries: HashMap<String, Entry>,
}

#[derive(Deserialize)]
struct Entry {
    key: String,
    stat: Option<FileStat>,
    scope: Scope,
    outcome: FileOutcome,
}

#[derive(Serialize)]
struct StoredRef<'a> {
    rules: &'a str,
    started_ns: i128,
    entries: HashMap<&'a str, EntryRef<'a>>,
}

#[derive(Serialize)]
struct EntryRef<'a> {
    key: &'a str,
    stat: Option<FileStat>,
    scope: &'a Scope,
    outcome: &'a FileOutcome,
}

/// What a run learnt about one file, for the next run.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub(crate) key: String,
    pub(crate) stat: Option<FileStat>,
    pub(crate) scope: Scope,
}

pub(crate) struct Cache {
    dir: PathBuf,
    rules: String,
    started_ns: i128,
    shards: Vec<Shard>,
}

struct Shard {
    /// The entries of the previous run; taken out as files hit them.
    old: Mutex<HashMap<String, Entry>>,
    /// When the run that wrote this shard started: stats of files modified
    /// after it are not trusted.
    old_started_ns: i128,
    old_len: usize,
    changed: AtomicBool,
}

/// The shard of a path, stable across runs and platforms.
fn shard_of(path: &str) -> usize {
    let hash = crate::cache::StableHash::default().update(path.as_bytes());
    (hash.finish() % SHARDS as u64) as usize
}

fn shard_file(dir: &Path, index: usize) -> PathBuf {
    dir.join(format!("shard-{index:02}"))
}

/// The key of a file's content.
pub(crate) fn content_key(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Where the cache of this repository lives.
pub(crate) fn location(repo: &Repo) -> Option<PathBuf> {
    if let Some(path) = crate::cache::in_checkout(&repo.root, "lint-cache") {
        return Some(path);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    let digest = Sha256::digest(repo.root.to_string_lossy().as_bytes());
    let name: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    Some(base.join("trellis").join(format!("lint-{name}")))
}

fn now_ns() -> i128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}

impl Cache {
    /// Loads the cache; a missing, unreadable or outdated one starts empty.
    pub(crate) fn open(repo: &Repo, rules: &str) -> Option<Cache> {
        let path = location(repo)?;
        Some(Cache::at(path, rules))
    }

    fn at(dir: PathBuf, rules: &str) -> Cache {
        use rayon::prelude::*;
        let started_ns = now_ns();
        let shards = (0..SHARDS)
            .into_par_iter()
            .map(|index| {
                let file = shard_file(&dir, index);
                let stored = crate::cache::read(&file, "lint", FORMAT)
                    .and_then(|bytes| serde_json::from_slice::<Stored>(&bytes).ok())
                    .filter(|s| {
                        let same = s.rules == rules;
                        if !same {
                            log::debug!(
                                "lint cache {}: written for other rules or settings; a miss",
                                file.display()
                            );
                        }
                        same
                    });
                let (old, old_started_ns) = match stored {
                    Some(stored) => (stored.entries, stored.started_ns),
                    None => (HashMap::new(), 0),
                };
                Shard {
                    old_len: old.len(),
                    old: Mutex::new(old),
                    old_started_ns,
                    changed: AtomicBool::new(false),
                }
            })
            .collect::<Vec<Shard>>();
        log::info!(
            "lint cache {}: {} entries loaded",
            dir.display(),
            shards.iter().map(|s| s.old_len).sum::<usize>()
        );
        Cache {
            dir,
            rules: rules.to_string(),
            started_ns,
            shards,
        }
    }

    /// The stored outcome of a file whose stat shows it unchanged, without reading it.
    pub(crate) fn get_unchanged(
        &self,
        path: &str,
        stat: &FileStat,
        scope: &Scope,
    ) -> Option<(FileOutcome, Record)> {
        if stat.mtime_ns + RACY_NANOS > self.shards[shard_of(path)].old_started_ns {
            return None;
        }
        self.take(path, scope, |entry| entry.stat.as_ref() == Some(stat))
    }

    /// The stored outcome of a file with this content key. The caller records
    /// the file's new stat; the cache is rewritten so the next run can skip
    /// the read.
    pub(crate) fn get(
        &self,
        path: &str,
        key: &str,
        scope: &Scope,
    ) -> Option<(FileOutcome, Record)> {
        let hit = self.take(path, scope, |entry| entry.key == key)?;
        self.shards[shard_of(path)]
            .changed
            .store(true, Ordering::Relaxed);
        Some(hit)
    }

    fn take(
        &self,
        path: &str,
        scope: &Scope,
        matches: impl Fn(&Entry) -> bool,
    ) -> Option<(FileOutcome, Record)> {
        let mut old = self.shards[shard_of(path)].old.lock().ok()?;
        let entry = old.get(path)?;
        if entry.scope != *scope || !matches(entry) {
            return None;
        }
        let entry = old.remove(path)?;
        Some((
            entry.outcome,
            Record {
                key: entry.key,
                stat: entry.stat,
                scope: entry.scope,
            },
        ))
    }

    /// A file analysed in this run.
    pub(crate) fn miss(&self, path: &str) {
        self.shards[shard_of(path)]
            .changed
            .store(true, Ordering::Relaxed);
    }

    /// Writes this run's entries (files gone since are dropped) to the shards
    /// where anything changed. A cache that cannot be written only costs
    /// time, so errors are ignored.
    pub(crate) fn save<'a>(&self, entries: &[(&'a str, &'a Record, &'a FileOutcome)]) {
        use rayon::prelude::*;
        let mut counts = [0usize; SHARDS];
        for (path, _, _) in entries {
            counts[shard_of(path)] += 1;
        }
        let dirty: Vec<usize> = (0..SHARDS)
            .filter(|i| {
                let shard = &self.shards[*i];
                shard.changed.load(Ordering::Relaxed) || counts[*i] != shard.old_len
            })
            .collect();
        if dirty.is_empty() || std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        // The single-file cache of earlier versions (the same name plus
        // `.json`) is dead weight now.
        let _ = std::fs::remove_file(self.dir.with_extension("json"));
        dirty.into_par_iter().for_each(|index| {
            let map: HashMap<&str, EntryRef<'_>> = entries
                .iter()
                .filter(|(path, _, _)| shard_of(path) == index)
                .map(|(path, record, outcome)| {
                    let entry = EntryRef {
                        key: &record.key,
                        // Trusted next time only if it was not being written around now.
                        stat: record
                            .stat
                            .filter(|s| s.mtime_ns + RACY_NANOS <= self.started_ns),
                        scope: &record.scope,
                        outcome,
                    };
                    (*path, entry)
                })
                .collect();
            let stored = StoredRef {
                rules: &self.rules,
                started_ns: self.started_ns,
                entries: map,
            };
            if let Ok(bytes) = serde_json::to_vec(&stored) {
                crate::cache::write(&shard_file(&self.dir, index), "lint", FORMAT, &bytes);
                // Shards before the common cache header were plain `.json`.
                let _ = std::fs::remove_file(shard_file(&self.dir, index).with_extension("json"));
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> Scope {
        Scope {
            selected: true,
            service: Some("orders".to_string()),
            rust_role: None,
        }
    }

    fn stat(mtime_ns: i128) -> FileStat {
        FileStat {
            size: 10,
            mtime_ns,
            ctime_ns: mtime_ns,
            inode: 7,
        }
    }

    fn stored(dir: &Path, stat: FileStat, started_ns: i128) -> PathBuf {
        let path = dir.join("cache");
        let outcome = FileOutcome::default();
        let record = Record {
            key: "k1".to_string(),
            stat: Some(stat),
            scope: scope(),
        };
        let cache = Cache {
            started_ns,
            ..Cache::at(path.clone(), "rules")
        };
        cache.miss("a.go");
        cache.save(&[("a.go", &record, &outcome)]);
        path
    }

    #[test]
    fn an_old_unchanged_stat_skips_the_read() {
        let dir = tempfile::tempdir().unwrap();
        let old = stat(1_000_000_000_000);
        let path = stored(dir.path(), old, 1_000_000_000_000 + 60_000_000_000);
        let cache = Cache::at(path, "rules");
        assert!(cache.get_unchanged("a.go", &old, &scope()).is_some());
        // Taken once: a second file cannot claim the same entry.
        assert!(cache.get_unchanged("a.go", &old, &scope()).is_none());
    }

    #[test]
    fn stats_are_not_trusted_when_they_differ_or_are_recent() {
        let dir = tempfile::tempdir().unwrap();
        let old = stat(1_000_000_000_000);
        let path = stored(dir.path(), old, 1_000_000_000_000 + 60_000_000_000);
        let cache = Cache::at(path.clone(), "rules");
        let touched = FileStat {
            ctime_ns: old.ctime_ns + 1,
            ..old
        };
        assert!(cache.get_unchanged("a.go", &touched, &scope()).is_none());
        let other_scope = Scope {
            selected: false,
            ..scope()
        };
        assert!(cache.get_unchanged("a.go", &old, &other_scope).is_none());
        assert!(cache.get("a.go", "k2", &scope()).is_none());
        assert!(cache.get("a.go", "k1", &scope()).is_some());

        // Written within the racy window of the run that stored it: the stat
        // is dropped, and only the content key can match.
        let recent = stored(dir.path(), old, old.mtime_ns + 1);
        let cache = Cache::at(recent, "rules");
        assert!(cache.get_unchanged("a.go", &old, &scope()).is_none());
        assert!(cache.get("a.go", "k1", &scope()).is_some());
    }

    #[test]
    fn another_rule_set_starts_empty() {
        let dir = tempfile::tempdir().unwrap();
        let old = stat(1_000_000_000_000);
        let path = stored(dir.path(), old, 1_000_000_000_000 + 60_000_000_000);
        let cache = Cache::at(path, "other rules");
        assert!(cache.get("a.go", "k1", &scope()).is_none());
    }
}
