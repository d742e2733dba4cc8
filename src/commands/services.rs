use super::Context;
use crate::cli::OutputFormat;
use crate::error::exit;
use std::fmt::Write as _;
use std::io::Write;

pub fn run(ctx: &Context) -> anyhow::Result<i32> {
    let format = ctx.format(
        "services",
        &[OutputFormat::Text, OutputFormat::Json],
        OutputFormat::Text,
    )?;
    let repo = ctx.repo_with_services()?;
    let mut out = String::new();
    match format {
        OutputFormat::Json => {
            let document = serde_json::json!({
                "version": 1,
                "root": repo.root.display().to_string(),
                "anchor": repo.anchor,
                "services": repo.services,
            });
            out = serde_json::to_string_pretty(&document)?;
            out.push('\n');
        }
        _ => {
            let rows: Vec<[String; 5]> = repo
                .services
                .iter()
                .map(|s| {
                    [
                        s.name.clone(),
                        s.language.as_str().to_string(),
                        if s.root.is_empty() {
                            ".".into()
                        } else {
                            s.root.clone()
                        },
                        s.module.clone(),
                        s.contracts.len().to_string(),
                    ]
                })
                .collect();
            let header = ["SERVICE", "LANGUAGE", "ROOT", "MODULE", "CONTRACTS"];
            let mut widths = header.map(str::len);
            for row in &rows {
                for (width, cell) in widths.iter_mut().zip(row) {
                    *width = (*width).max(cell.chars().count());
                }
            }
            let mut line = |cells: [&str; 5]| {
                let mut text = String::new();
                for (i, cell) in cells.iter().enumerate() {
                    if i == 4 {
                        let _ = write!(text, "{cell}");
                    } else {
                        let _ = write!(text, "{cell:<width$}  ", width = widths[i]);
                    }
                }
                out.push_str(text.trim_end());
                out.push('\n');
            };
            line(header);
            for row in &rows {
                line([&row[0], &row[1], &row[2], &row[3], &row[4]]);
            }
            if let Some(anchor) = &repo.anchor {
                let _ = writeln!(out, "\ndependency anchor: {anchor}");
            }
        }
    }
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(exit::CLEAN)
}
