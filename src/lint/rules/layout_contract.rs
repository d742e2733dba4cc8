use crate::lint::facts::Facts;
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::registry::RuleId;
use crate::report::Severity;

pub struct LayoutContract;

static META: RuleMeta = RuleMeta {
    id: RuleId::LayoutContract.as_str(),
    target: Target::Repo,
    default_severity: Severity::Warning,
    summary: "A service owns no .proto contract",
    docs: include_str!("layout_contract.md"),
    needs: &[],
};

impl Rule for LayoutContract {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_repo(&self, facts: &Facts<'_>, cx: &mut Cx<'_>) {
        // Services that talk over HTTP or messaging only: nothing here says
        // which of them should have had a contract, so the rule cannot tell.
        if !facts.repo.files.iter().any(|f| f.ends_with(".proto")) {
            if !facts.repo.services.is_empty() {
                log::info!(
                    "layout-contract: not checked: the repository has no .proto file, so its services do not use protobuf contracts"
                );
            }
            return;
        }
        for service in &facts.repo.services {
            if service.contracts.is_empty() && facts.is_selected(&service.manifest) {
                cx.emit_in(
                    &service.manifest,
                    Some(&service.name),
                    None,
                    format!("service {} owns no .proto contract", service.name),
                    &service.name,
                )
                .help(format!(
                    "add api/{}/v1/{}.proto, or map its contract directory under contracts.owners",
                    service.name.trim_end_matches("-service"),
                    service.name.trim_end_matches("-service").replace('-', "_")
                ));
            }
        }
    }
}
