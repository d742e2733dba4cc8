use crate::lint::facts::{CrateUse, Facts, parent};
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::registry::RuleId;
use crate::repo::Language;
use crate::report::Severity;

pub(crate) struct ArchCrossServiceImport;

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
        let mut contract_modules: std::collections::HashMap<(String, String), bool> =
            Default::default();
        for file in &facts.rust {
            if !facts.is_selected(&file.path) || file.is_test {
                continue;
            }
            let Some(own) = facts.service_of(&file.path) else {
                continue;
            };
            for CrateUse {
                krate,
                module,
                span,
            } in &file.uses
            {
                let Some(target) = rust_services
                    .iter()
                    .find(|s| s.module.replace('-', "_") == *krate)
                else {
                    continue;
                };
                if target.name == own.name {
                    continue;
                }
                if let Some(module) = module {
                    let contract = *contract_modules
                        .entry((target.root.clone(), module.clone()))
                        .or_insert_with(|| is_rust_contract_module(facts, &target.root, module));
                    if contract {
                        continue;
                    }
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

/// Module names a Rust service exposes its contract under: the tonic code
/// generated from its protos, and the client of its API.
const RUST_CONTRACT_MODULES: &[&str] = &[
    "proto",
    "protos",
    "pb",
    "api",
    "gen",
    "generated",
    "grpc",
    "rpc",
    "contract",
    "contracts",
];

/// Whether module `module` of the crate at `root` is contract code: named as
/// one, or a file that says it is generated (a generated gRPC client).
fn is_rust_contract_module(facts: &Facts<'_>, root: &str, module: &str) -> bool {
    if RUST_CONTRACT_MODULES.contains(&module) {
        return true;
    }
    let src = if root.is_empty() {
        "src".to_string()
    } else {
        format!("{root}/src")
    };
    [
        format!("{src}/{module}.rs"),
        format!("{src}/{module}/mod.rs"),
    ]
    .iter()
    .filter(|f| facts.repo.files.binary_search(f).is_ok())
    .any(|f| has_generated_header(&facts.repo.absolute(f)))
}

/// A leading comment saying the file is generated (`// This file is
/// generated.`, `// @generated`, `// Code generated ... DO NOT EDIT.`).
fn has_generated_header(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut head = Vec::new();
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    if file.take(4 * 1024).read_to_end(&mut head).is_err() {
        return false;
    }
    String::from_utf8_lossy(&head)
        .lines()
        .map(str::trim)
        .take_while(|line| line.starts_with("//") || line.starts_with("#!") || line.is_empty())
        .any(|line| {
            let lower = line.to_ascii_lowercase();
            lower.contains("@generated")
                || lower.contains("file is generated")
                || lower.contains("automatically generated")
                || lower.contains("do not edit")
        })
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
