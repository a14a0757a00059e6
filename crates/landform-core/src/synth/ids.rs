//! The logical ids of an app's resources and outputs, computed once per synth and kept in
//! one buffer (tens of thousands of ids, one allocation).

use std::ops::Range;

use crate::fast_hash::FastHashMap;
use crate::issue::Issue;
use crate::logical_id::push_logical_id;
use crate::tree::{NodeId, NodeKind, Tree};

/// Logical id of every resource and output node, by node index.
pub(super) struct LogicalIds {
    text: String,
    /// Span of each node's id in `text`; empty for nodes without one.
    spans: Vec<Range<u32>>,
    /// Per stack, its resource and output nodes in depth-first tree order (the order
    /// synthesis renders them in).
    named: Vec<Vec<NodeId>>,
}

impl LogicalIds {
    /// Ids for resources and outputs, from their path below their stack. Reports ids that
    /// collide inside a template.
    pub(super) fn assign(tree: &Tree, stacks: &[NodeId], issues: &mut Vec<Issue>) -> Self {
        let mut ids = LogicalIds {
            text: String::with_capacity(tree.len() * 24),
            spans: vec![0..0; tree.len()],
            named: Vec::with_capacity(stacks.len()),
        };
        let mut segments: Vec<&str> = Vec::new();
        let mut kinds: Vec<(NodeId, bool)> = Vec::new();
        for &stack in stacks {
            kinds.clear();
            for &child in tree.node(stack).children() {
                ids.walk(tree, child, &mut segments, &mut kinds);
            }
            ids.check_collisions(tree, &kinds, issues);
            ids.named
                .push(kinds.iter().map(|&(node, _)| node).collect());
        }
        ids
    }

    /// Name `node` and everything below it; `segments` holds the ids from just below the
    /// stack down to `node`'s parent (one buffer for the whole walk, no path per node).
    fn walk<'t>(
        &mut self,
        tree: &'t Tree,
        node: NodeId,
        segments: &mut Vec<&'t str>,
        named: &mut Vec<(NodeId, bool)>,
    ) {
        let n = tree.node(node);
        segments.push(n.id());
        let is_output = matches!(n.kind(), NodeKind::Output(_));
        if is_output || n.resource().is_some() {
            let start = self.text.len() as u32;
            push_logical_id(segments, &mut self.text);
            self.spans[node.0 as usize] = start..self.text.len() as u32;
            named.push((node, is_output));
        }
        for &child in n.children() {
            self.walk(tree, child, segments, named);
        }
        segments.pop();
    }

    /// The resource and output nodes of stack number `i`, in tree order.
    pub(super) fn named(&self, i: usize) -> &[NodeId] {
        self.named.get(i).map_or(&[], Vec::as_slice)
    }

    /// Outputs live in their own namespace. The issue names the latest earlier holder.
    fn check_collisions(&self, tree: &Tree, named: &[(NodeId, bool)], issues: &mut Vec<Issue>) {
        let mut taken: FastHashMap<(bool, &str), NodeId> =
            FastHashMap::with_capacity_and_hasher(named.len(), Default::default());
        for &(node, is_output) in named {
            let id = self.get(node).unwrap_or_default();
            if let Some(other) = taken.insert((is_output, id), node) {
                let other = tree.path(other);
                issues.push(Issue::new(
                    "Stack.LogicalIdCollision",
                    "id",
                    id,
                    format!("logical ids are unique in a template; {other} maps to the same id: rename one of them"),
                ).at(tree.path(node)));
            }
        }
    }

    /// The id of a resource or output node.
    pub(super) fn get(&self, node: NodeId) -> Option<&str> {
        let span = self.spans.get(node.0 as usize)?;
        if span.is_empty() {
            return None;
        }
        self.text.get(span.start as usize..span.end as usize)
    }
}
