//! The per-commit cache of the history scan. A commit never changes, so what
//! was read for it once (its files, blobs and line counts) is kept by commit
//! id in `.git/trellis/score-history-v1`, a line-oriented text file:
//!
//! ```text
//! trellis-score-history 1
//! c <id> <parents> <committer-time>
//! a <author name>\t<author email>
//! s <summary>
//! f <path>\t<old blob>\t<new blob>\t<lines>     (blobs empty once lines are counted)
//! ```
//!
//! `<lines>` is `-` (not counted), `b` (binary), `g` (generated) or `added,removed`. Text
//! fields escape `\\`, tab and newline. A file that does not parse is ignored
//! (the scan reads everything again and rewrites it).

use super::scan::{CommitInfo, FileChange, Lines};
use git2::Oid;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

pub const FILE_NAME: &str = "score-history-v1";
const HEADER: &str = "trellis-score-history 1";

#[derive(Debug, Default)]
pub struct Cache {
    pub commits: HashMap<Oid, CommitInfo>,
}

impl Cache {
    /// Reads the cache; a missing or damaged file gives an empty cache.
    pub fn load(path: &Path) -> Cache {
        let Ok(text) = std::fs::read_to_string(path) else {
            return Cache::default();
        };
        parse(&text).unwrap_or_default()
    }
}

fn parse(text: &str) -> Option<Cache> {
    let mut lines = text.lines();
    if lines.next()? != HEADER {
        return None;
    }
    let mut commits = HashMap::new();
    let mut current: Option<CommitInfo> = None;
    for line in lines {
        let (kind, rest) = line.split_at_checked(2)?;
        match kind {
            "c " => {
                if let Some(done) = current.take() {
                    commits.insert(done.id, done);
                }
                let mut parts = rest.split(' ');
                let id = Oid::from_str(parts.next()?).ok()?;
                let parents = parts.next()?.parse().ok()?;
                let time = parts.next()?.parse().ok()?;
                current = Some(CommitInfo {
                    id,
                    parents,
                    time,
                    author_name: String::new(),
                    author_email: String::new(),
                    summary: String::new(),
                    boundary: false,
                    files: Vec::new(),
                });
            }
            "a " => {
                let commit = current.as_mut()?;
                let (name, email) = rest.split_once('\t')?;
                commit.author_name = unescape(name);
                commit.author_email = unescape(email);
            }
            "s " => current.as_mut()?.summary = unescape(rest),
            "f " => {
                let mut parts = rest.split('\t');
                let path = unescape(parts.next()?);
                let old = blob_id(parts.next()?)?;
                let new = blob_id(parts.next()?)?;
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
                current.as_mut()?.files.push(FileChange {
                    path,
                    old,
                    new,
                    lines,
                });
            }
            _ => return None,
        }
    }
    if let Some(done) = current.take() {
        commits.insert(done.id, done);
    }
    Some(Cache { commits })
}

/// Writes the cache atomically (a crash leaves the old file).
pub fn save<'a>(
    path: &Path,
    commits: impl IntoIterator<Item = &'a CommitInfo>,
) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut out = String::with_capacity(1 << 20);
    out.push_str(HEADER);
    out.push('\n');
    for commit in commits {
        let _ = writeln!(out, "c {} {} {}", commit.id, commit.parents, commit.time);
        let _ = writeln!(
            out,
            "a {}\t{}",
            escape(&commit.author_name),
            escape(&commit.author_email)
        );
        let _ = writeln!(out, "s {}", escape(&commit.summary));
        for file in &commit.files {
            let lines = match file.lines {
                Lines::Unknown => "-".to_string(),
                Lines::Binary => "b".to_string(),
                Lines::Generated => "g".to_string(),
                Lines::Counted { added, removed } => format!("{added},{removed}"),
            };
            // Blob ids are only needed to count lines later; once counted
            // they are dropped, which keeps the file about a third the size.
            if file.lines == Lines::Unknown {
                let _ = writeln!(
                    out,
                    "f {}\t{}\t{}\t{lines}",
                    escape(&file.path),
                    file.old,
                    file.new
                );
            } else {
                let _ = writeln!(out, "f {}\t\t\t{lines}", escape(&file.path));
            }
        }
    }
    crate::fsutil::write_atomic(path, out.as_bytes())
}

/// A blob id, or zero when the cache dropped it (see [`save`]).
fn blob_id(text: &str) -> Option<Oid> {
    if text.is_empty() {
        Some(Oid::ZERO_SHA1)
    } else {
        Oid::from_str(text).ok()
    }
}

fn escape(text: &str) -> String {
    if !text.contains(['\\', '\t', '\n', '\r']) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

fn unescape(text: &str) -> String {
    if !text.contains('\\') {
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

    #[test]
    fn round_trips_odd_text() {
        let commit = CommitInfo {
            id: Oid::from_str("0123456789abcdef0123456789abcdef01234567").unwrap(),
            parents: 1,
            time: 1_700_000_000,
            author_name: "Zoë \\ Tab\tName".into(),
            author_email: "z@example.com".into(),
            summary: "fix: a\tb".into(),
            boundary: false,
            files: vec![
                FileChange {
                    path: "dir/with\ttab.go".into(),
                    old: Oid::ZERO_SHA1,
                    new: Oid::from_str("1111111111111111111111111111111111111111").unwrap(),
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
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trellis").join(FILE_NAME);
        save(&path, [&commit]).unwrap();
        let cache = Cache::load(&path);
        assert_eq!(cache.commits.get(&commit.id), Some(&commit));
    }

    #[test]
    fn damaged_file_is_ignored() {
        assert!(parse("trellis-score-history 1\nc nothex 1 2\n").is_none());
        assert!(parse("something else\n").is_none());
    }
}
