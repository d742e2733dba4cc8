//! The GitHub Action (action.yml): its inputs and steps, and its check step
//! (.github/action/check.sh) run as GitHub runs it, with the runner's files
//! (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP) in a temp dir and the
//! trellis under test on PATH.

use crate::support::history::History;
use std::path::Path;
use std::process::Command;

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

struct Step {
    code: Option<i32>,
    stdout: String,
    outputs: String,
    summary: String,
    runner_temp: tempfile::TempDir,
}

fn run_check_step(project: &Path, env: &[(&str, &str)]) -> Step {
    let runner_temp = tempfile::tempdir().unwrap();
    let outputs = runner_temp.path().join("github_output");
    let summary = runner_temp.path().join("step_summary");
    std::fs::write(&outputs, "").unwrap();
    std::fs::write(&summary, "").unwrap();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_trellis")).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap());
    let mut command = Command::new("bash");
    command
        .arg(repo_root().join(".github/action/check.sh"))
        .current_dir(project)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("RUNNER_TEMP", runner_temp.path())
        .env_remove("TRELLIS_CONFIG");
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().unwrap();
    Step {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        outputs: std::fs::read_to_string(&outputs).unwrap(),
        summary: std::fs::read_to_string(&summary).unwrap(),
        runner_temp,
    }
}

fn shop() -> History {
    let mut history = History::new();
    history.fixture("shop").commit("shop");
    history
}

#[test]
fn the_check_step_annotates_records_the_gate_and_writes_sarif_and_summary() {
    let history = shop();
    let step = run_check_step(
        history.path(),
        &[
            ("TRELLIS_SARIF", "true"),
            ("TRELLIS_SUMMARY", "true"),
            ("TRELLIS_ARGS", ""),
        ],
    );
    // The step itself never fails: the action's last step gates.
    assert_eq!(step.code, Some(0), "{}", step.stdout);
    assert!(
        step.stdout.contains("::error file=services/"),
        "{}",
        step.stdout
    );
    assert!(step.outputs.contains("exit-code=1\n"), "{}", step.outputs);
    let sarif_path = step.runner_temp.path().join("trellis.sarif");
    assert!(
        step.outputs
            .contains(&format!("sarif={}\n", sarif_path.display())),
        "{}",
        step.outputs
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
    assert!(step.summary.starts_with("## trellis\n"), "{}", step.summary);
    assert!(
        step.summary.contains("findings; see the annotations"),
        "{}",
        step.summary
    );
    // The scorecard in Markdown: a table with the fixture's services.
    assert!(step.summary.contains("order-service"), "{}", step.summary);
    assert!(step.summary.contains("| "), "{}", step.summary);
}

#[test]
fn args_reach_trellis_and_a_clean_gate_records_zero() {
    let history = shop();
    let step = run_check_step(
        history.path(),
        &[
            (
                "TRELLIS_ARGS",
                "--skip lint --skip contract --fail-on error",
            ),
            ("TRELLIS_SARIF", "false"),
            ("TRELLIS_SUMMARY", "false"),
        ],
    );
    assert_eq!(step.code, Some(0));
    // drift alone: the uuid mismatch is a warning, so the gate passes.
    assert!(
        step.stdout
            .contains("::warning file=services/inventory-service/go.mod"),
        "{}",
        step.stdout
    );
    assert!(!step.stdout.contains("::error"), "{}", step.stdout);
    assert_eq!(step.outputs, "exit-code=0\n");
    assert_eq!(step.summary, "");
}

#[test]
fn an_input_error_is_recorded_not_hidden() {
    let empty = tempfile::tempdir().unwrap();
    let step = run_check_step(empty.path(), &[("TRELLIS_SUMMARY", "true")]);
    assert_eq!(step.code, Some(0));
    assert!(step.outputs.contains("exit-code=2\n"), "{}", step.outputs);
    assert!(
        step.summary.contains("could not run (exit 2)"),
        "{}",
        step.summary
    );
    assert!(step.summary.contains("no scorecard"), "{}", step.summary);
}

/// action.yml declares the inputs the docs name, installs with install.sh
/// from the action's own checkout, and gates on the recorded exit code.
#[test]
fn the_action_wires_its_inputs_to_its_steps() {
    let text = std::fs::read_to_string(repo_root().join("action.yml")).unwrap();
    let action: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    for input in ["version", "args", "working-directory", "sarif", "summary"] {
        assert!(
            action["inputs"][input]["description"].is_string(),
            "{input}"
        );
    }
    assert_eq!(action["runs"]["using"], "composite");
    let steps = action["runs"]["steps"].as_array().unwrap();
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(
        runs[0].contains("sh \"$GITHUB_ACTION_PATH/install.sh\" --version \"$TRELLIS_VERSION\"")
    );
    assert!(runs[1].contains(".github/action/check.sh"));
    assert!(runs[2].contains("exit 1"));
    assert_eq!(steps[1]["id"], "check");
    assert_eq!(steps[1]["env"]["TRELLIS_ARGS"], "${{ inputs.args }}");
    assert_eq!(steps[2]["uses"], "github/codeql-action/upload-sarif@v3");
    assert_eq!(
        steps[3]["env"]["TRELLIS_EXIT"],
        "${{ steps.check.outputs.exit-code }}"
    );
}
