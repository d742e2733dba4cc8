//! The crates.io sparse index: one file per crate, one JSON line per version.

use super::http::{Fetch, Http};

pub const DEFAULT_INDEX: &str = "https://index.crates.io";

/// The index path of a crate: `1/a`, `2/ab`, `3/a/abc`, `se/rd/serde`.
pub fn index_path(name: &str) -> String {
    let name = name.to_ascii_lowercase();
    match name.len() {
        0 => String::new(),
        1 => format!("1/{name}"),
        2 => format!("2/{name}"),
        3 => format!("3/{}/{name}", &name[..1]),
        _ => format!("{}/{}/{name}", &name[..2], &name[2..4]),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrateVersion {
    pub version: semver::Version,
    pub yanked: bool,
    /// RFC 3339 publication time, when the index carries it.
    pub published: Option<String>,
}

#[derive(serde::Deserialize)]
struct Line {
    name: String,
    vers: String,
    #[serde(default)]
    yanked: bool,
    #[serde(default)]
    pubtime: Option<String>,
}

pub enum Lookup {
    Found(Vec<CrateVersion>),
    NotFound,
    Failed(super::http::Failure),
}

pub fn lookup(http: &Http, index: &str, name: &str) -> Lookup {
    let index = index.trim_end_matches('/');
    match http.get(&format!("{index}/{}", index_path(name))) {
        Fetch::Found(body) => match parse_index_file(name, &body) {
            Ok(versions) => Lookup::Found(versions),
            Err(reason) => Lookup::Failed(super::http::Failure {
                reason,
                unreachable: false,
            }),
        },
        Fetch::NotFound => Lookup::NotFound,
        Fetch::Failed(f) => Lookup::Failed(f),
    }
}

/// An index file: one JSON line per version of crate `name`. A line that is
/// not one (or is about another crate) makes the whole answer garbage.
fn parse_index_file(name: &str, body: &[u8]) -> Result<Vec<CrateVersion>, String> {
    let text = std::str::from_utf8(body)
        .map_err(|_| "the index answer is not text; refused".to_string())?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let garbage = || {
                format!(
                    "line {} of the index answer is not a version of {name}; refused",
                    i + 1
                )
            };
            let line: Line = serde_json::from_str(l).map_err(|_| garbage())?;
            // The index keeps a crate's own spelling; lookups ignore case and `-`/`_`.
            let same = |a: &str| a.to_ascii_lowercase().replace('_', "-");
            if same(&line.name) != same(name) {
                return Err(garbage());
            }
            Ok(CrateVersion {
                version: semver::Version::parse(&line.vers).map_err(|_| garbage())?,
                yanked: line.yanked,
                published: line.pubtime,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_paths() {
        assert_eq!(index_path("a"), "1/a");
        assert_eq!(index_path("ab"), "2/ab");
        assert_eq!(index_path("syn"), "3/s/syn");
        assert_eq!(index_path("Serde"), "se/rd/serde");
    }

    #[test]
    fn index_files_that_are_not_about_the_crate_are_refused() {
        let ok = br#"{"name":"serde","vers":"1.0.0","deps":[],"cksum":"00","features":{},"yanked":false}"#;
        assert_eq!(parse_index_file("serde", ok).unwrap().len(), 1);
        assert!(parse_index_file("serde", b"<html>login</html>").is_err());
        let other = br#"{"name":"evil","vers":"9.0.0"}"#;
        assert!(parse_index_file("serde", other).is_err());
        let bad_version = br#"{"name":"serde","vers":"one"}"#;
        assert!(parse_index_file("serde", bad_version).is_err());
    }
}
