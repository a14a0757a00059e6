//! The logical ids of an app's resources and outputs, computed once per synth and kept in
//! one buffer (tens of thousands of ids, one allocation).
//!
//! A logical id depends only on the path below its stack, and the stacks of a large app
//! repeat the same paths (a workload account's stacks are built by the same code): each
//! distinct path below a stack is hashed once, and every node on it shares that id's text.

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

/// The distinct paths below a stack seen so far, as a trie: (parent path, segment) -> path
/// number, and for each path number the span of its logical id once computed.
#[derive(Default)]
struct PathTrie<'t> {
    children: FastHashMap<(u32, &'t str), u32>,
    ids: Vec<Option<Range<u32>>>,
}

/// The path number of "just below the stack" (the empty path).
const STACK_ROOT: u32 = 0;

impl<'t> PathTrie<'t> {
    /// The number of the path `parent` + `/segment`.
    fn child(&mut self, parent: u32, segment: &'t str) -> u32 {
        let next = self.ids.len() as u32;
        let number = *self.children.entry((parent, segment)).or_insert(next);
        if number == next {
            self.ids.push(None);
        }
        number
    }
}

impl LogicalIds {
    /// Ids for resources and outputs, from their path below their stack. Reports ids that
    /// collide inside a template.
    pub(super) fn assign(tree: &Tree, stacks: &[NodeId], issues: &mut Vec<Issue>) -> Self {
        let mut ids = LogicalIds {
            text: String::new(),
            spans: vec![0..0; tree.len()],
            named: Vec::with_capacity(stacks.len()),
        };
        let mut segments: Vec<&str> = Vec::new();
        let mut kinds: Vec<(NodeId, bool)> = Vec::new();
        let mut trie = PathTrie {
            ids: vec![None],
            ..PathTrie::default()
        };
        for &stack in stacks {
            kinds.clear();
            for &child in tree.node(stack).children() {
                ids.walk(
                    tree,
                    child,
                    STACK_ROOT,
                    &mut trie,
                    &mut segments,
                    &mut kinds,
                );
            }
            ids.check_collisions(tree, &kinds, issues);
            ids.named
                .push(kinds.iter().map(|&(node, _)| node).collect());
        }
        ids
    }

    /// Name `node` and everything below it; `segments` holds the ids from just below the
    /// stack down to `node`'s parent (one buffer for the whole walk, no path per node), and
    /// `parent` is that path's number in `trie`.
    fn walk<'t>(
        &mut self,
        tree: &'t Tree,
        node: NodeId,
        parent: u32,
        trie: &mut PathTrie<'t>,
        segments: &mut Vec<&'t str>,
        named: &mut Vec<(NodeId, bool)>,
    ) {
        let n = tree.node(node);
        segments.push(n.id());
        let path = trie.child(parent, n.id());
        let is_output = matches!(n.kind(), NodeKind::Output(_));
        if is_output || n.resource().is_some() {
            let span = match &trie.ids[path as usize] {
                Some(span) => span.clone(),
                None => {
                    let start = self.text.len() as u32;
                    push_logical_id(segments, &mut self.text);
                    let span = start..self.text.len() as u32;
                    trie.ids[path as usize] = Some(span.clone());
                    span
                }
            };
            self.spans[node.0 as usize] = span;
            named.push((node, is_output));
        }
        for &child in n.children() {
            self.walk(tree, child, path, trie, segments, named);
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
