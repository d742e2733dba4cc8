#![allow(dead_code)]

pub mod history;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// `tests/fixtures/NAME`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The trellis binary, with colour and the user's environment kept out.
pub fn trellis() -> Command {
    let mut cmd = Command::cargo_bin("trellis").expect("binary builds");
    cmd.env("NO_COLOR", "1")
        // No test reads the machine's buf module cache.
        .env(
            "BUF_CACHE_DIR",
            std::env::temp_dir().join("trellis-tests-no-buf-cache"),
        )
        .env_remove("CI")
        .env_remove("TRELLIS_CONFIG")
        // Fixtures used in place sit inside trellis's own checkout (or in
        // none, from a crate tarball): CI formats must not name files from
        // that repository's root, so the git root search stops above them.
        .env("GIT_CEILING_DIRECTORIES", fixture(""));
    cmd
}

/// Writes files (path, content) under `root`, creating directories.
pub fn write_tree(root: &Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
    }
}

/// Copies a directory tree (a fixture) into `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walk(from) {
        let rel = entry.strip_prefix(from).unwrap();
        let dest = to.join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&entry, &dest).unwrap();
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Runs trellis with `-C DIR` and these arguments, and waits for it.
pub fn trellis_in(dir: &Path, args: &[&str]) -> std::process::Output {
    trellis().arg("-C").arg(dir).args(args).output().unwrap()
}

pub fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `trellis services --format json` in `dir`, parsed.
pub fn services_json(dir: &Path) -> serde_json::Value {
    let output = trellis()
        .args(["services", "--format", "json", "-C"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    serde_json::from_str(&stdout_of(&output)).unwrap()
}
