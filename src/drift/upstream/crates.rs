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
        Fetch::Found(body) => {
            let text = String::from_utf8_lossy(&body);
            let versions = text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .filter_map(|l| serde_json::from_str::<Line>(l).ok())
                .filter_map(|l| {
                    Some(CrateVersion {
                        version: semver::Version::parse(&l.vers).ok()?,
                        yanked: l.yanked,
                        published: l.pubtime,
                    })
                })
                .collect();
            Lookup::Found(versions)
        }
        Fetch::NotFound => Lookup::NotFound,
        Fetch::Failed(f) => Lookup::Failed(f),
    }
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
}
