//! Commit objects read from their raw bytes exactly as libgit2 reads them
//! (`commit_parse`, `git_signature__parse`, `git_commit_summary` of libgit2
//! 1.9): the history scan reads tens of thousands of commits through
//! gitoxide's object database, which also reads its trees, so each object
//! is inflated once by one zlib and no commit object is built just to be
//! dropped; the fields must still be the ones `git2::Commit` gives, or a
//! cached scorecard would differ from a fresh one. Whatever libgit2 would
//! reject is rejected here too, and the caller then asks libgit2.

use git2::Oid;

/// The fields of a commit the history scan keeps, borrowed from the raw object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CommitFields<'a> {
    pub(crate) tree: Oid,
    pub(crate) parents: Vec<Oid>,
    /// Trimmed like libgit2 trims them, cut at a NUL as its C strings are.
    pub(crate) author_name: &'a [u8],
    pub(crate) author_email: &'a [u8],
    /// The committer's time, seconds since the epoch (0 when absent).
    pub(crate) time: i64,
    /// The message, from its first line that is not empty, cut at a NUL.
    message: &'a [u8],
}

/// Parses a commit object's content (`tree`, `parent`s, `author`,
/// `committer`, more headers, a blank line, the message); `None` where
/// libgit2's parser fails.
pub(crate) fn parse(data: &[u8]) -> Option<CommitFields<'_>> {
    let mut at = 0;
    let tree = oid_header(data, &mut at, b"tree ")?;
    let mut parents = Vec::with_capacity(1);
    while let Some(parent) = oid_header(data, &mut at, b"parent ") {
        parents.push(parent);
    }
    let author = signature(data, &mut at, b"author ")?;
    // Some tools write several authors: libgit2 keeps the first and
    // still requires the others to parse.
    while data[at..].starts_with(b"author ") {
        signature(data, &mut at, b"author ")?;
    }
    let committer = signature(data, &mut at, b"committer ")?;
    // More headers (encoding, gpgsig, mergetag) up to the first empty line;
    // the message follows it, and is empty without one.
    let mut message: &[u8] = b"";
    while at < data.len() {
        if data[at] == b'\n' {
            message = &data[at + 1..];
            break;
        }
        at = match memchr(b'\n', &data[at..]) {
            Some(eol) => at + eol + 1,
            None => data.len(),
        };
    }
    let message = until_nul(message);
    let start = message
        .iter()
        .position(|b| *b != b'\n')
        .unwrap_or(message.len());
    Some(CommitFields {
        tree,
        parents,
        author_name: author.name,
        author_email: author.email,
        time: committer.time,
        message: &message[start..],
    })
}

impl CommitFields<'_> {
    /// The first paragraph of the message on one line, as
    /// `git_commit_summary` gives it: a run of white space that holds a
    /// line break becomes one space, other runs are kept (leading ones
    /// too), and white space at the end is dropped.
    pub(crate) fn summary(&self) -> Vec<u8> {
        let msg = self.message;
        let mut out = Vec::with_capacity(msg.len().min(128));
        let mut space: Option<(usize, bool)> = None;
        for (i, &c) in msg.iter().enumerate() {
            if c == b'\n' {
                let rest = &msg[i + 1..];
                let blank = rest
                    .iter()
                    .position(|b| !is_space_not_lf(*b))
                    .is_none_or(|p| rest[p] == b'\n');
                if blank {
                    break;
                }
            }
            if is_space(c) {
                let (start, newline) = space.unwrap_or((i, false));
                space = Some((start, newline || c == b'\n'));
            } else {
                if let Some((start, newline)) = space.take() {
                    if newline {
                        out.push(b' ');
                    } else {
                        out.extend_from_slice(&msg[start..i]);
                    }
                }
                out.push(c);
            }
        }
        out
    }
}

/// `<header><40 hex digits>\n` at `at`, moving past it; `None` (and `at`
/// unchanged) otherwise.
fn oid_header(data: &[u8], at: &mut usize, header: &[u8]) -> Option<Oid> {
    let line = data.get(*at..*at + header.len() + 41)?;
    if !line.starts_with(header) || line[header.len() + 40] != b'\n' {
        return None;
    }
    let mut raw = [0u8; 20];
    for (byte, pair) in raw.iter_mut().zip(line[header.len()..].chunks_exact(2)) {
        *byte = hex(pair[0])? << 4 | hex(pair[1])?;
    }
    *at += line.len();
    Oid::from_bytes(&raw).ok()
}

fn hex(digit: u8) -> Option<u8> {
    (digit as char).to_digit(16).map(|d| d as u8)
}

struct Signature<'a> {
    name: &'a [u8],
    email: &'a [u8],
    time: i64,
}

/// `<header><name> <<email>> <time> <zone>\n` at `at`, moving past its line.
fn signature<'a>(data: &'a [u8], at: &mut usize, header: &[u8]) -> Option<Signature<'a>> {
    let line = &data[*at..*at + memchr(b'\n', &data[*at..])?];
    if line.len() <= header.len() || !line.starts_with(header) {
        return None;
    }
    let rest = &line[header.len()..];
    let open = rest.iter().rposition(|b| *b == b'<')?;
    let close = rest.iter().rposition(|b| *b == b'>')?;
    if close <= open {
        return None;
    }
    // A missing time is 0; one that is not a number fails the commit.
    let time = match rest.get(close + 2..) {
        Some(time) if !time.is_empty() => number(time)?,
        _ => 0,
    };
    *at += line.len() + 1;
    Some(Signature {
        name: until_nul(trim_crud(&rest[..open])),
        email: until_nul(trim_crud(&rest[open + 1..close])),
        time,
    })
}

/// `git__strntol64` in base 10: white space, a sign, then at least one
/// digit; an overflow fails.
fn number(text: &[u8]) -> Option<i64> {
    let start = text.iter().position(|b| !is_space(*b))?;
    let mut text = &text[start..];
    let negative = text.first() == Some(&b'-');
    if matches!(text.first(), Some(b'-' | b'+')) {
        text = &text[1..];
    }
    let digits = text.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let mut n: i64 = 0;
    for digit in &text[..digits] {
        let v = i64::from(digit - b'0');
        n = n
            .checked_mul(10)?
            .checked_add(if negative { -v } else { v })?;
    }
    Some(n)
}

/// libgit2's `is_crud`: what it trims from both ends of a name or an email.
fn trim_crud(text: &[u8]) -> &[u8] {
    let crud = |c: &u8| *c <= 32 || b",:;<>\"\\'".contains(c);
    let start = text.iter().position(|c| !crud(c)).unwrap_or(text.len());
    let end = text.iter().rposition(|c| !crud(c)).map_or(start, |p| p + 1);
    &text[start..end.max(start)]
}

fn until_nul(text: &[u8]) -> &[u8] {
    match memchr(0, text) {
        Some(nul) => &text[..nul],
        None => text,
    }
}

/// C's `isspace` in the C locale.
fn is_space(c: u8) -> bool {
    c == b'\n' || is_space_not_lf(c)
}

fn is_space_not_lf(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\x0b' | b'\x0c' | b'\r')
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|b| *b == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `data` as a commit object without git's checks (`hash-object
    /// --literally`), so libgit2 reads exactly these bytes.
    fn store(repo: &git2::Repository, data: &[u8]) -> Oid {
        repo.odb()
            .unwrap()
            .write(git2::ObjectType::Commit, data)
            .unwrap()
    }

    const TREE: &str = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n";
    const PARENT: &str = "parent 0123456789abcdef0123456789abcdef01234567\n";

    fn cases() -> Vec<String> {
        let plain = "author Ada <ada@example.com> 1700000000 +0100\ncommitter Bob <bob@example.com> 1700000500 -0230\n";
        let mut cases = vec![
            format!("{TREE}{plain}\nsubject\n\nbody\n"),
            format!("{TREE}{PARENT}{PARENT}{plain}\nmerge\n"),
            format!(
                "{TREE}{plain}encoding ISO-8859-1\ngpgsig -----BEGIN\n more\n\n\n\nafter blank lines\n"
            ),
            format!("{TREE}{plain}"),
            format!("{TREE}{plain}\n"),
            format!("{TREE}{plain}\n  \t\n"),
            format!("{TREE}{plain}no blank line"),
            format!("{TREE}{plain}\nline one\nline two\n \nthird paragraph"),
            format!("{TREE}{plain}\nwide   space\tkept\n   and a break  \n"),
            format!("{TREE}{plain}\ntrailing space  \n\t\nnext"),
            format!("{TREE}{plain}\nnul\0after"),
            format!("{TREE}{plain}\n\u{e9}t\u{e9} \u{2014} unicode\n"),
            format!("{TREE}{plain}\nlatin1 \u{fffd}"),
            format!("{TREE}{plain}\r\ncarriage\r\nreturn\r\n"),
            format!("{TREE}{plain}\nends in a line break then spaces\n   "),
            format!("{TREE}{plain}\n\n\n   leading  spaces\n\tand a tab"),
        ];
        for author in [
            "author  ..'Ada, Lovelace';  <<ada@x>> 1 +0000",
            "author <a@x> 5",
            "author Ada <a@x>",
            "author Ada <a@x> ",
            "author Ada <a@x>  7",
            "author Ada <a@x> x",
            "author Ada > weird < still <a@x> 9",
            "author Ada a@x> 9",
            "author Ada <a@x 9",
            "author Ada <a\0b@x> 9",
            "author ",
            "author",
        ] {
            cases.push(format!("{TREE}{author}\ncommitter C <c@x> 3 +0000\n\nm\n"));
        }
        for committer in [
            "committer C <c@x> -12 +0000",
            "committer C <c@x> +12",
            "committer C <c@x>  \t 42 +0000",
            "committer C <c@x> 99999999999999999999 +0000",
            "committer C <c@x> 9223372036854775807 +0000",
            "committer C <c@x> -9223372036854775808 +0000",
            "committer C <c@x> 12abc",
            "committer C <c@x> -",
            "committer C <c@x>",
            "committer C",
        ] {
            cases.push(format!("{TREE}author A <a@x> 1 +0000\n{committer}\n\nm\n"));
        }
        cases.extend([
            format!("{TREE}author A <a@x> 1\nauthor B <b@x> 2\ncommitter C <c@x> 3\n\nm"),
            format!("{TREE}author A <a@x> 1\nauthor B b@x 2\ncommitter C <c@x> 3\n\nm"),
            format!("{TREE}author A <a@x> 1\ncommitter C <c@x> 3"),
            format!("{TREE}committer C <c@x> 3\n\nm"),
            "tree 4B825DC642CB6EB9A060E54BF8D69288FBEE4904\nauthor A <a@x> 1\ncommitter C <c@x> 3\n\nm".to_string(),
            "tree 4b825dc642cb6eb9a060e54bf8d69288fbee490\nauthor A <a@x> 1\ncommitter C <c@x> 3\n\nm".to_string(),
            "tree 4b825dc642cb6eb9a060e54bf8d69288fbee49g4\nauthor A <a@x> 1\ncommitter C <c@x> 3\n\nm".to_string(),
            format!("{TREE}parent 0123\nauthor A <a@x> 1\ncommitter C <c@x> 3\n\nm"),
            String::new(),
        ]);
        cases
    }

    #[test]
    fn reads_every_field_as_libgit2_does() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init_bare(dir.path()).unwrap();
        let (mut parsed, mut rejected) = (0, 0);
        for case in cases() {
            let id = store(&repo, case.as_bytes());
            let ours = parse(case.as_bytes());
            match repo.find_commit(id) {
                Ok(theirs) => {
                    let ours = ours.unwrap_or_else(|| panic!("libgit2 reads {case:?}"));
                    let author = theirs.author();
                    assert_eq!(ours.tree, theirs.tree_id(), "{case:?}");
                    assert_eq!(
                        ours.parents,
                        theirs.parent_ids().collect::<Vec<_>>(),
                        "{case:?}"
                    );
                    assert_eq!(ours.author_name, author.name_bytes(), "{case:?}");
                    assert_eq!(ours.author_email, author.email_bytes(), "{case:?}");
                    assert_eq!(ours.time, theirs.committer().when().seconds(), "{case:?}");
                    assert_eq!(
                        ours.summary(),
                        theirs.summary_bytes().unwrap_or_default(),
                        "{case:?}"
                    );
                    parsed += 1;
                }
                Err(_) => {
                    assert_eq!(ours, None, "libgit2 rejects {case:?}");
                    rejected += 1;
                }
            }
        }
        assert_eq!(
            (parsed, rejected),
            (32, 15),
            "cases libgit2 reads and rejects"
        );
    }
}
