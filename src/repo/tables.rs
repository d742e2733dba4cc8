//! Which database tables each service names: in `.sql` files (migrations) and
//! in SQL held in Go and Rust string literals. `lint`'s `arch-shared-table`
//! and `score`'s data coupling both read these facts.
//!
//! Decisions, so that callers can rely on them:
//! - Table names are lowercased (PostgreSQL folds unquoted names; quoted names
//!   that differ only in case are rare enough to merge).
//! - The default schema is dropped: `public.users` is `users`. Other schemas are
//!   kept (`billing.invoices`), because a table in another schema is another table.
//!   System catalogs (`pg_catalog`, `information_schema`, `pg_*`) are never reported.
//! - A string literal is SQL only when it starts with a SQL verb (`SELECT`,
//!   `INSERT`, `UPDATE`, `DELETE`, `WITH`, `CREATE`, `ALTER`); a `.sql` file is
//!   SQL throughout. Go literals joined with `+` are read as one string.
//! - `Define` is `CREATE TABLE`, `ALTER TABLE`, `DROP TABLE` and `CREATE INDEX ... ON`:
//!   statements only the owner of a table runs. `REFERENCES` (a foreign key) is a
//!   `Read`: the referencing service depends on the other table's rows.
//! - Names of common table expressions and derived tables (subqueries) are not
//!   tables; names built at run time (`FROM %s`, `FROM users_` + suffix) are skipped.
//! - `.sql` files under test directories (`test/`, `tests/`, `testdata/`,
//!   `fixtures/`, `e2e/`) are test input, not a database's schema: a streaming
//!   engine's `CREATE TABLE t WITH (connector = ...)` queries define no table.
//! - `service` is the name of the service owning the file, "" outside every service.

mod cache;

use super::Repo;
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::Path;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub(crate) enum TableAccess {
    Read,
    Write,
    /// CREATE / ALTER / DROP TABLE, CREATE INDEX: what the table's owner does.
    Define,
}

#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub(crate) struct TableUse {
    /// Lowercased; `public.` dropped, other schemas kept (`billing.invoices`).
    pub(crate) table: String,
    /// The service owning the file, "" when the file is in none.
    pub(crate) service: String,
    /// Relative to the repository root, `/`-separated.
    pub(crate) path: String,
    /// 1-based line and column (in characters) of the table name in the file.
    pub(crate) line: u32,
    pub(crate) column: u32,
    pub(crate) access: TableAccess,
}

/// Every table use in the work tree's `.sql`, `.go` and `.rs` files, in file order.
/// Files that cannot be read or are not UTF-8 are left out (lint reports those).
#[cfg(test)]
pub(crate) fn table_uses(repo: &Repo) -> Vec<TableUse> {
    table_uses_cached(repo, None)
}

/// [`table_uses`], keeping each file's uses in the cache file `cache`
/// between runs: a file whose stat shows it unchanged is not read again
/// (see [`cache`]). The result is the same with or without the cache.
pub(crate) fn table_uses_cached(repo: &Repo, cache: Option<&Path>) -> Vec<TableUse> {
    let started_ns = cache::now_ns();
    let root = repo.root.to_string_lossy();
    let recorded = cache.map(|file| cache::load(file, &root));
    let files: Vec<&str> = repo.files_with_extension(&["sql", "go", "rs"]).collect();
    // Per file: its uses (service left empty), its stat when it has one, and
    // whether it was read now.
    let found: Vec<(&str, Option<cache::Stored>, Vec<TableUse>, bool)> = files
        .par_iter()
        .map(|path| {
            let absolute = repo.absolute(path);
            // The stat is taken before the read: a file written in between
            // is recorded with a stat it no longer has, and read again.
            let stat = recorded
                .as_ref()
                .and_then(|_| crate::cache::FileStat::of(&absolute));
            if let (Some(recorded), Some(stat)) = (&recorded, &stat)
                && let Some(stored) = recorded.unchanged(path, stat)
            {
                return (*path, None, stored.uses(path, ""), false);
            }
            let uses = match std::fs::read(&absolute).map(String::from_utf8) {
                Ok(Ok(text)) => table_uses_in(path, &text, ""),
                _ => Vec::new(),
            };
            let stored = stat.map(|stat| cache::Stored::new(stat, &uses));
            (*path, stored, uses, true)
        })
        .collect();
    if let (Some(file), Some(recorded)) = (cache, &recorded) {
        let entries: Vec<(&str, &cache::Stored)> = found
            .iter()
            .filter_map(|(path, stored, _, fresh)| match fresh {
                true => stored.as_ref().map(|s| (*path, s)),
                false => recorded.files.get(*path).map(|s| (*path, s)),
            })
            .collect();
        let read_now = found.iter().any(|(_, stored, _, _)| stored.is_some());
        // Nothing read and no file gone: the cache already says all this.
        if read_now || entries.len() != recorded.files.len() {
            cache::store(file, &root, started_ns, entries.into_iter());
        }
    }
    let mut uses: Vec<TableUse> = found
        .into_iter()
        .flat_map(|(path, _, mut uses, _)| {
            let service = repo.service_for(path).map_or("", |s| s.name.as_str());
            for found in &mut uses {
                found.service = service.to_string();
            }
            uses
        })
        .collect();
    uses.sort();
    uses
}

/// The table uses of one file, given its text (from the work tree or a blob).
/// The language is chosen by the extension of `path`; other files give nothing.
pub(crate) fn table_uses_in(path: &str, text: &str, service: &str) -> Vec<TableUse> {
    let extension = path.rsplit_once('.').map_or("", |(_, ext)| ext);
    // Most files name no table: their line index is never built.
    let mut lines: Option<LineIndex> = None;
    let mut uses = Vec::new();
    let mut push = |table: String, offset: usize, access: TableAccess| {
        let (line, column) = lines
            .get_or_insert_with(|| LineIndex::new(text))
            .position(text, offset);
        uses.push(TableUse {
            table,
            service: service.to_string(),
            path: path.to_string(),
            line,
            column,
            access,
        });
    };
    match extension {
        "sql" if is_test_input(path) => {}
        "sql" => {
            for found in scan_sql(text) {
                push(found.table, found.offset, found.access);
            }
        }
        "go" | "rs" => {
            let literals = if extension == "go" {
                go_literals(text)
            } else {
                rust_literals(text)
            };
            for (literal, pieces) in literals.each() {
                if !starts_with_sql_verb(literal) {
                    continue;
                }
                // Only a literal that reads as SQL is decoded again, with the
                // source offset of each byte: a work tree has thousands of
                // literals and few of them are SQL.
                let mut located = Located::default();
                for piece in pieces {
                    piece.decode(text, &mut located);
                }
                for found in scan_sql(&located.text) {
                    let offset = located.offsets.get(found.offset).copied().unwrap_or(0);
                    push(found.table, offset, found.access);
                }
            }
        }
        _ => {}
    }
    uses
}

fn is_test_input(path: &str) -> bool {
    path.split('/')
        .any(|part| matches!(part, "test" | "tests" | "testdata" | "fixtures" | "e2e"))
}

/// Whether a string literal reads as a SQL statement.
pub(crate) fn starts_with_sql_verb(text: &str) -> bool {
    let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
    // ASCII letters are one byte each, so the count is the word's byte length.
    let letters = trimmed
        .bytes()
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    let (word, rest) = trimmed.split_at(letters);
    let boundary = rest.chars().next().is_none_or(|c| !is_ident_char(c));
    boundary && SQL_VERBS.iter().any(|verb| verb.eq_ignore_ascii_case(word))
}

const SQL_VERBS: &[&str] = &[
    "select", "insert", "update", "delete", "with", "create", "alter",
];

// ---------------------------------------------------------------------------
// Positions

struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    fn position(&self, text: &str, offset: usize) -> (u32, u32) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let end = offset.min(text.len());
        let column = text.get(start..end).map_or(1, |s| s.chars().count() + 1);
        (line as u32, column as u32)
    }
}

// ---------------------------------------------------------------------------
// String literals of Go and Rust sources

/// Where decoded characters go: a plain text, or [`Located`].
trait Decoded {
    fn push(&mut self, c: char, source_offset: usize);

    /// A run of source text taken as it is, starting at `source_offset`.
    fn push_str(&mut self, s: &str, source_offset: usize) {
        for (rel, c) in s.char_indices() {
            self.push(c, source_offset + rel);
        }
    }
}

impl Decoded for String {
    fn push(&mut self, c: char, _: usize) {
        String::push(self, c);
    }

    fn push_str(&mut self, s: &str, _: usize) {
        String::push_str(self, s);
    }
}

/// A decoded string literal and, for each byte of the decoded text, the byte
/// offset in the source it came from (so findings point into the file).
#[derive(Debug, Default)]
struct Located {
    text: String,
    offsets: Vec<usize>,
}

impl Decoded for Located {
    fn push(&mut self, c: char, source_offset: usize) {
        for _ in 0..c.len_utf8() {
            self.offsets.push(source_offset);
        }
        self.text.push(c);
    }
}

/// The string literals of a file, decoded one after the other into one
/// text (no allocation per literal).
#[derive(Debug, Default)]
struct Literals {
    text: String,
    pieces: Vec<Piece>,
}

/// One literal of the source, or a part of a Go literal joined by `+`.
#[derive(Debug, Clone, Copy)]
struct Piece {
    form: Form,
    /// The opening quote (escaped forms) or the start of the body (raw).
    start: usize,
    /// The end of the body of a raw literal.
    end: usize,
    /// Where its decoded text ends in [`Literals::text`].
    text_end: usize,
    /// Continues the previous piece (`"a " + "b"`).
    joined: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    GoInterpreted,
    RustEscaped,
    Raw,
}

impl Piece {
    /// Decodes the piece again, from the source.
    fn decode(&self, source: &str, out: &mut impl Decoded) {
        match self.form {
            Form::GoInterpreted => {
                interpreted_go(source, self.start, out);
            }
            Form::RustEscaped => {
                escaped_rust(source, self.start, out);
            }
            Form::Raw => out.push_str(&source[self.start..self.end], self.start),
        }
    }
}

impl Literals {
    fn push(&mut self, form: Form, start: usize, end: usize, joined: bool) {
        self.pieces.push(Piece {
            form,
            start,
            end,
            text_end: self.text.len(),
            joined,
        });
    }

    /// Each literal's decoded text with its pieces (Go literals joined by
    /// `+` are one).
    fn each(&self) -> impl Iterator<Item = (&str, &[Piece])> {
        let mut text_start = 0;
        self.pieces
            .chunk_by(|_, next| next.joined)
            .map(move |pieces| {
                let text_end = pieces.last().map_or(text_start, |p| p.text_end);
                let text = &self.text[text_start..text_end];
                text_start = text_end;
                (text, pieces)
            })
    }
}

/// String literals of a Go file; literals joined only by `+` become one.
fn go_literals(source: &str) -> Literals {
    let bytes = source.as_bytes();
    let mut literals = Literals::default();
    // Whether the previous literal may be continued by `+ "..."`.
    let mut joinable = false;
    let mut pending_plus = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = source[i..].find('\n').map_or(bytes.len(), |n| i + n);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = source[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
            }
            b'"' | b'`' => {
                let joined = joinable && pending_plus;
                let (form, start, body_end, end) = if bytes[i] == b'"' {
                    let end = interpreted_go(source, i, &mut literals.text);
                    (Form::GoInterpreted, i, end, end)
                } else {
                    let (body_end, end) = raw_literal(source, i + 1, "`", &mut literals.text);
                    (Form::Raw, i + 1, body_end, end)
                };
                literals.push(form, start, body_end, joined);
                joinable = true;
                pending_plus = false;
                i = end;
            }
            b'\'' => {
                i = skip_quoted(bytes, i + 1, b'\'');
                joinable = false;
                pending_plus = false;
            }
            b'+' if joinable && !pending_plus => {
                pending_plus = true;
                i += 1;
            }
            c if c.is_ascii_whitespace() && joinable => i += 1,
            _ => {
                // Until the next quote or slash nothing changes: neither
                // whitespace nor code continues a literal that has ended.
                joinable = false;
                pending_plus = false;
                i = next_go_special(bytes, i + 1);
            }
        }
    }
    literals
}

/// The bytes that may open a comment or a literal in Go.
const GO_SPECIAL: [bool; 256] = {
    let mut special = [false; 256];
    special[b'/' as usize] = true;
    special[b'"' as usize] = true;
    special[b'`' as usize] = true;
    special[b'\'' as usize] = true;
    special
};

/// The first byte at or after `i` that may open a comment or a literal: a
/// work tree's Go code is mostly code, read here a byte at a time.
fn next_go_special(bytes: &[u8], i: usize) -> usize {
    bytes
        .get(i..)
        .and_then(|rest| rest.iter().position(|&b| GO_SPECIAL[usize::from(b)]))
        .map_or(bytes.len(), |n| i + n)
}

/// Decodes a Go interpreted string starting at the quote at `start`;
/// returns the index after it.
fn interpreted_go(source: &str, start: usize, out: &mut impl Decoded) -> usize {
    let mut chars = source[start + 1..].char_indices().peekable();
    while let Some((rel, c)) = chars.next() {
        let at = start + 1 + rel;
        match c {
            '"' => return at + 1,
            '\n' => return at,
            '\\' => {
                let Some((_, escaped)) = chars.next() else {
                    break;
                };
                let decoded = match escaped {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'a' | 'b' | 'f' | 'v' => ' ',
                    'x' | 'u' | 'U' | '0'..='7' => {
                        let digits = match escaped {
                            'x' => 2,
                            'u' => 4,
                            'U' => 8,
                            _ => 2,
                        };
                        for _ in 0..digits {
                            chars.next();
                        }
                        '?'
                    }
                    other => other,
                };
                out.push(decoded, at);
            }
            other => out.push(other, at),
        }
    }
    source.len()
}

/// A raw literal whose body starts at `body` and ends at `terminator`;
/// returns the end of the body and the index after the terminator.
fn raw_literal(
    source: &str,
    body: usize,
    terminator: &str,
    out: &mut impl Decoded,
) -> (usize, usize) {
    let end = source[body..]
        .find(terminator)
        .map_or(source.len(), |n| body + n);
    out.push_str(&source[body..end], body);
    (end, (end + terminator.len()).min(source.len()))
}

/// Skips a quoted run with backslash escapes; returns the index after the closing quote.
fn skip_quoted(bytes: &[u8], mut i: usize, quote: u8) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' => return i,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// String literals of a Rust file (normal, raw, byte strings).
fn rust_literals(source: &str) -> Literals {
    let bytes = source.as_bytes();
    let mut literals = Literals::default();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = source[i..].find('\n').map_or(bytes.len(), |n| i + n);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                // Rust block comments nest.
                let mut depth = 1;
                i += 2;
                while i < bytes.len() && depth > 0 {
                    if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
            }
            b'"' => {
                let end = escaped_rust(source, i, &mut literals.text);
                literals.push(Form::RustEscaped, i, end, false);
                i = end;
            }
            b'r' | b'b' if i == 0 || !is_ident_byte(bytes[i - 1]) => {
                // r"..", r#".."#, b"..", br"..", br#".."#
                let mut j = i;
                if bytes[j] == b'b' {
                    j += 1;
                }
                let raw = bytes.get(j) == Some(&b'r');
                if raw {
                    j += 1;
                }
                let hashes = bytes[j..].iter().take_while(|&&b| b == b'#').count();
                if bytes.get(j + hashes) == Some(&b'"') && (raw || hashes == 0) && j > i {
                    if raw {
                        let terminator = format!("\"{}", "#".repeat(hashes));
                        let body = j + hashes + 1;
                        let (body_end, end) =
                            raw_literal(source, body, &terminator, &mut literals.text);
                        literals.push(Form::Raw, body, body_end, false);
                        i = end;
                    } else {
                        let end = escaped_rust(source, j, &mut literals.text);
                        literals.push(Form::RustEscaped, j, end, false);
                        i = end;
                    }
                } else {
                    i = skip_ident(bytes, i);
                }
            }
            b'\'' => {
                // A char literal ('a', '\n', '\u{..}') or a lifetime ('a).
                if bytes.get(i + 1) == Some(&b'\\') {
                    i = skip_quoted(bytes, i + 1, b'\'');
                } else {
                    let next_len = source[i + 1..].chars().next().map_or(1, char::len_utf8);
                    if bytes.get(i + 1 + next_len) == Some(&b'\'') {
                        i += next_len + 2;
                    } else {
                        i += 1;
                    }
                }
            }
            c if is_ident_byte(c) => i = skip_ident(bytes, i),
            _ => i += 1,
        }
    }
    literals
}

fn skip_ident(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && is_ident_byte(bytes[i]) {
        i += 1;
    }
    i
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Decodes a Rust string with escapes starting at the quote at `start`;
/// returns the index after it.
fn escaped_rust(source: &str, start: usize, out: &mut impl Decoded) -> usize {
    let mut chars = source[start + 1..].char_indices().peekable();
    while let Some((rel, c)) = chars.next() {
        let at = start + 1 + rel;
        match c {
            '"' => return at + 1,
            '\\' => {
                let Some((_, escaped)) = chars.next() else {
                    break;
                };
                match escaped {
                    '\n' => {
                        // A line continuation: the newline and leading blanks vanish.
                        while chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
                            chars.next();
                        }
                    }
                    'n' => out.push('\n', at),
                    't' => out.push('\t', at),
                    'r' => out.push('\r', at),
                    '0' => out.push(' ', at),
                    'x' => {
                        chars.next();
                        chars.next();
                        out.push('?', at);
                    }
                    'u' => {
                        for (_, c) in chars.by_ref() {
                            if c == '}' {
                                break;
                            }
                        }
                        out.push('?', at);
                    }
                    other => out.push(other, at),
                }
            }
            other => out.push(other, at),
        }
    }
    source.len()
}

// ---------------------------------------------------------------------------
// SQL

#[derive(Debug, Clone, PartialEq, Eq)]
struct Found {
    table: String,
    /// Byte offset of the name in the scanned text.
    offset: usize,
    access: TableAccess,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// A lowercased unquoted word.
    Word(String),
    /// A quoted identifier ("Users", `users`), lowercased.
    Quoted(String),
    Punct(char),
    /// Literals, parameters, operators: anything that is no name.
    Other,
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

fn tokenize(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let kind = match c {
            _ if c.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
                continue;
            }
            b'\'' => {
                // '' is an escaped quote inside a SQL string.
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == b'\'' {
                        if bytes.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    i += 1;
                }
                Kind::Other
            }
            b'"' | b'`' => {
                let close = c;
                let end = text[i + 1..]
                    .find(close as char)
                    .map_or(bytes.len(), |n| i + 1 + n);
                let name = text[i + 1..end].to_lowercase();
                i = (end + 1).min(bytes.len());
                Kind::Quoted(name)
            }
            b'$' => {
                // $1 parameters, $$ and $tag$ quotes (function bodies stay SQL).
                i += 1;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                if bytes.get(i) == Some(&b'$') {
                    i += 1;
                }
                Kind::Other
            }
            b'(' | b')' | b',' | b'.' | b';' => {
                i += 1;
                Kind::Punct(c as char)
            }
            _ if c.is_ascii_digit() => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                    i += 1;
                }
                Kind::Other
            }
            _ => {
                let ch = text[i..].chars().next().unwrap_or(' ');
                if ch.is_alphabetic() || ch == '_' {
                    let end = text[i..]
                        .char_indices()
                        .find(|(_, c)| !is_ident_char(*c))
                        .map_or(text.len(), |(n, _)| i + n);
                    let word = text[i..end].to_ascii_lowercase();
                    i = end;
                    Kind::Word(word)
                } else {
                    i += ch.len_utf8();
                    Kind::Other
                }
            }
        };
        tokens.push(Token {
            kind,
            start,
            end: i,
        });
    }
    tokens
}

/// Words that never name a table where a table name could follow.
const RESERVED: &[&str] = &[
    "all",
    "and",
    "as",
    "between",
    "by",
    "case",
    "check",
    "conflict",
    "constraint",
    "cross",
    "default",
    "delete",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "full",
    "group",
    "having",
    "if",
    "in",
    "index",
    "inner",
    "insert",
    "intersect",
    "into",
    "is",
    "join",
    "key",
    "lateral",
    "left",
    "like",
    "limit",
    "locked",
    "natural",
    "not",
    "nothing",
    "nowait",
    "null",
    "of",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "primary",
    "recursive",
    "references",
    "returning",
    "right",
    "select",
    "set",
    "share",
    "skip",
    "stdin",
    "stdout",
    "table",
    "then",
    "true",
    "union",
    "unique",
    "update",
    "user",
    "using",
    "values",
    "when",
    "where",
    "window",
    "with",
];

fn is_reserved(word: &str) -> bool {
    RESERVED.binary_search(&word).is_ok()
}

/// Functions whose argument lists use FROM without naming a table.
const FROM_FUNCTIONS: &[&str] = &["extract", "overlay", "position", "substring", "trim"];

struct Scanner<'t> {
    tokens: &'t [Token],
    ctes: HashSet<String>,
    found: Vec<Found>,
}

impl Scanner<'_> {
    fn word(&self, i: usize) -> Option<&str> {
        match self.tokens.get(i).map(|t| &t.kind) {
            Some(Kind::Word(w)) => Some(w),
            _ => None,
        }
    }

    fn is_word(&self, i: usize, word: &str) -> bool {
        self.word(i) == Some(word)
    }

    fn is_punct(&self, i: usize, c: char) -> bool {
        matches!(self.tokens.get(i).map(|t| &t.kind), Some(Kind::Punct(p)) if *p == c)
    }

    /// A possibly qualified name at `i`: (lowercased name, start offset, next index).
    /// None when `i` holds no name or the name is built at run time.
    fn name(&self, i: usize) -> Option<(String, usize, usize)> {
        let mut parts = Vec::new();
        let mut j = i;
        loop {
            let token = self.tokens.get(j)?;
            match &token.kind {
                Kind::Word(w) if parts.is_empty() && is_reserved(w) => return None,
                Kind::Word(w) | Kind::Quoted(w) => parts.push(w.clone()),
                _ => return None,
            }
            j += 1;
            if self.is_punct(j, '.') && self.tokens.get(j).map(|t| t.start) == Some(token.end) {
                j += 1;
                continue;
            }
            // `users_%s`, `users_{{.Suffix}}`: glued to something that is no name.
            if let Some(next) = self.tokens.get(j)
                && next.start == token.end
                && next.kind == Kind::Other
            {
                return None;
            }
            break;
        }
        let start = self.tokens[i].start;
        let name = normalize(&parts)?;
        Some((name, start, j))
    }

    fn record(&mut self, name: String, offset: usize, access: TableAccess) {
        if !name.contains('.') && self.ctes.contains(&name) {
            return;
        }
        self.found.push(Found {
            table: name,
            offset,
            access,
        });
    }

    /// Records a table name at `i` unless it is a function call; returns the next index.
    fn table_at(&mut self, i: usize, access: TableAccess, allow_call: bool) -> Option<usize> {
        let (name, offset, next) = self.name(i)?;
        if !allow_call && self.is_punct(next, '(') {
            return None; // generate_series(...), unnest(...)
        }
        self.record(name, offset, access);
        Some(next)
    }

    /// Skips `[AS] alias` after a table in a FROM list.
    fn skip_alias(&self, mut i: usize) -> usize {
        if self.is_word(i, "as") {
            i += 1;
            if self.tokens.get(i).is_some() {
                i += 1;
            }
        } else if matches!(self.tokens.get(i).map(|t| &t.kind), Some(Kind::Word(w)) if !is_reserved(w) && !is_clause_word(w))
            || matches!(self.tokens.get(i).map(|t| &t.kind), Some(Kind::Quoted(_)))
        {
            i += 1;
        }
        i
    }
}

/// Words after a table that start the next clause rather than name an alias.
fn is_clause_word(word: &str) -> bool {
    matches!(
        word,
        "tablesample" | "natural" | "straight_join" | "partition" | "force" | "ignore"
    )
}

/// Joins name parts, drops `public.`, and refuses system catalogs.
fn normalize(parts: &[String]) -> Option<String> {
    let parts: Vec<&str> = match parts {
        [schema, rest @ ..] if schema == "public" && !rest.is_empty() => {
            rest.iter().map(String::as_str).collect()
        }
        _ => parts.iter().map(String::as_str).collect(),
    };
    // `""` or a quote left open at the end of the text names nothing (found
    // by the fuzz harness in src/fuzz.rs).
    if parts.iter().any(|part| part.is_empty()) {
        return None;
    }
    let first = *parts.first()?;
    if first == "pg_catalog" || first == "information_schema" || first.starts_with("pg_") {
        return None;
    }
    if parts.len() == 1 && first == "dual" {
        return None;
    }
    Some(parts.join("."))
}

/// Table names in SQL text with the byte offset of each name.
fn scan_sql(text: &str) -> Vec<Found> {
    let tokens = tokenize(text);
    let mut found = Vec::new();
    for statement in tokens.split(|t| t.kind == Kind::Punct(';')) {
        let mut scanner = Scanner {
            tokens: statement,
            ctes: cte_names(statement),
            found: Vec::new(),
        };
        scan_statement(&mut scanner);
        found.append(&mut scanner.found);
    }
    found
}

/// Names introduced by `WITH name [(cols)] AS [NOT] [MATERIALIZED] (`.
fn cte_names(tokens: &[Token]) -> HashSet<String> {
    let mut names = HashSet::new();
    for (i, token) in tokens.iter().enumerate() {
        let name = match &token.kind {
            Kind::Word(w) | Kind::Quoted(w) => w,
            _ => continue,
        };
        let introduced = i > 0
            && match &tokens[i - 1].kind {
                Kind::Word(w) => w == "with" || w == "recursive",
                Kind::Punct(',') => true,
                _ => false,
            };
        if !introduced {
            continue;
        }
        let mut j = i + 1;
        if tokens.get(j).map(|t| &t.kind) == Some(&Kind::Punct('(')) {
            let mut depth = 0;
            while let Some(t) = tokens.get(j) {
                match t.kind {
                    Kind::Punct('(') => depth += 1,
                    Kind::Punct(')') => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            j += 1;
        }
        if !matches!(tokens.get(j).map(|t| &t.kind), Some(Kind::Word(w)) if w == "as") {
            continue;
        }
        j += 1;
        while matches!(tokens.get(j).map(|t| &t.kind), Some(Kind::Word(w)) if w == "not" || w == "materialized")
        {
            j += 1;
        }
        if tokens.get(j).map(|t| &t.kind) == Some(&Kind::Punct('(')) {
            names.insert(name.clone());
        }
    }
    names
}

fn scan_statement(s: &mut Scanner<'_>) {
    // The word before each open parenthesis, to tell EXTRACT(x FROM y) from a subquery.
    let mut parens: Vec<Option<String>> = Vec::new();
    let mut last_verb: Option<String> = None;
    let mut i = 0;
    while i < s.tokens.len() {
        let prev = if i > 0 { s.word(i - 1) } else { None };
        let prev = prev.map(str::to_string);
        match &s.tokens[i].kind {
            Kind::Punct('(') => {
                parens.push(prev);
                i += 1;
                continue;
            }
            Kind::Punct(')') => {
                parens.pop();
                i += 1;
                continue;
            }
            Kind::Word(_) => {}
            _ => {
                i += 1;
                continue;
            }
        }
        let word = s.word(i).unwrap_or_default().to_string();
        let prev = prev.as_deref();
        match word.as_str() {
            "select" | "insert" | "delete" | "merge" => last_verb = Some(word.clone()),
            "update" if !matches!(prev, Some("for" | "do" | "on" | "key" | "no")) => {
                last_verb = Some(word.clone());
                let mut j = i + 1;
                if s.is_word(j, "only") {
                    j += 1;
                }
                if let Some((name, offset, next)) = s.name(j) {
                    let after = s.skip_alias(next);
                    if s.is_word(after, "set") {
                        s.record(name, offset, TableAccess::Write);
                    }
                }
            }
            "from" => {
                let in_function = parens
                    .last()
                    .and_then(|p| p.as_deref())
                    .is_some_and(|f| FROM_FUNCTIONS.contains(&f));
                let distinct_from = prev == Some("distinct");
                if !in_function && !distinct_from {
                    let access = if prev == Some("delete") {
                        TableAccess::Write
                    } else {
                        TableAccess::Read
                    };
                    from_list(s, i + 1, access);
                }
            }
            "join" => {
                let mut j = i + 1;
                if s.is_word(j, "lateral") {
                    j += 1;
                }
                s.table_at(j, TableAccess::Read, false);
            }
            "into" if matches!(prev, Some("insert" | "merge" | "replace" | "ignore")) => {
                s.table_at(i + 1, TableAccess::Write, true);
            }
            "using" if matches!(last_verb.as_deref(), Some("delete" | "merge")) => {
                s.table_at(i + 1, TableAccess::Read, false);
            }
            "references" => {
                s.table_at(i + 1, TableAccess::Read, true);
            }
            "truncate" => {
                let mut j = i + 1;
                if s.is_word(j, "table") {
                    j += 1;
                }
                if s.is_word(j, "only") {
                    j += 1;
                }
                table_list(s, j, TableAccess::Write);
            }
            "table" => table_statement(s, i),
            "index" => index_statement(s, i),
            _ => {}
        }
        i += 1;
    }
}

/// `FROM a [AS] x, b y, ...`: each named table; subqueries and functions skipped.
fn from_list(s: &mut Scanner<'_>, mut i: usize, access: TableAccess) {
    loop {
        if s.is_word(i, "only") || s.is_word(i, "lateral") {
            i += 1;
        }
        let Some((_, _, next)) = s.name(i) else {
            return;
        };
        if s.is_punct(next, '(') {
            return; // a function in FROM
        }
        s.table_at(i, access, false);
        let after = s.skip_alias(next);
        if s.is_punct(after, ',') {
            i = after + 1;
        } else {
            return;
        }
    }
}

/// `a, b, c` after TRUNCATE or DROP TABLE.
fn table_list(s: &mut Scanner<'_>, mut i: usize, access: TableAccess) {
    while let Some(next) = s.table_at(i, access, false) {
        if s.is_punct(next, ',') {
            i = next + 1;
        } else {
            return;
        }
    }
}

/// `CREATE [TEMP] TABLE [IF NOT EXISTS] x`, `ALTER TABLE [IF EXISTS] [ONLY] x`, `DROP TABLE`.
fn table_statement(s: &mut Scanner<'_>, i: usize) {
    let mut back = i;
    while back > 0 {
        back -= 1;
        match s.word(back) {
            Some("temp" | "temporary" | "unlogged" | "global" | "local" | "foreign") => continue,
            _ => break,
        }
    }
    let verb = if back < i { s.word(back) } else { None };
    if !matches!(verb, Some("create" | "alter" | "drop")) {
        return;
    }
    let drop = verb == Some("drop");
    let mut j = i + 1;
    for word in ["if", "not", "exists", "only"] {
        if s.is_word(j, word) {
            j += 1;
        }
    }
    if drop {
        table_list(s, j, TableAccess::Define);
    } else {
        s.table_at(j, TableAccess::Define, true);
    }
}

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON [ONLY] table`.
fn index_statement(s: &mut Scanner<'_>, i: usize) {
    let mut back = i.saturating_sub(1);
    if s.is_word(back, "unique") {
        back = back.saturating_sub(1);
    }
    if !s.is_word(back, "create") {
        return;
    }
    let mut j = i + 1;
    while j < s.tokens.len() && !s.is_word(j, "on") {
        if s.is_punct(j, '(') {
            return;
        }
        j += 1;
    }
    j += 1;
    if s.is_word(j, "only") {
        j += 1;
    }
    s.table_at(j, TableAccess::Define, true);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(sql: &str) -> Vec<(String, TableAccess)> {
        scan_sql(sql)
            .into_iter()
            .map(|f| (f.table, f.access))
            .collect()
    }

    fn t(name: &str, access: TableAccess) -> (String, TableAccess) {
        (name.to_string(), access)
    }

    use TableAccess::{Define, Read, Write};

    #[test]
    fn reserved_list_is_sorted_for_binary_search() {
        let mut sorted = RESERVED.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, RESERVED);
    }

    #[test]
    fn selects_joins_and_from_lists() {
        assert_eq!(
            tables("SELECT o.id FROM orders o JOIN order_items i ON i.order_id = o.id"),
            vec![t("orders", Read), t("order_items", Read)]
        );
        assert_eq!(
            tables(
                "select * from Users u, public.accounts AS a left outer join billing.Invoices on true"
            ),
            vec![
                t("users", Read),
                t("accounts", Read),
                t("billing.invoices", Read)
            ]
        );
    }

    #[test]
    fn writes() {
        assert_eq!(
            tables("INSERT INTO orders (id) VALUES ($1)"),
            vec![t("orders", Write)]
        );
        assert_eq!(
            tables(
                "UPDATE stock SET available = stock.available + l.quantity FROM reservation_lines l WHERE l.sku = stock.sku"
            ),
            vec![t("stock", Write), t("reservation_lines", Read)]
        );
        assert_eq!(
            tables("DELETE FROM ONLY sessions WHERE id = ?"),
            vec![t("sessions", Write)]
        );
        assert_eq!(
            tables("DELETE FROM a USING b WHERE a.id = b.id"),
            vec![t("a", Write), t("b", Read)]
        );
        assert_eq!(
            tables("TRUNCATE TABLE a, b"),
            vec![t("a", Write), t("b", Write)]
        );
    }

    #[test]
    fn definitions_and_references() {
        let sql = "-- owner\nCREATE TABLE IF NOT EXISTS order_items (\n  order_id UUID NOT NULL REFERENCES orders (id) ON DELETE CASCADE ON UPDATE CASCADE\n);\nCREATE UNIQUE INDEX CONCURRENTLY items_idx ON order_items (order_id);\nALTER TABLE ONLY public.orders ADD COLUMN note TEXT;\nDROP TABLE IF EXISTS old_a, old_b;";
        assert_eq!(
            tables(sql),
            vec![
                t("order_items", Define),
                t("orders", Read),
                t("order_items", Define),
                t("orders", Define),
                t("old_a", Define),
                t("old_b", Define),
            ]
        );
    }

    #[test]
    fn ctes_subqueries_and_functions_are_not_tables() {
        assert_eq!(
            tables(
                "WITH recent AS (SELECT * FROM orders), top(id) AS MATERIALIZED (SELECT id FROM recent) SELECT * FROM top JOIN (SELECT * FROM users) AS u ON true"
            ),
            vec![t("orders", Read), t("users", Read)]
        );
        assert_eq!(
            tables(
                "SELECT EXTRACT(YEAR FROM created_at), TRIM(BOTH ' ' FROM name) FROM events, generate_series(1, 3) g WHERE a IS DISTINCT FROM b"
            ),
            vec![t("events", Read)]
        );
        assert_eq!(
            tables("SELECT * FROM jobs FOR UPDATE SKIP LOCKED"),
            vec![t("jobs", Read)]
        );
        assert_eq!(
            tables("INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET a = excluded.a"),
            vec![t("t", Write)]
        );
    }

    #[test]
    fn system_catalogs_and_runtime_names_are_skipped() {
        assert!(tables("SELECT * FROM pg_catalog.pg_tables").is_empty());
        assert!(tables("SELECT amount FROM \"").is_empty());
        assert!(tables("SELECT amount FROM \"\" WHERE id = 1").is_empty());
        assert!(tables("SELECT amount FROM s.\"\"").is_empty());
        assert!(tables("SELECT * FROM information_schema.tables").is_empty());
        assert!(tables("SELECT * FROM %s WHERE id = $1").is_empty());
        assert!(tables("SELECT * FROM users_%s").is_empty());
        assert!(tables("SELECT 1 FROM dual").is_empty());
    }

    #[test]
    fn quoted_and_mixed_case_names_are_lowercased() {
        assert_eq!(
            tables("select * FROM \"Users\" join `Orders` on 1=1"),
            vec![t("users", Read), t("orders", Read)]
        );
    }

    #[test]
    fn sql_verbs_start_statements() {
        assert!(starts_with_sql_verb("  SELECT 1"));
        assert!(starts_with_sql_verb("(select 1)"));
        assert!(starts_with_sql_verb("with x as (select 1) select * from x"));
        assert!(!starts_with_sql_verb("selected items"));
        assert!(!starts_with_sql_verb("the update failed"));
        assert!(!starts_with_sql_verb(""));
    }

    #[test]
    fn go_literals_with_positions() {
        let go = "package repo\n\n// \"SELECT * FROM commented\"\nconst q = `SELECT name\nFROM users WHERE id = $1`\nvar r = 'x'\nfunc f() error {\n\treturn fmt.Errorf(\"update stock: %w\", err)\n}\nconst j = \"SELECT a \" +\n\t\"FROM joined\"\nconst e = \"DELETE FROM \\\"Sessions\\\"\\n\"\n";
        let uses = table_uses_in("svc/repo.go", go, "svc");
        let got: Vec<_> = uses
            .iter()
            .map(|u| (u.table.as_str(), u.line, u.column, u.access))
            .collect();
        assert_eq!(
            got,
            vec![
                ("users", 5, 6, Read),
                ("joined", 11, 8, Read),
                ("sessions", 12, 24, Write),
            ]
        );
        assert!(
            uses.iter()
                .all(|u| u.service == "svc" && u.path == "svc/repo.go")
        );
    }

    #[test]
    fn rust_literals_with_positions() {
        let rs = "fn f<'a>(x: &'a str) {\n    let c = '\"';\n    sqlx::query(r#\"SELECT * FROM \"prices\" p\"#);\n    /* \"SELECT * FROM nested /* deeper */ still\" */\n    let q = \"INSERT INTO audit_log (a) \\\n             VALUES ($1)\";\n    let b = b\"UPDATE ignored SET a = 1\";\n}\n";
        let got: Vec<_> = table_uses_in("src/db.rs", rs, "pricing")
            .into_iter()
            .map(|u| (u.table, u.line, u.column, u.access))
            .collect();
        assert_eq!(
            got,
            vec![
                ("prices".to_string(), 3, 34, Read),
                ("audit_log".to_string(), 5, 26, Write),
                ("ignored".to_string(), 7, 22, Write),
            ]
        );
    }

    #[test]
    fn sql_files_with_positions() {
        let sql = "-- user-service owns this table.\n\nCREATE TABLE users (\n    id UUID PRIMARY KEY\n);\n";
        let uses = table_uses_in("services/user/migrations/001_users.sql", sql, "user");
        assert_eq!(uses.len(), 1);
        assert_eq!(
            (
                uses[0].table.as_str(),
                uses[0].line,
                uses[0].column,
                uses[0].access
            ),
            ("users", 3, 14, Define)
        );
    }

    #[test]
    fn sql_files_under_test_directories_give_nothing() {
        let sql =
            "CREATE TABLE orders (id INT) WITH (connector = 'kafka');\nSELECT * FROM orders;\n";
        for path in [
            "crates/sql-testing/src/test/queries/orders.sql",
            "services/user/tests/fixtures/seed.sql",
            "e2e/setup.sql",
        ] {
            assert!(table_uses_in(path, sql, "user").is_empty(), "{path}");
        }
        assert_eq!(
            table_uses_in("services/user/migrations/1.sql", sql, "user").len(),
            2
        );
    }

    #[test]
    fn non_sql_strings_and_other_files_give_nothing() {
        let go = "package x\nvar a = \"insert line %s: %w\"\nvar b = \"update stock: failed\"\nvar c = \"delete order %s\"\nvar d = \"selection from menu\"\n";
        assert_eq!(table_uses_in("x.go", go, ""), Vec::new());
        assert!(table_uses_in("README.md", "SELECT * FROM users", "").is_empty());
    }

    #[test]
    fn shop_fixture_tables() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shop");
        let repo = Repo::open(&root, crate::repo::RepoConfig::default()).expect("shop opens");
        let uses = table_uses(&repo);
        let users: Vec<_> = uses
            .iter()
            .filter(|u| u.table == "users")
            .map(|u| (u.service.as_str(), u.path.as_str(), u.line, u.access))
            .collect();
        assert!(users.contains(&(
            "order-service",
            "services/order-service/internal/repo/order.go",
            49,
            Read
        )));
        assert!(users.contains(&(
            "user-service",
            "services/user-service/migrations/001_users.sql",
            3,
            Define
        )));
        // Every other table stays inside the service that creates it.
        for u in &uses {
            let owner = match u.table.as_str() {
                "orders" | "order_items" => "order-service",
                "users" => continue,
                "stock" | "reservations" | "reservation_lines" => "inventory-service",
                other => panic!("unexpected table {other} in {}:{}", u.path, u.line),
            };
            assert_eq!(u.service, owner, "{u:?}");
        }
    }
}

#[cfg(test)]
mod cache_tests {
    use super::*;

    fn copy_tree(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_tree(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }

    /// Dates every file an hour back, as a checkout made earlier would be.
    fn age(dir: &Path) {
        let then = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                age(&path);
            } else {
                let file = std::fs::File::options().write(true).open(&path).unwrap();
                file.set_modified(then).unwrap();
            }
        }
    }

    #[test]
    fn cached_uses_are_the_files_uses_and_follow_edits() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("shop");
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shop");
        copy_tree(&fixture, &root);
        age(&root);
        let cache = dir.path().join("score-tables");
        let repo = Repo::open(&root, crate::repo::RepoConfig::default()).unwrap();
        let fresh = table_uses(&repo);
        assert!(!fresh.is_empty());
        assert_eq!(table_uses_cached(&repo, Some(&cache)), fresh);
        let written = std::fs::read(&cache).expect("the cache is written");

        // Nothing changed: the same uses, and nothing read again to rewrite.
        assert_eq!(table_uses_cached(&repo, Some(&cache)), fresh);
        assert_eq!(std::fs::read(&cache).unwrap(), written);

        // An edited file is read again; its uses are today's.
        let edited = root.join("services/order-service/internal/repo/order.go");
        let text = std::fs::read_to_string(&edited).unwrap();
        std::fs::write(
            &edited,
            format!("{text}\nconst audit = \"INSERT INTO audit_log (id) VALUES ($1)\"\n"),
        )
        .unwrap();
        let repo = Repo::open(&root, crate::repo::RepoConfig::default()).unwrap();
        let now = table_uses(&repo);
        assert!(now.iter().any(|u| u.table == "audit_log"));
        assert_eq!(table_uses_cached(&repo, Some(&cache)), now);
    }
}
