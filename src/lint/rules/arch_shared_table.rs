use crate::lint::facts::Facts;
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::registry::{Need, RuleId};
use crate::repo::tables::{TableAccess, TableUse};
use crate::report::{Severity, Span};
use std::collections::{BTreeMap, BTreeSet};

pub(crate) struct ArchSharedTable;

static META: RuleMeta = RuleMeta {
    id: RuleId::ArchSharedTable.as_str(),
    target: Target::Repo,
    default_severity: Severity::Error,
    summary: "A database table is named in the SQL of two or more services (data coupling)",
    docs: include_str!("arch_shared_table.md"),
    needs: &[Need::SharedTables],
};

impl Rule for ArchSharedTable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_repo(&self, facts: &Facts<'_>, cx: &mut Cx<'_>) {
        let mut by_table: BTreeMap<&str, Vec<&TableUse>> = BTreeMap::new();
        for table_use in facts.tables.iter().filter(|u| !u.service.is_empty()) {
            by_table
                .entry(&table_use.table)
                .or_default()
                .push(table_use);
        }
        // Copies of one module (same module path: tutorial chapters, an
        // example kept beside the real service) are one service to the
        // database: their tables are not shared between teams.
        let identity = |name: &str| -> String {
            facts
                .repo
                .service(name)
                .filter(|s| s.language == crate::repo::Language::Go && !s.module.is_empty())
                .map_or_else(|| name.to_string(), |s| s.module.clone())
        };
        for (table, uses) in by_table {
            let services: BTreeSet<&str> = uses.iter().map(|u| u.service.as_str()).collect();
            let identities: BTreeSet<String> = services.iter().map(|s| identity(s)).collect();
            if identities.len() < 2 {
                continue;
            }
            let owners: BTreeSet<&str> = uses
                .iter()
                .filter(|u| u.access == TableAccess::Define)
                .map(|u| u.service.as_str())
                .collect();
            let owner = (owners.len() == 1)
                .then(|| owners.iter().next().copied())
                .flatten();
            let definition = owner.and_then(|o| {
                uses.iter()
                    .find(|u| u.service == o && u.access == TableAccess::Define)
            });
            // One finding per (file, service) and table, at its first use.
            let mut reported = BTreeSet::new();
            for table_use in &uses {
                if Some(table_use.service.as_str()) == owner {
                    continue;
                }
                if !reported.insert((&table_use.path, &table_use.service))
                    || !facts.is_selected(&table_use.path)
                {
                    continue;
                }
                let others: Vec<&str> = services
                    .iter()
                    .copied()
                    .filter(|s| *s != table_use.service)
                    .collect();
                let verb = match table_use.access {
                    TableAccess::Read => "reads",
                    TableAccess::Write => "writes",
                    TableAccess::Define => "defines",
                };
                let message = match owner {
                    Some(owner) => format!(
                        "{} {verb} table `{table}`, which {owner} owns",
                        table_use.service
                    ),
                    None if owners.len() > 1 => format!(
                        "{} {verb} table `{table}`, which {} all define",
                        table_use.service,
                        owners.iter().copied().collect::<Vec<_>>().join(", ")
                    ),
                    None => format!(
                        "{} {verb} table `{table}`, which {} also use",
                        table_use.service,
                        others.join(", ")
                    ),
                };
                let span = Span {
                    line: table_use.line,
                    column: table_use.column,
                    end_line: table_use.line,
                    end_column: table_use.column + table.chars().count() as u32,
                };
                let mut emitted = cx
                    .emit_in(
                        &table_use.path,
                        Some(&table_use.service),
                        Some(span),
                        message,
                        &format!("{table}:{}", table_use.service),
                    )
                    .help(match owner {
                        Some(owner) => format!(
                            "ask {owner} through its API, or keep a copy of the data fed by {owner}'s events"
                        ),
                        None => "give the table one owning service; the others go through its API".to_string(),
                    });
                if let Some(definition) = definition {
                    emitted = emitted.related(
                        &definition.path,
                        Some(Span::over(definition.line, definition.column, table)),
                        &format!("`{table}` is defined here, by {}", definition.service),
                    );
                }
                for other in &others {
                    if Some(*other) == owner {
                        continue;
                    }
                    if let Some(first) = uses.iter().find(|u| u.service == *other) {
                        emitted = emitted.note(format!(
                            "also used by {other} at {}:{}",
                            first.path, first.line
                        ));
                    }
                }
            }
        }
    }
}
