//! The packages that carry trellis to people without Rust stay in step
//! with the crate: the wheel takes its version from Cargo.toml, and the
//! no-Rust pre-commit hook pins that same version of the wheel.

use std::path::Path;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

#[test]
fn the_wheel_and_the_hook_package_carry_the_crate_version() {
    let version = env!("CARGO_PKG_VERSION");
    let wheel: toml::Value = toml::from_str(&read("pyproject.toml")).unwrap();
    assert_eq!(wheel["project"]["name"].as_str(), Some("trellis-cli"));
    assert_eq!(
        wheel["project"]["dynamic"].as_array().unwrap()[0].as_str(),
        Some("version"),
        "the wheel's version must come from Cargo.toml"
    );
    assert_eq!(wheel["tool"]["maturin"]["bindings"].as_str(), Some("bin"));

    let hook: toml::Value = toml::from_str(&read("tools/pre-commit-hook/pyproject.toml")).unwrap();
    assert_eq!(hook["project"]["version"].as_str(), Some(version));
    let dependencies: Vec<&str> = hook["project"]["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d.as_str())
        .collect();
    assert_eq!(dependencies, vec![format!("trellis-cli=={version}")]);
}

#[test]
fn the_no_rust_hooks_match_the_system_hooks() {
    let system: serde_json::Value =
        serde_saphyr::from_str(&read(".pre-commit-hooks.yaml")).unwrap();
    let python: serde_json::Value =
        serde_saphyr::from_str(&read("tools/pre-commit-hook/.pre-commit-hooks.yaml")).unwrap();
    let system = system.as_array().unwrap();
    let python = python.as_array().unwrap();
    assert_eq!(system.len(), python.len());
    for (a, b) in system.iter().zip(python) {
        assert_eq!(b["language"], "python");
        for key in [
            "id",
            "entry",
            "types_or",
            "pass_filenames",
            "require_serial",
        ] {
            assert_eq!(a[key], b[key], "{key} of {}", a["id"]);
        }
    }
}

/// Without a container runtime here, the Dockerfile is checked for what
/// makes the image work: the runtime stage copies the binary the build
/// stage makes (Cargo's [[bin]] name, release profile), runs it as the
/// entrypoint, and the build context leaves out the target directory.
#[test]
fn the_dockerfile_ships_the_binary_its_build_stage_makes() {
    let dockerfile = read("Dockerfile");
    let build = dockerfile
        .lines()
        .find(|line| line.starts_with("RUN cargo build"))
        .expect("a cargo build step");
    assert!(
        build.contains("--release --locked --bin trellis"),
        "{build}"
    );
    assert!(dockerfile.contains("FROM rust:1-alpine AS build"));
    assert!(
        dockerfile.contains("COPY --from=build /src/target/release/trellis /usr/local/bin/trellis")
    );
    assert!(dockerfile.contains("ENTRYPOINT [\"trellis\"]"));
    let manifest: toml::Value = toml::from_str(&read("Cargo.toml")).unwrap();
    assert_eq!(manifest["bin"][0]["name"].as_str(), Some("trellis"));
    let ignored: Vec<String> = read(".dockerignore").lines().map(str::to_string).collect();
    assert!(ignored.iter().any(|line| line == "target"), "{ignored:?}");
}
