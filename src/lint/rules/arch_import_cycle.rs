use crate::lint::facts::{Facts, parent};
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::registry::{Need, RuleId};
use crate::report::{Severity, Span};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

pub(crate) struct ArchImportCycle;

static META: RuleMeta = RuleMeta {
    id: RuleId::ArchImportCycle.as_str(),
    target: Target::Repo,
    default_severity: Severity::Error,
    summary: "Go packages of the repository import each other in a cycle",
    docs: include_str!("arch_import_cycle.md"),
    needs: &[Need::AllImports],
};

impl Rule for ArchImportCycle {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_repo(&self, facts: &Facts<'_>, cx: &mut Cx<'_>) {
        // package dir -> imported package dir -> the first (file, span) importing it
        let mut graph: BTreeMap<String, BTreeMap<String, (String, Span)>> = BTreeMap::new();
        let packages: BTreeSet<String> = facts
            .go
            .iter()
            .filter(|f| !f.is_test)
            .map(|f| parent(&f.path).to_string())
            .collect();
        for file in facts.go.iter().filter(|f| !f.is_test) {
            let from = parent(&file.path).to_string();
            for import in &file.imports {
                let Some(to) = facts.package_dir(&file.path, &import.path) else {
                    continue;
                };
                if to == from || !packages.contains(&to) {
                    continue;
                }
                graph
                    .entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_insert_with(|| (file.path.clone(), import.span));
            }
        }
        for component in strongly_connected(&graph) {
            if component.len() < 2 {
                continue;
            }
            let start = component[0].clone();
            let members: BTreeSet<&String> = component.iter().collect();
            let Some(cycle) = shortest_cycle(&graph, &start, &members) else {
                continue;
            };
            let next = &cycle[1];
            let Some((path, span)) = graph.get(&start).and_then(|e| e.get(next)) else {
                continue;
            };
            if !facts.is_selected(path) {
                continue;
            }
            let shown: Vec<&str> = cycle
                .iter()
                .map(|d| if d.is_empty() { "." } else { d.as_str() })
                .collect();
            let service = facts.service_of(path).map(|s| s.name.as_str());
            cx.emit_in(
                path,
                service,
                Some(*span),
                format!("import cycle: {}", shown.join(" -> ")),
                &component.join(","),
            )
            .help("move what both packages need into a package below them, or invert one edge with an interface");
        }
    }
}

/// The strongly connected components of the import graph, each with sorted
/// members, in sorted order: the report does not depend on the walk.
fn strongly_connected(
    graph: &BTreeMap<String, BTreeMap<String, (String, Span)>>,
) -> Vec<Vec<String>> {
    let names: BTreeSet<&str> = graph
        .keys()
        .chain(graph.values().flat_map(|e| e.keys()))
        .map(String::as_str)
        .collect();
    let mut digraph: petgraph::Graph<&str, ()> = petgraph::Graph::new();
    let index_of: BTreeMap<&str, petgraph::graph::NodeIndex> = names
        .into_iter()
        .map(|name| (name, digraph.add_node(name)))
        .collect();
    for (from, imports) in graph {
        for to in imports.keys() {
            digraph.add_edge(index_of[from.as_str()], index_of[to.as_str()], ());
        }
    }
    let mut components: Vec<Vec<String>> = petgraph::algo::tarjan_scc(&digraph)
        .into_iter()
        .map(|component| {
            let mut names: Vec<String> = component
                .into_iter()
                .map(|i| digraph[i].to_string())
                .collect();
            names.sort();
            names
        })
        .collect();
    components.sort();
    components
}

/// The shortest path start -> ... -> start inside the component.
fn shortest_cycle(
    graph: &BTreeMap<String, BTreeMap<String, (String, Span)>>,
    start: &String,
    members: &BTreeSet<&String>,
) -> Option<Vec<String>> {
    let mut previous: BTreeMap<&String, &String> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for next in graph.get(node).map(|e| e.keys()).into_iter().flatten() {
            if !members.contains(next) {
                continue;
            }
            if next == start {
                let mut cycle = vec![node.clone()];
                let mut current = node;
                while current != start {
                    current = previous.get(current)?;
                    cycle.push(current.clone());
                }
                cycle.reverse();
                cycle.push(start.clone());
                return Some(cycle);
            }
            if !previous.contains_key(next) && next != start {
                previous.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &str)]) -> BTreeMap<String, BTreeMap<String, (String, Span)>> {
        let mut graph: BTreeMap<String, BTreeMap<String, (String, Span)>> = BTreeMap::new();
        for (from, to) in edges {
            graph
                .entry(from.to_string())
                .or_default()
                .insert(to.to_string(), (format!("{from}/a.go"), Span::point(1, 1)));
        }
        graph
    }

    #[test]
    fn components_are_sorted_whatever_the_walk() {
        let g = graph(&[
            ("svc", "repo"),
            ("repo", "svc"),
            ("repo", "db"),
            ("x", "z"),
            ("z", "y"),
            ("y", "x"),
        ]);
        assert_eq!(
            strongly_connected(&g),
            [
                vec!["db".to_string()],
                vec!["repo".to_string(), "svc".to_string()],
                vec!["x".to_string(), "y".to_string(), "z".to_string()],
            ]
        );
    }

    #[test]
    fn the_reported_cycle_is_the_shortest_through_the_first_member() {
        let g = graph(&[("a", "b"), ("b", "c"), ("c", "a"), ("b", "a")]);
        let members: BTreeSet<&String> = g.keys().collect();
        let cycle = shortest_cycle(&g, &"a".to_string(), &members).unwrap();
        assert_eq!(cycle, ["a", "b", "a"]);
    }
}
