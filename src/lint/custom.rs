//! Custom rules from trellis.yaml: forbidden imports, forbidden calls (through
//! import aliases) and raw tree-sitter queries over Go or Rust.

use super::config::{CustomRule, QueryLanguage};
use super::go::GoFile;
use super::go_skim::{BodyInterest, Member};
use super::rule::Cx;
use std::cell::RefCell;
use tree_sitter::{Parser, Query, QueryCursor, StreamingIterator};

pub(crate) struct CustomCheck {
    pub(crate) id: String,
    pub(crate) message: String,
    pub(crate) help: Option<String>,
    paths: Option<globset::GlobSet>,
    exclude: Option<globset::GlobSet>,
    kind: Kind,
}

enum Kind {
    ForbidImport(Vec<String>),
    /// (import path, function name or `*`)
    ForbidCall(Vec<(String, String)>),
    GoQuery(Query, u32),
    RustQuery(Query, u32),
}

impl std::fmt::Debug for CustomCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomCheck").field("id", &self.id).finish()
    }
}

/// Why a custom rule does not compile; `query_line`/`query_column` are 0-based
/// inside the query text.
#[derive(Debug)]
pub(crate) struct CompileError {
    pub(crate) message: String,
    pub(crate) help: String,
    pub(crate) query_line: Option<u32>,
    pub(crate) query_column: usize,
}

impl CompileError {
    fn new(message: impl Into<String>, help: impl Into<String>) -> CompileError {
        CompileError {
            message: message.into(),
            help: help.into(),
            query_line: None,
            query_column: 0,
        }
    }
}

fn globs(list: &[crate::policy::Glob]) -> Result<Option<globset::GlobSet>, CompileError> {
    if list.is_empty() {
        return Ok(None);
    }
    let mut builder = globset::GlobSetBuilder::new();
    for glob in list {
        builder.add(glob.compile().map_err(|e| {
            CompileError::new(
                format!("invalid glob `{}`: {}", glob.pattern, e.kind()),
                "globs use `*`, `**`, `?`, `[abc]` and `{a,b}`",
            )
        })?);
    }
    builder
        .build()
        .map(Some)
        .map_err(|e| CompileError::new(e.to_string(), "fix the glob"))
}

pub(crate) fn compile(rule: &CustomRule) -> Result<CustomCheck, CompileError> {
    let valid_id = !rule.id.is_empty()
        && rule
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid_id {
        return Err(CompileError::new(
            format!("custom rule id `{}` is not kebab-case", rule.id),
            "use lowercase letters, digits and `-`, for example `no-legacy-client`",
        ));
    }
    let kinds = usize::from(!rule.forbid_import.is_empty())
        + usize::from(!rule.forbid_call.is_empty())
        + usize::from(rule.query.is_some());
    if kinds != 1 {
        return Err(CompileError::new(
            format!(
                "custom rule `{}` needs exactly one of `forbid-import`, `forbid-call` and `query`",
                rule.id
            ),
            "split it into one rule per kind of check",
        ));
    }
    let kind = if !rule.forbid_import.is_empty() {
        Kind::ForbidImport(rule.forbid_import.clone())
    } else if !rule.forbid_call.is_empty() {
        let mut calls = Vec::new();
        for call in &rule.forbid_call {
            let Some((path, name)) = call.rsplit_once('.') else {
                return Err(CompileError::new(
                    format!(
                        "`{call}` in custom rule `{}` is not `import/path.Function`",
                        rule.id
                    ),
                    "write the import path, a dot and the function: `log.Printf`, `net/http.Get`, `os.*`",
                ));
            };
            calls.push((path.to_string(), name.to_string()));
        }
        Kind::ForbidCall(calls)
    } else {
        let text = rule.query.as_deref().unwrap_or_default();
        let language = rule.language.unwrap_or(QueryLanguage::Go);
        let grammar: tree_sitter::Language = match language {
            QueryLanguage::Go => super::go::language(),
            QueryLanguage::Rust => tree_sitter_rust::LANGUAGE.into(),
        };
        let query = Query::new(&grammar, text).map_err(|e| CompileError {
            message: format!(
                "the query of custom rule `{}` is invalid ({:?} error at query line {}, column {}): {}",
                rule.id,
                e.kind,
                e.row + 1,
                e.column + 1,
                e.message.lines().next().unwrap_or_default()
            ),
            help: "check the node and field names against the grammar (`tree-sitter parse` prints them); capture the reported node as `@match`".to_string(),
            query_line: Some(e.row as u32),
            query_column: e.column,
        })?;
        let capture = query
            .capture_names()
            .iter()
            .position(|n| *n == "match")
            .unwrap_or(0) as u32;
        if query.capture_names().is_empty() {
            return Err(CompileError::new(
                format!("the query of custom rule `{}` captures nothing", rule.id),
                "add `@match` after the node to report, for example `(call_expression) @match`",
            ));
        }
        match language {
            QueryLanguage::Go => Kind::GoQuery(query, capture),
            QueryLanguage::Rust => Kind::RustQuery(query, capture),
        }
    };
    Ok(CustomCheck {
        id: rule.id.value.clone(),
        message: rule.message.clone(),
        help: rule.help.clone(),
        paths: globs(&rule.paths)?,
        exclude: globs(&rule.exclude)?,
        kind,
    })
}

thread_local! {
    static RUST_PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

impl CustomCheck {
    pub(crate) fn applies_to(&self, path: &str) -> bool {
        self.paths.as_ref().is_none_or(|g| g.is_match(path))
            && !self.exclude.as_ref().is_some_and(|g| g.is_match(path))
    }

    pub(crate) fn is_rust(&self) -> bool {
        matches!(self.kind, Kind::RustQuery(..))
    }

    fn emit(&self, cx: &mut Cx<'_>, span: crate::report::Span, detail: &str) {
        let message = if detail.is_empty() {
            self.message.clone()
        } else {
            format!("{}: `{detail}`", self.message)
        };
        let emitted = cx.emit(span, message, detail);
        if let Some(help) = &self.help {
            emitted.help(help.clone());
        }
    }

    /// What the check looks for inside Go function bodies (see `go_skim`).
    pub(crate) fn go_body_interest<'s>(&'s self, interest: &mut BodyInterest<'s>) {
        match &self.kind {
            Kind::ForbidImport(_) | Kind::RustQuery(..) => {}
            Kind::ForbidCall(calls) => {
                for (path, name) in calls {
                    let member = if name == "*" {
                        Member::Any
                    } else {
                        Member::Exact(name)
                    };
                    interest.member(path, member);
                }
            }
            // A query may match anything anywhere.
            Kind::GoQuery(..) => interest.everything(),
        }
    }

    pub(crate) fn check_go(&self, file: &GoFile<'_>, cx: &mut Cx<'_>) {
        match &self.kind {
            Kind::ForbidImport(forbidden) => {
                for import in &file.imports {
                    let hit = forbidden.iter().any(|f| match f.strip_suffix("/...") {
                        Some(prefix) => {
                            import.path == prefix || import.path.starts_with(&format!("{prefix}/"))
                        }
                        None => import.path == *f,
                    });
                    if hit {
                        self.emit(cx, import.span, &import.path);
                    }
                }
            }
            Kind::ForbidCall(calls) => {
                for call in &file.calls {
                    let Some((path, name)) = file.callee(*call) else {
                        continue;
                    };
                    if calls
                        .iter()
                        .any(|(p, n)| p == path && (n == "*" || n == name))
                    {
                        let function = call.child_by_field_name("function").unwrap_or(*call);
                        self.emit(cx, file.span(function), &format!("{path}.{name}"));
                    }
                }
            }
            Kind::GoQuery(query, capture) => {
                let mut cursor = QueryCursor::new();
                let mut matches =
                    cursor.matches(query, file.tree.root_node(), file.source.as_bytes());
                while let Some(m) = matches.next() {
                    for c in m.captures.iter().filter(|c| c.index == *capture) {
                        let text = file.text(c.node);
                        let key = text.lines().next().unwrap_or_default();
                        self.emit(cx, file.span(c.node), key);
                    }
                }
            }
            Kind::RustQuery(..) => {}
        }
    }

    pub(crate) fn check_rust_source(&self, source: &str, cx: &mut Cx<'_>) {
        let Kind::RustQuery(query, capture) = &self.kind else {
            return;
        };
        let tree = RUST_PARSER.with(|cell| {
            let mut slot = cell.borrow_mut();
            if slot.is_none() {
                let mut parser = Parser::new();
                parser
                    .set_language(&tree_sitter_rust::LANGUAGE.into())
                    .ok()?;
                *slot = Some(parser);
            }
            slot.as_mut()?.parse(source, None)
        });
        let Some(tree) = tree else {
            return;
        };
        let mut cursor = QueryCursor::new();
        let mut matches = cursor.matches(query, tree.root_node(), source.as_bytes());
        while let Some(m) = matches.next() {
            for c in m.captures.iter().filter(|c| c.index == *capture) {
                let node = c.node;
                let start = node.start_position();
                let end = node.end_position();
                let span = crate::report::Span {
                    line: start.row as u32 + 1,
                    column: super::go::char_column(source, node.start_byte(), start.column),
                    end_line: end.row as u32 + 1,
                    end_column: super::go::char_column(source, node.end_byte(), end.column),
                };
                let text = node.utf8_text(source.as_bytes()).unwrap_or_default();
                let key = text.lines().next().unwrap_or_default();
                self.emit(cx, span, key);
            }
        }
    }
}
