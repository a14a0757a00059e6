//! The logical ids of an app's resources and outputs, computed once per synth and kept in
//! one buffer (tens of thousands of ids, one allocation).
//!
//! A logical id depends only on the path below its stack, and the stacks of a large app
//! repeat the same paths (a workload account's stacks are built by the same code). Stacks
//! are walked side by side; each thread hashes a distinct path below a stack once, and every
//! node on it shares that id's text.

use std::ops::Range;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, PoisonError};

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

/// The distinct paths below a stack one thread has seen, as a trie: (parent path, segment) ->
/// path number. A segment is known by its address: the tree keeps each distinct id text once,
/// so equal texts share it (were one not shared, its path would only be hashed again).
struct Part<'t> {
    children: FastHashMap<(u32, usize), u32>,
    /// Per path number: the span of its id in `text`, once a named node on it asked for it.
    ids: Vec<Option<Range<u32>>>,
    /// The ids this thread has computed.
    text: String,
    /// The ids from just below the stack down to the node being visited.
    segments: Vec<&'t str>,
}

/// The path number of "just below the stack" (the empty path).
const STACK_ROOT: u32 = 0;

/// One stack's named nodes (tree order) with the span of each id in its thread's text, and
/// the ids that collide.
struct StackIds {
    part: usize,
    named: Vec<(NodeId, Range<u32>)>,
    issues: Vec<Issue>,
}

impl<'t> Part<'t> {
    fn new() -> Self {
        Part {
            children: FastHashMap::default(),
            ids: vec![None],
            text: String::new(),
            segments: Vec::new(),
        }
    }

    /// The number of the path `parent` + `/segment`.
    fn child(&mut self, parent: u32, segment: &str) -> u32 {
        let next = self.ids.len() as u32;
        let key = (parent, segment.as_ptr() as usize);
        let number = *self.children.entry(key).or_insert(next);
        if number == next {
            self.ids.push(None);
        }
        number
    }

    /// The span of the id of path `path` (the current segments), hashed the first time.
    fn id(&mut self, path: u32) -> Range<u32> {
        if let Some(span) = &self.ids[path as usize] {
            return span.clone();
        }
        let start = self.text.len();
        // Room for the readable prefix (at most every segment) and the hash.
        let prefix: usize = self.segments.iter().map(|s| s.len()).sum();
        self.text.reserve(prefix.min(MAX_LOGICAL_ID_LEN) + 8);
        push_logical_id(&self.segments, &mut self.text);
        let span = start as u32..self.text.len() as u32;
        self.ids[path as usize] = Some(span.clone());
        span
    }

    /// Walk stack number `i`: the ids of its resources and outputs, and every node below it
    /// marked as belonging to it in `stack_of` (as index + 1).
    fn walk_stack(
        &mut self,
        tree: &'t Tree,
        i: usize,
        stack: NodeId,
        stack_of: &[AtomicU32],
    ) -> Vec<(NodeId, bool, Range<u32>)> {
        let mark = i as u32 + 1;
        stack_of[stack.index()].fetch_max(mark, Ordering::Relaxed);
        let mut named = Vec::new();
        for &child in tree.node(stack).children() {
            self.visit(tree, child, STACK_ROOT, mark, stack_of, &mut named);
        }
        named
    }

    /// Visit `node` and everything below it; `parent` is the path number of its parent.
    fn visit(
        &mut self,
        tree: &'t Tree,
        node: NodeId,
        parent: u32,
        mark: u32,
        stack_of: &[AtomicU32],
        named: &mut Vec<(NodeId, bool, Range<u32>)>,
    ) {
        let n = tree.node(node);
        // A stack inside another (an invalid app, reported) is walked by both: the nearest
        // one, created later, has the larger index.
        stack_of[node.index()].fetch_max(mark, Ordering::Relaxed);
        self.segments.push(n.id());
        let path = self.child(parent, n.id());
        let is_output = matches!(n.kind(), NodeKind::Output(_));
        if is_output || n.resource().is_some() {
            let span = self.id(path);
            named.push((node, is_output, span));
        }
        for &child in n.children() {
            self.visit(tree, child, path, mark, stack_of, named);
        }
        self.segments.pop();
    }
}

impl LogicalIds {
    /// Ids for resources and outputs, from their path below their stack. Reports ids that
    /// collide inside a template. Also gives, for every node, the index of the stack it
    /// belongs to (nearest stack ancestor or itself; `NO_STACK` for none), found on the way.
    ///
    /// Stacks are walked side by side; each thread keeps its own trie, so a path is hashed
    /// at most once per thread.
    pub(super) fn assign(
        tree: &Tree,
        stacks: &[NodeId],
        issues: &mut Vec<Issue>,
    ) -> (Self, Vec<u32>) {
        let stack_of: Vec<AtomicU32> = (0..tree.len()).map(|_| AtomicU32::new(0)).collect();
        let parts: Vec<Mutex<Part<'_>>> = (0..rayon::current_num_threads().max(1))
            .map(|_| Mutex::new(Part::new()))
            .collect();
        let per_stack: Vec<StackIds> = stacks
            .par_iter()
            .enumerate()
            .with_min_len(8)
            .map(|(i, &stack)| {
                let t = rayon::current_thread_index().unwrap_or(0) % parts.len();
                // Only this thread takes its part (a poisoned one is still consistent: the
                // walk changes it only by adding whole paths).
                let mut part = parts[t].lock().unwrap_or_else(PoisonError::into_inner);
                let named = part.walk_stack(tree, i, stack, &stack_of);
                let mut issues = Vec::new();
                check_collisions(tree, &part.text, &named, &mut issues);
                StackIds {
                    part: t,
                    named: named
                        .into_iter()
                        .map(|(node, _, span)| (node, span))
                        .collect(),
                    issues,
                }
            })
            .collect();
        let texts: Vec<String> = parts
            .into_iter()
            .map(|part| {
                part.into_inner()
                    .unwrap_or_else(PoisonError::into_inner)
                    .text
            })
            .collect();
        let mut ids = LogicalIds {
            text: String::with_capacity(texts.iter().map(String::len).sum()),
            spans: vec![0..0; tree.len()],
            named: Vec::with_capacity(stacks.len()),
        };
        let mut bases = Vec::with_capacity(texts.len());
        for text in &texts {
            bases.push(ids.text.len() as u32);
            ids.text.push_str(text);
        }
        for stack in per_stack {
            let base = bases[stack.part];
            for (node, span) in &stack.named {
                ids.spans[node.index()] = span.start + base..span.end + base;
            }
            issues.extend(stack.issues);
            ids.named
                .push(stack.named.into_iter().map(|(node, _)| node).collect());
        }
        let stack_of = stack_of
            .into_iter()
            .map(|mark| mark.into_inner().checked_sub(1).unwrap_or(NO_STACK))
            .collect();
        (ids, stack_of)
    }

    /// The resource and output nodes of stack number `i`, in tree order.
    pub(super) fn named(&self, i: usize) -> &[NodeId] {
        self.named.get(i).map_or(&[], Vec::as_slice)
    }

    /// The id of a resource or output node.
    pub(super) fn get(&self, node: NodeId) -> Option<&str> {
        let span = self.spans.get(node.index())?;
        if span.is_empty() {
            return None;
        }
        self.text.get(span.start as usize..span.end as usize)
    }
}

/// Ids that collide in one stack (`named`: its nodes, whether each is an output, and its id's
/// span in `text`). Outputs live in their own namespace. The issue names the latest earlier
/// holder.
fn check_collisions(
    tree: &Tree,
    text: &str,
    named: &[(NodeId, bool, Range<u32>)],
    issues: &mut Vec<Issue>,
) {
    let mut taken: FastHashMap<(bool, &str), NodeId> =
        FastHashMap::with_capacity_and_hasher(named.len(), Default::default());
    for (node, is_output, span) in named {
        let id = &text[span.start as usize..span.end as usize];
        if let Some(other) = taken.insert((*is_output, id), *node) {
            let other = tree.path(other);
            issues.push(Issue::new(
                "Stack.LogicalIdCollision",
                "id",
                id,
                format!("logical ids are unique in a template; {other} maps to the same id: rename one of them"),
            ).at(tree.path(*node)));
        }
    }
}
