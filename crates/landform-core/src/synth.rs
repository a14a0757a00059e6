//! Synthesis: the tree becomes an [`Assembly`], one CloudFormation template per stack plus a
//! manifest of environments, dependencies and cross-stack parameter wiring.
//!
//! One resolver turns references into intrinsics: `Ref`/`Fn::GetAtt` in the same stack, an
//! `Fn::ImportValue` of an export in the same account and region, and a stack parameter that
//! the manifest wires to the producer's output across accounts or regions.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path as FsPath, PathBuf};

use serde::Serialize;
use serde_json::{json, Map, Value as Json};

use crate::error::CoreError;
use crate::graph::DependencyGraph;
use crate::issue::{Issue, Issues};
use crate::limits;
use crate::logical_id::{alphanumeric_name, logical_id};
use crate::resource::RemovalPolicy;
use crate::tree::{App, NodeId, NodeKind, Path, Tree};
use crate::value::{Attribute, Reference, SubPart, Value};

/// A stack output another stack reads.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct OutputRef {
    /// The producing stack's name.
    pub stack: String,
    /// The output's logical id in that stack.
    pub output: String,
}

/// The account a stack deploys to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AccountSpec {
    /// Known at synth time.
    Literal(String),
    /// Created by the app: read from another stack's output at deploy time.
    FromOutput(OutputRef),
}

/// A stack's environment as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvironmentSpec {
    /// The account.
    pub account: AccountSpec,
    /// The region.
    pub region: String,
}

/// One stack this stack waits for, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StackDependency {
    /// The stack depended on.
    pub stack: String,
    /// Each reason, naming construct paths.
    pub reasons: Vec<String>,
    /// True when the dependency was declared by hand (`Resource::depends_on` across stacks or
    /// `Scope::add_dependency`): the whole producer stack comes first. Otherwise only data
    /// flows (references and the stack's account), and a deployer may start each consumer
    /// resource as soon as the values it reads exist.
    pub explicit: bool,
}

/// A resource of a stack, as the manifest maps it back to the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceInfo {
    /// The construct path.
    pub path: Path,
    /// The CloudFormation type.
    #[serde(rename = "type")]
    pub type_name: String,
}

/// One synthesised stack.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StackArtifact {
    /// Stack name (`<stage>-<stack>`), also the template file's stem.
    pub name: String,
    /// Construct path of the stack.
    pub path: Path,
    /// Where it deploys.
    pub environment: EnvironmentSpec,
    /// The template file name inside the assembly directory.
    pub template_file: String,
    /// Stacks that must be deployed first.
    pub dependencies: Vec<StackDependency>,
    /// Parameters filled at deploy time from other stacks' outputs.
    pub parameters: BTreeMap<String, OutputRef>,
    /// Logical id to construct path and type.
    pub resources: BTreeMap<String, ResourceInfo>,
    /// The CloudFormation template.
    #[serde(skip)]
    pub template: Json,
}

/// The result of synthesis: stacks in deployment order.
#[derive(Debug, Clone, PartialEq)]
pub struct Assembly {
    stacks: Vec<StackArtifact>,
}

impl Assembly {
    /// Stacks in deployment order (every stack after the stacks it depends on).
    pub fn stacks(&self) -> &[StackArtifact] {
        &self.stacks
    }

    /// A stack by name.
    pub fn stack(&self, name: &str) -> Option<&StackArtifact> {
        self.stacks.iter().find(|s| s.name == name)
    }

    /// `manifest.json`'s content.
    pub fn manifest(&self) -> Json {
        json!({
            "version": 1,
            "stacks": self.stacks,
        })
    }

    /// The pretty JSON text of a stack's template, as written to disk.
    pub fn template_text(stack: &StackArtifact) -> String {
        pretty(&stack.template)
    }

    /// Write every template and `manifest.json` into `dir` (created if missing). Returns the
    /// files written.
    pub fn write(&self, dir: impl AsRef<FsPath>) -> Result<Vec<PathBuf>, CoreError> {
        let dir = dir.as_ref();
        fs::create_dir_all(dir).map_err(|source| CoreError::Write {
            path: dir.to_owned(),
            source,
        })?;
        let mut written = Vec::with_capacity(self.stacks.len() + 1);
        let mut put = |name: &str, text: String| {
            let path = dir.join(name);
            fs::write(&path, text).map_err(|source| CoreError::Write {
                path: path.clone(),
                source,
            })?;
            written.push(path);
            Ok::<(), CoreError>(())
        };
        for stack in &self.stacks {
            put(&stack.template_file, Self::template_text(stack))?;
        }
        put("manifest.json", pretty(&self.manifest()))?;
        Ok(written)
    }
}

/// Bytes of `pretty(json)`, counted without building the text.
fn pretty_len(json: &Json) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing to a counter cannot fail; the trailing newline matches `pretty`.
    let _ = serde_json::to_writer_pretty(&mut count, json);
    count.0 + 1
}

fn pretty(json: &Json) -> String {
    // Serialising a `serde_json::Value` cannot fail (all keys are strings).
    let mut text = serde_json::to_string_pretty(json).unwrap_or_default();
    text.push('\n');
    text
}

impl App {
    /// Every problem in the app: those reported while building, those of registered
    /// validations, and those only synthesis sees (references, cycles, limits).
    pub fn validate(&self) -> Issues {
        match Synthesizer::run(self.tree()) {
            Ok(_) => Issues::default(),
            Err(issues) => issues,
        }
    }

    /// Synthesise the app. Refuses with every issue at once while any exists.
    ///
    /// ```
    /// use landform_core::{App, Environment, Resource};
    /// let mut app = App::new();
    /// let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    /// let stack = app.add_stack(stage, "State");
    /// app.scope(stack).add_resource("Locks", Resource::new("AWS::DynamoDB::Table"));
    /// let assembly = app.synth().unwrap();
    /// assert_eq!(assembly.stacks()[0].name, "Management-State");
    /// assert_eq!(assembly.stacks()[0].template["Resources"]["Locks"]["Type"], "AWS::DynamoDB::Table");
    /// ```
    pub fn synth(&self) -> Result<Assembly, CoreError> {
        Synthesizer::run(self.tree()).map_err(CoreError::Validation)
    }
}

/// Per-stack state built while resolving.
#[derive(Default)]
struct StackState {
    resources: Map<String, Json>,
    user_outputs: BTreeMap<String, Json>,
    /// Outputs other stacks read: id -> (value, export name when imported).
    shared_outputs: BTreeMap<String, (Json, Option<String>)>,
    parameters: BTreeMap<String, OutputRef>,
    infos: BTreeMap<String, ResourceInfo>,
}

struct Synthesizer<'t> {
    tree: &'t Tree,
    stacks: Vec<NodeId>,
    index_of: HashMap<NodeId, usize>,
    names: Vec<String>,
    logical_ids: HashMap<NodeId, String>,
    state: Vec<StackState>,
    graph: DependencyGraph,
    /// (consumer, producer) pairs with at least one hand-declared dependency.
    explicit: std::collections::BTreeSet<(usize, usize)>,
    /// Indexes into the tree's explicit dependencies, by the node that depends.
    explicit_from: HashMap<NodeId, Vec<usize>>,
    issues: Vec<Issue>,
}

impl<'t> Synthesizer<'t> {
    fn run(tree: &'t Tree) -> Result<Assembly, Issues> {
        let stacks = tree.stacks();
        let mut synth = Synthesizer {
            tree,
            index_of: stacks.iter().enumerate().map(|(i, &s)| (s, i)).collect(),
            names: stacks.iter().map(|&s| stack_name(tree, s)).collect(),
            graph: DependencyGraph::new(stacks.len()),
            state: (0..stacks.len()).map(|_| StackState::default()).collect(),
            logical_ids: HashMap::new(),
            explicit: Default::default(),
            explicit_from: tree.explicit_dependencies().iter().enumerate().fold(
                HashMap::new(),
                |mut index: HashMap<NodeId, Vec<usize>>, (d, dep)| {
                    index.entry(dep.from).or_default().push(d);
                    index
                },
            ),
            issues: tree.collect_issues(),
            stacks,
        };
        synth.check_stage_regions();
        synth.check_stack_names();
        synth.assign_logical_ids();
        let environments: Vec<EnvironmentSpec> = (0..synth.stacks.len())
            .map(|i| synth.resolve_environment(i))
            .collect();
        for i in 0..synth.stacks.len() {
            synth.build_stack(i);
        }
        synth.add_construct_dependencies();
        let order = match synth.graph.topological_order() {
            Ok(order) => order,
            Err(cycles) => {
                for cycle in cycles {
                    synth.report_stack_cycle(&cycle);
                }
                (0..synth.stacks.len()).collect()
            }
        };
        let mut artifacts: Vec<Option<StackArtifact>> = Vec::new();
        let states = std::mem::take(&mut synth.state);
        for (i, (state, environment)) in states.into_iter().zip(environments).enumerate() {
            artifacts.push(Some(synth.finish_stack(i, state, environment)));
        }
        if !synth.issues.is_empty() {
            return Err(Issues(synth.issues));
        }
        let stacks = order
            .into_iter()
            .filter_map(|i| artifacts[i].take())
            .collect();
        Ok(Assembly { stacks })
    }

    fn report(&mut self, node: NodeId, issue: Issue) {
        let path = self.tree.path(node);
        self.issues.push(issue.at(path));
    }

    fn check_stage_regions(&mut self) {
        for stage in self.tree.stages() {
            let Some(env) = self.tree.environment_of(stage) else {
                continue;
            };
            if !is_region(&env.region) {
                let region = env.region.clone();
                self.report(
                    stage,
                    Issue::new(
                        "Stage.Region",
                        "region",
                        region,
                        "a region is written like us-east-1 or us-gov-west-1",
                    ),
                );
            }
        }
    }

    fn check_stack_names(&mut self) {
        let mut seen: HashMap<String, NodeId> = HashMap::new();
        for (i, stack) in self.stacks.clone().into_iter().enumerate() {
            let name = self.names[i].clone();
            let valid = name.len() <= limits::MAX_STACK_NAME_LEN
                && name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !valid {
                self.report(stack, Issue::new(
                    "Stack.Name",
                    "name",
                    &name,
                    "a stack name (<stage id>-<stack id>) starts with a letter, has only letters, digits and '-', and is at most 128 characters",
                ));
            } else if let Some(&other) = seen.get(&name) {
                let other = self.tree.path(other);
                self.report(
                    stack,
                    Issue::new(
                        "Stack.DuplicateName",
                        "name",
                        &name,
                        format!("stack names are unique in an app; {other} has the same name"),
                    ),
                );
            }
            seen.insert(name, stack);
        }
    }

    /// Logical ids for resources and outputs, from their path below the stack.
    fn assign_logical_ids(&mut self) {
        for stack in self.stacks.clone() {
            let mut taken: HashMap<String, NodeId> = HashMap::new();
            for node in self.tree.descendants(stack) {
                let is_output = matches!(self.tree.node(node).kind(), NodeKind::Output(_));
                if self.tree.node(node).resource().is_none() && !is_output {
                    continue;
                }
                let id = logical_id(&self.tree.segments_below(stack, node));
                // Outputs live in their own namespace; prefix keeps the check simple.
                let key = if is_output {
                    format!("Output:{id}")
                } else {
                    id.clone()
                };
                if let Some(&other) = taken.get(&key) {
                    let path = self.tree.path(node);
                    let other = self.tree.path(other);
                    self.issues.push(Issue::new(
                        "Stack.LogicalIdCollision",
                        "id",
                        &id,
                        format!("logical ids are unique in a template; {other} maps to the same id: rename one of them"),
                    ).at(path));
                }
                taken.insert(key, node);
                self.logical_ids.insert(node, id);
            }
        }
    }

    fn resolve_environment(&mut self, i: usize) -> EnvironmentSpec {
        let stack = self.stacks[i];
        let stage = self.tree.stage_of(stack).unwrap_or(stack);
        let Some(env) = self.tree.environment_of(stack) else {
            return EnvironmentSpec {
                account: AccountSpec::Literal(String::new()),
                region: String::new(),
            };
        };
        let region = env.region.clone();
        let account = match env.account.value() {
            Value::String(id) => {
                if id.len() != 12 || !id.chars().all(|c| c.is_ascii_digit()) {
                    let id = id.clone();
                    self.report(
                        stage,
                        Issue::new(
                            "Stage.AccountId",
                            "account",
                            &id,
                            "an AWS account id is exactly 12 digits",
                        ),
                    );
                }
                AccountSpec::Literal(id.clone())
            }
            Value::Ref(reference) => {
                let reference = reference.clone();
                let target = reference.target;
                let reason = |tree: &Tree| {
                    format!(
                        "{} deploys into the account created by {}",
                        tree.path(stack),
                        tree.path(target)
                    )
                };
                match self.share_output(i, &reference, stage, reason) {
                    Some((producer, output)) if producer != i => {
                        AccountSpec::FromOutput(OutputRef {
                            stack: self.names[producer].clone(),
                            output,
                        })
                    }
                    Some(_) => {
                        self.report(stage, Issue::new(
                            "Stage.AccountFromOwnStack",
                            "account",
                            self.tree.path(reference.target),
                            "a stack cannot deploy into an account it creates itself: create the account in another stack",
                        ));
                        AccountSpec::Literal(String::new())
                    }
                    None => AccountSpec::Literal(String::new()),
                }
            }
            other => {
                let shown = format!("{other:?}");
                self.report(stage, Issue::new(
                    "Stage.AccountNotResolvable",
                    "account",
                    shown,
                    "a stage's account is a 12-digit id or a reference to an AWS::Organizations::Account",
                ));
                AccountSpec::Literal(String::new())
            }
        };
        EnvironmentSpec { account, region }
    }

    /// Make `reference` available as an output of its stack for stack `consumer`; records the
    /// dependency. Returns the producer's index and the output id.
    fn share_output(
        &mut self,
        consumer: usize,
        reference: &Reference,
        from: NodeId,
        reason: impl FnOnce(&Tree) -> String,
    ) -> Option<(usize, String)> {
        let target = reference.target;
        let target_ok =
            (target.0 as usize) < self.tree.len() && self.tree.node(target).resource().is_some();
        let producer = if target_ok {
            self.tree
                .stack_of(target)
                .and_then(|s| self.index_of.get(&s).copied())
        } else {
            None
        };
        let Some(producer) = producer else {
            let shown = if (target.0 as usize) < self.tree.len() {
                self.tree.path(target).to_string()
            } else {
                format!("node #{}", target.0)
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
        let lid = self.logical_ids.get(&target).cloned().unwrap_or_default();
        if producer == consumer {
            return Some((producer, lid));
        }
        let output = alphanumeric_name(&format!(
            "Export{lid}{}",
            reference.attribute.name().replace('.', "")
        ));
        let value = intrinsic(&lid, &reference.attribute);
        self.state[producer]
            .shared_outputs
            .entry(output.clone())
            .or_insert((value, None));
        self.graph.add_edge(consumer, producer, reason(self.tree));
        Some((producer, output))
    }

    fn same_environment(&self, a: usize, b: usize) -> bool {
        match (
            self.tree.environment_of(self.stacks[a]),
            self.tree.environment_of(self.stacks[b]),
        ) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        }
    }

    /// Resolve a value for stack `i`. `deps` receives same-stack resources it references.
    fn resolve(&mut self, value: &Value, i: usize, from: NodeId, deps: &mut Vec<String>) -> Json {
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => n
                .parse::<serde_json::Number>()
                .map(Json::Number)
                .unwrap_or_else(|_| Json::String(n.clone())),
            Value::String(s) => Json::String(s.clone()),
            Value::Array(items) => Json::Array(
                items
                    .iter()
                    .map(|v| self.resolve(v, i, from, deps))
                    .collect(),
            ),
            Value::Object(map) => {
                let mut out = Map::new();
                for (k, v) in map {
                    if *v != Value::Null {
                        out.insert(k.clone(), self.resolve(v, i, from, deps));
                    }
                }
                Json::Object(out)
            }
            Value::Pseudo(p) => json!({ "Ref": p.name() }),
            Value::Ref(reference) => self.resolve_reference(reference, i, from, deps),
            Value::Join { delimiter, parts } => {
                let parts: Vec<Json> = parts
                    .iter()
                    .map(|v| self.resolve(v, i, from, deps))
                    .collect();
                if parts.iter().all(Json::is_string) {
                    let texts: Vec<&str> = parts.iter().filter_map(Json::as_str).collect();
                    Json::String(texts.join(delimiter))
                } else {
                    json!({ "Fn::Join": [delimiter, parts] })
                }
            }
            Value::Sub(parts) => self.resolve_sub(parts, i, from, deps),
        }
    }

    fn resolve_reference(
        &mut self,
        reference: &Reference,
        i: usize,
        from: NodeId,
        deps: &mut Vec<String>,
    ) -> Json {
        let reason = |tree: &Tree| {
            format!(
                "{} reads {}.{}",
                tree.path(from),
                tree.path(reference.target),
                reference.attribute.name()
            )
        };
        let Some((producer, output)) = self.share_output(i, reference, from, reason) else {
            return Json::Null;
        };
        if producer == i {
            deps.push(output.clone());
            return intrinsic(&output, &reference.attribute);
        }
        if self.same_environment(producer, i) {
            let export = format!("{}:{}", self.names[producer], output);
            if let Some(entry) = self.state[producer].shared_outputs.get_mut(&output) {
                entry.1 = Some(export.clone());
            }
            json!({ "Fn::ImportValue": export })
        } else {
            let parameter = logical_id(&[self.names[producer].as_str(), output.as_str()]);
            self.state[i].parameters.insert(
                parameter.clone(),
                OutputRef {
                    stack: self.names[producer].clone(),
                    output,
                },
            );
            json!({ "Ref": parameter })
        }
    }

    fn resolve_sub(
        &mut self,
        parts: &[SubPart],
        i: usize,
        from: NodeId,
        deps: &mut Vec<String>,
    ) -> Json {
        let mut template = String::new();
        let mut variables = Map::new();
        for part in parts {
            let resolved = match part {
                SubPart::Text(t) => {
                    template.push_str(&t.replace("${", "${!"));
                    continue;
                }
                SubPart::Value(v) => self.resolve(v, i, from, deps),
            };
            match &resolved {
                Json::String(s) => template.push_str(&s.replace("${", "${!")),
                Json::Object(map) if map.len() == 1 && map.contains_key("Ref") => {
                    if let Some(name) = map["Ref"].as_str() {
                        template.push_str(&format!("${{{name}}}"));
                    }
                }
                Json::Object(map)
                    if map.len() == 1
                        && map.get("Fn::GetAtt").and_then(Json::as_array).map(Vec::len)
                            == Some(2) =>
                {
                    let att = &map["Fn::GetAtt"];
                    template.push_str(&format!(
                        "${{{}.{}}}",
                        att[0].as_str().unwrap_or_default(),
                        att[1].as_str().unwrap_or_default()
                    ));
                }
                _ => {
                    let name = format!("Var{}", variables.len());
                    template.push_str(&format!("${{{name}}}"));
                    variables.insert(name, resolved);
                }
            }
        }
        let has_variable = !variables.is_empty() || template.replace("${!", "").contains("${");
        if !has_variable {
            return Json::String(template.replace("${!", "${"));
        }
        if variables.is_empty() {
            json!({ "Fn::Sub": template })
        } else {
            json!({ "Fn::Sub": [template, variables] })
        }
    }

    fn build_stack(&mut self, i: usize) {
        let stack = self.stacks[i];
        let tree = self.tree;
        let nodes: Vec<NodeId> = tree.descendants(stack);
        let mut resource_ids: Vec<String> = Vec::new();
        let mut resource_deps: Vec<Vec<String>> = Vec::new();
        for &node in &nodes {
            match tree.node(node).kind() {
                NodeKind::Resource(resource) => {
                    let lid = self.logical_ids[&node].clone();
                    let mut refs = Vec::new();
                    let mut properties = Map::new();
                    for (name, value) in resource.properties() {
                        if *value != Value::Null {
                            let resolved = self.resolve(value, i, node, &mut refs);
                            properties.insert(name.clone(), resolved);
                        }
                    }
                    let mut explicit = Vec::new();
                    let dependencies: Vec<NodeId> = resource
                        .dependencies()
                        .iter()
                        .copied()
                        .chain(
                            self.explicit_from
                                .get(&node)
                                .into_iter()
                                .flatten()
                                .flat_map(|&d| {
                                    let on = tree.explicit_dependencies()[d].on;
                                    match tree.get(on) {
                                        Some(_) => tree.descendants(on),
                                        None => vec![on],
                                    }
                                }),
                        )
                        .collect();
                    for on in dependencies {
                        if tree.get(on).is_none() {
                            let shown = format!("node #{}", on.0);
                            self.report(
                                node,
                                Issue::new(
                                    "Reference.NotAResource",
                                    "depends_on",
                                    shown,
                                    "a dependency points at a resource of this app",
                                ),
                            );
                            continue;
                        }
                        if tree.node(on).resource().is_none() {
                            continue;
                        }
                        match tree
                            .stack_of(on)
                            .and_then(|s| self.index_of.get(&s).copied())
                        {
                            Some(p) if p == i => {
                                let on_id = self.logical_ids[&on].clone();
                                if !refs.contains(&on_id) && !explicit.contains(&on_id) {
                                    explicit.push(on_id);
                                }
                            }
                            Some(p) => {
                                self.explicit.insert((i, p));
                                self.graph.add_edge(
                                    i,
                                    p,
                                    format!("{} depends on {}", tree.path(node), tree.path(on)),
                                )
                            }
                            None => {}
                        }
                    }
                    explicit.sort();
                    let mut body = Map::new();
                    body.insert("Type".into(), json!(resource.type_name()));
                    if !properties.is_empty() {
                        body.insert("Properties".into(), Json::Object(properties));
                    }
                    if !explicit.is_empty() {
                        body.insert("DependsOn".into(), json!(explicit));
                    }
                    if let Some(p) = resource.deletion() {
                        body.insert("DeletionPolicy".into(), json!(policy_name(p)));
                    }
                    if let Some(p) = resource.update_replace() {
                        body.insert("UpdateReplacePolicy".into(), json!(policy_name(p)));
                    }
                    if !resource.metadata_entries().is_empty() {
                        body.insert("Metadata".into(), json!(resource.metadata_entries()));
                    }
                    self.state[i].infos.insert(
                        lid.clone(),
                        ResourceInfo {
                            path: tree.path(node),
                            type_name: resource.type_name().to_owned(),
                        },
                    );
                    self.state[i]
                        .resources
                        .insert(lid.clone(), Json::Object(body));
                    refs.extend(explicit);
                    resource_ids.push(lid);
                    resource_deps.push(refs);
                }
                NodeKind::Output(output) => {
                    let lid = self.logical_ids[&node].clone();
                    let mut refs = Vec::new();
                    let value = self.resolve(&output.value, i, node, &mut refs);
                    let mut body = Map::new();
                    if let Some(d) = &output.description {
                        body.insert("Description".into(), json!(d));
                    }
                    body.insert("Value".into(), value);
                    self.state[i].user_outputs.insert(lid, Json::Object(body));
                }
                _ => {}
            }
        }
        self.check_resource_cycles(i, &resource_ids, &resource_deps);
    }

    /// Explicit dependencies declared on non-resource nodes: the whole stack waits.
    fn add_construct_dependencies(&mut self) {
        let tree = self.tree;
        for dep in tree.explicit_dependencies() {
            let known = tree.get(dep.from).is_some() && tree.get(dep.on).is_some();
            if !known || tree.node(dep.from).resource().is_some() {
                continue;
            }
            let stack_index = |n: NodeId| {
                tree.stack_of(n)
                    .and_then(|s| self.index_of.get(&s).copied())
            };
            if let (Some(i), Some(p)) = (stack_index(dep.from), stack_index(dep.on)) {
                if p != i {
                    self.explicit.insert((i, p));
                    self.graph.add_edge(i, p, dep.reason.clone());
                }
            }
        }
    }

    fn check_resource_cycles(&mut self, i: usize, ids: &[String], deps: &[Vec<String>]) {
        let position: HashMap<&str, usize> = ids
            .iter()
            .enumerate()
            .map(|(n, id)| (id.as_str(), n))
            .collect();
        let mut graph = DependencyGraph::new(ids.len());
        for (from, refs) in deps.iter().enumerate() {
            for r in refs {
                if let Some(&on) = position.get(r.as_str()) {
                    graph.add_edge(from, on, "");
                }
            }
        }
        for cycle in graph.cycles() {
            let infos = &self.state[i].infos;
            let names: Vec<String> = cycle
                .iter()
                .chain(cycle.first())
                .map(|&n| infos[&ids[n]].path.to_string())
                .collect();
            let first = infos[&ids[cycle[0]]].path.clone();
            self.issues.push(
                Issue::new(
                    "Stack.ResourceCycle",
                    "references",
                    names.join(" -> "),
                    "resources in a stack cannot depend on each other in a cycle: remove one reference or DependsOn",
                )
                .at(first),
            );
        }
    }

    fn report_stack_cycle(&mut self, cycle: &[usize]) {
        let mut steps = Vec::new();
        for (k, &from) in cycle.iter().enumerate() {
            let on = cycle[(k + 1) % cycle.len()];
            let reasons = self.graph.reasons(from, on).join("; ");
            steps.push(format!(
                "{} -> {} ({reasons})",
                self.tree.path(self.stacks[from]),
                self.tree.path(self.stacks[on])
            ));
        }
        let node = self.stacks[cycle[0]];
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

    fn finish_stack(
        &mut self,
        i: usize,
        state: StackState,
        environment: EnvironmentSpec,
    ) -> StackArtifact {
        let stack = self.stacks[i];
        let name = self.names[i].clone();
        let description = match self.tree.node(stack).kind() {
            NodeKind::Stack(props) => props.description.clone(),
            _ => None,
        };
        let mut template = Map::new();
        template.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
        template.insert(
            "Description".into(),
            json!(
                description.unwrap_or_else(|| format!("Landform stack {}", self.tree.path(stack)))
            ),
        );
        if !state.parameters.is_empty() {
            let mut parameters = Map::new();
            for (p, source) in &state.parameters {
                parameters.insert(
                    p.clone(),
                    json!({
                        "Type": "String",
                        "Description": format!("Output {} of stack {}, filled at deploy time", source.output, source.stack),
                    }),
                );
            }
            template.insert("Parameters".into(), Json::Object(parameters));
        }
        if state.resources.is_empty() {
            self.report(stack, Issue::new(
                "Stack.NoResources",
                "resources",
                0,
                "CloudFormation refuses a template without resources: add one or remove the stack",
            ));
        }
        let resource_count = state.resources.len();
        let mut sorted: Vec<(String, Json)> = state.resources.into_iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        template.insert(
            "Resources".into(),
            Json::Object(sorted.into_iter().collect()),
        );
        let mut outputs: BTreeMap<String, Json> = state.user_outputs;
        for (id, (value, export)) in state.shared_outputs {
            let mut body = Map::new();
            body.insert("Value".into(), value);
            if let Some(export) = export {
                body.insert("Export".into(), json!({ "Name": export }));
            }
            outputs.entry(id).or_insert(Json::Object(body));
        }
        let output_count = outputs.len();
        if !outputs.is_empty() {
            template.insert("Outputs".into(), json!(outputs));
        }
        let template = Json::Object(template);
        self.check_limits(
            stack,
            resource_count,
            state.parameters.len(),
            output_count,
            &template,
        );
        let dependencies = self
            .graph
            .dependencies(i)
            .into_iter()
            .map(|p| StackDependency {
                stack: self.names[p].clone(),
                reasons: self.graph.reasons(i, p).to_vec(),
                explicit: self.explicit.contains(&(i, p)),
            })
            .collect();
        StackArtifact {
            template_file: format!("{name}.template.json"),
            name,
            path: self.tree.path(stack),
            environment,
            dependencies,
            parameters: state.parameters,
            resources: state.infos,
            template,
        }
    }

    fn check_limits(
        &mut self,
        stack: NodeId,
        resources: usize,
        parameters: usize,
        outputs: usize,
        template: &Json,
    ) {
        let checks = [
            (
                "Stack.TooManyResources",
                "resources",
                resources,
                limits::MAX_RESOURCES,
                "resources",
            ),
            (
                "Stack.TooManyParameters",
                "parameters",
                parameters,
                limits::MAX_PARAMETERS,
                "parameters",
            ),
            (
                "Stack.TooManyOutputs",
                "outputs",
                outputs,
                limits::MAX_OUTPUTS,
                "outputs",
            ),
        ];
        for (code, field, count, limit, what) in checks {
            if count > limit {
                self.report(stack, Issue::new(
                    code,
                    field,
                    count,
                    format!("a CloudFormation template holds at most {limit} {what}: split the stack"),
                ));
            }
        }
        let bytes = pretty_len(template);
        if bytes > limits::MAX_TEMPLATE_BYTES {
            self.report(
                stack,
                Issue::new(
                    "Stack.TemplateTooLarge",
                    "template",
                    format!("{bytes} bytes"),
                    format!(
                        "a CloudFormation template body is at most {} bytes: split the stack",
                        limits::MAX_TEMPLATE_BYTES
                    ),
                ),
            );
        }
    }
}

fn intrinsic(logical_id: &str, attribute: &Attribute) -> Json {
    match attribute {
        Attribute::Ref => json!({ "Ref": logical_id }),
        Attribute::GetAtt(name) => json!({ "Fn::GetAtt": [logical_id, name] }),
    }
}

fn policy_name(policy: RemovalPolicy) -> &'static str {
    match policy {
        RemovalPolicy::Delete => "Delete",
        RemovalPolicy::Retain => "Retain",
        RemovalPolicy::Snapshot => "Snapshot",
    }
}

fn stack_name(tree: &Tree, stack: NodeId) -> String {
    match tree.stage_of(stack) {
        Some(stage) => format!("{}-{}", tree.node(stage).id(), tree.node(stack).id()),
        None => tree.node(stack).id().to_owned(),
    }
}

fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    let letters = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase());
    match parts.as_slice() {
        [geo, area, n] => {
            letters(geo) && geo.len() == 2 && letters(area) && n.parse::<u8>().is_ok()
        }
        [geo, gov, area, n] => {
            letters(geo)
                && geo.len() == 2
                && letters(gov)
                && letters(area)
                && n.parse::<u8>().is_ok()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_length_equals_written_length() {
        let json = json!({"A": [1, {"b": "é\n\"x\""}], "C": {}, "D": []});
        assert_eq!(pretty_len(&json), pretty(&json).len());
    }
}
