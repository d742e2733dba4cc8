//! Which .proto blobs are known to parse, kept between runs: the check of
//! files a change does not touch ([`super::failures::untouched`]) parses
//! every other file of the tree, which is most of a one-file comparison's
//! time on a large tree; a blob that parsed once parses again, so only new
//! blobs are parsed. Keyed by git blob id and by the build of trellis (its
//! parser may change between builds). Only a cache: any problem is a miss.

use crate::repo::Repo;
use git2::Oid;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Mutex;

const FORMAT: u32 = 1;

#[derive(Debug, Default)]
pub(crate) struct ParseCache {
    path: Option<PathBuf>,
    known: HashSet<Oid>,
    /// Blobs that parsed in this run, or were known and seen again: what
    /// the next run keeps (so the file never outgrows the tree).
    good: Mutex<HashSet<Oid>>,
}

/// The cache's kind names the build, so another build's file is a miss.
fn kind() -> String {
    format!(
        "contract-parsed-{}-{}",
        env!("CARGO_PKG_VERSION"),
        env!("TRELLIS_SOURCE_HASH")
    )
}

/// `.git/trellis/contract-parsed` at the root of a git checkout, where
/// contracts are compared on every commit (hooks, CI); comparing two
/// directories is a one-off and keeps nothing.
fn location(repo: &Repo) -> Option<PathBuf> {
    crate::cache::in_checkout(&repo.root, "contract-parsed")
}

impl ParseCache {
    pub(crate) fn load(repo: &Repo) -> ParseCache {
        let path = location(repo);
        let known = path
            .as_deref()
            .and_then(|path| crate::cache::read(path, &kind(), FORMAT))
            .map(|payload| decode(&payload))
            .unwrap_or_default();
        ParseCache {
            path,
            known,
            good: Mutex::default(),
        }
    }

    #[cfg(test)]
    fn at(path: &std::path::Path) -> ParseCache {
        let known = crate::cache::read(path, &kind(), FORMAT)
            .map(|payload| decode(&payload))
            .unwrap_or_default();
        ParseCache {
            path: Some(path.to_path_buf()),
            known,
            good: Mutex::default(),
        }
    }

    /// Whether `blob` parsed in an earlier run (and notes it as still seen).
    pub(crate) fn parses(&self, blob: Oid) -> bool {
        if blob.is_zero() || !self.known.contains(&blob) {
            return false;
        }
        self.good_set().insert(blob);
        true
    }

    pub(crate) fn parsed(&self, blob: Oid) {
        if !blob.is_zero() {
            self.good_set().insert(blob);
        }
    }

    fn good_set(&self) -> std::sync::MutexGuard<'_, HashSet<Oid>> {
        self.good
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    #[cfg(test)]
    pub(crate) fn known_count(&self) -> usize {
        self.known.len()
    }

    /// Writes what this run saw parse, if it differs from what was read.
    pub(crate) fn save(&self) {
        let good = self.good_set();
        if *good == self.known {
            return;
        }
        let Some(path) = &self.path else {
            return;
        };
        let mut ids: Vec<&Oid> = good.iter().collect();
        ids.sort();
        let mut payload = Vec::with_capacity(ids.len() * 20);
        for id in ids {
            payload.extend_from_slice(id.as_bytes());
        }
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if !crate::cache::write(path, &kind(), FORMAT, &payload) {
            log::debug!("contract parse cache not written: {}", path.display());
        }
    }
}

fn decode(payload: &[u8]) -> HashSet<Oid> {
    payload
        .chunks_exact(20)
        .filter_map(|chunk| Oid::from_bytes(chunk).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_that_parsed_are_known_to_the_next_run_and_others_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("contract-parsed");
        let a = Oid::hash_object(git2::ObjectType::Blob, b"syntax = \"proto3\";").unwrap();
        let b = Oid::hash_object(git2::ObjectType::Blob, b"package b;").unwrap();
        let first = ParseCache::at(&path);
        assert!(!first.parses(a));
        first.parsed(a);
        first.parsed(b);
        first.save();
        let second = ParseCache::at(&path);
        assert!(second.parses(a));
        // b is gone from the tree: not seen, so not kept.
        second.save();
        let third = ParseCache::at(&path);
        assert!(third.parses(a));
        assert!(!third.parses(b));
    }

    #[test]
    fn a_damaged_file_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("contract-parsed");
        std::fs::write(&path, b"garbage").unwrap();
        assert_eq!(ParseCache::at(&path).known_count(), 0);
    }
}
