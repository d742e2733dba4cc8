//! Templates are embedded with include_dir: rebuild when they change.
//! The lint cache must not serve results of an older build of the rules, and
//! builds between releases share a version number: a hash of the sources
//! (`TRELLIS_SOURCE_HASH`) goes into the cache key with the version.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=rules");
    let mut files = Vec::new();
    collect(Path::new("src"), &mut files);
    collect(Path::new("rules"), &mut files);
    files.sort();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for file in &files {
        file.hash(&mut hasher);
        std::fs::read(file).unwrap_or_default().hash(&mut hasher);
    }
    println!(
        "cargo:rustc-env=TRELLIS_SOURCE_HASH={:016x}",
        hasher.finish()
    );
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}
