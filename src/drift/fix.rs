//! `trellis drift --fix`: applies the edits drift's findings carry (each
//! lagging `require` moved to the version the services align on, or into
//! the anchor's range), then `go mod tidy` in every touched module. The
//! findings come after `rules:` and `exceptions:`, so an excepted module or
//! service is left alone by construction.

use crate::error::InputError;
use crate::report::{Edit, Finding, Severity};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The rules whose fixes `--fix` applies: require lines only, which
/// `go mod tidy` then completes. Other fixes stay suggestions. First wins
/// where two rewrite one place: the anchor is policy, alignment a default.
const APPLIED: &[&str] = &[
    crate::drift::checks::anchor::ID,
    crate::drift::checks::version_mismatch::ID,
];

/// A go.mod larger than this is not a go.mod a person wrote.
const MAX_MANIFEST_BYTES: u64 = 4 << 20;

/// One manifest's text before and after the edits.
#[derive(Debug)]
pub(crate) struct FileChange {
    /// Relative to the project root, `/`-separated.
    pub(crate) path: String,
    pub(crate) before: String,
    pub(crate) after: String,
    /// What changed, for people: `github.com/google/uuid v1.5.0 -> v1.6.0`.
    pub(crate) summary: Vec<String>,
}

/// Every manifest the fixes touch.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub(crate) changes: Vec<FileChange>,
    /// Edits left out because another fix already rewrites that place
    /// differently: the first one wins, the next run shows what is left.
    pub(crate) conflicts: Vec<String>,
    /// Fixable findings below the level asked for, left as they are.
    pub(crate) below_level: usize,
}

/// What `go mod tidy` did in one touched module.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Tidy {
    Ran,
    /// Go is not on PATH: the manifest is rewritten and the command printed.
    NotRun,
    /// Tidy failed or timed out: go.mod and go.sum are as they were.
    FailedAndRestored(String),
}

#[derive(Debug)]
pub(crate) struct ModuleOutcome {
    pub(crate) manifest: String,
    pub(crate) summary: Vec<String>,
    pub(crate) tidy: Tidy,
}

/// The edits of the fixable findings at `min_level` and above, grouped per
/// manifest and applied to its text in memory. Below it are mostly
/// `// indirect` requirements, which `go mod tidy` settles by itself: fixing
/// them by default turned a dry run on a real monorepo into 130 go.mod files.
pub(crate) fn plan(
    root: &Path,
    findings: &[Finding],
    min_level: Severity,
) -> Result<Plan, InputError> {
    let mut by_file: BTreeMap<&str, Vec<(usize, &Edit)>> = BTreeMap::new();
    let mut below_level = 0;
    for finding in findings {
        let Some(priority) = APPLIED.iter().position(|rule| *rule == finding.rule) else {
            continue;
        };
        if finding.severity < min_level {
            below_level += usize::from(finding.fix.is_some());
            continue;
        }
        for edit in finding.fix.iter().flat_map(|fix| &fix.edits) {
            by_file
                .entry(edit.path.as_str())
                .or_default()
                .push((priority, edit));
        }
    }
    let mut plan = Plan {
        below_level,
        ..Plan::default()
    };
    for (path, mut edits) in by_file {
        edits.sort_by_key(|(priority, edit)| (edit.span.line, edit.span.column, *priority));
        let mut kept: Vec<&Edit> = Vec::new();
        for (_, edit) in edits {
            if kept.last() == Some(&edit) {
                continue;
            }
            match kept.last() {
                Some(last) if overlaps(last, edit) => plan.conflicts.push(format!(
                    "{path}:{}: `{}` left out: another fix already rewrites it to `{}`",
                    edit.span.line, edit.replacement, last.replacement
                )),
                _ => kept.push(edit),
            }
        }
        let before = read_manifest(&root.join(path), path)?;
        let (after, summary) = apply_edits(&before, &kept, path)?;
        if after != before {
            plan.changes.push(FileChange {
                path: path.to_string(),
                before,
                after,
                summary,
            });
        }
    }
    Ok(plan)
}

fn overlaps(earlier: &Edit, later: &Edit) -> bool {
    earlier.span.line == later.span.line && later.span.column < earlier.span.end_column
}

fn read_manifest(path: &Path, shown: &str) -> Result<String, InputError> {
    use std::io::Read;
    let file = std::fs::File::open(path)
        .map_err(|e| InputError::new(format!("cannot read {shown}: {e}")))?;
    let mut text = String::new();
    file.take(MAX_MANIFEST_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| InputError::new(format!("cannot read {shown}: {e}")))?;
    if text.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(InputError::new(format!(
            "{shown} is larger than {} MiB; not rewriting it",
            MAX_MANIFEST_BYTES >> 20
        )));
    }
    Ok(text)
}

/// Replaces each edit's span (1-based character columns on one line, as
/// the go.mod lexer gives them), last first so earlier offsets hold.
fn apply_edits(
    text: &str,
    edits: &[&Edit],
    shown: &str,
) -> Result<(String, Vec<String>), InputError> {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(at, _)| at + 1))
        .collect();
    let offset = |line: u32, column: u32| -> Option<usize> {
        let start = *line_starts.get(line.checked_sub(1)? as usize)?;
        let line_text = text[start..].split('\n').next()?;
        let column = column.checked_sub(1)? as usize;
        match line_text.char_indices().nth(column) {
            Some((at, _)) => Some(start + at),
            None if column == line_text.chars().count() => Some(start + line_text.len()),
            None => None,
        }
    };
    let mut out = text.to_string();
    let mut summary = Vec::new();
    for edit in edits.iter().rev() {
        let span = edit.span;
        let (Some(from), Some(to)) = (
            offset(span.line, span.column),
            offset(span.end_line, span.end_column),
        ) else {
            return Err(InputError::new(format!(
                "{shown}:{}: the file changed since drift read it; run `trellis drift --fix` again",
                span.line
            )));
        };
        let old = &text[from..to];
        let module = text[line_starts[span.line as usize - 1]..from]
            .split_whitespace()
            .last()
            .unwrap_or_default();
        summary.push(format!("{module} {old} -> {}", edit.replacement));
        out.replace_range(from..to, &edit.replacement);
    }
    summary.reverse();
    Ok((out, summary))
}

/// The plan as a unified diff (`--dry-run`), paths as git prints them.
pub(crate) fn diff(plan: &Plan) -> String {
    let mut out = String::new();
    for change in &plan.changes {
        let diff = similar::TextDiff::from_lines(&change.before, &change.after);
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{}", change.path), &format!("b/{}", change.path))
                .to_string(),
        );
    }
    out
}

/// Writes every changed manifest, then tidies its module; a module whose
/// tidy fails gets its go.mod and go.sum back as they were.
pub(crate) fn apply(
    root: &Path,
    plan: Plan,
    tidy_timeout: Duration,
) -> std::io::Result<Vec<ModuleOutcome>> {
    let go = crate::fsutil::on_path("go");
    let mut outcomes = Vec::new();
    for change in plan.changes {
        let manifest = root.join(&change.path);
        let dir = manifest.parent().unwrap_or(root).to_path_buf();
        let sum = dir.join("go.sum");
        let old_sum = std::fs::read(&sum).ok();
        crate::fsutil::write_atomic(&manifest, change.after.as_bytes())?;
        let tidy = match &go {
            None => Tidy::NotRun,
            Some(go) => match tidy_module(go, &dir, tidy_timeout) {
                Ok(()) => Tidy::Ran,
                Err(reason) => {
                    crate::fsutil::write_atomic(&manifest, change.before.as_bytes())?;
                    match &old_sum {
                        Some(bytes) => crate::fsutil::write_atomic(&sum, bytes)?,
                        None if sum.exists() => std::fs::remove_file(&sum)?,
                        None => {}
                    }
                    Tidy::FailedAndRestored(reason)
                }
            },
        };
        outcomes.push(ModuleOutcome {
            manifest: change.path,
            summary: change.summary,
            tidy,
        });
    }
    Ok(outcomes)
}

/// `go mod tidy` in `dir`, killed after `timeout` (it may download).
fn tidy_module(go: &Path, dir: &Path, timeout: Duration) -> Result<(), String> {
    let mut command = Command::new(go);
    command.args(["mod", "tidy"]).current_dir(dir);
    match crate::process::run_bounded(command, timeout) {
        Ok(done) if done.status.success() => Ok(()),
        Ok(done) => {
            let last: Vec<&str> = done.stderr.lines().rev().take(5).collect();
            let detail: Vec<&str> = last.into_iter().rev().collect();
            Err(format!(
                "`go mod tidy` failed ({}): {}",
                done.status,
                detail.join(" / ")
            ))
        }
        Err(crate::process::RunError::TimedOut(_)) => Err(format!(
            "`go mod tidy` did not finish in {} s (--tidy-timeout)",
            timeout.as_secs()
        )),
        Err(e) => Err(format!("cannot run go: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Span;

    fn edit(line: u32, column: u32, end_column: u32, replacement: &str) -> Edit {
        Edit::new(
            "go.mod",
            Span {
                line,
                column,
                end_line: line,
                end_column,
            },
            replacement,
        )
    }

    #[test]
    fn edits_replace_versions_and_keep_everything_else() {
        let text = "module a\n\nrequire (\n\tgithub.com/google/uuid v1.5.0 // pinned for now\n\tgolang.org/x/net v0.1.0\n)\n";
        let uuid = edit(4, 25, 31, "v1.6.0");
        let net = edit(5, 19, 25, "v0.2.0");
        let (after, summary) = apply_edits(text, &[&uuid, &net], "go.mod").unwrap();
        assert_eq!(
            after,
            "module a\n\nrequire (\n\tgithub.com/google/uuid v1.6.0 // pinned for now\n\tgolang.org/x/net v0.2.0\n)\n"
        );
        assert_eq!(
            summary,
            vec![
                "github.com/google/uuid v1.5.0 -> v1.6.0",
                "golang.org/x/net v0.1.0 -> v0.2.0"
            ]
        );
    }

    #[test]
    fn an_edit_past_the_line_is_refused_not_guessed() {
        let err = apply_edits("module a\n", &[&edit(3, 1, 4, "x")], "go.mod").unwrap_err();
        assert!(
            err.to_string().contains("changed since drift read it"),
            "{err}"
        );
    }

    #[test]
    fn the_diff_is_unified_with_git_paths() {
        let plan = Plan {
            changes: vec![FileChange {
                path: "services/a/go.mod".into(),
                before: "module a\nrequire x v1.0.0\n".into(),
                after: "module a\nrequire x v1.1.0\n".into(),
                summary: vec![],
            }],
            conflicts: vec![],
            below_level: 0,
        };
        let diff = diff(&plan);
        assert!(
            diff.starts_with("--- a/services/a/go.mod\n+++ b/services/a/go.mod\n"),
            "{diff}"
        );
        assert!(
            diff.contains("-require x v1.0.0\n+require x v1.1.0\n"),
            "{diff}"
        );
    }
}
