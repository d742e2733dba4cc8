//! Who a breaking change breaks: the services of the repository whose Go
//! code imports the package generated from the changed file (its
//! `go_package`), the Rust services that generate code from it, and the
//! other .proto files that import it. buf says what broke; a reviewer also
//! wants to know who has to follow.

use super::compare::{Comparison, ContractFinding};
use super::source::scan_header;
use crate::repo::Repo;
use crate::report::{Finding, Span};
use std::collections::{BTreeMap, BTreeSet};

/// One place that uses a contract file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Use {
    /// The consuming service, or the importing .proto file.
    who: String,
    path: String,
    span: Option<Span>,
    label: String,
}

/// The consumers of every file a comparison reports on, by repository path.
#[derive(Debug, Default)]
pub(crate) struct Consumers {
    /// Whether the repository was searched at all: without, nothing is said
    /// (not "no consumer").
    searched: bool,
    by_contract: BTreeMap<String, Vec<Use>>,
}

impl Consumers {
    /// Reads the Go imports of the work tree only when a finding's file has a
    /// `go_package`, and the imports of the compared .proto files.
    pub(crate) fn of(repo: &Repo, comparison: &Comparison) -> Consumers {
        let reported: BTreeSet<&str> = comparison
            .findings
            .iter()
            .map(|finding| finding.path.as_str())
            .collect();
        let mut consumers = Consumers {
            searched: true,
            ..Consumers::default()
        };
        consumers.add_proto_importers(comparison, &reported);
        consumers.add_go_importers(repo, &go_packages(comparison, &reported));
        consumers.add_rust_generators(repo, comparison, &reported);
        for uses in consumers.by_contract.values_mut() {
            uses.sort();
            uses.dedup_by(|a, b| a.who == b.who);
        }
        consumers
    }

    fn add_proto_importers(&mut self, comparison: &Comparison, reported: &BTreeSet<&str>) {
        for unit in &comparison.units {
            for file in unit.new_model.files.values() {
                for import in scan_header(&file.text).imports {
                    let Some(target) = unit.new_layout.names.get(&import) else {
                        continue;
                    };
                    if !reported.contains(target.as_str()) || *target == file.path {
                        continue;
                    }
                    let quoted = format!("\"{import}\"");
                    let line = file
                        .text
                        .lines()
                        .position(|line| line.contains(&quoted))
                        .map(|index| index as u32 + 1);
                    self.by_contract
                        .entry(target.clone())
                        .or_default()
                        .push(Use {
                            who: file.path.clone(),
                            path: file.path.clone(),
                            span: line.map(|line| Span {
                                line,
                                column: 1,
                                end_line: line,
                                end_column: 1,
                            }),
                            label: format!("imports {import}"),
                        });
                }
            }
        }
    }

    /// `go_packages`: Go import path -> the contract files generating it.
    fn add_go_importers(&mut self, repo: &Repo, go_packages: &BTreeMap<String, Vec<String>>) {
        if go_packages.is_empty() {
            return;
        }
        for go_file in repo.files_with_extension(&["go"]) {
            let Some(service) = repo.service_for(go_file) else {
                continue;
            };
            let Ok(text) = std::fs::read_to_string(repo.absolute(go_file)) else {
                continue;
            };
            for import in crate::repo::go_imports::quick_imports(&text) {
                for contract in go_packages.get(&import.path).into_iter().flatten() {
                    self.by_contract
                        .entry(contract.clone())
                        .or_default()
                        .push(Use {
                            who: service.name.clone(),
                            path: go_file.to_string(),
                            span: Some(import.span),
                            label: format!("{} imports {}", service.name, import.path),
                        });
                }
            }
        }
    }

    /// Rust services that generate code from a reported file: a `build.rs`
    /// naming its path (relative to the crate, as `tonic_build` takes it),
    /// or `include_proto!("package")` of its package.
    fn add_rust_generators(
        &mut self,
        repo: &Repo,
        comparison: &Comparison,
        reported: &BTreeSet<&str>,
    ) {
        let mut by_package: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for unit in &comparison.units {
            for model in [&unit.new_model, &unit.old_model] {
                for file in model.files.values() {
                    if let Some(&path) = reported.get(file.path.as_str()) {
                        by_package
                            .entry(file.package.as_str())
                            .or_default()
                            .insert(path);
                    }
                }
            }
        }
        if by_package.is_empty() {
            return;
        }
        for rust_file in repo.files_with_extension(&["rs"]) {
            let Some(service) = repo
                .service_for(rust_file)
                .filter(|service| service.language == crate::repo::Language::Rust)
            else {
                continue;
            };
            let Ok(text) = std::fs::read_to_string(repo.absolute(rust_file)) else {
                continue;
            };
            let directory = rust_file.rsplit_once('/').map_or("", |(dir, _)| dir);
            let is_build_script = rust_file.rsplit('/').next() == Some("build.rs");
            for (index, line) in text.lines().enumerate() {
                let mut uses: Vec<(&str, String)> = Vec::new();
                for literal in string_literals(line) {
                    if is_build_script && literal.ends_with(".proto") {
                        let path = joined(directory, literal);
                        if let Some(&contract) = reported.get(path.as_str()) {
                            uses.push((
                                contract,
                                format!("{} compiles {literal} in build.rs", service.name),
                            ));
                        }
                    }
                    if line.contains("include_proto!") {
                        for &contract in by_package.get(literal).into_iter().flatten() {
                            uses.push((
                                contract,
                                format!(
                                    "{} includes the code generated for {literal}",
                                    service.name
                                ),
                            ));
                        }
                    }
                }
                let line_number = index as u32 + 1;
                for (contract, label) in uses {
                    self.by_contract
                        .entry(contract.to_string())
                        .or_default()
                        .push(Use {
                            who: service.name.clone(),
                            path: rust_file.to_string(),
                            span: Some(Span {
                                line: line_number,
                                column: 1,
                                end_line: line_number,
                                end_column: 1,
                            }),
                            label,
                        });
                }
            }
        }
    }

    /// Names the consumers of the finding's file (its own service left
    /// out) in a note and as related locations.
    pub(crate) fn attach(&self, finding: &mut Finding, contract: &ContractFinding) {
        if !self.searched {
            return;
        }
        let owner = finding.service.clone();
        let uses: Vec<&Use> = self
            .by_contract
            .get(&contract.path)
            .into_iter()
            .flatten()
            .filter(|consumer| Some(&consumer.who) != owner.as_ref())
            .collect();
        let names: Vec<&str> = uses.iter().map(|consumer| consumer.who.as_str()).collect();
        finding.consumers = Some(names.iter().map(|name| name.to_string()).collect());
        if uses.is_empty() {
            finding
                .notes
                .push("no consumer in this repository".to_string());
            return;
        }
        let noun = if names.len() == 1 {
            "consumer"
        } else {
            "consumers"
        };
        finding
            .notes
            .push(format!("breaks {} {noun}: {}", names.len(), listed(&names)));
        for consumer in uses {
            finding.push_related(&consumer.path, consumer.span, &consumer.label);
        }
    }
}

/// The summary line of the consumers of every finding left after the sink
/// (an excepted break asks nothing of its consumers): `2 consumers
/// (order-service, user-service)`, or that none was found; `None` when no
/// finding was searched for consumers.
pub(crate) fn summary(findings: &[Finding]) -> Option<String> {
    let mut searched = false;
    let mut names: BTreeSet<&str> = BTreeSet::new();
    for consumers in findings.iter().filter_map(|f| f.consumers.as_ref()) {
        searched = true;
        names.extend(consumers.iter().map(String::as_str));
    }
    if !searched {
        return None;
    }
    Some(match names.len() {
        0 => "no consumer in this repository".to_string(),
        1 => format!(
            "1 consumer ({})",
            names.into_iter().next().unwrap_or_default()
        ),
        n => format!(
            "{n} consumers ({})",
            listed(&names.into_iter().collect::<Vec<_>>())
        ),
    })
}

/// How many consumer names a note or summary line shows before it counts the
/// rest: a contract that a whole tree imports (googleapis has hundreds of
/// consumers) would otherwise make one line of hundreds of paths. The JSON
/// `consumers` array and the related locations keep every name.
const NAMES_SHOWN: usize = 5;

/// `a, b, c, d, e and 479 more (all in --format json)`, or all of them when few.
fn listed(names: &[&str]) -> String {
    if names.len() <= NAMES_SHOWN {
        return names.join(", ");
    }
    format!(
        "{} and {} more (all in --format json)",
        names[..NAMES_SHOWN].join(", "),
        names.len() - NAMES_SHOWN
    )
}

/// The Go import path generated from each reported file (`go_package`
/// without its `;name` suffix), new side first, the old one for a deleted file.
fn go_packages(
    comparison: &Comparison,
    reported: &BTreeSet<&str>,
) -> BTreeMap<String, Vec<String>> {
    let mut of_file: BTreeMap<&str, String> = BTreeMap::new();
    for unit in &comparison.units {
        for model in [&unit.new_model, &unit.old_model] {
            for file in model.files.values() {
                let Some(go_package) = file.options.go_package.as_deref() else {
                    continue;
                };
                if reported.contains(file.path.as_str()) {
                    let import = go_package.split(';').next().unwrap_or(go_package);
                    of_file
                        .entry(file.path.as_str())
                        .or_insert_with(|| import.to_string());
                }
            }
        }
    }
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (file, import) in of_file {
        out.entry(import).or_default().push(file.to_string());
    }
    out
}

/// The contents of the `"..."` literals of one line of Rust (no escapes:
/// paths and package names have none).
fn string_literals(line: &str) -> impl Iterator<Item = &str> {
    line.split('"').skip(1).step_by(2)
}

/// `directory/relative` with `.` and `..` resolved, `/`-separated.
fn joined(directory: &str, relative: &str) -> String {
    let mut parts: Vec<&str> = directory.split('/').filter(|p| !p.is_empty()).collect();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_script_paths_are_resolved_from_the_crate() {
        assert_eq!(
            joined("services/pricing", "../../api/order/v1/order.proto"),
            "api/order/v1/order.proto"
        );
        assert_eq!(joined("", "./proto/a.proto"), "proto/a.proto");
        let line = r#"tonic_build::compile_protos("proto/a.proto")?; let x = "b";"#;
        assert_eq!(
            string_literals(line).collect::<Vec<_>>(),
            vec!["proto/a.proto", "b"]
        );
    }

    #[test]
    fn long_consumer_lists_are_counted_after_the_first_names() {
        let few = ["a", "b", "c"];
        assert_eq!(listed(&few), "a, b, c");
        let many: Vec<String> = (0..484).map(|n| format!("svc{n:03}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(
            listed(&many),
            "svc000, svc001, svc002, svc003, svc004 and 479 more (all in --format json)"
        );
        let findings: Vec<Finding> = (0..2)
            .map(|n| {
                let mut finding = Finding::new(
                    "FIELD_NO_DELETE",
                    crate::report::Severity::Error,
                    "api/a.proto",
                    "field deleted",
                    "a",
                );
                finding.consumers = Some(
                    many[n * 3..n * 3 + 4]
                        .iter()
                        .map(|s| s.to_string())
                        .collect(),
                );
                finding
            })
            .collect();
        assert_eq!(
            summary(&findings).as_deref(),
            Some(
                "7 consumers (svc000, svc001, svc002, svc003, svc004 and 2 more (all in --format json))"
            )
        );
    }
}
