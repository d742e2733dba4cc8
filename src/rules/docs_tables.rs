//! The rule tables of `docs/*.md`, generated from the registry: each sits
//! between `<!-- rules:begin job=JOB -->` and `<!-- rules:end -->`, and a test
//! fails when one is stale (`UPDATE_DOCS=1 cargo test --lib docs_tables`
//! rewrites them).

use super::{Entry, of_job};
use crate::lint::settings::{PACKS, pack};
use crate::registry::{ByDefault, Job, Need};

const BEGIN: &str = "<!-- rules:begin job=";
const END: &str = "<!-- rules:end -->";

/// One generated table found in a docs file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DocsTable {
    pub(crate) job: Job,
    /// The line of its begin marker, 1-based.
    pub(crate) line: usize,
}

/// The tables `text` marks, in order; an error names the line of a marker
/// that is unknown or left open.
pub(crate) fn docs_tables(text: &str) -> Result<Vec<DocsTable>, String> {
    let mut tables = Vec::new();
    let mut open: Option<DocsTable> = None;
    for (index, line) in text.lines().enumerate() {
        let line_number = index + 1;
        if let Some(rest) = line.trim().strip_prefix(BEGIN) {
            if open.is_some() {
                return Err(format!("line {line_number}: a table begins inside another"));
            }
            let name = rest.trim_end_matches("-->").trim();
            let job = Job::ALL
                .into_iter()
                .find(|j| j.as_str() == name)
                .ok_or_else(|| format!("line {line_number}: unknown job `{name}`"))?;
            open = Some(DocsTable {
                job,
                line: line_number,
            });
        } else if line.trim() == END {
            let table = open
                .take()
                .ok_or_else(|| format!("line {line_number}: `{END}` without a begin marker"))?;
            tables.push(table);
        }
    }
    match open {
        Some(table) => Err(format!("line {}: table is never closed", table.line)),
        None => Ok(tables),
    }
}

/// `text` with every marked table rewritten from the registry.
pub(crate) fn refresh(text: &str) -> Result<String, String> {
    docs_tables(text)?;
    let mut out = String::with_capacity(text.len());
    let mut skipping = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix(BEGIN) {
            out.push_str(line);
            let name = rest.trim_end_matches("-->").trim();
            if let Some(job) = Job::ALL.into_iter().find(|j| j.as_str() == name) {
                out.push_str(&table(job));
            }
            skipping = true;
        } else if trimmed == END {
            out.push_str(line);
            skipping = false;
        } else if !skipping {
            out.push_str(line);
        }
    }
    Ok(out)
}

/// The Markdown table of one job's rules, in registry order.
pub(crate) fn table(job: Job) -> String {
    let (header, row): (&str, fn(&Entry) -> String) = match job {
        Job::Lint => (
            "| rule | default | packs | finds |\n|---|---|---|---|\n",
            lint_row,
        ),
        Job::Contract => (
            "| rule | categories | default | finds |\n|---|---|---|---|\n",
            contract_row,
        ),
        Job::Drift | Job::Score => ("| rule | default | finds |\n|---|---|---|\n", plain_row),
    };
    let mut out = String::from(header);
    for entry in of_job(job) {
        out.push_str(&row(entry));
    }
    out
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The default severity, with what varies and whether it is on at all.
fn default_cell(entry: &Entry) -> String {
    let mut text = entry.default_severity.to_string();
    if let Some(note) = entry.severity_note {
        text.push_str(&format!(" ({note})"));
    }
    if entry.needs.contains(&Need::Upstream) {
        text.push_str(", with `--upstream`");
    }
    match entry.by_default {
        ByDefault::On => text,
        ByDefault::Engine => format!("{text}, always on (raised by the engine)"),
        ByDefault::Off(why) => format!("off: {why}; {text} when on"),
    }
}

fn lint_row(entry: &Entry) -> String {
    let id = entry.id.as_str();
    let packs: Vec<String> = PACKS
        .iter()
        .filter_map(|p| {
            let level = pack(p.name)?.rules.get(id).cloned()?;
            let level = serde_json::to_value(level).ok()?;
            let level = level.as_str().unwrap_or_default().to_string();
            // A pack that re-levels a rule says so; most keep the default.
            Some(if level == entry.default_severity.as_str() {
                p.name.to_string()
            } else {
                format!("{} ({level})", p.name)
            })
        })
        .collect();
    let packs = if packs.is_empty() {
        "none".to_string()
    } else {
        packs.join(", ")
    };
    format!(
        "| `{id}` | {} | {packs} | {} |\n",
        cell(&default_cell(entry)),
        cell(entry.summary)
    )
}

fn contract_row(entry: &Entry) -> String {
    let categories = if !entry.categories.is_empty() {
        let names: Vec<&str> = entry.categories.iter().map(|c| c.id()).collect();
        names.join(" ")
    } else if entry.deprecated {
        "(deprecated, by id only)".to_string()
    } else {
        "none (beyond buf)".to_string()
    };
    format!(
        "| `{}` | {categories} | {} | {} |\n",
        entry.id.as_str(),
        cell(&default_cell(entry)),
        cell(entry.summary)
    )
}

fn plain_row(entry: &Entry) -> String {
    format!(
        "| `{}` | {} | {} |\n",
        entry.id.as_str(),
        cell(&default_cell(entry)),
        cell(entry.summary)
    )
}
