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

/// No cache file is larger: a bigger one would cost more to read than the
/// work it saves, and a file that big is more likely damage than data.
pub(crate) const MAX_BYTES: usize = 64 << 20;

const MAGIC: &str = "trellis-cache";

/// The payload of the cache file at `path` if it holds `kind` at `version`.
pub(crate) fn read(path: &Path, kind: &str, version: u32) -> Option<Vec<u8>> {
    use std::io::Read;
    // Read at most one byte past the cap: a huge or endless file (a FIFO
    // or /dev/zero put in its place) is refused without being held.
    // The type is checked before opening: opening a FIFO blocks.
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        log::debug!("cache miss {}: not a regular file", path.display());
        return None;
    }
    let file = std::fs::File::open(path).ok()?;
    // Sized once: growing by doubling copied a large cache file several
    // times, into fresh pages each time.
    let expected = meta.len().min(MAX_BYTES as u64 + 257) as usize;
    let mut bytes = Vec::with_capacity(expected + 1);
    file.take(MAX_BYTES as u64 + 257)
        .read_to_end(&mut bytes)
        .ok()?;
    match payload(bytes, kind, version) {
        Ok(payload) => Some(payload),
        Err(why) => {
            log::debug!("cache miss {}: {why}", path.display());
            None
        }
    }
}

/// Why a cache file is not used.
fn payload(mut bytes: Vec<u8>, kind: &str, version: u32) -> Result<Vec<u8>, String> {
    if bytes.len() > MAX_BYTES + 256 {
        return Err(format!("{} bytes, over the cap", bytes.len()));
    }
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
    if bytes.len() - newline - 1 != length {
        return Err("truncated or padded payload".to_string());
    }
    // In place: `split_off` would copy the payload into a new allocation.
    bytes.drain(..=newline);
    Ok(bytes)
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
        let miss = |bytes: &[u8]| payload(bytes.to_vec(), "http", 1).unwrap_err();
        assert!(miss(b"200 1700000000\nbody").contains("older format"));
        assert!(miss(b"trellis-cache http v1 10\nshort").contains("truncated"));
        assert!(miss(b"trellis-cache http v2 0\n").contains("format 2"));
        assert!(miss(b"no newline at all").contains("no header"));
        assert_eq!(
            payload(b"trellis-cache http v1 0\n".to_vec(), "http", 1),
            Ok(Vec::new())
        );
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
