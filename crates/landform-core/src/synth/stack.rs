//! One stack's part of synthesis: render its resources and outputs in tree order (resolving
//! references as they come), and its template's head in CloudFormation's order (`finish`
//! adds the outputs once every stack is resolved).

use std::ops::Range;

use super::assembly::ResourceInfo;
use super::finish::{put, template_file};
use super::pretty::JsonWriter;
use super::render::{Effect, Render};
use super::Synthesizer;
use crate::fast_hash::FastHashMap;
use crate::graph::DependencyGraph;
use crate::issue::Issue;
use crate::resource::{RemovalPolicy, Resource};
use crate::tree::{NodeId, NodeKind, StackProps};
use crate::value::Value;

/// Depth of a resource body in a template (`{ "Resources": { "Id": <here> } }`), and of an
/// output body.
const BODY_INDENT: usize = 2;

/// At most what a member adds around its key and value: `,`, a line break, indentation up
/// to the resources' depth, two quotes and `": "`.
const MEMBER_OVERHEAD: usize = 16;

/// Room left in a template kept in memory for the outputs added once every stack is
/// resolved: a workload stack's few outputs fit, larger ones grow the text once.
const TAIL_ROOM: usize = 256;

/// Lists a thread fills for each stack it renders, kept from stack to stack so each grows to
/// the largest stack once.
#[derive(Default)]
pub(super) struct StackLists<'a> {
    /// Each resource's id, the span of its body in the bodies buffer, and its node.
    spans: Vec<(&'a str, Range<usize>, NodeId)>,
    /// Indexes into `spans` of the resources the template lists, by id.
    kept: Vec<usize>,
    resource_ids: Vec<&'a str>,
    resource_nodes: Vec<NodeId>,
    /// (resource number, id of a same-stack resource it waits for), for the cycle check.
    waits: Vec<(usize, &'a str)>,
    /// The same-stack resources the resource being rendered waits for.
    refs: Vec<&'a str>,
    /// For the cycle check: resource number by id, and the edges between resource numbers.
    position: FastHashMap<&'a str, usize>,
    edges: Vec<(usize, usize)>,
}

impl StackLists<'_> {
    fn clear(&mut self) {
        self.spans.clear();
        self.kept.clear();
        self.resource_ids.clear();
        self.resource_nodes.clear();
        self.waits.clear();
        self.refs.clear();
        self.position.clear();
        self.edges.clear();
    }
}

impl<'a> Render<'_, 'a> {
    /// Render stack `i`'s resources and outputs, then its head.
    pub(super) fn build_stack(&mut self, i: usize) {
        let tree = self.ctx.tree;
        let ids = self.ctx.ids;
        let mut bodies =
            JsonWriter::reusing(std::mem::take(&mut self.worker.scratch[0]), BODY_INDENT);
        let mut lists = std::mem::take(&mut self.worker.lists);
        lists.clear();
        let StackLists {
            spans,
            resource_ids,
            resource_nodes,
            waits,
            refs,
            ..
        } = &mut lists;
        for &node in ids.named(i) {
            match tree.node(node).kind() {
                NodeKind::Resource(resource) => {
                    let lid = ids.get(node).unwrap_or_default();
                    let start = bodies.len();
                    refs.clear();
                    self.write_resource(i, node, resource, &mut bodies, refs);
                    spans.push((lid, start..bodies.len(), node));
                    waits.extend(refs.iter().map(|&r| (resource_ids.len(), r)));
                    resource_ids.push(lid);
                    resource_nodes.push(node);
                }
                NodeKind::Output(output) => {
                    let lid = ids.get(node).unwrap_or_default();
                    let mut refs = Vec::new();
                    let mut body = JsonWriter::at_indent(BODY_INDENT, 64);
                    body.begin_object();
                    if let Some(d) = &output.description {
                        body.string_member("Description", d);
                    }
                    body.key("Value");
                    self.write_value(&output.value, i, node, &mut refs, &mut body);
                    body.end_object();
                    self.out.parts.user_outputs.insert(lid, body.into_text());
                }
                _ => {}
            }
        }
        let bodies = bodies.into_text();
        self.write_head(i, &bodies, &mut lists);
        self.worker.scratch[0] = bodies;
        self.check_resource_cycles(&mut lists);
        self.worker.lists = lists;
    }

    /// Render stack `i`'s template up to the end of its `Resources`: all of it but the
    /// outputs, which later stacks may still add to. Kept at its exact size (the assembly
    /// keeps every template).
    fn write_head(&mut self, i: usize, bodies: &str, lists: &mut StackLists<'a>) {
        let stack = self.ctx.stacks[i];
        // Sorted by id; of ids rendered twice (a collision, already reported) the last wins.
        let resources = &mut lists.spans;
        resources.sort_by(|a, b| a.0.cmp(b.0));
        let kept = &mut lists.kept;
        for (n, entry) in resources.iter().enumerate() {
            if resources.get(n + 1).map(|next| next.0) != Some(entry.0) {
                kept.push(n);
            }
        }
        let mut w = JsonWriter::reusing(std::mem::take(&mut self.worker.scratch[1]), 0);
        w.begin_object();
        w.string_member("AWSTemplateFormatVersion", "2010-09-09");
        w.key("Description");
        match self.ctx.tree.node(stack).kind() {
            NodeKind::Stack(StackProps {
                description: Some(d),
                ..
            }) => w.string(d),
            _ => w.string(&format!("Landform stack {}", self.ctx.tree.path(stack))),
        }
        let parameters = &self.out.parts.parameters;
        if !parameters.is_empty() {
            w.key("Parameters");
            w.begin_object();
            let mut description = String::new();
            for (p, source) in parameters {
                w.key(p);
                w.begin_object();
                w.string_member("Type", "String");
                description.clear();
                for part in [
                    "Output ",
                    &source.output,
                    " of stack ",
                    &source.stack,
                    ", filled at deploy time",
                ] {
                    description.push_str(part);
                }
                w.string_member("Description", &description);
                w.end_object();
            }
            w.end_object();
        }
        if self.ctx.files.is_none() {
            // Kept in the assembly: the resources are copied once, into the template's own
            // buffer, sized for them and the usual outputs (`finish_template` adds those).
            let resources_len: usize = kept
                .iter()
                .map(|&n| resources[n].0.len() + resources[n].1.len() + MEMBER_OVERHEAD)
                .sum();
            // (`,` and `"Resources": {` before them, `}` after.)
            let capacity = w.len() + resources_len + 32 + TAIL_ROOM;
            self.worker.scratch[1] = w.move_to(String::with_capacity(capacity));
        }
        w.key("Resources");
        w.begin_object();
        for &n in kept.iter() {
            let (id, span, _) = &resources[n];
            w.key(id);
            w.raw(&bodies[span.clone()]);
        }
        w.end_object();
        let tree = self.ctx.tree;
        let out = &mut self.out.parts;
        // The manifest's entries: logical id to construct path and type, built from the
        // list already in id order.
        out.resources = kept
            .iter()
            .filter_map(|&n| {
                let (id, _, node) = resources[n];
                let info = ResourceInfo {
                    path: tree.path(node),
                    type_name: tree.node(node).resource()?.type_key().clone(),
                };
                Some((id.to_owned(), info))
            })
            .collect();
        out.resource_count = kept.len();
        out.head_len = w.len();
        match self.ctx.files {
            None => out.head = w.into_text(),
            Some(dir) => {
                let path = dir.join(template_file(&self.ctx.names[i]));
                self.out.write_error = put(path, &[w.text()], false).err();
                self.worker.scratch[1] = w.into_text();
            }
        }
    }

    /// Render one resource's body; `refs` (empty) receives the same-stack resources it waits
    /// for (references and `DependsOn`).
    fn write_resource(
        &mut self,
        i: usize,
        node: NodeId,
        resource: &'a Resource,
        w: &mut JsonWriter,
        refs: &mut Vec<&'a str>,
    ) {
        let tree = self.ctx.tree;
        w.begin_object();
        w.string_member("Type", resource.type_name());
        if resource
            .properties()
            .values()
            .any(|v| !matches!(v, Value::Null))
        {
            w.key("Properties");
            w.begin_object();
            for (name, value) in resource.properties() {
                if !matches!(value, Value::Null) {
                    w.key(name);
                    self.write_value(value, i, node, refs, w);
                }
            }
            w.end_object();
        }
        let mut explicit: Vec<&'a str> = Vec::new();
        for on in self.dependencies_of(node, resource) {
            if tree.get(on).is_none() {
                let issue = if tree.is_foreign(on) {
                    Issue::new(
                        "Reference.ForeignApp",
                        "depends_on",
                        on,
                        "a dependency names a node of another App: depend on a resource of this app",
                    )
                } else {
                    Issue::new(
                        "Reference.NotAResource",
                        "depends_on",
                        on,
                        "a dependency points at a resource of this app",
                    )
                };
                self.report(node, issue);
                continue;
            }
            if tree.node(on).resource().is_none() {
                continue;
            }
            match self.ctx.stack_index(on) {
                Some(p) if p == i => {
                    let on_id = self.ctx.ids.get(on).unwrap_or_default();
                    if !refs.contains(&on_id) && !explicit.contains(&on_id) {
                        explicit.push(on_id);
                    }
                }
                Some(p) => {
                    let mut reason = String::with_capacity(160);
                    tree.write_path(node, &mut reason);
                    reason.push_str(" depends on ");
                    tree.write_path(on, &mut reason);
                    self.out.effects.push(Effect::DependsOn {
                        producer: p,
                        reason,
                    });
                }
                None => {}
            }
        }
        explicit.sort();
        if !explicit.is_empty() {
            w.key("DependsOn");
            w.begin_array();
            for id in &explicit {
                w.item();
                w.string(id);
            }
            w.end_array();
        }
        if let Some(p) = resource.deletion() {
            w.string_member("DeletionPolicy", policy_name(p));
        }
        if let Some(p) = resource.update_replace() {
            w.string_member("UpdateReplacePolicy", policy_name(p));
        }
        let metadata = resource.metadata_entries();
        if !metadata.is_empty() {
            w.key("Metadata");
            // The tree keeps each distinct metadata once (every account's copy of a construct
            // carries the same suppressions): rendered once per thread, known by its address.
            let indent = w.indent();
            let key = (std::ptr::from_ref(metadata) as usize, indent);
            let text = self.worker.metadata.entry(key).or_insert_with(|| {
                let mut text = JsonWriter::at_indent(indent, 256);
                text.begin_object();
                for (key, value) in metadata {
                    text.key(key);
                    text.json(value);
                }
                text.end_object();
                text.into_text()
            });
            w.raw(text);
        }
        w.end_object();
        refs.extend(explicit);
    }

    /// The nodes a resource depends on by hand: its own `depends_on`, and every node under
    /// the targets of `Scope::add_dependency` declared on it.
    fn dependencies_of(&self, node: NodeId, resource: &Resource) -> Vec<NodeId> {
        let tree = self.ctx.tree;
        let declared = self.ctx.explicit_from.get(&node).into_iter().flatten();
        resource
            .dependencies()
            .iter()
            .copied()
            .chain(declared.flat_map(|&d| {
                let on = tree.explicit_dependencies()[d].on;
                match tree.get(on) {
                    Some(_) => tree.descendants(on),
                    None => vec![on],
                }
            }))
            .collect()
    }

    /// `ids` and `nodes`: the stack's resources, in the same order.
    fn check_resource_cycles(&mut self, lists: &mut StackLists<'a>) {
        let StackLists {
            resource_ids: ids,
            resource_nodes: nodes,
            waits,
            position,
            edges,
            ..
        } = lists;
        position.extend(ids.iter().enumerate().map(|(n, &id)| (id, n)));
        edges.extend(
            waits
                .iter()
                .filter_map(|&(from, r)| Some((from, *position.get(r)?))),
        );
        // Resources mostly read resources created before them: while every edge points back,
        // the order is topological and no cycle is possible.
        if edges.iter().all(|&(from, on)| on < from) {
            return;
        }
        let mut graph = DependencyGraph::new(ids.len());
        for &(from, on) in edges.iter() {
            graph.add_edge(from, on, "");
        }
        for cycle in graph.cycles() {
            let tree = self.ctx.tree;
            let names: Vec<String> = cycle
                .iter()
                .chain(cycle.first())
                .map(|&n| tree.path(nodes[n]).to_string())
                .collect();
            let first = tree.path(nodes[cycle[0]]);
            self.out.effects.push(Effect::Issue(
                Issue::new(
                    "Stack.ResourceCycle",
                    "references",
                    names.join(" -> "),
                    "resources in a stack cannot depend on each other in a cycle: remove one reference or DependsOn",
                )
                .at(first),
            ));
        }
    }
}

impl<'a> Synthesizer<'a> {
    /// Explicit dependencies declared on non-resource nodes: the whole stack waits.
    pub(super) fn add_construct_dependencies(&mut self) {
        let tree = self.ctx.tree;
        for dep in tree.explicit_dependencies() {
            let known = tree.get(dep.from).is_some() && tree.get(dep.on).is_some();
            if !known || tree.node(dep.from).resource().is_some() {
                continue;
            }
            let ctx = &self.ctx;
            if let (Some(i), Some(p)) = (ctx.stack_index(dep.from), ctx.stack_index(dep.on)) {
                if p != i {
                    self.ledger.explicit.insert((i, p));
                    self.ledger.graph.add_edge(i, p, dep.reason.clone());
                }
            }
        }
    }

    pub(super) fn report_stack_cycle(&mut self, cycle: &[usize]) {
        let mut steps = Vec::new();
        for (k, &from) in cycle.iter().enumerate() {
            let on = cycle[(k + 1) % cycle.len()];
            let reasons = self.ledger.graph.reasons(from, on).join("; ");
            let (tree, stacks) = (self.ctx.tree, &self.ctx.stacks);
            steps.push(format!(
                "{} -> {} ({reasons})",
                tree.path(stacks[from]),
                tree.path(stacks[on])
            ));
        }
        let node = self.ctx.stacks[cycle[0]];
        self.report(
            node,
            Issue::new(
                "App.StackCycle",
                "dependencies",
                steps.join(", "),
                "stacks cannot depend on each other in a cycle: move the shared resource to its own stack",
            ),
        );
    }
}

fn policy_name(policy: RemovalPolicy) -> &'static str {
    match policy {
        RemovalPolicy::Delete => "Delete",
        RemovalPolicy::Retain => "Retain",
        RemovalPolicy::Snapshot => "Snapshot",
    }
}
