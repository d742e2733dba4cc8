//! `.trellis/scaffold.json`: what produced a service (template, revision,
//! variables) and the hash of every file trellis wrote, so that `sync` can
//! tell a pristine file from one a person edited.

use super::render::Identity;
use super::template::{Origin, Owner};
use crate::error::InputError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

pub const STATE_FILE: &str = ".trellis/scaffold.json";
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    pub format: u32,
    pub generator: String,
    pub template: TemplateRecord,
    pub identity: Identity,
    pub variables: BTreeMap<String, serde_json::Value>,
    /// sha256 of the contract when code was last generated from it.
    pub contract_sha256: String,
    /// Every RPC trellis has written a stub for, by `pkg.Service/Method`.
    pub rpcs: BTreeMap<String, RpcRecord>,
    pub files: BTreeMap<String, FileRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateRecord {
    pub name: String,
    pub version: String,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RpcRecord {
    /// The file stem of its handler (`get_payment` -> get_payment.go, get_payment_test.go).
    pub stem: String,
    pub test_name: String,
    #[serde(default)]
    pub files: Vec<String>,
    /// `In -> stream Out` when its stub was written: a stub written for
    /// another signature no longer compiles. Absent from state files
    /// written before sync compared signatures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRecord {
    pub owner: Owner,
    /// sha256 of the content trellis last wrote.
    pub sha256: String,
}

pub fn hash(content: &[u8]) -> String {
    Sha256::digest(content)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl State {
    pub fn load(service_dir: &Path) -> Result<State, InputError> {
        let path = service_dir.join(STATE_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            InputError::new(format!("cannot read {}: {e}", path.display())).help(
                "`trellis sync` works on a service created by `trellis new`; pass its directory",
            )
        })?;
        let state: State = serde_json::from_str(&text).map_err(|e| {
            InputError::new(format!("invalid state file: {e}"))
                .in_file(&path)
                .at(e.line() as u32, e.column() as u32)
                .with_source(text.clone())
                .help(
                    "restore it from version control; trellis writes it, people should not edit it",
                )
        })?;
        if state.format != FORMAT_VERSION {
            return Err(InputError::new(format!(
                "state file format {} is not supported (this trellis reads {FORMAT_VERSION})",
                state.format
            ))
            .in_file(&path)
            .help("use the trellis version that created the service"));
        }
        Ok(state)
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}
