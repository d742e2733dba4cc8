use crate::lint::facts::Facts;
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::registry::RuleId;
use crate::report::Severity;

pub struct ArchLayer;

static META: RuleMeta = RuleMeta {
    id: RuleId::ArchLayer.as_str(),
    target: Target::Repo,
    default_severity: Severity::Error,
    summary: "A package imports a layer its own layer may not depend on (and configured boundaries)",
    docs: include_str!("arch_layer.md"),
    needs: &[],
};

impl Rule for ArchLayer {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_repo(&self, facts: &Facts<'_>, cx: &mut Cx<'_>) {
        let settings = cx.settings;
        for file in &facts.go {
            if !facts.is_selected(&file.path) || file.is_test {
                continue;
            }
            let service = facts.service_of(&file.path);
            let from_layer = service.and_then(|s| settings.layer_of(s.relative(&file.path)));
            for import in &file.imports {
                let Some(dir) = facts.package_dir(&file.path, &import.path) else {
                    continue;
                };
                if let (Some(service), Some(from)) = (service, from_layer)
                    && facts
                        .service_of_import(&file.path, &import.path)
                        .is_some_and(|t| t.name == service.name)
                {
                    let pseudo = format!("{}/_", service.relative(&dir));
                    if let Some(to) = settings.layer_of(&pseudo)
                        && !from.allows(&to.name)
                    {
                        let allowed = if from.may_depend_on.is_empty() {
                            "nothing".to_string()
                        } else {
                            from.may_depend_on.join(", ")
                        };
                        cx.emit_in(
                            &file.path,
                            Some(&service.name),
                            Some(import.span),
                            format!(
                                "layer `{}` imports layer `{}` (`{}`)",
                                from.name, to.name, import.path
                            ),
                            &import.path,
                        )
                        .help(format!(
                            "`{}` may use: {allowed}; move the shared code down a layer or invert the dependency with an interface",
                            from.name
                        ));
                    }
                }
                for boundary in &settings.boundaries {
                    if boundary.forbids(&file.path, &dir) {
                        let message = boundary.message.clone().unwrap_or_else(|| {
                            format!("`{}` crosses the boundary {}", import.path, boundary.text)
                        });
                        cx.emit_in(
                            &file.path,
                            service.map(|s| s.name.as_str()),
                            Some(import.span),
                            message,
                            &format!("{}:{}", boundary.text, import.path),
                        )
                        .note(format!("boundary: {}", boundary.text));
                    }
                }
            }
        }
    }
}
