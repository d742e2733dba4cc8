//! Units that import each other are compiled together, when that cannot
//! change a result. A unit compiled alone compiles everything it imports
//! from other units again; services whose protos import each other's would
//! compile the whole tree once per service.
//!
//! Two groups of paired units merge when, over both sides, they share no
//! import name (so every name still means one file, and no file pairs
//! across units) and no package (so no definition can collide, and no
//! message, enum or service pairs across units), and when every import of
//! their files still resolves to the file it resolved to in its own unit.
//! The rules then see in one compilation exactly what they saw in each unit.

use super::SideUnits;
use crate::contract::source::Header;
use std::collections::{HashMap, HashSet};

/// What a group of paired units holds, over both sides.
struct Group {
    pairs: Vec<usize>,
    names: HashSet<String>,
    packages: HashSet<String>,
    /// Imports of its files that resolve in another pair: (import name, that pair).
    out: Vec<(String, usize)>,
}

impl Group {
    fn of(
        sides: &[SideUnits; 2],
        pair: usize,
        units: &[usize; 2],
        headers: &[HashMap<String, Header>; 2],
        pair_of: &[Vec<usize>; 2],
    ) -> Group {
        let mut group = Group {
            pairs: vec![pair],
            names: HashSet::new(),
            packages: HashSet::new(),
            out: Vec::new(),
        };
        for side in 0..2 {
            let unit = units[side];
            for (name, path) in &sides[side].units[unit].layout.names {
                group.names.insert(name.clone());
                let Some(header) = headers[side].get(path) else {
                    continue;
                };
                group
                    .packages
                    .insert(header.package.clone().unwrap_or_default());
                for import in &header.imports {
                    if let Some((found, _)) = sides[side].resolve(unit, import)
                        && found != unit
                        && pair_of[side][found] != usize::MAX
                    {
                        group.out.push((import.clone(), pair_of[side][found]));
                    }
                }
            }
        }
        group
    }
}

/// Groups of pair indices, each in ascending order, ordered by their first
/// pair. `pairs` are the unit indices on each side (the imports units not
/// among them).
pub(crate) fn groups(
    sides: &[SideUnits; 2],
    pairs: &[[usize; 2]],
    headers: &[HashMap<String, Header>; 2],
) -> Vec<Vec<usize>> {
    let mut pair_of = [
        vec![usize::MAX; sides[0].units.len()],
        vec![usize::MAX; sides[1].units.len()],
    ];
    for (pair, units) in pairs.iter().enumerate() {
        for side in 0..2 {
            pair_of[side][units[side]] = pair;
        }
    }
    let mut groups: Vec<Option<Group>> = pairs
        .iter()
        .enumerate()
        .map(|(pair, units)| Some(Group::of(sides, pair, units, headers, &pair_of)))
        .collect();
    let mut group_of: Vec<usize> = (0..pairs.len()).collect();
    let edges: Vec<(usize, usize)> = groups
        .iter()
        .flatten()
        .flat_map(|group| group.out.iter().map(|(_, to)| (group.pairs[0], *to)))
        .collect();
    for (from, to) in edges {
        let (a, b) = (group_of[from], group_of[to]);
        if a == b {
            continue;
        }
        let (keep, gone) = (a.min(b), a.max(b));
        let (Some(first), Some(second)) = (&groups[keep], &groups[gone]) else {
            continue;
        };
        if !mergeable(first, second, keep, gone, &group_of) {
            continue;
        }
        let gone_group = groups[gone].take().expect("checked above");
        for &pair in &gone_group.pairs {
            group_of[pair] = keep;
        }
        let kept = groups[keep].as_mut().expect("checked above");
        kept.pairs.extend(gone_group.pairs);
        kept.names.extend(gone_group.names);
        kept.packages.extend(gone_group.packages);
        kept.out.extend(gone_group.out);
    }
    groups
        .into_iter()
        .flatten()
        .map(|group| {
            let mut pairs = group.pairs;
            pairs.sort_unstable();
            pairs
        })
        .collect()
}

fn mergeable(a: &Group, b: &Group, id_a: usize, id_b: usize, group_of: &[usize]) -> bool {
    if !a.names.is_disjoint(&b.names) || !a.packages.is_disjoint(&b.packages) {
        return false;
    }
    // An import that leaves the merged group must not name a file in it:
    // the compiler would open that file instead.
    let leaves_and_clashes = |group: &Group, other: &Group| {
        group.out.iter().any(|(name, to)| {
            let target = group_of[*to];
            target != id_a && target != id_b && other.names.contains(name)
        })
    };
    !leaves_and_clashes(a, b) && !leaves_and_clashes(b, a)
}
