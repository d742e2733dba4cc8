use crate::lint::facts::Facts;
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::lint::settings::ServiceLayout;
use crate::lint::settings::Settings;
use crate::registry::RuleId;
use crate::repo::Service;
use crate::report::Severity;
use std::collections::HashMap;

pub(crate) struct ArchLayer;

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
        let mut roots = LayoutRoots::new(facts, settings);
        for file in &facts.go {
            if !facts.is_selected(&file.path) || file.is_test {
                continue;
            }
            let service = facts.service_of(&file.path);
            let placed = service.and_then(|s| roots.of(s, &file.path));
            let layout = placed.map(|(layout, _)| layout);
            let from_layer =
                placed.and_then(|(layout, root)| layout.layer_of(relative_to(root, &file.path)));
            for import in &file.imports {
                let Some(dir) = facts.package_dir(&file.path, &import.path) else {
                    continue;
                };
                if let (Some(service), Some(from)) = (service, from_layer)
                    && facts
                        .service_of_import(&file.path, &import.path)
                        .is_some_and(|t| t.name == service.name)
                {
                    let pseudo = placed
                        .filter(|(_, root)| is_under(root, &dir))
                        .map(|(_, root)| format!("{}/_", relative_to(root, &dir)));
                    if let Some(to) = layout
                        .zip(pseudo)
                        .and_then(|(l, pseudo)| l.layer_of(&pseudo))
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

/// Where a file's layer table comes from: its service's root, or (when the
/// service root follows no layout and none is configured) the nearest
/// directory between the file and the service root that has a built-in
/// layout's directories. Answers are kept per directory.
struct LayoutRoots<'f, 's> {
    facts: &'f Facts<'f>,
    settings: &'s Settings,
    services: HashMap<String, Option<ServiceLayout<'s>>>,
    nested: HashMap<String, Option<ServiceLayout<'s>>>,
}

impl<'f, 's> LayoutRoots<'f, 's> {
    fn new(facts: &'f Facts<'f>, settings: &'s Settings) -> Self {
        LayoutRoots {
            facts,
            settings,
            services: HashMap::new(),
            nested: HashMap::new(),
        }
    }

    /// The layout and the directory its paths are relative to.
    fn of<'a>(
        &mut self,
        service: &'a Service,
        path: &'a str,
    ) -> Option<(ServiceLayout<'s>, &'a str)> {
        let (facts, settings) = (self.facts, self.settings);
        let at_root = *self
            .services
            .entry(service.name.clone())
            .or_insert_with(|| {
                settings
                    .layouts
                    .for_service(&facts.repo.root.join(&service.root))
            });
        if let Some(layout) = at_root {
            return Some((layout, service.root.as_str()));
        }
        if settings.layouts.is_fixed() {
            return None;
        }
        let nested = &mut self.nested;
        crate::lint::layout::nearest_layout_dir(&service.root, path, |dir| {
            *nested
                .entry(dir.to_string())
                .or_insert_with(|| settings.layouts.detect_at(&facts.repo.root.join(dir)))
        })
    }
}

fn is_under(root: &str, path: &str) -> bool {
    root.is_empty() || path == root || path.starts_with(&format!("{root}/"))
}

fn relative_to<'a>(root: &str, path: &'a str) -> &'a str {
    if root.is_empty() {
        path
    } else {
        path.strip_prefix(root)
            .map(|rest| rest.trim_start_matches('/'))
            .unwrap_or(path)
    }
}
