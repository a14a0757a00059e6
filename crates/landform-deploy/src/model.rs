//! The desired model: every resource of an [`Assembly`] as one node of a global dependency
//! graph, with edges inside stacks (Ref, GetAtt, Sub, DependsOn) and across stacks
//! (parameters wired to outputs, imports, accounts created by another stack).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use landform_core::synth::{AccountSpec, OutputRef};
use landform_core::Assembly;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value as Json;

use crate::error::DeployError;
use crate::intrinsics::{references, Referenced};

/// One desired resource.
#[derive(Debug, Clone)]
pub(crate) struct DesiredResource {
    pub stack: usize,
    pub logical_id: String,
    pub key: String,
    pub type_name: String,
    pub path: String,
    /// The template's `Properties`, as compact JSON text: parsed when planned or applied
    /// (once or twice a run), so a large app's model is not held as parsed values.
    properties: Box<RawValue>,
    pub deletion_policy: Option<String>,
    pub update_replace_policy: Option<String>,
    /// Node indices this resource waits for.
    pub deps: Vec<usize>,
    /// Of `deps`, those this resource itself reads or names (its recorded `dependsOn`); the
    /// rest come from its stack's explicit dependencies, recorded once for the stack.
    pub own_deps: Vec<usize>,
    /// The template's `DependsOn` (logical ids in the stack), until the dependencies are
    /// resolved into `deps`.
    depends_on: Vec<String>,
}

/// One desired stack.
#[derive(Debug, Clone)]
pub(crate) struct DesiredStack {
    pub name: String,
    pub account: AccountSpec,
    pub region: String,
    pub parameters: BTreeMap<String, OutputRef>,
    pub outputs: BTreeMap<String, Json>,
    pub resources: BTreeMap<String, usize>,
    /// Stacks this one depends on explicitly (not through data): each of its resources
    /// waits for every resource of those.
    pub depends_on: Vec<String>,
}

/// The whole desired graph.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub stacks: Vec<DesiredStack>,
    pub resources: Vec<DesiredResource>,
    pub stack_index: HashMap<String, usize>,
    pub exports: HashMap<String, OutputRef>,
    /// Node indices in an order where every node comes after its dependencies.
    pub order: Vec<usize>,
}

pub(crate) fn resource_key(stack: &str, logical_id: &str) -> String {
    format!("{stack}/{logical_id}")
}

/// What the model reads of a template.
#[derive(Deserialize)]
struct TemplateView {
    #[serde(rename = "Resources", default)]
    resources: BTreeMap<String, ResourceView>,
    #[serde(rename = "Outputs", default)]
    outputs: BTreeMap<String, Json>,
}

/// What the model reads of a template's resource.
#[derive(Deserialize)]
struct ResourceView {
    #[serde(rename = "Type", default)]
    type_name: String,
    #[serde(rename = "Properties", default)]
    properties: Option<Box<RawValue>>,
    #[serde(rename = "DependsOn", default)]
    depends_on: Option<Json>,
    #[serde(rename = "DeletionPolicy", default)]
    deletion_policy: Option<String>,
    #[serde(rename = "UpdateReplacePolicy", default)]
    update_replace_policy: Option<String>,
}

impl DesiredResource {
    /// The template's properties (an empty object when it has none).
    pub fn properties(&self) -> Json {
        // The text was checked as JSON when the template was read.
        serde_json::from_str(self.properties.get())
            .unwrap_or_else(|_| Json::Object(Default::default()))
    }
}

/// The direct engine deploys each stack into its own account; a stack marked as a
/// service-managed StackSet (`StackProps::stack_set`) is CloudFormation's to roll out:
/// refused, naming the stack and where it lands, before anything is read or written.
pub fn refuse_stack_sets(assembly: &Assembly) -> Result<(), DeployError> {
    if let Some((artifact, set)) = assembly
        .stacks()
        .iter()
        .find_map(|a| a.stack_set.as_ref().map(|set| (a, set)))
    {
        let units: Vec<String> = set
            .organizational_units
            .iter()
            .map(|u| match (&u.id, &u.path) {
                (_, Some(path)) => path.to_string(),
                (landform_core::synth::DeployValue::Literal(id), None) => id.clone(),
                (landform_core::synth::DeployValue::FromOutput(o), None) => {
                    format!("{}.{}", o.stack, o.output)
                }
            })
            .collect();
        return Err(DeployError::StackSetNeedsCloudFormation {
            stack: artifact.name.clone(),
            targets: format!("{} in {}", units.join(", "), set.regions.join(", ")),
        });
    }
    Ok(())
}

impl Model {
    /// The model of an empty assembly (what a destroy converges to).
    pub fn empty() -> Model {
        Model {
            stacks: Vec::new(),
            resources: Vec::new(),
            stack_index: HashMap::new(),
            exports: HashMap::new(),
            order: Vec::new(),
        }
    }

    pub fn build(assembly: &Assembly) -> Result<Model, DeployError> {
        let mut model = Model {
            stacks: Vec::new(),
            resources: Vec::new(),
            stack_index: HashMap::new(),
            exports: HashMap::new(),
            order: Vec::new(),
        };
        refuse_stack_sets(assembly)?;
        for (s, artifact) in assembly.stacks().iter().enumerate() {
            model.stack_index.insert(artifact.name.clone(), s);
            // Read from the text, not through the template's cached view: the model keeps
            // each resource's properties as text and nothing else of the parse.
            let template: TemplateView =
                serde_json::from_str(artifact.template.text()).map_err(|e| {
                    DeployError::Resolve {
                        stack: artifact.name.clone(),
                        location: "template".into(),
                        reason: format!("the template is not JSON: {e}"),
                    }
                })?;
            let outputs = template.outputs;
            for (id, body) in &outputs {
                if let Some(export) = body.pointer("/Export/Name").and_then(Json::as_str) {
                    model.exports.insert(
                        export.to_owned(),
                        OutputRef {
                            stack: artifact.name.clone(),
                            output: id.clone(),
                        },
                    );
                }
            }
            let mut resources = BTreeMap::new();
            for (lid, body) in template.resources {
                let index = model.resources.len();
                let depends_on = match body.depends_on {
                    Some(Json::String(d)) => vec![d],
                    Some(Json::Array(a)) => a
                        .iter()
                        .filter_map(Json::as_str)
                        .map(str::to_owned)
                        .collect(),
                    _ => Vec::new(),
                };
                let properties = match body.properties {
                    Some(p) => p,
                    // `{}` is valid JSON: the conversion cannot fail.
                    None => RawValue::from_string("{}".to_owned()).map_err(|e| {
                        DeployError::Resolve {
                            stack: artifact.name.clone(),
                            location: format!("Resources.{lid}.Properties"),
                            reason: e.to_string(),
                        }
                    })?,
                };
                model.resources.push(DesiredResource {
                    stack: s,
                    key: resource_key(&artifact.name, &lid),
                    type_name: body.type_name,
                    path: artifact
                        .resources
                        .get(lid.as_str())
                        .map(|i| i.path.to_string())
                        .unwrap_or_default(),
                    properties,
                    deletion_policy: body.deletion_policy,
                    update_replace_policy: body.update_replace_policy,
                    deps: Vec::new(),
                    own_deps: Vec::new(),
                    depends_on,
                    logical_id: lid.clone(),
                });
                resources.insert(lid, index);
            }
            model.stacks.push(DesiredStack {
                name: artifact.name.clone(),
                account: artifact.environment.account.clone(),
                region: artifact.environment.region.clone(),
                parameters: artifact.parameters.clone(),
                outputs,
                resources,
                depends_on: artifact
                    .dependencies
                    .iter()
                    .filter(|d| d.explicit)
                    .map(|d| d.stack.clone())
                    .collect(),
            });
        }
        // Dependencies.
        for s in 0..model.stacks.len() {
            let artifact = &assembly.stacks()[s];
            let mut account_deps: BTreeSet<usize> = BTreeSet::new();
            if let AccountSpec::FromOutput(out) = &model.stacks[s].account {
                account_deps.extend(model.output_deps(out, &mut Vec::new())?);
            }
            // A stack dependency not explained by data flowing between the stacks (an
            // explicit dependency) waits for the whole producer stack.
            let mut stack_wide: BTreeSet<usize> = BTreeSet::new();
            for dep in &artifact.dependencies {
                if dep.explicit {
                    if let Some(&p) = model.stack_index.get(&dep.stack) {
                        stack_wide.extend(model.stacks[p].resources.values().copied());
                    }
                }
            }
            let lids: Vec<(String, usize)> = model.stacks[s]
                .resources
                .iter()
                .map(|(k, v)| (k.clone(), *v))
                .collect();
            for (lid, index) in lids {
                let mut deps: BTreeSet<usize> = account_deps.clone();
                deps.extend(model.value_deps(
                    s,
                    &model.resources[index].properties(),
                    &mut Vec::new(),
                )?);
                let depends_on = std::mem::take(&mut model.resources[index].depends_on);
                for d in depends_on {
                    let target = model.stacks[s].resources.get(&d).copied().ok_or_else(|| {
                        DeployError::Resolve {
                            stack: model.stacks[s].name.clone(),
                            location: format!("Resources.{lid}.DependsOn"),
                            reason: format!("{d} is not a resource of the stack"),
                        }
                    })?;
                    deps.insert(target);
                }
                deps.remove(&index);
                let own: Vec<usize> = deps.iter().copied().collect();
                deps.extend(stack_wide.iter().copied());
                deps.remove(&index);
                model.resources[index].own_deps = own;
                model.resources[index].deps = deps.into_iter().collect();
            }
        }
        model.order = model.topological_order()?;
        Ok(model)
    }

    /// Resources whose values `value` (in stack `s`) reads, following parameters and imports
    /// into producer stacks.
    fn value_deps(
        &self,
        s: usize,
        value: &Json,
        seen: &mut Vec<OutputRef>,
    ) -> Result<BTreeSet<usize>, DeployError> {
        let mut out = BTreeSet::new();
        let stack = &self.stacks[s];
        for r in references(value) {
            match &r {
                Referenced::Ref(name) if name.starts_with("AWS::") => {}
                Referenced::Ref(name) | Referenced::GetAtt(name, _) => {
                    if let Some(&i) = stack.resources.get(name) {
                        out.insert(i);
                    } else if let (Referenced::Ref(_), Some(source)) =
                        (&r, stack.parameters.get(name))
                    {
                        out.extend(self.output_deps(source, seen)?);
                    } else {
                        return Err(DeployError::Resolve {
                            stack: stack.name.clone(),
                            location: name.clone(),
                            reason: format!("{name} is not a resource or parameter of the stack"),
                        });
                    }
                }
                Referenced::Import(name) => {
                    // Exports of stacks outside the app are resolved (or refused) at apply.
                    if let Some(source) = self.exports.get(name) {
                        out.extend(self.output_deps(source, seen)?);
                    }
                }
            }
        }
        Ok(out)
    }

    fn output_deps(
        &self,
        source: &OutputRef,
        seen: &mut Vec<OutputRef>,
    ) -> Result<BTreeSet<usize>, DeployError> {
        if seen.contains(source) {
            return Ok(BTreeSet::new());
        }
        seen.push(source.clone());
        let Some(&p) = self.stack_index.get(&source.stack) else {
            return Err(DeployError::Resolve {
                stack: source.stack.clone(),
                location: format!("Outputs.{}", source.output),
                reason: "the stack is not in the assembly".into(),
            });
        };
        let Some(body) = self.stacks[p].outputs.get(&source.output) else {
            return Err(DeployError::Resolve {
                stack: source.stack.clone(),
                location: format!("Outputs.{}", source.output),
                reason: "no such output".into(),
            });
        };
        let value = body.get("Value").cloned().unwrap_or(Json::Null);
        self.value_deps(p, &value, seen)
    }

    fn topological_order(&self) -> Result<Vec<usize>, DeployError> {
        let n = self.resources.len();
        let mut indegree: Vec<usize> = self.resources.iter().map(|r| r.deps.len()).collect();
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, r) in self.resources.iter().enumerate() {
            for &d in &r.deps {
                dependents[d].push(i);
            }
        }
        let mut ready: std::collections::BTreeSet<usize> =
            (0..n).filter(|&i| indegree[i] == 0).collect();
        let mut order = Vec::with_capacity(n);
        while let Some(i) = ready.pop_first() {
            order.push(i);
            for &d in &dependents[i] {
                indegree[d] -= 1;
                if indegree[d] == 0 {
                    ready.insert(d);
                }
            }
        }
        if order.len() < n {
            let stuck: Vec<String> = (0..n)
                .filter(|&i| indegree[i] > 0)
                .map(|i| self.resources[i].key.clone())
                .collect();
            return Err(DeployError::Cycle {
                cycle: stuck.join(" -> "),
            });
        }
        Ok(order)
    }

    /// The keys (`stack/logicalId`) of what resource `i` itself reads or names: its
    /// recorded `dependsOn`.
    pub fn own_dep_keys(&self, i: usize) -> Vec<String> {
        self.resources[i]
            .own_deps
            .iter()
            .map(|&d| self.resources[d].key.clone())
            .collect()
    }

    /// The node of a resource key.
    pub fn find(&self, stack: &str, logical_id: &str) -> Option<usize> {
        let s = *self.stack_index.get(stack)?;
        self.stacks[s].resources.get(logical_id).copied()
    }
}
