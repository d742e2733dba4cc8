//! The per-commit cache of the history scan. A commit never changes, so what
//! was read for it once (its parents, files, blobs and line counts) is kept
//! by commit id in `.git/trellis/`, in two binary files written through
//! [`crate::cache`] (versioned, size-capped, atomic):
//!
//! - `score-history` (the base): every commit scanned, and the line counts
//!   of blobs at the end of a window;
//! - `score-history-tail`: the records written since the base, naming the
//!   base it extends. A re-run after a few new commits rewrites only this
//!   small file; once it grows past [`TAIL_COMMITS`] commits or an eighth
//!   of the base, the next write folds everything into a new base.
//!
//! A record in the tail replaces the base's record of the same commit (its
//! lines counted after `score.churn` was turned on). A tail whose base is
//! gone is ignored, and a damaged base, or one of another format version,
//! is rebuilt from git. The text format of `score-history-v2`, which a cached
//! run spent half its time parsing (hex ids above all), is no longer read.
//!
//! The payload, little-endian: the base's 8-byte stamp (a tail: the stamp of
//! its base); the string table (`u32` count, then `u32` length and UTF-8
//! bytes each: paths, names, emails and subjects, each once); the
//! fingerprint of the generated-file patterns (`u64`) and a byte per string
//! (0 not a path, 1 a path, 2 a generated path); the commits in
//! chunks (`u32` count, then per chunk a `u64` byte length and its records,
//! decoded on several threads); the blob line counts (`u32` count, then a
//! 20-byte id and a `u32`, `u32::MAX` for a binary or generated blob). A
//! commit record: id, `i64` committer time, `u32` parent count and the
//! parents, `u32` string indexes of author name, email and subject, `u32`
//! file count; per file a `u32` path index, a lines tag (0 not counted, 1
//! binary, 2 generated, 3 counted followed by `u32` added and removed) and
//! a flag byte saying which of the old and new blob ids follow.
//!
//! The parents are there so that a re-run walks the cached part of the
//! history from the cache alone, without reading commits from git. The
//! paths' verdicts spare a re-run matching every path of the history
//! against the generated-file globs (a tenth of it); they are used only
//! under the same patterns.

use super::generated::GeneratedFiles;
use super::scan::{CommitInfo, FileChange, Lines, OidMap, Text};
use git2::Oid;
use rustc_hash::FxHashMap as FxMap;
use std::path::{Path, PathBuf};

/// The base file's name; the tail's adds [`TAIL_SUFFIX`].
pub(crate) const FILE_NAME: &str = "score-history";
const TAIL_SUFFIX: &str = "-tail";
const KIND: &str = "score-history";
const TAIL_KIND: &str = "score-history-tail";
/// The payload's format; a file of another version is rebuilt, not read.
const FORMAT: u32 = 4;
/// Files of earlier formats, removed when a base is written.
const SUPERSEDED: [&str; 2] = ["score-history-v1", "score-history-v2"];
/// Commits per chunk: chunks decode in parallel.
const CHUNK: usize = 8192;
/// A tail of more commits than this is folded into a new base.
const TAIL_COMMITS: usize = 4096;
const NO_LINES: u32 = u32::MAX;
/// New commits a re-run is expected to add, beyond a full tail.
const NEW_COMMITS_ROOM: usize = 256;
/// What a string of the table is.
const NOT_A_PATH: u8 = 0;
const PATH: u8 = 1;
const GENERATED_PATH: u8 = 2;

/// Commits by id: the records in a vector, the map holding only their
/// places. A map of whole records moved each one (150 bytes and more) on
/// every insert, rehash and removal, a tenth of a cached run on a long history.
#[derive(Debug, Default)]
pub(crate) struct Commits {
    places: OidMap<u32>,
    records: Vec<Option<CommitInfo>>,
    live: usize,
}

impl Commits {
    pub(crate) fn get(&self, id: &Oid) -> Option<&CommitInfo> {
        self.records[*self.places.get(id)? as usize].as_ref()
    }

    /// Where the commit of this id is kept, for [`Commits::at`]: a walk
    /// that meets each commit twice (reached, then taken from its queue)
    /// looks it up once.
    pub(crate) fn place(&self, id: &Oid) -> Option<u32> {
        self.places.get(id).copied()
    }

    /// The commit at a place [`Commits::place`] gave; `None` for any other.
    pub(crate) fn at(&self, place: u32) -> Option<&CommitInfo> {
        self.records.get(place as usize)?.as_ref()
    }

    /// Takes the commit at a place [`Commits::place`] gave.
    pub(crate) fn take_at(&mut self, place: u32) -> Option<CommitInfo> {
        let taken = self.records.get_mut(place as usize)?.take();
        self.live -= usize::from(taken.is_some());
        taken
    }

    /// How many places there are (places are below this).
    pub(crate) fn places(&self) -> usize {
        self.records.len()
    }

    /// The commit at a place [`Commits::place`] gave, to change.
    pub(crate) fn at_mut(&mut self, place: u32) -> Option<&mut CommitInfo> {
        self.records.get_mut(place as usize)?.as_mut()
    }

    /// Adds or replaces the commit of this id.
    pub(crate) fn insert(&mut self, id: Oid, commit: CommitInfo) {
        let next = self.records.len() as u32;
        let place = *self.places.get_or_insert_with(id, || next);
        if place == next {
            self.records.push(Some(commit));
            self.live += 1;
        } else {
            let slot = &mut self.records[place as usize];
            self.live += usize::from(slot.is_none());
            *slot = Some(commit);
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.live
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.live == 0
    }

    pub(crate) fn reserve(&mut self, additional: usize) {
        self.places.reserve(additional);
        self.records.reserve(additional);
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &CommitInfo> {
        self.records.iter().flatten()
    }
}

impl std::ops::Index<&Oid> for Commits {
    type Output = CommitInfo;

    fn index(&self, id: &Oid) -> &CommitInfo {
        self.get(id).expect("commit in the cache")
    }
}

#[derive(Debug, Default)]
pub(crate) struct Cache {
    pub commits: Commits,
    /// Lines of blobs at the end of a window (for hotspots); `None` for a
    /// binary or generated blob.
    pub(crate) blob_lines: OidMap<Option<u32>>,
    /// The base's stamp; `None` when there is no usable base, so the next
    /// write writes one.
    stamp: Option<u64>,
    /// Commits in the base file and in the tail, and the tail's ids (the
    /// next tail carries them again, with their current values).
    base_commits: usize,
    base_bytes: usize,
    tail_commits: Vec<Oid>,
    tail_blobs: Vec<Oid>,
    /// Whether each path read is generated.
    pub(crate) answers: PathAnswers,
}

/// Whether each path read from the cache is generated, by the address of
/// its text (one per path, shared by its changes) with its length; `texts`
/// holds them, so no other text takes one of these addresses.
#[derive(Debug, Default)]
pub(crate) struct PathAnswers {
    at: FxMap<usize, (usize, bool)>,
    texts: Vec<Vec<Text>>,
}

impl PathAnswers {
    /// Whether the path read from the cache is generated, as the set the
    /// cache was loaded for answers; `None` for a text not read from the
    /// cache, or read without an answer.
    pub(crate) fn get(&self, path: &str) -> Option<bool> {
        match self.at.get(&(path.as_ptr() as usize)) {
            Some(&(len, answer)) if len == path.len() => Some(answer),
            _ => None,
        }
    }

    /// Whether the path is generated: the cache's answer for a path read
    /// from it under the same patterns, else the patterns' own.
    pub(crate) fn is_generated(&self, path: &str, generated: &GeneratedFiles) -> bool {
        self.get(path)
            .unwrap_or_else(|| generated.is_generated(path))
    }

    /// Keeps a file's answers about its paths if they were made by these patterns.
    fn keep(&mut self, decoded: &mut Decoded, generated: &GeneratedFiles) {
        if decoded.fingerprint != generated.fingerprint() {
            return;
        }
        self.at.reserve(decoded.strings.len());
        for (text, kind) in decoded.strings.iter().zip(&decoded.kinds) {
            if *kind != NOT_A_PATH {
                self.at.insert(
                    text.as_ptr() as usize,
                    (text.len(), *kind == GENERATED_PATH),
                );
            }
        }
        self.texts.push(std::mem::take(&mut decoded.strings));
    }
}

impl Cache {
    /// Reads the cache; a missing or damaged file gives an empty cache (a
    /// damaged one with a note at `-v`). The paths' answers are kept when
    /// made by the patterns of `generated`.
    pub(crate) fn load(path: &Path, generated: &GeneratedFiles) -> Cache {
        let mut cache = Cache::default();
        let Some(bytes) = crate::cache::read(path, KIND, FORMAT) else {
            note_unusable(path);
            return cache;
        };
        let Some(mut base) = decode(&bytes) else {
            log::info!(
                "history cache {} does not decode: ignored, rebuilt by this run",
                path.display()
            );
            return cache;
        };
        cache.stamp = Some(base.stamp);
        cache.base_commits = base.commits.iter().map(Vec::len).sum();
        cache.base_bytes = bytes.len();
        drop(bytes);
        // With room for the tail and this run's new commits: filled to
        // capacity, the first commit of the run moved every record into a
        // vector twice the size, fresh pages and all. Room never written
        // is never touched.
        cache.commits.reserve(
            cache.base_commits + TAIL_COMMITS.max(cache.base_commits / 8) + NEW_COMMITS_ROOM,
        );
        for commit in std::mem::take(&mut base.commits).into_iter().flatten() {
            cache.commits.insert(commit.id, commit);
        }
        cache.answers.keep(&mut base, generated);
        for (blob, lines) in base.blob_lines {
            cache.blob_lines.insert(blob, lines);
        }
        let tail_path = tail_path(path);
        let Some(tail) = crate::cache::read(&tail_path, TAIL_KIND, FORMAT) else {
            note_unusable(&tail_path);
            return cache;
        };
        match decode(&tail) {
            Some(mut tail) if tail.stamp == base.stamp => {
                cache.answers.keep(&mut tail, generated);
                for commit in tail.commits.into_iter().flatten() {
                    cache.tail_commits.push(commit.id);
                    cache.commits.insert(commit.id, commit);
                }
                for (blob, lines) in tail.blob_lines {
                    cache.tail_blobs.push(blob);
                    cache.blob_lines.insert(blob, lines);
                }
            }
            Some(_) => log::debug!(
                "history cache {} extends another base: ignored",
                tail_path.display()
            ),
            None => log::info!(
                "history cache {} does not decode: ignored",
                tail_path.display()
            ),
        }
        cache
    }

    /// Records new or updated commits and blob line counts (`self`
    /// already holds them; these name them): in a new tail, or, when there
    /// is no base or the tail has grown, in a new base holding everything.
    pub(crate) fn append(
        &mut self,
        path: &Path,
        generated: &GeneratedFiles,
        commits: &[Oid],
        blob_lines: &[Oid],
    ) -> std::io::Result<()> {
        let mut tail_commits = std::mem::take(&mut self.tail_commits);
        tail_commits.extend_from_slice(commits);
        dedup(&mut tail_commits);
        let mut tail_blobs = std::mem::take(&mut self.tail_blobs);
        tail_blobs.extend_from_slice(blob_lines);
        dedup(&mut tail_blobs);
        let tail_file = tail_path(path);
        if let Some(stamp) = self.stamp
            && tail_commits.len() <= TAIL_COMMITS.max(self.base_commits / 8)
        {
            let records: Vec<&CommitInfo> = tail_commits
                .iter()
                .filter_map(|id| self.commits.get(id))
                .collect();
            let blobs = tail_blobs
                .iter()
                .filter_map(|blob| Some((*blob, *self.blob_lines.get(blob)?)));
            let payload = encode(stamp, &records, blobs, generated);
            if payload.len() <= self.base_bytes.max(1 << 20) {
                write(&tail_file, TAIL_KIND, &payload)?;
                self.tail_commits = tail_commits;
                self.tail_blobs = tail_blobs;
                return Ok(());
            }
        }
        // A new base with every commit; the old tail goes with the old base
        // (a tail naming another stamp would be ignored anyway).
        let stamp = new_stamp(self.stamp);
        let mut records: Vec<&CommitInfo> = self.commits.values().filter(|c| !c.boundary).collect();
        // The same history gives the same file.
        records.sort_unstable_by(|a, b| {
            (b.time.cmp(&a.time)).then_with(|| a.id.as_bytes().cmp(b.id.as_bytes()))
        });
        let blobs = self.blob_lines.iter().map(|(blob, lines)| (blob, *lines));
        let payload = encode(stamp, &records, blobs, generated);
        write(path, KIND, &payload)?;
        let _ = std::fs::remove_file(&tail_file);
        if let Some(dir) = path.parent() {
            for old in SUPERSEDED {
                let _ = std::fs::remove_file(dir.join(old));
            }
        }
        self.stamp = Some(stamp);
        self.base_commits = records.len();
        self.base_bytes = payload.len();
        Ok(())
    }
}

fn tail_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(TAIL_SUFFIX);
    path.with_file_name(name)
}

/// A cache file that exists but was not read says so at `-v` (the reason
/// is at `-vv`): the run is slower than it should be.
fn note_unusable(path: &Path) {
    if path.exists() {
        log::info!(
            "history cache {} is damaged, over the size cap or of another format: ignored, rebuilt by this run",
            path.display()
        );
    }
}

fn dedup(ids: &mut Vec<Oid>) {
    let mut seen = OidMap::default();
    ids.retain(|id| seen.insert(*id, ()).is_none());
}

/// A stamp unlike `previous`: a tail written for an older base never
/// matches a newer one.
fn new_stamp(previous: Option<u64>) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let stamp = nanos ^ (u64::from(std::process::id()) << 32);
    if Some(stamp) == previous {
        stamp.wrapping_add(1)
    } else {
        stamp
    }
}

fn write(path: &Path, kind: &str, payload: &[u8]) -> std::io::Result<()> {
    if payload.len() > crate::cache::MAX_BYTES {
        return Err(std::io::Error::other(format!(
            "{} bytes, over the cache's cap of {} MiB",
            payload.len(),
            crate::cache::MAX_BYTES >> 20
        )));
    }
    if crate::cache::write(path, kind, FORMAT, payload) {
        Ok(())
    } else {
        Err(std::io::Error::other("cannot write it (see -vv)"))
    }
}

/// Builds a payload: the stamp, the strings, the commits in chunks, the
/// blob line counts.
fn encode<'a>(
    stamp: u64,
    commits: &[&'a CommitInfo],
    blobs: impl Iterator<Item = (Oid, Option<u32>)>,
    generated: &GeneratedFiles,
) -> Vec<u8> {
    let mut strings: FxMap<&'a str, u32> = FxMap::default();
    let mut table: Vec<&'a str> = Vec::new();
    let mut is_path: Vec<bool> = Vec::new();
    let mut index = |text: &'a str, path: bool| -> u32 {
        let at = *strings.entry(text).or_insert_with(|| {
            table.push(text);
            is_path.push(false);
            (table.len() - 1) as u32
        });
        is_path[at as usize] |= path;
        at
    };
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    for chunk in commits.chunks(CHUNK) {
        let mut out = Vec::with_capacity(chunk.len() * 160);
        for commit in chunk {
            out.extend_from_slice(commit.id.as_bytes());
            out.extend_from_slice(&commit.time.to_le_bytes());
            put_u32(&mut out, commit.parents.len());
            for parent in &commit.parents {
                out.extend_from_slice(parent.as_bytes());
            }
            for text in [&commit.author_name, &commit.author_email, &commit.summary] {
                out.extend_from_slice(&index(text, false).to_le_bytes());
            }
            put_u32(&mut out, commit.files.len());
            for file in &commit.files {
                out.extend_from_slice(&index(&file.path, true).to_le_bytes());
                match file.lines {
                    Lines::Unknown => out.push(0),
                    Lines::Binary => out.push(1),
                    Lines::Generated => out.push(2),
                    Lines::Counted { added, removed } => {
                        out.push(3);
                        out.extend_from_slice(&added.to_le_bytes());
                        out.extend_from_slice(&removed.to_le_bytes());
                    }
                }
                // Zero ids (no blob, or dropped once counted) are left out.
                let flags = u8::from(!file.old.is_zero()) | u8::from(!file.new.is_zero()) << 1;
                out.push(flags);
                for blob in [file.old, file.new] {
                    if !blob.is_zero() {
                        out.extend_from_slice(blob.as_bytes());
                    }
                }
            }
        }
        chunks.push(out);
    }
    let size = table.iter().map(|s| s.len() + 5).sum::<usize>()
        + chunks.iter().map(|c| c.len() + 8).sum::<usize>();
    let mut out = Vec::with_capacity(size + 64);
    out.extend_from_slice(&stamp.to_le_bytes());
    put_u32(&mut out, table.len());
    for text in &table {
        put_u32(&mut out, text.len());
        out.extend_from_slice(text.as_bytes());
    }
    out.extend_from_slice(&generated.fingerprint().to_le_bytes());
    for (text, path) in table.iter().zip(&is_path) {
        out.push(if !path {
            NOT_A_PATH
        } else if generated.is_generated(text) {
            GENERATED_PATH
        } else {
            PATH
        });
    }
    put_u32(&mut out, chunks.len());
    for chunk in &chunks {
        out.extend_from_slice(&(chunk.len() as u64).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    let count_at = out.len();
    put_u32(&mut out, 0);
    let mut count = 0u32;
    for (blob, lines) in blobs {
        out.extend_from_slice(blob.as_bytes());
        out.extend_from_slice(&lines.unwrap_or(NO_LINES).to_le_bytes());
        count += 1;
    }
    out[count_at..count_at + 4].copy_from_slice(&count.to_le_bytes());
    out
}

fn put_u32(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

/// A decoded payload.
struct Decoded {
    stamp: u64,
    /// The string table, each string's kind and the fingerprint of the
    /// patterns that judged its paths.
    strings: Vec<Text>,
    kinds: Vec<u8>,
    fingerprint: u64,
    /// By chunk: concatenated, a long history's records were copied into
    /// a growing vector only to be moved into [`Commits`] next.
    commits: Vec<Vec<CommitInfo>>,
    blob_lines: Vec<(Oid, Option<u32>)>,
}

/// Reads a payload; `None` when any part of it is out of bounds or not
/// what was written (a damaged file), never a panic.
fn decode(bytes: &[u8]) -> Option<Decoded> {
    let mut at = Reader { bytes, at: 0 };
    let stamp = u64::from_le_bytes(at.take(8)?.try_into().ok()?);
    let count = at.u32()?;
    // Each string once, shared by every record that names it.
    let mut strings: Vec<Text> = Vec::with_capacity(count.min(bytes.len() / 4));
    for _ in 0..count {
        let len = at.u32()?;
        strings.push(std::str::from_utf8(at.take(len)?).ok()?.into());
    }
    let fingerprint = u64::from_le_bytes(at.take(8)?.try_into().ok()?);
    let kinds = at.take(strings.len())?.to_vec();
    if kinds.iter().any(|kind| *kind > GENERATED_PATH) {
        return None;
    }
    let chunks = at.u32()?;
    let mut slices = Vec::with_capacity(chunks.min(bytes.len() / 8));
    for _ in 0..chunks {
        let len = usize::try_from(u64::from_le_bytes(at.take(8)?.try_into().ok()?)).ok()?;
        slices.push(at.take(len)?);
    }
    let commits: Vec<Vec<CommitInfo>> = {
        use rayon::prelude::*;
        slices
            .par_iter()
            .map(|chunk| decode_chunk(chunk, &strings))
            .collect::<Option<_>>()?
    };
    let count = at.u32()?;
    let mut blob_lines = Vec::with_capacity(count.min(bytes.len() / 24));
    for _ in 0..count {
        let blob = at.id()?;
        let lines = at.u32()?;
        blob_lines.push((blob, (lines != NO_LINES as usize).then_some(lines as u32)));
    }
    (at.at == bytes.len()).then_some(Decoded {
        stamp,
        strings,
        kinds,
        fingerprint,
        commits,
        blob_lines,
    })
}

fn decode_chunk(chunk: &[u8], strings: &[Text]) -> Option<Vec<CommitInfo>> {
    let mut at = Reader {
        bytes: chunk,
        at: 0,
    };
    let string = |index: usize| strings.get(index).cloned();
    let mut commits = Vec::with_capacity(CHUNK.min(chunk.len() / 64));
    while at.at < chunk.len() {
        let id = at.id()?;
        let time = i64::from_le_bytes(at.take(8)?.try_into().ok()?);
        let parents = at.u32()?;
        let parents = (0..parents)
            .map(|_| at.id())
            .collect::<Option<Vec<Oid>>>()?;
        let author_name = string(at.u32()?)?;
        let author_email = string(at.u32()?)?;
        let summary = string(at.u32()?)?;
        let count = at.u32()?;
        let mut files = Vec::with_capacity(count.min(chunk.len() / 6));
        for _ in 0..count {
            let path = string(at.u32()?)?;
            let lines = match at.take(1)?[0] {
                0 => Lines::Unknown,
                1 => Lines::Binary,
                2 => Lines::Generated,
                3 => Lines::Counted {
                    added: at.u32()? as u32,
                    removed: at.u32()? as u32,
                },
                _ => return None,
            };
            let flags = at.take(1)?[0];
            if flags > 3 {
                return None;
            }
            let mut blob = |bit: u8| match flags & bit {
                0 => Some(Oid::ZERO_SHA1),
                _ => at.id(),
            };
            let old = blob(1)?;
            let new = blob(2)?;
            files.push(FileChange {
                path,
                old,
                new,
                lines,
            });
        }
        commits.push(CommitInfo {
            id,
            parents,
            time,
            author_name,
            author_email,
            summary,
            boundary: false,
            files,
        });
    }
    Some(commits)
}

/// A cursor over a payload; every read is bounds-checked.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(len)?;
        let slice = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(slice)
    }

    fn u32(&mut self) -> Option<usize> {
        let bytes = self.take(4)?;
        Some(u32::from_le_bytes(bytes.try_into().ok()?) as usize)
    }

    fn id(&mut self) -> Option<Oid> {
        Oid::from_bytes(self.take(20)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in generated-file patterns only.
    fn plain() -> GeneratedFiles {
        GeneratedFiles::new(&[]).unwrap()
    }

    fn id(hex: char) -> Oid {
        Oid::from_str(&hex.to_string().repeat(40)).unwrap()
    }

    fn odd_commit() -> CommitInfo {
        CommitInfo {
            id: Oid::from_str("0123456789abcdef0123456789abcdef01234567").unwrap(),
            parents: vec![id('a'), id('b')],
            time: 1_700_000_000,
            author_name: "Zoë \\ Tab\tName".into(),
            author_email: "z@example.com".into(),
            summary: "fix: a\tb".into(),
            boundary: false,
            files: vec![
                FileChange {
                    path: "dir/with\ttab.go".into(),
                    old: Oid::ZERO_SHA1,
                    new: id('1'),
                    lines: Lines::Unknown,
                },
                FileChange {
                    path: "counted.go".into(),
                    old: Oid::ZERO_SHA1,
                    new: Oid::ZERO_SHA1,
                    lines: Lines::Counted {
                        added: 3,
                        removed: 1,
                    },
                },
                FileChange {
                    path: "logo.png".into(),
                    old: Oid::ZERO_SHA1,
                    new: Oid::ZERO_SHA1,
                    lines: Lines::Binary,
                },
            ],
        }
    }

    fn root_commit(hex: char) -> CommitInfo {
        CommitInfo {
            id: id(hex),
            parents: Vec::new(),
            time: 1,
            author_name: "Ada".into(),
            author_email: "ada@example.com".into(),
            summary: "".into(),
            boundary: false,
            files: Vec::new(),
        }
    }

    fn stored(cache: &Cache, id: &Oid) -> CommitInfo {
        cache.commits[id].clone()
    }

    #[test]
    fn round_trips_odd_text() {
        let commit = odd_commit();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trellis").join(FILE_NAME);
        let mut cache = Cache::load(&path, &plain());
        cache.commits.insert(commit.id, commit.clone());
        cache.blob_lines.insert(id('5'), Some(12));
        cache.blob_lines.insert(id('6'), None);
        cache
            .append(&path, &plain(), &[commit.id], &[id('5'), id('6')])
            .unwrap();
        let cache = Cache::load(&path, &plain());
        assert_eq!(stored(&cache, &commit.id), commit);
        assert_eq!(cache.commits.len(), 1);
        assert_eq!(cache.blob_lines.get(&id('5')), Some(&Some(12)));
        assert_eq!(cache.blob_lines.get(&id('6')), Some(&None));
    }

    /// The paths' answers come back for the patterns that made them, and
    /// only for those: other patterns ask the globs again.
    #[test]
    fn paths_keep_their_generated_answers_under_the_same_patterns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let mut commit = root_commit('c');
        commit.summary = "fix things".into();
        for (at, file) in ["vendor/x.go", "svc/main.go"].into_iter().enumerate() {
            commit.files.push(FileChange {
                path: file.into(),
                old: Oid::ZERO_SHA1,
                new: id(char::from(b'1' + at as u8)),
                lines: Lines::Unknown,
            });
        }
        let mut cache = Cache::load(&path, &plain());
        cache.commits.insert(commit.id, commit.clone());
        cache.append(&path, &plain(), &[commit.id], &[]).unwrap();
        let answers = |cache: &Cache| -> Vec<Option<bool>> {
            let stored = &cache.commits[&commit.id];
            let mut answers: Vec<Option<bool>> = stored
                .files
                .iter()
                .map(|f| cache.answers.get(&f.path))
                .collect();
            answers.push(cache.answers.get(&stored.summary));
            // Equal text elsewhere is no text of the cache.
            answers.push(cache.answers.get(&String::from("svc/main.go")));
            answers
        };
        let cache = Cache::load(&path, &plain());
        assert_eq!(answers(&cache), [Some(true), Some(false), None, None]);
        let svc = GeneratedFiles::new(&[crate::policy::Glob::new("svc/**")]).unwrap();
        let other = Cache::load(&path, &svc);
        assert_eq!(other.commits.len(), 1);
        assert_eq!(answers(&other), [None, None, None, None]);

        // A tail judged by other patterns keeps its own answers apart.
        let mut cache = Cache::load(&path, &svc);
        let mut later = root_commit('d');
        later.files = vec![FileChange {
            path: "svc/main.go".into(),
            old: id('2'),
            new: id('3'),
            lines: Lines::Unknown,
        }];
        cache.commits.insert(later.id, later.clone());
        cache.append(&path, &svc, &[later.id], &[]).unwrap();
        let cache = Cache::load(&path, &plain());
        assert_eq!(answers(&cache), [Some(true), Some(false), None, None]);
        let tail_file = &cache.commits[&later.id].files[0].path;
        assert_eq!(cache.answers.get(tail_file), None);
        let cache = Cache::load(&path, &svc);
        let tail_file = &cache.commits[&later.id].files[0].path;
        assert_eq!(cache.answers.get(tail_file), Some(true));
    }

    #[test]
    fn a_rerun_writes_a_tail_and_later_records_win() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let mut cache = Cache::load(&path, &plain());
        let first = root_commit('c');
        cache.commits.insert(first.id, first.clone());
        cache.append(&path, &plain(), &[first.id], &[]).unwrap();
        let base = std::fs::read(&path).unwrap();
        assert!(!tail_path(&path).exists());

        let mut cache = Cache::load(&path, &plain());
        let mut updated = first.clone();
        updated.summary = "counted later".into();
        let second = root_commit('d');
        for c in [&updated, &second] {
            cache.commits.insert(c.id, (*c).clone());
        }
        cache
            .append(&path, &plain(), &[updated.id, second.id], &[])
            .unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), base, "the base is kept");
        assert!(tail_path(&path).exists());
        let mut cache = Cache::load(&path, &plain());
        assert_eq!(cache.commits.len(), 2);
        assert_eq!(cache.commits[&first.id].summary, "counted later".into());

        // The next tail carries the earlier tail's records too.
        let third = root_commit('e');
        cache.commits.insert(third.id, third.clone());
        cache.append(&path, &plain(), &[third.id], &[]).unwrap();
        let cache = Cache::load(&path, &plain());
        assert_eq!(cache.commits.len(), 3);
        assert_eq!(cache.commits[&first.id].summary, "counted later".into());
        assert_eq!(std::fs::read(&path).unwrap(), base);
    }

    #[test]
    fn a_tail_of_another_base_is_ignored_and_a_grown_tail_folds_into_a_new_base() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let mut cache = Cache::load(&path, &plain());
        let first = root_commit('c');
        cache.commits.insert(first.id, first.clone());
        cache.append(&path, &plain(), &[first.id], &[]).unwrap();
        let mut cache = Cache::load(&path, &plain());
        let second = root_commit('d');
        cache.commits.insert(second.id, second.clone());
        cache.append(&path, &plain(), &[second.id], &[]).unwrap();
        let tail = std::fs::read(tail_path(&path)).unwrap();

        // Another run rebuilt the base: the old tail names the old one.
        std::fs::remove_file(&path).unwrap();
        let mut cache = Cache::load(&path, &plain());
        cache.commits.insert(first.id, first.clone());
        cache.append(&path, &plain(), &[first.id], &[]).unwrap();
        std::fs::write(tail_path(&path), &tail).unwrap();
        let cache = Cache::load(&path, &plain());
        assert_eq!(cache.commits.len(), 1, "the stale tail is not read");

        let mut cache = Cache::load(&path, &plain());
        let many: Vec<CommitInfo> = (0..TAIL_COMMITS as u32 + 1)
            .map(|i| numbered(i, ""))
            .collect();
        for c in &many {
            cache.commits.insert(c.id, c.clone());
        }
        let ids: Vec<Oid> = many.iter().map(|c| c.id).collect();
        cache.append(&path, &plain(), &ids, &[]).unwrap();
        assert!(!tail_path(&path).exists(), "folded into the base");
        assert_eq!(Cache::load(&path, &plain()).commits.len(), many.len() + 1);
    }

    fn numbered(i: u32, summary: &str) -> CommitInfo {
        let mut c = root_commit('0');
        c.id = Oid::from_str(&format!("{:040x}", u64::from(i) + 1)).unwrap();
        c.summary = format!("commit {i} {summary}").into();
        c.files = vec![FileChange {
            path: format!("svc/{}/main.go", i % 7).into(),
            old: id('a'),
            new: Oid::ZERO_SHA1,
            lines: Lines::Counted {
                added: i,
                removed: 2,
            },
        }];
        c
    }

    #[test]
    fn a_large_history_decodes_in_chunks_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let mut cache = Cache::load(&path, &plain());
        let commits: Vec<CommitInfo> = (0..3 * CHUNK as u32 + 5)
            .map(|i| numbered(i, &"x".repeat(40)))
            .collect();
        for c in &commits {
            cache.commits.insert(c.id, c.clone());
        }
        let ids: Vec<Oid> = commits.iter().map(|c| c.id).collect();
        cache.append(&path, &plain(), &ids, &[]).unwrap();
        let loaded = Cache::load(&path, &plain());
        assert_eq!(loaded.commits.len(), commits.len());
        for c in [&commits[0], &commits[CHUNK], &commits[commits.len() - 1]] {
            assert_eq!(&stored(&loaded, &c.id), c);
        }
    }

    #[test]
    fn damaged_or_foreign_files_are_ignored_and_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let mut cache = Cache::load(&path, &plain());
        let commit = odd_commit();
        cache.commits.insert(commit.id, commit.clone());
        cache.blob_lines.insert(id('5'), Some(3));
        cache
            .append(&path, &plain(), &[commit.id], &[id('5')])
            .unwrap();
        let good = std::fs::read(&path).unwrap();
        let header = good.iter().position(|b| *b == b'\n').unwrap() + 1;
        // Every cut and every flipped byte of the payload is a miss or a
        // cache that still decodes; never a panic.
        for len in header..good.len() {
            let mut cut = good[..len].to_vec();
            cut.extend(std::iter::repeat_n(0, good.len() - len));
            std::fs::write(&path, &cut).unwrap();
            let _ = Cache::load(&path, &plain());
        }
        for at in header..good.len() {
            let mut flipped = good.clone();
            flipped[at] ^= 0xff;
            std::fs::write(&path, &flipped).unwrap();
            let _ = Cache::load(&path, &plain());
        }
        // Another format version is not read; the next write rebuilds it.
        let text = String::from_utf8_lossy(&good[..header]).replace(" v4 ", " v3 ");
        let mut older = text.into_bytes();
        older.extend_from_slice(&good[header..]);
        std::fs::write(&path, &older).unwrap();
        let mut cache = Cache::load(&path, &plain());
        assert!(cache.commits.is_empty());
        assert_eq!(cache.stamp, None);
        cache.commits.insert(commit.id, commit.clone());
        cache.append(&path, &plain(), &[commit.id], &[]).unwrap();
        assert_eq!(stored(&Cache::load(&path, &plain()), &commit.id), commit);
        // The text format of the second version is not read either.
        std::fs::write(
            &path,
            format!("trellis-score-history 2\nc {} 1 -\ta\tb\ts\ne\n", id('c')),
        )
        .unwrap();
        assert!(Cache::load(&path, &plain()).commits.is_empty());
        assert!(decode(b"short").is_none());
    }

    #[test]
    fn a_cache_over_the_cap_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let mut cache = Cache::load(&path, &plain());
        let mut commit = root_commit('c');
        commit.summary = "x".repeat(crate::cache::MAX_BYTES).into();
        cache.commits.insert(commit.id, commit.clone());
        let error = cache
            .append(&path, &plain(), &[commit.id], &[])
            .unwrap_err();
        assert!(
            error.to_string().contains("over the cache's cap"),
            "{error}"
        );
        assert!(!path.exists());
    }
}
