//! go.sum and go.work.sum: `module version[/go.mod] hash` per line.

use super::ParseError;
use crate::gomod::version::GoVersion;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumLine {
    pub path: String,
    pub version: GoVersion,
    /// The line hashes only the module's go.mod, not its content.
    pub go_mod_only: bool,
    /// `h1:` followed by base64.
    pub hash: String,
    pub(crate) line: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoSum {
    pub lines: Vec<SumLine>,
}

impl GoSum {
    pub fn parse(text: &str) -> Result<GoSum, ParseError> {
        let mut lines = Vec::new();
        for (index, raw) in text.split('\n').enumerate() {
            let number = index as u32 + 1;
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            if raw.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = raw.split_whitespace().collect();
            if fields.len() != 3 {
                let column = raw.find(|c: char| !c.is_whitespace()).unwrap_or(0) as u32 + 1;
                return Err(ParseError::new(
                    number,
                    column,
                    format!(
                        "malformed go.sum line: expected 3 fields, found {}",
                        fields.len()
                    ),
                )
                .help("each line is `module version hash`; run `go mod tidy` to rewrite go.sum"));
            }
            let column_of = |field: &str| {
                let offset = field.as_ptr() as usize - raw.as_ptr() as usize;
                raw[..offset].chars().count() as u32 + 1
            };
            let (version_text, go_mod_only) = match fields[1].strip_suffix("/go.mod") {
                Some(v) => (v, true),
                None => (fields[1], false),
            };
            let version = GoVersion::parse(version_text).map_err(|message| {
                ParseError::new(number, column_of(fields[1]), message)
                    .help("run `go mod tidy` to rewrite go.sum")
            })?;
            let hash = fields[2];
            let valid_hash = hash.split_once(':').is_some_and(|(algorithm, digest)| {
                !algorithm.is_empty()
                    && algorithm.bytes().all(|b| b.is_ascii_alphanumeric())
                    && !digest.is_empty()
                    && digest
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
            });
            if !valid_hash {
                return Err(ParseError::new(
                    number,
                    column_of(hash),
                    format!("malformed hash `{hash}`"),
                )
                .help("hashes look like h1:base64=; run `go mod tidy` to rewrite go.sum"));
            }
            lines.push(SumLine {
                path: fields[0].to_string(),
                version,
                go_mod_only,
                hash: hash.to_string(),
                line: number,
            });
        }
        Ok(GoSum { lines })
    }

    pub fn format(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            out.push_str(&line.path);
            out.push(' ');
            out.push_str(line.version.as_str());
            if line.go_mod_only {
                out.push_str("/go.mod");
            }
            out.push(' ');
            out.push_str(&line.hash);
            out.push('\n');
        }
        out
    }

    /// The hash of a module version's content (not its go.mod).
    #[cfg(test)]
    pub(crate) fn content_hash(&self, path: &str, version: &str) -> Option<&SumLine> {
        self.lines
            .iter()
            .find(|l| !l.go_mod_only && l.path == path && l.version.as_str() == version)
    }

    /// Whether any line (content or go.mod) covers this module version.
    pub(crate) fn has_any(&self, path: &str, version: &str) -> bool {
        self.lines
            .iter()
            .any(|l| l.path == path && l.version.as_str() == version)
    }
}
