use crate::lint::facts::{Facts, parent};
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::registry::RuleId;
use crate::repo::Language;
use crate::report::Severity;

pub struct ArchCrossServiceImport;

static META: RuleMeta = RuleMeta {
    id: RuleId::ArchCrossServiceImport.as_str(),
    target: Target::Repo,
    default_severity: Severity::Error,
    summary: "A service imports another service's packages (other than its contract or generated code)",
    docs: include_str!("arch_cross_service_import.md"),
    needs: &[],
};

const CONTRACT_DIRS: &[&str] = &["api", "gen", "proto", "pb", "contracts"];

impl Rule for ArchCrossServiceImport {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_repo(&self, facts: &Facts<'_>, cx: &mut Cx<'_>) {
        // Deciding reads the directory's files; many imports name one package.
        let mut contract_dirs: std::collections::HashMap<String, bool> = Default::default();
        // A module without `package main` may be a library wrongly taken
        // for a service: its findings say how to declare it.
        let with_main: std::collections::HashSet<&str> = facts
            .go
            .iter()
            .filter(|f| f.package == "main" && !f.is_test)
            .filter_map(|f| facts.service_of(&f.path).map(|s| s.name.as_str()))
            .collect();
        for file in &facts.go {
            if !facts.is_selected(&file.path) || file.is_test || is_test_code(&file.path) {
                continue;
            }
            let Some(own) = facts.service_of(&file.path) else {
                continue;
            };
            for import in &file.imports {
                let Some(target) = facts.service_of_import(&file.path, &import.path) else {
                    continue;
                };
                if target.name == own.name {
                    continue;
                }
                let Some(dir) = facts.package_dir(&file.path, &import.path) else {
                    continue;
                };
                let contract = *contract_dirs
                    .entry(dir.clone())
                    .or_insert_with(|| is_contract_package(facts, target.relative(&dir), &dir));
                if contract {
                    continue;
                }
                cx.emit_in(
                    &file.path,
                    Some(&own.name),
                    Some(import.span),
                    format!(
                        "{} imports `{}`, a package of {}",
                        own.name, import.path, target.name
                    ),
                    &import.path,
                )
                .help(if with_main.contains(target.name.as_str()) {
                    format!(
                        "call {} through its API (the generated client of its contract) instead of linking its code",
                        target.name
                    )
                } else {
                    format!(
                        "{} has no `package main`: if it is a shared library, list `{}` under `libraries:` in trellis.yaml; if it is a service, call it through its API instead of linking its code",
                        target.name, target.root
                    )
                });
            }
        }
        let rust_services: Vec<_> = facts
            .repo
            .services
            .iter()
            .filter(|s| s.language == Language::Rust)
            .collect();
        for file in &facts.rust {
            if !facts.is_selected(&file.path) {
                continue;
            }
            let Some(own) = facts.service_of(&file.path) else {
                continue;
            };
            for (krate, span) in &file.crates {
                let Some(target) = rust_services
                    .iter()
                    .find(|s| s.module.replace('-', "_") == *krate)
                else {
                    continue;
                };
                if target.name == own.name {
                    continue;
                }
                cx.emit_in(
                    &file.path,
                    Some(&own.name),
                    Some(*span),
                    format!("{} uses crate `{krate}` of service {}", own.name, target.name),
                    krate,
                )
                .help("call the other service through its API, or move shared code into a library crate");
            }
        }
    }
}

/// Whether a package directory holds contract or generated code.
fn is_contract_package(facts: &Facts<'_>, service_relative: &str, dir: &str) -> bool {
    let first = service_relative.split('/').next().unwrap_or_default();
    if CONTRACT_DIRS.contains(&first) || service_relative.starts_with("pkg/api") {
        return true;
    }
    let sources: Vec<&String> = facts
        .repo
        .files
        .iter()
        .filter(|f| parent(f) == dir)
        .collect();
    if sources
        .iter()
        .any(|f| f.ends_with(".proto") || f.ends_with(".pb.go"))
    {
        return true;
    }
    // A package generated entirely from the contract (go-zero's RPC client
    // under cmd/rpc/<name>, a Kitex client) is the contract in Go form.
    let go: Vec<&&String> = sources
        .iter()
        .filter(|f| f.ends_with(".go") && !f.ends_with("_test.go"))
        .collect();
    !go.is_empty() && go.iter().all(|f| is_generated(&facts.repo.absolute(f)))
}

/// Go's convention for generated files: a line `// Code generated ... DO NOT EDIT.`
/// before the package clause.
fn is_generated(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut head = Vec::new();
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    if file.take(8 * 1024).read_to_end(&mut head).is_err() {
        return false;
    }
    String::from_utf8_lossy(&head)
        .lines()
        .take_while(|line| !line.trim_start().starts_with("package "))
        .any(|line| crate::lint::go::is_generated_marker(line.trim()))
}

/// Test code is not deployed: a test of one service may drive another.
fn is_test_code(path: &str) -> bool {
    crate::lint::go::is_test_path(path) || crate::lint::go::is_test_support(path, "")
}
