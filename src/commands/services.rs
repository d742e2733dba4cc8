use super::Context;
use crate::cli::OutputFormat;
use crate::error::exit;
use crate::lint::LintConfig;
use crate::repo::programs::{ProgramKind, Programs};
use std::fmt::Write as _;

pub(crate) fn run(ctx: &Context) -> anyhow::Result<i32> {
    let format = ctx.format(
        "services",
        &[OutputFormat::Text, OutputFormat::Json],
        OutputFormat::Text,
    )?;
    let repo = ctx.repo_with_services()?;
    let programs = crate::lint::go_programs(&repo);
    let lint = &ctx.config().lint;
    let out = match format {
        OutputFormat::Json => {
            let document = serde_json::json!({
                "version": 1,
                "root": repo.root.display().to_string(),
                "anchor": repo.anchor,
                "services": repo.services,
                "libraries": repo.libraries,
                "skipped_modules": repo.skipped_modules,
                "duplicate_modules": repo.duplicate_modules,
                "not_analysed": repo.foreign,
                "layouts": layouts(&repo, lint),
                "applications": applications(&repo, lint)
                    .into_iter()
                    .map(|(service, dir, layout)| serde_json::json!({
                        "service": service,
                        "dir": dir,
                        "layout": layout,
                    }))
                    .collect::<Vec<_>>(),
                "programs": programs_json(&programs),
            });
            let mut out = serde_json::to_string_pretty(&document)?;
            out.push('\n');
            out
        }
        _ => text(&repo, lint, &programs),
    };
    super::output::print(&out)?;
    Ok(exit::CLEAN)
}

/// The layer table `arch-layer` checks each Go service against (`null`:
/// none, the service is not checked).
fn layouts<'r>(
    repo: &'r crate::repo::Repo,
    lint: &LintConfig,
) -> std::collections::BTreeMap<&'r str, Option<String>> {
    repo.services
        .iter()
        .filter(|s| s.language == crate::repo::Language::Go)
        .map(|s| (s.name.as_str(), layout_of(lint, repo, s)))
        .collect()
}

fn layout_of(
    lint: &LintConfig,
    repo: &crate::repo::Repo,
    service: &crate::repo::Service,
) -> Option<String> {
    crate::lint::layout::name_for(lint, &repo.root.join(&service.root))
}

/// (service, directory, layout) of each application nested in a Go service
/// whose root follows no layout, when no layout is configured: what
/// `arch-layer` checks there instead.
fn applications<'r>(
    repo: &'r crate::repo::Repo,
    lint: &LintConfig,
) -> Vec<(&'r str, String, &'static str)> {
    if !lint.components.is_empty() || lint.layout.is_some() {
        return Vec::new();
    }
    let unlaid: Vec<&crate::repo::Service> = repo
        .services
        .iter()
        .filter(|s| s.language == crate::repo::Language::Go)
        .filter(|s| layout_of(lint, repo, s).is_none())
        .collect();
    if unlaid.is_empty() {
        return Vec::new();
    }
    // One pass over the files, each to its service.
    let mut files_of: std::collections::HashMap<&str, Vec<&str>> = Default::default();
    for path in &repo.files {
        if let Some(service) = repo.service_for(path) {
            files_of
                .entry(service.name.as_str())
                .or_default()
                .push(path);
        }
    }
    let mut out = Vec::new();
    for service in unlaid {
        let files = files_of
            .get(service.name.as_str())
            .into_iter()
            .flatten()
            .copied();
        let found = crate::lint::layout::nested_applications(&repo.root, &service.root, files);
        out.extend(
            found
                .into_iter()
                .map(|(dir, layout)| (service.name.as_str(), dir, layout)),
        );
    }
    out
}

fn applications_text(applications: &[(&str, String, &'static str)], out: &mut String) {
    if applications.is_empty() {
        return;
    }
    let rows: Vec<[String; 3]> = applications
        .iter()
        .map(|(service, dir, layout)| [service.to_string(), dir.clone(), layout.to_string()])
        .collect();
    let _ = writeln!(
        out,
        "\nNested applications (arch-layer checks each against its layout):"
    );
    for line in table(["SERVICE", "DIRECTORY", "LAYOUT"], &rows).lines() {
        let _ = writeln!(out, "  {line}");
    }
}

/// Each Go program with its kind and why (`go-structured-logging` checks
/// services and leaves command-line tools alone).
fn programs_json(programs: &Programs) -> Vec<serde_json::Value> {
    programs
        .programs
        .iter()
        .map(|p| {
            let mut value = serde_json::to_value(p).unwrap_or_default();
            value["reason"] = p.reason().into();
            value
        })
        .collect()
}

fn programs_text(programs: &Programs, out: &mut String) {
    if programs.programs.is_empty() {
        return;
    }
    let rows: Vec<[String; 3]> = programs
        .programs
        .iter()
        .map(|p| {
            let kind = match p.kind {
                ProgramKind::Service => "service",
                ProgramKind::Tool => "tool",
            };
            let dir = if p.dir.is_empty() { "." } else { &p.dir };
            [dir.to_string(), kind.to_string(), p.reason()]
        })
        .collect();
    let _ = writeln!(
        out,
        "\nGo programs (go-structured-logging checks services and workers, not command-line tools):"
    );
    for line in table(["PROGRAM", "KIND", "WHY"], &rows).lines() {
        let _ = writeln!(out, "  {line}");
    }
}

fn text(repo: &crate::repo::Repo, lint: &LintConfig, programs: &Programs) -> String {
    let nested = applications(repo, lint);
    let mut rows: Vec<[String; 7]> = repo
        .services
        .iter()
        .chain(&repo.libraries)
        .map(|s| {
            let layout = match (s.kind, s.language) {
                (crate::repo::Kind::Service, crate::repo::Language::Go) => {
                    match layout_of(lint, repo, s) {
                        Some(layout) => layout,
                        None if nested.iter().any(|(service, ..)| *service == s.name) => {
                            "nested (below)".to_string()
                        }
                        None => "none".to_string(),
                    }
                }
                _ => "-".to_string(),
            };
            [
                s.name.clone(),
                s.kind.as_str().to_string(),
                s.language.as_str().to_string(),
                if s.root.is_empty() {
                    ".".into()
                } else {
                    s.root.clone()
                },
                s.module.clone(),
                s.contracts.len().to_string(),
                layout,
            ]
        })
        .collect();
    rows.extend(repo.foreign.iter().map(|p| {
        [
            file_name(&p.root, &repo.root),
            "not analysed".to_string(),
            p.language.to_string(),
            if p.root.is_empty() {
                ".".into()
            } else {
                p.root.clone()
            },
            p.manifest.clone(),
            "-".to_string(),
            "-".to_string(),
        ]
    }));
    let mut out = table(
        [
            "SERVICE",
            "KIND",
            "LANGUAGE",
            "ROOT",
            "MODULE",
            "CONTRACTS",
            "LAYOUT",
        ],
        &rows,
    );
    applications_text(&nested, &mut out);
    programs_text(programs, &mut out);
    if let Some(anchor) = &repo.anchor {
        let _ = writeln!(out, "\ndependency anchor: {anchor}");
    }
    for duplicate in &repo.duplicate_modules {
        let _ = writeln!(
            out,
            "\nmodule {} is declared by {} go.mod files: {} (imports from elsewhere resolve to the first)",
            duplicate.path,
            duplicate.manifests.len(),
            duplicate.manifests.join(", ")
        );
    }
    if !repo.skipped_modules.is_empty() {
        let _ = writeln!(
            out,
            "\n{} go.mod file(s) not analysed, as the Go toolchain does not build them:",
            repo.skipped_modules.len()
        );
        for skipped in &repo.skipped_modules {
            let _ = writeln!(out, "  {}: {}", skipped.manifest, skipped.reason);
        }
    }
    out
}

/// The directory's name, or the repository's for the root.
fn file_name(root: &str, repo_root: &std::path::Path) -> String {
    if root.is_empty() {
        repo_root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| ".".into())
    } else {
        root.rsplit('/').next().unwrap_or(root).to_string()
    }
}

/// Left-aligned columns, two spaces apart, the last one unpadded.
fn table<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
    let mut widths = header.map(str::len);
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: [&str; N]| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i == N - 1 {
                let _ = write!(text, "{cell}");
            } else {
                let _ = write!(text, "{cell:<width$}  ", width = widths[i]);
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(header);
    for row in rows {
        line(row.each_ref().map(String::as_str));
    }
    out
}
