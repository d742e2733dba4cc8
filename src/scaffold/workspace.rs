//! A new Go service inside a repository that already has Go modules: the
//! module path follows the repository's own layout when none is given, and
//! the go.work's `go` line is raised to the service's when it gains a `use`
//! of it (what `go work use` does; the `use` line itself is planned by
//! `client::wire_workspace`).

use super::client::WorkEdit;
use super::limits::{self, Limits};
use crate::error::InputError;
use crate::gomod::{self, GoWork, Mode};
use std::path::{Path, PathBuf};

/// The Go workspace around a new service's directory.
pub(crate) struct Workspace {
    /// The nearest go.work above the directory, parsed.
    work: Option<WorkFile>,
    /// The nearest go.mod above the directory (not in it): the module a
    /// nested service sits in when there is no go.work.
    parent_module: Option<(PathBuf, String)>,
    /// The service directory, absolute, as it will be once created.
    dir: PathBuf,
}

struct WorkFile {
    path: PathBuf,
    parsed: GoWork,
}

impl Workspace {
    pub(crate) fn find(dir: &Path, limits: &Limits) -> Result<Workspace, InputError> {
        let dir = super::state::canonical_even_if_missing(dir).unwrap_or_else(|| dir.to_path_buf());
        let mut work = None;
        let mut parent_module = None;
        for ancestor in dir.ancestors().skip(1) {
            let gomod = ancestor.join("go.mod");
            if parent_module.is_none() && gomod.is_file() {
                let shown = gomod.display().to_string();
                let text = limits::read_input(&gomod, &shown, limits.max_input_bytes)?;
                // A go.mod that does not parse is left to the go command to
                // report; it only ever suggests a default here.
                if let Ok(parsed) = gomod::parse_go_mod(&text, Mode::Lax)
                    && !parsed.module_path().is_empty()
                {
                    parent_module =
                        Some((ancestor.to_path_buf(), parsed.module_path().to_string()));
                }
            }
            let path = ancestor.join("go.work");
            if path.is_file() {
                let shown = path.display().to_string();
                let text = limits::read_input(&path, &shown, limits.max_input_bytes)?;
                let parsed =
                    gomod::parse_go_work(&text).map_err(|e| e.into_input_error(&path, &text))?;
                work = Some(WorkFile { path, parsed });
                break;
            }
        }
        Ok(Workspace {
            work,
            parent_module,
            dir,
        })
    }

    /// The module path the repository's layout implies for the service, and
    /// why: every module of the go.work whose path ends with its directory
    /// gives the same prefix (or, without a go.work, the enclosing module's
    /// path plus the directory). None when nothing says so, or when the
    /// modules disagree: the service name is then the default, as before.
    pub(crate) fn implied_module(&self, limits: &Limits) -> Option<(String, String)> {
        match &self.work {
            Some(work) => self.module_from_work(work, limits),
            None => {
                let (root, module) = self.parent_module.as_ref()?;
                let rel = slash_relative(root, &self.dir)?;
                Some((
                    format!("{module}/{rel}"),
                    format!("the directory's path inside module {module}"),
                ))
            }
        }
    }

    fn module_from_work(&self, work: &WorkFile, limits: &Limits) -> Option<(String, String)> {
        let root = work.path.parent()?;
        let mut prefix: Option<(String, String)> = None;
        for used in &work.parsed.uses {
            let dir = normalize(&root.join(&used.value));
            let gomod = dir.join("go.mod");
            let shown = gomod.display().to_string();
            let Ok(text) = limits::read_input(&gomod, &shown, limits.max_input_bytes) else {
                continue;
            };
            let Ok(parsed) = gomod::parse_go_mod(&text, Mode::Lax) else {
                continue;
            };
            let module = parsed.module_path();
            let rel = slash_relative(root, &dir)?;
            let this = if rel.is_empty() {
                Some(module.to_string())
            } else {
                module.strip_suffix(&format!("/{rel}")).map(str::to_string)
            };
            let Some(this) = this else { continue };
            match &prefix {
                Some((seen, _)) if *seen != this => return None,
                Some(_) => {}
                None => prefix = Some((this, format!("{} is {module}", display_rel(&rel)))),
            }
        }
        let (prefix, example) = prefix?;
        let rel = slash_relative(root, &self.dir)?;
        Some((
            format!("{prefix}/{rel}"),
            format!("the workspace's layout: {example}"),
        ))
    }
}

/// The edited go.work's `go` line raised to `wanted` (the service's) when
/// older, and a `toolchain` line below it dropped, as `go work use` does:
/// the go command refuses a workspace older than one of its modules. A
/// go.work whose lines cannot be read is left as it is, for the go command
/// to report.
pub(crate) fn raise_go_line(work: &mut WorkEdit, wanted: &str) {
    let Ok(parsed) = gomod::parse_go_work(&work.content) else {
        return;
    };
    let Some(current) = parsed.go.filter(|go| older(&go.value, wanted)) else {
        return;
    };
    let mut lines: Vec<String> = work.content.lines().map(str::to_string).collect();
    let Some(line) = lines.get_mut(current.pos.line as usize - 1) else {
        return;
    };
    *line = line.replacen(&current.value, wanted, 1);
    let mut raised = format!("go {} -> {wanted}, the service's go line", current.value);
    if let Some(toolchain) = parsed
        .toolchain
        .filter(|t| older(t.value.trim_start_matches("go"), wanted))
    {
        let index = toolchain.pos.line as usize - 1;
        if index < lines.len() {
            lines.remove(index);
            // The blank line that set it apart goes with it.
            if index > 0
                && lines.get(index).is_some_and(|l| l.trim().is_empty())
                && lines[index - 1].trim().is_empty()
            {
                lines.remove(index);
            }
            raised.push_str(&format!("; toolchain {} dropped", toolchain.value));
        }
    }
    let mut content = lines.join("\n");
    content.push('\n');
    work.content = content;
    work.raised = Some(raised);
}

/// The `go` line of a rendered go.mod.
pub(crate) fn go_line(gomod_text: &str) -> Option<String> {
    let parsed = gomod::parse_go_mod(gomod_text, Mode::Lax).ok()?;
    Some(parsed.go?.value)
}

/// Go's order of language versions: `1.26` < `1.26rc1` < `1.26.0`. An
/// unreadable version is never called older: trellis then leaves the line
/// alone and the go command reports it.
fn older(current: &str, wanted: &str) -> bool {
    let key = |v: &str| {
        let (major, minor, patch, pre) = gomod::version::parse_go_language(v)?;
        let explicit_patch = v.matches('.').count() >= 2;
        // (has patch, patch) sorts a bare `1.N` and its release candidates
        // before `1.N.0`.
        let stage = match (explicit_patch, pre.is_empty()) {
            (false, true) => 0,
            (false, false) => 1,
            (true, _) => 2,
        };
        Some((major, minor, stage, patch))
    };
    matches!((key(current), key(wanted)), (Some(c), Some(w)) if c < w)
}

/// A `use` directory as the go command finds it, links resolved.
fn normalize(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// `to` below `from`, with `/` separators; None when it is not below.
fn slash_relative(from: &Path, to: &Path) -> Option<String> {
    let rest = to.strip_prefix(from).ok()?;
    let parts: Vec<String> = rest
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

fn display_rel(rel: &str) -> &str {
    if rel.is_empty() {
        "the root module"
    } else {
        rel
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_versions_order_as_the_go_command_does() {
        assert!(older("1.23.0", "1.26.0"));
        assert!(older("1.26", "1.26.0"));
        assert!(older("1.26rc1", "1.26.0"));
        assert!(!older("1.26.0", "1.26.0"));
        assert!(!older("1.27", "1.26.0"));
        assert!(!older("nonsense", "1.26.0"));
    }

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn a_workspace_whose_modules_follow_their_directories_implies_the_module() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            root,
            "go.work",
            "go 1.23.0\n\nuse (\n\t./app/cart\n\t./common\n)\n",
        );
        write(
            root,
            "app/cart/go.mod",
            "module example.com/shop/app/cart\n",
        );
        write(root, "common/go.mod", "module example.com/shop/common\n");
        let ws = Workspace::find(&root.join("app/ledger"), &Limits::default()).unwrap();
        let (module, why) = ws.implied_module(&Limits::default()).unwrap();
        assert_eq!(module, "example.com/shop/app/ledger");
        assert!(
            why.contains("app/cart is example.com/shop/app/cart"),
            "{why}"
        );
    }

    #[test]
    fn modules_that_disagree_imply_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(root, "go.work", "go 1.26.0\n\nuse ./a\nuse ./b\n");
        write(root, "a/go.mod", "module example.com/one/a\n");
        write(root, "b/go.mod", "module example.com/two/b\n");
        let ws = Workspace::find(&root.join("c"), &Limits::default()).unwrap();
        assert!(ws.implied_module(&Limits::default()).is_none());
    }

    #[test]
    fn without_a_workspace_the_enclosing_module_gives_the_prefix() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(root, "go.mod", "module github.com/acme/shop\n\ngo 1.22\n");
        let ws = Workspace::find(&root.join("app/ledger"), &Limits::default()).unwrap();
        assert_eq!(
            ws.implied_module(&Limits::default()).unwrap().0,
            "github.com/acme/shop/app/ledger"
        );
    }

    fn edit(text: &str) -> WorkEdit {
        WorkEdit {
            path: PathBuf::from("go.work"),
            content: format!("{text}\nuse ./app/ledger\n"),
            added: vec!["./app/ledger".to_string()],
            original: text.to_string(),
            raised: None,
        }
    }

    #[test]
    fn an_older_go_line_is_raised_and_an_older_toolchain_dropped() {
        let mut work = edit("go 1.23.0\n\ntoolchain go1.23.11\n\nuse (\n\t./app/cart\n)\n");
        raise_go_line(&mut work, "1.26.0");
        assert_eq!(
            work.content,
            "go 1.26.0\n\nuse (\n\t./app/cart\n)\n\nuse ./app/ledger\n"
        );
        let raised = work.raised.unwrap();
        assert!(raised.contains("go 1.23.0 -> 1.26.0"), "{raised}");
        assert!(raised.contains("toolchain go1.23.11 dropped"), "{raised}");
        assert_eq!(gomod::parse_go_work(&work.content).unwrap().uses.len(), 2);
    }

    #[test]
    fn a_current_go_line_and_a_newer_toolchain_are_kept() {
        let text = "go 1.26.0\n\ntoolchain go1.26.8\n";
        let mut work = edit(text);
        raise_go_line(&mut work, "1.26.0");
        assert_eq!(work.content, format!("{text}\nuse ./app/ledger\n"));
        assert!(work.raised.is_none());
    }
}
