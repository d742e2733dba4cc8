#![allow(dead_code)]

pub mod history;
pub mod scaffolded;

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

/// Every file under `root` with its bytes, to prove that nothing changed
/// (empty when `root` does not exist).
pub fn snapshot(root: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    if !root.exists() {
        return Default::default();
    }
    walk(root)
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            (path.strip_prefix(root).unwrap().to_path_buf(), bytes)
        })
        .collect()
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

/// Asserts that a run was refused as bad input (exit 2) with an error that
/// says `needle`; the error.
pub fn refused(out: &std::process::Output, needle: &str) -> String {
    let err = stderr_of(out);
    assert_eq!(out.status.code(), Some(2), "{}{err}", stdout_of(out));
    assert!(err.contains(needle), "{needle}: {err}");
    err
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

/// One HTTP/1.1 request read off a test server's connection: its path and
/// its headers (names as sent). `None` when the client sent nothing.
pub fn read_request(stream: &std::net::TcpStream) -> Option<(String, Vec<(String, String)>)> {
    use std::io::{BufRead, BufReader};
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header.trim().is_empty() => break,
            Ok(_) => {
                if let Some((name, value)) = header.split_once(':') {
                    headers.push((name.trim().to_string(), value.trim().to_string()));
                }
            }
        }
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    Some((path.to_string(), headers))
}

/// A whole response with its length; the connection closes after it.
pub fn respond(stream: &mut std::net::TcpStream, status: &str, body: &[u8]) {
    use std::io::Write;
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

/// A port nothing listens on: bound, then released, so connections are refused.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}
