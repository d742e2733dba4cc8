use crate::lint::facts::Facts;
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::registry::RuleId;
use crate::repo::{Language, Service};
use crate::report::Severity;

pub(crate) struct LayoutEntrypoint;

static META: RuleMeta = RuleMeta {
    id: RuleId::LayoutEntrypoint.as_str(),
    target: Target::Repo,
    default_severity: Severity::Warning,
    summary: "A service has no entry point (cmd/<name>/main.go, or src/main.rs / src/bin/ for Rust)",
    docs: include_str!("layout_entrypoint.md"),
    needs: &[],
};

impl Rule for LayoutEntrypoint {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_repo(&self, facts: &Facts<'_>, cx: &mut Cx<'_>) {
        for service in &facts.repo.services {
            if !facts.is_selected(&service.manifest) {
                continue;
            }
            let mains = go_mains(facts, service);
            // A `[[bin]]` with its own `path` is an entry point wherever it lives.
            let declared_bin = facts.repo.rust_crates.iter().any(|c| {
                c.dir == service.root
                    && c.bin_paths
                        .iter()
                        .any(|p| facts.repo.files.binary_search(p).is_ok())
            });
            let has_entry = declared_bin
                || layout_entry_point(facts, cx, service)
                || conventional_go_main(service, &mains)
                || facts
                    .repo
                    .files
                    .iter()
                    .filter(|f| service.contains(f))
                    .map(|f| service.relative(f))
                    .any(|rel| {
                        let parts: Vec<&str> = rel.split('/').collect();
                        match service.language {
                            Language::Go => matches!(parts.as_slice(), ["cmd", _, "main.go"]),
                            Language::Rust => {
                                rel == "src/main.rs"
                                    || matches!(parts.as_slice(), ["src", "bin", _, ..])
                            }
                        }
                    });
            if has_entry {
                continue;
            }
            let mut programs: Vec<&str> = mains.iter().map(|m| parent(m)).collect();
            programs.sort_unstable();
            programs.dedup();
            if programs.len() > 1 {
                // Several programs in one service (a module holding many
                // services, each with its own main): which one is the
                // service's is not something the layout says.
                log::info!(
                    "layout-entrypoint: {}: not checked: {} directories hold a package main ({}), so the service's own entry point cannot be told",
                    service.name,
                    programs.len(),
                    programs
                        .iter()
                        .map(|p| if p.is_empty() { "." } else { p })
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                continue;
            }
            // Services of the same name elsewhere are told apart by their
            // path (`gomall/tutorial/ch02/demo/demo_thrift`): the program is
            // still named after the last part.
            let program = service.name.rsplit('/').next().unwrap_or(&service.name);
            let expected = match service.language {
                Language::Go => format!("cmd/{program}/main.go"),
                Language::Rust => "src/main.rs".to_string(),
            };
            // A `package main` elsewhere is an entry point, just not where
            // the layout puts it: say where it is rather than claim there is none.
            let (message, help) = match main_file(facts, service, &mains) {
                Some(main) => (
                    format!(
                        "service {} starts from {main}, not from {expected}",
                        service.name
                    ),
                    format!(
                        "move {main} (package main, wiring only) to {expected} and the rest of its package under internal/"
                    ),
                ),
                None => (
                    format!("service {} has no entry point ({expected})", service.name),
                    format!("add {expected} that wires the service's dependencies and starts it"),
                ),
            };
            cx.emit_in(
                &service.manifest,
                Some(&service.name),
                None,
                message,
                &service.name,
            )
            .help(help);
        }
    }
}

/// The non-test `package main` files of a Go service, relative to its root.
fn go_mains<'f>(facts: &'f Facts<'_>, service: &Service) -> Vec<&'f str> {
    if service.language != Language::Go {
        return Vec::new();
    }
    facts
        .go
        .iter()
        .filter(|f| f.package == "main" && !f.is_test)
        .filter(|f| {
            facts
                .service_of(&f.path)
                .is_some_and(|s| s.root == service.root)
        })
        .map(|f| service.relative(&f.path))
        .collect()
}

/// A `package main` in `cmd/<program>/`, whatever its file is called
/// (go-zero's `cmd/api/order.go`, go-kit's `cmd/addsvc/addsvc.go`), or at
/// the root of a service that is itself `cmd/<program>` (a tool's module).
fn conventional_go_main(service: &Service, mains: &[&str]) -> bool {
    let in_cmd = |main: &&str| {
        let parts: Vec<&str> = main.split('/').collect();
        matches!(parts.as_slice(), ["cmd", _, _])
    };
    let module_in_cmd = {
        let parts: Vec<&str> = service.root.split('/').collect();
        parts.len() >= 2 && parts[parts.len() - 2] == "cmd"
    };
    mains.iter().any(in_cmd) || (module_in_cmd && mains.iter().any(|m| !m.contains('/')))
}

fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// The file of a single program that declares `func main`, else the first.
fn main_file<'m>(facts: &Facts<'_>, service: &Service, mains: &[&'m str]) -> Option<&'m str> {
    let first = mains
        .iter()
        .copied()
        .min_by_key(|rel| (rel.matches('/').count(), *rel))?;
    let declares_main = |rel: &&str| {
        let path = facts.repo.root.join(&service.root).join(rel);
        std::fs::read_to_string(path).is_ok_and(|source| {
            source.starts_with("func main()") || source.contains("\nfunc main()")
        })
    };
    Some(
        mains
            .iter()
            .copied()
            .filter(|m| parent(m) == parent(first))
            .find(declares_main)
            .unwrap_or(first),
    )
}

/// A `package main` where the service's layout puts it (go-zero's goctl
/// writes `greet.go` at the service root), when the layout says so.
fn layout_entry_point(facts: &Facts<'_>, cx: &Cx<'_>, service: &Service) -> bool {
    if service.language != Language::Go {
        return false;
    }
    let Some(layout) = cx
        .settings
        .layouts
        .for_service(&facts.repo.root.join(&service.root))
    else {
        return false;
    };
    let Some(file) = crate::lint::layout::builtin()
        .iter()
        .find(|built_in| built_in.name == layout.name)
    else {
        return false;
    };
    let patterns: Vec<globset::GlobMatcher> = file
        .entrypoints
        .iter()
        .filter_map(|pattern| {
            globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .ok()
        })
        .map(|glob| glob.compile_matcher())
        .collect();
    !patterns.is_empty()
        && facts
            .go
            .iter()
            .filter(|f| f.package == "main" && !f.is_test && service.contains(&f.path))
            .any(|f| {
                let relative = service.relative(&f.path);
                patterns.iter().any(|p| p.is_match(relative))
            })
}
