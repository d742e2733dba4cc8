//! install.sh against a release server on 127.0.0.1: the layout GitHub
//! serves (`download/vV/ASSET`, `latest/download/ASSET`), built here with a
//! stand-in binary. `uname` is pinned by a script on PATH so the platform
//! is the same on every machine.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TARGET: &str = "x86_64-unknown-linux-musl";

/// Serves `root` over HTTP/1.1 on 127.0.0.1 until the test ends.
fn serve(root: PathBuf) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let Some((path, _)) = crate::support::read_request(&stream) else {
                continue;
            };
            let (status, body) = match std::fs::read(root.join(path.trim_start_matches('/'))) {
                Ok(body) => ("200 OK", body),
                Err(_) => ("404 Not Found", b"not found".to_vec()),
            };
            crate::support::respond(&mut stream, status, &body);
        }
    });
    base
}

/// A release `version` under `root/download/vVERSION` (and `latest`), with
/// a stand-in trellis that prints its version, and SHA256SUMS; `tamper`
/// writes a wrong checksum.
fn release(root: &Path, version: &str, tamper: bool) {
    let staging = tempfile::tempdir().unwrap();
    let dir = staging.path().join(format!("trellis-{TARGET}"));
    std::fs::create_dir_all(&dir).unwrap();
    let binary = dir.join("trellis");
    std::fs::write(&binary, format!("#!/bin/sh\necho \"trellis {version}\"\n")).unwrap();
    make_executable(&binary);
    let asset = format!("trellis-{TARGET}.tar.gz");
    let archive = staging.path().join(&asset);
    let tar = Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg("-C")
        .arg(staging.path())
        .arg(format!("trellis-{TARGET}"))
        .status()
        .unwrap();
    assert!(tar.success());
    let bytes = std::fs::read(&archive).unwrap();
    let mut digest: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if tamper {
        digest = digest.replace(&digest[..1], if &digest[..1] == "0" { "1" } else { "0" });
    }
    for place in [
        format!("download/v{version}"),
        "latest/download".to_string(),
    ] {
        let out = root.join(place);
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join(&asset), &bytes).unwrap();
        std::fs::write(
            out.join("SHA256SUMS"),
            format!("{digest}  {asset}\n0000  trellis-aarch64-apple-darwin.tar.gz\n"),
        )
        .unwrap();
    }
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A directory with `uname` answering `os`/`arch`, put first on PATH.
fn fake_uname(os: &str, arch: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let uname = dir.path().join("uname");
    std::fs::write(
        &uname,
        format!("#!/bin/sh\ncase \"$1\" in -m) echo {arch} ;; *) echo {os} ;; esac\n"),
    )
    .unwrap();
    make_executable(&uname);
    dir
}

struct Run {
    output: Output,
    home: tempfile::TempDir,
}

impl Run {
    fn installed(&self) -> Option<String> {
        let binary = self.home.path().join(".local/bin/trellis");
        binary
            .exists()
            .then(|| String::from_utf8(Command::new(&binary).output().unwrap().stdout).unwrap())
    }
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
}

fn install(base: &str, uname: (&str, &str), args: &[&str]) -> Run {
    let home = tempfile::tempdir().unwrap();
    let bin = fake_uname(uname.0, uname.1);
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap()
    );
    let output = Command::new("sh")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("install.sh"))
        .args(args)
        .env("HOME", home.path())
        .env("PATH", path)
        .env("TRELLIS_DOWNLOAD_URL", base)
        .output()
        .unwrap();
    Run { output, home }
}

#[test]
fn a_version_and_the_latest_install_after_their_checksum() {
    let root = tempfile::tempdir().unwrap();
    release(root.path(), "0.4.0", false);
    let base = serve(root.path().to_path_buf());
    for args in [&["--version", "0.4.0"][..], &["--version", "v0.4.0"], &[]] {
        let run = install(&base, ("Linux", "x86_64"), args);
        assert_eq!(
            run.output.status.code(),
            Some(0),
            "{args:?}: {}",
            run.stderr()
        );
        assert_eq!(run.installed().as_deref(), Some("trellis 0.4.0\n"));
        let stdout = String::from_utf8_lossy(&run.output.stdout);
        assert!(stdout.contains("installed trellis 0.4.0 into"), "{stdout}");
        assert!(stdout.contains("is not on PATH"), "{stdout}");
    }
}

#[test]
fn a_prefix_installs_into_its_bin() {
    let root = tempfile::tempdir().unwrap();
    release(root.path(), "0.4.0", false);
    let base = serve(root.path().to_path_buf());
    let prefix = tempfile::tempdir().unwrap();
    let prefix_arg = prefix.path().to_str().unwrap();
    let run = install(&base, ("Linux", "amd64"), &["--prefix", prefix_arg]);
    assert_eq!(run.output.status.code(), Some(0), "{}", run.stderr());
    assert!(prefix.path().join("bin/trellis").exists());
    assert!(run.installed().is_none());
}

#[test]
fn a_wrong_checksum_installs_nothing() {
    let root = tempfile::tempdir().unwrap();
    release(root.path(), "0.4.0", true);
    let base = serve(root.path().to_path_buf());
    let run = install(&base, ("Linux", "x86_64"), &["--version", "0.4.0"]);
    assert_eq!(run.output.status.code(), Some(1));
    assert!(
        run.stderr()
            .contains("checksum mismatch for trellis-x86_64-unknown-linux-musl.tar.gz"),
        "{}",
        run.stderr()
    );
    assert!(run.stderr().contains("nothing was installed"));
    assert!(run.installed().is_none());
    assert!(!run.home.path().join(".local/bin").exists());
}

#[test]
fn an_unknown_platform_points_to_a_source_build() {
    let base = serve(tempfile::tempdir().unwrap().keep());
    for (os, arch) in [("Plan9", "x86_64"), ("Linux", "riscv64")] {
        let run = install(&base, (os, arch), &[]);
        assert_eq!(run.output.status.code(), Some(1), "{os}/{arch}");
        assert!(
            run.stderr().contains("no release is built for"),
            "{}",
            run.stderr()
        );
        assert!(run.stderr().contains("--from-source"), "{}", run.stderr());
        assert!(run.installed().is_none());
    }
}

#[test]
fn a_missing_version_says_so() {
    let root = tempfile::tempdir().unwrap();
    release(root.path(), "0.4.0", false);
    let base = serve(root.path().to_path_buf());
    let run = install(&base, ("Linux", "x86_64"), &["--version", "0.3.9"]);
    assert_eq!(run.output.status.code(), Some(1));
    assert!(
        run.stderr()
            .contains("no release 0.3.9 for x86_64-unknown-linux-musl"),
        "{}",
        run.stderr()
    );
    assert!(run.installed().is_none());
}

#[test]
fn a_server_that_is_down_is_an_error_not_a_hang() {
    let port = crate::support::closed_port();
    let run = install(
        &format!("http://127.0.0.1:{port}"),
        ("Linux", "x86_64"),
        &[],
    );
    assert_eq!(run.output.status.code(), Some(1));
    assert!(run.stderr().contains("cannot download"), "{}", run.stderr());
    assert!(run.installed().is_none());
}

#[test]
fn plain_http_is_refused_except_on_this_machine() {
    let run = install(
        "http://releases.example.com/trellis",
        ("Linux", "x86_64"),
        &[],
    );
    assert_eq!(run.output.status.code(), Some(2));
    assert!(
        run.stderr().contains("must be an https:// URL"),
        "{}",
        run.stderr()
    );
}

#[test]
fn bad_arguments_are_exit_2() {
    let run = install(
        "https://example.invalid",
        ("Linux", "x86_64"),
        &["--frobnicate"],
    );
    assert_eq!(run.output.status.code(), Some(2));
    assert!(run.stderr().contains("unknown argument: --frobnicate"));
}
