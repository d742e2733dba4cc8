//! go.mod, go.work, go.sum and go.work.sum, parsed per the Go modules
//! reference, with the position of every directive.

pub mod version;

mod lex;
pub(crate) use lex::go_quote;
pub mod sum;

use crate::error::InputError;
use crate::gomod::version::{GoVersion, parse_go_language};
use lex::{Kind, Line, Token, lex, quote_if_needed};
use std::fmt::Write as _;
use std::path::Path;

/// Where a directive's arguments are: the line, the first and the last column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) struct Pos {
    pub(crate) line: u32,
    pub(crate) column: u32,
    pub(crate) end_column: u32,
}

impl Pos {
    pub(crate) fn span(self) -> crate::report::Span {
        crate::report::Span {
            line: self.line,
            column: self.column,
            end_line: self.line,
            end_column: self.end_column,
        }
    }
}

/// A syntax error in a go.mod-like file, before it knows its file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub(crate) line: u32,
    pub(crate) column: u32,
    pub(crate) message: String,
    pub(crate) help: String,
}

impl ParseError {
    pub(crate) fn new(line: u32, column: u32, message: impl Into<String>) -> ParseError {
        ParseError {
            line,
            column,
            message: message.into(),
            help: "see https://go.dev/ref/mod#go-mod-file for the syntax; `go mod edit -fmt` rewrites the file".into(),
        }
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> ParseError {
        self.help = help.into();
        self
    }

    /// The exit-2 error naming the file, the line and the fix.
    pub(crate) fn into_input_error(self, path: &Path, text: &str) -> InputError {
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        InputError::new(format!("{name}: {}", self.message))
            .in_file(path)
            .at(self.line, self.column)
            .with_source(text)
            .help(self.help)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Module {
    pub(crate) path: String,
    /// The text after `Deprecated:` in the module's comments.
    pub(crate) deprecated: Option<String>,
    pub(crate) pos: Pos,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Require {
    pub(crate) path: String,
    pub(crate) version: GoVersion,
    pub(crate) indirect: bool,
    pub(crate) pos: Pos,
    /// The version as written (quotes included): what a fix replaces.
    pub(crate) version_pos: Pos,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Exclude {
    pub(crate) path: String,
    pub(crate) version: GoVersion,
    pub(crate) pos: Pos,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Replace {
    pub(crate) old_path: String,
    pub(crate) old_version: Option<GoVersion>,
    pub(crate) new_path: String,
    /// None when the replacement is a directory.
    pub(crate) new_version: Option<GoVersion>,
    pub(crate) pos: Pos,
}

impl Replace {
    /// Whether the replacement is a file path rather than a module.
    pub(crate) fn is_local(&self) -> bool {
        is_local_path(&self.new_path)
    }

    /// Whether it keeps the module and only fixes its version
    /// (`replace X => X v1.2.3`): a pin, not a fork.
    pub(crate) fn is_pin(&self) -> bool {
        self.new_version.is_some() && self.new_path == self.old_path
    }

    /// The module version whose hashes go.sum must hold instead of the
    /// replaced one; None for a directory, which go.sum never covers.
    pub(crate) fn target(&self) -> Option<(&str, &GoVersion)> {
        self.new_version
            .as_ref()
            .map(|v| (self.new_path.as_str(), v))
    }
}

/// The replace Go applies to one module version among `replaces`: one that
/// names this exact version wins over one for every version of the path; a
/// replace naming another version does not apply.
pub(crate) fn replacement_for<'a>(
    replaces: &'a [Replace],
    path: &str,
    version: &GoVersion,
) -> Option<&'a Replace> {
    let mut wildcard = None;
    for replace in replaces.iter().filter(|r| r.old_path == path) {
        match &replace.old_version {
            Some(v) if v == version => return Some(replace),
            Some(_) => {}
            None => wildcard = wildcard.or(Some(replace)),
        }
    }
    wildcard
}

/// Go's rule: a replacement path is a directory when it starts with `./`,
/// `../` or is absolute (Unix or Windows).
pub(crate) fn is_local_path(path: &str) -> bool {
    path == "."
        || path == ".."
        || path.starts_with("./")
        || path.starts_with("../")
        || path.starts_with(".\\")
        || path.starts_with("..\\")
        || is_absolute_path(path)
}

pub(crate) fn is_absolute_path(path: &str) -> bool {
    let bytes = path.as_bytes();
    path.starts_with('/')
        || path.starts_with('\\')
        || (bytes.len() >= 3
            && bytes[0].is_ascii_alphabetic()
            && bytes[1] == b':'
            && (bytes[2] == b'\\' || bytes[2] == b'/'))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Retract {
    pub(crate) low: GoVersion,
    pub(crate) high: GoVersion,
    pub(crate) rationale: Option<String>,
    pub(crate) pos: Pos,
}

impl Retract {
    pub(crate) fn contains(&self, version: &GoVersion) -> bool {
        &self.low <= version && version <= &self.high
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Setting {
    pub(crate) value: String,
    pub(crate) pos: Pos,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Godebug {
    pub(crate) key: String,
    pub(crate) value: String,
    pub(crate) pos: Pos,
}

/// A parsed go.mod.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoMod {
    pub(crate) module: Option<Module>,
    pub(crate) go: Option<Setting>,
    pub(crate) toolchain: Option<Setting>,
    pub(crate) godebug: Vec<Godebug>,
    pub(crate) requires: Vec<Require>,
    pub(crate) excludes: Vec<Exclude>,
    pub(crate) replaces: Vec<Replace>,
    pub(crate) retracts: Vec<Retract>,
    pub(crate) tools: Vec<Setting>,
    pub(crate) ignores: Vec<Setting>,
}

/// A parsed go.work.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoWork {
    pub(crate) go: Option<Setting>,
    pub(crate) toolchain: Option<Setting>,
    pub(crate) godebug: Vec<Godebug>,
    pub(crate) uses: Vec<Setting>,
    pub(crate) replaces: Vec<Replace>,
}

/// How strictly to read: a repository's own files are strict (unknown
/// directives are errors, as for the go command); go.mod files fetched from
/// upstream are lax (newer Go versions may add directives).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Strict,
    Lax,
}

/// A directive occurrence: its verb, its arguments and the comments around it.
struct Entry<'a> {
    verb: &'a Token,
    args: &'a [Token],
    line: &'a Line,
    /// Comment lines directly above (inside a block: above the entry).
    leading: Vec<&'a str>,
}

/// Splits lines into directive entries, expanding `verb ( ... )` blocks.
fn entries(lines: &[Line]) -> Result<Vec<Entry<'_>>, ParseError> {
    let mut out = Vec::new();
    let mut leading: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        i += 1;
        let Some(first) = line.tokens.first() else {
            match &line.comment {
                Some(comment) => leading.push(comment),
                None => leading.clear(),
            }
            continue;
        };
        let verb = match first.kind {
            Kind::Word { quoted: false } => first,
            _ => {
                return Err(ParseError::new(
                    line.number,
                    first.column,
                    format!("unexpected `{}` at the start of a line", first.text),
                )
                .help("each line starts with a directive such as `require` or `replace`"));
            }
        };
        let rest = &line.tokens[1..];
        let opens_block = rest.first().is_some_and(|t| t.kind == Kind::LParen);
        if !opens_block {
            out.push(Entry {
                verb,
                args: rest,
                line,
                leading: std::mem::take(&mut leading),
            });
            continue;
        }
        match rest.len() {
            1 => {}
            2 if rest[1].kind == Kind::RParen => {
                // `require ()`: an empty block.
                leading.clear();
                continue;
            }
            _ => {
                return Err(ParseError::new(
                    line.number,
                    rest[1].column,
                    format!("unexpected `{}` after `{} (`", rest[1].text, verb.text),
                )
                .help("put each entry of a block on its own line"));
            }
        }
        leading.clear();
        let mut closed = false;
        while i < lines.len() {
            let inner = &lines[i];
            i += 1;
            match inner.tokens.first() {
                None => {
                    match &inner.comment {
                        Some(comment) => leading.push(comment),
                        None => leading.clear(),
                    }
                    continue;
                }
                Some(t) if t.kind == Kind::RParen => {
                    if let Some(extra) = inner.tokens.get(1) {
                        return Err(ParseError::new(
                            inner.number,
                            extra.column,
                            format!("unexpected `{}` after `)`", extra.text),
                        )
                        .help("a block ends with `)` alone on its line"));
                    }
                    closed = true;
                    break;
                }
                Some(t) if t.kind == Kind::LParen => {
                    return Err(
                        ParseError::new(inner.number, t.column, "blocks do not nest")
                            .help("close the current block with `)` before opening another"),
                    );
                }
                Some(_) => out.push(Entry {
                    verb,
                    args: &inner.tokens,
                    line: inner,
                    leading: std::mem::take(&mut leading),
                }),
            }
        }
        leading.clear();
        if !closed {
            return Err(ParseError::new(
                line.number,
                rest[0].column,
                format!("`{} (` block is never closed", verb.text),
            )
            .help("add a line with `)` after the last entry"));
        }
    }
    Ok(out)
}

fn span_of(line: &Line, args: &[Token], fallback: &Token) -> Pos {
    match (args.first(), args.last()) {
        (Some(first), Some(last)) => Pos {
            line: line.number,
            column: first.column,
            end_column: last.end_column,
        },
        _ => Pos {
            line: line.number,
            column: fallback.column,
            end_column: fallback.end_column,
        },
    }
}

fn word<'a>(entry: &Entry<'a>, index: usize, what: &str) -> Result<&'a Token, ParseError> {
    match entry.args.get(index) {
        Some(t) if matches!(t.kind, Kind::Word { .. }) => Ok(t),
        Some(t) => Err(ParseError::new(
            entry.line.number,
            t.column,
            format!("expected {what}, found `{}`", t.text),
        )),
        None => Err(ParseError::new(
            entry.line.number,
            entry.verb.end_column,
            format!("`{}` is missing {what}", entry.verb.text),
        )),
    }
}

fn arity(entry: &Entry<'_>, count: usize, usage: &str) -> Result<(), ParseError> {
    if entry.args.len() == count {
        return Ok(());
    }
    let column = entry
        .args
        .get(count)
        .map_or(entry.verb.end_column, |t| t.column);
    Err(ParseError::new(
        entry.line.number,
        column,
        format!(
            "`{}` takes {count} argument{}, found {}",
            entry.verb.text,
            if count == 1 { "" } else { "s" },
            entry.args.len()
        ),
    )
    .help(format!("write it as `{usage}`")))
}

fn version(token: &Token, line: u32) -> Result<GoVersion, ParseError> {
    GoVersion::parse(&token.text).map_err(|message| {
        ParseError::new(line, token.column, message)
            .help("use a canonical version such as v1.2.3; `go mod tidy` resolves branch names and shorthands")
    })
}

fn module_path(token: &Token, line: u32) -> Result<String, ParseError> {
    let path = token.text.as_str();
    let bad = path.is_empty()
        || path.starts_with('-')
        || path.starts_with('/')
        || path.contains("//")
        || path.ends_with('/')
        || path.chars().any(|c| c.is_whitespace() || c.is_control());
    if bad {
        return Err(ParseError::new(
            line,
            token.column,
            format!("`{path}` is not a valid module path"),
        )
        .help("module paths look like example.com/team/service"));
    }
    Ok(path.to_string())
}

fn deprecation(comments: &[&str]) -> Option<String> {
    let mut collecting = false;
    let mut text: Vec<&str> = Vec::new();
    for comment in comments {
        if let Some(rest) = comment.strip_prefix("Deprecated:") {
            collecting = true;
            text.clear();
            text.push(rest.trim());
        } else if collecting {
            if comment.trim().is_empty() {
                break;
            }
            text.push(comment.trim());
        }
    }
    collecting.then(|| text.join(" ").trim().to_string())
}

fn go_setting(entry: &Entry<'_>, verb: &str) -> Result<Setting, ParseError> {
    arity(entry, 1, &format!("{verb} 1.22"))?;
    let token = word(entry, 0, "a version")?;
    let ok = match verb {
        "toolchain" => {
            token.text == "default"
                || (token.text.starts_with("go") && parse_go_language(&token.text).is_some())
        }
        _ => !token.text.starts_with("go") && parse_go_language(&token.text).is_some(),
    };
    if !ok {
        return Err(ParseError::new(
            entry.line.number,
            token.column,
            format!("invalid {verb} version `{}`", token.text),
        )
        .help(if verb == "toolchain" {
            "write it as `toolchain go1.22.3`"
        } else {
            "write it as `go 1.22` or `go 1.22.3`"
        }));
    }
    Ok(Setting {
        value: token.text.clone(),
        pos: span_of(entry.line, entry.args, entry.verb),
    })
}

fn godebug(entry: &Entry<'_>) -> Result<Godebug, ParseError> {
    arity(entry, 1, "godebug key=value")?;
    let token = word(entry, 0, "a key=value setting")?;
    let Some((key, value)) = token.text.split_once('=') else {
        return Err(
            ParseError::new(entry.line.number, token.column, "godebug needs key=value")
                .help("write it as `godebug default=go1.21`"),
        );
    };
    if key.is_empty() || value.is_empty() {
        return Err(
            ParseError::new(entry.line.number, token.column, "godebug needs key=value")
                .help("write it as `godebug default=go1.21`"),
        );
    }
    Ok(Godebug {
        key: key.to_string(),
        value: value.to_string(),
        pos: span_of(entry.line, entry.args, entry.verb),
    })
}

fn replace(entry: &Entry<'_>) -> Result<Replace, ParseError> {
    let line = entry.line.number;
    let arrow = entry
        .args
        .iter()
        .position(|t| t.kind == Kind::Arrow)
        .ok_or_else(|| {
            ParseError::new(line, entry.verb.end_column, "replace is missing `=>`").help(
                "write it as `replace old/module [v1.2.3] => new/module v1.2.4` or `=> ../dir`",
            )
        })?;
    let (left, right) = (&entry.args[..arrow], &entry.args[arrow + 1..]);
    let usage = "replace old/module [v1.2.3] => new/module v1.2.4 (or => ../dir)";
    if left.is_empty() || left.len() > 2 || right.is_empty() || right.len() > 2 {
        let at = if left.is_empty() || left.len() > 2 {
            left.get(2).map_or(entry.verb.end_column, |t| t.column)
        } else {
            right
                .get(2)
                .map_or(entry.args[arrow].end_column, |t| t.column)
        };
        return Err(
            ParseError::new(line, at, "malformed replace").help(format!("write it as `{usage}`"))
        );
    }
    for token in left.iter().chain(right) {
        if !matches!(token.kind, Kind::Word { .. }) {
            return Err(ParseError::new(
                line,
                token.column,
                format!("unexpected `{}`", token.text),
            )
            .help(format!("write it as `{usage}`")));
        }
    }
    let old_path = module_path(&left[0], line)?;
    let old_version = left.get(1).map(|t| version(t, line)).transpose()?;
    let new_path = right[0].text.clone();
    let local = is_local_path(&new_path);
    let new_version = match (right.get(1), local) {
        (Some(t), true) => {
            return Err(ParseError::new(
                line,
                t.column,
                "a replacement directory takes no version",
            )
            .help(format!("drop `{}` after `{new_path}`", t.text)));
        }
        (Some(t), false) => Some(version(t, line)?),
        (None, true) => None,
        (None, false) => {
            module_path(&right[0], line)?;
            return Err(ParseError::new(
                line,
                right[0].end_column,
                format!("replacement module `{new_path}` needs a version"),
            )
            .help(
                "add the version after the module path, or write a directory as ./dir or ../dir",
            ));
        }
    };
    Ok(Replace {
        old_path,
        old_version,
        new_path,
        new_version,
        pos: span_of(entry.line, entry.args, entry.verb),
    })
}

fn retract(entry: &Entry<'_>) -> Result<Retract, ParseError> {
    let line = entry.line.number;
    let rationale = entry
        .line
        .comment
        .clone()
        .or_else(|| (!entry.leading.is_empty()).then(|| entry.leading.join(" ")))
        .filter(|c| !c.is_empty());
    let pos = span_of(entry.line, entry.args, entry.verb);
    let args = entry.args;
    if args.first().is_some_and(|t| t.kind == Kind::LBrack) {
        let shape_ok = args.len() == 5
            && matches!(args[1].kind, Kind::Word { .. })
            && args[2].kind == Kind::Comma
            && matches!(args[3].kind, Kind::Word { .. })
            && args[4].kind == Kind::RBrack;
        if !shape_ok {
            let at = args.get(1).map_or(args[0].column, |t| t.column);
            return Err(ParseError::new(line, at, "malformed retract interval")
                .help("write it as `retract [v1.0.0, v1.0.5]`"));
        }
        let low = version(&args[1], line)?;
        let high = version(&args[3], line)?;
        if low > high {
            return Err(ParseError::new(
                line,
                args[1].column,
                format!("retract interval [{low}, {high}] is empty"),
            )
            .help("put the lower version first"));
        }
        return Ok(Retract {
            low,
            high,
            rationale,
            pos,
        });
    }
    arity(entry, 1, "retract v1.0.0")?;
    let token = word(entry, 0, "a version")?;
    let v = version(token, line)?;
    Ok(Retract {
        low: v.clone(),
        high: v,
        rationale,
        pos,
    })
}

/// Parses a go.mod.
pub fn parse_go_mod(text: &str, mode: Mode) -> Result<GoMod, ParseError> {
    let lines = lex(text)?;
    let mut module = GoMod::default();
    for entry in entries(&lines)? {
        let line = entry.line.number;
        match entry.verb.text.as_str() {
            "module" => {
                if module.module.is_some() {
                    return Err(ParseError::new(
                        line,
                        entry.verb.column,
                        "repeated module directive",
                    )
                    .help("keep one `module` line"));
                }
                arity(&entry, 1, "module example.com/name")?;
                let token = word(&entry, 0, "a module path")?;
                let trailing: Vec<&str> = entry.line.comment.as_deref().into_iter().collect();
                module.module = Some(Module {
                    path: module_path(token, line)?,
                    deprecated: deprecation(&entry.leading).or_else(|| deprecation(&trailing)),
                    pos: span_of(entry.line, entry.args, entry.verb),
                });
            }
            "go" => {
                if module.go.is_some() {
                    return Err(
                        ParseError::new(line, entry.verb.column, "repeated go directive")
                            .help("keep one `go` line"),
                    );
                }
                module.go = Some(go_setting(&entry, "go")?);
            }
            "toolchain" => {
                if module.toolchain.is_some() {
                    return Err(ParseError::new(
                        line,
                        entry.verb.column,
                        "repeated toolchain directive",
                    )
                    .help("keep one `toolchain` line"));
                }
                module.toolchain = Some(go_setting(&entry, "toolchain")?);
            }
            "godebug" => module.godebug.push(godebug(&entry)?),
            "require" => {
                arity(&entry, 2, "require example.com/mod v1.2.3")?;
                let path = module_path(word(&entry, 0, "a module path")?, line)?;
                let version_token = word(&entry, 1, "a version")?;
                let version = version(version_token, line)?;
                let indirect = entry
                    .line
                    .comment
                    .as_deref()
                    .is_some_and(|c| c == "indirect" || c.starts_with("indirect;"));
                module.requires.push(Require {
                    path,
                    version,
                    indirect,
                    pos: span_of(entry.line, entry.args, entry.verb),
                    version_pos: Pos {
                        line,
                        column: version_token.column,
                        end_column: version_token.end_column,
                    },
                });
            }
            "exclude" => {
                arity(&entry, 2, "exclude example.com/mod v1.2.3")?;
                let path = module_path(word(&entry, 0, "a module path")?, line)?;
                let version = version(word(&entry, 1, "a version")?, line)?;
                module.excludes.push(Exclude {
                    path,
                    version,
                    pos: span_of(entry.line, entry.args, entry.verb),
                });
            }
            "replace" => module.replaces.push(replace(&entry)?),
            "retract" => module.retracts.push(retract(&entry)?),
            "tool" | "ignore" => {
                arity(&entry, 1, &format!("{} path", entry.verb.text))?;
                let setting = Setting {
                    value: word(&entry, 0, "a path")?.text.clone(),
                    pos: span_of(entry.line, entry.args, entry.verb),
                };
                if entry.verb.text == "tool" {
                    module.tools.push(setting);
                } else {
                    module.ignores.push(setting);
                }
            }
            other => {
                if mode == Mode::Lax {
                    continue;
                }
                return Err(ParseError::new(
                    line,
                    entry.verb.column,
                    format!("unknown directive `{other}`"),
                )
                .help("go.mod directives are module, go, toolchain, godebug, require, exclude, replace, retract, tool and ignore"));
            }
        }
    }
    if mode == Mode::Strict && module.module.is_none() {
        return Err(ParseError::new(1, 1, "no module directive")
            .help("start the file with `module example.com/your/module`"));
    }
    Ok(module)
}

/// Parses a go.work.
pub fn parse_go_work(text: &str) -> Result<GoWork, ParseError> {
    let lines = lex(text)?;
    let mut work = GoWork::default();
    for entry in entries(&lines)? {
        let line = entry.line.number;
        match entry.verb.text.as_str() {
            "go" => work.go = Some(go_setting(&entry, "go")?),
            "toolchain" => work.toolchain = Some(go_setting(&entry, "toolchain")?),
            "godebug" => work.godebug.push(godebug(&entry)?),
            "use" => {
                arity(&entry, 1, "use ./dir")?;
                work.uses.push(Setting {
                    value: word(&entry, 0, "a directory")?.text.clone(),
                    pos: span_of(entry.line, entry.args, entry.verb),
                });
            }
            "replace" => work.replaces.push(replace(&entry)?),
            other => {
                return Err(ParseError::new(
                    line,
                    entry.verb.column,
                    format!("unknown directive `{other}` in go.work"),
                )
                .help("go.work directives are go, toolchain, godebug, use and replace"));
            }
        }
    }
    Ok(work)
}

impl GoMod {
    /// The canonical text: one directive per line, blocks for more than one
    /// entry, the way `go mod edit -fmt` lays a file out.
    pub fn format(&self) -> String {
        let mut out = String::new();
        if let Some(module) = &self.module {
            if let Some(deprecated) = &module.deprecated {
                let _ = writeln!(out, "// Deprecated: {deprecated}");
            }
            let _ = writeln!(out, "module {}", quote_if_needed(&module.path));
        }
        if let Some(go) = &self.go {
            let _ = writeln!(out, "\ngo {}", go.value);
        }
        if let Some(toolchain) = &self.toolchain {
            let _ = writeln!(out, "\ntoolchain {}", toolchain.value);
        }
        block(
            &mut out,
            "godebug",
            self.godebug
                .iter()
                .map(|g| quote_if_needed(&format!("{}={}", g.key, g.value))),
        );
        block(
            &mut out,
            "require",
            self.requires.iter().map(|r| {
                let mut line = format!("{} {}", quote_if_needed(&r.path), r.version);
                if r.indirect {
                    line.push_str(" // indirect");
                }
                line
            }),
        );
        block(
            &mut out,
            "exclude",
            self.excludes
                .iter()
                .map(|e| format!("{} {}", quote_if_needed(&e.path), e.version)),
        );
        block(
            &mut out,
            "replace",
            self.replaces.iter().map(format_replace),
        );
        block(
            &mut out,
            "retract",
            self.retracts.iter().map(|r| {
                let mut line = if r.low == r.high {
                    r.low.to_string()
                } else {
                    format!("[{}, {}]", r.low, r.high)
                };
                if let Some(rationale) = &r.rationale {
                    let _ = write!(line, " // {rationale}");
                }
                line
            }),
        );
        block(
            &mut out,
            "tool",
            self.tools.iter().map(|t| quote_if_needed(&t.value)),
        );
        block(
            &mut out,
            "ignore",
            self.ignores.iter().map(|t| quote_if_needed(&t.value)),
        );
        out
    }

    /// A copy with every position zeroed, to compare contents.
    pub fn without_positions(&self) -> GoMod {
        let mut copy = self.clone();
        let zero = Pos::default();
        if let Some(m) = &mut copy.module {
            m.pos = zero;
        }
        for s in [&mut copy.go, &mut copy.toolchain].into_iter().flatten() {
            s.pos = zero;
        }
        copy.godebug.iter_mut().for_each(|x| x.pos = zero);
        copy.requires.iter_mut().for_each(|x| {
            x.pos = zero;
            x.version_pos = zero;
        });
        copy.excludes.iter_mut().for_each(|x| x.pos = zero);
        copy.replaces.iter_mut().for_each(|x| x.pos = zero);
        copy.retracts.iter_mut().for_each(|x| x.pos = zero);
        copy.tools.iter_mut().for_each(|x| x.pos = zero);
        copy.ignores.iter_mut().for_each(|x| x.pos = zero);
        copy
    }

    pub(crate) fn module_path(&self) -> &str {
        self.module.as_ref().map_or("", |m| m.path.as_str())
    }
}

fn format_replace(r: &Replace) -> String {
    let mut line = quote_if_needed(&r.old_path);
    if let Some(v) = &r.old_version {
        let _ = write!(line, " {v}");
    }
    let _ = write!(line, " => {}", quote_if_needed(&r.new_path));
    if let Some(v) = &r.new_version {
        let _ = write!(line, " {v}");
    }
    line
}

fn block(out: &mut String, verb: &str, lines: impl Iterator<Item = String>) {
    let lines: Vec<String> = lines.collect();
    match lines.len() {
        0 => {}
        1 => {
            let _ = writeln!(out, "\n{verb} {}", lines[0]);
        }
        _ => {
            let _ = writeln!(out, "\n{verb} (");
            for line in lines {
                let _ = writeln!(out, "\t{line}");
            }
            out.push_str(")\n");
        }
    }
}

#[cfg(test)]
mod tests;
