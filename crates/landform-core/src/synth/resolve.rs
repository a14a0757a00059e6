//! The resolver: a value becomes what the stack using it can read. `Ref`/`Fn::GetAtt` in the
//! same stack, an `Fn::ImportValue` of an export in the same account and region, and a stack
//! parameter that the manifest wires to the producer's output across accounts or regions.
//!
//! Plain values stream straight into the template text; only intrinsics and the parts of
//! `Fn::Join`/`Fn::Sub` (whose shape decides the output) pass through [`Resolved`].

use std::borrow::Cow;

use super::assembly::OutputRef;
use super::pretty::JsonWriter;
use super::render::{Effect, Render};
use crate::issue::Issue;
use crate::logical_id::{alphanumeric_name, logical_id, MAX_LOGICAL_ID_LEN};
use crate::tree::NodeId;
use crate::value::{Attribute, Reference, SubPart, Value};

/// A resolved value, borrowing from the tree where it can: the JSON it stands for is what
/// `write` prints.
#[derive(Debug, Clone)]
pub(super) enum Resolved<'a> {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    Text(Cow<'a, str>),
    Array(Vec<Resolved<'a>>),
    Object(Vec<(&'a str, Resolved<'a>)>),
    /// `{"Ref": name}`
    Ref(Cow<'a, str>),
    /// `{"Fn::GetAtt": [logical id, attribute]}`
    GetAtt(&'a str, &'a str),
    /// `{"Fn::ImportValue": export}`
    Import(String),
    /// `{"Fn::Join": [delimiter, parts]}`, when some part is not a plain string.
    Join(&'a str, Vec<Resolved<'a>>),
    /// `{"Fn::Sub": template}`, or `{"Fn::Sub": [template, variables]}` with variables.
    Sub(String, Vec<(String, Resolved<'a>)>),
}

impl Resolved<'_> {
    /// `Ref` or `Fn::GetAtt` of a logical id.
    pub(super) fn intrinsic<'a>(logical_id: &'a str, attribute: &'a Attribute) -> Resolved<'a> {
        match attribute {
            Attribute::Ref => Resolved::Ref(Cow::Borrowed(logical_id)),
            Attribute::GetAtt(name) => Resolved::GetAtt(logical_id, name),
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Resolved::Text(text) => Some(text),
            _ => None,
        }
    }

    pub(super) fn write(&self, w: &mut JsonWriter) {
        match self {
            Resolved::Null => w.null(),
            Resolved::Bool(b) => w.bool(*b),
            Resolved::Number(n) => w.number(n),
            Resolved::Text(text) => w.string(text),
            Resolved::Array(items) => {
                w.begin_array();
                for item in items {
                    w.item();
                    item.write(w);
                }
                w.end_array();
            }
            Resolved::Object(members) => {
                w.begin_object();
                for (key, value) in members {
                    w.key(key);
                    value.write(w);
                }
                w.end_object();
            }
            Resolved::Ref(name) => {
                w.begin_object();
                w.string_member("Ref", name);
                w.end_object();
            }
            Resolved::GetAtt(id, attribute) => {
                w.begin_object();
                w.key("Fn::GetAtt");
                w.begin_array();
                w.item();
                w.string(id);
                w.item();
                w.string(attribute);
                w.end_array();
                w.end_object();
            }
            Resolved::Import(export) => {
                w.begin_object();
                w.string_member("Fn::ImportValue", export);
                w.end_object();
            }
            Resolved::Join(delimiter, parts) => {
                w.begin_object();
                w.key("Fn::Join");
                w.begin_array();
                w.item();
                w.string(delimiter);
                w.item();
                w.begin_array();
                for part in parts {
                    w.item();
                    part.write(w);
                }
                w.end_array();
                w.end_array();
                w.end_object();
            }
            Resolved::Sub(template, variables) => {
                w.begin_object();
                w.key("Fn::Sub");
                if variables.is_empty() {
                    w.string(template);
                } else {
                    w.begin_array();
                    w.item();
                    w.string(template);
                    w.item();
                    w.begin_object();
                    for (name, value) in variables {
                        w.key(name);
                        value.write(w);
                    }
                    w.end_object();
                    w.end_array();
                }
                w.end_object();
            }
        }
    }
}

/// Strings at least this long are rendered once per thread and copied after (a JSON string
/// does not depend on its depth in the document).
const LONG_STRING: usize = 512;

/// Why a stack reads another stack's output (the manifest's dependency reason).
#[derive(Debug, Clone, Copy)]
pub(super) enum Why {
    /// A value of this node reads the reference.
    Reads(NodeId),
    /// This stack deploys into the account the reference names.
    DeploysInto(NodeId),
    /// This stack is a StackSet landing in the OU the reference names.
    TargetsUnit(NodeId),
}

/// The names under which a resource attribute is shared with other stacks, computed once
/// however many stacks read it.
pub(super) struct Export {
    /// The producer's output.
    output: String,
    /// The parameter a stack in another environment reads it through.
    parameter: Option<String>,
}

/// `Export<logical id><attribute without dots>`, made a legal name.
fn export_output_name(id: &str, attribute: &Attribute) -> String {
    let mut name = String::with_capacity(6 + id.len() + attribute.name().len());
    name.push_str("Export");
    name.push_str(id);
    name.extend(attribute.name().chars().filter(|&c| c != '.'));
    if name.len() <= MAX_LOGICAL_ID_LEN && name.bytes().all(|b| b.is_ascii_alphanumeric()) {
        name
    } else {
        alphanumeric_name(&name)
    }
}

/// Where a stack reads a reference from.
pub(super) enum Shared<'a> {
    /// The target is in the reading stack: its logical id.
    Local(&'a str),
    /// The target is in another stack, which exports it as this output.
    Output { producer: usize, output: String },
}

impl<'a> Render<'_, 'a> {
    /// Write `value` as read by stack `i` from node `from`. `deps` receives the same-stack
    /// resources it references.
    pub(super) fn write_value(
        &mut self,
        value: &'a Value,
        i: usize,
        from: NodeId,
        deps: &mut Vec<&'a str>,
        w: &mut JsonWriter,
    ) {
        match value {
            Value::Null => w.null(),
            Value::Bool(b) => w.bool(*b),
            Value::String(s) if s.len() >= LONG_STRING => {
                let rendered = self.worker.long_strings.entry(s).or_insert_with(|| {
                    let mut text = JsonWriter::at_indent(0, s.len() + 2);
                    text.string(s);
                    text.into_text()
                });
                w.raw(rendered);
            }
            Value::String(s) => w.string(s),
            Value::Array(items) => {
                w.begin_array();
                for item in items {
                    w.item();
                    self.write_value(item, i, from, deps, w);
                }
                w.end_array();
            }
            Value::Object(map) => {
                w.begin_object();
                for (key, item) in map {
                    if !matches!(item, Value::Null) {
                        w.key(key);
                        self.write_value(item, i, from, deps, w);
                    }
                }
                w.end_object();
            }
            _ => self.resolve(value, i, from, deps).write(w),
        }
    }

    /// Resolve `value` for stack `i` (see [`Synthesizer::write_value`]).
    pub(super) fn resolve(
        &mut self,
        value: &'a Value,
        i: usize,
        from: NodeId,
        deps: &mut Vec<&'a str>,
    ) -> Resolved<'a> {
        match value {
            Value::Null => Resolved::Null,
            Value::Bool(b) => Resolved::Bool(*b),
            Value::Number(n) => match n.parse::<serde_json::Number>() {
                Ok(number) => Resolved::Number(number),
                Err(_) => Resolved::Text(Cow::Borrowed(n)),
            },
            Value::String(s) => Resolved::Text(Cow::Borrowed(s)),
            Value::Array(items) => Resolved::Array(
                items
                    .iter()
                    .map(|v| self.resolve(v, i, from, deps))
                    .collect(),
            ),
            Value::Object(map) => Resolved::Object(
                map.iter()
                    .filter(|(_, v)| !matches!(v, Value::Null))
                    .map(|(k, v)| (k, self.resolve(v, i, from, deps)))
                    .collect(),
            ),
            Value::Pseudo(p) => Resolved::Ref(Cow::Borrowed(p.name())),
            Value::Ref(reference) => self.resolve_reference(reference, i, from, deps),
            Value::Join(join) => {
                let delimiter = &join.delimiter;
                let parts: Vec<Resolved<'a>> = join
                    .parts
                    .iter()
                    .map(|v| self.resolve(v, i, from, deps))
                    .collect();
                if parts.iter().all(|p| p.as_str().is_some()) {
                    let texts = || parts.iter().filter_map(Resolved::as_str);
                    let len = texts().map(str::len).sum::<usize>()
                        + delimiter.len() * parts.len().saturating_sub(1);
                    let mut joined = String::with_capacity(len);
                    for (n, text) in texts().enumerate() {
                        if n > 0 {
                            joined.push_str(delimiter);
                        }
                        joined.push_str(text);
                    }
                    Resolved::Text(Cow::Owned(joined))
                } else {
                    Resolved::Join(delimiter, parts)
                }
            }
            Value::Sub(parts) => self.resolve_sub(parts, i, from, deps),
        }
    }

    fn resolve_reference(
        &mut self,
        reference: &'a Reference,
        i: usize,
        from: NodeId,
        deps: &mut Vec<&'a str>,
    ) -> Resolved<'a> {
        let (producer, output) = match self.share_output(i, reference, from, Why::Reads(from)) {
            None => return Resolved::Null,
            Some(Shared::Local(id)) => {
                deps.push(id);
                return Resolved::intrinsic(id, &reference.attribute);
            }
            Some(Shared::Output { producer, output }) => (producer, output),
        };
        if self.same_environment(producer, i) {
            let stack = &self.ctx.names[producer];
            let mut export = String::with_capacity(stack.len() + 1 + output.len());
            export.push_str(stack);
            export.push(':');
            export.push_str(&output);
            let id = self.ctx.ids.get(reference.target).unwrap_or_default();
            self.out.effects.push(Effect::Export {
                producer,
                output,
                value: Resolved::intrinsic(id, &reference.attribute),
                export: export.clone(),
            });
            Resolved::Import(export)
        } else {
            // The parameter's name hashes the producer and output: the same for every reader.
            let names = &self.ctx.names;
            let parameter = self
                .worker
                .exports
                .get_mut(&(reference.target, &reference.attribute))
                .map(|export| {
                    export
                        .parameter
                        .get_or_insert_with(|| {
                            logical_id(&[names[producer].as_str(), output.as_str()])
                        })
                        .clone()
                })
                .unwrap_or_else(|| logical_id(&[names[producer].as_str(), output.as_str()]));
            // (A stack reading the same output in many places declares its parameter once.)
            if !self.out.parts.parameters.contains_key(&parameter) {
                self.out.parts.parameters.insert(
                    parameter.clone(),
                    OutputRef {
                        stack: self.ctx.names[producer].clone(),
                        output,
                    },
                );
            }
            Resolved::Ref(Cow::Owned(parameter))
        }
    }

    /// Make `reference` available as an output of its stack for stack `consumer`; records the
    /// dependency, and why. `None` (with an issue) when it points at no resource of the app.
    pub(super) fn share_output(
        &mut self,
        consumer: usize,
        reference: &'a Reference,
        from: NodeId,
        why: Why,
    ) -> Option<Shared<'a>> {
        let target = reference.target;
        let tree = self.ctx.tree;
        if tree.is_foreign(target) {
            self.report(
                from,
                Issue::new(
                    "Reference.ForeignApp",
                    "reference",
                    target,
                    "a token is used only in the App that made it: this one comes from another App (build the referenced resource in this app, or pass its literal value)",
                ),
            );
            return None;
        }
        let target_ok = tree.get(target).is_some_and(|n| n.resource().is_some());
        let producer = if target_ok {
            self.ctx.stack_index(target)
        } else {
            None
        };
        let Some(producer) = producer else {
            let shown = if tree.contains(target) {
                tree.path(target).to_string()
            } else {
                target.to_string()
            };
            self.report(
                from,
                Issue::new(
                    "Reference.NotAResource",
                    "reference",
                    shown,
                    "a reference points at a resource inside a stack of this app",
                ),
            );
            return None;
        };
        let id = self.ctx.ids.get(target).unwrap_or_default();
        if producer == consumer {
            return Some(Shared::Local(id));
        }
        let output = match self.worker.exports.get(&(target, &reference.attribute)) {
            // This thread has shared it already (from whichever stack): the output is there.
            Some(export) => export.output.clone(),
            None => {
                let output = export_output_name(id, &reference.attribute);
                self.worker.exports.insert(
                    (target, &reference.attribute),
                    Export {
                        output: output.clone(),
                        parameter: None,
                    },
                );
                self.out.effects.push(Effect::Output {
                    producer,
                    output: output.clone(),
                    value: Resolved::intrinsic(id, &reference.attribute),
                });
                output
            }
        };
        if let Some(reason) = self.reason(why, reference) {
            self.out.effects.push(Effect::Reads { producer, reason });
        }
        Some(Shared::Output { producer, output })
    }

    /// The manifest's reason for a dependency; `None` when this node's read of this
    /// attribute was recorded already (the text would be the same).
    fn reason(&mut self, why: Why, reference: &'a Reference) -> Option<String> {
        let tree = self.ctx.tree;
        let mut reason = String::with_capacity(160);
        match why {
            Why::Reads(from) => {
                if !self
                    .reads
                    .insert((from, reference.target, &reference.attribute))
                {
                    return None;
                }
                tree.write_path(from, &mut reason);
                reason.push_str(" reads ");
                tree.write_path(reference.target, &mut reason);
                reason.push('.');
                reason.push_str(reference.attribute.name());
            }
            Why::DeploysInto(stack) => {
                tree.write_path(stack, &mut reason);
                reason.push_str(" deploys into the account created by ");
                tree.write_path(reference.target, &mut reason);
            }
            Why::TargetsUnit(stack) => {
                tree.write_path(stack, &mut reason);
                reason.push_str(" is a StackSet landing in the OU created by ");
                tree.write_path(reference.target, &mut reason);
            }
        }
        Some(reason)
    }

    fn same_environment(&self, a: usize, b: usize) -> bool {
        let (tree, stacks) = (self.ctx.tree, &self.ctx.stacks);
        match (
            tree.environment_of(stacks[a]),
            tree.environment_of(stacks[b]),
        ) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        }
    }

    fn resolve_sub(
        &mut self,
        parts: &'a [SubPart],
        i: usize,
        from: NodeId,
        deps: &mut Vec<&'a str>,
    ) -> Resolved<'a> {
        let mut template = String::new();
        let mut variables: Vec<(String, Resolved<'a>)> = Vec::new();
        for part in parts {
            let resolved = match part {
                SubPart::Text(t) => {
                    push_sub_literal(&mut template, t);
                    continue;
                }
                SubPart::Value(v) => self.resolve(v, i, from, deps),
            };
            match resolved {
                Resolved::Text(s) => push_sub_literal(&mut template, &s),
                Resolved::Ref(name) => push_sub_variable(&mut template, &name, None),
                Resolved::GetAtt(id, attribute) => {
                    push_sub_variable(&mut template, id, Some(attribute))
                }
                // A literal object that reads like an intrinsic is spliced like one.
                Resolved::Object(members) if members.len() == 1 && members[0].0 == "Ref" => {
                    if let Some(name) = members[0].1.as_str() {
                        push_sub_variable(&mut template, name, None);
                    }
                }
                Resolved::Object(members)
                    if members.len() == 1
                        && members[0].0 == "Fn::GetAtt"
                        && matches!(&members[0].1, Resolved::Array(a) if a.len() == 2) =>
                {
                    if let Resolved::Array(att) = &members[0].1 {
                        let id = att[0].as_str().unwrap_or_default();
                        let attribute = att[1].as_str().unwrap_or_default();
                        push_sub_variable(&mut template, id, Some(attribute));
                    }
                }
                other => {
                    let name = format!("Var{}", variables.len());
                    push_sub_variable(&mut template, &name, None);
                    variables.push((name, other));
                }
            }
        }
        if variables.is_empty() && !has_variable(&template) {
            // Nothing to substitute: a plain string, its escapes undone.
            if template.contains("${!") {
                template = template.replace("${!", "${");
            }
            return Resolved::Text(Cow::Owned(template));
        }
        Resolved::Sub(template, variables)
    }
}

/// True when an `Fn::Sub` template names a variable: a `${` not written as the literal `${!`.
fn has_variable(template: &str) -> bool {
    template
        .match_indices("${")
        .any(|(at, _)| template.as_bytes().get(at + 2) != Some(&b'!'))
}

/// Literal text in an `Fn::Sub` template: `${` is escaped as `${!`.
fn push_sub_literal(template: &mut String, text: &str) {
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        template.push_str(&rest[..at + 2]);
        template.push('!');
        rest = &rest[at + 2..];
    }
    template.push_str(rest);
}

/// `${name}` or `${name.attribute}`.
fn push_sub_variable(template: &mut String, name: &str, attribute: Option<&str>) {
    template.push_str("${");
    template.push_str(name);
    if let Some(attribute) = attribute {
        template.push('.');
        template.push_str(attribute);
    }
    template.push('}');
}
