//! The imports of Go files, read without a full parse: what lint's import
//! graph and contract's consumer scan both need, so it lives below both.

use crate::report::Span;

/// One import of a Go file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Import {
    pub(crate) path: String,
    /// The name code uses for the package: the alias, or the last path element
    /// (without a `/vN` suffix or a `go-`/`.vN` decoration). "_" and "." as written.
    pub(crate) local: String,
    #[serde(with = "compact_span")]
    pub(crate) span: Span,
}

/// Spans of imports as `[line, column, end_line, end_column]`: imports are
/// most of the lint cache, which every run loads.
mod compact_span {
    use crate::report::Span;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn serialize<S: Serializer>(span: &Span, serializer: S) -> Result<S::Ok, S::Error> {
        [span.line, span.column, span.end_line, span.end_column].serialize(serializer)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Span, D::Error> {
        let [line, column, end_line, end_column] = <[u32; 4]>::deserialize(deserializer)?;
        Ok(Span {
            line,
            column,
            end_line,
            end_column,
        })
    }
}

/// The conventional package name of an import path.
pub(crate) fn default_name(path: &str) -> String {
    let mut parts = path.rsplit('/');
    let mut last = parts.next().unwrap_or(path);
    if last.len() > 1
        && last.starts_with('v')
        && last[1..].bytes().all(|b| b.is_ascii_digit())
        && let Some(previous) = parts.next()
    {
        last = previous;
    }
    // gopkg.in/yaml.v3 -> yaml
    if let Some((name, version)) = last.split_once(".v")
        && version.bytes().all(|b| b.is_ascii_digit())
    {
        last = name;
    }
    let last = last.strip_prefix("go-").unwrap_or(last);
    last.replace(['-', '.'], "_")
}

/// The imports of a Go file without a full parse: for files whose only use
/// is the import graph. Reads import declarations until the first other
/// top-level declaration.
pub(crate) fn quick_imports(source: &str) -> Vec<Import> {
    let mut imports = Vec::new();
    let mut in_block = false;
    let mut in_comment = false;
    for (index, raw) in source.lines().enumerate() {
        let mut line = raw.trim();
        if in_comment {
            match line.find("*/") {
                Some(end) => {
                    in_comment = false;
                    line = line[end + 2..].trim();
                }
                None => continue,
            }
        }
        if let Some(start) = line.find("/*")
            && !line[..start].contains('"')
        {
            if !line[start..].contains("*/") {
                in_comment = true;
            }
            line = line[..start].trim();
        }
        if let Some(start) = line.find("//")
            && !line[..start].contains('"')
        {
            line = line[..start].trim();
        }
        if line.is_empty() {
            continue;
        }
        let spec = if in_block {
            if line.starts_with(')') {
                in_block = false;
                continue;
            }
            line
        } else if let Some(rest) = line.strip_prefix("import") {
            let rest = rest.trim();
            if let Some(inner) = rest.strip_prefix('(') {
                in_block = true;
                let inner = inner.trim();
                if inner.is_empty() {
                    continue;
                }
                inner
            } else {
                rest
            }
        } else if line.starts_with("package ") {
            continue;
        } else {
            break;
        };
        let (alias, quoted) = match spec.find(['"', '`']) {
            Some(0) => (None, spec),
            Some(at) => (Some(spec[..at].trim()), &spec[at..]),
            None => continue,
        };
        let quote = quoted.as_bytes()[0] as char;
        let Some(end) = quoted[1..].find(quote) else {
            continue;
        };
        let path = quoted[1..1 + end].to_string();
        let column = raw.find(quoted).map_or(1, |c| raw[..c].chars().count() + 1) as u32;
        imports.push(Import {
            local: alias.map_or_else(|| default_name(&path), str::to_string),
            span: Span {
                line: index as u32 + 1,
                column,
                end_line: index as u32 + 1,
                end_column: column + end as u32 + 2,
            },
            path,
        });
        if !in_block {
            continue;
        }
    }
    imports
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_of_import_paths() {
        assert_eq!(default_name("log"), "log");
        assert_eq!(default_name("net/http"), "http");
        assert_eq!(default_name("github.com/jackc/pgx/v5"), "pgx");
        assert_eq!(default_name("gopkg.in/yaml.v3"), "yaml");
        assert_eq!(default_name("github.com/go-chi/chi"), "chi");
    }
}
