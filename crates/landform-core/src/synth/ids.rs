//! The logical ids of an app's resources and outputs, computed once per synth and kept in
//! one buffer (tens of thousands of ids, one allocation).

use std::ops::Range;

use crate::fast_hash::FastHashMap;
use crate::issue::Issue;
use crate::logical_id::{push_hash_digits, push_logical_id, push_readable_prefix};
use crate::sha256_lanes::{self, LANES};
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

/// Ids whose hash is still to come: hashed together once the walk is done.
#[derive(Default)]
struct PendingHashes {
    /// The `/`-joined paths, back to back.
    paths: Vec<u8>,
    /// Per id: where its 8 digits go in the id text, and its path in `paths`.
    ids: Vec<(usize, Range<usize>)>,
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
        let mut kinds: Vec<Vec<(NodeId, bool)>> = Vec::with_capacity(stacks.len());
        let mut pending = PendingHashes::default();
        for &stack in stacks {
            let mut named = Vec::new();
            for &child in tree.node(stack).children() {
                ids.walk(tree, child, &mut segments, &mut named, &mut pending);
            }
            kinds.push(named);
        }
        ids.fill_hashes(&pending);
        for named in kinds {
            ids.check_collisions(tree, &named, issues);
            ids.named
                .push(named.iter().map(|&(node, _)| node).collect());
        }
        ids
    }

    /// Write the hash digits of every pending id, eight paths at a time.
    fn fill_hashes(&mut self, pending: &PendingHashes) {
        let mut text = std::mem::take(&mut self.text).into_bytes();
        let mut digits = String::with_capacity(8);
        for batch in pending.ids.chunks(LANES) {
            let mut paths = [&[][..]; LANES];
            for (lane, (_, path)) in batch.iter().enumerate() {
                paths[lane] = &pending.paths[path.clone()];
            }
            let words = sha256_lanes::first_words(paths);
            for (&(at, _), word) in batch.iter().zip(words) {
                digits.clear();
                push_hash_digits(word, &mut digits);
                text[at..at + digits.len()].copy_from_slice(digits.as_bytes());
            }
        }
        // Ids are ASCII (alphanumeric prefixes and hex digits), so this never falls back.
        self.text = String::from_utf8(text)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    }

    /// Name `node` and everything below it; `segments` holds the ids from just below the
    /// stack down to `node`'s parent (one buffer for the whole walk, no path per node).
    fn walk<'t>(
        &mut self,
        tree: &'t Tree,
        node: NodeId,
        segments: &mut Vec<&'t str>,
        named: &mut Vec<(NodeId, bool)>,
        pending: &mut PendingHashes,
    ) {
        let n = tree.node(node);
        segments.push(n.id());
        let is_output = matches!(n.kind(), NodeKind::Output(_));
        if is_output || n.resource().is_some() {
            let start = self.text.len() as u32;
            self.push_id(segments, pending);
            self.spans[node.0 as usize] = start..self.text.len() as u32;
            named.push((node, is_output));
        }
        for &child in n.children() {
            self.walk(tree, child, segments, named, pending);
        }
        segments.pop();
    }

    /// Append the id of a path; its hash digits are placeholders, filled by
    /// [`LogicalIds::fill_hashes`], unless the path is too long to hash in lanes.
    fn push_id(&mut self, segments: &[&str], pending: &mut PendingHashes) {
        let path_len = segments.iter().map(|s| s.len()).sum::<usize>() + segments.len() - 1;
        if path_len > sha256_lanes::MAX_LEN {
            push_logical_id(segments, &mut self.text);
            return;
        }
        if !push_readable_prefix(segments, &mut self.text) {
            return;
        }
        let start = pending.paths.len();
        for (i, segment) in segments.iter().enumerate() {
            if i > 0 {
                pending.paths.push(b'/');
            }
            pending.paths.extend_from_slice(segment.as_bytes());
        }
        pending
            .ids
            .push((self.text.len(), start..pending.paths.len()));
        self.text.push_str("00000000");
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
