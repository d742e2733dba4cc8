//! Per-file results keyed by content hash, for the effective rule set: a
//! re-run on an unchanged tree reads and hashes files but parses none.
//! Stored under `.git/trellis/` (or `$XDG_CACHE_HOME/trellis/` outside git).

use super::FileOutcome;
use crate::repo::Repo;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize, Default)]
struct Stored {
    format: u32,
    rules: String,
    entries: HashMap<String, (String, FileOutcome)>,
}

pub struct Cache {
    path: PathBuf,
    rules: String,
    old: HashMap<String, (String, FileOutcome)>,
    new: Mutex<HashMap<String, (String, FileOutcome)>>,
}

/// The key of a file's content; `selected` files are fully analysed, others
/// only yield facts, so the two never share an entry.
pub fn content_key(bytes: &[u8], selected: bool, service: Option<&str>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(bytes);
    hasher.update([0]);
    hasher.update(service.unwrap_or_default());
    let digest = hasher.finalize();
    let mut key: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    if !selected {
        key.push_str("-facts");
    }
    key
}

/// Where the cache of this repository lives.
pub fn location(repo: &Repo) -> Option<PathBuf> {
    let git = repo.root.join(".git");
    if git.is_dir() {
        return Some(git.join("trellis").join("lint-cache.json"));
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    let digest = Sha256::digest(repo.root.to_string_lossy().as_bytes());
    let name: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    Some(base.join("trellis").join(format!("lint-{name}.json")))
}

impl Cache {
    /// Loads the cache; a missing, unreadable or outdated one starts empty.
    pub fn open(repo: &Repo, rules: &str) -> Option<Cache> {
        let path = location(repo)?;
        let old = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Stored>(&bytes).ok())
            .filter(|s| s.format == FORMAT && s.rules == rules)
            .map(|s| s.entries)
            .unwrap_or_default();
        Some(Cache {
            path,
            rules: rules.to_string(),
            old,
            new: Mutex::new(HashMap::new()),
        })
    }

    pub fn get(&self, path: &str, key: &str) -> Option<FileOutcome> {
        let (stored_key, outcome) = self.old.get(path)?;
        if stored_key != key {
            return None;
        }
        self.put(path, key.to_string(), outcome);
        Some(outcome.clone())
    }

    pub fn put(&self, path: &str, key: String, outcome: &FileOutcome) {
        if let Ok(mut new) = self.new.lock() {
            new.insert(path.to_string(), (key, outcome.clone()));
        }
    }

    /// Writes the entries of this run (files gone since are dropped). A cache
    /// that cannot be written only costs time, so errors are ignored.
    pub fn save(&self) {
        let Ok(new) = self.new.lock() else {
            return;
        };
        if new.len() == self.old.len()
            && new
                .iter()
                .all(|(p, (k, _))| self.old.get(p).is_some_and(|(ok, _)| ok == k))
        {
            return;
        }
        let stored = Stored {
            format: FORMAT,
            rules: self.rules.clone(),
            entries: new.clone(),
        };
        if let Some(dir) = self.path.parent()
            && std::fs::create_dir_all(dir).is_ok()
            && let Ok(bytes) = serde_json::to_vec(&stored)
        {
            let _ = crate::fsutil::write_atomic(&self.path, &bytes);
        }
    }
}
