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

pub(crate) const STATE_FILE: &str = ".trellis/scaffold.json";
pub(crate) const FORMAT_VERSION: u32 = 1;
/// The format of a state whose contract is in the repository's api root
/// (`identity.api_root`). A trellis that reads only format 1 refuses it with
/// "format 2 is not supported" instead of generating from a contract it
/// cannot place; services without a shared contract keep format 1, so
/// older trellis versions still read them.
pub(crate) const FORMAT_SHARED_CONTRACT: u32 = 2;

/// The format a state with this identity is written in.
pub(crate) fn format_for(identity: &Identity) -> u32 {
    if identity.api_root.is_some() {
        FORMAT_SHARED_CONTRACT
    } else {
        FORMAT_VERSION
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct State {
    pub(crate) format: u32,
    pub(crate) generator: String,
    pub(crate) template: TemplateRecord,
    pub(crate) identity: Identity,
    pub(crate) variables: BTreeMap<String, serde_json::Value>,
    /// sha256 of the contract when code was last generated from it.
    pub(crate) contract_sha256: String,
    /// Every RPC trellis has written a stub for, by `pkg.Service/Method`.
    pub(crate) rpcs: BTreeMap<String, RpcRecord>,
    pub(crate) files: BTreeMap<String, FileRecord>,
    /// The services this one calls through `trellis new client`, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) clients: BTreeMap<String, ClientRecord>,
}

/// Where a client's contract comes from, so that `sync` can follow it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClientRecord {
    /// The called service's directory, relative to this service's.
    pub(crate) dir: String,
    /// The files `new client` wrote (their hashes are in `files`).
    pub(crate) files: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplateRecord {
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RpcRecord {
    /// The file stem of its handler (`get_payment` -> get_payment.go, get_payment_test.go).
    pub(crate) stem: String,
    pub(crate) test_name: String,
    #[serde(default)]
    pub(crate) files: Vec<String>,
    /// `In -> stream Out` when its stub was written: a stub written for
    /// another signature no longer compiles. Absent from state files
    /// written before sync compared signatures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) signature: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileRecord {
    pub(crate) owner: Owner,
    /// sha256 of the content trellis last wrote.
    pub(crate) sha256: String,
}

pub(crate) fn hash(content: &[u8]) -> String {
    Sha256::digest(content)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The origin as the state file stores it, so that a fresh clone of the
/// repository can sync and upgrade: a template directory inside the
/// service's git repository by its path relative to the service directory
/// (one outside any repository the service is in keeps its absolute path:
/// nothing relative would survive a clone either), a git URL without the
/// credentials it may carry.
pub(crate) fn origin_to_store(origin: &Origin, service_dir: &Path) -> Origin {
    match origin {
        Origin::Dir { path } if Path::new(path).is_absolute() => {
            match relative_in_repository(Path::new(path), service_dir) {
                Some(relative) => Origin::Dir { path: relative },
                None => origin.clone(),
            }
        }
        Origin::Git { url, rev, commit } => Origin::Git {
            url: crate::redact::strip_userinfo(url),
            rev: rev.clone(),
            commit: commit.clone(),
        },
        _ => origin.clone(),
    }
}

/// The origin a state file names, made loadable: a relative template
/// directory is resolved against the service directory. An absolute one
/// was written by a trellis that stored no relative paths; it is used as
/// it is and rewritten at the next write, which is said once.
pub(crate) fn origin_to_load(origin: &Origin, service_dir: &Path) -> Origin {
    static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    match origin {
        Origin::Dir { path } if Path::new(path).is_relative() => Origin::Dir {
            path: service_dir.join(path).display().to_string(),
        },
        Origin::Dir { path } => {
            if relative_in_repository(Path::new(path), service_dir).is_some()
                && !SAID.swap(true, std::sync::atomic::Ordering::Relaxed)
            {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "note: {} names the template directory {path} by its absolute path; \
                     this run records it relative to the service, so that other clones find it",
                    service_dir.join(STATE_FILE).display()
                );
            }
            origin.clone()
        }
        _ => origin.clone(),
    }
}

/// `target` relative to `service_dir` (with `..` as needed) when both are
/// inside the same git work tree.
fn relative_in_repository(target: &Path, service_dir: &Path) -> Option<String> {
    let target = std::fs::canonicalize(target).ok()?;
    let service = canonical_even_if_missing(service_dir)?;
    let repo = git2::Repository::discover(&service)
        .or_else(|_| git2::Repository::discover(&target))
        .ok()?;
    let root = std::fs::canonicalize(repo.workdir()?).ok()?;
    if !target.starts_with(&root) || !service.starts_with(&root) {
        return None;
    }
    let from: Vec<_> = service.components().collect();
    let to: Vec<_> = target.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    Some(if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    })
}

/// `new` records the state before the service directory exists: its
/// nearest existing ancestor is canonicalized and the rest appended.
pub(crate) fn canonical_even_if_missing(path: &Path) -> Option<std::path::PathBuf> {
    let absolute = std::path::absolute(path).ok()?;
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    while std::fs::symlink_metadata(existing).is_err() {
        rest.push(existing.file_name()?.to_os_string());
        existing = existing.parent()?;
    }
    let mut out = std::fs::canonicalize(existing).ok()?;
    out.extend(rest.iter().rev());
    Some(out)
}

impl State {
    pub(crate) fn load(service_dir: &Path) -> Result<State, InputError> {
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
        if state.format != format_for(&state.identity) {
            return Err(InputError::new(format!(
                "state file format {} is not supported (this trellis reads {FORMAT_VERSION}, and {FORMAT_SHARED_CONTRACT} for a contract in the api root)",
                state.format
            ))
            .in_file(&path)
            .help("use the trellis version that created the service"));
        }
        Ok(state)
    }

    pub(crate) fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved(dir: &Path, format: u32, api_root: Option<&str>) -> Result<State, InputError> {
        let api_root = api_root.map_or(String::new(), |dir| {
            format!(
                ",\n    \"api_root\": {{\"dir\": \"{dir}\", \"file\": \"acme/order/v1/order.proto\", \"go_package\": \"m/gen/go/acme/order/v1\", \"go_prefix\": \"m/gen/go\", \"go_module\": \"m/gen/go\", \"go_module_dir\": \"../api/gen/go\"}}"
            )
        });
        let text = format!(
            "{{\"format\": {format}, \"generator\": \"trellis 0.1.0\",\n\
             \"template\": {{\"name\": \"go-grpc-service\", \"version\": \"1.1.0\", \"origin\": {{\"kind\": \"builtin\", \"name\": \"go-grpc-service\"}}}},\n\
             \"identity\": {{\"name\": \"order\", \"proto_file\": \"api/order.proto\", \"starter\": false, \"resource\": \"Order\"{api_root}}},\n\
             \"variables\": {{}}, \"contract_sha256\": \"\", \"rpcs\": {{}}, \"files\": {{}}}}\n"
        );
        std::fs::create_dir_all(dir.join(".trellis")).unwrap();
        std::fs::write(dir.join(STATE_FILE), text).unwrap();
        State::load(dir)
    }

    #[test]
    fn a_contract_in_the_api_root_is_format_2_and_format_1_states_still_load() {
        let tmp = tempfile::tempdir().unwrap();
        let own = saved(tmp.path(), 1, None).unwrap();
        assert_eq!(own.identity.api_root, None);
        assert_eq!(format_for(&own.identity), FORMAT_VERSION);
        let shared = saved(tmp.path(), 2, Some("../api")).unwrap();
        assert_eq!(shared.identity.api_root.as_ref().unwrap().dir, "../api");
        assert_eq!(format_for(&shared.identity), FORMAT_SHARED_CONTRACT);
        assert!(shared.to_json().starts_with("{\n  \"format\": 2,"));
        // Mixed up: the format says what the identity must be.
        let err = saved(tmp.path(), 1, Some("../api")).unwrap_err();
        assert!(
            err.message.contains("format 1 is not supported"),
            "{}",
            err.message
        );
        let err = saved(tmp.path(), 2, None).unwrap_err();
        assert!(
            err.message.contains("format 2 is not supported"),
            "{}",
            err.message
        );
    }

    #[test]
    fn stored_git_origins_carry_no_credentials() {
        let origin = Origin::Git {
            url: "https://ci:glpat-secret@git.example/platform/templates.git".to_string(),
            rev: "v2".to_string(),
            commit: "0123abcd".to_string(),
        };
        let stored = origin_to_store(&origin, Path::new("svc"));
        assert_eq!(
            stored,
            Origin::Git {
                url: "https://git.example/platform/templates.git".to_string(),
                rev: "v2".to_string(),
                commit: "0123abcd".to_string(),
            }
        );
    }

    #[test]
    fn a_template_outside_any_repository_keeps_its_absolute_path() {
        let tmp = tempfile::tempdir().unwrap();
        let template = tmp.path().join("tpl");
        std::fs::create_dir(&template).unwrap();
        let origin = Origin::Dir {
            path: template.display().to_string(),
        };
        assert_eq!(origin_to_store(&origin, &tmp.path().join("svc")), origin);
    }

    #[test]
    fn a_template_inside_the_repository_is_stored_relative_to_the_service() {
        let tmp = tempfile::tempdir().unwrap();
        git2::Repository::init(tmp.path()).unwrap();
        let template = tmp.path().join("templates/tiny");
        std::fs::create_dir_all(&template).unwrap();
        let origin = Origin::Dir {
            path: template.display().to_string(),
        };
        let service = tmp.path().join("services/not-yet-created");
        assert_eq!(
            origin_to_store(&origin, &service),
            Origin::Dir {
                path: "../../templates/tiny".to_string()
            }
        );
        std::fs::create_dir_all(&service).unwrap();
        let loaded = origin_to_load(
            &Origin::Dir {
                path: "../../templates/tiny".to_string(),
            },
            &service,
        );
        let Origin::Dir { path } = loaded else {
            panic!("{loaded:?}")
        };
        assert_eq!(
            std::fs::canonicalize(path).ok(),
            std::fs::canonicalize(&template).ok()
        );
    }
}
