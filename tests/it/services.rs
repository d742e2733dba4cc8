use crate::support::{fixture, stderr_of, stdout_of, trellis, write_tree};

#[test]
fn shop_lists_four_services_with_language_and_module() {
    let output = trellis()
        .args(["services", "--format", "json", "-C"])
        .arg(fixture("shop"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    let services = json["services"].as_array().unwrap();
    let summary: Vec<(String, String, String)> = services
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["language"].as_str().unwrap().to_string(),
                s["module"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "inventory-service".into(),
                "go".into(),
                "example.com/shop/services/inventory-service".into()
            ),
            (
                "order-service".into(),
                "go".into(),
                "example.com/shop/services/order-service".into()
            ),
            ("pricing".into(), "rust".into(), "pricing".into()),
            (
                "user-service".into(),
                "go".into(),
                "example.com/shop/services/user-service".into()
            ),
        ]
    );
    assert_eq!(json["anchor"], "go.mod");
    let order = &services[1];
    assert_eq!(order["contracts"][0], "api/order/v1/order.proto");
}

#[test]
fn text_table_names_every_service() {
    let output = trellis()
        .arg("services")
        .arg("-C")
        .arg(fixture("shop"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = stdout_of(&output);
    assert!(text.starts_with("SERVICE"), "{text}");
    for name in [
        "order-service",
        "user-service",
        "inventory-service",
        "pricing",
    ] {
        assert!(text.contains(name), "{name} missing from\n{text}");
    }
}

#[test]
fn a_repository_without_services_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(dir.path(), &[("README.md", "# nothing here\n")]);
    let output = trellis()
        .arg("services")
        .arg("-C")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = stderr_of(&output);
    assert!(err.contains("no services found"), "{err}");
    assert!(err.contains("help:"), "{err}");
}

#[test]
fn a_missing_directory_is_exit_2() {
    let output = trellis()
        .args(["services", "-C", "/nonexistent/trellis/repo"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("/nonexistent/trellis/repo: no such directory"));
}

#[test]
fn an_unsupported_format_is_exit_2() {
    let output = trellis()
        .args(["services", "--format", "sarif", "-C"])
        .arg(fixture("shop"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("use one of: text, json"));
}

#[test]
fn usage_errors_are_exit_2() {
    let output = trellis().arg("no-such-command").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish"] {
        let output = trellis().args(["completions", shell]).output().unwrap();
        assert!(output.status.success());
        assert!(stdout_of(&output).contains("services"), "{shell}");
    }
    let output = trellis().arg("man").output().unwrap();
    assert!(output.status.success());
    assert!(stdout_of(&output).contains(".TH trellis"));
}
