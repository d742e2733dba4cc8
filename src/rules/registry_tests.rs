//! The registry holds every rule once, and every rule is complete: docs with
//! the four sections, cases that exercise it, and a place in the lint packs.

use super::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn is_upper_snake(id: &str) -> bool {
    !id.is_empty()
        && id.split('_').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
}

/// The prefixes of lint rule ids, one per kind of code they look at.
const LINT_PREFIXES: &[&str] = &["go-", "rust-", "arch-", "layout-", "repo-"];

#[test]
fn ids_are_unique_across_jobs_and_parse_back() {
    let mut seen = BTreeSet::new();
    for id in RuleId::ALL {
        assert!(seen.insert(id.as_str()), "{id} is registered twice");
        assert_eq!(RuleId::parse(id.as_str()), Some(*id));
        assert_eq!(id.as_str().parse::<RuleId>(), Ok(*id));
        assert_eq!(entry(*id).id, *id, "entries are out of the variants' order");
    }
    assert_eq!(entries().len(), RuleId::ALL.len());
    assert_eq!(RuleId::parse("no-such-rule"), None);
}

#[test]
fn ids_are_well_formed_for_their_job() {
    for entry in entries() {
        let id = entry.id.as_str();
        let well_formed = match entry.job {
            // Engine rules (parse-degraded, unknown-rule) are about no kind of code.
            Job::Lint if entry.by_default == ByDefault::Engine => is_kebab(id),
            Job::Lint => is_kebab(id) && LINT_PREFIXES.iter().any(|p| id.starts_with(p)),
            // buf's ids; trellis's own findings about the run are kebab-case.
            Job::Contract => is_upper_snake(id) || (id.starts_with("contract-") && is_kebab(id)),
            Job::Drift => id.starts_with("drift-") && is_kebab(id),
            Job::Score => id.starts_with("score-") && is_kebab(id),
        };
        assert!(
            well_formed,
            "{id} is not a well-formed {} id",
            entry.job.as_str()
        );
    }
}

#[test]
fn rule_files_name_the_id_of_their_registry_line() {
    let lint: Vec<&Entry> = of_job(Job::Lint).collect();
    assert_eq!(lint.len(), crate::lint::registry::all().len());
    for (entry, rule) in lint.iter().zip(crate::lint::registry::all()) {
        assert_eq!(rule.meta().id, entry.id.as_str());
    }
    let buf: Vec<&Entry> = of_job(Job::Contract)
        .filter(|e| e.cases == Cases::BufVerdicts || e.deprecated)
        .collect();
    assert_eq!(buf.len(), crate::contract::rules::all().len());
    for (entry, rule) in buf.iter().zip(crate::contract::rules::all()) {
        assert_eq!(rule.id, entry.id.as_str());
    }
}

#[test]
fn every_rule_has_the_four_doc_sections_in_order() {
    const SECTIONS: [&str; 4] = ["## What\n", "## Why\n", "## Example\n", "## Fix\n"];
    for entry in entries() {
        let id = entry.id.as_str();
        assert!(!entry.summary.is_empty(), "{id} has no summary");
        // buf's rules get their categories appended from the data (`full_docs`).
        assert!(
            !entry.docs.contains("\nCategories:"),
            "{id}: the categories are written from the registry"
        );
        for text in [entry.summary, entry.docs] {
            assert!(
                !text.contains("TODO(add-rule)"),
                "{id}: fill in what tools/add-rule left to write"
            );
        }
        let mut from = 0;
        for section in SECTIONS {
            let at = entry.docs[from..]
                .find(section)
                .unwrap_or_else(|| panic!("{id} lacks `{}` after byte {from}", section.trim()));
            from += at + section.len();
            let body = entry.docs[from..].split("\n## ").next().unwrap_or("");
            assert!(
                !body.trim().is_empty(),
                "{id}: `{}` is empty",
                section.trim()
            );
        }
    }
}

/// The rule ids in buf's recorded verdicts (`path:line:column:RULE` lines).
fn buf_verdict_ids() -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let cases = std::fs::read_dir(root().join("tests/fixtures/contract")).unwrap();
    for case in cases.flatten() {
        let Ok(files) = std::fs::read_dir(case.path().join("expected")) else {
            continue;
        };
        for file in files.flatten() {
            let text = std::fs::read_to_string(file.path()).unwrap();
            ids.extend(
                // path:line:column:end_line:end_column:RULE:message
                text.lines()
                    .filter_map(|l| l.split(':').nth(5))
                    .map(str::to_string),
            );
        }
    }
    ids
}

/// The text of `fn name(` in `file` up to the next test.
fn test_body(file: &Path, name: &str) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    let start = text.find(&format!("fn {name}("))?;
    let rest = &text[start..];
    let end = rest.find("\n#[test]").unwrap_or(rest.len());
    Some(rest[..end].to_string())
}

fn case_names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_rule_has_cases_that_exercise_it() {
    let buf = buf_verdict_ids();
    for entry in entries() {
        let id = entry.id.as_str();
        match entry.cases {
            Cases::Fixtures => {
                let dir = root()
                    .join("tests/fixtures")
                    .join(entry.job.as_str())
                    .join(id);
                let names = case_names(&dir);
                let fail = names.iter().any(|n| n.contains("fail"));
                let pass = names.iter().any(|n| n.contains("pass"));
                assert!(
                    fail && pass,
                    "{id} needs pass and fail cases under {} (has {names:?}); `tools/add-rule` writes stubs",
                    dir.display()
                );
            }
            Cases::BufVerdicts => {
                assert!(
                    buf.contains(id),
                    "{id} is in no buf verdict under tests/fixtures/contract/*/expected"
                )
            }
            Cases::Test {
                file,
                test,
                needle,
                why,
            } => {
                assert!(
                    !why.trim().is_empty(),
                    "{id}: say why it has no fixture directory"
                );
                let body = test_body(&root().join(file), test)
                    .unwrap_or_else(|| panic!("{id}: no test `{test}` in {file}"));
                let needle = needle.unwrap_or(id);
                assert!(
                    body.contains(needle),
                    "{id}: `{test}` in {file} never names `{needle}`"
                );
            }
        }
    }
}

#[test]
fn every_fixture_directory_names_a_rule_of_its_job() {
    for job in [Job::Lint, Job::Drift] {
        let dir = root().join("tests/fixtures").join(job.as_str());
        for name in case_names(&dir) {
            let is_rule_dir = job == Job::Lint || name.starts_with("drift-");
            if is_rule_dir {
                let id = RuleId::parse(&name);
                assert!(
                    id.is_some_and(|id| id.job() == job),
                    "{} names no {} rule",
                    dir.join(&name).display(),
                    job.as_str()
                );
            }
        }
    }
}

#[test]
fn lint_packs_and_the_registry_agree() {
    use crate::lint::settings::{PACKS, pack};
    let recommended: BTreeSet<String> = pack("recommended").unwrap().rules.into_keys().collect();
    let mut in_some_pack = BTreeSet::new();
    for p in PACKS {
        for id in pack(p.name).unwrap().rules.into_keys() {
            let entry = RuleId::parse(&id).map(entry);
            assert!(
                entry.is_some_and(|e| e.job == Job::Lint && e.by_default != ByDefault::Engine),
                "rules/{}.yaml names {id}, which is not a lint rule a pack can turn on",
                p.name
            );
            in_some_pack.insert(id);
        }
    }
    for entry in of_job(Job::Lint) {
        let id = entry.id.as_str();
        match entry.by_default {
            ByDefault::On => assert!(
                recommended.contains(id),
                "{id} is on by default but not in rules/recommended.yaml: add it, or mark it `by_default: ByDefault::Off(\"why\")` in the registry"
            ),
            ByDefault::Off(why) => {
                assert!(!why.trim().is_empty(), "{id}: say why it is off");
                assert!(
                    !recommended.contains(id),
                    "{id} is off by default but in rules/recommended.yaml"
                );
            }
            ByDefault::Engine => {}
        }
    }
}

#[test]
fn needs_come_from_the_enabled_rules() {
    assert!(!needed(Need::SharedTables, |_| false));
    assert!(needed(Need::SharedTables, |id| id == "arch-shared-table"));
    assert!(needed(Need::AllImports, |id| id == "arch-import-cycle"));
    assert!(!needed(Need::AllImports, |id| id == "arch-shared-table"));
    assert!(needed(Need::Upstream, |id| id == "drift-outdated"));
}

/// Each job makes its own rule table from the list (it cannot use this
/// module, which is above the jobs): what a job says about its rules is
/// what the registry says.
#[test]
fn each_job_describes_its_rules_as_the_registry_does() {
    assert_eq!(crate::lint::rules(), infos(Job::Lint));
    assert_eq!(crate::contract::rules(), infos(Job::Contract));
    let mut drift = crate::drift::checks::offline_rules();
    drift.extend(crate::drift::checks::upstream_rules());
    assert_eq!(drift, infos(Job::Drift));
    assert_eq!(crate::score::rules::all(), infos(Job::Score));
}

#[test]
fn lint_asks_its_own_rules_for_the_needs_the_registry_lists() {
    for need in [Need::SharedTables, Need::AllImports, Need::Programs] {
        for entry in entries() {
            let only = |id: &str| id == entry.id.as_str();
            assert_eq!(
                crate::lint::registry::needed(need, only),
                needed(need, only),
                "{need:?} of {}",
                entry.id
            );
        }
    }
}

/// The generated tables in docs/*.md match the registry.
#[test]
fn docs_tables_are_current() {
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    let mut tables = 0;
    for file in std::fs::read_dir(root().join("docs")).unwrap().flatten() {
        let path = file.path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let found =
            docs_tables::docs_tables(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        tables += found.len();
        let fresh = docs_tables::refresh(&text).unwrap();
        if fresh == text {
            continue;
        }
        if update {
            std::fs::write(&path, fresh).unwrap();
        } else {
            panic!(
                "{} has a stale rules table: run `UPDATE_DOCS=1 cargo test --lib docs_tables_are_current`",
                path.display()
            );
        }
    }
    assert!(
        tables >= Job::ALL.len(),
        "every job's rules are listed in docs/ (found {tables} tables)"
    );
}
