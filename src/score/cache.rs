//! The per-commit cache of the history scan. A commit never changes, so what
//! was read for it once (its parents, files, blobs and line counts) is kept
//! by commit id in `.git/trellis/score-history-v2`, a line-oriented text file
//! that runs only append to:
//!
//! ```text
//! trellis-score-history 2
//! c <id> <committer-time> <parent ids, comma-separated, or ->\t<author name>\t<author email>\t<summary>
//! f <lines>\t<old blob>\t<new blob>\t<path>     (empty: no blob, or lines counted)
//! e
//! l <blob> <lines, or - for a binary or generated blob>
//! ```
//!
//! `<lines>` is `-` (not counted), `b` (binary), `g` (generated) or
//! `added,removed`. Text fields escape `\\`, tab and newline. A commit's
//! record counts once its `e` line is there, so an append cut short by a
//! crash loses only that record; a later record of the same commit (its
//! lines counted after `score.churn` was turned on) replaces the earlier one.
//! When superseded records outweigh live ones, or the file does not parse,
//! the next write rewrites it whole (atomically).
//!
//! The parents are there so that a re-run walks the cached part of the
//! history from the cache alone, without reading commits from git.

use super::scan::{CommitInfo, FileChange, Lines, OidMap};
use git2::Oid;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

pub const FILE_NAME: &str = "score-history-v2";
const HEADER: &str = "trellis-score-history 2";

#[derive(Debug, Default)]
pub struct Cache {
    pub commits: OidMap<CommitInfo>,
    /// Lines of blobs at the end of a window (for hotspots); `None` for a
    /// binary or generated blob.
    pub blob_lines: OidMap<Option<u32>>,
    /// Complete commit records in the file (superseded ones included).
    records: usize,
    /// The file is missing, damaged or ends in a torn record: the next
    /// write replaces it instead of appending.
    rewrite: bool,
}

impl Cache {
    /// Reads the cache; a missing or damaged file gives an empty cache.
    pub fn load(path: &Path) -> Cache {
        let Ok(text) = std::fs::read_to_string(path) else {
            return Cache {
                rewrite: true,
                ..Cache::default()
            };
        };
        parse(&text).unwrap_or(Cache {
            rewrite: true,
            ..Cache::default()
        })
    }

    /// Records new or updated commits and blob line counts (`self`
    /// already holds them): appended to the file, or the whole file
    /// rewritten when it was damaged or mostly superseded records.
    pub fn append(
        &mut self,
        path: &Path,
        commits: &[CommitInfo],
        blob_lines: &[Oid],
    ) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let live = self.commits.values().filter(|c| !c.boundary).count();
        let superseded = (self.records + commits.len()).saturating_sub(live);
        if self.rewrite || superseded > live.max(1024) {
            let mut out = String::with_capacity(64 * live + HEADER.len() + 1);
            out.push_str(HEADER);
            out.push('\n');
            for commit in self.commits.values().filter(|c| !c.boundary) {
                write_commit(&mut out, commit);
            }
            for (blob, lines) in self.blob_lines.iter() {
                write_lines(&mut out, blob, *lines);
            }
            crate::fsutil::write_atomic(path, out.as_bytes())?;
            // The first format's file, superseded by this one.
            if let Some(dir) = path.parent() {
                let _ = std::fs::remove_file(dir.join("score-history-v1"));
            }
            self.records = live;
            self.rewrite = false;
            return Ok(());
        }
        let mut out = String::with_capacity(128 * commits.len());
        for commit in commits {
            write_commit(&mut out, commit);
        }
        for blob in blob_lines {
            if let Some(lines) = self.blob_lines.get(blob) {
                write_lines(&mut out, *blob, *lines);
            }
        }
        // One write with O_APPEND: another run appending at the same time
        // does not interleave inside it.
        let mut file = std::fs::OpenOptions::new().append(true).open(path)?;
        file.write_all(out.as_bytes())?;
        self.records += commits.len();
        Ok(())
    }
}

/// Parses the file in two halves on two threads (a long history's cache is
/// megabytes), split where a commit record starts; records of the second
/// half replace those of the first, as later records do.
fn parse(text: &str) -> Option<Cache> {
    let body = text.strip_prefix(HEADER)?.strip_prefix('\n')?;
    let split = body
        .get(body.len() / 2..)
        .and_then(|tail| tail.find("\nc "))
        .map(|at| body.len() / 2 + at + 1);
    let Some(split) = split.filter(|_| body.len() > 1 << 20) else {
        return parse_part(body, true);
    };
    let (first, second) = rayon::join(
        || parse_part(&body[..split], false),
        || parse_part(&body[split..], true),
    );
    let (mut cache, second) = (first?, second?);
    for (id, commit) in second.commits.into_parts() {
        cache.commits.insert(id, commit);
    }
    for (blob, lines) in second.blob_lines.into_parts() {
        cache.blob_lines.insert(blob, lines);
    }
    cache.records += second.records;
    cache.rewrite = second.rewrite;
    Some(cache)
}

/// One part of the file; only the last part may end in a torn record.
fn parse_part(text: &str, last: bool) -> Option<Cache> {
    let lines = text.lines();
    let mut cache = Cache::default();
    // Sized up front (a commit record is rarely under 200 bytes): growing a
    // map of 50,000 commits moves each many times.
    cache.commits.reserve(text.len() / 200);
    let mut current: Option<CommitInfo> = None;
    for line in lines {
        let (kind, rest) = line.split_at_checked(2).unwrap_or((line, ""));
        match kind {
            "c " => {
                let mut fields = rest.split(is_tab);
                let mut head = fields.next()?.split(' ');
                let id = parse_oid(head.next()?)?;
                let time = head.next()?.parse().ok()?;
                let parents = match head.next()? {
                    "-" => Vec::new(),
                    list => list.split(',').map(parse_oid).collect::<Option<Vec<_>>>()?,
                };
                current = Some(CommitInfo {
                    id,
                    parents,
                    time,
                    author_name: unescape(fields.next()?),
                    author_email: unescape(fields.next()?),
                    summary: unescape(fields.next()?),
                    boundary: false,
                    files: Vec::new(),
                });
            }
            "f " => {
                let mut parts = rest.splitn(4, is_tab);
                let lines = match parts.next()? {
                    "-" => Lines::Unknown,
                    "b" => Lines::Binary,
                    "g" => Lines::Generated,
                    counts => {
                        let (added, removed) = counts.split_once(',')?;
                        Lines::Counted {
                            added: added.parse().ok()?,
                            removed: removed.parse().ok()?,
                        }
                    }
                };
                let old = blob_id(parts.next()?)?;
                let new = blob_id(parts.next()?)?;
                let path = unescape(parts.next()?);
                current.as_mut()?.files.push(FileChange {
                    path,
                    old,
                    new,
                    lines,
                });
            }
            "l " if current.is_none() => {
                let (blob, lines) = rest.split_once(' ')?;
                let lines = match lines {
                    "-" => None,
                    n => Some(n.parse().ok()?),
                };
                cache.blob_lines.insert(parse_oid(blob)?, lines);
            }
            "e" => {
                let done = current.take()?;
                cache.commits.insert(done.id, done);
                cache.records += 1;
            }
            _ => return None,
        }
    }
    // A record without its end line: an append cut short.
    let torn = current.is_some() || (!text.is_empty() && !text.ends_with('\n'));
    if torn && !last {
        return None;
    }
    cache.rewrite = torn;
    Some(cache)
}

fn write_lines(out: &mut String, blob: Oid, lines: Option<u32>) {
    let _ = match lines {
        Some(n) => writeln!(out, "l {blob} {n}"),
        None => writeln!(out, "l {blob} -"),
    };
}

fn write_commit(out: &mut String, commit: &CommitInfo) {
    let _ = write!(out, "c {} {} ", commit.id, commit.time);
    if commit.parents.is_empty() {
        out.push('-');
    }
    for (i, parent) in commit.parents.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{parent}");
    }
    for field in [&commit.author_name, &commit.author_email, &commit.summary] {
        out.push('\t');
        push_escaped(out, field);
    }
    out.push('\n');
    for file in &commit.files {
        let _ = match file.lines {
            Lines::Unknown => write!(out, "f -\t"),
            Lines::Binary => write!(out, "f b\t"),
            Lines::Generated => write!(out, "f g\t"),
            Lines::Counted { added, removed } => write!(out, "f {added},{removed}\t"),
        };
        // Blob ids are needed to count lines later and, for contract
        // files, to rebuild a commit's protos (see `forget_counted_blobs`);
        // zero ids, and those dropped once counted, are written empty.
        for blob in [file.old, file.new] {
            if !blob.is_zero() {
                let _ = write!(out, "{blob}");
            }
            out.push('\t');
        }
        push_escaped(out, &file.path);
        out.push('\n');
    }
    out.push_str("e\n");
}

/// 40 hex digits: decoded here rather than through libgit2, which showed in
/// the profile of loading 50,000 commits.
fn parse_oid(hex: &str) -> Option<Oid> {
    let hex = hex.as_bytes();
    if hex.len() != 40 {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let mut bytes = [0u8; 20];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = digit(hex[2 * i])? << 4 | digit(hex[2 * i + 1])?;
    }
    Oid::from_bytes(&bytes).ok()
}

/// A blob id, or zero when the cache dropped it (see [`save`]).
fn blob_id(text: &str) -> Option<Oid> {
    if text.is_empty() {
        Some(Oid::ZERO_SHA1)
    } else {
        parse_oid(text)
    }
}

fn push_escaped(out: &mut String, text: &str) {
    if !text.contains(['\\', '\t', '\n', '\r']) {
        out.push_str(text);
        return;
    }
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// Splits on tabs: a closure pattern scans bytes, where a `char` pattern
/// calls memchr and memcmp per match (it showed in a cached run's profile).
fn is_tab(c: char) -> bool {
    c == '\t'
}

fn unescape(text: &str) -> String {
    if !text.as_bytes().contains(&b'\\') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
            summary: String::new(),
            boundary: false,
            files: Vec::new(),
        }
    }

    #[test]
    fn round_trips_odd_text() {
        let commit = odd_commit();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trellis").join(FILE_NAME);
        let mut cache = Cache::load(&path);
        cache.commits.insert(commit.id, commit.clone());
        cache.blob_lines.insert(id('5'), Some(12));
        cache.blob_lines.insert(id('6'), None);
        cache
            .append(&path, std::slice::from_ref(&commit), &[id('5'), id('6')])
            .unwrap();
        let cache = Cache::load(&path);
        assert_eq!(cache.commits.get(&commit.id), Some(&commit));
        assert_eq!(cache.commits.len(), 1);
        assert_eq!(cache.blob_lines.get(&id('5')), Some(&Some(12)));
        assert_eq!(cache.blob_lines.get(&id('6')), Some(&None));
    }

    #[test]
    fn appends_and_later_records_win() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let mut cache = Cache::load(&path);
        let first = root_commit('c');
        cache.commits.insert(first.id, first.clone());
        cache
            .append(&path, std::slice::from_ref(&first), &[])
            .unwrap();
        let size = std::fs::metadata(&path).unwrap().len();

        let mut cache = Cache::load(&path);
        let mut updated = first.clone();
        updated.summary = "counted later".into();
        let second = root_commit('d');
        for c in [&updated, &second] {
            cache.commits.insert(c.id, (*c).clone());
        }
        cache
            .append(&path, &[updated.clone(), second.clone()], &[])
            .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.len() as u64 > size);
        assert_eq!(
            text.matches("\ne\n").count(),
            3,
            "appended, not rewritten: {text}"
        );
        let cache = Cache::load(&path);
        assert_eq!(cache.commits.len(), 2);
        assert_eq!(cache.commits[&first.id].summary, "counted later");
        assert_eq!(cache.records, 3);
    }

    #[test]
    fn a_torn_append_loses_only_its_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let mut cache = Cache::load(&path);
        let first = root_commit('c');
        cache.commits.insert(first.id, first.clone());
        cache
            .append(&path, std::slice::from_ref(&first), &[])
            .unwrap();
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str(&format!(
            "c {} 5 -\tBob\tbob@example.com\ts\nf 1,0\t\t\tx.go",
            id('d')
        ));
        std::fs::write(&path, &text).unwrap();

        let mut cache = Cache::load(&path);
        let ids: Vec<Oid> = cache.commits.iter().map(|(id, _)| id).collect();
        assert_eq!(ids, [first.id]);
        assert!(cache.rewrite, "a torn tail makes the next write a rewrite");
        let second = root_commit('e');
        cache.commits.insert(second.id, second.clone());
        cache
            .append(&path, std::slice::from_ref(&second), &[])
            .unwrap();
        let cache = Cache::load(&path);
        assert_eq!(cache.commits.len(), 2);
        assert!(!cache.rewrite);
    }

    #[test]
    fn a_large_file_parses_in_halves_and_later_records_still_win() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let mut cache = Cache::load(&path);
        let commits: Vec<CommitInfo> = (0..8000u32)
            .map(|i| {
                let mut c = root_commit('0');
                let hex = format!("{i:040x}");
                c.id = Oid::from_str(&hex).unwrap();
                c.summary = format!("commit {i} {}", "x".repeat(120));
                c
            })
            .collect();
        for c in &commits {
            cache.commits.insert(c.id, c.clone());
        }
        cache.append(&path, &commits, &[]).unwrap();
        let mut first = commits[0].clone();
        first.summary = "counted later".into();
        cache.commits.insert(first.id, first.clone());
        cache
            .append(&path, std::slice::from_ref(&first), &[])
            .unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() > 1 << 20);

        let loaded = Cache::load(&path);
        assert_eq!(loaded.commits.len(), 8000);
        assert_eq!(loaded.records, 8001);
        assert!(!loaded.rewrite);
        assert_eq!(loaded.commits[&first.id].summary, "counted later");
        assert_eq!(loaded.commits[&commits[7999].id], commits[7999]);
    }

    #[test]
    fn damaged_file_is_ignored() {
        assert!(parse("trellis-score-history 2\nc nothex 1 -\ta\tb\ts\ne\n").is_none());
        assert!(parse("trellis-score-history 1\nc 1 2\n").is_none());
        assert!(parse("something else\n").is_none());
        assert_eq!(
            parse_oid(&"aB".repeat(20)),
            Oid::from_str(&"ab".repeat(20)).ok()
        );
        assert!(parse_oid(&"g".repeat(40)).is_none());
        assert!(parse_oid("abc").is_none());
        assert!(
            parse("trellis-score-history 2\nf -\t\t\tx\n").is_none(),
            "a file outside a commit"
        );
    }
}
