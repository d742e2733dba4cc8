//! A glob pattern from the config file, with where it was written.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    pub pattern: String,
    /// Line and column in the file that set it; `None` after merging `extends`.
    pub location: Option<(u32, u32)>,
}

impl Glob {
    pub fn new(pattern: impl Into<String>) -> Glob {
        Glob {
            pattern: pattern.into(),
            location: None,
        }
    }

    pub fn compile(&self) -> Result<globset::Glob, globset::Error> {
        globset::GlobBuilder::new(&self.pattern)
            .literal_separator(true)
            .build()
    }
}

impl<'de> Deserialize<'de> for Glob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<String>::deserialize(deserializer)?;
        let location = (spanned.referenced.line() > 0).then(|| {
            (
                spanned.referenced.line() as u32,
                spanned.referenced.column() as u32,
            )
        });
        Ok(Glob {
            pattern: spanned.value,
            location,
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

/// A compiled set of globs that remembers which pattern matched.
#[derive(Debug, Clone, Default)]
pub struct GlobList {
    set: Option<globset::GlobSet>,
    pub patterns: Vec<String>,
}

impl GlobList {
    pub fn new(globs: &[Glob]) -> Result<GlobList, globset::Error> {
        let mut builder = globset::GlobSetBuilder::new();
        for glob in globs {
            builder.add(glob.compile()?);
        }
        Ok(GlobList {
            set: Some(builder.build()?),
            patterns: globs.iter().map(|g| g.pattern.clone()).collect(),
        })
    }

    pub fn is_match(&self, path: &str) -> bool {
        self.set.as_ref().is_some_and(|set| set.is_match(path))
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}
