//! Go module versions over semver: the `v` prefix, pseudo-versions,
//! `+incompatible` and the major-version suffix of module paths.

use std::cmp::Ordering;
use std::fmt;

/// A canonical Go module version such as `v1.2.3`, `v0.0.0-20240102150405-abcdef123456`
/// or `v2.0.0+incompatible`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GoVersion {
    /// The version without the `v`, as semver (build metadata holds `incompatible`).
    semver: semver::Version,
    raw: String,
}

/// The commit a pseudo-version names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pseudo {
    /// `yyyymmddhhmmss`, UTC.
    pub(crate) timestamp: String,
    /// The 12-character commit prefix.
    pub(crate) revision: String,
}

impl GoVersion {
    /// Parses a canonical Go version. Go's shorthand forms (`v1`, `v1.2`) and
    /// branch names are not canonical and are rejected: the go command
    /// rewrites them on the next `go mod tidy`.
    pub(crate) fn parse(text: &str) -> Result<GoVersion, String> {
        let rest = text
            .strip_prefix('v')
            .ok_or_else(|| format!("version `{text}` must start with `v`"))?;
        let semver = semver::Version::parse(rest).map_err(|e| {
            format!("version `{text}` is not a semantic version of the form v1.2.3 ({e})")
        })?;
        if !semver.build.is_empty() && semver.build.as_str() != "incompatible" {
            return Err(format!(
                "version `{text}` has build metadata `+{}`; Go allows only `+incompatible`",
                semver.build
            ));
        }
        if semver.build.as_str() == "incompatible" && semver.major < 2 {
            return Err(format!(
                "version `{text}` is +incompatible below v2, which Go never produces"
            ));
        }
        Ok(GoVersion {
            semver,
            raw: text.to_string(),
        })
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.raw
    }

    pub(crate) fn major(&self) -> u64 {
        self.semver.major
    }

    pub(crate) fn minor(&self) -> u64 {
        self.semver.minor
    }

    pub(crate) fn patch(&self) -> u64 {
        self.semver.patch
    }

    pub(crate) fn is_incompatible(&self) -> bool {
        self.semver.build.as_str() == "incompatible"
    }

    /// The timestamp and revision when this is a pseudo-version, in any of
    /// its three forms: `vX.0.0-yyyymmddhhmmss-rev`,
    /// `vX.Y.Z-pre.0.yyyymmddhhmmss-rev` and `vX.Y.(Z+1)-0.yyyymmddhhmmss-rev`.
    pub(crate) fn pseudo(&self) -> Option<Pseudo> {
        let pre = self.semver.pre.as_str();
        if pre.is_empty() {
            return None;
        }
        // The last dot-separated identifier is `yyyymmddhhmmss-rev`.
        let last = pre.rsplit('.').next()?;
        let (timestamp, revision) = last.split_once('-')?;
        let well_formed = timestamp.len() == 14
            && timestamp.bytes().all(|b| b.is_ascii_digit())
            && revision.len() >= 12
            && revision
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase());
        if !well_formed {
            return None;
        }
        // Form 1 has only that identifier; forms 2 and 3 put a `0` before it.
        let before = pre.len() - last.len();
        let shape_ok = if before == 0 {
            self.semver.minor == 0 && self.semver.patch == 0
        } else {
            pre[..before] == *"0." || pre[..before].ends_with(".0.")
        };
        shape_ok.then(|| Pseudo {
            timestamp: timestamp.to_string(),
            revision: revision.to_string(),
        })
    }

    /// Whether this version is a release (not a prerelease, not a pseudo-version).
    pub(crate) fn is_release(&self) -> bool {
        self.semver.pre.is_empty()
    }

    pub(crate) fn semver(&self) -> &semver::Version {
        &self.semver
    }
}

impl fmt::Display for GoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl PartialOrd for GoVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for GoVersion {
    /// Go's order: semver precedence (build metadata ignored), so a
    /// pseudo-version sorts before the release it precedes and two
    /// pseudo-versions on one base sort by their commit timestamp.
    fn cmp(&self, other: &Self) -> Ordering {
        let a = &self.semver;
        let b = &other.semver;
        (a.major, a.minor, a.patch)
            .cmp(&(b.major, b.minor, b.patch))
            .then_with(|| match (self.pseudo(), other.pseudo()) {
                (Some(x), Some(y)) if same_base(a, b) => x
                    .timestamp
                    .cmp(&y.timestamp)
                    .then_with(|| x.revision.cmp(&y.revision)),
                _ => a.pre.cmp(&b.pre),
            })
            .then_with(|| self.raw.cmp(&other.raw))
    }
}

/// Whether two pseudo-versions share the prerelease part before the timestamp.
fn same_base(a: &semver::Version, b: &semver::Version) -> bool {
    let base = |v: &semver::Version| {
        let pre = v.pre.as_str();
        pre.rfind('.').map_or("", |i| &pre[..i]).to_string()
    };
    base(a) == base(b)
}

/// The major version a module path declares: `/v2` suffixes, `gopkg.in`'s
/// `.v3`, and none (v0 or v1) otherwise. Returns the path without the suffix.
pub(crate) fn split_path_major(path: &str) -> (&str, Option<u64>) {
    if path.starts_with("gopkg.in/")
        && let Some(i) = path.rfind(".v")
        && let Ok(n) = path[i + 2..].parse::<u64>()
    {
        return (&path[..i], Some(n));
    }
    if let Some(i) = path.rfind("/v") {
        let digits = &path[i + 2..];
        if !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0')
            && let Ok(n) = digits.parse::<u64>()
            && n >= 2
        {
            return (&path[..i], Some(n));
        }
    }
    (path, None)
}

/// Whether a module at `path` can have `version` (Go's `CheckPathMajor`):
/// `/vN` paths only vN versions, gopkg.in's `.vN` only vN (and the v0.0.0
/// pseudo-versions old Go wrote for `.v1`), other paths v0, v1 or
/// `+incompatible`. An upstream answer that breaks this is not to be believed.
pub(crate) fn fits_path_major(path: &str, version: &GoVersion) -> bool {
    match split_path_major(path) {
        (_, Some(major)) if path.starts_with("gopkg.in/") => {
            version.major() == major || (major == 1 && version.as_str().starts_with("v0.0.0-"))
        }
        (_, Some(major)) => version.major() == major,
        // gopkg.in's `.vN-unstable`: cannot tell, so do not refuse.
        (_, None) if path.starts_with("gopkg.in/") => true,
        (_, None) => version.major() <= 1 || version.is_incompatible(),
    }
}

/// Why `path` is not a module path Go would look up (its `CheckPath`, without
/// the Windows-reserved names): elements of ASCII letters, digits and `-._~`,
/// none empty or starting or ending with a dot, a dot in the first.
pub(crate) fn check_module_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("an empty module path".into());
    }
    for element in path.split('/') {
        if element.is_empty() {
            return Err("an empty path element (a leading, trailing or double `/`)".into());
        }
        if element.starts_with('.') || element.ends_with('.') {
            return Err(format!(
                "path element `{element}` starts or ends with a dot"
            ));
        }
        if let Some(bad) = element
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')))
        {
            return Err(format!(
                "the character {bad:?} is not allowed in a module path"
            ));
        }
    }
    let first = path.split('/').next().unwrap_or_default();
    if !first.contains('.') {
        return Err(format!("its first element `{first}` has no dot"));
    }
    if first.starts_with('-') {
        return Err(format!("its first element `{first}` starts with a dash"));
    }
    Ok(())
}

/// The major version a requirement actually selects: the path suffix, or the
/// version's own major (v0, v1, or vN+incompatible).
pub(crate) fn effective_major(path: &str, version: &GoVersion) -> u64 {
    match split_path_major(path) {
        (_, Some(n)) => n,
        (_, None) => version.major(),
    }
}

/// Parses a `go` or `toolchain` language version: `1.22`, `1.22.3`, `1.23rc1`,
/// `go1.22.3` (toolchain form). Returns (major, minor, patch, prerelease).
pub(crate) fn parse_go_language(text: &str) -> Option<(u64, u64, u64, String)> {
    let text = text.strip_prefix("go").unwrap_or(text);
    let text = text.split_once('-').map_or(text, |(v, _)| v);
    let digits_end = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let major_end = digits_end(text);
    let major: u64 = text[..major_end].parse().ok()?;
    let rest = &text[major_end..];
    let rest = rest.strip_prefix('.')?;
    let minor_end = digits_end(rest);
    let minor: u64 = rest[..minor_end].parse().ok()?;
    let rest = &rest[minor_end..];
    let (patch, pre) = if let Some(rest) = rest.strip_prefix('.') {
        let end = digits_end(rest);
        (rest[..end].parse().ok()?, rest[end..].to_string())
    } else {
        (0, rest.to_string())
    };
    if !(pre.is_empty() || pre.starts_with("rc") || pre.starts_with("beta")) {
        return None;
    }
    Some((major, minor, patch, pre))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> GoVersion {
        GoVersion::parse(text).unwrap()
    }

    #[test]
    fn parses_releases_and_rejects_noncanonical() {
        assert_eq!(v("v1.6.0").minor(), 6);
        assert!(GoVersion::parse("1.6.0").is_err());
        assert!(GoVersion::parse("v1.6").is_err());
        assert!(GoVersion::parse("master").is_err());
        assert!(GoVersion::parse("v1.0.0+meta").is_err());
        assert!(GoVersion::parse("v1.0.0+incompatible").is_err());
    }

    #[test]
    fn pseudo_versions_in_all_three_forms() {
        let a = v("v0.0.0-20251202230838-ff82c1b0f217");
        assert_eq!(a.pseudo().unwrap().timestamp, "20251202230838");
        let b = v("v1.2.4-0.20230101000000-abcdefabcdef");
        assert_eq!(b.pseudo().unwrap().revision, "abcdefabcdef");
        let c = v("v1.3.0-rc.1.0.20230101000000-abcdefabcdef");
        assert!(c.pseudo().is_some());
        assert!(v("v1.3.0-rc.1").pseudo().is_none());
        assert!(v("v1.3.0").pseudo().is_none());
    }

    #[test]
    fn pseudo_versions_order_by_timestamp_and_before_their_release() {
        let older = v("v0.0.0-20230101000000-ffffffffffff");
        let newer = v("v0.0.0-20240101000000-000000000000");
        assert!(older < newer);
        assert!(v("v1.2.4-0.20230101000000-abcdefabcdef") < v("v1.2.4"));
        assert!(v("v1.2.4-0.20230101000000-abcdefabcdef") > v("v1.2.3"));
        assert!(v("v1.5.0") < v("v1.6.0"));
        assert!(v("v1.10.0") > v("v1.9.0"));
    }

    #[test]
    fn incompatible_versions() {
        let x = v("v2.3.0+incompatible");
        assert!(x.is_incompatible());
        assert_eq!(x.major(), 2);
        assert_eq!(effective_major("github.com/a/b", &x), 2);
        assert!(v("v2.3.0+incompatible") < v("v2.4.0+incompatible"));
    }

    #[test]
    fn path_majors() {
        assert_eq!(
            split_path_major("github.com/jackc/pgx/v5"),
            ("github.com/jackc/pgx", Some(5))
        );
        assert_eq!(split_path_major("github.com/a/b"), ("github.com/a/b", None));
        assert_eq!(
            split_path_major("github.com/a/v1"),
            ("github.com/a/v1", None)
        );
        assert_eq!(
            split_path_major("gopkg.in/yaml.v3"),
            ("gopkg.in/yaml", Some(3))
        );
        assert_eq!(effective_major("github.com/jackc/pgx/v5", &v("v5.7.6")), 5);
    }

    #[test]
    fn versions_must_fit_the_path_major() {
        assert!(!fits_path_major("golang.org/x/net/v6", &v("v1.2.3")));
        assert!(fits_path_major("golang.org/x/net/v6", &v("v6.0.1")));
        assert!(fits_path_major("golang.org/x/net", &v("v0.30.0")));
        assert!(fits_path_major(
            "github.com/docker/docker",
            &v("v20.10.0+incompatible")
        ));
        assert!(!fits_path_major("github.com/docker/docker", &v("v20.10.0")));
        assert!(fits_path_major("gopkg.in/yaml.v3", &v("v3.0.1")));
        assert!(!fits_path_major("gopkg.in/yaml.v3", &v("v2.4.0")));
        assert!(fits_path_major(
            "gopkg.in/check.v1",
            &v("v0.0.0-20161208181325-20d25e280405")
        ));
    }

    #[test]
    fn module_paths_are_checked_as_go_does() {
        assert!(check_module_path("github.com/Azure/azure-sdk-for-go").is_ok());
        assert!(check_module_path("gopkg.in/yaml.v3").is_ok());
        for bad in [
            "",
            "../../etc/passwd",
            "github.com/a/../b",
            "github.com//a",
            "github.com/a/",
            "localmodule",
            "github.com/a b",
            "github.com/a%2f",
        ] {
            assert!(check_module_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn go_language_versions() {
        assert_eq!(parse_go_language("1.22"), Some((1, 22, 0, String::new())));
        assert_eq!(parse_go_language("1.22.3"), Some((1, 22, 3, String::new())));
        assert_eq!(
            parse_go_language("go1.23rc1"),
            Some((1, 23, 0, "rc1".into()))
        );
        assert_eq!(parse_go_language("1.x"), None);
        assert_eq!(parse_go_language("junk"), None);
    }
}
