use crate::lint::facts::{Facts, parent};
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::registry::{Need, RuleId};
use crate::report::{Severity, Span};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

pub struct ArchImportCycle;

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

/// Tarjan's algorithm, iterative; components come out with sorted members.
fn strongly_connected(
    graph: &BTreeMap<String, BTreeMap<String, (String, Span)>>,
) -> Vec<Vec<String>> {
    let nodes: BTreeSet<&String> = graph
        .keys()
        .chain(graph.values().flat_map(|e| e.keys()))
        .collect();
    let nodes: Vec<&String> = nodes.into_iter().collect();
    let index_of: BTreeMap<&String, usize> =
        nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let edges: Vec<Vec<usize>> = nodes
        .iter()
        .map(|n| {
            graph
                .get(*n)
                .map(|e| e.keys().filter_map(|k| index_of.get(k).copied()).collect())
                .unwrap_or_default()
        })
        .collect();
    let n = nodes.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next_index = 0;
    let mut components = Vec::new();
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut edge)) = work.last_mut() {
            if *edge == 0 && index[v] == usize::MAX {
                index[v] = next_index;
                low[v] = next_index;
                next_index += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if *edge < edges[v].len() {
                let w = edges[v][*edge];
                *edge += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(nodes[w].clone());
                    if w == v {
                        break;
                    }
                }
                component.sort();
                components.push(component);
            }
        }
    }
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
