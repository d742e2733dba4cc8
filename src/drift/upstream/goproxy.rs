//! The Go module proxy protocol (https://go.dev/ref/mod#goproxy-protocol):
//! GOPROXY lists, case-encoded paths, private modules, and the module cache
//! ($GOMODCACHE/cache/download), which has the same layout.

use super::http::{Fetch, Http};
use std::path::PathBuf;

/// One GOPROXY entry and how the entry after it is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Entry {
    Url(String),
    /// Fetch from version control: trellis does not, so the lookup stops here.
    Direct,
    /// Module lookups are disallowed.
    Off,
}

/// After an entry fails, whether the next one is tried: `,` only after
/// 404/410, `|` after any error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fallback {
    OnNotFound,
    OnAnyError,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProxyList {
    pub(crate) entries: Vec<(Entry, Fallback)>,
}

pub(crate) const DEFAULT_GOPROXY: &str = "https://proxy.golang.org,direct";

impl ProxyList {
    pub(crate) fn parse(value: &str) -> ProxyList {
        let value = if value.trim().is_empty() {
            DEFAULT_GOPROXY
        } else {
            value
        };
        let mut entries = Vec::new();
        let mut rest = value;
        while !rest.is_empty() {
            let end = rest.find([',', '|']).unwrap_or(rest.len());
            let item = rest[..end].trim();
            let fallback = match rest[end..].chars().next() {
                Some('|') => Fallback::OnAnyError,
                _ => Fallback::OnNotFound,
            };
            rest = rest.get(end + 1..).unwrap_or("");
            if item.is_empty() {
                continue;
            }
            let entry = match item {
                "direct" => Entry::Direct,
                "off" => Entry::Off,
                url => Entry::Url(url.trim_end_matches('/').to_string()),
            };
            entries.push((entry, fallback));
        }
        ProxyList { entries }
    }

    pub(crate) fn from_env() -> ProxyList {
        ProxyList::parse(&std::env::var("GOPROXY").unwrap_or_default())
    }

    /// The list, to name in messages, with credentials in its URLs redacted.
    pub(crate) fn describe(&self) -> String {
        let parts: Vec<String> = self
            .entries
            .iter()
            .map(|(e, _)| match e {
                Entry::Url(u) => super::http::redact(u),
                Entry::Direct => "direct".into(),
                Entry::Off => "off".into(),
            })
            .collect();
        parts.join(",")
    }
}

/// `!`-escapes upper-case letters, as module paths and versions travel in URLs
/// and file names on case-insensitive file systems.
pub(crate) fn escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// GOPRIVATE, GONOPROXY and GONOSUMDB: comma-separated globs matched
/// against path prefixes (`*.corp.example.com`, `github.com/org/*`).
#[derive(Debug, Clone, Default)]
pub(crate) struct PrivatePatterns {
    patterns: Vec<(usize, globset::GlobMatcher)>,
    pub(crate) raw: Vec<String>,
}

impl PrivatePatterns {
    pub(crate) fn parse(values: &[String]) -> PrivatePatterns {
        let mut out = PrivatePatterns::default();
        for value in values {
            for pattern in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let pattern = pattern.trim_end_matches('/');
                let elements = pattern.split('/').count();
                if let Ok(glob) = globset::GlobBuilder::new(pattern)
                    .literal_separator(true)
                    .build()
                {
                    out.patterns.push((elements, glob.compile_matcher()));
                    out.raw.push(pattern.to_string());
                }
            }
        }
        out
    }

    pub(crate) fn from_env() -> PrivatePatterns {
        let values: Vec<String> = ["GOPRIVATE", "GONOPROXY", "GONOSUMDB"]
            .iter()
            .filter_map(|name| std::env::var(name).ok())
            .collect();
        PrivatePatterns::parse(&values)
    }

    pub(crate) fn matches(&self, module: &str) -> bool {
        self.patterns.iter().any(|(elements, glob)| {
            let prefix: Vec<&str> = module.split('/').take(*elements).collect();
            prefix.len() == *elements && glob.is_match(prefix.join("/"))
        })
    }
}

/// Where module metadata comes from.
pub(crate) enum GoSource<'a> {
    Proxy {
        list: ProxyList,
        http: &'a Http,
    },
    /// $GOMODCACHE/cache/download.
    Cache {
        root: PathBuf,
        /// The largest file read, as for HTTP answers.
        max_body: u64,
    },
}

impl GoSource<'_> {
    /// GET `<module>/<suffix>` (`@v/list`, `@latest`, `@v/<version>.info`, `@v/<version>.mod`).
    pub(crate) fn get(&self, module: &str, suffix: &str) -> Fetch {
        match self {
            GoSource::Proxy { list, http } => {
                let mut last = Fetch::NotFound;
                for (entry, fallback) in &list.entries {
                    let outcome = match entry {
                        Entry::Url(base) => http.get(&format!(
                            "{base}/{}/{}",
                            escape(module),
                            escape_suffix(suffix)
                        )),
                        Entry::Direct => {
                            return Fetch::failed(
                                "GOPROXY reaches `direct` (version control), which trellis does not query",
                                false,
                            );
                        }
                        Entry::Off => {
                            return Fetch::failed("GOPROXY=off disallows module lookups", false);
                        }
                    };
                    match (&outcome, fallback) {
                        (Fetch::Found(_), _) => return outcome,
                        (Fetch::NotFound, _) | (Fetch::Failed(_), Fallback::OnAnyError) => {
                            last = outcome;
                        }
                        (Fetch::Failed(_), Fallback::OnNotFound) => return outcome,
                    }
                }
                last
            }
            GoSource::Cache { root, max_body } => {
                if suffix == "@latest" {
                    // The cache has no @latest; the caller falls back to the list.
                    return Fetch::NotFound;
                }
                let path = root.join(escape(module)).join(escape_suffix(suffix));
                match read_capped(&path, *max_body) {
                    Ok(Some(bytes)) => Fetch::Found(bytes),
                    Ok(None) => Fetch::failed(
                        format!("{}: {}", path.display(), super::http::too_large(*max_body)),
                        false,
                    ),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        if suffix == "@v/list" {
                            // The list is written by `go list -m -versions`; a
                            // download leaves only .info files: list them.
                            let dir = root.join(escape(module)).join("@v");
                            if let Ok(entries) = std::fs::read_dir(dir) {
                                let versions: Vec<String> = entries
                                    .flatten()
                                    .filter_map(|e| {
                                        e.file_name().to_str()?.strip_suffix(".info").map(unescape)
                                    })
                                    .collect();
                                if !versions.is_empty() {
                                    return Fetch::Found(versions.join("\n").into_bytes());
                                }
                            }
                        }
                        Fetch::NotFound
                    }
                    Err(e) => Fetch::failed(format!("cannot read {}: {e}", path.display()), false),
                }
            }
        }
    }
}

/// A regular file's bytes, None when it is over `max` bytes; a FIFO or a
/// device in the module cache is an error rather than a read that never ends.
fn read_capped(path: &std::path::Path, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read as _;
    // Checked before opening: opening a FIFO waits for a writer.
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let file = std::fs::File::open(path)?;
    if meta.len() > max {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= max).then_some(bytes))
}

fn escape_suffix(suffix: &str) -> String {
    escape(suffix)
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut bang = false;
    for c in text.chars() {
        if bang {
            out.push(c.to_ascii_uppercase());
            bang = false;
        } else if c == '!' {
            bang = true;
        } else {
            out.push(c);
        }
    }
    out
}

/// $GOMODCACHE, else $GOPATH/pkg/mod (first GOPATH entry), else ~/go/pkg/mod.
pub(crate) fn module_cache() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("GOMODCACHE").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    if let Some(gopath) = std::env::var_os("GOPATH").filter(|v| !v.is_empty()) {
        let first = std::env::split_paths(&gopath).next()?;
        return Some(first.join("pkg/mod"));
    }
    std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .map(|home| PathBuf::from(home).join("go/pkg/mod"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goproxy_lists() {
        let list = ProxyList::parse("https://a.example,https://b.example|direct");
        assert_eq!(
            list.entries,
            vec![
                (Entry::Url("https://a.example".into()), Fallback::OnNotFound),
                (Entry::Url("https://b.example".into()), Fallback::OnAnyError),
                (Entry::Direct, Fallback::OnNotFound),
            ]
        );
        assert_eq!(
            ProxyList::parse("off").entries,
            vec![(Entry::Off, Fallback::OnNotFound)]
        );
        assert_eq!(ProxyList::parse("").describe(), DEFAULT_GOPROXY);
    }

    #[test]
    fn case_encoding() {
        assert_eq!(
            escape("github.com/Azure/azure-sdk-for-go"),
            "github.com/!azure/azure-sdk-for-go"
        );
        assert_eq!(unescape("github.com/!azure/x"), "github.com/Azure/x");
        assert_eq!(escape("@v/v1.0.0-RC1.info"), "@v/v1.0.0-!r!c1.info");
    }

    #[test]
    fn private_patterns_match_path_prefixes() {
        let p = PrivatePatterns::parse(&["*.corp.example.com,github.com/acme/*".into()]);
        assert!(p.matches("git.corp.example.com/team/svc"));
        assert!(p.matches("github.com/acme/secret/v2"));
        assert!(!p.matches("github.com/acmeco/x"));
        assert!(!p.matches("github.com/google/uuid"));
        assert!(!p.matches("github.com"));
    }
}
