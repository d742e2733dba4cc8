//! drift-deprecated (with --upstream): a module whose newest go.mod says `// Deprecated:`.

use super::{Ctx, also_in};
use crate::drift::gomod::Require;
use crate::drift::model::GoModule;
use crate::drift::upstream::UpstreamData;
use crate::registry::{Def, Need, RuleId};
use crate::report::{Finding, Severity};
use std::collections::BTreeMap;

pub(crate) const ID: &str = RuleId::DriftDeprecated.as_str();

pub(crate) const DEF: Def = Def::new(
    Severity::Warning,
    "A required module is deprecated by its authors",
    include_str!("deprecated.md"),
)
.needing(&[Need::Upstream]);

/// One finding per deprecated module, at the first go.mod requiring it, with
/// the others as related places.
pub(crate) fn check(ctx: &Ctx<'_>, data: &UpstreamData, out: &mut Vec<Finding>) {
    type Uses<'a> = Vec<(&'a GoModule, &'a Require)>;
    let mut groups: BTreeMap<&str, (&str, Uses<'_>)> = BTreeMap::new();
    for module in ctx.facts.service_modules() {
        for req in &module.parsed.requires {
            let Some(message) = data
                .go
                .get(&req.path)
                .and_then(|u| u.latest_mod.as_ref())
                .and_then(|m| m.module.as_ref())
                .and_then(|m| m.deprecated.as_ref())
            else {
                continue;
            };
            groups
                .entry(req.path.as_str())
                .or_insert_with(|| (message.as_str(), Vec::new()))
                .1
                .push((module, req));
        }
    }
    for (path, (message, mut uses)) in groups {
        uses.sort_by(|a, b| a.0.manifest.cmp(&b.0.manifest));
        let (module, req) = uses[0];
        let mut finding = Finding::new(
            ID,
            Severity::Warning,
            &module.manifest,
            format!(
                "{path} is deprecated: {message}{}",
                also_in(uses.len() - 1, "go.mod file")
            ),
            path,
        )
        .at(req.pos.span())
        .service(Some(module.name.clone()))
        .module(path.to_string())
        .help("move to the successor the deprecation names");
        for (other, req) in &uses[1..] {
            finding = finding.related(
                &other.manifest,
                Some(req.pos.span()),
                format!("{} requires {path} {} too", other.name, req.version),
            );
        }
        out.push(finding);
    }
}
