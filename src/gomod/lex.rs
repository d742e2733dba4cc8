//! The lexical layer shared by go.mod and go.work: tokens, comments and
//! lines, per the Go modules reference (`//` comments only, interpreted and
//! raw strings, `(` `)` blocks, `=>` in replace, `[` `,` `]` in retract).

use super::ParseError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A bare word or a quoted string (already unquoted).
    Word {
        quoted: bool,
    },
    LParen,
    RParen,
    LBrack,
    RBrack,
    Comma,
    Arrow,
}

#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) kind: Kind,
    pub(crate) text: String,
    /// 1-based column of the first character.
    pub(crate) column: u32,
    /// 1-based column just past the last character.
    pub(crate) end_column: u32,
}

/// One source line: its tokens and its trailing comment (without `//`).
#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub(crate) number: u32,
    pub(crate) tokens: Vec<Token>,
    pub(crate) comment: Option<String>,
}

pub(crate) fn lex(text: &str) -> Result<Vec<Line>, ParseError> {
    let mut lines = Vec::new();
    for (index, raw) in text.split('\n').enumerate() {
        let number = index as u32 + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        lines.push(lex_line(raw, number)?);
    }
    Ok(lines)
}

fn lex_line(raw: &str, number: u32) -> Result<Line, ParseError> {
    let chars: Vec<(usize, char)> = raw.char_indices().collect();
    let mut tokens = Vec::new();
    let mut comment = None;
    let mut i = 0;
    let column = |index: usize| index as u32 + 1;
    while i < chars.len() {
        let (byte, c) = chars[i];
        let next = chars.get(i + 1).map(|(_, c)| *c);
        let single = |kind: Kind| Token {
            kind,
            text: c.to_string(),
            column: column(i),
            end_column: column(i + 1),
        };
        match c {
            c if c.is_whitespace() => i += 1,
            '/' if next == Some('/') => {
                comment = Some(raw[byte + 2..].trim().to_string());
                break;
            }
            '/' if next == Some('*') => {
                return Err(ParseError::new(
                    number,
                    column(i),
                    "block comments (/* */) are not allowed in go.mod",
                )
                .help("use `//` line comments"));
            }
            '(' => {
                tokens.push(single(Kind::LParen));
                i += 1;
            }
            ')' => {
                tokens.push(single(Kind::RParen));
                i += 1;
            }
            '[' => {
                tokens.push(single(Kind::LBrack));
                i += 1;
            }
            ']' => {
                tokens.push(single(Kind::RBrack));
                i += 1;
            }
            ',' => {
                tokens.push(single(Kind::Comma));
                i += 1;
            }
            '=' if next == Some('>') => {
                tokens.push(Token {
                    kind: Kind::Arrow,
                    text: "=>".into(),
                    column: column(i),
                    end_column: column(i + 2),
                });
                i += 2;
            }
            '"' | '`' => {
                let start = i;
                let (value, end) = read_string(&chars, i, number)?;
                tokens.push(Token {
                    kind: Kind::Word { quoted: true },
                    text: value,
                    column: column(start),
                    end_column: column(end),
                });
                i = end;
            }
            _ => {
                let start = i;
                while i < chars.len() {
                    let c = chars[i].1;
                    let next = chars.get(i + 1).map(|(_, c)| *c);
                    let stops = c.is_whitespace()
                        || matches!(c, '(' | ')' | '[' | ']' | ',' | '"' | '`')
                        || (c == '=' && next == Some('>'))
                        || (c == '/' && next == Some('/'));
                    if stops {
                        break;
                    }
                    if c.is_control() {
                        return Err(ParseError::new(
                            number,
                            column(i),
                            format!("unexpected control character {c:?}"),
                        )
                        .help("remove the character; go.mod is plain UTF-8 text"));
                    }
                    i += 1;
                }
                let text: String = chars[start..i].iter().map(|(_, c)| *c).collect();
                tokens.push(Token {
                    kind: Kind::Word { quoted: false },
                    text,
                    column: column(start),
                    end_column: column(i),
                });
            }
        }
    }
    Ok(Line {
        number,
        tokens,
        comment,
    })
}

/// Reads a string starting at `chars[start]` (a quote); returns the value
/// and the index just past the closing quote.
fn read_string(
    chars: &[(usize, char)],
    start: usize,
    number: u32,
) -> Result<(String, usize), ParseError> {
    let quote = chars[start].1;
    let mut value = String::new();
    let mut i = start + 1;
    let unterminated = || {
        ParseError::new(number, start as u32 + 1, "unterminated string")
            .help(format!("close the string with {quote} on the same line"))
    };
    loop {
        let Some(&(_, c)) = chars.get(i) else {
            return Err(unterminated());
        };
        if c == quote {
            return Ok((value, i + 1));
        }
        if quote == '"' && c == '\\' {
            let Some(&(_, escaped)) = chars.get(i + 1) else {
                return Err(unterminated());
            };
            let (decoded, used) = match escaped {
                'n' => ('\n', 2),
                't' => ('\t', 2),
                'r' => ('\r', 2),
                '\\' => ('\\', 2),
                '"' => ('"', 2),
                '\'' => ('\'', 2),
                'a' => ('\u{7}', 2),
                'b' => ('\u{8}', 2),
                'f' => ('\u{c}', 2),
                'v' => ('\u{b}', 2),
                'x' | 'u' | 'U' => {
                    let width = match escaped {
                        'x' => 2,
                        'u' => 4,
                        _ => 8,
                    };
                    let digits: String = chars
                        .iter()
                        .skip(i + 2)
                        .take(width)
                        .map(|(_, c)| *c)
                        .collect();
                    let decoded = (digits.len() == width)
                        .then(|| u32::from_str_radix(&digits, 16).ok())
                        .flatten()
                        .and_then(char::from_u32);
                    match decoded {
                        Some(c) if escaped != 'x' || c.is_ascii() => (c, 2 + width),
                        _ => {
                            return Err(ParseError::new(
                                number,
                                i as u32 + 1,
                                format!("invalid escape \\{escaped}{digits}"),
                            )
                            .help(
                                "use a valid hexadecimal escape, or write the character itself",
                            ));
                        }
                    }
                }
                other => {
                    return Err(ParseError::new(
                        number,
                        i as u32 + 1,
                        format!("unknown escape sequence \\{other}"),
                    )
                    .help("escape a backslash as \\\\"));
                }
            };
            value.push(decoded);
            i += used;
            continue;
        }
        value.push(c);
        i += 1;
    }
}

/// Quotes a value when the lexer would not read it back as one word.
pub(crate) fn quote_if_needed(value: &str) -> String {
    let plain = !value.is_empty()
        && !value.contains("//")
        && !value.contains("=>")
        && value.chars().all(|c| {
            !c.is_whitespace()
                && !c.is_control()
                && !matches!(c, '(' | ')' | '[' | ']' | ',' | '"' | '`')
        });
    if plain {
        return value.to_string();
    }
    go_quote(value)
}

/// A string as Go's `strconv.Quote` (and `%q`) prints it.
pub(crate) fn go_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_strings_and_comments() {
        let lines = lex("require \"a b\" v1.0.0 // indirect\nreplace x=>y v1").unwrap();
        assert_eq!(lines[0].tokens[1].text, "a b");
        assert_eq!(lines[0].comment.as_deref(), Some("indirect"));
        let kinds: Vec<_> = lines[1].tokens.iter().map(|t| t.kind.clone()).collect();
        assert_eq!(kinds[2], Kind::Arrow);
        assert_eq!(lines[1].tokens[3].text, "y");
    }

    #[test]
    fn unterminated_string_is_an_error() {
        let err = lex("module \"x").unwrap_err();
        assert_eq!((err.line, err.column), (1, 8));
    }

    #[test]
    fn quoting_round_trips() {
        for value in ["a b", "x//y", "q\"", "tab\t", "plain/path"] {
            let quoted = quote_if_needed(value);
            let lines = lex(&format!("module {quoted}")).unwrap();
            assert_eq!(lines[0].tokens[1].text, value);
        }
    }
}
