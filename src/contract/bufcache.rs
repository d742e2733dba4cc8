//! buf.yaml `deps` from buf's own module cache: the modules buf.lock pins,
//! as buf stored them the last time it fetched them (`buf dep update`,
//! `buf build`). Nothing is downloaded; a dependency buf has not fetched is
//! left out, and its imports fail with a help that says what to do.

use std::path::{Path, PathBuf};

/// One pinned dependency of buf.lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pin {
    /// `buf.build/owner/module`
    pub(crate) name: String,
    /// The commit id without dashes, as buf.lock writes it.
    pub(crate) commit: String,
    /// The digest type (`b5`), the first directory of the cache's layout.
    pub(crate) digest_type: String,
}

/// The pins of a buf.lock (v2 `name`, or v1 `remote`/`owner`/`repository`).
pub(crate) fn pins(lock: &str) -> Vec<Pin> {
    let Ok(value) = serde_saphyr::from_str::<serde_json::Value>(lock) else {
        return Vec::new();
    };
    let Some(deps) = value.get("deps").and_then(|d| d.as_array()) else {
        return Vec::new();
    };
    deps.iter()
        .filter_map(|dep| {
            let text = |key: &str| dep.get(key).and_then(|v| v.as_str());
            let name = match text("name") {
                Some(name) => name.to_string(),
                None => format!(
                    "{}/{}/{}",
                    text("remote")?,
                    text("owner")?,
                    text("repository")?
                ),
            };
            Some(Pin {
                name,
                commit: text("commit")?.replace('-', ""),
                digest_type: text("digest")
                    .and_then(|d| d.split_once(':'))
                    .map_or_else(|| "b5".to_string(), |(kind, _)| kind.to_string()),
            })
        })
        .collect()
}

/// buf's cache directory: `$BUF_CACHE_DIR`, else `$XDG_CACHE_HOME/buf`, else `~/.cache/buf`.
pub(crate) fn cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("BUF_CACHE_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("buf"));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache").join("buf"))
}

/// The directory holding a pinned module's files in the cache, when buf
/// finished writing it (it writes `module.yaml` last).
pub(crate) fn module_files(cache: &Path, pin: &Pin) -> Option<PathBuf> {
    let mut parts = pin.name.splitn(3, '/');
    let (registry, owner, module) = (parts.next()?, parts.next()?, parts.next()?);
    let modules = cache.join("v3").join("modules");
    // The lock's digest type first; a cache written with another one still holds the files.
    let mut kinds = vec![pin.digest_type.clone()];
    if let Ok(entries) = std::fs::read_dir(&modules) {
        for entry in entries.flatten() {
            let kind = entry.file_name().to_string_lossy().into_owned();
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
    }
    kinds.into_iter().find_map(|kind| {
        let dir = modules
            .join(kind)
            .join(registry)
            .join(owner)
            .join(module)
            .join(&pin.commit);
        dir.join("module.yaml")
            .is_file()
            .then(|| dir.join("files"))
            .filter(|files| files.is_dir())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_and_v2_locks_give_their_pins() {
        let v2 = "version: v2\ndeps:\n  - name: buf.build/acme/money\n    commit: 0123456789abcdef0123456789abcdef\n    digest: b5:ffff\n";
        assert_eq!(
            pins(v2),
            vec![Pin {
                name: "buf.build/acme/money".into(),
                commit: "0123456789abcdef0123456789abcdef".into(),
                digest_type: "b5".into(),
            }]
        );
        let v1 = "version: v1\ndeps:\n  - remote: buf.build\n    owner: acme\n    repository: money\n    commit: 01234567-89ab-cdef-0123-456789abcdef\n    digest: shake256:aaaa\n";
        assert_eq!(pins(v1)[0].name, "buf.build/acme/money");
        assert_eq!(pins(v1)[0].commit, "0123456789abcdef0123456789abcdef");
        assert_eq!(pins(v1)[0].digest_type, "shake256");
        assert!(pins("version: v2\n").is_empty());
    }

    #[test]
    fn a_module_counts_once_buf_finished_writing_it() {
        let cache = tempfile::tempdir().unwrap();
        let pin = Pin {
            name: "buf.build/acme/money".into(),
            commit: "0123456789abcdef0123456789abcdef".into(),
            digest_type: "b5".into(),
        };
        let dir = cache
            .path()
            .join("v3/modules/b5/buf.build/acme/money/0123456789abcdef0123456789abcdef");
        std::fs::create_dir_all(dir.join("files/acme")).unwrap();
        assert_eq!(module_files(cache.path(), &pin), None);
        std::fs::write(dir.join("module.yaml"), "version: v1\n").unwrap();
        assert_eq!(module_files(cache.path(), &pin), Some(dir.join("files")));
    }
}
