//! The crates.io sparse index: one file per crate, one JSON line per version;
//! release times the index lacks, from the crates.io API; and, offline,
//! cargo's own cache of index files.

use super::http::{Failure, Fetch, Http, Pacer};
use std::path::{Path, PathBuf};

pub(crate) const DEFAULT_INDEX: &str = "https://index.crates.io";
pub(crate) const DEFAULT_API: &str = "https://crates.io/api/v1";

/// Whether `name` can be a crate name (ASCII letters, digits, `-`, `_`):
/// anything else is not sent anywhere nor used in a file name.
pub(crate) fn is_crate_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The index path of a crate: `1/a`, `2/ab`, `3/a/abc`, `se/rd/serde`.
pub(crate) fn index_path(name: &str) -> String {
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
pub(crate) struct CrateVersion {
    pub(crate) version: semver::Version,
    pub(crate) yanked: bool,
    /// RFC 3339 publication time, when the index carries it.
    pub(crate) published: Option<String>,
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

pub(crate) enum Lookup {
    Found(Vec<CrateVersion>),
    NotFound,
    Failed(super::http::Failure),
}

pub(crate) fn lookup(http: &Http, index: &str, name: &str) -> Lookup {
    if !is_crate_name(name) {
        return Lookup::Failed(Failure {
            reason: "not a valid crate name; not looked up".to_string(),
            unreachable: false,
        });
    }
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

/// One page of `GET /api/v1/crates/NAME/versions`: every version at once,
/// unless the server pages (then `meta.next_page` is the next query).
#[derive(serde::Deserialize)]
struct ApiVersions {
    versions: Vec<ApiVersion>,
    #[serde(default)]
    meta: Option<ApiMeta>,
}

#[derive(serde::Deserialize)]
struct ApiVersion {
    num: String,
    created_at: String,
    #[serde(rename = "crate", default)]
    krate: Option<String>,
}

#[derive(serde::Deserialize)]
struct ApiMeta {
    #[serde(default)]
    next_page: Option<String>,
}

/// No crate has this many pages of versions; a server that keeps paging is broken.
const MAX_API_PAGES: usize = 20;

/// Fills the release times the index left out, for the versions in
/// `wanted`, from the crates.io API (`api`), each request spaced by
/// `pacer`. A cached answer lacking a wanted version (published since) is
/// asked again once.
pub(crate) fn fill_times(
    http: &Http,
    api: &str,
    pacer: &Pacer,
    name: &str,
    versions: &mut [CrateVersion],
    wanted: &[semver::Version],
) -> Result<(), Failure> {
    let missing = |versions: &[CrateVersion]| {
        wanted.iter().any(|w| {
            versions
                .iter()
                .any(|v| &v.version == w && v.published.is_none())
        })
    };
    if !missing(versions) || !is_crate_name(name) {
        return Ok(());
    }
    let base = format!("{}/crates/{name}/versions", api.trim_end_matches('/'));
    let times = api_times(http, &base, pacer, name, false)?;
    let known = |times: &std::collections::HashMap<semver::Version, String>| {
        wanted.iter().all(|w| times.contains_key(w))
    };
    let times = if known(&times) {
        times
    } else {
        api_times(http, &base, pacer, name, true)?
    };
    for version in versions.iter_mut().filter(|v| v.published.is_none()) {
        if let Some(time) = times.get(&version.version) {
            version.published = Some(time.clone());
        }
    }
    Ok(())
}

fn api_times(
    http: &Http,
    base: &str,
    pacer: &Pacer,
    name: &str,
    fresh: bool,
) -> Result<std::collections::HashMap<semver::Version, String>, Failure> {
    let mut times = std::collections::HashMap::new();
    let mut url = base.to_string();
    for _ in 0..MAX_API_PAGES {
        let body = match http.get_with(&url, Some(pacer), fresh) {
            Fetch::Found(body) => body,
            // The index knows the crate; the API not: nothing to add.
            Fetch::NotFound => return Ok(times),
            Fetch::Failed(f) => return Err(f),
        };
        let page = parse_api_page(name, &body)?;
        times.extend(page.0);
        match page.1 {
            // crates.io answers with the query to append to the path.
            Some(next) if next.starts_with('?') => url = format!("{base}{next}"),
            _ => return Ok(times),
        }
    }
    Ok(times)
}

type ApiPage = (Vec<(semver::Version, String)>, Option<String>);

/// A versions page: every entry must be a version of `name` with a valid
/// time, or the answer is garbage.
fn parse_api_page(name: &str, body: &[u8]) -> Result<ApiPage, Failure> {
    let refused = |why: &str| Failure {
        reason: format!("the crates.io API answer {why}; refused"),
        unreachable: false,
    };
    let page: ApiVersions =
        serde_json::from_slice(body).map_err(|_| refused("is not a list of versions"))?;
    let same = |a: &str| a.to_ascii_lowercase().replace('_', "-");
    let mut out = Vec::with_capacity(page.versions.len());
    for entry in page.versions {
        if entry
            .krate
            .as_deref()
            .is_some_and(|k| same(k) != same(name))
        {
            return Err(refused("is about another crate"));
        }
        let version =
            semver::Version::parse(&entry.num).map_err(|_| refused("names an invalid version"))?;
        if super::parse_time(&entry.created_at).is_none() {
            return Err(refused("has an invalid release time"));
        }
        out.push((version, entry.created_at));
    }
    Ok((out, page.meta.and_then(|m| m.next_page)))
}

/// `$CARGO_HOME`, else `~/.cargo`.
fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".cargo"))
        })
}

/// cargo's caches of crates.io index files: `.cache` under the sparse
/// index's directory (`index.crates.io-HASH`) or the git index's
/// (`github.com-HASH`); `Err` says where none was found.
pub(crate) fn cargo_index_caches() -> Result<Vec<PathBuf>, String> {
    let Some(home) = cargo_home() else {
        return Err("no cargo home (set CARGO_HOME or HOME)".to_string());
    };
    let index = home.join("registry/index");
    let mut caches: Vec<PathBuf> = std::fs::read_dir(&index)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with("index.crates.io-") || name.starts_with("github.com-")
        })
        .map(|e| e.path().join(".cache"))
        .filter(|p| p.is_dir())
        .collect();
    caches.sort();
    if caches.is_empty() {
        return Err(format!(
            "no crates.io index cache under {} (cargo writes it when it resolves a workspace: run `cargo fetch` once)",
            index.display()
        ));
    }
    Ok(caches)
}

/// A crate's versions from cargo's index caches: the cache with the most
/// versions (the most recently refreshed) wins.
pub(crate) fn read_cached(caches: &[PathBuf], name: &str, max_body: u64) -> Lookup {
    if !is_crate_name(name) {
        return Lookup::NotFound;
    }
    let mut best: Option<Vec<CrateVersion>> = None;
    let mut failure = None;
    for cache in caches {
        let path = cache.join(index_path(name));
        match read_cache_file(&path, name, max_body) {
            Ok(Some(versions)) => {
                if best.as_ref().is_none_or(|b| b.len() < versions.len()) {
                    best = Some(versions);
                }
            }
            Ok(None) => {}
            Err(reason) => failure = Some(format!("{}: {reason}", path.display())),
        }
    }
    match (best, failure) {
        (Some(versions), _) => Lookup::Found(versions),
        (None, Some(reason)) => Lookup::Failed(Failure {
            reason,
            unreachable: false,
        }),
        (None, None) => Lookup::NotFound,
    }
}

fn read_cache_file(
    path: &Path,
    name: &str,
    max_body: u64,
) -> Result<Option<Vec<CrateVersion>>, String> {
    use std::io::Read as _;
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    if !meta.is_file() {
        return Err("not a regular file".to_string());
    }
    if meta.len() > max_body {
        return Err(super::http::too_large(max_body));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(max_body.saturating_add(1)).read_to_end(&mut bytes))
        .map_err(|e| e.to_string())?;
    parse_cache_file(name, &bytes).map(Some)
}

/// cargo's index cache format 3: a format byte, the index format (u32, little
/// endian), the index version (NUL-terminated), then per version its number
/// and its index line, each NUL-terminated.
fn parse_cache_file(name: &str, bytes: &[u8]) -> Result<Vec<CrateVersion>, String> {
    const FORMAT: u8 = 3;
    match bytes.first() {
        Some(&FORMAT) => {}
        Some(other) => {
            return Err(format!(
                "cache format {other}, written by another cargo version (this reads {FORMAT})"
            ));
        }
        None => return Err("empty cache file".to_string()),
    }
    let rest = bytes.get(5..).ok_or("truncated cache file")?;
    let mut fields = rest.split(|&b| b == 0);
    fields.next().ok_or("truncated cache file")?;
    let mut lines = Vec::new();
    while let Some(version) = fields.next() {
        if version.is_empty() {
            // The split's last piece, after the final NUL.
            break;
        }
        let line = fields.next().ok_or("truncated cache file")?;
        lines.extend_from_slice(line);
        lines.push(b'\n');
    }
    parse_index_file(name, &lines)
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

    /// A cache file as cargo 1.8x writes it: format 3, index format 2, the
    /// index version, then version and line pairs.
    fn cache_file(entries: &[(&str, &str)]) -> Vec<u8> {
        let mut bytes = vec![3u8];
        bytes.extend_from_slice(&2u32.to_le_bytes());
        bytes.extend_from_slice(b"etag: \"abc\"\0");
        for (version, line) in entries {
            bytes.extend_from_slice(version.as_bytes());
            bytes.push(0);
            bytes.extend_from_slice(line.as_bytes());
            bytes.push(0);
        }
        bytes
    }

    #[test]
    fn cargo_cache_files_give_versions_and_publication_times() {
        let bytes = cache_file(&[
            (
                "1.0.0",
                r#"{"name":"anyhow","vers":"1.0.0","deps":[],"cksum":"00","features":{},"yanked":false}"#,
            ),
            (
                "1.0.99",
                r#"{"name":"anyhow","vers":"1.0.99","deps":[],"cksum":"00","features":{},"yanked":true,"pubtime":"2025-08-01T10:00:00Z"}"#,
            ),
        ]);
        let versions = parse_cache_file("anyhow", &bytes).unwrap();
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[0].published, None);
        assert!(versions[1].yanked);
        assert_eq!(
            versions[1].published.as_deref(),
            Some("2025-08-01T10:00:00Z")
        );
        assert!(parse_cache_file("anyhow", &[]).is_err());
        let mut old = bytes.clone();
        old[0] = 1;
        assert!(
            parse_cache_file("anyhow", &old)
                .unwrap_err()
                .contains("format 1")
        );
        let truncated = &bytes[..bytes.len() - 10];
        assert!(parse_cache_file("anyhow", truncated).is_err());
        let other = cache_file(&[("9.0.0", r#"{"name":"evil","vers":"9.0.0"}"#)]);
        assert!(parse_cache_file("anyhow", &other).is_err());
    }

    #[test]
    fn api_pages_give_times_or_are_refused() {
        let page = br#"{"versions":[{"id":1,"crate":"serde","num":"1.0.210","created_at":"2024-09-06T21:32:31.123456Z","yanked":false},{"crate":"serde","num":"1.0.99","created_at":"2019-08-16T20:13:41Z"}],"meta":{"total":2,"next_page":null}}"#;
        let (times, next) = parse_api_page("serde", page).unwrap();
        assert_eq!(times.len(), 2);
        assert_eq!(times[1].0, semver::Version::new(1, 0, 99));
        assert_eq!(next, None);
        let paged = br#"{"versions":[],"meta":{"total":300,"next_page":"?per_page=100&seek=abc"}}"#;
        assert_eq!(
            parse_api_page("serde", paged).unwrap().1.as_deref(),
            Some("?per_page=100&seek=abc")
        );
        assert!(parse_api_page("serde", b"<html>rate limited</html>").is_err());
        let other =
            br#"{"versions":[{"crate":"evil","num":"1.0.0","created_at":"2024-01-01T00:00:00Z"}]}"#;
        assert!(parse_api_page("serde", other).is_err());
        let bad_time = br#"{"versions":[{"num":"1.0.0","created_at":"yesterday"}]}"#;
        assert!(parse_api_page("serde", bad_time).is_err());
    }

    #[test]
    fn crate_names_that_could_escape_a_url_or_path_are_not_used() {
        assert!(is_crate_name("tokio-postgres"));
        assert!(is_crate_name("serde_json"));
        assert!(!is_crate_name("../etc"));
        assert!(!is_crate_name("a/b"));
        assert!(!is_crate_name(""));
    }
}
