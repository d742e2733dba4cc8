//! The level a configuration gives a rule: off, or the severity to report it at.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    Off,
    Info,
    Warning,
    Error,
}

impl<'de> Deserialize<'de> for RuleLevel {
    // YAML 1.1 readers turn a bare `off` into `false`; accept both spellings.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bool(bool),
            Text(String),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Bool(false) => Ok(RuleLevel::Off),
            Raw::Bool(true) => Err(serde::de::Error::custom(
                "expected off, info, warning or error (a rule is turned on by giving its severity)",
            )),
            Raw::Text(text) => match text.as_str() {
                "off" => Ok(RuleLevel::Off),
                "info" => Ok(RuleLevel::Info),
                "warning" | "warn" => Ok(RuleLevel::Warning),
                "error" => Ok(RuleLevel::Error),
                other => Err(serde::de::Error::custom(format!(
                    "unknown level `{other}`: expected off, info, warning or error"
                ))),
            },
        }
    }
}
