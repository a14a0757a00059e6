//! A read-only index over a synthesised [`Assembly`]: every resource with its stack, logical
//! id, construct path, type and properties, and a resolver that follows references through
//! stack parameters and imports back to the resource that produces them.
//!
//! The lint pack, the graph and the cost estimate all work from this view, so they apply to
//! constructs from any crate: they read CloudFormation, not construct types.

use std::collections::BTreeMap;
use std::fmt;

use landform_core::synth::AccountSpec;
use landform_core::{Assembly, Path, StackArtifact};
use serde_json::Value as Json;

/// A resource named by its stack and logical id: unique in an assembly.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceKey {
    /// Stack name.
    pub stack: String,
    /// Logical id in that stack's template.
    pub logical_id: String,
}

impl fmt::Display for ResourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.stack, self.logical_id)
    }
}

/// What a property value points at once references are followed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Resolved {
    /// A resource of the assembly (its `Ref` or one of its attributes).
    Resource(ResourceKey),
    /// A literal string.
    Literal(String),
    /// Anything else (pseudo parameters, joins), kept as compact JSON text.
    Opaque(String),
}

impl Resolved {
    /// A stable text for comparing two resolved values.
    pub fn key(&self) -> String {
        match self {
            Resolved::Resource(k) => format!("resource:{k}"),
            Resolved::Literal(s) => format!("literal:{s}"),
            Resolved::Opaque(s) => format!("opaque:{s}"),
        }
    }
}

/// One resource of the assembly.
#[derive(Debug, Clone)]
pub struct ResourceView<'a> {
    /// The stack holding it.
    pub stack: &'a StackArtifact,
    /// Its logical id.
    pub logical_id: &'a str,
    /// Its construct path (from the manifest).
    pub path: &'a Path,
    /// Its CloudFormation type.
    pub type_name: &'a str,
    /// Its `Properties` (JSON null when it has none).
    pub properties: &'a Json,
    /// The whole template entry (Type, Properties, DependsOn, Metadata).
    pub body: &'a Json,
}

impl ResourceView<'_> {
    /// The key naming this resource.
    pub fn key(&self) -> ResourceKey {
        ResourceKey {
            stack: self.stack.name.clone(),
            logical_id: self.logical_id.to_owned(),
        }
    }

    /// A property by name.
    pub fn property(&self, name: &str) -> Option<&Json> {
        self.properties.get(name)
    }
}

static NULL: Json = Json::Null;

/// The index. Resources are kept in assembly order (stacks in deployment order, logical ids
/// sorted), so everything computed from it is deterministic.
#[derive(Debug)]
pub struct AssemblyIndex<'a> {
    assembly: &'a Assembly,
    resources: Vec<ResourceView<'a>>,
    by_key: BTreeMap<ResourceKey, usize>,
}

impl<'a> AssemblyIndex<'a> {
    /// Index an assembly.
    pub fn new(assembly: &'a Assembly) -> Self {
        let mut resources = Vec::new();
        let mut by_key = BTreeMap::new();
        for stack in assembly.stacks() {
            let Some(entries) = stack.template.get("Resources").and_then(Json::as_object) else {
                continue;
            };
            for (logical_id, body) in entries {
                let Some(info) = stack.resources.get(logical_id) else {
                    continue;
                };
                by_key.insert(
                    ResourceKey {
                        stack: stack.name.clone(),
                        logical_id: logical_id.clone(),
                    },
                    resources.len(),
                );
                resources.push(ResourceView {
                    stack,
                    logical_id,
                    path: &info.path,
                    type_name: &info.type_name,
                    properties: body.get("Properties").unwrap_or(&NULL),
                    body,
                });
            }
        }
        AssemblyIndex {
            assembly,
            resources,
            by_key,
        }
    }

    /// The assembly indexed.
    pub fn assembly(&self) -> &'a Assembly {
        self.assembly
    }

    /// Every resource.
    pub fn resources(&self) -> &[ResourceView<'a>] {
        &self.resources
    }

    /// The resources of one CloudFormation type.
    pub fn of_type<'s>(&'s self, type_name: &'s str) -> impl Iterator<Item = &'s ResourceView<'a>> {
        self.resources
            .iter()
            .filter(move |r| r.type_name == type_name)
    }

    /// A resource by key.
    pub fn get(&self, key: &ResourceKey) -> Option<&ResourceView<'a>> {
        self.by_key.get(key).map(|&i| &self.resources[i])
    }

    /// A stack by name.
    pub fn stack(&self, name: &str) -> Option<&'a StackArtifact> {
        self.assembly.stack(name)
    }

    /// The account a stack deploys to, as a display text: the literal id, or
    /// `<stack>.<output>` when the account is created by the app.
    pub fn account_of(stack: &StackArtifact) -> String {
        match &stack.environment.account {
            AccountSpec::Literal(id) => id.clone(),
            AccountSpec::FromOutput(out) => format!("{}.{}", out.stack, out.output),
        }
    }

    /// The account a stack deploys to, for people: the literal id, or the construct path of
    /// the account resource that creates it (`App/Management/Organization/Prod`).
    pub fn account_label(&self, stack: &StackArtifact) -> String {
        match &stack.environment.account {
            AccountSpec::Literal(id) => id.clone(),
            AccountSpec::FromOutput(out) => self
                .output_value(&out.stack, &out.output)
                .and_then(|(producer, value)| self.references(producer, value).pop())
                .and_then(|key| {
                    self.get(&key)
                        .map(|r| format!("created by {}", construct_of(r.path)))
                })
                .unwrap_or_else(|| format!("from {}.{}", out.stack, out.output)),
        }
    }

    /// The value of output `output` of stack `stack`, if both exist.
    fn output_value(&self, stack: &str, output: &str) -> Option<(&'a StackArtifact, &'a Json)> {
        let producer = self.assembly.stack(stack)?;
        let value = producer
            .template
            .get("Outputs")?
            .get(output)?
            .get("Value")?;
        Some((producer, value))
    }

    /// Follow a property value to what it points at.
    pub fn resolve(&self, stack: &StackArtifact, value: &Json) -> Resolved {
        self.resolve_depth(stack, value, 0)
    }

    fn resolve_depth(&self, stack: &StackArtifact, value: &Json, depth: u8) -> Resolved {
        let opaque = || Resolved::Opaque(value.to_string());
        if depth > 8 {
            return opaque();
        }
        match value {
            Json::String(s) => Resolved::Literal(s.clone()),
            Json::Object(map) if map.len() == 1 => {
                if let Some(name) = map.get("Ref").and_then(Json::as_str) {
                    if stack.resources.contains_key(name) {
                        return Resolved::Resource(ResourceKey {
                            stack: stack.name.clone(),
                            logical_id: name.to_owned(),
                        });
                    }
                    if let Some(source) = stack.parameters.get(name) {
                        if let Some((producer, v)) =
                            self.output_value(&source.stack, &source.output)
                        {
                            return self.resolve_depth(producer, v, depth + 1);
                        }
                    }
                    return opaque();
                }
                if let Some(name) = map
                    .get("Fn::GetAtt")
                    .and_then(|a| a.get(0))
                    .and_then(Json::as_str)
                {
                    if stack.resources.contains_key(name) {
                        return Resolved::Resource(ResourceKey {
                            stack: stack.name.clone(),
                            logical_id: name.to_owned(),
                        });
                    }
                    return opaque();
                }
                if let Some(export) = map.get("Fn::ImportValue").and_then(Json::as_str) {
                    if let Some((producer, output)) = export.split_once(':') {
                        if let Some((p, v)) = self.output_value(producer, output) {
                            return self.resolve_depth(p, v, depth + 1);
                        }
                    }
                }
                opaque()
            }
            _ => opaque(),
        }
    }

    /// Every resource a value references (through `Ref`, `Fn::GetAtt`, `Fn::Sub` variables,
    /// parameters and imports), sorted and without duplicates.
    pub fn references(&self, stack: &StackArtifact, value: &Json) -> Vec<ResourceKey> {
        let mut out = Vec::new();
        self.collect_references(stack, value, &mut out);
        out.sort();
        out.dedup();
        out
    }

    fn collect_references(&self, stack: &StackArtifact, value: &Json, out: &mut Vec<ResourceKey>) {
        match value {
            Json::Array(items) => {
                for item in items {
                    self.collect_references(stack, item, out);
                }
            }
            Json::Object(map) => {
                if map.len() == 1
                    && (map.contains_key("Ref")
                        || map.contains_key("Fn::GetAtt")
                        || map.contains_key("Fn::ImportValue"))
                {
                    if let Resolved::Resource(key) = self.resolve(stack, value) {
                        out.push(key);
                    }
                    return;
                }
                if let Some(sub) = map.get("Fn::Sub") {
                    let (text, vars) = match sub {
                        Json::String(t) => (t.as_str(), None),
                        Json::Array(a) => {
                            (a.first().and_then(Json::as_str).unwrap_or(""), a.get(1))
                        }
                        _ => ("", None),
                    };
                    for name in sub_variables(text) {
                        let target = name.split('.').next().unwrap_or(name);
                        let reference = serde_json::json!({ "Ref": target });
                        if let Resolved::Resource(key) = self.resolve(stack, &reference) {
                            out.push(key);
                        }
                    }
                    if let Some(vars) = vars {
                        self.collect_references(stack, vars, out);
                    }
                    return;
                }
                for v in map.values() {
                    self.collect_references(stack, v, out);
                }
            }
            _ => {}
        }
    }
}

/// A resource's construct: its path without a trailing `Resource` segment (the conventional
/// id of a construct's main resource).
fn construct_of(path: &Path) -> String {
    match path.segments() {
        [parent @ .., last] if &**last == "Resource" && !parent.is_empty() => parent.join("/"),
        _ => path.to_string(),
    }
}

/// The `${Name}` variables of an `Fn::Sub` text (not `${!Literal}`).
fn sub_variables(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let name = &after[..end];
        if !name.starts_with('!') && !name.is_empty() {
            out.push(name);
        }
        rest = &after[end + 1..];
    }
    out
}

/// A JSON value as a list: arrays as they are, anything else as one item, null as none.
pub fn as_list(value: Option<&Json>) -> Vec<&Json> {
    match value {
        None | Some(Json::Null) => Vec::new(),
        Some(Json::Array(items)) => items.iter().collect(),
        Some(other) => vec![other],
    }
}

/// True for JSON `true` or the string `"true"` (CloudFormation accepts both).
pub fn is_true(value: Option<&Json>) -> bool {
    match value {
        Some(Json::Bool(b)) => *b,
        Some(Json::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_variables_skip_escaped_literals() {
        assert_eq!(
            sub_variables("arn:${AWS::Partition}:s3:::${Bucket}/${!Literal}"),
            vec!["AWS::Partition", "Bucket"]
        );
    }

    #[test]
    fn truthiness_accepts_strings() {
        assert!(is_true(Some(&Json::from("True"))));
        assert!(!is_true(Some(&Json::from("no"))));
        assert!(!is_true(None));
    }
}
