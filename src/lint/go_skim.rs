//! Which Go function bodies the parse can leave out.
//!
//! Parsing is most of lint's time, and most function bodies hold nothing any
//! enabled rule looks at. A lexer, far cheaper than the parser, reads the
//! file's package clause and imports, finds the bodies of functions and
//! function literals, and looks in them for what the rules declared in their
//! `go_body_interest` (`pkg.Name` through the file's own import names,
//! `.Method` on anything, a bare `return`). tree-sitter then parses the file
//! without the insides of the bodies that hold none of it, through included
//! ranges, so every position is still the file's own.
//!
//! A function literal's signature is inside the body around it: that body is
//! parsed when the signature is one a rule asked for (more parameters than
//! allowed, an `error` result before the last). The literal's own body is
//! decided on its own, and when it is parsed, so is every body around it.
//!
//! Anything the lexer does not understand (an unterminated string or comment,
//! brackets that do not match, a header it cannot read) means the whole file
//! is parsed, so a broken file is reported as before.

use crate::repo::programs::{self, ProgramFile};
use tree_sitter::{Point, Range};

/// What a rule looks for inside Go function bodies, collected over the
/// enabled rules for one file. A rule that declares nothing asks for
/// everything: the file is parsed whole.
#[derive(Debug, Default)]
pub struct BodyInterest<'a> {
    everything: bool,
    members: Vec<(&'a str, Member<'a>)>,
    methods: Vec<&'a str>,
    naked_returns: bool,
    literal_max_params: Option<usize>,
    literal_error_early: bool,
    init_bodies: bool,
}

/// The member of a package a selector names.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Member<'a> {
    Exact(&'a str),
    Prefix(&'a str),
    Any,
}

impl Member<'_> {
    fn matches(self, name: &[u8]) -> bool {
        match self {
            Member::Exact(exact) => name == exact.as_bytes(),
            Member::Prefix(prefix) => name.starts_with(prefix.as_bytes()),
            Member::Any => true,
        }
    }
}

impl<'a> BodyInterest<'a> {
    /// Every body is parsed (the default of a rule that declares nothing).
    pub(crate) fn everything(&mut self) {
        self.everything = true;
    }

    /// `pkg.Name` where `pkg` is this file's name for `import_path`; a dot
    /// import of the path makes the whole file parsed.
    pub(crate) fn member(&mut self, import_path: &'a str, member: Member<'a>) {
        self.members.push((import_path, member));
    }

    pub(crate) fn members(&mut self, import_path: &'a str, names: &[&'a str]) {
        for &name in names {
            self.member(import_path, Member::Exact(name));
        }
    }

    /// `.Name` on any operand. A body that has one is parsed with every
    /// function literal inside it, because rules about method calls follow
    /// values back through the whole function (an argument assigned inside a
    /// closure).
    pub(crate) fn methods(&mut self, names: &[&'a str]) {
        self.methods.extend_from_slice(names);
    }

    /// A `return` without values in a function whose results are in
    /// parentheses (and so may be named).
    pub(crate) fn naked_returns(&mut self) {
        self.naked_returns = true;
    }

    /// A function literal with more than `max` parameters: its signature
    /// is inside the body around it, which is then parsed.
    pub(crate) fn literals_with_more_params_than(&mut self, max: usize) {
        self.literal_max_params = Some(self.literal_max_params.map_or(max, |m| m.min(max)));
    }

    /// A function literal with an `error` result before its last result.
    pub(crate) fn literals_returning_error_early(&mut self) {
        self.literal_error_early = true;
    }

    /// The whole body of every `func init()`.
    pub(crate) fn init_bodies(&mut self) {
        self.init_bodies = true;
    }
}

/// What rules may ask of a Go file before it is parsed.
#[derive(Debug, Clone, Copy)]
pub struct FileHeader<'s> {
    pub(crate) path: &'s str,
    pub(crate) service: Option<&'s str>,
    pub(crate) package: &'s str,
    pub(crate) is_test: bool,
}

/// The ranges of `source` to parse, or `None` to parse all of it (nothing to
/// leave out, a rule that wants everything, or text the lexer does not read).
/// `interest` is asked once, with the file's package name, after the header.
pub(crate) fn included_ranges<'a>(
    source: &str,
    interest: impl FnOnce(&str) -> BodyInterest<'a>,
) -> Option<Vec<Range>> {
    let mut lexer = Lexer::new(source.as_bytes());
    let (package, imports, first) = header(&mut lexer)?;
    let interest = interest(package);
    let matcher = Matcher::new(&interest, &imports)?;
    let bodies = bodies(&mut lexer, first, &matcher)?;
    ranges(source.as_bytes(), &bodies)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ident,
    /// Strings, runes and numbers.
    Literal,
    Punct(u8),
    End,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
    newline_before: bool,
}

/// Why the lexer gave up: the file is parsed whole.
struct Unreadable;

struct Lexer<'s> {
    src: &'s [u8],
    pos: usize,
}

impl<'s> Lexer<'s> {
    fn new(src: &'s [u8]) -> Lexer<'s> {
        Lexer { src, pos: 0 }
    }

    fn text(&self, token: Token) -> &'s [u8] {
        &self.src[token.start..token.end]
    }

    fn peek(&self, offset: usize) -> u8 {
        self.src.get(self.pos + offset).copied().unwrap_or(0)
    }

    fn next(&mut self) -> Result<Token, Unreadable> {
        let src = self.src;
        let mut newline_before = false;
        loop {
            match src.get(self.pos) {
                None => {
                    return Ok(Token {
                        kind: Kind::End,
                        start: self.pos,
                        end: self.pos,
                        newline_before,
                    });
                }
                Some(b' ' | b'\t' | b'\r') => self.pos += 1,
                Some(b'\n') => {
                    newline_before = true;
                    self.pos += 1;
                }
                Some(b'/') if self.peek(1) == b'/' => {
                    // The newline ending the comment is read next round.
                    self.pos = memchr(b'\n', src, self.pos).unwrap_or(src.len());
                }
                Some(b'/') if self.peek(1) == b'*' => {
                    let end = find(src, self.pos + 2, b"*/").ok_or(Unreadable)?;
                    // A general comment with a newline in it acts as a newline.
                    newline_before |= src[self.pos..end].contains(&b'\n');
                    self.pos = end + 2;
                }
                Some(_) => break,
            }
        }
        let start = self.pos;
        let c = src[start];
        let kind = if is_ident_start(c) {
            self.pos += 1;
            while self.pos < src.len() && is_ident_continue(src[self.pos]) {
                self.pos += 1;
            }
            Kind::Ident
        } else if c.is_ascii_digit() || (c == b'.' && self.peek(1).is_ascii_digit()) {
            self.pos += 1;
            while self.pos < src.len() {
                let d = src[self.pos];
                let exponent_sign = matches!(d, b'+' | b'-')
                    && matches!(src[self.pos - 1], b'e' | b'E' | b'p' | b'P');
                if d.is_ascii_alphanumeric() || d == b'_' || d == b'.' || exponent_sign {
                    self.pos += 1;
                } else {
                    break;
                }
            }
            Kind::Literal
        } else if c == b'"' || c == b'\'' {
            self.pos += 1;
            loop {
                match src.get(self.pos) {
                    None | Some(b'\n') => return Err(Unreadable),
                    Some(b'\\') => self.pos += 2,
                    Some(&d) if d == c => {
                        self.pos += 1;
                        break;
                    }
                    Some(_) => self.pos += 1,
                }
            }
            Kind::Literal
        } else if c == b'`' {
            let end = memchr(b'`', src, start + 1).ok_or(Unreadable)?;
            self.pos = end + 1;
            Kind::Literal
        } else if c == b'.' && self.peek(1) == b'.' && self.peek(2) == b'.' {
            self.pos += 3;
            Kind::Punct(b'~')
        } else {
            self.pos += 1;
            Kind::Punct(c)
        };
        Ok(Token {
            kind,
            start,
            end: self.pos.min(src.len()),
            newline_before,
        })
    }
}

fn is_ident_start(c: u8) -> bool {
    // Bytes of multi-byte UTF-8 characters: Go identifiers may hold letters
    // of any script, and nothing else outside literals and comments is non-ASCII.
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_ident_continue(c: u8) -> bool {
    is_ident_start(c) || c.is_ascii_digit()
}

fn memchr(needle: u8, haystack: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .iter()
        .position(|&b| b == needle)
        .map(|at| from + at)
}

fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|at| from + at)
}

/// One import: the name code uses and the path.
struct ImportName<'s> {
    local: std::borrow::Cow<'s, str>,
    path: &'s str,
}

/// Reads `package NAME` and the import declarations; returns them with the
/// first token after them.
fn header<'s>(lexer: &mut Lexer<'s>) -> Option<(&'s str, Vec<ImportName<'s>>, Token)> {
    let keyword = lexer.next().ok()?;
    if lexer.text(keyword) != b"package" {
        return None;
    }
    let name = lexer.next().ok()?;
    if name.kind != Kind::Ident {
        return None;
    }
    let package = std::str::from_utf8(lexer.text(name)).ok()?;
    let mut imports = Vec::new();
    loop {
        let token = lexer.next().ok()?;
        match token.kind {
            Kind::Punct(b';') => continue,
            Kind::Ident if lexer.text(token) == b"import" => {}
            _ => return Some((package, imports, token)),
        }
        let first = lexer.next().ok()?;
        if first.kind != Kind::Punct(b'(') {
            imports.push(import_spec(lexer, first)?);
            continue;
        }
        loop {
            let token = lexer.next().ok()?;
            match token.kind {
                Kind::Punct(b')') => break,
                Kind::Punct(b';') => continue,
                _ => imports.push(import_spec(lexer, token)?),
            }
        }
    }
}

fn import_spec<'s>(lexer: &mut Lexer<'s>, first: Token) -> Option<ImportName<'s>> {
    let (alias, path) = match first.kind {
        Kind::Ident | Kind::Punct(b'.') => (Some(first), lexer.next().ok()?),
        _ => (None, first),
    };
    let quoted = std::str::from_utf8(lexer.text(path)).ok()?;
    let path = quoted
        .strip_prefix('"')
        .and_then(|p| p.strip_suffix('"'))
        .or_else(|| quoted.strip_prefix('`').and_then(|p| p.strip_suffix('`')))?;
    if path.contains('\\') {
        return None;
    }
    let local = match alias {
        Some(alias) => std::borrow::Cow::Borrowed(std::str::from_utf8(lexer.text(alias)).ok()?),
        None => std::borrow::Cow::Owned(super::go::default_name(path)),
    };
    Some(ImportName { local, path })
}

/// The interest of the rules in terms of this file's names.
struct Matcher<'a> {
    /// (the file's name for the package, member)
    members: Vec<(&'a str, Member<'a>)>,
    methods: &'a [&'a str],
    naked_returns: bool,
    literal_max_params: Option<usize>,
    literal_error_early: bool,
    init_bodies: bool,
}

impl<'a> Matcher<'a> {
    /// Whether a function literal's signature is one a rule looks at.
    fn wants_literal(&self, sig: &Signature) -> bool {
        let params = if sig.params_empty {
            0
        } else {
            sig.param_commas + 1
        };
        self.literal_max_params
            .is_some_and(|max| params as usize > max)
            || (self.literal_error_early
                && sig.results_error
                && (sig.results_nested || !sig.results_end_in_error))
    }

    fn new(interest: &'a BodyInterest<'a>, imports: &'a [ImportName<'_>]) -> Option<Matcher<'a>> {
        if interest.everything {
            return None;
        }
        let mut members = Vec::new();
        for (path, member) in &interest.members {
            for import in imports.iter().filter(|i| i.path == *path) {
                match import.local.as_ref() {
                    // The package's names are used bare: no selector to find.
                    "." => return None,
                    "_" => {}
                    local => members.push((local, *member)),
                }
            }
        }
        Some(Matcher {
            members,
            methods: &interest.methods,
            naked_returns: interest.naked_returns,
            literal_max_params: interest.literal_max_params,
            literal_error_early: interest.literal_error_early,
            init_bodies: interest.init_bodies,
        })
    }

    fn wants_member(&self, operand: &[u8], name: &[u8]) -> bool {
        self.members
            .iter()
            .any(|(local, member)| local.as_bytes() == operand && member.matches(name))
    }

    fn wants_method(&self, name: &[u8]) -> bool {
        self.methods.iter().any(|m| m.as_bytes() == name)
    }
}

#[derive(Debug)]
struct Body {
    /// Offsets of the `{` and the `}`.
    open: usize,
    close: usize,
    parent: Option<usize>,
    keep: bool,
    /// Parse everything inside, nested literals included.
    keep_all: bool,
    /// The results are in parentheses, so they may be named.
    paren_results: bool,
}

/// A `func` keyword whose signature is being read.
#[derive(Clone, Copy)]
struct Signature {
    /// Bracket depth of the `func`.
    level: usize,
    parens: u32,
    /// A declaration whose first group is a receiver.
    method: bool,
    declaration: bool,
    /// A declaration named `init` (a package's init function).
    init: bool,
    tokens: u32,
    /// Inside a function body: a literal, whose signature the body holds.
    literal: bool,
    /// Commas directly inside the first parenthesised group, and whether it
    /// is empty (what a literal's parameter count is read from).
    param_commas: u32,
    params_empty: bool,
    /// The parenthesised results of a literal: an `error` directly inside,
    /// anything nested (a function type), whether `error` comes last.
    results_error: bool,
    results_nested: bool,
    results_end_in_error: bool,
}

/// The bodies of a file, each marked with whether a rule wants it parsed;
/// `None` when the brackets do not balance (the file is parsed whole).
fn bodies(lexer: &mut Lexer<'_>, first: Token, matcher: &Matcher<'_>) -> Option<Vec<Body>> {
    let mut skim = Skim::new(matcher);
    let mut token = first;
    loop {
        skim.settle_pending_return(token);
        skim.read_literal_signature(lexer, token);
        let opens_body = skim.read_signature(lexer, token);
        match token.kind {
            Kind::End => break,
            Kind::Punct(b'{') if opens_body => skim.open_body(token)?,
            Kind::Punct(open @ (b'(' | b'[' | b'{')) => skim.brackets.push((open, None)),
            Kind::Punct(close @ (b')' | b']' | b'}')) => skim.close_bracket(close, token)?,
            Kind::Ident => skim.read_ident(lexer, token),
            _ => {}
        }
        skim.before_previous = skim.previous;
        skim.previous = Some(token);
        token = lexer.next().ok()?;
    }
    skim.brackets.is_empty().then_some(skim.bodies)
}

/// The state of the one pass [`bodies`] makes over a file's tokens.
struct Skim<'m> {
    matcher: &'m Matcher<'m>,
    bodies: Vec<Body>,
    /// Open brackets, each with the body it opens.
    brackets: Vec<(u8, Option<usize>)>,
    open_bodies: Vec<usize>,
    signature: Option<Signature>,
    previous: Option<Token>,
    before_previous: Option<Token>,
    /// A `return` was just seen: whether it is bare depends on the next token.
    pending_return: bool,
}

impl<'m> Skim<'m> {
    fn new(matcher: &'m Matcher<'m>) -> Skim<'m> {
        Skim {
            matcher,
            bodies: Vec::new(),
            brackets: Vec::new(),
            open_bodies: Vec::new(),
            signature: None,
            previous: None,
            before_previous: None,
            pending_return: false,
        }
    }

    /// A bare `return` in a function with parenthesised (maybe named) results.
    fn settle_pending_return(&mut self, token: Token) {
        if !self.pending_return {
            return;
        }
        self.pending_return = false;
        let bare =
            token.newline_before || matches!(token.kind, Kind::Punct(b'}' | b';') | Kind::End);
        if bare
            && let Some(&body) = self.open_bodies.last()
            && self.bodies[body].paren_results
        {
            self.bodies[body].keep = true;
        }
    }

    /// Inside a literal's signature: its parameter count and its results.
    fn read_literal_signature(&mut self, lexer: &Lexer<'_>, token: Token) {
        let depth = self.brackets.len();
        let Some(sig) = self.signature.as_mut() else {
            return;
        };
        if !sig.literal || depth <= sig.level {
            return;
        }
        let direct = depth == sig.level + 1;
        let closing = direct && token.kind == Kind::Punct(b')');
        match sig.parens {
            1 if direct && !closing => {
                sig.params_empty = false;
                if token.kind == Kind::Punct(b',') {
                    sig.param_commas += 1;
                }
            }
            2 if !closing => {
                if !direct || lexer.text(token) == b"func" {
                    sig.results_nested = true;
                } else {
                    let is_error = token.kind == Kind::Ident && lexer.text(token) == b"error";
                    sig.results_error |= is_error;
                    sig.results_end_in_error = is_error;
                }
            }
            _ => {}
        }
    }

    /// At the signature's own depth: counts its groups, ends it where the
    /// statement ends, and says whether this token opens its body.
    fn read_signature(&mut self, lexer: &Lexer<'_>, token: Token) -> bool {
        let previous = self.previous;
        let Some(sig) = self.signature.as_mut() else {
            return false;
        };
        if self.brackets.len() != sig.level {
            return false;
        }
        sig.tokens += 1;
        match token.kind {
            Kind::Punct(b'(') => {
                if sig.tokens == 1 && sig.declaration {
                    sig.method = true;
                }
                sig.parens += 1;
            }
            Kind::Ident if sig.tokens == 1 && sig.declaration => {
                sig.init = lexer.text(token) == b"init";
            }
            Kind::Punct(b'{') => {
                let type_brace = previous.is_some_and(|p| {
                    matches!(lexer.text(p), b"struct" | b"interface") && p.kind == Kind::Ident
                });
                return !type_brace;
            }
            Kind::Punct(b';' | b'=' | b',' | b':') | Kind::End => self.signature = None,
            _ if token.newline_before && previous.is_some_and(|p| ends_statement(lexer, p)) => {
                self.signature = None
            }
            _ => {}
        }
        false
    }

    /// The `{` of the signature being read; a literal a rule wants keeps its
    /// parent body.
    fn open_body(&mut self, token: Token) -> Option<()> {
        let sig = self.signature.take()?;
        let results_from = if sig.method { 3 } else { 2 };
        let parent = self.open_bodies.last().copied();
        let whole = sig.init && self.matcher.init_bodies;
        if let Some(parent) = parent
            && sig.literal
            && self.matcher.wants_literal(&sig)
        {
            self.bodies[parent].keep = true;
        }
        self.bodies.push(Body {
            open: token.start,
            close: token.start,
            parent,
            keep: whole,
            keep_all: whole,
            paren_results: sig.parens >= results_from,
        });
        self.brackets.push((b'{', Some(self.bodies.len() - 1)));
        self.open_bodies.push(self.bodies.len() - 1);
        Some(())
    }

    /// `None` when the bracket does not match the open one.
    fn close_bracket(&mut self, close: u8, token: Token) -> Option<()> {
        let (open, body) = self.brackets.pop()?;
        if !matches!((open, close), (b'(', b')') | (b'[', b']') | (b'{', b'}')) {
            return None;
        }
        if self
            .signature
            .is_some_and(|s| self.brackets.len() < s.level)
        {
            self.signature = None;
        }
        if let Some(body) = body {
            self.open_bodies.pop();
            self.bodies[body].close = token.start;
            if self.bodies[body].keep
                && let Some(parent) = self.bodies[body].parent
            {
                self.bodies[parent].keep = true;
            }
        }
        Some(())
    }

    /// `func` starts a signature; inside a body, `return` and selectors are
    /// what rules ask about.
    fn read_ident(&mut self, lexer: &Lexer<'_>, token: Token) {
        let text = lexer.text(token);
        let current = self.open_bodies.last().copied();
        if text == b"func" {
            self.start_signature(token, current.is_some());
            return;
        }
        let Some(body) = current else {
            return;
        };
        if text == b"return" {
            self.pending_return = self.matcher.naked_returns;
        } else if self.previous.is_some_and(|p| p.kind == Kind::Punct(b'.')) {
            if self.matcher.wants_method(text) {
                self.bodies[body].keep = true;
                self.bodies[body].keep_all = true;
            } else if let Some(operand) = self.before_previous
                && operand.kind == Kind::Ident
                && self.matcher.wants_member(lexer.text(operand), text)
            {
                self.bodies[body].keep = true;
            }
        }
    }

    fn start_signature(&mut self, token: Token, in_body: bool) {
        // A function type among the parameters of the signature being read
        // is part of it, not a new signature.
        let in_signature = self
            .signature
            .is_some_and(|s| self.brackets.len() > s.level);
        if in_signature {
            return;
        }
        self.signature = Some(Signature {
            level: self.brackets.len(),
            parens: 0,
            method: false,
            declaration: self.brackets.is_empty()
                && (token.newline_before || self.previous.is_none()),
            init: false,
            tokens: 0,
            literal: in_body,
            param_commas: 0,
            params_empty: true,
            results_error: false,
            results_nested: false,
            results_end_in_error: false,
        });
    }
}

/// Whether a newline after this token ends the statement (Go's semicolon rule).
fn ends_statement(lexer: &Lexer<'_>, token: Token) -> bool {
    match token.kind {
        Kind::Ident => !matches!(
            lexer.text(token),
            b"func" | b"chan" | b"map" | b"struct" | b"interface"
        ),
        Kind::Literal => true,
        Kind::Punct(c) => matches!(c, b')' | b']' | b'}'),
        Kind::End => true,
    }
}

/// The included ranges: the file without the insides of the bodies left out.
fn ranges(src: &[u8], bodies: &[Body]) -> Option<Vec<Range>> {
    // A body is found after the bodies around it: one pass in order hands
    // `keep_all` down to every body inside, including those that opened
    // before the method call that set it.
    let mut keep_all = vec![false; bodies.len()];
    for (index, body) in bodies.iter().enumerate() {
        keep_all[index] = body.keep_all || body.parent.is_some_and(|p| keep_all[p]);
    }
    let dropped = |(index, body): &(usize, &Body)| {
        !body.keep
            && !keep_all[*index]
            && body.parent.is_none_or(|p| bodies[p].keep)
            // Not worth a range boundary.
            && body.close > body.open + 2
    };
    if !bodies.iter().enumerate().any(|b| dropped(&b)) {
        return None;
    }
    let mut position = Position::default();
    let mut ranges = Vec::new();
    let mut from = position.at(src, 0);
    for (_, body) in bodies.iter().enumerate().filter(dropped) {
        let to = position.at(src, body.open + 1);
        ranges.push(range(from, to));
        from = position.at(src, body.close);
    }
    let end = position.at(src, src.len());
    if end.0 > from.0 {
        ranges.push(range(from, end));
    }
    Some(ranges)
}

fn range(from: (usize, Point), to: (usize, Point)) -> Range {
    Range {
        start_byte: from.0,
        end_byte: to.0,
        start_point: from.1,
        end_point: to.1,
    }
}

/// Row and byte column of increasing offsets, counted incrementally.
#[derive(Default)]
struct Position {
    offset: usize,
    row: usize,
    line_start: usize,
}

impl Position {
    fn at(&mut self, src: &[u8], offset: usize) -> (usize, Point) {
        for (i, &b) in src[self.offset..offset].iter().enumerate() {
            if b == b'\n' {
                self.row += 1;
                self.line_start = self.offset + i + 1;
            }
        }
        self.offset = offset;
        (offset, Point::new(self.row, offset - self.line_start))
    }
}

/// What classifying programs needs of a Go file (see `repo::programs`): its
/// package, its imports, and the server signals it uses. The body is lexed
/// only when the file imports a package with a signal; a file the lexer
/// cannot read counts as using every signal it imports, so that doubt keeps
/// a program a service (checked) rather than a tool.
pub(crate) fn program_file(path: &str, source: &str) -> ProgramFile {
    let mut lexer = Lexer::new(source.as_bytes());
    let is_test = path.ends_with("_test.go");
    let Some((package, imports, first)) = header(&mut lexer) else {
        return ProgramFile {
            path: path.to_string(),
            is_test,
            imports: super::go::quick_imports(source)
                .into_iter()
                .map(|i| i.path)
                .collect(),
            ..ProgramFile::default()
        };
    };
    let mut serves = Vec::new();
    let mut watched: Vec<(&str, &str, &[String])> = Vec::new();
    for import in &imports {
        let Some((_, signal)) = programs::signal_for(import.path) else {
            continue;
        };
        match import.local.as_ref() {
            "_" => {}
            "." => serves.push(import.path.to_string()),
            _ if signal.members.is_empty() => serves.push(import.path.to_string()),
            local => watched.push((local, import.path, &signal.members)),
        }
    }
    if !watched.is_empty() {
        match selectors_used(&mut lexer, first, &watched) {
            Some(found) => serves.extend(found),
            None => serves.extend(watched.iter().map(|(_, path, _)| path.to_string())),
        }
    }
    serves.sort();
    serves.dedup();
    ProgramFile {
        path: path.to_string(),
        package: package.to_string(),
        is_test,
        imports: imports.iter().map(|i| i.path.to_string()).collect(),
        serves,
    }
}

/// `import.Member` for every `local.Member` of `watched` in the rest of the
/// file (not after a `.`: a field that shares the package's name is not it).
fn selectors_used(
    lexer: &mut Lexer<'_>,
    first: Token,
    watched: &[(&str, &str, &[String])],
) -> Option<Vec<String>> {
    let mut found = Vec::new();
    // The three tokens before this one: `x.local.Member` is a field chain.
    let mut last: [Option<Token>; 3] = [None; 3];
    let mut token = first;
    while token.kind != Kind::End {
        if token.kind == Kind::Ident
            && let [chain, Some(operand), Some(dot)] = last
            && dot.kind == Kind::Punct(b'.')
            && operand.kind == Kind::Ident
            && chain.is_none_or(|c| c.kind != Kind::Punct(b'.'))
        {
            let name = lexer.text(token);
            let operand_text = lexer.text(operand);
            for (local, path, members) in watched {
                if local.as_bytes() == operand_text && members.iter().any(|m| m.as_bytes() == name)
                {
                    found.push(format!("{path}.{}", String::from_utf8_lossy(name)));
                }
            }
        }
        last = [last[1], last[2], Some(token)];
        token = lexer.next().ok()?;
    }
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_files_name_the_server_members_they_use() {
        let source = r#"package main

import (
	nethttp "net/http"
	"github.com/gin-gonic/gin"
	"github.com/cloudwego/kitex/server"
	"fmt"
)

// http.ListenAndServe in a comment is not a use.
func main() {
	srv := &nethttp.Server{Addr: ":80"}
	cfg.gin.Default()
	fmt.Println(srv, "nethttp.ListenAndServe")
}
"#;
        let file = program_file("cmd/api/main.go", source);
        assert_eq!(file.package, "main");
        assert!(!file.is_test);
        assert_eq!(
            file.serves,
            ["github.com/cloudwego/kitex/server", "net/http.Server",],
            "an import with no members counts alone; a field chain, a string and a comment do not"
        );
        assert_eq!(file.imports.len(), 4);
    }

    #[test]
    fn program_files_that_cannot_be_lexed_count_every_signal_they_import() {
        let source = "package main\n\nimport \"net\"\n\nfunc main() { s := \"unterminated\n}\n";
        let file = program_file("cmd/x/main.go", source);
        assert_eq!(file.serves, ["net"]);
        let plain = program_file(
            "cmd/y/main.go",
            "package main\n\nimport \"net\"\n\nfunc main() { _ = net.ParseIP(\"::1\") }\n",
        );
        assert!(plain.serves.is_empty(), "{:?}", plain.serves);
    }

    fn logging<'a>() -> BodyInterest<'a> {
        let mut interest = BodyInterest::default();
        interest.member("log", Member::Prefix("Print"));
        interest.methods(&["Query"]);
        interest.naked_returns();
        interest
    }

    /// The text tree-sitter sees: the parsed ranges, with what is left out blanked.
    fn seen(source: &str, interest: BodyInterest<'_>) -> Option<String> {
        let ranges = included_ranges(source, |_| interest)?;
        let mut text: Vec<u8> = source
            .bytes()
            .map(|b| if b == b'\n' { b } else { b' ' })
            .collect();
        for range in ranges {
            text[range.start_byte..range.end_byte]
                .copy_from_slice(&source.as_bytes()[range.start_byte..range.end_byte]);
        }
        let text = String::from_utf8(text).unwrap();
        Some(
            text.lines()
                .map(str::trim_end)
                .collect::<Vec<_>>()
                .join("\n"),
        )
    }

    #[test]
    fn bodies_without_interest_are_left_out() {
        let source = "package x\n\nimport (\n\tl \"log\"\n)\n\nfunc a() {\n\tx := 1\n\t_ = x\n}\n\nfunc b() {\n\tl.Printf(\"%d\", 1)\n}\n\nfunc (s *S) c() int {\n\treturn 2\n}\n";
        let expected = "package x\n\nimport (\n\tl \"log\"\n)\n\nfunc a() {\n\n\n}\n\nfunc b() {\n\tl.Printf(\"%d\", 1)\n}\n\nfunc (s *S) c() int {\n\n}";
        assert_eq!(seen(source, logging()).unwrap(), expected);
    }

    #[test]
    fn literals_keep_their_parent_and_are_decided_alone() {
        let source = "package x\n\nfunc a() {\n\tf := func(a, b int) {\n\t\t_ = a\n\t}\n\tg := func() {\n\t\tdb.Query(q)\n\t}\n\tf(1, 2)\n\tg()\n}\n";
        let seen = seen(source, logging()).unwrap();
        assert!(seen.contains("f := func(a, b int) {\n\n }"), "{seen}");
        assert!(seen.contains("db.Query(q)"), "{seen}");
        assert!(seen.contains("\tf(1, 2)"), "{seen}");
    }

    #[test]
    fn literal_signatures_keep_their_parent_only_when_a_rule_asks() {
        let source = "package x\n\nfunc a() {\n\tx := 1\n\tf := func(p, q int) (int, error) {\n\t\treturn p, nil\n\t}\n\t_ = f\n}\n";
        let signatures = || {
            let mut interest = BodyInterest::default();
            interest.literals_with_more_params_than(2);
            interest.literals_returning_error_early();
            interest
        };
        let elided = seen(source, signatures()).unwrap();
        assert!(!elided.contains("x := 1"), "{elided}");
        let asked = [
            "func(a, b, c int)",
            "func() (error, int)",
            "func() (err error, n int)",
            "func() (error, func() error)",
        ];
        for signature in asked {
            let source = source.replace("func(p, q int) (int, error)", signature);
            let seen = seen(&source, signatures()).unwrap_or_default();
            assert!(seen.contains("x := 1"), "{signature}: {seen}");
            assert!(seen.contains(signature), "{signature}: {seen}");
        }
    }

    #[test]
    fn a_method_call_keeps_every_literal_inside() {
        let source = "package x\n\nfunc a() {\n\tvar q string\n\tset := func() {\n\t\tq = \"SELECT \" + id\n\t}\n\tset()\n\tdb.Query(q)\n}\n\nfunc b() {\n\tc := 1\n\t_ = c\n}\n";
        let seen = seen(source, logging()).unwrap();
        assert!(seen.contains("q = \"SELECT \" + id"), "{seen}");
        assert!(!seen.contains("c := 1"), "{seen}");
    }

    #[test]
    fn bare_returns_keep_functions_with_parenthesized_results() {
        let source = "package x\n\nfunc a() (n int) {\n\tn = 1\n\treturn\n}\n\nfunc b() {\n\tif x {\n\t\treturn\n\t}\n}\n\nfunc (s S) c() (int, error) {\n\treturn 1, nil\n}\n\nfunc (s S) d() (n int) {\n\treturn\n}\n";
        let seen = seen(source, logging()).unwrap();
        assert!(seen.contains("\tn = 1\n\treturn"), "{seen}");
        assert!(!seen.contains("if x"), "{seen}");
        assert!(!seen.contains("return 1, nil"), "{seen}");
        assert!(seen.contains("d() (n int) {\n\treturn\n}"), "{seen}");
    }

    #[test]
    fn type_braces_in_signatures_are_not_bodies() {
        let source = "package x\n\nfunc a(v struct{ A int }) interface{ M() } {\n\tx := 1\n\t_ = x\n}\n\nfunc b[T interface{ ~int }]() map[string]struct{} {\n\ty := 2\n\t_ = y\n}\n\nfunc c() func() {\n\tz := 3\n\treturn nil\n}\n";
        let seen = seen(source, logging()).unwrap();
        assert!(seen.contains("interface{ M() } {\n\n\n}"), "{seen}");
        assert!(seen.contains("map[string]struct{} {\n\n\n}"), "{seen}");
        assert!(seen.contains("func c() func() {\n\n\n}"), "{seen}");
    }

    #[test]
    fn declarations_without_bodies_end_at_the_newline() {
        let source = "package x\n\nfunc asm(x int) int\n\ntype H func(int) error\n\nvar v = func() {\n\tw := 1\n\t_ = w\n}\n";
        let seen = seen(source, logging()).unwrap();
        assert!(seen.contains("type H func(int) error"), "{seen}");
        assert!(!seen.contains("w := 1"), "{seen}");
    }

    #[test]
    fn what_the_lexer_cannot_read_is_parsed_whole() {
        let cases = [
            "package x\n\nfunc a() {\n\ts := \"unterminated\n}\n",
            "package x\n\nfunc a() {\n\t/* open comment\n}\n",
            "package x\n\nfunc a() {\n\tx := (1]\n}\n",
            "package x\n\nfunc a() {\n\tx := 1\n",
            "// no package clause\nfunc a() {\n\tx := 1\n}\n",
        ];
        for source in cases {
            assert!(seen(source, logging()).is_none(), "{source}");
        }
        let dot = "package x\n\nimport . \"log\"\n\nfunc a() {\n\tPrintf(\"x\")\n}\n";
        assert!(seen(dot, logging()).is_none());
        let mut everything = logging();
        everything.everything();
        let plain = "package x\n\nfunc a() {\n\tx := 1\n\t_ = x\n}\n";
        assert!(seen(plain, everything).is_none());
        assert!(seen(plain, logging()).is_some());
    }

    #[test]
    fn literals_and_comments_do_not_confuse_brackets() {
        let source = "package x\n\nfunc a() {\n\ts := \"}{\" + `\n}` + string('}')\n\t// }\n\t/* { */\n\t_ = s\n}\n\nfunc b() {\n\tl.Printf(\"x\")\n}\n";
        let seen = seen(source, {
            let mut i = BodyInterest::default();
            i.member("log", Member::Prefix("Print"));
            i
        })
        .unwrap();
        assert!(!seen.contains("string('}')"), "{seen}");
        // `l` is not this file's name for log: nothing imports it.
        assert!(!seen.contains("Printf"), "{seen}");
    }

    #[test]
    fn positions_in_the_parsed_ranges_are_the_files() {
        let source = "package x\n\nimport \"log\"\n\nfunc a() {\n\tx := 1\n\t_ = x\n}\n\nfunc b() {\n\tlog.Println(\"é\")\n}\n";
        let ranges = included_ranges(source, |_| logging()).unwrap();
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&super::super::go::language()).unwrap();
        parser.set_included_ranges(&ranges).unwrap();
        let tree = parser.parse(source, None).unwrap();
        assert!(!tree.root_node().has_error());
        let file = super::super::go::GoFile::new("x.go", None, source, &tree);
        let calls: Vec<_> = file
            .calls
            .iter()
            .map(|c| (file.callee(*c), file.span(*c).line, file.span(*c).column))
            .collect();
        assert_eq!(calls, vec![(Some(("log", "Println")), 11, 2)]);
        assert_eq!(file.functions.len(), 2);
    }

    /// Mutated Go files (deleted, repeated and inserted bytes, mostly
    /// brackets and quotes) never make the lexer panic; its ranges are
    /// ordered, inside the file and at the right rows and columns; and a file
    /// that parses cleanly whole also parses cleanly without the bodies.
    #[test]
    fn mutated_files_give_well_formed_ranges() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut files = Vec::new();
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "go")
                    // Some fixtures are deliberately not UTF-8.
                    && let Ok(text) = String::from_utf8(std::fs::read(path).unwrap())
                {
                    files.push(text);
                }
            }
        }
        assert!(files.len() > 50);
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move |bound: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % bound.max(1) as u64) as usize
        };
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&super::super::go::language()).unwrap();
        let mut checked = 0;
        for original in &files {
            for round in 0..40 {
                let mut bytes = original.as_bytes().to_vec();
                if round > 0 {
                    let at = next(bytes.len());
                    match next(3) {
                        0 => {
                            let end = (at + next(40)).min(bytes.len());
                            bytes.drain(at..end);
                        }
                        1 => {
                            let end = (at + next(40)).min(bytes.len());
                            let copy = bytes[at..end].to_vec();
                            bytes.splice(at..at, copy);
                        }
                        _ => bytes.insert(at, b"{}()[]\"'`/*\n\\x."[next(14)]),
                    }
                }
                let Ok(text) = String::from_utf8(bytes) else {
                    continue;
                };
                parser.set_included_ranges(&[]).unwrap();
                let whole_is_clean = !parser.parse(&text, None).unwrap().root_node().has_error();
                let Some(ranges) = included_ranges(&text, |_| logging()) else {
                    continue;
                };
                let mut end = 0;
                for range in &ranges {
                    assert!(range.start_byte >= end && range.end_byte > range.start_byte);
                    assert!(range.end_byte <= text.len());
                    for (byte, point) in [
                        (range.start_byte, range.start_point),
                        (range.end_byte, range.end_point),
                    ] {
                        let before = &text.as_bytes()[..byte];
                        let row = before.iter().filter(|&&b| b == b'\n').count();
                        let line_start = before
                            .iter()
                            .rposition(|&b| b == b'\n')
                            .map_or(0, |i| i + 1);
                        assert_eq!((point.row, point.column), (row, byte - line_start));
                    }
                    end = range.end_byte;
                }
                parser.set_included_ranges(&ranges).unwrap();
                let skimmed = parser.parse(&text, None).unwrap();
                if whole_is_clean {
                    assert!(!skimmed.root_node().has_error(), "{text}");
                }
                checked += 1;
            }
        }
        assert!(checked > 500, "{checked}");
    }
}
