//! Every report format on one small set of findings, and SARIF against its schema.

use crate::support::history::History;
use crate::support::{stderr_of, stdout_of, trellis, trellis_in};
use trellis::report::{Finding, Format, RenderContext, Report, RuleInfo, Severity, Span};

fn sample() -> (Report, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    crate::support::write_tree(
        dir.path(),
        &[
            (
                "services/order-service/internal/service/order.go",
                "package service\n\nfunc (s *OrderService) Create() {\n\tlog.Printf(\"creating order %d\", id)\n}\n",
            ),
            (
                "services/inventory-service/go.mod",
                "module example.com/shop/inventory\n\ngo 1.22\n\nrequire (\n\tgithub.com/google/uuid v1.5.0\n)\n",
            ),
        ],
    );
    let mut report = Report::new("lint");
    report.rules.push(RuleInfo {
        id: "go-structured-logging".into(),
        job: "lint".into(),
        default_severity: Severity::Error,
        summary: "log.Printf or fmt.Print* in service code".into(),
        docs: "## What\nUnstructured logging.\n\n## Fix\nUse the injected *slog.Logger.".into(),
    });
    report.findings.push(
        Finding::new(
            "go-structured-logging",
            Severity::Error,
            "services/order-service/internal/service/order.go",
            "log.Printf in service code",
            "log.Printf",
        )
        .at(Span {
            line: 4,
            column: 2,
            end_line: 4,
            end_column: 12,
        })
        .service(Some("order-service"))
        .help("log through the injected *slog.Logger"),
    );
    report.findings.push(
        Finding::new(
            "drift-version-mismatch",
            Severity::Warning,
            "services/order-service/go.mod",
            "github.com/google/uuid is required at v1.6.0 here and v1.5.0 in inventory-service",
            "github.com/google/uuid",
        )
        .at_line(6)
        .service(Some("order-service"))
        .note("v1.6.0: order-service")
        .note("v1.5.0: inventory-service")
        .related(
            "services/inventory-service/go.mod",
            Some(Span {
                line: 6,
                column: 2,
                end_line: 6,
                end_column: 31,
            }),
            "v1.5.0 required here",
        ),
    );
    report.findings.push(Finding::new(
        "layout-contract",
        Severity::Info,
        "crates/pricing",
        "pricing has no .proto contract",
        "pricing",
    ));
    report.stats.push(("files analysed".into(), "1".into()));
    report.finish();
    (report, dir)
}

fn render(format: Format) -> String {
    let (report, dir) = sample();
    let ctx = RenderContext {
        root: dir.path().to_path_buf(),
        color: false,
        git_prefix: String::new(),
        describe: trellis::rules::find,
    };
    trellis::report::render(&report, format, &ctx)
}

#[test]
fn text() {
    insta::assert_snapshot!(render(Format::Text));
}

#[test]
fn json() {
    let out = render(Format::Json);
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value["version"], 1);
    assert_eq!(value["summary"]["errors"], 1);
    insta::assert_snapshot!(out);
}

#[test]
fn github() {
    insta::assert_snapshot!(render(Format::Github));
}

#[test]
fn junit() {
    insta::assert_snapshot!(render(Format::Junit));
}

#[test]
fn markdown() {
    insta::assert_snapshot!(render(Format::Markdown));
}

#[test]
fn sarif() {
    insta::assert_snapshot!(render(Format::Sarif));
}

/// The SARIF 2.1.0 schema, from an npm package (the registry is the one
/// source this machine and CI reach); cached under target/.
fn sarif_schema() -> serde_json::Value {
    let cache = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-cache/sarif");
    let schema = cache.join("package/lib/schemas/sarif-2.1.0-rtm.5.json");
    if !schema.is_file() {
        std::fs::create_dir_all(&cache).unwrap();
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg("npm pack --silent @microsoft/jest-sarif@1.0.0-beta.0 >/dev/null && tar xzf microsoft-jest-sarif-1.0.0-beta.0.tgz")
            .current_dir(&cache)
            .status()
            .expect("npm is installed (the SARIF schema comes from the npm registry)");
        assert!(
            status.success(),
            "could not fetch the SARIF schema with npm"
        );
    }
    serde_json::from_str(&std::fs::read_to_string(schema).unwrap()).unwrap()
}

#[test]
fn sarif_is_valid_against_the_2_1_0_schema() {
    let schema = sarif_schema();
    let validator = jsonschema::draft4::new(&schema).expect("schema compiles");
    let instance: serde_json::Value = serde_json::from_str(&render(Format::Sarif)).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );
    // Results point at their rule descriptors and carry fingerprints.
    let run = &instance["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for result in run["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(result["partialFingerprints"]["trellis/v1"].is_string());
    }
}

#[test]
fn fingerprints_do_not_depend_on_lines() {
    let (report, _dir) = sample();
    let moved = report.findings[0].clone().at(Span::point(40, 1));
    assert_eq!(moved.fingerprint, report.findings[0].fingerprint);
}

/// A project in a subdirectory of a bigger git repository, found through its
/// trellis.yaml from a directory inside it or named with `-C`: the CI
/// formats name files from the git root, where CI tools resolve them; text
/// and markdown from the project, as the person typed it.
#[test]
fn ci_formats_name_files_from_the_git_root() {
    let mut history = History::new();
    history
        .fixture_at("shop", "platform/shop")
        .write("platform/shop/trellis.yaml", "version: 1\n")
        .write("README.md", "the bigger repository\n");
    history.commit("shop in a subdirectory");
    let project = history.path().join("platform/shop");
    let file = "services/order-service/internal/service/order.go";
    let in_repo = format!("platform/shop/{file}");
    let lint = |format: &str| {
        let output = trellis_in(&project, &["lint", "--no-cache", "--format", format]);
        assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
        stdout_of(&output)
    };

    let json: serde_json::Value = serde_json::from_str(&lint("json")).unwrap();
    assert_eq!(json["project_dir"], "platform/shop");
    let paths: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&in_repo.as_str()), "{paths:?}");
    assert!(
        paths.iter().all(|p| p.starts_with("platform/shop/")),
        "{paths:?}"
    );

    let sarif: serde_json::Value = serde_json::from_str(&lint("sarif")).unwrap();
    let run = &sarif["runs"][0];
    assert!(run["originalUriBaseIds"]["%SRCROOT%"].is_object());
    let artifacts: Vec<&serde_json::Value> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["locations"][0]["physicalLocation"]["artifactLocation"])
        .collect();
    assert!(artifacts.iter().any(|a| a["uri"] == in_repo.as_str()));
    for artifact in &artifacts {
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
        assert!(
            artifact["uri"]
                .as_str()
                .unwrap()
                .starts_with("platform/shop/"),
            "{artifact}"
        );
    }

    let github = lint("github");
    assert!(
        github.contains(&format!("::error file={in_repo},line=113,")),
        "{github}"
    );
    let gitlab: serde_json::Value = serde_json::from_str(&lint("gitlab")).unwrap();
    let issue = gitlab
        .as_array()
        .unwrap()
        .iter()
        .find(|issue| issue["location"]["lines"]["begin"] == 113)
        .expect("the finding at line 113");
    assert_eq!(issue["location"]["path"], in_repo.as_str(), "{issue}");
    let junit = lint("junit");
    assert!(junit.contains(&format!("name=\"{in_repo}\"")), "{junit}");
    assert!(junit.contains(&format!(">{in_repo}:113:")), "{junit}");

    for format in ["text", "markdown"] {
        let out = lint(format);
        assert!(out.contains(&format!("{file}:113")), "{format}: {out}");
        assert!(!out.contains("platform/shop"), "{format}: {out}");
    }

    // Found from inside the project (its trellis.yaml marks the root) the
    // paths are the same.
    let output = trellis()
        .current_dir(project.join("services"))
        .args(["lint", "--no-cache", "--format", "json"])
        .output()
        .unwrap();
    let discovered: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    assert_eq!(discovered["findings"], json["findings"]);
}
