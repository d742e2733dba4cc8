//! Git templates: cloned with git2 into a cache keyed by URL and revision,
//! checked out at the revision, which is pinned by its commit id.

use crate::error::InputError;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Returns the checked-out template directory and the commit it is at.
pub fn fetch(
    url: &str,
    rev: Option<&str>,
    cache_root: &Path,
) -> Result<(PathBuf, String), InputError> {
    let rev_label = rev.unwrap_or("HEAD");
    let key = {
        let mut hasher = Sha256::new();
        hasher.update(url.as_bytes());
        hasher.update([0]);
        hasher.update(rev_label.as_bytes());
        hasher
            .finalize()
            .iter()
            .take(12)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let templates = cache_root.join("templates");
    let target = templates.join(&key);
    let marker = target.join(".git").join("trellis-commit");
    if let Ok(commit) = std::fs::read_to_string(&marker) {
        return Ok((target, commit.trim().to_string()));
    }
    std::fs::create_dir_all(&templates).map_err(|e| {
        InputError::new(format!(
            "cannot create the template cache {}: {e}",
            templates.display()
        ))
        .help("set TRELLIS_CACHE_DIR to a writable directory")
    })?;
    let staging = tempfile::Builder::new()
        .prefix(".clone-")
        .tempdir_in(&templates)
        .map_err(|e| InputError::new(format!("cannot create a temporary directory: {e}")))?;
    let checkout = staging.path().join("repo");
    let unreachable = |e: git2::Error| {
        InputError::new(format!(
            "cannot clone template {}: {}",
            crate::redact::userinfo(url),
            crate::redact::userinfo(e.message())
        ))
        .help("check the URL and your network access; a revision is given as URL@REV")
    };
    let repo = git2::Repository::clone(url, &checkout).map_err(unreachable)?;
    let commit = {
        let object = repo
            .revparse_single(rev_label)
            .or_else(|_| repo.revparse_single(&format!("origin/{rev_label}")))
            .map_err(|e| {
                InputError::new(format!(
                    "template {} has no revision `{rev_label}`: {}",
                    crate::redact::userinfo(url),
                    e.message()
                ))
                .help("pass a tag, a branch or a commit id after `@`")
            })?;
        let commit = object.peel_to_commit().map_err(|e| {
            InputError::new(format!(
                "`{rev_label}` in {} is not a commit: {}",
                crate::redact::userinfo(url),
                e.message()
            ))
        })?;
        repo.checkout_tree(
            commit.as_object(),
            Some(git2::build::CheckoutBuilder::new().force()),
        )
        .map_err(unreachable)?;
        repo.set_head_detached(commit.id()).map_err(unreachable)?;
        commit.id().to_string()
    };
    std::fs::write(checkout.join(".git").join("trellis-commit"), &commit)
        .map_err(|e| InputError::new(format!("cannot write the template cache: {e}")))?;
    if target.exists() {
        // Another run filled the cache meanwhile; a half-written entry has no marker.
        let _ = std::fs::remove_dir_all(&target);
    }
    std::fs::rename(&checkout, &target).map_err(|e| {
        InputError::new(format!(
            "cannot move the template into the cache {}: {e}",
            target.display()
        ))
    })?;
    Ok((target, commit))
}
