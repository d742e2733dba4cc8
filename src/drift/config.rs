//! The `drift:` section of trellis.yaml.

use crate::drift::version::GoVersion;
pub(crate) use crate::policy::DriftException;
use crate::policy::Located;
use crate::report::Severity;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct DriftConfig {
    /// The authoritative version of shared modules, by module path. A version
    /// (`v1.5.2`) lets services float like the seeds say: v0 modules within
    /// that minor (`v0.8.*` at or above it), v1+ within that major. `=v1.5.2`
    /// pins exactly; a range (`>=v1.2.0, <v1.4.0`) allows exactly that range.
    /// Entries here win over the root go.mod.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) anchor: BTreeMap<Located<String>, Located<String>>,
    /// Whether services may float within the allowed range of a root go.mod
    /// anchor (true) or must match it exactly (false).
    #[serde(default = "yes")]
    pub(crate) float: bool,
    /// Modules (optionally for some services) that may differ, each with why.
    /// The same as a top-level `exceptions:` entry with `rule: drift-`, the
    /// `module` and each of the `services`: every drift rule honours it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) exceptions: Vec<DriftException>,
    /// Which version a mismatch aligns on: `newest` (every service moves up
    /// to the highest required version, like syncpack's default) or
    /// `majority` (the version most services use; ties go to the newest).
    #[serde(default)]
    pub(crate) align: Align,
    /// Severity of version mismatches between `// indirect` requirements only.
    #[serde(default = "info")]
    #[serde(alias = "indirect_severity")]
    pub(crate) indirect_severity: Located<String>,
    /// Rust crates allowed at several versions in a Cargo.lock, each with why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(alias = "cargo_skip")]
    pub(crate) cargo_skip: Vec<CargoSkip>,
    /// Upstream lookups (`trellis drift --upstream`).
    #[serde(default)]
    pub(crate) upstream: crate::drift::upstream::UpstreamConfig,
}

fn yes() -> bool {
    true
}

fn info() -> Located<String> {
    Located::new("info".into())
}

impl Default for DriftConfig {
    fn default() -> Self {
        DriftConfig {
            anchor: BTreeMap::new(),
            float: true,
            exceptions: Vec::new(),
            align: Align::default(),
            indirect_severity: info(),
            cargo_skip: Vec::new(),
            upstream: Default::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Align {
    #[default]
    Newest,
    Majority,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CargoSkip {
    /// The crate name.
    #[serde(rename = "crate")]
    pub(crate) name: Located<String>,
    /// Only this locked version may repeat; any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) version: Option<String>,
    /// Why the duplicate is accepted. Required.
    pub(crate) reason: String,
}

/// A checked anchor policy entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Constraint {
    /// A version: services may float (v0 within its minor, v1+ within its major) at or above it.
    Float(GoVersion),
    /// Exactly this version.
    Exact(GoVersion),
    /// A semver range.
    Range(semver::VersionReq, String),
}

impl Constraint {
    pub(crate) fn parse(text: &str) -> Result<Constraint, String> {
        let text = text.trim();
        if let Some(exact) = text.strip_prefix('=')
            && !exact.starts_with(['=', '<', '>'])
        {
            return GoVersion::parse(exact.trim()).map(Constraint::Exact);
        }
        if text.starts_with('v') {
            return GoVersion::parse(text).map(Constraint::Float);
        }
        let stripped = text.replace(['v'], "");
        semver::VersionReq::parse(&stripped)
            .map(|req| Constraint::Range(req, text.to_string()))
            .map_err(|e| format!("`{text}` is neither a version nor a range: {e}"))
    }

    pub(crate) fn allows(&self, version: &GoVersion) -> bool {
        match self {
            Constraint::Exact(v) => v == version,
            Constraint::Float(anchor) => {
                version >= anchor
                    && version.major() == anchor.major()
                    && (anchor.major() > 0 || version.minor() == anchor.minor())
            }
            Constraint::Range(req, _) => {
                let mut plain = version.semver().clone();
                plain.build = semver::BuildMetadata::EMPTY;
                req.matches(&plain)
            }
        }
    }

    pub(crate) fn describe(&self) -> String {
        match self {
            Constraint::Exact(v) => format!("exactly {v}"),
            Constraint::Float(v) if v.major() == 0 => {
                format!("{v} or a later v0.{}.x", v.minor())
            }
            Constraint::Float(v) => format!("{v} or a later v{}.x.y", v.major()),
            Constraint::Range(_, text) => format!("within `{text}`"),
        }
    }

    /// The version to suggest when a service is outside the constraint.
    pub(crate) fn target(&self) -> Option<&GoVersion> {
        match self {
            Constraint::Exact(v) | Constraint::Float(v) => Some(v),
            Constraint::Range(..) => None,
        }
    }
}

impl DriftConfig {
    pub(crate) fn indirect_severity(&self) -> Severity {
        Severity::parse(&self.indirect_severity).unwrap_or(Severity::Info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> GoVersion {
        GoVersion::parse(text).unwrap()
    }

    #[test]
    fn v0_floats_within_a_minor_v1_within_a_major() {
        let c = Constraint::parse("v0.8.0").unwrap();
        assert!(c.allows(&v("v0.8.5")));
        assert!(!c.allows(&v("v0.9.0")));
        assert!(!c.allows(&v("v0.7.9")));
        let c = Constraint::parse("v1.5.2").unwrap();
        assert!(c.allows(&v("v1.9.0")));
        assert!(!c.allows(&v("v1.5.1")));
        assert!(!c.allows(&v("v2.0.0+incompatible")));
    }

    #[test]
    fn pins_and_ranges() {
        let c = Constraint::parse("=v1.5.2").unwrap();
        assert!(c.allows(&v("v1.5.2")) && !c.allows(&v("v1.5.3")));
        let c = Constraint::parse(">=v1.2.0, <v1.4.0").unwrap();
        assert!(c.allows(&v("v1.3.9")) && !c.allows(&v("v1.4.0")));
        assert!(Constraint::parse("latest").is_err());
    }
}
