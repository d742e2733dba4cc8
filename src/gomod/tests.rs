use super::sum::GoSum;
use super::*;
use proptest::prelude::*;

const FULL: &str = r#"// Deprecated: use example.com/new instead.
module "example.com/shop/svc" // the order service

go 1.22.3

toolchain go1.23.4

godebug (
	default=go1.21
	panicnil=1
)

require github.com/google/uuid v1.6.0

require (
	// a comment line inside a block
	github.com/jackc/pgx/v5 v5.7.6
	golang.org/x/net v0.48.0 // indirect
	github.com/docker/docker v24.0.7+incompatible // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20251202230838-ff82c1b0f217 // indirect
	`example.com/raw` v1.0.0
)

exclude example.com/bad v1.0.1

replace (
	example.com/local => ../local
	example.com/fork v1.0.0 => github.com/me/fork v1.0.1
)

retract v1.0.0 // published too early
retract [v1.1.0, v1.1.5]

tool golang.org/x/tools/cmd/stringer
"#;

#[test]
fn parses_every_directive_with_positions() {
    let m = parse_go_mod(FULL, Mode::Strict).unwrap();
    let module = m.module.as_ref().unwrap();
    assert_eq!(module.path, "example.com/shop/svc");
    assert_eq!(
        module.deprecated.as_deref(),
        Some("use example.com/new instead.")
    );
    assert_eq!(module.pos.line, 2);
    assert_eq!(m.go.as_ref().unwrap().value, "1.22.3");
    assert_eq!(m.toolchain.as_ref().unwrap().value, "go1.23.4");
    assert_eq!(m.godebug.len(), 2);
    assert_eq!(m.godebug[1].key, "panicnil");
    assert_eq!(m.requires.len(), 6);
    let uuid = &m.requires[0];
    assert_eq!(
        (uuid.path.as_str(), uuid.version.as_str(), uuid.indirect),
        ("github.com/google/uuid", "v1.6.0", false)
    );
    assert_eq!(
        uuid.pos,
        Pos {
            line: 13,
            column: 9,
            end_column: 38
        }
    );
    assert_eq!(
        uuid.version_pos,
        Pos {
            line: 13,
            column: 32,
            end_column: 38
        }
    );
    let net = &m.requires[2];
    assert!(net.indirect);
    assert_eq!(net.pos.line, 18);
    assert_eq!(net.pos.column, 2);
    assert!(m.requires[3].version.is_incompatible());
    assert!(m.requires[4].version.pseudo().is_some());
    assert_eq!(m.requires[5].path, "example.com/raw");
    assert_eq!(m.excludes[0].version.as_str(), "v1.0.1");
    assert!(m.replaces[0].is_local());
    assert_eq!(m.replaces[0].new_version, None);
    assert_eq!(
        m.replaces[1].old_version.as_ref().unwrap().as_str(),
        "v1.0.0"
    );
    assert_eq!(m.replaces[1].new_path, "github.com/me/fork");
    assert_eq!(
        m.retracts[0].rationale.as_deref(),
        Some("published too early")
    );
    assert_eq!(m.retracts[1].low.as_str(), "v1.1.0");
    assert!(m.retracts[1].contains(&GoVersion::parse("v1.1.3").unwrap()));
    assert_eq!(m.tools[0].value, "golang.org/x/tools/cmd/stringer");
}

#[test]
fn formatted_text_parses_back_to_the_same_contents() {
    let m = parse_go_mod(FULL, Mode::Strict).unwrap();
    let again = parse_go_mod(&m.format(), Mode::Strict).unwrap();
    assert_eq!(m.without_positions(), again.without_positions());
}

fn error_at(text: &str) -> (u32, u32, String) {
    let e = parse_go_mod(text, Mode::Strict).unwrap_err();
    (e.line, e.column, e.message)
}

#[test]
fn malformed_files_name_the_line_and_column() {
    assert_eq!(error_at("module a\n\nrequire example.com/x\n").0, 3);
    let (line, column, message) = error_at("module a\nrequire example.com/x 1.2.3\n");
    assert_eq!((line, column), (2, 23), "{message}");
    assert!(message.contains("must start with `v`"));
    let (line, _, message) = error_at("module a\nrequire (\n\texample.com/x v1.0.0\n");
    assert_eq!(line, 2);
    assert!(message.contains("never closed"));
    let (line, _, message) = error_at("module a\nfrobnicate x\n");
    assert_eq!(line, 2);
    assert!(message.contains("unknown directive"));
    assert_eq!(error_at("go 1.22\n").2, "no module directive");
    let (line, _, _) = error_at("module a\nreplace x => y\n");
    assert_eq!(line, 2);
    let (line, _, _) = error_at("module a\nreplace x => ../y v1.0.0\n");
    assert_eq!(line, 2);
    let (line, _, _) = error_at("module a\nretract [v1.0.0, v0.9.0]\n");
    assert_eq!(line, 2);
    let (line, _, _) = error_at("module a\ngo one\n");
    assert_eq!(line, 2);
    let (line, _, _) = error_at("module a\n/* c */\n");
    assert_eq!(line, 2);
    assert!(parse_go_mod("module a\nfrobnicate x\n", Mode::Lax).is_ok());
}

#[test]
fn empty_blocks_and_crlf() {
    let m = parse_go_mod("module a\r\nrequire ()\r\nrequire (\r\n)\r\n", Mode::Strict).unwrap();
    assert!(m.requires.is_empty());
}

#[test]
fn go_work_files() {
    let w = parse_go_work(
        "go 1.23\n\nuse (\n\t./services/a\n\t./services/b\n)\n\nreplace example.com/x => ./x\n",
    )
    .unwrap();
    assert_eq!(w.uses.len(), 2);
    assert_eq!(w.uses[1].value, "./services/b");
    assert_eq!(w.uses[1].pos.line, 5);
    assert_eq!(w.replaces.len(), 1);
    let err = parse_go_work("go 1.23\nrequire x v1.0.0\n").unwrap_err();
    assert_eq!(err.line, 2);
}

#[test]
fn go_sum_lines() {
    let text = "github.com/google/uuid v1.6.0 h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=\n\
                github.com/google/uuid v1.6.0/go.mod h1:TIyPZe4MgqvfeYDBFedMoGGpEw/LqOeaOT+nhxU+yHo=\n";
    let sum = GoSum::parse(text).unwrap();
    assert_eq!(sum.lines.len(), 2);
    assert!(sum.lines[1].go_mod_only);
    assert!(
        sum.content_hash("github.com/google/uuid", "v1.6.0")
            .is_some()
    );
    assert_eq!(GoSum::parse(&sum.format()).unwrap(), sum);
    let err = GoSum::parse("a v1.0.0 h1:x=\nb v1.0.0\n").unwrap_err();
    assert_eq!((err.line, err.column), (2, 1));
    let err = GoSum::parse("a 1.0.0 h1:x=\n").unwrap_err();
    assert_eq!((err.line, err.column), (1, 3));
    let err = GoSum::parse("a v1.0.0 nohash\n").unwrap_err();
    assert_eq!((err.line, err.column), (1, 10));
}

fn path_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{1,8}\\.(com|org|io)/[a-z0-9_.-]{1,10}(/[a-z0-9]{1,6}){0,2}",
        "[a-z]{1,5}\\.com/[a-z]{1,4}~[a-z]{1,4}",
    ]
}

fn version_strategy() -> impl Strategy<Value = GoVersion> {
    prop_oneof![
        (0u64..20, 0u64..40, 0u64..40).prop_map(|(a, b, c)| format!("v{a}.{b}.{c}")),
        (0u64..5, 0u64..9, "[a-z]{1,5}", 0u64..9)
            .prop_map(|(a, b, pre, n)| format!("v{a}.{b}.0-{pre}.{n}")),
        (2000u64..2030, 1u64..13, "[0-9a-f]{12}")
            .prop_map(|(y, m, rev)| format!("v0.0.0-{y}{m:02}01120000-{rev}")),
        (2u64..9, 0u64..9).prop_map(|(a, b)| format!("v{a}.{b}.0+incompatible")),
    ]
    .prop_map(|text| GoVersion::parse(&text).expect("strategy makes valid versions"))
}

fn comment_strategy() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("[A-Za-z][A-Za-z0-9 .,:]{0,20}[A-Za-z0-9.]")
}

prop_compose! {
    fn go_mod_strategy()(
        module in path_strategy(),
        deprecated in comment_strategy(),
        go in proptest::option::of((1u64..3, 0u64..30).prop_map(|(a, b)| format!("{a}.{b}"))),
        toolchain in proptest::option::of((1u64..3, 0u64..30, 0u64..9).prop_map(|(a, b, c)| format!("go{a}.{b}.{c}"))),
        godebug in proptest::collection::vec(("[a-z]{1,8}", "[a-z0-9.]{1,6}"), 0..3),
        requires in proptest::collection::vec((path_strategy(), version_strategy(), any::<bool>()), 0..6),
        excludes in proptest::collection::vec((path_strategy(), version_strategy()), 0..3),
        replaces in proptest::collection::vec(
            (path_strategy(), proptest::option::of(version_strategy()),
             prop_oneof![
                 "\\.\\./[a-z]{1,6}".prop_map(|p| (p, None)),
                 (path_strategy(), version_strategy()).prop_map(|(p, v)| (p, Some(v))),
             ]),
            0..3),
        retracts in proptest::collection::vec((version_strategy(), version_strategy(), comment_strategy()), 0..3),
    ) -> GoMod {
        let zero = Pos::default();
        GoMod {
            module: Some(Module { path: module, deprecated, pos: zero }),
            go: go.map(|value| Setting { value, pos: zero }),
            toolchain: toolchain.map(|value| Setting { value, pos: zero }),
            godebug: godebug.into_iter().map(|(key, value)| Godebug { key, value, pos: zero }).collect(),
            requires: requires.into_iter().map(|(path, version, indirect)| Require { path, version, indirect, pos: zero, version_pos: zero }).collect(),
            excludes: excludes.into_iter().map(|(path, version)| Exclude { path, version, pos: zero }).collect(),
            replaces: replaces.into_iter().map(|(old_path, old_version, (new_path, new_version))| Replace { old_path, old_version, new_path, new_version, pos: zero }).collect(),
            retracts: retracts.into_iter().map(|(a, b, rationale)| {
                let (low, high) = if a <= b { (a, b) } else { (b, a) };
                Retract { low, high, rationale, pos: zero }
            }).collect(),
            tools: Vec::new(),
            ignores: Vec::new(),
        }
    }
}

#[test]
fn replacement_for_prefers_the_exact_version_and_ignores_other_versions() {
    let m = parse_go_mod(
        "module example.com/m\n\nreplace (\n\tx.io/a v1.0.0 => x.io/a v1.0.1\n\tx.io/a => x.io/fork v1.9.0\n\tx.io/b v2.0.0 => ../b\n)\n",
        Mode::Strict,
    )
    .unwrap();
    let v = |s: &str| GoVersion::parse(s).unwrap();
    let exact = replacement_for(&m.replaces, "x.io/a", &v("v1.0.0")).unwrap();
    assert!(exact.is_pin());
    assert_eq!(exact.target().unwrap().1.as_str(), "v1.0.1");
    let wildcard = replacement_for(&m.replaces, "x.io/a", &v("v1.2.0")).unwrap();
    assert!(!wildcard.is_pin());
    assert_eq!(wildcard.target().unwrap().0, "x.io/fork");
    assert!(replacement_for(&m.replaces, "x.io/b", &v("v1.0.0")).is_none());
    let local = replacement_for(&m.replaces, "x.io/b", &v("v2.0.0")).unwrap();
    assert!(local.target().is_none());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn go_mod_round_trips(m in go_mod_strategy()) {
        let text = m.format();
        let parsed = parse_go_mod(&text, Mode::Strict)
            .map_err(|e| TestCaseError::fail(format!("{e:?}\n{text}")))?;
        prop_assert_eq!(parsed.without_positions(), m.clone());
        let again = parse_go_mod(&parsed.format(), Mode::Strict).unwrap();
        prop_assert_eq!(again.without_positions(), m);
    }

    #[test]
    fn go_sum_round_trips(entries in proptest::collection::vec(
        ("[a-z]{1,6}\\.com/[a-z/]{1,10}[a-z]", version_strategy(), any::<bool>(), "[A-Za-z0-9+/]{43}="), 0..8)
    ) {
        let sum = GoSum {
            lines: entries.into_iter().enumerate().map(|(i, (path, version, go_mod_only, digest))| sum::SumLine {
                path, version, go_mod_only, hash: format!("h1:{digest}"), line: i as u32 + 1,
            }).collect(),
        };
        let parsed = GoSum::parse(&sum.format()).unwrap();
        prop_assert_eq!(&parsed, &sum);
        prop_assert_eq!(GoSum::parse(&parsed.format()).unwrap(), sum);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "(module|require|replace|retract|go|\\(|\\)|\\[|\\]|,|=>|\"|`|//|v1\\.2\\.3|[a-z./ \t\n])*") {
        let _ = parse_go_mod(&text, Mode::Strict);
        let _ = parse_go_mod(&text, Mode::Lax);
        let _ = parse_go_work(&text);
        let _ = GoSum::parse(&text);
    }
}
