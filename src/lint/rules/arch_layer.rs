use crate::lint::facts::Facts;
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::settings::ServiceLayout;
use crate::registry::RuleId;
use crate::report::Severity;
use std::collections::HashMap;

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
        let mut layouts: HashMap<&str, Option<ServiceLayout<'_>>> = HashMap::new();
        for file in &facts.go {
            if !facts.is_selected(&file.path) || file.is_test {
                continue;
            }
            let service = facts.service_of(&file.path);
            let layout = service.and_then(|s| {
                *layouts
                    .entry(s.name.as_str())
                    .or_insert_with(|| settings.layouts.for_service(&facts.repo.root.join(&s.root)))
            });
            let from_layer = service
                .zip(layout)
                .and_then(|(s, layout)| layout.layer_of(s.relative(&file.path)));
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
                    if let Some(to) = layout.and_then(|l| l.layer_of(&pseudo))
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
                                "layer `{}` imports layer `{}` (`{}`; {} layout)",
                                from.name,
                                to.name,
                                import.path,
                                layout.map_or("", |l| l.name)
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
