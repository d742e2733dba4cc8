//! The one on-disk format of trellis's caches: a header line naming the
//! cache and its format version, then the payload, written atomically.
//!
//! A cache only saves time, so every problem reading one (missing, corrupt,
//! written by another format version, over the size cap) is a miss, logged
//! at debug for `-vv`, and a cache that cannot be written is skipped.
//! The score history cache (`src/score/cache.rs`) frames its binary payload
//! with it too.

use std::path::{Path, PathBuf};

/// How long before a run a file's mtime must be for its stat to be trusted:
/// file systems with coarse timestamps can write twice within one tick.
/// Lint's cache and score's table-uses cache follow the same rule.
pub(crate) const RACY_NANOS: i128 = 2_000_000_000;

/// What identifies a file's content without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct FileStat {
    pub(crate) size: u64,
    pub(crate) mtime_ns: i128,
    pub(crate) ctime_ns: i128,
    pub(crate) inode: u64,
}

impl FileStat {
    pub(crate) fn of(path: &Path) -> Option<FileStat> {
        let meta = std::fs::metadata(path).ok()?;
        let mtime_ns = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_nanos() as i128;
        #[cfg(unix)]
        let (ctime_ns, inode) = {
            use std::os::unix::fs::MetadataExt;
            (
                i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
                meta.ino(),
            )
        };
        #[cfg(not(unix))]
        let (ctime_ns, inode) = (mtime_ns, 0);
        Some(FileStat {
            size: meta.len(),
            mtime_ns,
            ctime_ns,
            inode,
        })
    }
}

/// `.git/trellis/<name>` in the git checkout rooted at `root`: caches live
/// with the repository they describe, and go with it.
pub(crate) fn in_checkout(root: &Path, name: &str) -> Option<PathBuf> {
    let git = root.join(".git");
    git.is_dir().then(|| git.join("trellis").join(name))
}

/// FNV-1a over bytes fed in pieces: the same on every run, build and
/// platform (the std hashers are not), for what caches are keyed or split by.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StableHash(u64);

impl Default for StableHash {
    fn default() -> Self {
        StableHash(0xcbf2_9ce4_8422_2325)
    }
}

impl StableHash {
    pub(crate) fn update(mut self, bytes: &[u8]) -> StableHash {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
        self
    }

    pub(crate) fn finish(self) -> u64 {
        self.0
    }
}

/// No cache file is larger: a bigger one would cost more to read than the
/// work it saves, and a file that big is more likely damage than data.
pub(crate) const MAX_BYTES: usize = 64 << 20;

const MAGIC: &str = "trellis-cache";

/// The payload of the cache file at `path` if it holds `kind` at `version`.
pub(crate) fn read(path: &Path, kind: &str, version: u32) -> Option<Vec<u8>> {
    match read_payload(path, kind, version) {
        Ok(payload) => Some(payload),
        Err(why) => {
            log::debug!("cache miss {}: {why}", path.display());
            None
        }
    }
}

/// No header line is longer (the kind names are short).
const HEADER_MAX: usize = 256;

/// The payload, or why the file is not used.
fn read_payload(path: &Path, kind: &str, version: u32) -> Result<Vec<u8>, String> {
    use std::io::Read;
    // The type is checked before opening: opening a FIFO blocks.
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".to_string());
    }
    let mut file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    // The header is read on its own, so the payload lands at the start of
    // a buffer sized for it once: reading the whole file and dropping the
    // header moved the whole payload (14 MB for a long history).
    let mut head = Vec::with_capacity(HEADER_MAX);
    (&mut file)
        .take(HEADER_MAX as u64)
        .read_to_end(&mut head)
        .map_err(|e| e.to_string())?;
    let filled = head.len();
    let (start, length) = header(&head, kind, version)?;
    if length > MAX_BYTES {
        return Err(format!("{length} bytes, over the cap"));
    }
    let mut payload = Vec::with_capacity(length);
    payload.extend_from_slice(&head[start..filled.min(start + length + 1)]);
    // One byte past the length at most: a padded or endless file is
    // refused without being held.
    let rest = (length + 1).saturating_sub(payload.len()) as u64;
    file.take(rest)
        .read_to_end(&mut payload)
        .map_err(|e| e.to_string())?;
    if payload.len() != length {
        return Err("truncated or padded payload".to_string());
    }
    Ok(payload)
}

/// Where the payload starts and its length, or why the file is not used.
fn header(bytes: &[u8], kind: &str, version: u32) -> Result<(usize, usize), String> {
    let newline = bytes
        .iter()
        .position(|&b| b == b'\n')
        .ok_or("no header line")?;
    let header = std::str::from_utf8(&bytes[..newline]).map_err(|_| "header is not text")?;
    let mut fields = header.split(' ');
    let (magic, found_kind, found_version, length) =
        (fields.next(), fields.next(), fields.next(), fields.next());
    if magic != Some(MAGIC) || fields.next().is_some() {
        return Err("not a trellis cache file (an older format?)".to_string());
    }
    if found_kind != Some(kind) {
        return Err(format!("holds {}, not {kind}", found_kind.unwrap_or("?")));
    }
    let found_version = found_version.and_then(|v| v.strip_prefix('v')?.parse::<u32>().ok());
    if found_version != Some(version) {
        return Err(format!(
            "format {}, this trellis reads {version}",
            found_version.map_or("?".to_string(), |v| v.to_string())
        ));
    }
    let length = length
        .and_then(|l| l.parse::<usize>().ok())
        .ok_or("no payload length")?;
    Ok((newline + 1, length))
}

/// Writes `payload` as the cache file at `path` (its directory created),
/// atomically; false when it is over the cap or cannot be written.
pub(crate) fn write(path: &Path, kind: &str, version: u32, payload: &[u8]) -> bool {
    if payload.len() > MAX_BYTES {
        log::debug!(
            "cache {} not written: {} bytes, over the cap",
            path.display(),
            payload.len()
        );
        return false;
    }
    let mut bytes = format!("{MAGIC} {kind} v{version} {}\n", payload.len()).into_bytes();
    bytes.extend_from_slice(payload);
    let written = match path.parent() {
        Some(dir) => {
            std::fs::create_dir_all(dir).and_then(|()| crate::fsutil::write_atomic(path, &bytes))
        }
        None => crate::fsutil::write_atomic(path, &bytes),
    };
    if let Err(e) = &written {
        log::debug!("cache {} not written: {e}", path.display());
    }
    written.is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_payload_reads_back_for_its_kind_and_version_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deep/er/entry");
        assert!(write(&path, "lint", 4, b"{\"a\":1}\n"));
        assert_eq!(read(&path, "lint", 4).as_deref(), Some(&b"{\"a\":1}\n"[..]));
        assert_eq!(read(&path, "lint", 3), None);
        assert_eq!(read(&path, "http", 4), None);
        assert_eq!(read(&dir.path().join("missing"), "lint", 4), None);
    }

    #[test]
    fn damaged_files_are_misses_that_say_why() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("entry");
        let read = |bytes: &[u8]| {
            std::fs::write(&path, bytes).unwrap();
            read_payload(&path, "http", 1)
        };
        let miss = |bytes: &[u8]| read(bytes).unwrap_err();
        assert!(miss(b"200 1700000000\nbody").contains("older format"));
        assert!(miss(b"trellis-cache http v1 10\nshort").contains("truncated"));
        assert!(miss(b"trellis-cache http v1 2\nlong").contains("padded"));
        assert!(miss(b"trellis-cache http v2 0\n").contains("format 2"));
        assert!(miss(b"no newline at all").contains("no header"));
        assert!(miss(&[b'x'; 2 * HEADER_MAX]).contains("no header"));
        assert_eq!(read(b"trellis-cache http v1 0\n"), Ok(Vec::new()));
        // Payloads shorter and longer than the header's read.
        for len in [1, HEADER_MAX - 30, HEADER_MAX, 3 * HEADER_MAX + 7] {
            let body: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let mut file = format!("trellis-cache http v1 {len}\n").into_bytes();
            file.extend_from_slice(&body);
            assert_eq!(read(&file), Ok(body), "{len}");
        }
    }

    /// A cache path taken by something that is no cache file: read
    /// nothing from it, and never block on it.
    #[cfg(unix)]
    #[test]
    fn special_and_oversized_files_are_misses_without_being_read_whole() {
        assert_eq!(read(Path::new("/dev/zero"), "lint", 1), None);
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            assert_eq!(read(&fifo, "lint", 1), None);
        }
        let big = dir.path().join("big");
        let header = format!("{MAGIC} lint v1 {}\n", MAX_BYTES + 1);
        std::fs::write(&big, header).unwrap();
        let file = std::fs::OpenOptions::new().write(true).open(&big).unwrap();
        file.set_len((MAX_BYTES + 4096) as u64).unwrap();
        assert_eq!(read(&big, "lint", 1), None);
    }

    #[test]
    fn payloads_over_the_cap_are_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        assert!(!write(&path, "lint", 1, &vec![b'x'; MAX_BYTES + 1]));
        assert!(!path.exists());
    }
}
