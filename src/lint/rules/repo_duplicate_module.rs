use crate::lint::facts::Facts;
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::registry::RuleId;
use crate::report::{Severity, Span};

pub(crate) struct RepoDuplicateModule;

static META: RuleMeta = RuleMeta {
    id: RuleId::RepoDuplicateModule.as_str(),
    target: Target::Repo,
    default_severity: Severity::Warning,
    summary: "Two or more analysed go.mod files declare the same module path",
    docs: include_str!("repo_duplicate_module.md"),
    needs: &[],
};

impl Rule for RepoDuplicateModule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_repo(&self, facts: &Facts<'_>, cx: &mut Cx<'_>) {
        for duplicate in &facts.repo.duplicate_modules {
            let Some((first, others)) = duplicate.manifests.split_first() else {
                continue;
            };
            if !duplicate.manifests.iter().any(|m| facts.is_selected(m)) {
                continue;
            }
            let service = facts.service_of(first).map(|s| s.name.clone());
            let mut emitted = cx
                .emit_in(
                    first,
                    service.as_deref(),
                    module_line(facts, first),
                    format!(
                        "module {} is declared by {} go.mod files",
                        duplicate.path,
                        duplicate.manifests.len()
                    ),
                    &duplicate.path,
                )
                .help("give each copy its own module path, list the real modules in a go.work, or exclude the copies in trellis.yaml");
            for other in others {
                emitted = emitted.related(other, module_line(facts, other), "also declared here");
            }
        }
    }
}

/// The `module` line of a go.mod, to point at.
fn module_line(facts: &Facts<'_>, manifest: &str) -> Option<Span> {
    let text = std::fs::read_to_string(facts.repo.absolute(manifest)).ok()?;
    text.lines().enumerate().find_map(|(i, line)| {
        let trimmed = line.trim_start();
        (trimmed.starts_with("module ") || trimmed.starts_with("module\t")).then(|| {
            let column = (line.len() - trimmed.len()) as u32 + 1;
            Span {
                line: i as u32 + 1,
                column,
                end_line: i as u32 + 1,
                end_column: line.trim_end().chars().count() as u32 + 1,
            }
        })
    })
}
