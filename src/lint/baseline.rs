//! Baselines for legacy repositories: today's findings by fingerprint (no line
//! numbers), hidden on later runs; entries that match nothing are reported so
//! the file only shrinks.

use crate::error::InputError;
use crate::report::{Finding, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Baseline {
    pub(crate) version: u32,
    pub(crate) entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Entry {
    pub(crate) fingerprint: String,
    pub(crate) rule: String,
    pub(crate) path: String,
    /// How many findings share the fingerprint (the same call twice in a file).
    pub(crate) count: usize,
    /// For people reading the file; not used to match.
    pub(crate) message: String,
}

impl Baseline {
    pub(crate) fn from_findings(findings: &[Finding]) -> Baseline {
        let mut entries: BTreeMap<(String, String, String), Entry> = BTreeMap::new();
        for f in findings {
            let key = (f.path.clone(), f.rule.clone(), f.fingerprint.clone());
            entries
                .entry(key)
                .and_modify(|e| e.count += 1)
                .or_insert_with(|| Entry {
                    fingerprint: f.fingerprint.clone(),
                    rule: f.rule.clone(),
                    path: f.path.clone(),
                    count: 1,
                    message: f.message.clone(),
                });
        }
        Baseline {
            version: 1,
            entries: entries.into_values().collect(),
        }
    }

    pub(crate) fn read(path: &Path) -> Result<Baseline, InputError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            InputError::new(format!("cannot read the baseline: {e}"))
                .in_file(path)
                .help("write one first with `trellis lint --baseline-write FILE`")
        })?;
        let baseline: Baseline = serde_json::from_str(&text).map_err(|e| {
            InputError::new(format!("the baseline is not valid: {e}"))
                .in_file(path)
                .at(e.line() as u32, e.column() as u32)
                .with_source(text.clone())
                .help("re-write it with `trellis lint --baseline-write FILE`")
        })?;
        if baseline.version != 1 {
            return Err(InputError::new(format!(
                "unsupported baseline version {}",
                baseline.version
            ))
            .in_file(path)
            .help("re-write it with this trellis: `trellis lint --baseline-write FILE`"));
        }
        Ok(baseline)
    }

    pub(crate) fn write(&self, path: &Path) -> Result<(), InputError> {
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| InputError::new(format!("cannot encode the baseline: {e}")))?;
        text.push('\n');
        crate::fsutil::write_atomic(path, text.as_bytes()).map_err(|e| {
            InputError::new(format!("cannot write the baseline: {e}"))
                .in_file(path)
                .help("check that the directory exists and is writable")
        })
    }

    /// Hides baselined findings; adds a `baseline-stale` finding per entry that
    /// matched fewer findings than it records. `selected` limits staleness to
    /// the files linted in this run.
    pub(crate) fn apply(
        &self,
        findings: Vec<Finding>,
        baseline_path: &str,
        stale_severity: Option<Severity>,
        selected: &dyn Fn(&str) -> bool,
    ) -> (Vec<Finding>, usize) {
        let mut remaining: BTreeMap<&str, usize> = BTreeMap::new();
        for e in &self.entries {
            *remaining.entry(&e.fingerprint).or_default() += e.count;
        }
        let mut hidden = 0;
        let mut kept = Vec::new();
        for f in findings {
            match remaining.get_mut(f.fingerprint.as_str()) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    hidden += 1;
                }
                _ => kept.push(f),
            }
        }
        if let Some(severity) = stale_severity {
            for e in &self.entries {
                let left = remaining.get(e.fingerprint.as_str()).copied().unwrap_or(0);
                if left == 0 || !selected(&e.path) {
                    continue;
                }
                if let Some(n) = remaining.get_mut(e.fingerprint.as_str()) {
                    *n = 0;
                }
                kept.push(
                    Finding::new(
                        "baseline-stale",
                        severity,
                        baseline_path,
                        format!(
                            "{left} baseline {} for {} in {} match{} nothing now",
                            if left == 1 { "entry" } else { "entries" },
                            e.rule,
                            e.path,
                            if left == 1 { "es" } else { "" }
                        ),
                        &e.fingerprint,
                    )
                    .help("re-write the baseline with --baseline-write so it shrinks"),
                );
            }
        }
        (kept, hidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_counted_findings_and_reports_stale_entries() {
        let f = |key: &str| {
            Finding::new("go-init-func", Severity::Warning, "a.go", "m", key).at_line(3)
        };
        let baseline = Baseline::from_findings(&[f("x"), f("x"), f("gone")]);
        assert_eq!(baseline.entries.len(), 2);
        let (kept, hidden) = baseline.apply(
            vec![f("x"), f("x"), f("x"), f("new")],
            "b.json",
            Some(Severity::Info),
            &|_| true,
        );
        assert_eq!(hidden, 2);
        let rules: Vec<&str> = kept.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(
            rules,
            vec!["go-init-func", "go-init-func", "baseline-stale"]
        );
    }
}
