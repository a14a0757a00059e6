//! The logical ids of an app's resources and outputs, computed once per synth and kept in
//! one buffer (tens of thousands of ids, one allocation).

use std::collections::HashMap;
use std::ops::Range;

use crate::issue::Issue;
use crate::logical_id::push_logical_id;
use crate::tree::{NodeId, NodeKind, Tree};

/// Logical id of every resource and output node, by node index.
pub(super) struct LogicalIds {
    text: String,
    /// Span of each node's id in `text`; empty for nodes without one.
    spans: Vec<Range<u32>>,
}

impl LogicalIds {
    /// Ids for resources and outputs, from their path below their stack. Reports ids that
    /// collide inside a template.
    pub(super) fn assign(tree: &Tree, stacks: &[NodeId], issues: &mut Vec<Issue>) -> Self {
        let mut ids = LogicalIds {
            text: String::new(),
            spans: vec![0..0; tree.len()],
        };
        let mut named: Vec<(NodeId, bool)> = Vec::new();
        for &stack in stacks {
            named.clear();
            for node in tree.descendants(stack) {
                let is_output = matches!(tree.node(node).kind(), NodeKind::Output(_));
                if tree.node(node).resource().is_none() && !is_output {
                    continue;
                }
                let start = ids.text.len() as u32;
                push_logical_id(&tree.segments_below(stack, node), &mut ids.text);
                ids.spans[node.0 as usize] = start..ids.text.len() as u32;
                named.push((node, is_output));
            }
            ids.check_collisions(tree, &named, issues);
        }
        ids
    }

    /// Outputs live in their own namespace. The issue names the latest earlier holder.
    fn check_collisions(&self, tree: &Tree, named: &[(NodeId, bool)], issues: &mut Vec<Issue>) {
        let mut taken: HashMap<(bool, &str), NodeId> = HashMap::with_capacity(named.len());
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
