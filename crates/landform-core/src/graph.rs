//! Dependency graphs (stacks, resources): cycle detection that names the cycle, and a
//! deterministic topological order.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;

use crate::fast_hash::FastHashMap;

/// A directed graph where an edge `a -> b` means "a depends on b" (b comes first).
/// Node indexes are the order the nodes were added, which also breaks ties in the order.
///
/// ```
/// use landform_core::graph::DependencyGraph;
/// let mut g = DependencyGraph::new(3);
/// g.add_edge(0, 1, "0 reads 1");
/// g.add_edge(1, 2, "1 reads 2");
/// assert_eq!(g.topological_order().unwrap(), vec![2, 1, 0]);
/// g.add_edge(2, 0, "2 reads 0");
/// assert_eq!(g.topological_order().unwrap_err(), vec![vec![0, 1, 2]]);
/// ```
#[derive(Debug, Clone)]
pub struct DependencyGraph {
    graph: DiGraph<(), ()>,
    /// Reasons by edge, looked up by hash (tens of thousands of edges in a large app);
    /// [`DependencyGraph::edges`] sorts them when asked.
    reasons: FastHashMap<(usize, usize), Vec<String>>,
}

impl DependencyGraph {
    /// A graph of `nodes` nodes, numbered from 0, without edges.
    pub fn new(nodes: usize) -> Self {
        let mut graph = DiGraph::with_capacity(nodes, nodes);
        for _ in 0..nodes {
            graph.add_node(());
        }
        DependencyGraph {
            graph,
            reasons: FastHashMap::default(),
        }
    }

    /// `from` depends on `on`, for `reason`. Repeated edges keep every reason once.
    pub fn add_edge(&mut self, from: usize, on: usize, reason: impl Into<String>) {
        let reasons = self.reasons.entry((from, on)).or_default();
        if reasons.is_empty() {
            self.graph
                .add_edge(NodeIndex::new(from), NodeIndex::new(on), ());
        }
        let reason = reason.into();
        if !reasons.contains(&reason) {
            reasons.push(reason);
        }
    }

    /// [`DependencyGraph::add_edge`] for a reason the caller knows is new for this edge:
    /// kept without comparing it with the others (a stack read by hundreds of others gathers
    /// hundreds of reasons).
    pub(crate) fn add_edge_new_reason(&mut self, from: usize, on: usize, reason: String) {
        let reasons = self.reasons.entry((from, on)).or_default();
        if reasons.is_empty() {
            self.graph
                .add_edge(NodeIndex::new(from), NodeIndex::new(on), ());
        }
        reasons.push(reason);
    }

    /// The nodes `node` depends on directly, ascending.
    pub fn dependencies(&self, node: usize) -> Vec<usize> {
        let mut deps: Vec<usize> = self
            .graph
            .edges_directed(NodeIndex::new(node), Direction::Outgoing)
            .map(|e| e.target().index())
            .collect();
        deps.sort_unstable();
        deps
    }

    /// Why `from` depends on `on` (empty when it does not).
    pub fn reasons(&self, from: usize, on: usize) -> &[String] {
        self.reasons
            .get(&(from, on))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// Move out every edge's reasons, grouped by the node that depends: per node, each node
    /// it depends on with the reasons (in no order). The edges stay.
    pub(crate) fn take_reasons_by_node(&mut self) -> Vec<Vec<(usize, Vec<String>)>> {
        let mut by_node: Vec<Vec<(usize, Vec<String>)>> =
            (0..self.graph.node_count()).map(|_| Vec::new()).collect();
        for ((from, on), reasons) in self.reasons.drain() {
            by_node[from].push((on, reasons));
        }
        by_node
    }

    /// Every edge with its reasons, ordered.
    pub fn edges(&self) -> impl Iterator<Item = (usize, usize, &[String])> {
        let mut edges: Vec<(usize, usize, &[String])> = self
            .reasons
            .iter()
            .map(|(&(from, on), reasons)| (from, on, reasons.as_slice()))
            .collect();
        edges.sort_unstable_by_key(|&(from, on, _)| (from, on));
        edges.into_iter()
    }

    /// One cycle per strongly connected component that has one, each as the list of nodes
    /// along the cycle starting from its lowest index. Empty when the graph is acyclic.
    pub fn cycles(&self) -> Vec<Vec<usize>> {
        // A topological sort is one pass with few allocations; the components are only
        // worth computing when it finds a cycle (self-loops included).
        if toposort(&self.graph, None).is_ok() {
            return Vec::new();
        }
        let mut cycles: Vec<Vec<usize>> = tarjan_scc(&self.graph)
            .into_iter()
            .filter_map(|component| {
                let mut members: Vec<usize> = component.iter().map(|n| n.index()).collect();
                members.sort_unstable();
                let start = members[0];
                if members.len() == 1 && !self.reasons.contains_key(&(start, start)) {
                    return None;
                }
                Some(self.walk_cycle(start, &members))
            })
            .collect();
        cycles.sort();
        cycles
    }

    /// Follow edges inside one component from `start` until a node repeats.
    fn walk_cycle(&self, start: usize, members: &[usize]) -> Vec<usize> {
        let mut path = vec![start];
        let mut current = start;
        loop {
            let next = self
                .dependencies(current)
                .into_iter()
                .find(|n| members.binary_search(n).is_ok());
            let Some(next) = next else { return path };
            if let Some(pos) = path.iter().position(|&p| p == next) {
                return path.split_off(pos);
            }
            path.push(next);
            current = next;
        }
    }

    /// Dependencies first; among ready nodes the lowest index goes first, so the order is
    /// the same on every run. Returns the cycles when there are any.
    pub fn topological_order(&self) -> Result<Vec<usize>, Vec<Vec<usize>>> {
        let n = self.graph.node_count();
        let mut waiting_on: Vec<usize> = (0..n).map(|i| self.dependencies(i).len()).collect();
        let mut ready: BinaryHeap<Reverse<usize>> = waiting_on
            .iter()
            .enumerate()
            .filter(|(_, &count)| count == 0)
            .map(|(i, _)| Reverse(i))
            .collect();
        let mut order = Vec::with_capacity(n);
        while let Some(Reverse(node)) = ready.pop() {
            order.push(node);
            for edge in self
                .graph
                .edges_directed(NodeIndex::new(node), Direction::Incoming)
            {
                let dependent = edge.source().index();
                waiting_on[dependent] -= 1;
                if waiting_on[dependent] == 0 {
                    ready.push(Reverse(dependent));
                }
            }
        }
        if order.len() == n {
            Ok(order)
        } else {
            Err(self.cycles())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn independent_nodes_keep_insertion_order() {
        let g = DependencyGraph::new(4);
        assert_eq!(g.topological_order().unwrap(), vec![0, 1, 2, 3]);
    }

    #[test]
    fn dependencies_come_first() {
        let mut g = DependencyGraph::new(4);
        g.add_edge(0, 3, "r");
        g.add_edge(1, 0, "r");
        assert_eq!(g.topological_order().unwrap(), vec![2, 3, 0, 1]);
    }

    #[test]
    fn self_loop_is_a_cycle() {
        let mut g = DependencyGraph::new(2);
        g.add_edge(1, 1, "itself");
        assert_eq!(g.cycles(), vec![vec![1]]);
        assert!(g.topological_order().is_err());
    }

    #[test]
    fn cycle_is_named_in_walk_order() {
        let mut g = DependencyGraph::new(5);
        g.add_edge(3, 1, "a");
        g.add_edge(1, 4, "b");
        g.add_edge(4, 3, "c");
        g.add_edge(0, 3, "outside the cycle");
        assert_eq!(g.cycles(), vec![vec![1, 4, 3]]);
    }

    #[test]
    fn reasons_are_kept_once_each() {
        let mut g = DependencyGraph::new(2);
        g.add_edge(0, 1, "x");
        g.add_edge(0, 1, "x");
        g.add_edge(0, 1, "y");
        assert_eq!(g.reasons(0, 1), ["x", "y"]);
        assert_eq!(g.dependencies(0), vec![1]);
    }
}
