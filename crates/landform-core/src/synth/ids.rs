//! The logical ids of an app's resources and outputs, computed once per synth and kept in
//! one buffer (tens of thousands of ids, one allocation).
//!
//! A logical id depends only on the path below its stack, and the stacks of a large app
//! repeat the same paths (a workload account's stacks are built by the same code): each
//! distinct path below a stack is hashed once, and every node on it shares that id's text.

use std::ops::Range;

use rayon::prelude::*;

use super::NO_STACK;
use crate::fast_hash::FastHashMap;
use crate::issue::Issue;
use crate::logical_id::{push_logical_id, MAX_LOGICAL_ID_LEN};
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
/// number. A segment is known by its address: the tree keeps each distinct id text once, so
/// equal texts share it (were one not shared, its path would only be hashed again).
#[derive(Default)]
struct PathTrie {
    children: FastHashMap<(u32, usize), u32>,
    /// Per path number: whether a node on it is named (its id is to be computed).
    named: Vec<bool>,
}

/// The path number of "just below the stack" (the empty path).
const STACK_ROOT: u32 = 0;

impl PathTrie {
    /// The number of the path `parent` + `/segment`.
    fn child(&mut self, parent: u32, segment: &str) -> u32 {
        let next = self.named.len() as u32;
        let key = (parent, segment.as_ptr() as usize);
        let number = *self.children.entry(key).or_insert(next);
        if number == next {
            self.named.push(false);
        }
        number
    }
}

/// The walk over every stack's nodes: which path each named node is on, and each distinct
/// named path once, with its segments.
struct Walk<'t> {
    trie: PathTrie,
    /// The ids from just below the stack down to the current node's parent (one buffer for
    /// the whole walk, no path per node).
    segments: Vec<&'t str>,
    /// Path number of every named node, by node index.
    path_of: Vec<u32>,
    /// The distinct named paths: number and segments.
    distinct: Vec<(u32, Vec<&'t str>)>,
    /// The index of the stack every node belongs to (`NO_STACK` outside stacks), and that of
    /// the stack being walked.
    stack_of: Vec<u32>,
    current: u32,
}

impl<'t> Walk<'t> {
    /// Visit `node` and everything below it; `parent` is the path number of its parent.
    fn visit(
        &mut self,
        tree: &'t Tree,
        node: NodeId,
        parent: u32,
        named: &mut Vec<(NodeId, bool)>,
    ) {
        let n = tree.node(node);
        self.stack_of[node.0 as usize] = self.current;
        self.segments.push(n.id());
        let path = self.trie.child(parent, n.id());
        let is_output = matches!(n.kind(), NodeKind::Output(_));
        if is_output || n.resource().is_some() {
            if !std::mem::replace(&mut self.trie.named[path as usize], true) {
                self.distinct.push((path, self.segments.clone()));
            }
            self.path_of[node.0 as usize] = path;
            named.push((node, is_output));
        }
        for &child in n.children() {
            self.visit(tree, child, path, named);
        }
        self.segments.pop();
    }
}

impl LogicalIds {
    /// Ids for resources and outputs, from their path below their stack. Reports ids that
    /// collide inside a template. Also gives, for every node, the index of the stack it
    /// belongs to (nearest stack ancestor or itself; `NO_STACK` for none), found on the way.
    pub(super) fn assign(
        tree: &Tree,
        stacks: &[NodeId],
        issues: &mut Vec<Issue>,
    ) -> (Self, Vec<u32>) {
        let mut walk = Walk {
            trie: PathTrie {
                named: vec![false],
                ..PathTrie::default()
            },
            segments: Vec::new(),
            path_of: vec![0; tree.len()],
            distinct: Vec::new(),
            stack_of: vec![NO_STACK; tree.len()],
            current: NO_STACK,
        };
        let named: Vec<Vec<(NodeId, bool)>> = stacks
            .iter()
            .enumerate()
            .map(|(i, &stack)| {
                // A stack inside another (an invalid app, reported) is walked after it, so
                // its nodes end up with the nearest stack.
                walk.current = i as u32;
                walk.stack_of[stack.0 as usize] = walk.current;
                let mut named = Vec::new();
                for &child in tree.node(stack).children() {
                    walk.visit(tree, child, STACK_ROOT, &mut named);
                }
                named
            })
            .collect();
        // Hashing is the expensive part: the distinct paths are hashed side by side.
        let texts: Vec<String> = walk
            .distinct
            .par_iter()
            .map(|(_, segments)| {
                // Room for the readable prefix (at most every segment) and the hash.
                let prefix: usize = segments.iter().map(|s| s.len()).sum();
                let mut id = String::with_capacity(prefix.min(MAX_LOGICAL_ID_LEN) + 8);
                push_logical_id(segments, &mut id);
                id
            })
            .collect();
        let mut ids = LogicalIds {
            text: String::with_capacity(texts.iter().map(String::len).sum()),
            spans: vec![0..0; tree.len()],
            named: Vec::with_capacity(stacks.len()),
        };
        let mut path_span = vec![0..0; walk.trie.named.len()];
        for ((path, _), id) in walk.distinct.iter().zip(&texts) {
            let start = ids.text.len() as u32;
            ids.text.push_str(id);
            path_span[*path as usize] = start..ids.text.len() as u32;
        }
        for kinds in named {
            for &(node, _) in &kinds {
                ids.spans[node.0 as usize] =
                    path_span[walk.path_of[node.0 as usize] as usize].clone();
            }
            ids.check_collisions(tree, &kinds, issues);
            ids.named
                .push(kinds.iter().map(|&(node, _)| node).collect());
        }
        (ids, walk.stack_of)
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
