//! `--set go_version`: refused below the Go the pinned modules need (versions.yaml
//! `go_min`), written to go.mod and the Dockerfile's image at or above it.
//! CI checks with the real toolchain that `go mod tidy` keeps `go_min`.

use crate::support::scaffolded::scaffold;
use crate::support::{snapshot, stderr_of, stdout_of};

#[test]
fn a_go_version_below_the_pinned_minimum_is_refused_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    for low in ["1.25.4", "1.26"] {
        let out = scaffold(tmp.path(), "old")
            .args(&["--set", &format!("go_version={low}")])
            .output();
        assert_eq!(out.status.code(), Some(2), "{low}: {}", stdout_of(&out));
        let err = stderr_of(&out);
        assert!(
            err.contains(&format!("go_version {low} is older than Go 1.26.0")),
            "{err}"
        );
        assert!(err.contains("google.golang.org/grpc v1.85.0"), "{err}");
        assert!(err.contains("--set go_version=1.26.0 or later"), "{err}");
        assert!(!tmp.path().join("old").exists());
    }
    assert!(snapshot(tmp.path()).keys().all(|p| p.starts_with(".cache")));
}

#[test]
fn a_go_version_at_or_above_the_minimum_is_written_to_go_mod_and_the_image() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, version, image) in [
        ("at-min", "1.26.0", "golang:1.26 "),
        ("patch", "1.26.3", "golang:1.26 "),
        ("newer", "1.27.1", "golang:1.27 "),
    ] {
        scaffold(tmp.path(), name)
            .args(&["--set", &format!("go_version={version}")])
            .create();
        let gomod = std::fs::read_to_string(tmp.path().join(name).join("go.mod")).unwrap();
        assert!(gomod.contains(&format!("\ngo {version}\n")), "{gomod}");
        let dockerfile = std::fs::read_to_string(tmp.path().join(name).join("Dockerfile")).unwrap();
        assert!(
            dockerfile.contains(&format!("FROM {image}AS build")),
            "{dockerfile}"
        );
    }
}
