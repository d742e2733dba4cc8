//! Errors a user can act on (exit 2) versus bugs (exit 3).

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use std::path::PathBuf;

/// Exit codes, the same for every command.
pub(crate) mod exit {
    pub(crate) const CLEAN: i32 = 0;
    pub(crate) const FINDINGS: i32 = 1;
    pub(crate) const INPUT: i32 = 2;
    pub(crate) const INTERNAL: i32 = 3;
}

/// Bad input: a config, a file, a flag or a ref the user gave. It names where
/// and what to do, and always exits 2.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct InputError {
    pub message: String,
    pub(crate) path: Option<PathBuf>,
    pub line: Option<u32>,
    pub(crate) column: Option<u32>,
    pub help: Option<String>,
    /// The text of the file, when the error points into it and it was read.
    pub(crate) source_text: Option<String>,
}

impl InputError {
    pub(crate) fn new(message: impl Into<String>) -> InputError {
        InputError {
            message: message.into(),
            path: None,
            line: None,
            column: None,
            help: None,
            source_text: None,
        }
    }

    pub(crate) fn in_file(mut self, path: impl Into<PathBuf>) -> InputError {
        self.path = Some(path.into());
        self
    }

    pub(crate) fn at(mut self, line: u32, column: u32) -> InputError {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> InputError {
        self.help = Some(help.into());
        self
    }

    pub(crate) fn with_source(mut self, text: impl Into<String>) -> InputError {
        self.source_text = Some(text.into());
        self
    }

    /// `error: ...` with `--> file:line:col`, the source line and a caret.
    pub(crate) fn render(&self, color: bool) -> String {
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let mut group = Group::with_title(Level::ERROR.primary_title(&self.message));
        let path = self
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let line_text = match (&self.source_text, self.line) {
            (Some(text), Some(line)) if line > 0 => text.lines().nth(line as usize - 1),
            _ => None,
        };
        if let (Some(text), Some(line)) = (line_text, self.line) {
            let column = self.column.unwrap_or(1).max(1) as usize;
            let start = text
                .char_indices()
                .nth(column - 1)
                .map_or(text.len(), |(i, _)| i);
            let end =
                (start + text[start..].chars().next().map_or(0, char::len_utf8)).min(text.len());
            group = group.element(
                Snippet::source(text)
                    .line_start(line as usize)
                    .path(path)
                    .annotation(AnnotationKind::Primary.span(start..end)),
            );
        } else if !path.is_empty() {
            let mut origin = annotate_snippets::Origin::path(path);
            if let Some(line) = self.line {
                origin = origin.line(line as usize);
                if let Some(column) = self.column {
                    origin = origin.char_column(column as usize);
                }
            }
            group = group.element(origin);
        }
        if let Some(help) = &self.help {
            group = group.element(Level::HELP.message(help));
        }
        renderer.render(&[group]).to_string()
    }
}

/// Closest candidate for a misspelt name, for "did you mean" hints.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names() {
        assert_eq!(
            did_you_mean("servces", ["services", "version"]),
            Some("services")
        );
        assert_eq!(did_you_mean("zzz", ["services", "version"]), None);
    }

    #[test]
    fn renders_file_line_and_caret() {
        let err = InputError::new("unknown key `servces`")
            .in_file("trellis.yaml")
            .at(2, 1)
            .with_source("version: 1\nservces: []\n")
            .help("did you mean `services`?");
        let text = err.render(false);
        assert!(text.contains("trellis.yaml:2:1"), "{text}");
        assert!(text.contains("servces: []"), "{text}");
        assert!(text.contains("did you mean"), "{text}");
    }
}
