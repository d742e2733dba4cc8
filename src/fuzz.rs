//! Stable-Rust fuzzing of the parsers that read source text (#17): seeds
//! from `fuzz/corpus/<target>/`, mutated by proptest, with properties that
//! mean more than "no panic". Each case is at most `MAX_INPUT` bytes, which
//! bounds its time. `cargo test` runs a few cases per target; CI runs more
//! (`TRELLIS_FUZZ_CASES`, see .ci/run). A failing case is shrunk and printed.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::collections::BTreeMap;
use std::path::Path;

const MAX_INPUT: usize = 64 * 1024;

fn cases() -> u32 {
    std::env::var("TRELLIS_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

/// The random source of a run: the same every run (a gate that fails on a
/// bug found at random is flaky), another one with `TRELLIS_FUZZ_SEED=N`
/// to explore; a failure prints its input, which then becomes a unit test.
fn rng() -> proptest::test_runner::TestRng {
    use proptest::test_runner::{RngAlgorithm, TestRng};
    match std::env::var("TRELLIS_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        Some(seed) => {
            let mut bytes = [0u8; 32];
            bytes[..8].copy_from_slice(&seed.to_le_bytes());
            TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
        }
        None => TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    }
}

fn seeds(target: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut seeds: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    seeds.sort();
    assert!(!seeds.is_empty(), "no seeds in {}", dir.display());
    seeds
}

#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, String),
    Delete(usize, usize),
    Duplicate(usize, usize),
    Byte(usize, u8),
}

fn edit(dictionary: &'static [&'static str]) -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), prop::sample::select(dictionary))
            .prop_map(|(at, s)| Edit::Insert(at, s.to_string())),
        (any::<usize>(), 1usize..64).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<usize>(), 1usize..256).prop_map(|(at, n)| Edit::Duplicate(at, n)),
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Edit::Byte(at, b)),
        (any::<usize>(), "\\PC{0,12}").prop_map(|(at, s)| Edit::Insert(at, s)),
    ]
}

fn apply(seed: &str, edits: &[Edit]) -> String {
    let mut bytes = seed.as_bytes().to_vec();
    for edit in edits {
        let len = bytes.len();
        let at = |i: usize| if len == 0 { 0 } else { i % (len + 1) };
        match edit {
            Edit::Insert(i, text) => {
                let i = at(*i);
                bytes.splice(i..i, text.bytes());
            }
            Edit::Delete(i, n) => {
                let i = at(*i);
                bytes.drain(i..(i + n).min(len));
            }
            Edit::Duplicate(i, n) => {
                let i = at(*i);
                let copy = bytes[i..(i + n).min(len)].to_vec();
                bytes.splice(i..i, copy);
            }
            Edit::Byte(i, b) if len > 0 => bytes[i % len] = *b,
            Edit::Byte(..) => {}
        }
        bytes.truncate(MAX_INPUT);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A seed and edits of it, as (seed name, mutated text).
fn mutated(
    target: &str,
    dictionary: &'static [&'static str],
) -> impl Strategy<Value = (String, String)> {
    let seeds = seeds(target);
    (
        prop::sample::select(seeds),
        prop::collection::vec(edit(dictionary), 0..8),
    )
        .prop_map(|((name, text), edits)| (name, apply(&text, &edits)))
}

fn run<S: Strategy>(strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(config, rng());
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{e}");
    }
}

/// Counts the cases that reached the property proper (not only "no
/// panic"), so a target whose mutations never get there fails loudly.
#[derive(Default)]
struct Reached(std::sync::atomic::AtomicUsize);

impl Reached {
    fn hit(&self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    fn assert_some(&self, what: &str) {
        let count = self.0.load(std::sync::atomic::Ordering::Relaxed);
        assert!(count > 0, "no case reached {what}");
    }
}

const GO_WORDS: &[&str] = &[
    "\n\tlog.Printf(\"x %d\", n)\n",
    "\n\tdb.Query(\"SELECT a FROM t WHERE id = \" + id)\n",
    "\n\t_, _ = http.Get(u)\n",
    "\nfunc f(a, b, c, d, e int) { return }\n",
    "\nvar global = map[string]int{}\n",
    "\nfunc init() {}\n",
    "{",
    "}",
    "(",
    ")",
    "\"",
    "`",
    "'",
    "/*",
    "*/",
    "//",
    "\n",
    "func ",
    "go ",
    ":=",
    "+",
];

/// go_skim decides which function bodies tree-sitter parses. Whenever the
/// whole file parses cleanly, linting only the bodies it picks must give
/// exactly the findings of parsing everything.
#[test]
fn fuzz_go_skim_agrees_with_the_full_parse() {
    use crate::lint::{
        FactNeeds, FileToAnalyse, Kind, analyse,
        config::LintConfig,
        settings::{ConfigSource, Settings},
    };
    let settings = |all: bool| {
        let config = LintConfig {
            parse_all_bodies: all,
            ..LintConfig::default()
        };
        Settings::resolve(&config, &BTreeMap::new(), &ConfigSource::read(None), &[]).unwrap()
    };
    let (skimmed, whole) = (settings(false), settings(true));
    let path = "services/order/internal/handlers/h.go";
    let reached = Reached::default();
    run(mutated("go_skim", GO_WORDS), |(_, text)| {
        let lint = |settings: &Settings| {
            let file = FileToAnalyse {
                path,
                service: Some("order"),
                kind: Kind::Go,
                rust_role: Default::default(),
            };
            let outcome = analyse(
                &file,
                text.as_bytes(),
                settings,
                FactNeeds {
                    tables: true,
                    all_imports: false,
                    programs: false,
                },
            );
            outcome
                .findings
                .iter()
                .map(|f| (f.rule.clone(), f.line, f.column, f.message.clone()))
                .collect::<Vec<_>>()
        };
        let full = lint(&whole);
        if full.iter().any(|f| f.0 == "parse-degraded") {
            return Ok(());
        }
        reached.hit();
        prop_assert_eq!(lint(&skimmed), full);
        Ok(())
    });
    reached.assert_some("a file that parses cleanly");
}

const SQL_WORDS: &[&str] = &[
    "SELECT a FROM t",
    "INSERT INTO x (a) VALUES (1)",
    "UPDATE y SET a = 1",
    "DELETE FROM z",
    "\"",
    "`",
    "'",
    "r#\"",
    "\"#",
    "/*",
    "*/",
    "--",
    "//",
    "\n",
    " + ",
    "\\",
    "é",
    ";",
    "(",
    ")",
];

/// The table extractor points every use into the file, and sees nothing in
/// code that a block comment hides.
#[test]
fn fuzz_table_uses_stay_in_the_file_and_comments_hide_them() {
    use crate::repo::tables::table_uses_in;
    let reached = Reached::default();
    run(mutated("tables", SQL_WORDS), |(name, text)| {
        let path = format!("svc/{name}");
        let uses = table_uses_in(&path, &text, "svc");
        let lines: Vec<&str> = text.split('\n').collect();
        for used in &uses {
            prop_assert!(
                used.line >= 1 && used.line as usize <= lines.len(),
                "{used:?}"
            );
            let line = lines[used.line as usize - 1];
            prop_assert!(used.column >= 1 && used.column as usize <= line.chars().count() + 1);
            prop_assert!(!used.table.is_empty());
            reached.hit();
        }
        if !name.ends_with(".sql") && !text.contains("*/") && !text.contains("/*") {
            let hidden = format!("/* {text} */\n");
            prop_assert_eq!(table_uses_in(&path, &hidden, "svc"), Vec::new());
        }
        Ok(())
    });
    reached.assert_some("a table use");
}

const YAML_WORDS: &[&str] = &[
    "\n  - name: x\n    type: bool\n",
    "\n  - src: a\n    dest: b\n",
    "&a ",
    "*a",
    "<<: *a\n",
    "!!str ",
    "{",
    "}",
    "[",
    "]",
    ": ",
    "- ",
    "\n",
    "  ",
    "'",
    "\"",
    "#",
    "|\n",
    ">\n",
    "~",
];

/// A template manifest either parses, and then writes back to YAML that
/// parses to the same manifest, or fails with an input error.
#[test]
fn fuzz_template_manifest_round_trips() {
    use crate::scaffold::template::{Manifest, parse_manifest};
    let reached = Reached::default();
    run(mutated("manifest", YAML_WORDS), |(_, text)| {
        let Ok(manifest) = parse_manifest(&text, Path::new("template.yaml")) else {
            return Ok(());
        };
        reached.hit();
        let written = serde_saphyr::to_string(&manifest).unwrap();
        let again: Manifest = parse_manifest(&written, Path::new("template.yaml"))
            .map_err(|e| TestCaseError::fail(format!("{e:?}\n{written}")))?;
        prop_assert_eq!(
            serde_json::to_value(&manifest).unwrap(),
            serde_json::to_value(&again).unwrap()
        );
        Ok(())
    });
    reached.assert_some("a manifest that parses");
}

const PROTO_WORDS: &[&str] = &[
    "\nimport \"a/b.proto\";\n",
    "\npackage p.q;\n",
    "\nedition = \"2023\";\n",
    "message M {}\n",
    "/*",
    "*/",
    "//",
    "\"",
    "\n",
    ";",
    "{",
    "}",
    "import",
    "package",
    "weak ",
    "public ",
];

/// The header scan never invents: a package it reads is the one protox
/// parses, and every import it reads is one the file declares.
#[test]
fn fuzz_proto_header_scan_agrees_with_protox() {
    use crate::contract::source::scan_header;
    let reached = Reached::default();
    run(mutated("proto_header", PROTO_WORDS), |(_, text)| {
        let header = scan_header(&text);
        let Ok(parsed) = protox_parse::parse("fuzz.proto", &text) else {
            return Ok(());
        };
        reached.hit();
        if let Some(package) = &header.package {
            prop_assert_eq!(package.as_str(), parsed.package());
        }
        for import in &header.imports {
            prop_assert!(
                parsed.dependency.contains(import),
                "{import} not in {:?}",
                parsed.dependency
            );
        }
        Ok(())
    });
}
