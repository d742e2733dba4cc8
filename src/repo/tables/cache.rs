//! The table uses of each work-tree file, kept between runs by the file's
//! stat: a file whose size, mtime, ctime and inode are those recorded, and
//! that was last modified well before the run that recorded it (git's
//! racy-clean rule for its index, as in `src/lint/cache.rs`), is not read
//! again. A long-lived repository has thousands of `.go` files and few of
//! them change between two `trellis score` runs; reading and scanning them
//! all was a tenth of a cached run.
//!
//! The service of each use is not kept: it is looked up from today's
//! configuration on every run.
//!
//! The payload, little-endian: the repository root (`u32` length and UTF-8
//! bytes, as every string), the `i128` start time in nanoseconds of the run
//! that wrote it, a `u32` file count; per file its path, `u64` size, `i128`
//! mtime and ctime, `u64` inode and a `u32` use count; per use the table,
//! `u32` line and column and an access byte.

use super::{TableAccess, TableUse};
use crate::cache::{FileStat, RACY_NANOS};
use rustc_hash::FxHashMap;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

const KIND: &str = "score-tables";
const FORMAT: u32 = 1;

fn nanos(time: SystemTime) -> i128 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}

pub(super) fn now_ns() -> i128 {
    nanos(SystemTime::now())
}

/// One file's uses, without the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Stored {
    pub(super) stat: FileStat,
    pub(super) uses: Vec<(String, u32, u32, TableAccess)>,
}

impl Stored {
    pub(super) fn new(stat: FileStat, uses: &[TableUse]) -> Stored {
        Stored {
            stat,
            uses: uses
                .iter()
                .map(|u| (u.table.clone(), u.line, u.column, u.access))
                .collect(),
        }
    }

    pub(super) fn uses(&self, path: &str, service: &str) -> Vec<TableUse> {
        self.uses
            .iter()
            .map(|(table, line, column, access)| TableUse {
                table: table.clone(),
                service: service.to_string(),
                path: path.to_string(),
                line: *line,
                column: *column,
                access: *access,
            })
            .collect()
    }
}

/// The uses recorded by an earlier run.
#[derive(Debug, Default)]
pub(super) struct Recorded {
    started_ns: i128,
    pub(super) files: FxHashMap<String, Stored>,
}

impl Recorded {
    /// The recorded uses of `path` if its stat shows it unchanged.
    pub(super) fn unchanged(&self, path: &str, stat: &FileStat) -> Option<&Stored> {
        if stat.mtime_ns + RACY_NANOS > self.started_ns {
            return None;
        }
        self.files.get(path).filter(|stored| stored.stat == *stat)
    }
}

/// The cache at `file` if it was written for `root`; empty otherwise.
pub(super) fn load(file: &Path, root: &str) -> Recorded {
    let decoded = crate::cache::read(file, KIND, FORMAT).and_then(|bytes| decode(&bytes, root));
    if decoded.is_none() && file.exists() {
        log::debug!(
            "table-use cache {} is damaged, of another format or of another root: ignored",
            file.display()
        );
    }
    decoded.unwrap_or_default()
}

/// Writes the uses of this run; a cache that cannot be written is skipped.
pub(super) fn store<'a>(
    file: &Path,
    root: &str,
    started_ns: i128,
    files: impl Iterator<Item = (&'a str, &'a Stored)>,
) {
    let mut out = Vec::new();
    put_str(&mut out, root);
    out.extend_from_slice(&started_ns.to_le_bytes());
    let count_at = out.len();
    out.extend_from_slice(&0u32.to_le_bytes());
    let mut count = 0u32;
    for (path, stored) in files {
        count += 1;
        put_str(&mut out, path);
        let stat = &stored.stat;
        out.extend_from_slice(&stat.size.to_le_bytes());
        out.extend_from_slice(&stat.mtime_ns.to_le_bytes());
        out.extend_from_slice(&stat.ctime_ns.to_le_bytes());
        out.extend_from_slice(&stat.inode.to_le_bytes());
        put_len(&mut out, stored.uses.len());
        for (table, line, column, access) in &stored.uses {
            put_str(&mut out, table);
            out.extend_from_slice(&line.to_le_bytes());
            out.extend_from_slice(&column.to_le_bytes());
            out.push(match access {
                TableAccess::Read => 0,
                TableAccess::Write => 1,
                TableAccess::Define => 2,
            });
        }
    }
    out[count_at..count_at + 4].copy_from_slice(&count.to_le_bytes());
    if out.len() <= crate::cache::MAX_BYTES {
        crate::cache::write(file, KIND, FORMAT, &out);
    }
}

fn put_len(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, text: &str) {
    put_len(out, text.len());
    out.extend_from_slice(text.as_bytes());
}

/// Reads a payload; `None` when anything is out of bounds, not what was
/// written, or written for another root (never a panic).
fn decode(bytes: &[u8], root: &str) -> Option<Recorded> {
    let mut at = Reader { bytes, at: 0 };
    if at.str()? != root {
        return None;
    }
    let started_ns = at.i128()?;
    let count = at.u32()?;
    let mut files = FxHashMap::default();
    files.reserve(count.min(bytes.len() / 64));
    for _ in 0..count {
        let path = at.str()?.to_string();
        let stat = FileStat {
            size: at.u64()?,
            mtime_ns: at.i128()?,
            ctime_ns: at.i128()?,
            inode: at.u64()?,
        };
        let uses = at.u32()?;
        let mut list = Vec::with_capacity(uses.min(bytes.len() / 13));
        for _ in 0..uses {
            let table = at.str()?.to_string();
            let line = at.u32()? as u32;
            let column = at.u32()? as u32;
            let access = match at.take(1)?[0] {
                0 => TableAccess::Read,
                1 => TableAccess::Write,
                2 => TableAccess::Define,
                _ => return None,
            };
            list.push((table, line, column, access));
        }
        files.insert(path, Stored { stat, uses: list });
    }
    (at.at == bytes.len()).then_some(Recorded { started_ns, files })
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let slice = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(slice)
    }

    fn u32(&mut self) -> Option<usize> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?) as usize)
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn i128(&mut self) -> Option<i128> {
        Some(i128::from_le_bytes(self.take(16)?.try_into().ok()?))
    }

    fn str(&mut self) -> Option<&'a str> {
        let len = self.u32()?;
        std::str::from_utf8(self.take(len)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(mtime_ns: i128) -> FileStat {
        FileStat {
            size: 10,
            mtime_ns,
            ctime_ns: mtime_ns,
            inode: 7,
        }
    }

    fn stored(mtime_ns: i128) -> Stored {
        Stored {
            stat: stat(mtime_ns),
            uses: vec![("orders".into(), 3, 14, TableAccess::Write)],
        }
    }

    #[test]
    fn round_trips_and_trusts_only_old_unchanged_stats() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("score-tables");
        let old = 1_000_000_000_000;
        let started = old + 10 * RACY_NANOS;
        let entries = [
            ("svc/a/repo.go".to_string(), stored(old)),
            ("svc/b/recent.go".to_string(), stored(started - 1)),
        ];
        store(
            &file,
            "/src/shop",
            started,
            entries.iter().map(|(p, s)| (p.as_str(), s)),
        );
        let recorded = load(&file, "/src/shop");
        assert_eq!(recorded.files.len(), 2);
        assert_eq!(
            recorded.unchanged("svc/a/repo.go", &stat(old)),
            Some(&stored(old))
        );
        // Another stat, a file written just before that run, an unknown file.
        assert_eq!(recorded.unchanged("svc/a/repo.go", &stat(old + 1)), None);
        assert_eq!(
            recorded.unchanged("svc/b/recent.go", &stat(started - 1)),
            None
        );
        assert_eq!(recorded.unchanged("svc/c/new.go", &stat(old)), None);
        // Written for another project root: not used.
        assert!(load(&file, "/src/other").files.is_empty());
    }

    #[test]
    fn damaged_payloads_read_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("score-tables");
        let entries = [("a.sql".to_string(), stored(5))];
        store(
            &file,
            "/r",
            99,
            entries.iter().map(|(p, s)| (p.as_str(), s)),
        );
        let whole = crate::cache::read(&file, KIND, FORMAT).unwrap();
        assert!(decode(&whole, "/r").is_some());
        for cut in 0..whole.len() {
            assert!(decode(&whole[..cut], "/r").is_none(), "cut at {cut}");
        }
        let mut bad_access = whole.clone();
        *bad_access.last_mut().unwrap() = 9;
        assert!(decode(&bad_access, "/r").is_none());
    }
}
