//! Git templates: cloned with git2 into a cache keyed by URL and revision,
//! checked out at the revision, which is pinned by its commit id.

use super::limits::Limits;
use crate::error::InputError;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Returns the checked-out template directory and the commit it is at.
pub(crate) fn fetch(
    url: &str,
    rev: Option<&str>,
    cache_root: &Path,
    limits: &Limits,
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
    let staging = staging_in(&templates)?;
    let checkout = staging.path().join("repo");
    let unreachable = |e: git2::Error| {
        InputError::new(format!(
            "cannot clone template {}: {}",
            crate::redact::userinfo(url),
            crate::redact::userinfo(e.message())
        ))
        .help("check the URL and your network access; a revision is given as URL@REV")
    };
    let repo = clone_within(url, &checkout, limits).map_err(|e| {
        if e.code() == git2::ErrorCode::User || e.class() == git2::ErrorClass::Net {
            timed_out(url, &e, limits)
        } else {
            unreachable(e)
        }
    })?;
    let commit = check_out(&repo, url, rev_label)?;
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

/// Checks `rev_label` (a tag, a branch, a commit id) out, detached, and
/// returns its commit id.
fn check_out(repo: &git2::Repository, url: &str, rev_label: &str) -> Result<String, InputError> {
    let object = repo
        .revparse_single(rev_label)
        .or_else(|_| repo.revparse_single(&format!("origin/{rev_label}")))
        .map_err(|e| {
            InputError::new(format!(
                "template {} has no revision `{rev_label}`: {}",
                crate::redact::userinfo(url),
                e.message()
            ))
            .help("pass a tag, a branch or a commit id")
        })?;
    let commit = object.peel_to_commit().map_err(|e| {
        InputError::new(format!(
            "`{rev_label}` in {} is not a commit: {}",
            crate::redact::userinfo(url),
            e.message()
        ))
    })?;
    let failed = |e: git2::Error| {
        InputError::new(format!(
            "cannot check out `{rev_label}` of template {}: {}",
            crate::redact::userinfo(url),
            crate::redact::userinfo(e.message())
        ))
        .help("check free disk space in the template cache (TRELLIS_CACHE_DIR)")
    };
    repo.checkout_tree(
        commit.as_object(),
        Some(git2::build::CheckoutBuilder::new().force()),
    )
    .map_err(failed)?;
    repo.set_head_detached(commit.id()).map_err(failed)?;
    Ok(commit.id().to_string())
}

/// A template cloned afresh (never from the cache: `upgrade` must see the
/// branch heads and tags the server has now), removed when dropped.
pub(crate) struct FreshClone {
    _staging: tempfile::TempDir,
    pub(crate) dir: PathBuf,
    /// The revision checked out: `--to`, or the one `choose` picked.
    pub(crate) rev: String,
    pub(crate) commit: String,
}

/// Clones `url` into a temporary directory under the cache and checks out
/// `rev`, or, without one, the revision `choose` picks from the clone.
pub(crate) fn fetch_fresh(
    url: &str,
    rev: Option<&str>,
    choose: impl FnOnce(&git2::Repository) -> String,
    cache_root: &Path,
    limits: &Limits,
) -> Result<FreshClone, InputError> {
    let templates = cache_root.join("templates");
    let staging = staging_in(&templates)?;
    let dir = staging.path().join("repo");
    let repo = clone_within(url, &dir, limits).map_err(|e| {
        if e.code() == git2::ErrorCode::User || e.class() == git2::ErrorClass::Net {
            timed_out(url, &e, limits)
        } else {
            InputError::new(format!(
                "cannot clone template {}: {}",
                crate::redact::userinfo(url),
                crate::redact::userinfo(e.message())
            ))
            .help("check the URL and your network access")
        }
    })?;
    let rev = rev.map_or_else(|| choose(&repo), str::to_string);
    let commit = check_out(&repo, url, &rev)?;
    Ok(FreshClone {
        _staging: staging,
        dir,
        rev,
        commit,
    })
}

/// The revision `upgrade` follows when no `--to` is given: the branch the
/// service was generated from, or the default branch when it was generated
/// from a tag or a commit (those never move).
pub(crate) fn tracked_branch(repo: &git2::Repository, recorded_rev: &str) -> String {
    let is_branch = recorded_rev != "HEAD"
        && repo
            .find_reference(&format!("refs/remotes/origin/{recorded_rev}"))
            .is_ok();
    if is_branch {
        recorded_rev.to_string()
    } else {
        "HEAD".to_string()
    }
}

/// Clones with libgit2's connect and read timeouts, and a deadline on the
/// whole transfer: a server that accepts and then sends nothing, or a byte
/// a minute, must not hold `trellis new` forever.
fn clone_within(
    url: &str,
    checkout: &Path,
    limits: &Limits,
) -> Result<git2::Repository, git2::Error> {
    let millis = |d: std::time::Duration| i32::try_from(d.as_millis()).unwrap_or(i32::MAX);
    // SAFETY: libgit2 globals, set before any thread of trellis uses libgit2
    // (scaffolding fetches its template before it starts the render thread).
    unsafe {
        git2::opts::set_server_connect_timeout_in_milliseconds(millis(limits.git_connect_timeout))?;
        git2::opts::set_server_timeout_in_milliseconds(millis(limits.git_timeout))?;
    }
    let deadline = std::time::Instant::now() + limits.git_timeout;
    let mut callbacks = git2::RemoteCallbacks::new();
    // Returning false cancels the transfer (a `User` error).
    callbacks.transfer_progress(move |_| std::time::Instant::now() < deadline);
    callbacks.sideband_progress(move |_| std::time::Instant::now() < deadline);
    let mut fetch = git2::FetchOptions::new();
    fetch.remote_callbacks(callbacks);
    git2::build::RepoBuilder::new()
        .fetch_options(fetch)
        .clone(url, checkout)
}

fn timed_out(url: &str, err: &git2::Error, limits: &Limits) -> InputError {
    InputError::new(format!(
        "cannot clone template {url}: {} (connect timeout {} s, transfer timeout {} s)",
        err.message(),
        limits.git_connect_timeout.as_secs(),
        limits.git_timeout.as_secs()
    ))
    .help("check the URL and your network access; raise the limits with --git-connect-timeout and --git-timeout if the server is slow")
}

/// A fresh directory inside the template cache (created if missing) where a
/// clone is made before it is moved into place, so a half-done clone never
/// sits where a finished one is looked for.
fn staging_in(templates: &Path) -> Result<tempfile::TempDir, InputError> {
    std::fs::create_dir_all(templates).map_err(|e| {
        InputError::new(format!(
            "cannot create the template cache {}: {e}",
            templates.display()
        ))
        .help("set TRELLIS_CACHE_DIR to a writable directory")
    })?;
    tempfile::Builder::new()
        .prefix(".clone-")
        .tempdir_in(templates)
        .map_err(|e| InputError::new(format!("cannot create a temporary directory: {e}")))
}
