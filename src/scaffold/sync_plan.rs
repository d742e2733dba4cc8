//! What `trellis sync` does to each file after a contract change, and the
//! changes it refuses because the service would no longer build: a
//! trellis-owned file a person edited that the contract needs rewritten, an
//! edited stub of an RPC whose signature changed, and the leftover files of
//! a removed RPC (in Go every file of a package is compiled, so a leftover
//! test fails `go vet`). A refused sync writes nothing and exits 1.

use super::apply::{Action, PlannedFile};
use super::names;
use super::proto::Contract;
use super::render::{RenderedFile, rpc_key};
use super::state::{self, RpcRecord, State};
use super::template::{Language, Owner};
use crate::error::InputError;
use std::collections::BTreeMap;
use std::path::Path;

/// A change sync will not make, why, and what the person does about it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Blocker {
    pub(crate) path: String,
    pub(crate) reason: String,
    pub(crate) fix: String,
}

/// An RPC gone from the contract whose files are still there.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct RemovedRpc {
    pub(crate) rpc: String,
    pub(crate) files: Vec<String>,
}

pub(crate) struct SyncInput<'a> {
    pub(crate) dir: &'a Path,
    pub(crate) previous: &'a State,
    pub(crate) contract: &'a Contract,
    pub(crate) language: Language,
    pub(crate) prune: bool,
}

#[derive(Debug, Default)]
pub(crate) struct SyncPlan {
    /// Every file whose action is not `unchanged`.
    pub(crate) files: Vec<PlannedFile>,
    /// The rendered files written, for the next state's hashes.
    pub(crate) written: Vec<RenderedFile>,
    /// RPC records of the next state.
    pub(crate) rpcs: BTreeMap<String, RpcRecord>,
    pub(crate) removed_rpcs: Vec<RemovedRpc>,
    /// Files `--prune` deletes; dropped from the next state.
    pub(crate) deleted: Vec<String>,
    pub(crate) blocked: Vec<Blocker>,
}

/// RPCs whose signature differs from the one their stub was written for:
/// key -> (then, now). A record without a signature (from a state file
/// older than this check) cannot tell, and is taken as unchanged.
fn changed_signatures(
    contract: &Contract,
    recorded: &BTreeMap<String, RpcRecord>,
) -> BTreeMap<String, (String, String)> {
    let mut changed = BTreeMap::new();
    for service in &contract.services {
        for rpc in &service.rpcs {
            let key = rpc_key(&service.full_name, &rpc.name);
            let now = rpc.signature();
            match recorded.get(&key).and_then(|r| r.signature.as_ref()) {
                Some(then) if *then != now => {
                    changed.insert(key, (then.clone(), now));
                }
                Some(_) => {}
                None if recorded.contains_key(&key) => log::info!(
                    "sync: {key} has no recorded signature (state written by an older trellis); \
                     a change of its streaming kind or types since then cannot be detected"
                ),
                None => {}
            }
        }
    }
    changed
}

pub(crate) fn plan(
    input: &SyncInput,
    rendered: Vec<RenderedFile>,
    mut rpcs: BTreeMap<String, RpcRecord>,
) -> Result<SyncPlan, InputError> {
    let changed = changed_signatures(input.contract, &input.previous.rpcs);
    let mut out = SyncPlan::default();
    for file in rendered {
        super::apply::check_no_symlinks(input.dir, &file.path)
            .map_err(|why| InputError::new(why).help("remove the link, then sync again"))?;
        let (action, reason) = plan_file(input, &file, &changed, &mut out.blocked);
        if action.writes() {
            out.written.push(file.clone());
        }
        if action != Action::Unchanged {
            out.files.push(PlannedFile {
                path: file.path,
                action,
                reason,
                content: file.content.into_bytes(),
            });
        }
    }
    // Every stub now matches (or was adapted to) the current signature.
    for service in &input.contract.services {
        for rpc in &service.rpcs {
            if let Some(record) = rpcs.get_mut(&rpc_key(&service.full_name, &rpc.name)) {
                record.signature = Some(rpc.signature());
            }
        }
    }
    plan_removed(input, &mut rpcs, &mut out);
    out.rpcs = rpcs;
    Ok(out)
}

fn plan_file(
    input: &SyncInput,
    file: &RenderedFile,
    changed: &BTreeMap<String, (String, String)>,
    blocked: &mut Vec<Blocker>,
) -> (Action, Option<String>) {
    let on_disk = std::fs::read(input.dir.join(&file.path)).ok();
    let recorded = input.previous.files.get(&file.path);
    let untouched = |bytes: &[u8]| recorded.is_some_and(|r| r.sha256 == state::hash(bytes));
    if let Some(key) = &file.rpc {
        if !input.previous.rpcs.contains_key(key) {
            return match on_disk {
                Some(_) => (
                    Action::Skip,
                    Some("exists but trellis did not write it; left alone".to_string()),
                ),
                None => (Action::Create, Some("new RPC".to_string())),
            };
        }
        let Some((then, now)) = changed.get(key) else {
            return (Action::Unchanged, None);
        };
        let why = format!("{key} changed from `{then}` to `{now}`");
        return match on_disk {
            None => (Action::Create, Some(why)),
            Some(bytes) if untouched(&bytes) => (Action::Regenerate, Some(why)),
            Some(bytes) if adapted(&bytes, &file.content, key) => (Action::Unchanged, None),
            Some(_) => {
                blocked.push(Blocker {
                    path: file.path.clone(),
                    reason: format!(
                        "{why}; this file was edited, so trellis does not rewrite it, and its code for the old signature no longer compiles"
                    ),
                    fix: format!(
                        "change it for the new signature ({}), or move your code out of it, delete it and run `trellis sync` again for a fresh stub",
                        expected_lines(&file.content, key)
                            .first()
                            .map(|l| format!("trellis's stub has `{l}`"))
                            .unwrap_or_else(|| "see the regenerated code".to_string())
                    ),
                });
                (
                    Action::Skip,
                    Some("edited; needs the new signature".to_string()),
                )
            }
        };
    }
    match (file.owner, on_disk) {
        (Owner::Trellis, None) => (Action::Create, None),
        (Owner::Trellis, Some(bytes)) if bytes == file.content.as_bytes() => {
            (Action::Unchanged, None)
        }
        (Owner::Trellis, Some(bytes)) if untouched(&bytes) => (Action::Regenerate, None),
        (Owner::Trellis, Some(_))
            if recorded.is_some_and(|r| r.sha256 == state::hash(file.content.as_bytes())) =>
        {
            // The edit stays, and nothing it replaced needs regenerating.
            (
                Action::Skip,
                Some("edited by a person; this contract needs no new version of it".to_string()),
            )
        }
        (Owner::Trellis, Some(_)) => {
            blocked.push(trellis_owned_blocker(&file.path, recorded.is_some()));
            (Action::Skip, Some("edited; needs regenerating".to_string()))
        }
        (Owner::User, Some(_)) => (Action::Unchanged, None),
        (Owner::User, None) if recorded.is_none() => {
            (Action::Create, Some("new in the template".to_string()))
        }
        (Owner::User, None) => (Action::Unchanged, None),
    }
}

fn trellis_owned_blocker(path: &str, recorded: bool) -> Blocker {
    if recorded {
        Blocker {
            path: path.to_string(),
            reason: "trellis generates this file and a person edited it; the contract change needs a new version of it, and the edited one would not match the regenerated code".to_string(),
            fix: "move your change to a file of your own (`git diff` shows it), delete this file and run `trellis sync` again".to_string(),
        }
    } else {
        Blocker {
            path: path.to_string(),
            reason: "trellis generates this file now, and a file it did not write is in the way"
                .to_string(),
            fix: "move the file away (keep what you need elsewhere) and run `trellis sync` again"
                .to_string(),
        }
    }
}

/// The lines of a freshly rendered stub that declare or call the RPC's
/// method (not comments): what an edited stub must contain for the new
/// signature.
fn expected_lines(rendered: &str, key: &str) -> Vec<String> {
    let method = key.rsplit('/').next().unwrap_or(key);
    let needles = [
        format!("{}(", names::go_camel_case(method)),
        format!("{}(", names::snake(method)),
    ];
    rendered
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("//") && !l.starts_with('#'))
        .filter(|l| needles.iter().any(|n| l.contains(n.as_str())))
        .map(str::to_string)
        .collect()
}

/// An edited stub a person already changed for the new signature: every
/// line of the new stub that declares or calls the method is in it.
fn adapted(on_disk: &[u8], rendered: &str, key: &str) -> bool {
    let text = String::from_utf8_lossy(on_disk);
    let lines: std::collections::BTreeSet<&str> = text.lines().map(str::trim).collect();
    let expected = expected_lines(rendered, key);
    !expected.is_empty() && expected.iter().all(|l| lines.contains(l.as_str()))
}

/// RPCs gone from the contract: their files are deleted with `--prune`
/// while untouched; otherwise they block a Go service's sync (a Rust file
/// no module declares is not compiled, so there it is only reported).
fn plan_removed(input: &SyncInput, rpcs: &mut BTreeMap<String, RpcRecord>, out: &mut SyncPlan) {
    for (key, record) in &input.previous.rpcs {
        if rpcs.contains_key(key) {
            continue;
        }
        let present: Vec<String> = record
            .files
            .iter()
            .filter(|f| input.dir.join(f).exists())
            .cloned()
            .collect();
        if present.is_empty() {
            continue;
        }
        let mut kept = Vec::new();
        for path in &present {
            let bytes = std::fs::read(input.dir.join(path)).unwrap_or_default();
            let untouched = input
                .previous
                .files
                .get(path)
                .is_some_and(|r| r.sha256 == state::hash(&bytes));
            if input.prune && untouched {
                out.deleted.push(path.clone());
                out.files.push(PlannedFile {
                    path: path.clone(),
                    action: Action::Delete,
                    reason: Some(format!("{key} is gone from the contract")),
                    content: Vec::new(),
                });
                continue;
            }
            kept.push(path.clone());
            if input.prune {
                out.blocked.push(Blocker {
                    path: path.clone(),
                    reason: format!(
                        "{key} is gone from the contract; this file of it was edited, and trellis never deletes a person's code"
                    ),
                    fix: "move what you need out of it, delete it and run `trellis sync --prune` again".to_string(),
                });
            } else if input.language == Language::Go {
                out.blocked.push(Blocker {
                    path: path.clone(),
                    reason: format!(
                        "{key} is gone from the contract; this file of it would no longer build against the regenerated code (`go vet` fails on a leftover test)"
                    ),
                    fix: "run `trellis sync --prune` to delete the files of removed RPCs that nobody edited, or delete them yourself".to_string(),
                });
            }
        }
        if !kept.is_empty() {
            out.removed_rpcs.push(RemovedRpc {
                rpc: key.clone(),
                files: kept,
            });
            // Kept, so it is reported until its files are deleted.
            rpcs.insert(key.clone(), record.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_adapted_stub_has_every_line_that_declares_or_calls_the_method() {
        let rendered = "package handlers\n\n// ListItems implements x.\nfunc (h *H) ListItems(req *pb.R, stream grpc.ServerStreamingServer[pb.I]) error {\n\treturn nil\n}\n";
        let key = "x.v1.S/ListItems";
        assert_eq!(
            expected_lines(rendered, key),
            ["func (h *H) ListItems(req *pb.R, stream grpc.ServerStreamingServer[pb.I]) error {"]
        );
        let mine = "package handlers\n\n// Streams items.\nfunc (h *H) ListItems(req *pb.R, stream grpc.ServerStreamingServer[pb.I]) error {\n\tfor _, i := range h.items {\n\t\t_ = stream.Send(i)\n\t}\n\treturn nil\n}\n";
        assert!(adapted(mine.as_bytes(), rendered, key));
        let old = "package handlers\n\nfunc (h *H) ListItems(ctx context.Context, req *pb.R) (*pb.Resp, error) {\n\treturn nil, nil\n}\n";
        assert!(!adapted(old.as_bytes(), rendered, key));
        assert!(!adapted(b"anything", "no method here\n", key));
    }
}
