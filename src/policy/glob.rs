//! A glob pattern from the config file, with where it was written.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Glob {
    pub(crate) pattern: String,
    /// Line and column in the file that set it; `None` after merging `extends`.
    pub(crate) location: Option<(u32, u32)>,
}

impl Glob {
    pub(crate) fn new(pattern: impl Into<String>) -> Glob {
        Glob {
            pattern: pattern.into(),
            location: None,
        }
    }

    pub(crate) fn compile(&self) -> Result<globset::Glob, globset::Error> {
        globset::GlobBuilder::new(&self.pattern)
            .literal_separator(true)
            .build()
    }
}

impl<'de> Deserialize<'de> for Glob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<String>::deserialize(deserializer)?;
        Ok(Glob {
            location: location_of(&spanned.referenced),
            pattern: spanned.value,
        })
    }
}

impl serde::Serialize for Glob {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.pattern)
    }
}

impl JsonSchema for Glob {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Glob".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A glob relative to the repository root: `*` stays inside one directory, `**` crosses directories."
        })
    }
}

/// A value from the config file with where it was written, for findings and
/// errors about it (serde-saphyr's `Spanned`, reduced to what survives a
/// clone and compares by value only).
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub(crate) value: T,
    /// Line and column in the file that set it; `None` after merging `extends`.
    pub(crate) location: Option<(u32, u32)>,
}

impl<T> Located<T> {
    pub(crate) fn new(value: T) -> Located<T> {
        Located {
            value,
            location: None,
        }
    }
}

impl From<&str> for Located<String> {
    fn from(value: &str) -> Located<String> {
        Located::new(value.to_string())
    }
}

impl<T: PartialEq> PartialEq for Located<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: Eq> Eq for Located<T> {}

impl<T: Ord> PartialOrd for Located<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<T: Ord> Ord for Located<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.value.cmp(&other.value)
    }
}

impl<T> std::ops::Deref for Located<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: std::fmt::Display> std::fmt::Display for Located<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.value.fmt(f)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
        Ok(Located {
            location: location_of(&spanned.referenced),
            value: spanned.value,
        })
    }
}

/// A serde-saphyr location as (line, column), `None` when unknown (the
/// value came through another deserializer, as merged `extends` do).
pub(crate) fn location_of(location: &serde_saphyr::Location) -> Option<(u32, u32)> {
    (location.line() > 0).then(|| (location.line() as u32, location.column() as u32))
}

impl<T: serde::Serialize> serde::Serialize for Located<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

impl<T: JsonSchema> JsonSchema for Located<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }

    fn inline_schema() -> bool {
        true
    }
}

/// A compiled set of globs that remembers which pattern matched.
#[derive(Debug, Clone, Default)]
pub(crate) struct GlobList {
    set: Option<globset::GlobSet>,
}

impl GlobList {
    pub(crate) fn new(globs: &[Glob]) -> Result<GlobList, globset::Error> {
        let mut builder = globset::GlobSetBuilder::new();
        for glob in globs {
            builder.add(glob.compile()?);
        }
        Ok(GlobList {
            set: Some(builder.build()?),
        })
    }

    pub(crate) fn is_match(&self, path: &str) -> bool {
        self.set.as_ref().is_some_and(|set| set.is_match(path))
    }
}

/// One `services:` entry: a glob of service directories, or one directory
/// with the name it should have (`{path: app/user/service, name: user}`), so
/// names stay stable when other directories appear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServiceEntry {
    pub(crate) path: Glob,
    pub(crate) name: Option<String>,
}

// Shorthands for the tests' configurations.
#[cfg(test)]
impl ServiceEntry {
    pub(crate) fn glob(pattern: impl Into<String>) -> ServiceEntry {
        ServiceEntry {
            path: Glob::new(pattern),
            name: None,
        }
    }

    pub(crate) fn named(path: impl Into<String>, name: impl Into<String>) -> ServiceEntry {
        ServiceEntry {
            path: Glob::new(path),
            name: Some(name.into()),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawServiceEntry {
    Glob(String),
    Named(NamedServiceEntry),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NamedServiceEntry {
    path: String,
    name: String,
}

impl<'de> Deserialize<'de> for ServiceEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<RawServiceEntry>::deserialize(deserializer)?;
        let location = (spanned.referenced.line() > 0).then(|| {
            (
                spanned.referenced.line() as u32,
                spanned.referenced.column() as u32,
            )
        });
        let (pattern, name) = match spanned.value {
            RawServiceEntry::Glob(pattern) => (pattern, None),
            RawServiceEntry::Named(entry) => {
                if entry.name.trim().is_empty() {
                    return Err(serde::de::Error::custom(
                        "a service entry's `name` must not be empty",
                    ));
                }
                (entry.path, Some(entry.name))
            }
        };
        Ok(ServiceEntry {
            path: Glob { pattern, location },
            name,
        })
    }
}

impl serde::Serialize for ServiceEntry {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match &self.name {
            None => serializer.serialize_str(&self.path.pattern),
            Some(name) => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("path", &self.path.pattern)?;
                map.serialize_entry("name", name)?;
                map.end()
            }
        }
    }
}

impl JsonSchema for ServiceEntry {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ServiceEntry".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A glob of service directories (`app/*/service`), or one directory with its name.",
            "anyOf": [
                {"type": "string"},
                {
                    "type": "object",
                    "properties": {
                        "path": {"type": "string", "description": "The service directory, relative to the repository root."},
                        "name": {"type": "string", "description": "The service's name in every report."}
                    },
                    "required": ["path", "name"],
                    "additionalProperties": false
                }
            ]
        })
    }
}
